// Package redis is a kv store on Redis, through a go-redis v9
// UniversalClient: one server, a master found through Sentinel, a Redis
// Cluster, or a Ring that shards keys over servers on the client side.
//
// A [Store] implements kv.Store, kv.TTLStore, kv.Lister, kv.AtomicStore
// and kv.BatchGetter. [New] opens its own client from [Options] and closes
// it on Close. [NewFromClient] uses a client the caller opened and never
// closes it. Importing the package registers the URL schemes of [OpenURL]
// with kv.Open.
//
// # Durability and eviction
//
// A write is acknowledged once the server holds it in memory. Whether it
// survives a restart depends on the server's persistence settings. With
// neither RDB snapshots nor the append-only file, a restart loses every
// key. With appendfsync everysec, a crash can lose about the last second
// of writes. A server with a maxmemory policy other than noeviction may
// drop keys, TTL or not, to free memory, and a dropped key reads as
// kv.ErrNotFound as if it had never been written. Data that must not
// vanish (revocation records, for one) needs a server with maxmemory-policy
// noeviction, or volatile-* policies and no TTL on that data, plus
// persistence. On failover, Sentinel and Cluster promote a replica that
// may lack the last writes the old master acknowledged.
//
// # Keys and namespace
//
// Keys follow the kv key rule and are checked before any command is sent.
// [Options.Namespace] is prepended to every key on the server, so several
// stores can share a database: a store reads, lists and deletes only keys
// inside its namespace and never runs FLUSHDB, FLUSHALL or KEYS. The key
// rule applies to the key without the namespace.
//
// # Values and TTLs
//
// Values are binary-safe. A value larger than [Options.MaxValueSize]
// (512 MiB, the server's default limit) fails with kv.ErrValueTooLarge
// before it is sent.
//
// A TTL must be greater than zero. It goes with the value in one SET
// command, so no entry exists without its TTL even for a moment. Redis
// starts the TTL when it applies the write, a moment before the caller
// sees the reply, so the store adds 5 ms to every TTL and rounds it up to
// whole milliseconds. An entry thus lives up to about 6 ms longer than its
// TTL, and Redis expires keys to the millisecond. A plain Put, and a
// CompareAndSwap without TTL, leave the key with no TTL.
//
// # Listing
//
// [Store.Keys] uses SCAN with a MATCH pattern, never KEYS, so it does not
// block the server. The bytes '*', '?', '[', ']' and '\' in the namespace
// and prefix are escaped, so listing "a*" never yields "ab". On a Cluster
// it scans every master, and on a Ring every shard. Each key is yielded at
// most once, and a key that exists for the whole listing is yielded unless
// Cluster slots move during it. [Store.Keys] gives the memory this costs.
//
// # Atomic writes and batches
//
// PutIfAbsent is SET NX. CompareAndSwap runs a Lua script (by EVALSHA,
// falling back to EVAL) that reads and writes the key on the server in one
// step, with the key declared in KEYS so that a Cluster routes it to the
// right master. GetMany is one MGET on one server. On a Cluster it
// pipelines one MGET for each hash slot, which takes one round trip for
// each master, and on a Ring one GET for each key.
//
// # Errors, contexts and concurrency
//
// A missing key matches kv.ErrNotFound and nothing else does: a refused
// connection, a timeout or a server error is returned wrapped with the
// operation and key, so callers can tell "absent" from "unknown". After
// Close every operation returns kv.ErrClosed. A context that is done
// before a call sends nothing. A context cancelled during a call returns
// at once, but the command may still take effect on the server, because
// go-redis cannot take back a request it has written. A Store is safe for
// concurrent use by multiple goroutines. A read returns every write that
// returned before it started, unless the client reads from replicas
// (go-redis's ReadOnly, RouteByLatency, RouteRandomly or ReplicaOnly
// options). Replicas copy writes asynchronously and may lag.
//
// After the server has been unreachable, go-redis (v9.17) tries to dial
// it again at most about once a second, so operations may keep failing
// for up to a second after it is back; the outage tests measured at most
// 890 ms. No store needs to be reopened.
package redis
