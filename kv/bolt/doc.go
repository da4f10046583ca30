// Package bolt is a kv store in one bbolt file: the embedded default
// backend, for a single process that wants its data to survive restarts.
//
// Open a file with [Open], or build a store on a *bbolt.DB you opened with
// [New]. Importing the package also registers the "bolt" URL scheme with
// kv.Open, as in "bolt:///var/lib/app.db?timeout=2s&bucket=sessions". Three
// slashes start an absolute path, while "bolt://data/app.db" and
// "bolt:data/app.db" name a path relative to the working directory. The
// query may set timeout (Options.OpenTimeout, a Go duration) and bucket
// (Options.Bucket). Any other option fails with kv.ErrInvalidURL.
//
// # Guarantees
//
// A write returns only after its transaction is synced to disk (fsync), so
// a process killed with SIGKILL loses no write that returned. Concurrent
// writers share transactions: a writer that finds no commit in flight
// commits at once, and writers that arrive during that commit are applied
// together in the next transaction and share its sync. A lone writer
// thus pays one commit, and concurrent writers pay one commit per group
// instead of one each.
//
// Store implements kv.Store, kv.TTLStore, kv.Lister, kv.AtomicStore,
// kv.BatchGetter and kv.Reclaimer. Values are copied out of bbolt's memory
// map before the read transaction ends, and into a private buffer before a
// write, so no slice is shared with the caller. Keys lists in ascending
// byte order, in chunks read by separate transactions, so the loop body may
// write to the store. Put-if-absent and compare-and-swap check and write in
// one write transaction.
//
// A deadline is stored as wall-clock unix nanoseconds, so it survives a
// restart, and a step of the wall clock shortens or lengthens every TTL in
// flight. The write transaction computes it, one commit and fsync before
// the put returns. A store therefore treats an entry as expired only once
// its deadline is older than the longest such commit delay it has
// measured, so that no entry expires before its TTL has passed since its
// put returned. That delay depends on the disk and the load.
//
// Get, GetMany and Keys treat an expired entry as absent and never write.
// Get, GetMany, put-if-absent and compare-and-swap judge expiry by the time
// they were called, not by when they reach the file, and Keys by the time
// it starts reading each chunk. A background pass every
// Options.ReclaimInterval, and Reclaim on demand, remove expired entries in
// bounded transactions.
//
// # Limits
//
// Only one handle may have the file open for writing at a time, whether
// in this process or another: bbolt locks the file. [Open] waits up to
// Options.OpenTimeout for the lock and then fails with an error matching
// [ErrLocked], so it never waits forever. A value may be up to
// Options.MaxValueSize bytes (default just under 2 GiB). Because bbolt
// holds a whole transaction in memory, values of many megabytes are slow.
//
// # Concurrency
//
// A Store is safe for concurrent use. Reads run in parallel with each
// other and with the writer. Close waits for the operations in flight and
// stops the background reclaimer before it closes the file, and leaves a
// *bbolt.DB passed to New open.
//
// # On-disk format
//
// A store lives in one top-level bucket, Options.Bucket ("anykv" by
// default), so that several stores can share a file. The bucket contains:
//
//   - "format": one byte, the format version, now 1. A newer version fails
//     to open with [ErrFormat] instead of being misread.
//   - "data", a bucket mapping each key to a header and the value. The
//     header is one flags byte. When flag 0x01 is set, the flags byte is
//     followed by the expiry as 8 big-endian bytes of unix nanoseconds. No
//     other flag is defined.
//   - "expiry", an index bucket with one empty-valued entry for each key
//     that has a TTL, keyed by the expiry as 8 big-endian bytes followed by
//     the key. Sorted by deadline, it lets reclaiming read only what has
//     expired.
//
// Every write keeps the two buckets consistent: an overwrite, a plain put
// over a TTL put, a delete or a swap removes the old index entry in the
// same transaction.
package bolt
