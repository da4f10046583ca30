package bench

import (
	"bufio"
	"context"
	"iter"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anykv/anykv/bench/internal/servers"
	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
	kvmemcache "github.com/anykv/anykv/kv/memcache"
	"github.com/anykv/anykv/kv/memory"
	kvredis "github.com/anykv/anykv/kv/redis"
	gomemcache "github.com/bradfitz/gomemcache/memcache"
	goredis "github.com/redis/go-redis/v9"
)

// These tests count what a check, an issue and a logout cost in round
// trips, server commands and stored bytes. They log the counts, which
// scripts/bench.sh copies into BENCHMARKS.md, and fail when a count
// exceeds its target.

// writeCounter counts the writes on a connection. Both clients send one
// request, or one pipeline, with a single write of their buffer, so the
// count is the number of round trips.
type writeCounter struct {
	writes atomic.Int64
}

type countedConn struct {
	net.Conn
	counter *writeCounter
}

func (c countedConn) Write(p []byte) (int, error) {
	c.counter.writes.Add(1)

	return c.Conn.Write(p)
}

func (w *writeCounter) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}

	return countedConn{conn, w}, nil
}

// countedBackend is an anykv store whose client counts round trips, plus
// a way to read the server's command counts.
type countedBackend struct {
	name     string
	store    kv.Store
	counter  *writeCounter
	commands func(t *testing.T) map[string]int64
}

func openCountedRedis(t *testing.T) countedBackend {
	addr := servers.Redis(t)
	openRedisClient(t) // flushes the server

	counter := &writeCounter{}
	client := goredis.NewClient(&goredis.Options{Addr: addr, Dialer: counter.dial})
	closeOnCleanup(t, "go-redis client", client.Close)

	store, err := kvredis.NewFromClient(client, nil)
	if err != nil {
		t.Fatalf("open redis store: %v", err)
	}
	closeOnCleanup(t, "redis store", store.Close)

	admin := goredis.NewClient(&goredis.Options{Addr: addr})
	closeOnCleanup(t, "go-redis admin client", admin.Close)

	return countedBackend{"redis", store, counter, func(t *testing.T) map[string]int64 {
		return redisCommandCalls(t, admin)
	}}
}

// redisCommandCalls returns the calls of each command from INFO
// commandstats, without the INFO calls themselves.
func redisCommandCalls(t *testing.T, admin *goredis.Client) map[string]int64 {
	info, err := admin.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatalf("redis INFO commandstats: %v", err)
	}

	calls := make(map[string]int64)
	for line := range strings.Lines(info) {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}

		name = strings.TrimPrefix(name, "cmdstat_")
		if name == "info" {
			continue
		}

		field, _, _ := strings.Cut(rest, ",")
		n, err := strconv.ParseInt(strings.TrimPrefix(field, "calls="), 10, 64)
		if err != nil {
			t.Fatalf("parse redis commandstats line %q: %v", line, err)
		}

		calls[name] = n
	}

	return calls
}

func openCountedMemcache(t *testing.T) countedBackend {
	addr := servers.Memcached(t)
	openMemcacheClient(t) // flushes the server

	counter := &writeCounter{}
	client := gomemcache.New(addr)
	client.DialContext = counter.dial
	closeOnCleanup(t, "gomemcache client", client.Close)

	store, err := kvmemcache.NewFromClient(client, nil)
	if err != nil {
		t.Fatalf("open memcached store: %v", err)
	}
	closeOnCleanup(t, "memcached store", store.Close)

	return countedBackend{"memcached", store, counter, func(t *testing.T) map[string]int64 {
		return memcachedStats(t, addr)
	}}
}

// memcachedStats returns the counters of the server's "stats" command
// that count requests: cmd_get counts keys looked up, cmd_set every
// storage command (set, add, cas and the rest).
func memcachedStats(t *testing.T, addr string) map[string]int64 {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatalf("dial memcached at %s: %v", addr, err)
	}
	defer conn.Close()

	if _, err := conn.Write([]byte("stats\r\n")); err != nil {
		t.Fatalf("send memcached stats: %v", err)
	}

	stats := make(map[string]int64)
	scanner := bufio.NewScanner(conn)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) == 1 && fields[0] == "END" {
			return stats
		}

		if len(fields) != 3 || fields[0] != "STAT" {
			continue
		}

		switch fields[1] {
		case "cmd_get", "cmd_set", "cmd_touch", "delete_hits", "delete_misses", "incr_hits", "decr_hits":
			n, err := strconv.ParseInt(fields[2], 10, 64)
			if err != nil {
				t.Fatalf("parse memcached stat %q: %v", scanner.Text(), err)
			}

			stats[fields[1]] = n
		}
	}

	t.Fatalf("read memcached stats: %v", scanner.Err())

	return nil
}

// countDelta returns the counts in after that differ from before.
func countDelta(before, after map[string]int64) map[string]int64 {
	delta := make(map[string]int64)
	for name, n := range after {
		if d := n - before[name]; d != 0 {
			delta[name] = d
		}
	}

	return delta
}

var countedBackends = []func(t *testing.T) countedBackend{openCountedRedis, openCountedMemcache}

// TestCheckRoundTrips checks that one Check of a valid token costs one
// round trip on Redis and memcached, in both modes.
func TestCheckRoundTrips(t *testing.T) {
	sg := newSigners(t)[0]

	for _, open := range countedBackends {
		for _, mode := range []jwtrevoke.Mode{jwtrevoke.TrackAll, jwtrevoke.Denylist} {
			backend := open(t)
			ctx := context.Background()
			tracker := newTracker(t, backend.store, sg, mode)
			token := issueToken(t, tracker)

			// The first check may load a script or open a connection.
			if _, err := tracker.Check(ctx, token, jwtrevoke.Access); err != nil {
				t.Fatalf("%s %s: check: %v", backend.name, mode, err)
			}

			before := backend.commands(t)
			writes := backend.counter.writes.Load()

			if _, err := tracker.Check(ctx, token, jwtrevoke.Access); err != nil {
				t.Fatalf("%s %s: check: %v", backend.name, mode, err)
			}

			roundTrips := backend.counter.writes.Load() - writes
			commands := countDelta(before, backend.commands(t))
			t.Logf("check on %s, %s: %d round trip(s); server counts %v", backend.name, mode, roundTrips, commands)

			if roundTrips != 1 {
				t.Errorf("check on %s, %s: %d round trips, want 1", backend.name, mode, roundTrips)
			}
		}
	}
}

// storeCounter wraps a store and records the size of every value that a
// write sends. It offers the capabilities of what it wraps: the atomic,
// TTL and batch ones always, which every backend here has, and listing
// through listingCounter.
type storeCounter struct {
	kv.Store

	mu     sync.Mutex
	writes []int // value length of each write
}

func (c *storeCounter) record(value []byte) {
	c.mu.Lock()
	c.writes = append(c.writes, len(value))
	c.mu.Unlock()
}

func (c *storeCounter) take() []int {
	c.mu.Lock()
	defer c.mu.Unlock()

	writes := c.writes
	c.writes = nil

	return writes
}

func (c *storeCounter) Put(ctx context.Context, key string, value []byte) error {
	c.record(value)
	return c.Store.Put(ctx, key, value)
}

func (c *storeCounter) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	c.record(value)
	return c.Store.(kv.TTLStore).PutTTL(ctx, key, value, ttl)
}

func (c *storeCounter) PutIfAbsent(ctx context.Context, key string, value []byte) (bool, error) {
	c.record(value)
	return c.Store.(kv.AtomicStore).PutIfAbsent(ctx, key, value)
}

func (c *storeCounter) PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	c.record(value)
	return c.Store.(kv.AtomicStore).PutIfAbsentTTL(ctx, key, value, ttl)
}

func (c *storeCounter) CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (bool, error) {
	c.record(newValue)
	return c.Store.(kv.AtomicStore).CompareAndSwap(ctx, key, oldValue, newValue)
}

func (c *storeCounter) CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	c.record(newValue)
	return c.Store.(kv.AtomicStore).CompareAndSwapTTL(ctx, key, oldValue, newValue, ttl)
}

func (c *storeCounter) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	return c.Store.(kv.BatchGetter).GetMany(ctx, keys)
}

func (c *storeCounter) Unwrap() kv.Store { return c.Store }

type listingCounter struct{ *storeCounter }

func (c listingCounter) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return c.Store.(kv.Lister).Keys(ctx, prefix)
}

// countingStores returns one counted store of each backend.
func countingStores(t *testing.T) map[string]*storeCounter {
	stores := make(map[string]*storeCounter)
	for _, so := range storeOpeners {
		stores[so.backend] = &storeCounter{Store: so.open(t)}
	}

	return stores
}

func asStore(c *storeCounter) kv.Store {
	if _, ok := c.Store.(kv.Lister); ok {
		return listingCounter{c}
	}

	return c
}

func sum(values []int) int {
	total := 0
	for _, v := range values {
		total += v
	}

	return total
}

// TestTrackedTokenBytes checks that tracking a token stores a record of
// at most 100 bytes, and logs every value that Issue writes.
func TestTrackedTokenBytes(t *testing.T) {
	sg := newSigners(t)[0]

	for backend, counter := range countingStores(t) {
		tracker := newTracker(t, asStore(counter), sg, jwtrevoke.TrackAll)
		issueToken(t, tracker)

		writes := counter.take()
		t.Logf("issue on %s: %d write(s) of %v bytes, %d bytes of values in all", backend, len(writes), writes, sum(writes))

		if len(writes) == 0 || writes[0] > 100 {
			t.Errorf("issue on %s: writes of %v bytes, want a record of at most 100 bytes first", backend, writes)
		}
	}
}

// TestLogoutEverywhereOneWrite checks that RevokeSubject writes one entry
// on every backend, whatever the number of tokens, and logs the server
// commands it costs on Redis and memcached.
func TestLogoutEverywhereOneWrite(t *testing.T) {
	sg := newSigners(t)[0]
	ctx := context.Background()

	for backend, counter := range countingStores(t) {
		tracker := newTracker(t, asStore(counter), sg, jwtrevoke.TrackAll)
		issueTokens(t, tracker, 20)
		counter.take()

		for round := range 2 {
			if err := tracker.RevokeSubject(ctx, subjectID); err != nil {
				t.Fatalf("revoke subject on %s: %v", backend, err)
			}

			writes := counter.take()
			t.Logf("revoke subject on %s (cutoff %s): %d write(s) of %v bytes", backend, []string{"new", "replaced"}[round], len(writes), writes)

			if len(writes) != 1 {
				t.Errorf("revoke subject on %s: %d writes, want 1", backend, len(writes))
			}
		}
	}

	for _, open := range countedBackends {
		b := open(t)
		tracker := newTracker(t, b.store, sg, jwtrevoke.TrackAll)
		issueTokens(t, tracker, 20)

		for round := range 2 {
			before := b.commands(t)
			roundTrips := b.counter.writes.Load()

			if err := tracker.RevokeSubject(ctx, subjectID); err != nil {
				t.Fatalf("revoke subject on %s: %v", b.name, err)
			}

			t.Logf("revoke subject on %s (cutoff %s): %d round trip(s); server counts %v", b.name,
				[]string{"new", "replaced"}[round], b.counter.writes.Load()-roundTrips, countDelta(before, b.commands(t)))
		}
	}
}

// TestMemoryIsLister guards countingStores: the memory store must keep
// listing through the counting wrapper, or Issue would skip its index.
func TestMemoryIsLister(t *testing.T) {
	s := memory.New(nil)
	closeOnCleanup(t, "memory store", s.Close)

	if _, ok := asStore(&storeCounter{Store: s}).(kv.Lister); !ok {
		t.Fatal("counted memory store does not list keys")
	}
}

// TestIssueRoundTrips logs what issuing one tracked token costs on Redis
// and memcached, in round trips and server commands.
func TestIssueRoundTrips(t *testing.T) {
	sg := newSigners(t)[0]
	ctx := context.Background()

	for _, open := range countedBackends {
		b := open(t)
		tracker := newTracker(t, b.store, sg, jwtrevoke.TrackAll)
		issueToken(t, tracker)

		before := b.commands(t)
		roundTrips := b.counter.writes.Load()

		if _, _, err := tracker.Issue(ctx, subjectID, jwtrevoke.Access, nil); err != nil {
			t.Fatalf("issue on %s: %v", b.name, err)
		}

		t.Logf("issue on %s: %d round trip(s); server counts %v", b.name, b.counter.writes.Load()-roundTrips, countDelta(before, b.commands(t)))
	}
}
