package routers

import (
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/gorilla/mux"

	"github.com/anykv/anykv/jwtrevoke"
)

// hello writes the subject of the verified token that the middleware put
// in the request context.
func hello(w http.ResponseWriter, r *http.Request) {
	claims, ok := jwtrevoke.ClaimsFromContext(r.Context())
	if !ok {
		http.Error(w, "no claims in context", http.StatusInternalServerError)
		return
	}

	fmt.Fprintf(w, "hello %s", claims.Subject)
}

// ServeMux returns an http.ServeMux whose GET /hello route is behind protect.
func ServeMux(protect func(http.Handler) http.Handler) http.Handler {
	m := http.NewServeMux()
	m.Handle("GET /hello", protect(http.HandlerFunc(hello)))

	return m
}

// Chi returns a chi router whose GET /hello route is behind protect,
// installed with chi's Use.
func Chi(protect func(http.Handler) http.Handler) http.Handler {
	r := chi.NewRouter()
	r.Use(protect)
	r.Get("/hello", hello)

	return r
}

// Gorilla returns a gorilla/mux router whose GET /hello route is behind
// protect, installed with the router's Use.
func Gorilla(protect func(http.Handler) http.Handler) http.Handler {
	r := mux.NewRouter()
	r.Use(protect)
	r.HandleFunc("/hello", hello).Methods(http.MethodGet)

	return r
}
