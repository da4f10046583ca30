package jwtrevoke_test

import (
	"crypto/subtle"
	"errors"
	"log"
	"net/http"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv/memory"
)

func ExampleTracker_RevocationHandler() {
	store := memory.New(nil)
	defer store.Close()

	tracker, err := jwtrevoke.New(store, jwtrevoke.Options{
		Algorithms: []string{"HS256"},
		SigningKey: []byte("an HS256 secret of at least 32 bytes"),
	})
	if err != nil {
		log.Fatal(err)
	}

	// Confidential clients authenticate with HTTP Basic, as RFC 6749
	// section 2.3.1 describes. Look clients up in your own registry.
	authenticate := func(r *http.Request) error {
		id, secret, ok := r.BasicAuth()
		if !ok || id != "web-app" || subtle.ConstantTimeCompare([]byte(secret), []byte("client secret")) != 1 {
			return errors.New("unknown client or wrong secret")
		}

		return nil
	}

	mux := http.NewServeMux()
	mux.Handle("POST /oauth/revoke", tracker.RevocationHandler(authenticate))
	mux.Handle("POST /oauth/introspect", tracker.IntrospectionHandler(authenticate))

	_ = &http.Server{Addr: "127.0.0.1:8080", Handler: mux}
}
