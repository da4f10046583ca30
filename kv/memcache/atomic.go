package memcache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/anykv/anykv/kv"
	gomemcache "github.com/bradfitz/gomemcache/memcache"
)

// PutIfAbsent stores value under key, without expiry, only when key is
// absent, expired or evicted, and reports whether it stored. It uses
// memcached's add command.
func (s *Store) PutIfAbsent(ctx context.Context, key string, value []byte) (bool, error) {
	return s.add(ctx, "put-if-absent", key, value, 0)
}

// PutIfAbsentTTL is PutIfAbsent with a TTL, which must be greater than
// zero and is rounded as PutTTL rounds it.
func (s *Store) PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	expiry, err := expiration(ttl, time.Now())
	if err != nil {
		return false, fmt.Errorf("memcache: put-if-absent with TTL on key %s: %w", kv.QuoteKey(key), err)
	}

	return s.add(ctx, "put-if-absent with TTL", key, value, expiry)
}

func (s *Store) add(ctx context.Context, op, key string, value []byte, expiry int32) (bool, error) {
	item, err := s.newItem(ctx, op, key, value, expiry)
	if err != nil {
		return false, err
	}

	err = s.do(ctx, func(client *gomemcache.Client) error {
		return client.Add(item)
	})
	if errors.Is(err, gomemcache.ErrNotStored) {
		return false, nil
	}

	if err != nil {
		return false, keyError(op, key, err)
	}

	return true, nil
}

// CompareAndSwap replaces the value under key with newValue, without
// expiry, only when the current value equals oldValue, and reports whether
// it swapped. An absent, expired or evicted key yields false and an error
// matching kv.ErrNotFound.
//
// It reads the value and its CAS id with gets, compares in the client, and
// writes with cas. A write by anyone between the two changes the CAS id, so
// the server rejects the swap and CompareAndSwap returns false.
func (s *Store) CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (bool, error) {
	return s.compareAndSwap(ctx, "compare-and-swap", key, oldValue, newValue, 0)
}

// CompareAndSwapTTL is CompareAndSwap that gives the swapped entry a TTL,
// which must be greater than zero and is rounded as PutTTL rounds it.
func (s *Store) CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	expiry, err := expiration(ttl, time.Now())
	if err != nil {
		return false, fmt.Errorf("memcache: compare-and-swap with TTL on key %s: %w", kv.QuoteKey(key), err)
	}

	return s.compareAndSwap(ctx, "compare-and-swap with TTL", key, oldValue, newValue, expiry)
}

func (s *Store) compareAndSwap(ctx context.Context, op, key string, oldValue, newValue []byte, expiry int32) (bool, error) {
	item, err := s.newItem(ctx, op, key, newValue, expiry)
	if err != nil {
		return false, err
	}

	if ctx.Done() != nil {
		oldValue = bytes.Clone(oldValue)
	}

	swapped := false

	err = s.do(ctx, func(client *gomemcache.Client) error {
		current, err := client.Get(item.Key)
		if err != nil {
			return err
		}

		if !bytes.Equal(current.Value, oldValue) {
			return nil
		}

		// Skip the write when the caller gave up after the read, so that a
		// cancelled swap lands only if its write had already started.
		if err := ctx.Err(); err != nil {
			return err
		}

		item.CasID = current.CasID
		item.Flags = current.Flags

		err = client.CompareAndSwap(item)
		if errors.Is(err, gomemcache.ErrCASConflict) {
			return nil
		}

		if err != nil {
			return err
		}

		swapped = true

		return nil
	})

	switch {
	case err == nil:
		return swapped, nil
	case errors.Is(err, gomemcache.ErrNotStored), errors.Is(err, gomemcache.ErrCacheMiss):
		// The key was absent at the read, or expired or was deleted or
		// evicted between the read and the write.
		return false, keyError(op, key, gomemcache.ErrCacheMiss)
	default:
		return false, keyError(op, key, err)
	}
}
