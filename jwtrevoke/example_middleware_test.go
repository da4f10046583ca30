package jwtrevoke_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv/memory"
)

// This example protects a route of an http.ServeMux, calls it with an
// access token, revokes the token and calls it again.
func ExampleTracker_Middleware() {
	ctx := context.Background()

	store := memory.New(nil)
	defer store.Close()

	// A real server loads a random secret of at least 32 bytes.
	tracker, err := jwtrevoke.New(store, jwtrevoke.Options{
		Algorithms: []string{"HS256"},
		SigningKey: []byte("example-secret-of-32-bytes-long!"),
	})
	if err != nil {
		log.Fatal(err)
	}

	protect := tracker.Middleware(nil)

	mux := http.NewServeMux()
	mux.Handle("GET /hello", protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := jwtrevoke.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", claims.Subject)
	})))

	call := func(token string) {
		r := httptest.NewRequest(http.MethodGet, "/hello", nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}

		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)

		if w.Code == http.StatusOK {
			fmt.Println(w.Code, w.Body)
		} else {
			fmt.Println(w.Code, w.Header().Get("WWW-Authenticate"))
		}
	}

	token, claims, err := tracker.Issue(ctx, "alice", jwtrevoke.Access, nil)
	if err != nil {
		log.Fatal(err)
	}

	call("")
	call(token)

	if err := tracker.Revoke(ctx, claims.ID); err != nil {
		log.Fatal(err)
	}

	call(token)

	// Output:
	// 401 Bearer
	// 200 hello alice
	// 401 Bearer error="invalid_token", error_description="token revoked"
}
