package kvtest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/anykv/anykv/kv"
)

// mapStore is the smallest store that keeps the kv rules: a map behind a
// mutex that copies values in and out. It implements no optional
// capability, so the suite skips those subtests.
type mapStore struct {
	mu     sync.Mutex
	m      map[string][]byte
	closed bool
}

func newMapStore() *mapStore {
	return &mapStore{m: make(map[string][]byte)}
}

// check returns the error an operation on key fails with before it
// touches the map, if any.
func (s *mapStore) check(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}

	if s.closed {
		return kv.ErrClosed
	}

	return kv.ValidateKey(key)
}

func (s *mapStore) Get(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.check(ctx, key); err != nil {
		return nil, err
	}

	value, ok := s.m[key]
	if !ok {
		return nil, fmt.Errorf("get %s: %w", kv.QuoteKey(key), kv.ErrNotFound)
	}

	return append([]byte{}, value...), nil
}

func (s *mapStore) Put(ctx context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.check(ctx, key); err != nil {
		return err
	}

	s.m[key] = append([]byte{}, value...)

	return nil
}

func (s *mapStore) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.check(ctx, key); err != nil {
		return err
	}

	delete(s.m, key)

	return nil
}

func (s *mapStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.closed = true

	return nil
}

// A backend's test file runs the whole suite with one call:
//
//	func TestConformance(t *testing.T) {
//		kvtest.Run(t, func(t *testing.T) kv.Store {
//			return newMapStore()
//		})
//	}
//
// kvtest's own tests run exactly that against mapStore. An example function
// cannot receive a *testing.T, so this one only shows the store at work.
func ExampleRun() {
	var store kv.Store = newMapStore()
	defer store.Close()

	ctx := context.Background()

	if err := store.Put(ctx, "greeting", []byte("hello")); err != nil {
		fmt.Println(err)
		return
	}

	value, err := store.Get(ctx, "greeting")
	fmt.Printf("%s %v\n", value, err)

	_, err = store.Get(ctx, "absent")
	fmt.Println(errors.Is(err, kv.ErrNotFound))

	_, err = store.Get(ctx, "no spaces in keys")
	fmt.Println(errors.Is(err, kv.ErrInvalidKey))

	// Output:
	// hello <nil>
	// true
	// true
}
