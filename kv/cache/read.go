package cache

import (
	"context"
	"errors"
	"time"

	"github.com/anykv/anykv/kv"
)

// ticket is a read's snapshot of its key's state, taken before the read
// looks at the fast store. The read must pass it to finish.
type ticket struct {
	key   string
	gen   uint64
	dirty bool
}

// begin registers a read of key and returns its snapshot.
func (c *cache) begin(key string) ticket {
	sh, st := c.keys.lock(key)
	defer sh.unlock(key, st)

	st.readers++

	return ticket{key: key, gen: st.gen, dirty: st.dirty}
}

// readFast returns the fast store's fresh copy for t's key. On a miss it
// returns the key's expiry when the fast store has recorded one, or the
// zero time.
func (c *cache) readFast(ctx context.Context, t ticket) (value []byte, hit bool, expiry time.Time) {
	if t.dirty {
		c.repair(ctx, t)
		return nil, false, time.Time{}
	}

	b, err := c.fast.Get(ctx, t.key)
	if err != nil {
		if !errors.Is(err, kv.ErrNotFound) && ctx.Err() == nil {
			c.log.failed("get", t.key, err)
		}

		return nil, false, time.Time{}
	}

	e, ok := decodeEntry(b)
	if !ok {
		return nil, false, time.Time{}
	}

	now := time.Now()
	expired := !e.expiry.IsZero() && !now.Before(e.expiry)
	if e.kind == kindCopy && now.Before(e.freshUntil) && !expired {
		return e.value, true, e.expiry
	}

	return nil, false, e.expiry
}

// repair retries the invalidation of a dirty key, and clears the mark when
// it succeeds and no write has started since t was taken.
func (c *cache) repair(ctx context.Context, t ticket) {
	err := c.fast.Delete(context.WithoutCancel(ctx), t.key)
	if err != nil {
		c.log.failed("delete", t.key, err)
		return
	}

	sh, st := c.keys.lock(t.key)
	defer sh.unlock(t.key, st)

	if st.gen == t.gen && st.writers == 0 {
		st.dirty = false
	}
}

// finish ends the read registered by begin. When found is set, it keeps a
// copy of value in the fast store, unless a write to the key started or
// ran since the snapshot, or the key is dirty.
//
// NOTE: after a repair, the expiry recorded by an earlier TTL write is
// gone, so that key's copies follow the MaxStaleness bound.
func (c *cache) finish(ctx context.Context, t ticket, value []byte, found bool, expiry time.Time) {
	sh, st := c.keys.lock(t.key)
	defer sh.unlock(t.key, st)

	st.readers--

	if !found || st.gen != t.gen || st.writers > 0 || st.dirty {
		return
	}

	now := time.Now()
	freshUntil := now.Add(c.maxStaleness)
	ttl := c.maxStaleness

	if !expiry.IsZero() {
		if !now.Before(expiry) {
			return
		}

		// Serve the copy no longer than MaxStaleness or the expiry, but
		// keep the entry, and so the recorded expiry, for MaxStaleness
		// past the expiry. A slow store may still return the value a
		// little after the expiry (its TTL granularity), and without the
		// record that late value would be cached as if it had no TTL.
		freshUntil = minTime(freshUntil, expiry)
		ttl = expiry.Sub(now) + c.maxStaleness
	}

	b := encodeEntry(entry{kind: kindCopy, freshUntil: freshUntil, expiry: expiry, value: value})

	err := c.fast.PutTTL(context.WithoutCancel(ctx), t.key, b, ttl)
	if err != nil {
		c.log.failed("put", t.key, err)

		// A value the fast store rejects was not stored. Any other failure
		// may have stored it partially, so stop trusting the fast store.
		if !errors.Is(err, kv.ErrValueTooLarge) && !errors.Is(err, kv.ErrInvalidTTL) {
			st.dirty = true
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}

	return b
}

func (c *cache) Get(ctx context.Context, key string) ([]byte, error) {
	if err := kv.ValidateKey(key); err != nil {
		return nil, err
	}

	if err := c.Check(ctx); err != nil {
		return nil, err
	}

	t := c.begin(key)

	value, hit, expiry := c.readFast(ctx, t)
	if hit {
		c.finish(ctx, t, nil, false, expiry)
		return value, nil
	}

	value, err := c.Inner.Get(ctx, key)
	c.finish(ctx, t, value, err == nil, expiry)

	return value, err
}

// GetMany serves the keys that have fresh copies from the fast store, and
// reads the others from the slow store in one call.
func (c *cache) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	for _, key := range keys {
		if err := kv.ValidateKey(key); err != nil {
			return nil, err
		}
	}

	if err := c.Check(ctx); err != nil {
		return nil, err
	}

	values := make([][]byte, len(keys))

	var (
		misses   []int
		tickets  []ticket
		expiries []time.Time
		missKeys []string
	)

	for i, key := range keys {
		t := c.begin(key)

		value, hit, expiry := c.readFast(ctx, t)
		if hit {
			values[i] = value
			c.finish(ctx, t, nil, false, expiry)

			continue
		}

		misses = append(misses, i)
		tickets = append(tickets, t)
		expiries = append(expiries, expiry)
		missKeys = append(missKeys, key)
	}

	if len(misses) == 0 {
		return values, nil
	}

	slowValues, err := c.Inner.(kv.BatchGetter).GetMany(ctx, missKeys)

	for j, i := range misses {
		found := err == nil && slowValues[j] != nil
		if found {
			values[i] = slowValues[j]
		}

		c.finish(ctx, tickets[j], values[i], found, expiries[j])
	}

	if err != nil {
		return nil, err
	}

	return values, nil
}
