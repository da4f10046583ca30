package kvtest

import (
	"errors"
	"testing"

	"github.com/anykv/anykv/kv"
)

func (s *suite) testClose(t *testing.T) {
	t.Run("AfterClose", s.testCloseAfterClose)
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

	ctx := f.ctx
	wantClosed := func(op string, err error) {
		t.Helper()

		if !errors.Is(err, kv.ErrClosed) {
			t.Errorf("%s after Close = %v, want an error matching kv.ErrClosed", op, err)
		}
	}

	_, err := f.store.Get(ctx, key)
	wantClosed("Get", err)
	wantClosed("Put", f.store.Put(ctx, key, []byte("v1")))
	wantClosed("Delete", f.store.Delete(ctx, key))

	if ts, ok := f.store.(kv.TTLStore); ok {
		wantClosed("PutTTL", ts.PutTTL(ctx, key, []byte("v1"), longTTL))
	}

	if l, ok := f.store.(kv.Lister); ok {
		_, err := listKeys(ctx, l, f.prefix)
		wantClosed("Keys", err)
	}

	if a, ok := f.store.(kv.AtomicStore); ok {
		_, err := a.PutIfAbsent(ctx, key, []byte("v1"))
		wantClosed("PutIfAbsent", err)

		_, err = a.PutIfAbsentTTL(ctx, key, []byte("v1"), longTTL)
		wantClosed("PutIfAbsentTTL", err)

		_, err = a.CompareAndSwap(ctx, key, []byte("v0"), []byte("v1"))
		wantClosed("CompareAndSwap", err)

		_, err = a.CompareAndSwapTTL(ctx, key, []byte("v0"), []byte("v1"), longTTL)
		wantClosed("CompareAndSwapTTL", err)
	}

	if b, ok := f.store.(kv.BatchGetter); ok {
		_, err := b.GetMany(ctx, []string{key})
		wantClosed("GetMany", err)
	}

	if r, ok := f.store.(kv.Reclaimer); ok {
		_, err := r.Reclaim(ctx)
		wantClosed("Reclaim", err)
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
