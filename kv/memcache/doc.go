// Package memcache is a kv store on one or many memcached servers, built on
// github.com/bradfitz/gomemcache.
//
// A [Store] implements kv.Store, kv.TTLStore, kv.AtomicStore and
// kv.BatchGetter. It does not implement kv.Lister, because memcached has no
// command that lists keys: a caller that needs to enumerate its keys must
// keep its own index, and kv.Keys returns kv.ErrUnsupported.
//
// # Servers
//
// With several servers, each key lives on one of them, picked by a CRC-32
// hash of the key (gomemcache's ServerList). Servers do not replicate each
// other, so losing one loses its share of the keys, and changing the server
// list moves most keys to another server, where they read as absent.
//
// # memcached is a cache
//
// memcached evicts entries, least recently used first, when its memory is
// full, and it loses every entry when it restarts. A successful Put
// therefore promises only that a later Get returns the value or, after an
// eviction or restart, kv.ErrNotFound. Store only what can be rebuilt or
// whose loss is safe.
//
// For jwtrevoke this decides which mode is safe. In the mode that tracks
// every token, a token whose record is missing is rejected, so an eviction
// fails closed: a valid token is rejected and its user must log in again.
// In denylist mode only revocations are stored and an unknown token passes,
// so an eviction or restart fails open: a revoked token becomes valid again.
// Denylist mode on memcached is therefore unsafe for revocation.
//
// # Keys
//
// Keys follow the kv key rule (1 to 250 bytes of printable ASCII from '!'
// to '~'). memcached accepts every such key, so a key is sent unchanged.
// Every key is checked before gomemcache sees it. With Options.Namespace
// set, the namespace is prepended to every key and counts against
// memcached's 250-byte limit: with a namespace of n bytes, keys longer than
// 250-n bytes fail with kv.ErrInvalidKey.
//
// # Values
//
// memcached rejects an item larger than its -I setting (1 MiB by default),
// and an item is the value plus the key plus 59 bytes, as measured against
// memcached 1.6.18 at -I 1m, 2m and 4m. So that one
// limit holds for every key, a Store accepts values up to MaxItemSize minus
// 309 bytes (those 59 bytes and a key of the full 250 bytes): 1,048,267 bytes
// at the default of 1 MiB. A larger value fails with kv.ErrValueTooLarge
// before anything is sent; see [Store.MaxValueSize].
//
// # Time to live
//
// memcached counts time in whole seconds, on a clock that ticks once a
// second, so an item can expire up to a second before its nominal time,
// and more when the server is too busy to update its clock on time.
// PutTTL therefore rounds the TTL up to whole seconds and adds two: the
// entry is readable for at least the TTL unless the server's clock runs
// more than a second late, and gone within the rounded-up TTL plus 2 s.
// memcached reads an expiry above 30 days as an absolute Unix time, so
// longer TTLs are sent as one, and their accuracy then also depends on the
// server's clock agreeing with the client's. An expiry beyond what the
// protocol's 32-bit field holds (early 2038) fails with kv.ErrInvalidTTL
// instead of wrapping around.
//
// # Atomic writes
//
// PutIfAbsent uses memcached's add command. CompareAndSwap reads the value
// and its CAS id with gets, compares the value in the client, and writes
// with cas, which the server rejects when any write happened in between, so
// among concurrent swaps exactly one wins.
//
// # Contexts
//
// gomemcache takes no context. When a call's context can be cancelled, the
// call runs the network exchange in a goroutine and returns the context's
// error as soon as the context is done. The exchange itself then goes on
// until it completes or a network step exceeds the client's timeout
// (Options.Timeout), so a write may still land after a cancelled call
// returned. A context that is already done when a call starts returns its
// error and sends nothing.
//
// # Concurrency
//
// A Store is safe for concurrent use. Close waits for the calls in flight,
// abandoned ones included, each of which the client's timeout bounds for
// every network step; later calls return kv.ErrClosed.
//
// # Opening by URL
//
// Importing this package registers the "memcache" scheme with kv.Open:
//
//	memcache://host1:11211,host2:11211?timeout=1s&max_idle=8&namespace=app:&max_item_size=2m
//	memcache:///run/memcached/memcached.sock
//
// The host lists the servers, and a server without a port uses 11211. A URL
// with no host names the path of a Unix socket. The query options set the
// Options fields: timeout (a Go duration such as "250ms"), max_idle
// (MaxIdleConns), namespace, and max_item_size (bytes, or with a k or m
// suffix for KiB or MiB, as memcached's -I takes them). An unknown or
// repeated option, a user name or password (memcached's text protocol has
// no authentication) or a fragment fails with kv.ErrInvalidURL. Go's URL
// parser rejects an IPv6 literal in a list of several servers, so such a
// list needs New.
package memcache
