package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"

	"github.com/anykv/anykv/kv"
)

// signingKeyName is the store key of the HS256 secret. It lies outside
// the namespace of the Tracker, whose Prune never deletes it.
const signingKeyName = "anykv-demo:hs256-secret"

// signingKeySize is the HS256 secret size in bytes: the SHA-256 output
// size, the minimum RFC 7518 section 3.2 allows.
const signingKeySize = 32

// loadSigningKey returns the HS256 secret kept in store, and generates and
// stores a random one at the first start. Keeping it in the store lets a
// restarted server verify the tokens it issued before, and lets several
// servers on one store share it.
func loadSigningKey(ctx context.Context, store kv.Store, logger *slog.Logger) ([]byte, error) {
	secret, err := store.Get(ctx, signingKeyName)
	if err == nil {
		return checkSigningKey(secret)
	}

	if !errors.Is(err, kv.ErrNotFound) {
		return nil, fmt.Errorf("read signing key %s: %w", kv.QuoteKey(signingKeyName), err)
	}

	secret = make([]byte, signingKeySize)
	_, _ = rand.Read(secret) // crypto/rand.Read never fails as of Go 1.24

	// Two servers starting at once on an empty store must agree on one
	// secret, so the first write wins where the store can tell.
	stored := true
	if atomic, ok := store.(kv.AtomicStore); ok {
		stored, err = atomic.PutIfAbsent(ctx, signingKeyName, secret)
	} else {
		err = store.Put(ctx, signingKeyName, secret)
	}

	if err != nil {
		return nil, fmt.Errorf("store signing key %s: %w", kv.QuoteKey(signingKeyName), err)
	}

	if !stored {
		secret, err = store.Get(ctx, signingKeyName)
		if err != nil {
			return nil, fmt.Errorf("read signing key %s that another server stored: %w", kv.QuoteKey(signingKeyName), err)
		}

		return checkSigningKey(secret)
	}

	logger.Info("generated a new signing key", "store_key", signingKeyName)

	return secret, nil
}

// checkSigningKey returns secret unless it has the wrong size, which
// means the entry was written by something else.
func checkSigningKey(secret []byte) ([]byte, error) {
	if len(secret) != signingKeySize {
		return nil, fmt.Errorf("signing key %s is %d bytes, want %d; delete the entry to generate a new key", kv.QuoteKey(signingKeyName), len(secret), signingKeySize)
	}

	return secret, nil
}
