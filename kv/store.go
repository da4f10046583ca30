package kv

import (
	"context"
	"iter"
	"time"
)

// Store is the interface every backend implements.
//
// Implementations are safe for concurrent use. Values passed to Put and
// returned by Get are never aliased by the store.
type Store interface {
	// Get returns a copy of the value stored under key. An absent or
	// expired key yields an error matching ErrNotFound. An entry stored
	// with an empty value yields an empty, non-nil slice.
	Get(ctx context.Context, key string) ([]byte, error)

	// Put stores value under key, replacing any previous value and
	// removing any TTL the key had. A nil value stores the empty value.
	Put(ctx context.Context, key string, value []byte) error

	// Delete removes key. Deleting an absent key succeeds.
	Delete(ctx context.Context, key string) error

	// Close releases the store's resources. Later calls return ErrClosed.
	// Calling Close again returns nil and does nothing. A store built on a
	// client the caller passed in leaves that client open.
	Close() error
}

// TTLStore is a Store whose entries can expire.
//
// Without it, callers that need expiry must delete entries themselves;
// jwtrevoke, for one, then removes old records with its Prune method.
type TTLStore interface {
	Store

	// PutTTL stores value under key for ttl, which must be greater than
	// zero. The entry is readable for at least ttl after PutTTL returns,
	// and gone within ttl plus the backend's documented granularity.
	PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// Lister is a Store that can iterate over its keys by prefix.
//
// Without it (memcached, for example), a caller must keep its own index of
// keys, and the Keys helper returns ErrUnsupported.
type Lister interface {
	Store

	// Keys yields each key that starts with prefix; the empty prefix yields
	// every key. A prefix must be empty or a valid key. Each key that is
	// live for the whole iteration is yielded exactly once and expired keys
	// never are. The order is unspecified unless the backend documents one.
	// Deleting keys, the yielded one included, from inside the loop is
	// safe. On failure the iterator yields one non-nil error and stops.
	Keys(ctx context.Context, prefix string) iter.Seq2[string, error]
}

// AtomicStore is a Store with conditional writes. Among concurrent
// conditional writers to one key, exactly one wins, and a losing write
// changes nothing.
//
// Without it, read-modify-write sequences race, so callers that need them
// should return ErrUnsupported rather than emulate them with Get and Put.
type AtomicStore interface {
	Store

	// PutIfAbsent stores value under key only when key is absent or
	// expired, and reports whether it stored.
	PutIfAbsent(ctx context.Context, key string, value []byte) (stored bool, err error)

	// PutIfAbsentTTL is PutIfAbsent with a TTL, which must be greater than
	// zero.
	PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (stored bool, err error)

	// CompareAndSwap replaces the value under key with newValue only when
	// the current value equals oldValue byte for byte, and reports whether
	// it swapped. The swapped entry has no TTL, as after Put. An absent or
	// expired key yields false and an error matching ErrNotFound.
	CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (swapped bool, err error)

	// CompareAndSwapTTL is CompareAndSwap that gives the swapped entry a
	// TTL, which must be greater than zero.
	CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (swapped bool, err error)
}

// BatchGetter is a Store that reads many keys in one round trip where the
// backend allows it.
//
// Without it, the GetMany helper calls Get once for each key.
type BatchGetter interface {
	Store

	// GetMany returns one value for each key, in the order of keys. An
	// absent or expired key gets a nil value; an empty value is a non-nil
	// empty slice. Any invalid key fails the whole call before the backend
	// is reached.
	GetMany(ctx context.Context, keys []string) ([][]byte, error)
}

// Reclaimer is a Store that can free the space of expired entries on
// demand, in addition to whatever schedule it keeps by itself.
//
// Stores without it either reclaim space on their own (Redis, memcached) or
// never expire entries at all.
type Reclaimer interface {
	Store

	// Reclaim removes expired entries and returns how many it removed. Its
	// cost is proportional to the number of expired entries, not to the
	// size of the store.
	Reclaim(ctx context.Context) (removed int, err error)
}

// Wrapper is a Store that wraps another. Unwrap returns the wrapped store.
type Wrapper interface {
	Store
	Unwrap() Store
}
