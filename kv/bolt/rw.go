package bolt

import (
	"context"
	"fmt"
	"time"

	"github.com/anykv/anykv/kv"
)

// Get returns a copy of the value under key. An absent key, or one whose
// TTL has passed but which the reclaimer has not removed yet, yields an
// error matching kv.ErrNotFound. Get never writes.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	// Read the clock first: an entry is live for a Get that starts before
	// its TTL has passed, however long the Get waits for the file.
	called := time.Now()

	if err := ctx.Err(); err != nil {
		return nil, err
	}

	if err := kv.ValidateKey(key); err != nil {
		return nil, err
	}

	var value []byte

	err := s.view(func(b buckets) error {
		e, ok, err := b.lookup([]byte(key), s.cutoff(called))
		if err != nil {
			return err
		}

		if !ok {
			return fmt.Errorf("get key %s: %w", kv.QuoteKey(key), kv.ErrNotFound)
		}

		value = cloneValue(e.value)

		return nil
	})
	if err != nil {
		return nil, err
	}

	return value, nil
}

// GetMany returns the values under keys in one read transaction, in the
// order of keys. An absent or expired key gets a nil value. Any invalid key
// fails the call before the file is read.
func (s *Store) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	called := time.Now()

	if err := ctx.Err(); err != nil {
		return nil, err
	}

	for _, key := range keys {
		if err := kv.ValidateKey(key); err != nil {
			return nil, err
		}
	}

	values := make([][]byte, len(keys))

	err := s.view(func(b buckets) error {
		cutoff := s.cutoff(called)

		for i, key := range keys {
			e, ok, err := b.lookup([]byte(key), cutoff)
			if err != nil {
				return err
			}

			if ok {
				values[i] = cloneValue(e.value)
			}
		}

		return nil
	})
	if err != nil {
		return nil, err
	}

	return values, nil
}

// Put stores value under key and removes any TTL the key had. It returns
// once the write is synced to disk.
func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	if err := s.checkPut(ctx, key, value); err != nil {
		return err
	}

	buf := newEntryBuffer(value, false)

	return s.write(ctx, false, func(b buckets, _ time.Time) error {
		return b.store([]byte(key), buf, 0)
	})
}

// PutTTL stores value under key until ttl has passed. The entry stays
// readable through this store for at least ttl after PutTTL returns, and
// expires late by at most the longest commit delay the store has measured.
func (s *Store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.checkPut(ctx, key, value); err != nil {
		return err
	}

	if err := validateTTL(ttl); err != nil {
		return err
	}

	buf := newEntryBuffer(value, true)

	return s.write(ctx, true, func(b buckets, now time.Time) error {
		return b.store([]byte(key), buf, deadline(now, ttl))
	})
}

// Delete removes key. Deleting an absent key succeeds.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}

	if err := kv.ValidateKey(key); err != nil {
		return err
	}

	return s.write(ctx, false, func(b buckets, _ time.Time) error {
		return b.remove([]byte(key))
	})
}

// checkPut runs the checks every put makes before it touches the file.
func (s *Store) checkPut(ctx context.Context, key string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}

	if err := kv.ValidateKey(key); err != nil {
		return err
	}

	return s.checkValue(key, value)
}
