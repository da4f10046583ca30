package kvtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
)

func (s *suite) testContext(t *testing.T) {
	t.Run("Canceled", s.testContextCanceled)
	t.Run("DeadlineExceeded", s.testContextDeadlineExceeded)
}

// testContextCanceled calls every operation with a context that is already
// cancelled: each must return context.Canceled and change nothing.
func (s *suite) testContextCanceled(t *testing.T) {
	f := s.open(t)

	present := f.key("present")
	absent := f.key("absent")
	f.put(present, []byte("v0"))

	ctx, cancel := context.WithCancel(f.ctx)
	cancel()

	wantCanceled := func(op string, err error) {
		t.Helper()

		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context = %v, want an error matching context.Canceled", op, err)
		}
	}

	_, err := f.store.Get(ctx, present)
	wantCanceled("Get", err)
	wantCanceled("Put", f.store.Put(ctx, absent, []byte("new")))
	wantCanceled("Put", f.store.Put(ctx, present, []byte("new")))
	wantCanceled("Delete", f.store.Delete(ctx, present))

	if ts, ok := f.store.(kv.TTLStore); ok {
		wantCanceled("PutTTL", ts.PutTTL(ctx, absent, []byte("new"), longTTL))
		wantCanceled("PutTTL", ts.PutTTL(ctx, present, []byte("new"), longTTL))
	}

	if l, ok := f.store.(kv.Lister); ok {
		_, err := listKeys(ctx, l, f.prefix)
		wantCanceled("Keys", err)
	}

	if a, ok := f.store.(kv.AtomicStore); ok {
		_, err := a.PutIfAbsent(ctx, absent, []byte("new"))
		wantCanceled("PutIfAbsent", err)

		_, err = a.PutIfAbsentTTL(ctx, absent, []byte("new"), longTTL)
		wantCanceled("PutIfAbsentTTL", err)

		_, err = a.CompareAndSwap(ctx, present, []byte("v0"), []byte("new"))
		wantCanceled("CompareAndSwap", err)

		_, err = a.CompareAndSwapTTL(ctx, present, []byte("v0"), []byte("new"), longTTL)
		wantCanceled("CompareAndSwapTTL", err)
	}

	if b, ok := f.store.(kv.BatchGetter); ok {
		_, err := b.GetMany(ctx, []string{present, absent})
		wantCanceled("GetMany", err)
	}

	if r, ok := f.store.(kv.Reclaimer); ok {
		_, err := r.Reclaim(ctx)
		wantCanceled("Reclaim", err)
	}

	f.wantValue(present, []byte("v0"))
	f.wantAbsent(absent)
}

// testContextDeadlineExceeded checks that a context past its deadline
// returns context.DeadlineExceeded and changes nothing.
func (s *suite) testContextDeadlineExceeded(t *testing.T) {
	f := s.open(t)

	key := f.key("deadline")

	ctx, cancel := context.WithDeadline(f.ctx, time.Now().Add(-time.Second))
	defer cancel()

	err := f.store.Put(ctx, key, []byte("new"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Put with an expired deadline = %v, want an error matching context.DeadlineExceeded", err)
	}

	_, err = f.store.Get(ctx, key)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get with an expired deadline = %v, want an error matching context.DeadlineExceeded", err)
	}

	f.wantAbsent(key)
}
