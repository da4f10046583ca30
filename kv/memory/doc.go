// Package memory is an in-process key-value store for tests, caches and
// programs that run as a single process.
//
// Entries live in a Go map inside the process and are lost when the
// process exits or the store is closed: nothing is written to disk and
// nothing is shared with other processes.
//
// # Values and keys
//
// Put copies the value in and Get copies it out, so the caller may change
// either slice freely. An empty value is stored and returned as an empty,
// non-nil slice. Keys follow the kv key rule and are checked before any
// state is touched. There is no size limit beyond the memory of the
// process, so ErrValueTooLarge never occurs.
//
// # Time to live
//
// PutTTL and the TTL variants of the atomic writes store an exact deadline:
// the monotonic clock reading taken when the write is applied, plus the
// TTL. Every read compares against the clock again, so an entry disappears
// from Get, GetMany, Keys and the atomic writes as soon as its deadline
// passes, with no coarse clock in between. Changes to the wall clock do not
// move deadlines. A plain Put or CompareAndSwap removes the TTL of the key
// it writes.
//
// An expired entry keeps its memory until it is reclaimed. A background
// goroutine removes expired entries every [Options.ReclaimInterval], at
// most [Options.ReclaimLimit] of them while it holds the write lock once,
// so readers wait for at most one such batch. [Store.Reclaim] removes them
// on demand. Both find expired entries through a min-heap of deadlines, so
// their cost grows with the number of expired entries (times the logarithm
// of the number of entries with a TTL), not with the size of the store.
//
// # Listing
//
// [Store.Keys] yields keys in ascending byte order. It collects the
// matching keys when iteration starts, which costs time proportional to the
// whole store, and checks each key again just before yielding it. So a key
// that is live for the whole iteration is yielded exactly once, and a key
// that was deleted or expired in the meantime is skipped. No lock is held
// while the loop body runs, so the body may call any method of the store,
// including Delete of the yielded key. Keys added during the iteration may
// or may not be yielded.
//
// # Concurrency
//
// A Store is safe for concurrent use by multiple goroutines. Reads share a
// sync.RWMutex and writes take it exclusively. After [Store.Close], every
// method except Close and Len returns an error matching kv.ErrClosed, and
// Close stops the background reclaimer and waits for it to return.
//
// # Opening by URL
//
// Importing this package registers the "memory" scheme with kv.Open. Each
// "memory://" URL opens a new, empty store. The query parameters
// reclaim_interval (a Go duration such as "500ms", negative to disable) and
// reclaim_limit (a positive integer) set the matching Options fields, and
// any other parameter is rejected with an error matching kv.ErrInvalidURL.
package memory
