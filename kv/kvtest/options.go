package kvtest

import (
	"time"

	"github.com/anykv/anykv/kv"
)

// Options describes the limits of the store under test. The zero value
// suits a store that keeps TTLs to the millisecond, has no value limit and
// accepts every valid key.
type Options struct {
	// TTLGranularity is how late an expired entry may still be readable.
	// The suite waits that much longer, plus slack for a loaded machine,
	// before it reports an entry that never expired. Its TTLs are at least
	// this long. Default: 50ms. A memcached backend, whose clock counts
	// whole seconds, sets 2s.
	TTLGranularity time.Duration

	// MaxValueSize is the largest value in bytes the store accepts, or 0
	// when it has no limit of its own. When set, the suite checks that a
	// value of exactly this size is stored and that one byte more fails
	// with kv.ErrValueTooLarge and leaves the old value intact. Default: 0.
	MaxValueSize int

	// MaxKeyLen is the longest key in bytes the store accepts. A wrapper
	// that adds a prefix to every key can accept only shorter keys than
	// the store it wraps, and sets this to say so. Default: kv.MaxKeyLen
	// (250).
	MaxKeyLen int

	// WideKeys is set for a store that accepts keys beyond the kv key rule,
	// such as an encoding wrapper that maps any string to a valid key. The
	// suite then checks that keys with spaces, control bytes or non-ASCII
	// bytes are stored as keys of their own instead of rejected. Empty and
	// too long keys must fail with kv.ErrInvalidKey all the same. Default:
	// false.
	WideKeys bool
}

// minKeyLen is the shortest MaxKeyLen the suite works with: its random
// prefix of 24 bytes and the longest key name it uses, with room to spare.
const minKeyLen = 48

// defaultTTLGranularity suits stores that expire entries to the millisecond.
const defaultTTLGranularity = 50 * time.Millisecond

func (o Options) withDefaults() Options {
	if o.TTLGranularity <= 0 {
		o.TTLGranularity = defaultTTLGranularity
	}

	if o.MaxKeyLen <= 0 || o.MaxKeyLen > kv.MaxKeyLen {
		o.MaxKeyLen = kv.MaxKeyLen
	}

	return o
}

// ttl returns the TTL the suite gives expiring entries: short, so that the
// suite runs fast, but never shorter than the granularity.
func (o Options) ttl() time.Duration {
	return max(minTTL, o.TTLGranularity)
}

// pastExpiry returns a time by which an entry put with ttl at putDone would
// surely be gone, so that a read then proves the entry lost its TTL.
func (o Options) pastExpiry(putDone time.Time, ttl time.Duration) time.Time {
	return putDone.Add(ttl + o.TTLGranularity + ttl/4)
}

// minTTL keeps expiry checks meaningful on a loaded machine, where a single
// call can take tens of milliseconds.
const minTTL = 200 * time.Millisecond

// expirySlack is how much later than TTL plus granularity the suite still
// waits for an entry to expire before it fails, so that a slow CI machine
// does not fail a correct store.
const expirySlack = 5 * time.Second

// hangTimeout is how long one call that may deadlock (a listing that
// deletes keys, say) may take before the suite reports a hang. kvtest's
// own tests shorten it.
var hangTimeout = 30 * time.Second
