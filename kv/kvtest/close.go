package kvtest

import (
	"errors"
	"testing"

	"github.com/anykv/anykv/kv"
)

func (s *suite) testClose(t *testing.T) {
	t.Run("AfterClose", s.testCloseAfterClose)
	t.Run("IteratorAfterClose", s.testCloseIteratorAfterClose)
	t.Run("Twice", s.testCloseTwice)
}

// testCloseAfterClose checks that every operation on a closed store fails
// with kv.ErrClosed.
func (s *suite) testCloseAfterClose(t *testing.T) {
	f := s.open(t)

	key := f.key("closed")
	f.put(key, []byte("v0"))

	if err := f.store.Delete(f.ctx, key); err != nil {
		t.Fatalf("Delete %s: %v", kv.QuoteKey(key), err)
	}

	if err := f.store.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	for _, op := range f.operations([]byte("v0")) {
		err := op.call(f.ctx, key)
		if !errors.Is(err, kv.ErrClosed) {
			t.Errorf("%s after Close = %v, want an error matching kv.ErrClosed", op.name, err)
		}

		// Only an absent key may be reported as not found.
		if errors.Is(err, kv.ErrNotFound) {
			t.Errorf("%s after Close = %v, which also matches kv.ErrNotFound", op.name, err)
		}
	}
}

// testCloseIteratorAfterClose checks that a Keys iterator built before
// Close and ranged over after it yields kv.ErrClosed rather than keys.
func (s *suite) testCloseIteratorAfterClose(t *testing.T) {
	f := s.open(t)
	l := f.lister()

	key := f.key("listed")
	f.put(key, []byte("v"))

	seq := l.Keys(f.ctx, f.prefix)

	if err := f.store.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	var (
		yielded []string
		lastErr error
	)

	for k, err := range seq {
		if err != nil {
			lastErr = err
			break
		}

		yielded = append(yielded, k)
	}

	if len(yielded) > 0 {
		t.Errorf("Keys built before Close yielded %q after Close, want no keys", yielded)
	}

	if !errors.Is(lastErr, kv.ErrClosed) {
		t.Errorf("Keys built before Close ended with %v after Close, want an error matching kv.ErrClosed", lastErr)
	}
}

// testCloseTwice checks that a second Close returns nil. The suite's
// cleanup calls Close a third time.
func (s *suite) testCloseTwice(t *testing.T) {
	f := s.open(t)

	if err := f.store.Close(); err != nil {
		t.Fatalf("first Close: %v", err)
	}

	if err := f.store.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}
