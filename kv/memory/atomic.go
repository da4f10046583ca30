package memory

import (
	"bytes"
	"context"
	"time"

	"github.com/anykv/anykv/kv"
)

// PutIfAbsent stores a copy of value under key only when the key is absent
// or expired, and reports whether it stored. The stored entry has no TTL.
func (s *Store) PutIfAbsent(ctx context.Context, key string, value []byte) (stored bool, err error) {
	if err := checkCall(ctx, key); err != nil {
		return false, err
	}

	return s.putIfAbsent(key, value, 0)
}

// PutIfAbsentTTL is PutIfAbsent for an entry that expires after ttl, which
// must be greater than zero.
func (s *Store) PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (stored bool, err error) {
	if err := checkCall(ctx, key); err != nil {
		return false, err
	}

	if err := s.validateTTL(key, ttl); err != nil {
		return false, err
	}

	return s.putIfAbsent(key, value, ttl)
}

// putIfAbsent implements both PutIfAbsent variants for a valid key. A ttl
// of 0 means no TTL.
func (s *Store) putIfAbsent(key string, value []byte, ttl time.Duration) (bool, error) {
	value = clone(value)

	s.mu.Lock()
	defer s.mu.Unlock()

	if s.closed {
		return false, &keyError{op: "put-if-absent", key: key, err: kv.ErrClosed}
	}

	if _, live := s.liveLocked(key); live {
		return false, nil
	}

	s.setLocked(key, value, s.deadlineFor(ttl))

	return true, nil
}

// CompareAndSwap replaces the value under key with a copy of newValue only
// when the current value equals oldValue byte for byte, and reports whether
// it swapped. A nil and an empty oldValue are equal. The swapped entry has
// no TTL. An absent or expired key yields false and an error matching
// kv.ErrNotFound.
func (s *Store) CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (swapped bool, err error) {
	if err := checkCall(ctx, key); err != nil {
		return false, err
	}

	return s.compareAndSwap(key, oldValue, newValue, 0)
}

// CompareAndSwapTTL is CompareAndSwap that gives the swapped entry a TTL,
// which must be greater than zero.
func (s *Store) CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (swapped bool, err error) {
	if err := checkCall(ctx, key); err != nil {
		return false, err
	}

	if err := s.validateTTL(key, ttl); err != nil {
		return false, err
	}

	return s.compareAndSwap(key, oldValue, newValue, ttl)
}

// compareAndSwap implements both CompareAndSwap variants for a valid key.
// A ttl of 0 means no TTL.
func (s *Store) compareAndSwap(key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	newValue = clone(newValue)

	s.mu.Lock()
	defer s.mu.Unlock()

	if s.closed {
		return false, &keyError{op: "compare-and-swap", key: key, err: kv.ErrClosed}
	}

	current, live := s.liveLocked(key)
	if !live {
		return false, &keyError{op: "compare-and-swap", key: key, err: kv.ErrNotFound}
	}

	if !bytes.Equal(current.value, oldValue) {
		return false, nil
	}

	s.setLocked(key, newValue, s.deadlineFor(ttl))

	return true, nil
}

// deadlineFor returns 0 (no TTL) for ttl 0, and otherwise the deadline of
// an entry written now with ttl. The caller holds s.mu for writing, so
// that time spent waiting for the lock does not shorten the TTL.
func (s *Store) deadlineFor(ttl time.Duration) int64 {
	if ttl == 0 {
		return 0
	}

	return s.deadlineAfter(ttl)
}
