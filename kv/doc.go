// Package kv defines one key-value API over many storage backends.
//
// A [Store] gets, puts and deletes byte values by key. Backends live in
// sub-packages: kv/memory (in process), kv/bolt (one bbolt file), kv/redis
// (one server, Sentinel or Cluster) and kv/memcache (one or many memcached
// servers). Code written against Store moves between them unchanged, and
// kv/kvtest checks that a backend keeps every rule below.
//
// # Keys
//
// A key is 1 to [MaxKeyLen] (250) bytes, and every byte is printable ASCII
// from '!' (0x21) to '~' (0x7E). Spaces, control bytes (a trailing newline
// included) and bytes above 0x7E are invalid. Every store checks the key
// with [ValidateKey] before anything reaches the backend and returns an
// error matching [ErrInvalidKey] that quotes the key. Bytes that mean
// something to one backend, such as '*', '?', '[', ']', '\', '/' and ':',
// are ordinary key bytes everywhere: listing the prefix "a*" never returns
// "ab". Wider keys (any UTF-8, binary) need an encoding wrapper; the rule is
// never loosened.
//
// # Values
//
// A value is any byte slice, the empty one included: Get of a key stored
// with an empty value returns an empty, non-nil slice and a nil error. A
// store never aliases caller memory. Put copies the value before it
// returns, and the slice Get returns belongs to the caller, so changing
// either changes nothing stored.
//
// # Errors
//
// Callers test errors with errors.Is against the variables in this
// package. Get of an absent or expired key returns an error matching
// [ErrNotFound], and no other failure does. Put overwrites, and Delete of an
// absent key succeeds. A value larger than the backend can hold fails with
// [ErrValueTooLarge] naming the size and the limit, and leaves nothing
// partial. After Close every operation returns [ErrClosed]; calling Close
// twice is safe. A capability that a store lacks yields [ErrUnsupported],
// which matches errors.ErrUnsupported.
//
// # Contexts and concurrency
//
// Every operation takes a context.Context first. A context that is already
// cancelled makes the call return the context's error with no effect.
// Cancellation during a call returns promptly, although a network write may
// still land on the server. Every store is safe for concurrent use by
// multiple goroutines, and a read that starts after a write returned sees
// that write.
//
// # Capabilities
//
// Beyond Store, a backend may implement optional interfaces, found by type
// assertion in the manner of database/sql/driver:
//
//   - [TTLStore]: put with a time to live.
//   - [Lister]: iterate over the keys with a prefix.
//   - [AtomicStore]: put-if-absent and compare-and-swap.
//   - [BatchGetter]: read many keys in one round trip.
//   - [Reclaimer]: reclaim the space of expired entries on demand.
//
// Each interface documents what callers can do when a store lacks it. The
// helper functions [PutTTL], [Keys], [PutIfAbsent], [CompareAndSwap] and
// [GetMany] assert the capability for the caller and return [ErrUnsupported]
// (or, for GetMany, fall back to one Get a key) when it is absent.
//
// A wrapper (namespace, read-only, key encoding, cache, metrics) is a Store
// that wraps another. It implements exactly the capabilities of the store it
// wraps, no more and no fewer, and returns that store from Unwrap. [As]
// walks the Unwrap chain to reach a particular backend type.
//
// # Helpers
//
// [PutReader] and [GetWriter] move a value between a store and an io.Reader
// or io.Writer, [Dirs] lists the "directory" view of keys under a prefix,
// and [Copy], [Move], [CopyIfAbsent] and [MoveIfAbsent] copy or move one
// entry. They work on any Store and use a capability when it is there; each
// documents what it cannot promise without one.
//
// # Time to live
//
// A TTL must be greater than zero: zero or negative fails with
// [ErrInvalidTTL] and stores nothing, because either reading ("forever" or
// "expire now") would surprise someone. An entry is readable for at least
// the TTL after the put returns, and it is gone from Get and from listings
// within the TTL plus the backend's granularity: milliseconds for memory,
// bbolt and Redis, whole seconds for memcached (at most 2 s late). A
// backend documents the conditions it cannot cover, such as a memcached
// server whose clock update runs more than a second late. A TTL the
// backend cannot represent fails with ErrInvalidTTL instead of being clamped.
// A plain Put on a key that had a TTL removes the TTL, and a TTL put on a
// plain key adds one.
//
// # Opening by URL
//
// Backends register a URL scheme in the manner of database/sql drivers, so
// [Open] can build a store from a string such as "bolt:///var/lib/app.db"
// or "redis://127.0.0.1:6379/0". Import the backend package for its side
// effect to register its scheme.
package kv
