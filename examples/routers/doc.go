// Package routers shows jwtrevoke's middleware, unchanged, under the
// standard library's http.ServeMux, chi and gorilla/mux.
//
// It is a module of its own so that the anykv module does not depend on
// either router. Its tests run each router over real HTTP and check that
// a valid token passes with its claims in the request context, a revoked
// one gets 401 with error="invalid_token", and a request without a token
// gets a bare Bearer challenge.
package routers
