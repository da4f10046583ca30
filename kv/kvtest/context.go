package kvtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
)

// NOTE: The suite does not check that cancelling a context during a call
// makes the call return promptly, because no store offers a call that is
// reliably slow enough to cancel.
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

	for _, op := range f.operations([]byte("v0")) {
		for _, key := range []string{present, absent} {
			if err := op.call(ctx, key); !errors.Is(err, context.Canceled) {
				t.Errorf("%s %s with a cancelled context = %v, want an error matching context.Canceled", op.name, kv.QuoteKey(key), err)
			}
		}
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
