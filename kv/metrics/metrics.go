// Package metrics wraps a kv.Store to report each operation's outcome and
// latency to an Observer.
//
// The wrapper times every call and then calls Observer.Observe with the
// operation, the elapsed time and the error the caller gets. Keys is timed
// from the start of the iteration until it ends, so the time includes the
// caller's loop body. Counter is a ready Observer that keeps counts and
// latencies in memory. To export to a metrics system, implement Observer
// with that system's client. This package depends on nothing but kv.
//
// The wrapper exposes exactly the optional capabilities of the inner store.
// Close marks only the wrapper closed and leaves the inner store open, for
// the caller to close. The wrapper is safe for concurrent use when the
// inner store and the Observer are.
package metrics

import (
	"context"
	"iter"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/wrap"
)

// Op names a store operation.
type Op string

// The operations the wrapper observes, one for each method of kv.Store and
// of its optional interfaces except Close.
const (
	OpGet               Op = "get"
	OpPut               Op = "put"
	OpDelete            Op = "delete"
	OpPutTTL            Op = "put_ttl"
	OpKeys              Op = "keys"
	OpPutIfAbsent       Op = "put_if_absent"
	OpPutIfAbsentTTL    Op = "put_if_absent_ttl"
	OpCompareAndSwap    Op = "compare_and_swap"
	OpCompareAndSwapTTL Op = "compare_and_swap_ttl"
	OpGetMany           Op = "get_many"
	OpReclaim           Op = "reclaim"
)

// Observer receives one call for each completed store operation. err is
// what the operation returned to its caller: nil, an error matching
// kv.ErrNotFound for a missing key, or a failure. Observe runs on the
// caller's goroutine, after the operation, so it should be quick. It must
// be safe for concurrent use.
type Observer interface {
	Observe(op Op, d time.Duration, err error)
}

// ObserverFunc adapts a function to the Observer interface.
type ObserverFunc func(op Op, d time.Duration, err error)

// Observe calls f.
func (f ObserverFunc) Observe(op Op, d time.Duration, err error) { f(op, d, err) }

// store times every call to the inner store.
type store struct {
	wrap.Forward
	observer Observer
}

// New returns inner with every operation reported to observer. It panics
// if inner or observer is nil.
func New(inner kv.Store, observer Observer) kv.Wrapper {
	if observer == nil {
		panic("metrics: New called with a nil Observer")
	}

	return wrap.New(inner, &store{Forward: wrap.Forward{Inner: inner}, observer: observer})
}

func (s *store) observe(op Op, start time.Time, err error) {
	s.observer.Observe(op, time.Since(start), err)
}

func (s *store) Get(ctx context.Context, key string) ([]byte, error) {
	start := time.Now()
	value, err := s.Forward.Get(ctx, key)
	s.observe(OpGet, start, err)

	return value, err
}

func (s *store) Put(ctx context.Context, key string, value []byte) error {
	start := time.Now()
	err := s.Forward.Put(ctx, key, value)
	s.observe(OpPut, start, err)

	return err
}

func (s *store) Delete(ctx context.Context, key string) error {
	start := time.Now()
	err := s.Forward.Delete(ctx, key)
	s.observe(OpDelete, start, err)

	return err
}

func (s *store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	start := time.Now()
	err := s.Forward.PutTTL(ctx, key, value, ttl)
	s.observe(OpPutTTL, start, err)

	return err
}

func (s *store) PutIfAbsent(ctx context.Context, key string, value []byte) (bool, error) {
	start := time.Now()
	stored, err := s.Forward.PutIfAbsent(ctx, key, value)
	s.observe(OpPutIfAbsent, start, err)

	return stored, err
}

func (s *store) PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	start := time.Now()
	stored, err := s.Forward.PutIfAbsentTTL(ctx, key, value, ttl)
	s.observe(OpPutIfAbsentTTL, start, err)

	return stored, err
}

func (s *store) CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (bool, error) {
	start := time.Now()
	swapped, err := s.Forward.CompareAndSwap(ctx, key, oldValue, newValue)
	s.observe(OpCompareAndSwap, start, err)

	return swapped, err
}

func (s *store) CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	start := time.Now()
	swapped, err := s.Forward.CompareAndSwapTTL(ctx, key, oldValue, newValue, ttl)
	s.observe(OpCompareAndSwapTTL, start, err)

	return swapped, err
}

func (s *store) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	start := time.Now()
	values, err := s.Forward.GetMany(ctx, keys)
	s.observe(OpGetMany, start, err)

	return values, err
}

func (s *store) Reclaim(ctx context.Context) (int, error) {
	start := time.Now()
	removed, err := s.Forward.Reclaim(ctx)
	s.observe(OpReclaim, start, err)

	return removed, err
}

// Keys observes one OpKeys when the iteration ends, with the error it
// yielded, if any. A loop that breaks early counts as a success.
func (s *store) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		start := time.Now()

		var failure error
		for key, err := range s.Forward.Keys(ctx, prefix) {
			if err != nil {
				failure = err
			}

			if !yield(key, err) {
				break
			}
		}

		s.observe(OpKeys, start, failure)
	}
}
