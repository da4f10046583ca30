module github.com/anykv/anykv/examples/routers

go 1.24

replace github.com/anykv/anykv => ../..

require (
	github.com/anykv/anykv v0.0.0-00010101000000-000000000000
	github.com/go-chi/chi/v5 v5.5.0
	github.com/gorilla/mux v1.8.1
)

require github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
