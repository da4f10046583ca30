package cache

import (
	"context"
	"time"

	"github.com/anykv/anykv/kv"
)

// write runs op, a write of key to the slow store, and invalidates the
// fast store's entry for key before it returns when op may have changed
// the key. op reports whether it changed the key, and any error counts as
// a possible change. ttl is the TTL op gave the key, or 0.
//
// A write that set a TTL replaces the entry with a record of the expiry, so
// that later copies are never served after it. The record is skipped when
// another write to the key overlapped this one, because the slow store may
// then hold the other write's value.
func (c *cache) write(ctx context.Context, key string, ttl time.Duration, op func() (changed bool, err error)) error {
	if err := kv.ValidateKey(key); err != nil {
		return err
	}

	if err := c.Check(ctx); err != nil {
		return err
	}

	sh, st := c.keys.lock(key)
	st.gen++
	st.writers++
	start := st.gen
	sh.unlock(key, st)

	changed, err := op()
	done := time.Now()

	sh, st = c.keys.lock(key)
	defer sh.unlock(key, st)

	st.writers--

	if changed || err != nil {
		c.invalidate(ctx, key, st, err == nil && ttl > 0 && st.gen == start && st.writers == 0, done.Add(ttl), ttl)
	}

	st.gen++

	return err
}

// invalidate removes the fast store's entry for key, or replaces it with a
// record of expiry when record is set. On failure it marks the key dirty.
// The caller holds the key's shard lock.
func (c *cache) invalidate(ctx context.Context, key string, st *keyState, record bool, expiry time.Time, ttl time.Duration) {
	ctx = context.WithoutCancel(ctx)

	var err error
	if record && !st.dirty {
		// The record outlives the expiry by MaxStaleness for the reason
		// given in finish.
		err = c.fast.PutTTL(ctx, key, encodeEntry(entry{kind: kindExpiry, expiry: expiry}), ttl+c.maxStaleness)
	} else {
		err = c.fast.Delete(ctx, key)
	}

	if err != nil {
		st.dirty = true
		c.log.failed("invalidate", key, err)
	}
}

func (c *cache) Put(ctx context.Context, key string, value []byte) error {
	return c.write(ctx, key, 0, func() (bool, error) {
		return true, c.Inner.Put(ctx, key, value)
	})
}

func (c *cache) Delete(ctx context.Context, key string) error {
	return c.write(ctx, key, 0, func() (bool, error) {
		return true, c.Inner.Delete(ctx, key)
	})
}

func (c *cache) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := kv.ValidateTTL(ttl); err != nil {
		return err
	}

	return c.write(ctx, key, ttl, func() (bool, error) {
		return true, c.Inner.(kv.TTLStore).PutTTL(ctx, key, value, ttl)
	})
}

// conditional runs a conditional write through write and returns its
// result. A write that reports no change leaves the fast store as it is.
func (c *cache) conditional(ctx context.Context, key string, ttl time.Duration, op func() (bool, error)) (bool, error) {
	var changed bool

	err := c.write(ctx, key, ttl, func() (bool, error) {
		var err error
		changed, err = op()

		return changed, err
	})

	return changed, err
}

func (c *cache) PutIfAbsent(ctx context.Context, key string, value []byte) (bool, error) {
	return c.conditional(ctx, key, 0, func() (bool, error) {
		return c.Inner.(kv.AtomicStore).PutIfAbsent(ctx, key, value)
	})
}

func (c *cache) PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := kv.ValidateTTL(ttl); err != nil {
		return false, err
	}

	return c.conditional(ctx, key, ttl, func() (bool, error) {
		return c.Inner.(kv.AtomicStore).PutIfAbsentTTL(ctx, key, value, ttl)
	})
}

func (c *cache) CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (bool, error) {
	return c.conditional(ctx, key, 0, func() (bool, error) {
		return c.Inner.(kv.AtomicStore).CompareAndSwap(ctx, key, oldValue, newValue)
	})
}

func (c *cache) CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	if err := kv.ValidateTTL(ttl); err != nil {
		return false, err
	}

	return c.conditional(ctx, key, ttl, func() (bool, error) {
		return c.Inner.(kv.AtomicStore).CompareAndSwapTTL(ctx, key, oldValue, newValue, ttl)
	})
}
