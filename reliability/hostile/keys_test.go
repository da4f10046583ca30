package hostile_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/reliability/internal/harness"
)

func TestMain(m *testing.M) {
	testserver.Main(m)
}

// badKeys break the key rule: 1 to 250 bytes of '!' to '~'.
var badKeys = []struct {
	name string
	key  string
}{
	{"empty", ""},
	{"251 bytes", strings.Repeat("k", 251)},
	{"space", "a b"},
	{"newline", "a\nb"},
	{"trailing newline", "key\n"},
	{"carriage return and newline", "k\r\nset x 0 0 1\r\n"},
	{"NUL", "a\x00b"},
	{"tab", "a\tb"},
	{"DEL byte", "a\x7f"},
	{"non-ASCII", "clé"},
	{"invalid UTF-8", "\xff\xfe"},
}

// keyOps are the calls that take a key, each of which must reject a bad
// one before the backend receives it.
var keyOps = []struct {
	name string
	call func(ctx context.Context, s kv.Store, key string) error
}{
	{"Get", func(ctx context.Context, s kv.Store, key string) error {
		_, err := s.Get(ctx, key)
		return err
	}},
	{"Put", func(ctx context.Context, s kv.Store, key string) error {
		return s.Put(ctx, key, []byte("v"))
	}},
	{"PutTTL", func(ctx context.Context, s kv.Store, key string) error {
		return s.(kv.TTLStore).PutTTL(ctx, key, []byte("v"), time.Minute)
	}},
	{"Delete", func(ctx context.Context, s kv.Store, key string) error {
		return s.Delete(ctx, key)
	}},
	{"PutIfAbsent", func(ctx context.Context, s kv.Store, key string) error {
		_, err := s.(kv.AtomicStore).PutIfAbsent(ctx, key, []byte("v"))
		return err
	}},
	{"CompareAndSwap", func(ctx context.Context, s kv.Store, key string) error {
		_, err := s.(kv.AtomicStore).CompareAndSwap(ctx, key, []byte("v"), []byte("w"))
		return err
	}},
	{"GetMany", func(ctx context.Context, s kv.Store, key string) error {
		_, err := kv.GetMany(ctx, s, []string{"fine", key})
		return err
	}},
}

func TestBadKeysRejected(t *testing.T) {
	ctx := context.Background()

	for _, backend := range harness.Backends() {
		t.Run(backend.Name, func(t *testing.T) {
			store := backend.Open(t)
			probe := newWriteProbe(t, backend.Name, store)

			for _, bad := range badKeys {
				for _, op := range keyOps {
					err := op.call(ctx, store, bad.key)
					if !errors.Is(err, kv.ErrInvalidKey) {
						t.Errorf("%s of key %s: %v, want kv.ErrInvalidKey", op.name, bad.name, err)
					}

					if err != nil && len(bad.key) > 0 && !strings.Contains(err.Error(), kv.QuoteKey(bad.key)) {
						t.Errorf("%s of key %s: error %q does not quote the key", op.name, bad.name, err)
					}
				}
			}

			probe.requireUntouched(t)
		})
	}
}

// badTTLs are TTLs that every backend rejects.
var badTTLs = []struct {
	name string
	ttl  time.Duration
}{
	{"zero", 0},
	{"minus one nanosecond", -1},
	{"minus one hour", -time.Hour},
	{"most negative", math.MinInt64},
}

// ttlOps are the calls that take a TTL. Each one runs on a key that contains
// "old", so a write that slipped through shows up in the value.
var ttlOps = []struct {
	name string
	call func(ctx context.Context, s kv.Store, key string, ttl time.Duration) error
}{
	{"PutTTL", func(ctx context.Context, s kv.Store, key string, ttl time.Duration) error {
		return s.(kv.TTLStore).PutTTL(ctx, key, []byte("new"), ttl)
	}},
	{"PutIfAbsentTTL", func(ctx context.Context, s kv.Store, key string, ttl time.Duration) error {
		_, err := s.(kv.AtomicStore).PutIfAbsentTTL(ctx, key+".absent", []byte("new"), ttl)
		return err
	}},
	{"CompareAndSwapTTL", func(ctx context.Context, s kv.Store, key string, ttl time.Duration) error {
		_, err := s.(kv.AtomicStore).CompareAndSwapTTL(ctx, key, []byte("old"), []byte("new"), ttl)
		return err
	}},
}

func TestBadTTLsRejected(t *testing.T) {
	ctx := context.Background()

	for _, backend := range harness.Backends() {
		t.Run(backend.Name, func(t *testing.T) {
			store := backend.Open(t)

			if err := store.Put(ctx, "ttl", []byte("old")); err != nil {
				t.Fatalf("Put: %v", err)
			}

			for _, bad := range badTTLs {
				for _, op := range ttlOps {
					err := op.call(ctx, store, "ttl", bad.ttl)
					if !errors.Is(err, kv.ErrInvalidTTL) {
						t.Errorf("%s with TTL %s: %v, want kv.ErrInvalidTTL", op.name, bad.name, err)
					}
				}
			}

			if got, err := store.Get(ctx, "ttl"); err != nil || string(got) != "old" {
				t.Errorf("Get after the rejected writes = %q, %v; want \"old\"", got, err)
			}

			if got, err := store.Get(ctx, "ttl.absent"); !errors.Is(err, kv.ErrNotFound) {
				t.Errorf("Get of the key of a rejected PutIfAbsentTTL = %q, %v; want kv.ErrNotFound", got, err)
			}
		})
	}
}

// TestTTLBeyondBackend checks TTLs at the edge of what each backend can
// represent: each is either stored and readable at once, or rejected
// with kv.ErrInvalidTTL, never stored as already expired.
func TestTTLBeyondBackend(t *testing.T) {
	ctx := context.Background()

	// rejected lists, for each backend, the TTLs it cannot represent.
	// memcached keeps expiry times as signed 32-bit Unix seconds, which
	// end in 2038. bbolt keeps deadlines as int64 Unix nanoseconds, which
	// end in 2262. The memory store keeps int64 nanoseconds since it was
	// created. The Redis store adds a few milliseconds to every TTL, which
	// would overflow the longest time.Duration.
	century := 100 * 366 * 24 * time.Hour
	cases := []struct {
		name     string
		ttl      time.Duration
		rejected map[string]bool
	}{
		{"31 days", 31 * 24 * time.Hour, nil},
		{"one century", century, map[string]bool{"memcache": true}},
		{"longest duration", math.MaxInt64, map[string]bool{"memcache": true, "bolt": true, "redis": true, "redis-cluster": true, "memory": true}},
	}

	for _, backend := range harness.Backends() {
		t.Run(backend.Name, func(t *testing.T) {
			store := backend.Open(t)

			for _, c := range cases {
				key := "long." + strings.ReplaceAll(c.name, " ", "-")
				err := store.(kv.TTLStore).PutTTL(ctx, key, []byte("v"), c.ttl)

				if c.rejected[backend.Name] {
					if !errors.Is(err, kv.ErrInvalidTTL) {
						t.Errorf("PutTTL for %s: %v, want kv.ErrInvalidTTL", c.name, err)
					}

					if _, err := store.Get(ctx, key); !errors.Is(err, kv.ErrNotFound) {
						t.Errorf("Get after a rejected PutTTL for %s: %v, want kv.ErrNotFound", c.name, err)
					}

					continue
				}

				if err != nil {
					t.Errorf("PutTTL for %s: %v, want nil", c.name, err)
					continue
				}

				if got, err := store.Get(ctx, key); err != nil || string(got) != "v" {
					t.Errorf("Get after PutTTL for %s = %q, %v; want \"v\"", c.name, got, err)
				}
			}
		})
	}
}

// writeProbe detects whether anything reached a backend between its
// creation and requireUntouched. It reads the backend's own account: the
// listing for memory and bbolt, and the servers' command counters for
// Redis and memcached.
type writeProbe struct {
	backend string
	store   kv.Store
	before  map[string]int64
	addr    string
}

func newWriteProbe(t *testing.T, backend string, store kv.Store) *writeProbe {
	t.Helper()

	p := &writeProbe{backend: backend, store: store}

	// A first call opens the client's connection, whose handshake the
	// counters would otherwise include.
	if _, err := store.Get(context.Background(), "warm-up"); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("warm-up Get: %v", err)
	}

	switch backend {
	case "redis":
		p.addr = testserver.Redis(t)
		p.before = harness.RedisInfo(t, p.addr, "stats")
	case "memcache":
		p.addr = testserver.Memcached(t)
		p.before = harness.MemcachedStats(t, p.addr)
	}

	return p
}

// memcachedCounters are the memcached statistics that any command on a
// key raises.
var memcachedCounters = []string{"cmd_get", "cmd_set", "cmd_touch", "delete_hits", "delete_misses", "cas_misses", "cas_hits", "cas_badval", "get_misses", "incr_misses", "decr_misses"}

func (p *writeProbe) requireUntouched(t *testing.T) {
	t.Helper()

	switch p.backend {
	case "redis":
		// The INFO call that took the first reading is the only command
		// the server may have processed since.
		after := harness.RedisInfo(t, p.addr, "stats")
		if n := after["total_commands_processed"] - p.before["total_commands_processed"]; n != 1 {
			t.Errorf("redis processed %d commands besides INFO during the bad calls, want 0", n-1)
		}
	case "memcache":
		after := harness.MemcachedStats(t, p.addr)
		for _, name := range memcachedCounters {
			if n := after[name] - p.before[name]; n != 0 {
				t.Errorf("memcached counter %s rose by %d during the bad calls, want 0", name, n)
			}
		}
	default:
		for key, err := range kv.Keys(context.Background(), p.store, "") {
			t.Errorf("store has key %q (%v) after only bad calls, want none", key, err)
		}
	}
}
