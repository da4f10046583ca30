// Package cache puts a fast store (usually kv/memory) in front of a slow
// one (Redis, bbolt, memcached) as a read-through cache.
//
// Get serves a key from the fast store when it has a fresh copy, and
// otherwise reads the slow store and keeps a copy in the fast store. Every
// write goes to the slow store only. Writes and deletes through the cache
// invalidate the key's copy before they return, so a read through the
// cache that starts after a write returned sees that write.
//
// # Staleness
//
// A write made elsewhere (another process, or the slow store used
// directly) is not seen while the cache holds a copy. Options.MaxStaleness
// bounds how long a copy is served: at most that long after it was read
// from the slow store.
//
// Expiry follows the same rule. The cache cannot ask the slow store for a
// key's remaining TTL, so:
//
//   - For an entry written with a TTL through this cache (PutTTL, or a
//     successful PutIfAbsentTTL or CompareAndSwapTTL), the cache records
//     the expiry and never serves a copy after it. Exceptions: when another
//     write to the same key through this cache overlapped it, or when the
//     fast store failed, the expiry is not recorded and the next rule
//     applies.
//   - For an entry that got its TTL elsewhere, a copy may be served up to
//     MaxStaleness after the entry expired in the slow store, as for any
//     change made elsewhere. Choose MaxStaleness with that in mind.
//
// The record of an expiry lives in the fast store until MaxStaleness after
// the expiry, so each key written with a TTL through the cache uses space
// in the fast store until then. In that time the cache does not keep a
// copy of the key, because a slow store may still return the value a
// little after the expiry, within its TTL granularity. A fast store that evicts entries (memcached)
// may drop the record early, which makes later copies of that key follow
// the MaxStaleness bound instead.
//
// # Failures
//
// The cache never turns a failure of the fast store into a wrong answer.
// When a fast-store read fails, Get reads the slow store. When an
// invalidation fails, the key is marked in process memory, and reads of it
// bypass the fast store until a later invalidation succeeds. Fast-store
// failures are logged with log/slog, at most once every 10 seconds with a
// count of the ones not logged. Slow-store failures are returned to the
// caller as they are.
//
// # Capabilities and Close
//
// The cache exposes exactly the optional capabilities of the slow store.
// Listing (kv.Lister) and Reclaim go to the slow store, uncached.
// BatchGetter's GetMany serves what it can from the fast store and reads
// the rest from the slow store in one call. Close marks only the cache
// closed: the caller closes the fast and the slow store. The cache is safe
// for concurrent use.
//
// # The fast store
//
// The fast store is meant to be in process, such as kv/memory. The cache
// calls it while holding a lock shared by about 1/64 of the keys, so a
// slow fast store delays reads and writes of other keys too.
//
// Give each cache its own fast store, or its own namespace in one. Two
// caches that share a fast store's keys can overwrite each other's copies
// and records, and the guarantees above hold only within one cache.
package cache

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/wrap"
)

// DefaultMaxStaleness is the MaxStaleness used when Options.MaxStaleness
// is zero.
const DefaultMaxStaleness = 10 * time.Second

// ErrInvalidOptions means New was given stores or options it cannot use.
var ErrInvalidOptions = errors.New("cache: invalid options")

// Options configure a cache. A nil *Options means all defaults.
type Options struct {
	// MaxStaleness is the maximum time a copy read from the slow store is
	// served from the fast store, and so the maximum delay before the
	// cache sees a write made elsewhere. It must not be negative.
	// Default: DefaultMaxStaleness (10 seconds).
	MaxStaleness time.Duration

	// Logger receives fast-store failures. Default: slog.Default().
	Logger *slog.Logger
}

// cache is the kv.Store that New wraps to match the slow store's
// capabilities.
type cache struct {
	wrap.Forward // Inner is the slow store.

	fast         kv.TTLStore
	maxStaleness time.Duration
	keys         keyStates
	log          failureLog
}

// New returns a read-through cache that keeps copies of slow's values in
// fast. The fast store must not be the slow store. New panics if fast or
// slow is nil.
func New(fast kv.TTLStore, slow kv.Store, opts *Options) (kv.Wrapper, error) {
	if fast == nil || slow == nil {
		panic("cache: New called with a nil store")
	}

	c, err := newCache(fast, slow, opts)
	if err != nil {
		return nil, err
	}

	return wrap.New(slow, c), nil
}

// newCache returns the cache that New wraps.
func newCache(fast kv.TTLStore, slow kv.Store, opts *Options) (*cache, error) {
	var o Options
	if opts != nil {
		o = *opts
	}

	if o.MaxStaleness < 0 {
		return nil, fmt.Errorf("%w: MaxStaleness is %v, it must not be negative", ErrInvalidOptions, o.MaxStaleness)
	}

	if o.MaxStaleness == 0 {
		o.MaxStaleness = DefaultMaxStaleness
	}

	if o.Logger == nil {
		o.Logger = slog.Default()
	}

	if kv.Store(fast) == slow {
		return nil, fmt.Errorf("%w: the fast and the slow store are the same store", ErrInvalidOptions)
	}

	c := &cache{
		Forward:      wrap.Forward{Inner: slow},
		fast:         fast,
		maxStaleness: o.MaxStaleness,
		log:          failureLog{logger: o.Logger},
	}
	c.keys.init()

	return c, nil
}
