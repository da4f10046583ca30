// Package mapstore is a small in-memory store with every optional
// capability, for the tests of the kv wrappers and helpers.
//
// It keeps the kv rules that those tests rely on. Keys are validated and
// values are copied in and out. TTLs expire on read. Listing works from a
// snapshot, so deleting inside the loop is safe. Conditional writes are
// atomic under one mutex. It is not tuned for anything but tests.
package mapstore

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/wrap"
)

type entry struct {
	value    []byte
	deadline time.Time // zero: no TTL
}

func (e entry) expired(now time.Time) bool {
	return !e.deadline.IsZero() && !now.Before(e.deadline)
}

// Store is a map guarded by a mutex. The zero value is not usable, so call New.
type Store struct {
	mu      sync.Mutex
	entries map[string]entry
	closed  bool
}

// New returns an empty store with every capability.
func New() *Store {
	return &Store{entries: map[string]entry{}}
}

// WithCaps returns a new empty store that implements exactly the optional
// capabilities in c.
func WithCaps(c wrap.Caps) kv.Store {
	return wrap.Select(c, New())
}

// Unwrap returns nil, because Store wraps nothing. It exists so that
// WithCaps can pass the store to wrap.Select.
func (s *Store) Unwrap() kv.Store { return nil }

// Len returns the number of entries, expired ones included, so that tests
// can see what Reclaim removed.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()

	return len(s.entries)
}

// begin locks the store after checking the context and Close. When it
// returns nil, the caller unlocks the store.
func (s *Store) begin(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()

		return kv.ErrClosed
	}

	return nil
}

// lookup returns the live entry for key. The caller holds s.mu.
func (s *Store) lookup(key string) (entry, bool) {
	e, ok := s.entries[key]
	if !ok || e.expired(time.Now()) {
		return entry{}, false
	}

	return e, true
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := kv.ValidateKey(key); err != nil {
		return nil, err
	}

	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()

	e, ok := s.lookup(key)
	if !ok {
		return nil, fmt.Errorf("get %s: %w", kv.QuoteKey(key), kv.ErrNotFound)
	}

	return append([]byte{}, e.value...), nil
}

func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	return s.put(ctx, key, value, 0)
}

func (s *Store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := kv.ValidateTTL(ttl); err != nil {
		return err
	}

	return s.put(ctx, key, value, ttl)
}

func (s *Store) put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := kv.ValidateKey(key); err != nil {
		return err
	}

	if err := s.begin(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()

	s.entries[key] = newEntry(value, ttl)

	return nil
}

func newEntry(value []byte, ttl time.Duration) entry {
	e := entry{value: append([]byte{}, value...)}
	if ttl > 0 {
		e.deadline = time.Now().Add(ttl)
	}

	return e
}

func (s *Store) Delete(ctx context.Context, key string) error {
	if err := kv.ValidateKey(key); err != nil {
		return err
	}

	if err := s.begin(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()

	delete(s.entries, key)

	return nil
}

func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.closed = true

	return nil
}

func (s *Store) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := kv.ValidatePrefix(prefix); err != nil {
			yield("", err)
			return
		}

		if err := s.begin(ctx); err != nil {
			yield("", err)
			return
		}

		var keys []string
		now := time.Now()
		for key, e := range s.entries {
			if strings.HasPrefix(key, prefix) && !e.expired(now) {
				keys = append(keys, key)
			}
		}
		s.mu.Unlock()

		slices.Sort(keys)

		for _, key := range keys {
			if !yield(key, nil) {
				return
			}
		}
	}
}

func (s *Store) PutIfAbsent(ctx context.Context, key string, value []byte) (bool, error) {
	return s.putIfAbsent(ctx, key, value, 0)
}

func (s *Store) PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := kv.ValidateTTL(ttl); err != nil {
		return false, err
	}

	return s.putIfAbsent(ctx, key, value, ttl)
}

func (s *Store) putIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := kv.ValidateKey(key); err != nil {
		return false, err
	}

	if err := s.begin(ctx); err != nil {
		return false, err
	}
	defer s.mu.Unlock()

	if _, ok := s.lookup(key); ok {
		return false, nil
	}

	s.entries[key] = newEntry(value, ttl)

	return true, nil
}

func (s *Store) CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (bool, error) {
	return s.compareAndSwap(ctx, key, oldValue, newValue, 0)
}

func (s *Store) CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	if err := kv.ValidateTTL(ttl); err != nil {
		return false, err
	}

	return s.compareAndSwap(ctx, key, oldValue, newValue, ttl)
}

func (s *Store) compareAndSwap(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	if err := kv.ValidateKey(key); err != nil {
		return false, err
	}

	if err := s.begin(ctx); err != nil {
		return false, err
	}
	defer s.mu.Unlock()

	e, ok := s.lookup(key)
	if !ok {
		return false, fmt.Errorf("compare-and-swap %s: %w", kv.QuoteKey(key), kv.ErrNotFound)
	}

	if !bytes.Equal(e.value, oldValue) {
		return false, nil
	}

	s.entries[key] = newEntry(newValue, ttl)

	return true, nil
}

func (s *Store) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	for _, key := range keys {
		if err := kv.ValidateKey(key); err != nil {
			return nil, err
		}
	}

	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()

	values := make([][]byte, len(keys))
	for i, key := range keys {
		if e, ok := s.lookup(key); ok {
			values[i] = append([]byte{}, e.value...)
		}
	}

	return values, nil
}

func (s *Store) Reclaim(ctx context.Context) (int, error) {
	if err := s.begin(ctx); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()

	removed := 0
	now := time.Now()
	for key, e := range s.entries {
		if e.expired(now) {
			delete(s.entries, key)
			removed++
		}
	}

	return removed, nil
}
