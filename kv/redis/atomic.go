package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/kv"
)

// compareAndSwapScript swaps the value of KEYS[1] from ARGV[1] to ARGV[2]
// and returns 1, returns 0 when the value differs, and -1 when the key is
// absent. With ARGV[3] the new entry expires after that many milliseconds;
// without it the plain SET removes any TTL. The key goes in KEYS, so that
// a Cluster routes the script to the key's master and checks its slot.
var compareAndSwapScript = goredis.NewScript(`
local current = redis.call('GET', KEYS[1])
if not current then
	return -1
end
if current ~= ARGV[1] then
	return 0
end
if ARGV[3] then
	redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
	redis.call('SET', KEYS[1], ARGV[2])
end
return 1
`)

// PutIfAbsent stores value under key with SET NX, only when key is absent
// or expired, and reports whether it stored.
func (s *Store) PutIfAbsent(ctx context.Context, key string, value []byte) (bool, error) {
	if err := s.beginWrite(ctx, "put-if-absent", key, value); err != nil {
		return false, err
	}

	return s.setNX(ctx, key, "set", s.serverKey(key), value, "nx")
}

// PutIfAbsentTTL is PutIfAbsent with a TTL, padded and rounded up to whole
// milliseconds as in PutTTL, and sent in the same SET command.
func (s *Store) PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := s.beginWrite(ctx, "put-if-absent", key, value); err != nil {
		return false, err
	}

	if err := validateTTL(ttl); err != nil {
		return false, fmt.Errorf("redis: put-if-absent %s: %w", kv.QuoteKey(key), err)
	}

	return s.setNX(ctx, key, "set", s.serverKey(key), value, "nx", "px", pxMilliseconds(ttl))
}

// setNX sends a SET NX command, whose nil reply means the key existed.
func (s *Store) setNX(ctx context.Context, key string, args ...any) (bool, error) {
	err := run(ctx, func() error {
		return s.client.Do(ctx, args...).Err()
	})

	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, goredis.Nil):
		return false, nil
	default:
		return false, s.wrapError("put-if-absent", key, err)
	}
}

// CompareAndSwap replaces the value under key with newValue when the
// current value equals oldValue, in one server-side script. The swapped
// entry has no TTL.
func (s *Store) CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (bool, error) {
	if err := s.beginCompareAndSwap(ctx, key, oldValue, newValue); err != nil {
		return false, err
	}

	return s.compareAndSwap(ctx, key, oldValue, newValue)
}

// CompareAndSwapTTL is CompareAndSwap that gives the swapped entry a TTL,
// padded and rounded up to whole milliseconds as in PutTTL.
func (s *Store) CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	if err := s.beginCompareAndSwap(ctx, key, oldValue, newValue); err != nil {
		return false, err
	}

	if err := validateTTL(ttl); err != nil {
		return false, fmt.Errorf("redis: compare-and-swap %s: %w", kv.QuoteKey(key), err)
	}

	return s.compareAndSwap(ctx, key, oldValue, newValue, pxMilliseconds(ttl))
}

// beginCompareAndSwap checks the store, ctx, key and both values. The old
// value is sent to the server too, so it has the same size limit.
//
// NOTE: the server also caps a whole request at client-query-buffer-limit
// (1 GB by default), so two values near 512 MiB each fail with a
// connection error rather than kv.ErrValueTooLarge.
func (s *Store) beginCompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) error {
	if err := s.beginWrite(ctx, "compare-and-swap", key, newValue); err != nil {
		return err
	}

	return s.checkSize("compare-and-swap", key, oldValue)
}

// compareAndSwap runs compareAndSwapScript, by EVALSHA first and EVAL when
// the server does not have the script cached.
func (s *Store) compareAndSwap(ctx context.Context, key string, oldValue, newValue []byte, ttlArg ...any) (bool, error) {
	args := append([]any{oldValue, newValue}, ttlArg...)

	var result int64
	err := run(ctx, func() error {
		var err error
		result, err = compareAndSwapScript.Run(ctx, s.client, []string{s.serverKey(key)}, args...).Int64()
		return err
	})
	if err != nil {
		return false, s.wrapError("compare-and-swap", key, err)
	}

	switch result {
	case 1:
		return true, nil
	case 0:
		return false, nil
	default:
		return false, fmt.Errorf("redis: compare-and-swap %s: %w", kv.QuoteKey(key), kv.ErrNotFound)
	}
}
