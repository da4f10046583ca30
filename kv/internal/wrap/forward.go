package wrap

import (
	"context"
	"iter"
	"sync/atomic"
	"time"

	"github.com/anykv/anykv/kv"
)

// Forward implements Full by passing every call to Inner, after checking
// that the wrapper is open. Wrappers embed it and override the methods they
// change.
//
// Close marks only the wrapper closed and leaves Inner open, because the
// caller built Inner and may share it. Later calls through the wrapper
// return kv.ErrClosed. The optional methods assert the capability on Inner,
// which New guarantees when it exposes them.
type Forward struct {
	Inner  kv.Store
	closed atomic.Bool
}

// Unwrap returns the wrapped store.
func (f *Forward) Unwrap() kv.Store { return f.Inner }

// Close marks the wrapper closed. It is safe to call more than once and
// never closes Inner.
func (f *Forward) Close() error {
	f.closed.Store(true)

	return nil
}

// Check returns kv.ErrClosed after Close, otherwise the context's error.
func (f *Forward) Check(ctx context.Context) error {
	if f.closed.Load() {
		return kv.ErrClosed
	}

	return ctx.Err()
}

// Get passes the call to Inner.
func (f *Forward) Get(ctx context.Context, key string) ([]byte, error) {
	if err := f.Check(ctx); err != nil {
		return nil, err
	}

	return f.Inner.Get(ctx, key)
}

// Put passes the call to Inner.
func (f *Forward) Put(ctx context.Context, key string, value []byte) error {
	if err := f.Check(ctx); err != nil {
		return err
	}

	return f.Inner.Put(ctx, key, value)
}

// Delete passes the call to Inner.
func (f *Forward) Delete(ctx context.Context, key string) error {
	if err := f.Check(ctx); err != nil {
		return err
	}

	return f.Inner.Delete(ctx, key)
}

// PutTTL passes the call to Inner.
func (f *Forward) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := f.Check(ctx); err != nil {
		return err
	}

	return f.Inner.(kv.TTLStore).PutTTL(ctx, key, value, ttl)
}

// Keys passes the call to Inner. It checks for Close when the iteration
// starts and before each key, not only when Keys is called, because a
// caller may build the iterator before closing the wrapper and range over
// it after.
func (f *Forward) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := f.Check(ctx); err != nil {
			yield("", err)
			return
		}

		for key, err := range f.Inner.(kv.Lister).Keys(ctx, prefix) {
			if err == nil && f.closed.Load() {
				err = kv.ErrClosed
			}

			if !yield(key, err) || err != nil {
				return
			}
		}
	}
}

// PutIfAbsent passes the call to Inner.
func (f *Forward) PutIfAbsent(ctx context.Context, key string, value []byte) (bool, error) {
	if err := f.Check(ctx); err != nil {
		return false, err
	}

	return f.Inner.(kv.AtomicStore).PutIfAbsent(ctx, key, value)
}

// PutIfAbsentTTL passes the call to Inner.
func (f *Forward) PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := f.Check(ctx); err != nil {
		return false, err
	}

	return f.Inner.(kv.AtomicStore).PutIfAbsentTTL(ctx, key, value, ttl)
}

// CompareAndSwap passes the call to Inner.
func (f *Forward) CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (bool, error) {
	if err := f.Check(ctx); err != nil {
		return false, err
	}

	return f.Inner.(kv.AtomicStore).CompareAndSwap(ctx, key, oldValue, newValue)
}

// CompareAndSwapTTL passes the call to Inner.
func (f *Forward) CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	if err := f.Check(ctx); err != nil {
		return false, err
	}

	return f.Inner.(kv.AtomicStore).CompareAndSwapTTL(ctx, key, oldValue, newValue, ttl)
}

// GetMany passes the call to Inner.
func (f *Forward) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	if err := f.Check(ctx); err != nil {
		return nil, err
	}

	return f.Inner.(kv.BatchGetter).GetMany(ctx, keys)
}

// Reclaim passes the call to Inner.
func (f *Forward) Reclaim(ctx context.Context) (int, error) {
	if err := f.Check(ctx); err != nil {
		return 0, err
	}

	return f.Inner.(kv.Reclaimer).Reclaim(ctx)
}

// ErrorSeq returns an iterator that yields err once, the way a Lister
// reports a failure.
func ErrorSeq(err error) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		yield("", err)
	}
}
