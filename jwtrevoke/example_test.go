package jwtrevoke_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"log"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv/memory"
)

func Example() {
	ctx := context.Background()

	store := memory.New(nil)
	defer store.Close()

	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		log.Fatal(err)
	}

	tracker, err := jwtrevoke.New(store, jwtrevoke.Options{
		Algorithms: []string{"EdDSA"},
		SigningKey: key,
	})
	if err != nil {
		log.Fatal(err)
	}

	// At login: an access token and a refresh token of a new family.
	pair, err := tracker.IssuePair(ctx, "user-42", map[string]any{"role": "admin"})
	if err != nil {
		log.Fatal(err)
	}

	claims, err := tracker.Check(ctx, pair.Access, jwtrevoke.Access)
	fmt.Println("access token:", claims.Subject, claims.Extra["role"], err)

	// Later: exchange the refresh token for a new pair.
	next, err := tracker.Rotate(ctx, pair.Refresh)
	if err != nil {
		log.Fatal(err)
	}

	// Logout everywhere: one write rejects every earlier token.
	if err := tracker.RevokeSubject(ctx, "user-42"); err != nil {
		log.Fatal(err)
	}

	_, err = tracker.Check(ctx, next.Access, jwtrevoke.Access)
	fmt.Println("after logout:", errors.Is(err, jwtrevoke.ErrRevoked))

	// Output:
	// access token: user-42 admin <nil>
	// after logout: true
}
