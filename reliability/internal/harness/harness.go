// Package harness opens each anykv backend for the reliability tests and
// counts what reaches a store. Redis and memcached come from
// internal/testserver, so a test binary that uses them must call
// testserver.Main from TestMain.
package harness

import (
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
	"github.com/anykv/anykv/kv/memcache"
	"github.com/anykv/anykv/kv/memory"
	"github.com/anykv/anykv/kv/metrics"
	"github.com/anykv/anykv/kv/redis"
)

// Secret is the HS256 key of the Trackers that TrackerOptions configures.
var Secret = []byte("reliability-hmac-secret-32bytes!")

// TrackerOptions returns HS256 Options with one-hour access and two-hour
// refresh tokens, so that no token expires during a test.
func TrackerOptions(mode jwtrevoke.Mode) jwtrevoke.Options {
	return jwtrevoke.Options{
		Algorithms: []string{"HS256"},
		SigningKey: Secret,
		AccessTTL:  time.Hour,
		RefreshTTL: 2 * time.Hour,
		Mode:       mode,
	}
}

// NewTracker returns a Tracker on store, failing tb on an error.
func NewTracker(tb testing.TB, store kv.Store, opts jwtrevoke.Options) *jwtrevoke.Tracker {
	tb.Helper()

	tracker, err := jwtrevoke.New(store, opts)
	if err != nil {
		tb.Fatalf("new %v tracker: %v", opts.Mode, err)
	}

	return tracker
}

// Backend opens a fresh store of one kind for a test and closes it when
// the test ends.
type Backend struct {
	Name string
	Open func(tb testing.TB) kv.Store
}

// Backends returns memory, bolt, redis and memcache. The Redis and
// memcached servers are shared by the test binary, and each store gets a
// namespace of its own on them.
func Backends() []Backend {
	return []Backend{
		{Name: "memory", Open: OpenMemory},
		{Name: "bolt", Open: OpenBolt},
		{Name: "redis", Open: func(tb testing.TB) kv.Store { return OpenRedis(tb, testserver.Redis(tb)) }},
		{Name: "memcache", Open: func(tb testing.TB) kv.Store { return OpenMemcache(tb, testserver.Memcached(tb)) }},
		{Name: "redis-cluster", Open: func(tb testing.TB) kv.Store { return OpenRedisCluster(tb) }},
	}
}

// OpenMemory returns a memory store closed when tb ends.
func OpenMemory(tb testing.TB) kv.Store {
	store := memory.New(nil)
	tb.Cleanup(func() { _ = store.Close() })

	return store
}

// OpenBolt returns a store on a new file in tb's temporary folder.
func OpenBolt(tb testing.TB) kv.Store {
	tb.Helper()

	store, err := bolt.Open(filepath.Join(tb.TempDir(), "store.db"), nil)
	if err != nil {
		tb.Fatalf("open bolt: %v", err)
	}

	tb.Cleanup(func() { _ = store.Close() })

	return store
}

// OpenRedis returns a store on the Redis server at addr, under a namespace
// no other store uses.
func OpenRedis(tb testing.TB, addr string) *redis.Store {
	tb.Helper()

	store, err := redis.New(&redis.Options{
		Client:    &goredis.UniversalOptions{Addrs: []string{addr}},
		Namespace: UniqueNamespace(tb),
	})
	if err != nil {
		tb.Fatalf("open redis at %s: %v", addr, err)
	}

	tb.Cleanup(func() { _ = store.Close() })

	return store
}

// OpenMemcache returns a store on the memcached server at addr, under a
// namespace no other store uses.
func OpenMemcache(tb testing.TB, addr string) *memcache.Store {
	tb.Helper()

	store, err := memcache.New([]string{addr}, &memcache.Options{Namespace: UniqueNamespace(tb), MaxIdleConns: 16})
	if err != nil {
		tb.Fatalf("open memcache at %s: %v", addr, err)
	}

	tb.Cleanup(func() { _ = store.Close() })

	return store
}

// UniqueNamespace returns a key prefix no other call returns.
func UniqueNamespace(tb testing.TB) string {
	tb.Helper()

	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatalf("random namespace: %v", err)
	}

	return "rel-" + hex.EncodeToString(b[:]) + ":"
}

// Counts is the number of calls that reached a store, split into reads
// and writes. Its methods are safe for concurrent use.
type Counts struct {
	reads  atomic.Int64
	writes atomic.Int64
}

// Reads returns the number of Get, GetMany and Keys calls.
func (c *Counts) Reads() int64 { return c.reads.Load() }

// Writes returns the number of calls that can change the store.
func (c *Counts) Writes() int64 { return c.writes.Load() }

// Count wraps store so that every call it receives is counted in the
// returned Counts, whatever its outcome. The wrapper has exactly the
// capabilities of store.
func Count(store kv.Store) (kv.Store, *Counts) {
	counts := new(Counts)

	observe := func(op metrics.Op, _ time.Duration, _ error) {
		switch op {
		case metrics.OpGet, metrics.OpGetMany, metrics.OpKeys:
			counts.reads.Add(1)
		default:
			counts.writes.Add(1)
		}
	}

	return metrics.New(store, metrics.ObserverFunc(observe)), counts
}

// OpenRedisCluster returns a store on the shared Redis Cluster, under a
// namespace no other store uses.
func OpenRedisCluster(tb testing.TB) *redis.Store {
	tb.Helper()

	store, err := redis.New(&redis.Options{
		Client:    &goredis.UniversalOptions{Addrs: testserver.RedisCluster(tb), IsClusterMode: true},
		Namespace: UniqueNamespace(tb),
	})
	if err != nil {
		tb.Fatalf("open redis cluster: %v", err)
	}

	tb.Cleanup(func() { _ = store.Close() })

	return store
}
