// Package readonly wraps a kv.Store so that it can be read but not changed.
//
// Reads (Get, GetMany, Keys) pass through to the inner store. Every write
// (Put, Delete, PutTTL, PutIfAbsent, PutIfAbsentTTL, CompareAndSwap,
// CompareAndSwapTTL and Reclaim) returns an error matching ErrReadOnly that
// names the key, and never reaches the inner store. An invalid key yields
// kv.ErrInvalidKey first, as on any store.
//
// The wrapper exposes exactly the optional capabilities of the inner store,
// so code that checks for kv.AtomicStore, say, takes the same path through
// it and then gets ErrReadOnly. Close marks only the wrapper closed: the
// inner store stays open for its other users, and the caller closes it.
// The wrapper is safe for concurrent use when the inner store is.
package readonly

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/wrap"
)

// ErrReadOnly means a write was attempted through a read-only wrapper.
var ErrReadOnly = errors.New("readonly: store is read-only")

// store passes reads to the inner store and rejects writes.
type store struct {
	wrap.Forward
}

// New returns a read-only view of inner. It panics if inner is nil.
func New(inner kv.Store) kv.Wrapper {
	return wrap.New(inner, &store{wrap.Forward{Inner: inner}})
}

// reject returns the error for a write of op on key, after the checks that
// every store makes first.
func (s *store) reject(ctx context.Context, op, key string) error {
	if err := kv.ValidateKey(key); err != nil {
		return err
	}

	if err := s.Check(ctx); err != nil {
		return err
	}

	return fmt.Errorf("%s %s: %w", op, kv.QuoteKey(key), ErrReadOnly)
}

func (s *store) Put(ctx context.Context, key string, value []byte) error {
	return s.reject(ctx, "put", key)
}

func (s *store) Delete(ctx context.Context, key string) error {
	return s.reject(ctx, "delete", key)
}

func (s *store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.reject(ctx, "put with TTL", key)
}

func (s *store) PutIfAbsent(ctx context.Context, key string, value []byte) (bool, error) {
	return false, s.reject(ctx, "put-if-absent", key)
}

func (s *store) PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return false, s.reject(ctx, "put-if-absent with TTL", key)
}

func (s *store) CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (bool, error) {
	return false, s.reject(ctx, "compare-and-swap", key)
}

func (s *store) CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	return false, s.reject(ctx, "compare-and-swap with TTL", key)
}

// Reclaim is a write, because it deletes expired entries.
func (s *store) Reclaim(ctx context.Context) (int, error) {
	if err := s.Check(ctx); err != nil {
		return 0, err
	}

	return 0, fmt.Errorf("reclaim: %w", ErrReadOnly)
}
