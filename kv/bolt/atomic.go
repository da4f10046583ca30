package bolt

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/anykv/anykv/kv"
)

// PutIfAbsent stores value under key only when key is absent or expired,
// and reports whether it stored. The check and the write happen in one
// write transaction, so among concurrent callers exactly one stores.
func (s *Store) PutIfAbsent(ctx context.Context, key string, value []byte) (bool, error) {
	called := time.Now()

	if err := s.checkPut(ctx, key, value); err != nil {
		return false, err
	}

	return s.putIfAbsent(ctx, called, key, value, 0)
}

// PutIfAbsentTTL is PutIfAbsent with a TTL, which must be greater than
// zero.
func (s *Store) PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	called := time.Now()

	if err := s.checkPut(ctx, key, value); err != nil {
		return false, err
	}

	if err := validateTTL(ttl); err != nil {
		return false, err
	}

	return s.putIfAbsent(ctx, called, key, value, ttl)
}

// putIfAbsent stores value under key when no entry is live at called, the
// time the caller's call began. A ttl of 0 means no TTL.
func (s *Store) putIfAbsent(ctx context.Context, called time.Time, key string, value []byte, ttl time.Duration) (bool, error) {
	buf := newEntryBuffer(value, ttl > 0)

	var stored bool

	err := s.write(ctx, ttl > 0, func(b buckets, now time.Time) error {
		stored = false

		_, live, err := b.lookup([]byte(key), s.cutoff(called))
		if err != nil || live {
			return err
		}

		if err := b.store([]byte(key), buf, expiryFor(now, ttl)); err != nil {
			return err
		}

		stored = true

		return nil
	})
	if err != nil {
		return false, err
	}

	return stored, nil
}

// CompareAndSwap replaces the value under key with newValue only when the
// current value equals oldValue byte for byte, and reports whether it
// swapped. The swapped entry has no TTL. An absent or expired key yields
// false and an error matching kv.ErrNotFound.
func (s *Store) CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (bool, error) {
	called := time.Now()

	if err := s.checkPut(ctx, key, newValue); err != nil {
		return false, err
	}

	return s.compareAndSwap(ctx, called, key, oldValue, newValue, 0)
}

// CompareAndSwapTTL is CompareAndSwap that gives the swapped entry a TTL,
// which must be greater than zero.
func (s *Store) CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	called := time.Now()

	if err := s.checkPut(ctx, key, newValue); err != nil {
		return false, err
	}

	if err := validateTTL(ttl); err != nil {
		return false, err
	}

	return s.compareAndSwap(ctx, called, key, oldValue, newValue, ttl)
}

// compareAndSwap swaps in one write transaction when the entry live at
// called, the time the caller's call began, holds oldValue. A ttl of 0
// means no TTL.
func (s *Store) compareAndSwap(ctx context.Context, called time.Time, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	buf := newEntryBuffer(newValue, ttl > 0)

	var swapped, found bool

	err := s.write(ctx, ttl > 0, func(b buckets, now time.Time) error {
		swapped, found = false, false

		current, live, err := b.lookup([]byte(key), s.cutoff(called))
		if err != nil || !live {
			return err
		}

		found = true
		if !bytes.Equal(current.value, oldValue) {
			return nil
		}

		if err := b.store([]byte(key), buf, expiryFor(now, ttl)); err != nil {
			return err
		}

		swapped = true

		return nil
	})
	if err != nil {
		return false, err
	}

	if !found {
		return false, fmt.Errorf("compare-and-swap key %s: %w", kv.QuoteKey(key), kv.ErrNotFound)
	}

	return swapped, nil
}
