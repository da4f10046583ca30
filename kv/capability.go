package kv

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"
)

// As finds the first store in the chain of s and the stores it wraps (by
// Wrapper.Unwrap) that has type T, in the manner of errors.As. Use it to
// reach a backend's own methods through wrappers. To find a capability, a
// plain type assertion on s is enough, because wrappers expose exactly the
// capabilities of what they wrap. It is also the right test, because
// calling the inner store directly bypasses the wrapper, such as its
// namespace.
func As[T any](s Store) (T, bool) {
	for s != nil {
		if t, ok := s.(T); ok {
			return t, true
		}

		w, ok := s.(Wrapper)
		if !ok {
			break
		}

		s = w.Unwrap()
	}

	var zero T

	return zero, false
}

// PutTTL stores value under key for ttl when s is a TTLStore, and returns
// an error matching ErrUnsupported otherwise.
func PutTTL(ctx context.Context, s Store, key string, value []byte, ttl time.Duration) error {
	ts, ok := s.(TTLStore)
	if !ok {
		return fmt.Errorf("put with TTL on key %s: %w", QuoteKey(key), ErrUnsupported)
	}

	return ts.PutTTL(ctx, key, value, ttl)
}

// Keys yields the keys with prefix when s is a Lister, and otherwise yields
// one error matching ErrUnsupported.
func Keys(ctx context.Context, s Store, prefix string) iter.Seq2[string, error] {
	l, ok := s.(Lister)
	if ok {
		return l.Keys(ctx, prefix)
	}

	return func(yield func(string, error) bool) {
		yield("", fmt.Errorf("list keys with prefix %s: %w", QuoteKey(prefix), ErrUnsupported))
	}
}

// PutIfAbsent calls s.PutIfAbsent when s is an AtomicStore, and returns an
// error matching ErrUnsupported otherwise.
func PutIfAbsent(ctx context.Context, s Store, key string, value []byte) (bool, error) {
	a, ok := s.(AtomicStore)
	if !ok {
		return false, fmt.Errorf("put-if-absent on key %s: %w", QuoteKey(key), ErrUnsupported)
	}

	return a.PutIfAbsent(ctx, key, value)
}

// CompareAndSwap calls s.CompareAndSwap when s is an AtomicStore, and
// returns an error matching ErrUnsupported otherwise.
func CompareAndSwap(ctx context.Context, s Store, key string, oldValue, newValue []byte) (bool, error) {
	a, ok := s.(AtomicStore)
	if !ok {
		return false, fmt.Errorf("compare-and-swap on key %s: %w", QuoteKey(key), ErrUnsupported)
	}

	return a.CompareAndSwap(ctx, key, oldValue, newValue)
}

// GetMany reads keys in one round trip when s is a BatchGetter, and
// otherwise calls Get once for each key. Either way the result follows
// BatchGetter's rules: a nil value for an absent key, and an error for any
// other failure.
func GetMany(ctx context.Context, s Store, keys []string) ([][]byte, error) {
	if b, ok := s.(BatchGetter); ok {
		return b.GetMany(ctx, keys)
	}

	for _, key := range keys {
		if err := ValidateKey(key); err != nil {
			return nil, err
		}
	}

	values := make([][]byte, len(keys))
	for i, key := range keys {
		value, err := s.Get(ctx, key)
		if err != nil && !isNotFound(err) {
			return nil, err
		}

		values[i] = value
	}

	return values, nil
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
