package redis_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/redis"
)

// listKeys collects a listing and fails t on an error.
func listKeys(t *testing.T, store kv.Lister, prefix string) []string {
	t.Helper()

	var keys []string
	for key, err := range store.Keys(context.Background(), prefix) {
		if err != nil {
			t.Fatalf("Keys(%q): %v", prefix, err)
		}
		keys = append(keys, key)
	}
	slices.Sort(keys)

	return keys
}

func TestKeysPatternBytesAreLiteral(t *testing.T) {
	ctx := context.Background()
	store := newStore(t, serverClient(t), &redis.Options{Namespace: uniqueNamespace(t)})

	for _, key := range []string{"a*", "ab", "a?", "a[b]", "ac]", `a\`, `a\b`, "b"} {
		if err := store.Put(ctx, key, []byte("v")); err != nil {
			t.Fatalf("Put(%q): %v", key, err)
		}
	}

	cases := map[string][]string{
		"a*":  {"a*"},
		"a?":  {"a?"},
		"a[":  {"a[b]"},
		"a[b": {"a[b]"},
		"ac]": {"ac]"},
		`a\`:  {`a\`, `a\b`},
		"a":   {"a*", "a?", "a[b]", `a\`, `a\b`, "ab", "ac]"},
		"":    {"a*", "a?", "a[b]", `a\`, `a\b`, "ab", "ac]", "b"},
	}
	for prefix, want := range cases {
		slices.Sort(want)
		if got := listKeys(t, store, prefix); !slices.Equal(got, want) {
			t.Errorf("Keys(%q) = %q, want %q", prefix, got, want)
		}
	}
}

func TestKeysNamespaceWithPatternBytes(t *testing.T) {
	ctx := context.Background()
	client := serverClient(t)
	namespace := uniqueNamespace(t)
	store := newStore(t, client, &redis.Options{Namespace: namespace + "*["})

	if err := store.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}

	// This key would match the namespace if '*' and '[' were read as a
	// pattern.
	outside := namespace + "x[k"
	if err := client.Set(ctx, outside, "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Del(context.Background(), outside) })

	if got := listKeys(t, store, ""); !slices.Equal(got, []string{"k"}) {
		t.Fatalf("Keys = %q, want [k]", got)
	}
}

func TestNamespaceIsolation(t *testing.T) {
	ctx := context.Background()
	client := serverClient(t)
	base := uniqueNamespace(t)
	first := newStore(t, client, &redis.Options{Namespace: base + "one:"})
	second := newStore(t, client, &redis.Options{Namespace: base + "two:"})

	if err := first.Put(ctx, "k", []byte("first")); err != nil {
		t.Fatal(err)
	}

	if err := second.Put(ctx, "k", []byte("second")); err != nil {
		t.Fatal(err)
	}

	// A key written directly beside the namespaces, and one that starts
	// like a namespace but lacks its last byte.
	outsideKeys := []string{base + "k", base + "one"}
	for _, key := range outsideKeys {
		if err := client.Set(ctx, key, "outside", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { client.Del(context.Background(), outsideKeys...) })

	got, err := first.Get(ctx, "k")
	if err != nil || string(got) != "first" {
		t.Fatalf("first.Get = %q, %v, want first", got, err)
	}

	if keys := listKeys(t, first, ""); !slices.Equal(keys, []string{"k"}) {
		t.Errorf("first.Keys = %q, want [k]", keys)
	}

	if err := first.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}

	got, err = second.Get(ctx, "k")
	if err != nil || string(got) != "second" {
		t.Errorf("second.Get after first.Delete = %q, %v, want second", got, err)
	}

	for _, key := range outsideKeys {
		value, err := client.Get(ctx, key).Result()
		if err != nil || value != "outside" {
			t.Errorf("key %q outside the namespaces = %q, %v, want it untouched", key, value, err)
		}
	}

	if _, err := first.Get(ctx, "one"); !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("first.Get of a key outside its namespace = %v, want ErrNotFound", err)
	}
}

func TestInvalidNamespaceRejected(t *testing.T) {
	client := serverClient(t)

	for _, namespace := range []string{"with space:", "tab\t", strings.Repeat("n", kv.MaxKeyLen+1)} {
		_, err := redis.NewFromClient(client, &redis.Options{Namespace: namespace})
		if !errors.Is(err, kv.ErrInvalidKey) {
			t.Errorf("NewFromClient(namespace %q) = %v, want ErrInvalidKey", namespace, err)
		}
	}
}

func TestLongKeyInLongNamespace(t *testing.T) {
	ctx := context.Background()
	namespace := uniqueNamespace(t) + strings.Repeat("n", 200)
	store := newStore(t, serverClient(t), &redis.Options{Namespace: namespace})
	key := strings.Repeat("k", kv.MaxKeyLen)

	if err := store.Put(ctx, key, []byte("v")); err != nil {
		t.Fatalf("Put of a %d-byte key: %v", len(key), err)
	}

	if got := listKeys(t, store, ""); !slices.Equal(got, []string{key}) {
		t.Fatalf("Keys = %q, want the one long key", got)
	}
}

func TestClusterKeysFromAllMasters(t *testing.T) {
	ctx := context.Background()
	client := clusterClient(t)
	namespace := uniqueNamespace(t)
	store := newStore(t, client, &redis.Options{Namespace: namespace, ScanCount: 10})

	const n = 300
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("key-%03d", i)
		if err := store.Put(ctx, want[i], []byte("v")); err != nil {
			t.Fatal(err)
		}
	}

	// Count the keys each master holds, asking each one directly.
	var mu sync.Mutex
	perMaster := map[string]int{}
	err := client.ForEachMaster(ctx, func(ctx context.Context, master *goredis.Client) error {
		keys, err := master.Keys(ctx, namespace+"*").Result()
		if err != nil {
			return err
		}

		count := len(keys)
		addr := master.Options().Addr
		t.Logf("master %s holds %d of the keys", addr, count)

		if count > 0 {
			mu.Lock()
			perMaster[addr] = count
			mu.Unlock()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	if len(perMaster) != 3 {
		t.Fatalf("the keys landed on %d masters, want all 3: %v", len(perMaster), perMaster)
	}

	counts := map[string]int{}
	for key, err := range store.Keys(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		counts[key]++
	}

	for _, key := range want {
		if counts[key] != 1 {
			t.Errorf("key %q listed %d times, want once", key, counts[key])
		}
	}

	if len(counts) != n {
		t.Errorf("listed %d distinct keys, want %d", len(counts), n)
	}
}

func TestClusterKeysDeleteInsideLoop(t *testing.T) {
	ctx := context.Background()
	store := newStore(t, clusterClient(t), &redis.Options{Namespace: uniqueNamespace(t), ScanCount: 5})

	for i := range 100 {
		if err := store.Put(ctx, fmt.Sprintf("k%d", i), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}

	deleted := 0
	for key, err := range store.Keys(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}

		if err := store.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		deleted++
	}

	if deleted != 100 {
		t.Fatalf("deleted %d keys from inside the loop, want 100", deleted)
	}

	if left := listKeys(t, store, ""); len(left) != 0 {
		t.Fatalf("keys left after deleting all: %q", left)
	}
}

func TestClusterGetManyAcrossSlots(t *testing.T) {
	ctx := context.Background()
	client := clusterClient(t)
	namespace := uniqueNamespace(t)
	store := newStore(t, client, &redis.Options{Namespace: namespace})

	var keys []string
	want := map[string][]byte{}
	masters := map[string]bool{}
	for i := range 40 {
		key := fmt.Sprintf("m%d", i)
		keys = append(keys, key)

		switch i % 4 {
		case 0:
			// absent
		case 1:
			want[key] = []byte{}
		default:
			want[key] = []byte("value-" + key)
		}

		if value, ok := want[key]; ok {
			if err := store.Put(ctx, key, value); err != nil {
				t.Fatal(err)
			}

			master, err := client.MasterForKey(ctx, namespace+key)
			if err != nil {
				t.Fatal(err)
			}
			masters[master.Options().Addr] = true
		}
	}

	if len(masters) < 2 {
		t.Fatalf("the keys landed on %d masters, want several", len(masters))
	}

	// A key asked twice, and keys of one hash tag, which share a slot.
	keys = append(keys, "m2", "{tag}a", "{tag}b")
	want["{tag}a"] = []byte("tagged")
	if err := store.Put(ctx, "{tag}a", want["{tag}a"]); err != nil {
		t.Fatal(err)
	}

	values, err := store.GetMany(ctx, keys)
	if err != nil {
		t.Fatalf("GetMany: %v", err)
	}

	if len(values) != len(keys) {
		t.Fatalf("GetMany returned %d values for %d keys", len(values), len(keys))
	}

	for i, key := range keys {
		expected, present := want[key]
		switch {
		case !present && values[i] != nil:
			t.Errorf("GetMany value %d (%q) = %q, want nil for an absent key", i, key, values[i])
		case present && values[i] == nil:
			t.Errorf("GetMany value %d (%q) = nil, want %q", i, key, expected)
		case present && !bytes.Equal(values[i], expected):
			t.Errorf("GetMany value %d (%q) = %q, want %q", i, key, values[i], expected)
		}
	}
}

func TestEmptyValueIsNotNil(t *testing.T) {
	ctx := context.Background()

	for name, client := range map[string]goredis.UniversalClient{"server": serverClient(t), "cluster": clusterClient(t)} {
		store := newStore(t, client, &redis.Options{Namespace: uniqueNamespace(t)})

		if err := store.Put(ctx, "empty", []byte{}); err != nil {
			t.Fatal(err)
		}

		value, err := store.Get(ctx, "empty")
		if err != nil || value == nil || len(value) != 0 {
			t.Errorf("%s: Get of an empty value = %#v, %v, want []byte{}, nil", name, value, err)
		}

		values, err := store.GetMany(ctx, []string{"empty"})
		if err != nil || values[0] == nil || len(values[0]) != 0 {
			t.Errorf("%s: GetMany of an empty value = %#v, %v, want [[]byte{}]", name, values, err)
		}
	}
}

func TestInvalidCallsSendNothing(t *testing.T) {
	counter := &commandCounter{}
	client := goredis.NewClient(&goredis.Options{Addr: testserver.Redis(t)})
	client.AddHook(counter)
	t.Cleanup(func() { client.Close() })

	store := newStore(t, client, &redis.Options{Namespace: uniqueNamespace(t), MaxValueSize: 8})
	ctx := context.Background()

	if err := store.Put(ctx, "warm-up", []byte("v")); err != nil {
		t.Fatal(err)
	}
	before := counter.count.Load()

	for _, ttl := range []time.Duration{0, -time.Nanosecond, -time.Hour} {
		if err := store.PutTTL(ctx, "k", []byte("v"), ttl); !errors.Is(err, kv.ErrInvalidTTL) {
			t.Errorf("PutTTL(%v) = %v, want ErrInvalidTTL", ttl, err)
		}

		if _, err := store.PutIfAbsentTTL(ctx, "k", []byte("v"), ttl); !errors.Is(err, kv.ErrInvalidTTL) {
			t.Errorf("PutIfAbsentTTL(%v) = %v, want ErrInvalidTTL", ttl, err)
		}

		if _, err := store.CompareAndSwapTTL(ctx, "k", []byte("v"), []byte("w"), ttl); !errors.Is(err, kv.ErrInvalidTTL) {
			t.Errorf("CompareAndSwapTTL(%v) = %v, want ErrInvalidTTL", ttl, err)
		}
	}

	if err := store.Put(ctx, "bad key", []byte("v")); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("Put of an invalid key = %v, want ErrInvalidKey", err)
	}

	if _, err := store.GetMany(ctx, []string{"ok", "bad key"}); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("GetMany with an invalid key = %v, want ErrInvalidKey", err)
	}

	if err := store.Put(ctx, "big", []byte("123456789")); !errors.Is(err, kv.ErrValueTooLarge) {
		t.Errorf("Put of 9 bytes with an 8-byte limit = %v, want ErrValueTooLarge", err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	if err := store.Put(cancelled, "k", []byte("v")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context = %v, want context.Canceled", err)
	}

	if _, err := store.Get(cancelled, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a cancelled context = %v, want context.Canceled", err)
	}

	for _, err := range store.Keys(cancelled, "") {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Keys with a cancelled context = %v, want context.Canceled", err)
		}
	}

	if sent := counter.count.Load() - before; sent != 0 {
		t.Fatalf("invalid calls sent %d commands, want 0", sent)
	}
}

func TestValueTooLargeNamesSizes(t *testing.T) {
	ctx := context.Background()
	store := newStore(t, serverClient(t), &redis.Options{Namespace: uniqueNamespace(t), MaxValueSize: 1024})

	if err := store.Put(ctx, "k", []byte("old")); err != nil {
		t.Fatal(err)
	}

	err := store.Put(ctx, "k", make([]byte, 1025))
	if !errors.Is(err, kv.ErrValueTooLarge) {
		t.Fatalf("Put of 1025 bytes = %v, want ErrValueTooLarge", err)
	}

	for _, part := range []string{"1025", "1024", `"k"`} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not contain %s", err, part)
		}
	}

	if value, err := store.Get(ctx, "k"); err != nil || string(value) != "old" {
		t.Errorf("Get after the rejected Put = %q, %v, want old", value, err)
	}

	if err := store.Put(ctx, "k", make([]byte, 1024)); err != nil {
		t.Errorf("Put of exactly 1024 bytes: %v", err)
	}
}

func TestDeadServerIsNotNotFound(t *testing.T) {
	// A port that was free a moment ago has nothing listening.
	addr := net.JoinHostPort("127.0.0.1", fmt.Sprint(testserver.FreePort(t)))
	client := goredis.NewClient(&goredis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { client.Close() })
	store := newStore(t, client, nil)

	ctx := context.Background()
	check := func(op string, err error) {
		t.Helper()

		if err == nil {
			t.Errorf("%s on a dead server succeeded", op)
			return
		}

		if errors.Is(err, kv.ErrNotFound) {
			t.Errorf("%s on a dead server = %v, which matches ErrNotFound", op, err)
		}

		var opErr *net.OpError
		if !errors.As(err, &opErr) {
			t.Errorf("%s on a dead server = %v, want the connection failure as its cause", op, err)
		}
	}

	_, err := store.Get(ctx, "k")
	check("Get", err)
	if err != nil && !strings.Contains(err.Error(), `"k"`) {
		t.Errorf("Get error %q does not name the key", err)
	}

	check("Put", store.Put(ctx, "k", []byte("v")))
	check("Delete", store.Delete(ctx, "k"))

	_, err = store.GetMany(ctx, []string{"k", "l"})
	check("GetMany", err)

	_, err = store.PutIfAbsent(ctx, "k", []byte("v"))
	check("PutIfAbsent", err)

	_, err = store.CompareAndSwap(ctx, "k", []byte("v"), []byte("w"))
	check("CompareAndSwap", err)

	for _, err := range store.Keys(ctx, "") {
		check("Keys", err)
	}
}

func TestCallerClientUsableAfterClose(t *testing.T) {
	ctx := context.Background()
	client := serverClient(t)

	store, err := redis.NewFromClient(client, &redis.Options{Namespace: uniqueNamespace(t)})
	if err != nil {
		t.Fatal(err)
	}

	if err := store.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	if err := store.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("caller's client after Close: %v", err)
	}

	if _, err := store.Get(ctx, "k"); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("Get after Close = %v, want ErrClosed", err)
	}
}

func TestOwnClientClosedByClose(t *testing.T) {
	store, err := redis.New(&redis.Options{Client: &goredis.UniversalOptions{Addrs: []string{testserver.Redis(t)}}})
	if err != nil {
		t.Fatal(err)
	}

	if err := store.Client().Ping(context.Background()).Err(); err != nil {
		t.Fatalf("PING through the store's client: %v", err)
	}

	if err := store.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	if err := store.Client().Ping(context.Background()).Err(); !errors.Is(err, goredis.ErrClosed) {
		t.Fatalf("PING after Close = %v, want the client closed", err)
	}
}

func TestTTLSentInMilliseconds(t *testing.T) {
	ctx := context.Background()
	client := serverClient(t)
	namespace := uniqueNamespace(t)
	store := newStore(t, client, &redis.Options{Namespace: namespace})

	// A TTL below one millisecond must not reach the server as 0, which
	// it rejects.
	if err := store.PutTTL(ctx, "tiny", []byte("v"), time.Nanosecond); err != nil {
		t.Fatalf("PutTTL(1ns): %v", err)
	}

	if err := store.PutTTL(ctx, "hour", []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}

	ttl, err := client.PTTL(ctx, namespace+"hour").Result()
	if err != nil {
		t.Fatal(err)
	}

	// The store pads TTLs by a few milliseconds, and the check allows a
	// second for a slow machine between the two commands.
	if ttl < time.Hour-time.Second || ttl > time.Hour+10*time.Millisecond {
		t.Fatalf("PTTL after PutTTL(1h) = %v, want about 1h", ttl)
	}
}

func TestCompareAndSwapTTLHandling(t *testing.T) {
	ctx := context.Background()
	client := clusterClient(t)
	namespace := uniqueNamespace(t)
	store := newStore(t, client, &redis.Options{Namespace: namespace})

	if err := store.PutTTL(ctx, "k", []byte("a"), time.Hour); err != nil {
		t.Fatal(err)
	}

	swapped, err := store.CompareAndSwap(ctx, "k", []byte("a"), []byte("b"))
	if err != nil || !swapped {
		t.Fatalf("CompareAndSwap = %v, %v, want true", swapped, err)
	}

	if ttl := client.PTTL(ctx, namespace+"k").Val(); ttl != -1 {
		t.Errorf("PTTL after CompareAndSwap without TTL = %v, want -1 (no TTL)", ttl)
	}

	swapped, err = store.CompareAndSwapTTL(ctx, "k", []byte("b"), []byte("c"), time.Minute)
	if err != nil || !swapped {
		t.Fatalf("CompareAndSwapTTL = %v, %v, want true", swapped, err)
	}

	if ttl := client.PTTL(ctx, namespace+"k").Val(); ttl <= 0 || ttl > time.Minute+10*time.Millisecond {
		t.Errorf("PTTL after CompareAndSwapTTL(1m) = %v", ttl)
	}

	swapped, err = store.CompareAndSwap(ctx, "k", []byte("wrong"), []byte("d"))
	if err != nil || swapped {
		t.Errorf("CompareAndSwap with a wrong old value = %v, %v, want false, nil", swapped, err)
	}

	swapped, err = store.CompareAndSwap(ctx, "absent", []byte("a"), []byte("b"))
	if swapped || !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("CompareAndSwap of an absent key = %v, %v, want false, ErrNotFound", swapped, err)
	}

	// The script cache of a fresh server is empty, so this also covers the
	// fall back from EVALSHA to EVAL.
	if err := client.ForEachMaster(ctx, func(ctx context.Context, master *goredis.Client) error {
		return master.ScriptFlush(ctx).Err()
	}); err != nil {
		t.Fatal(err)
	}

	swapped, err = store.CompareAndSwap(ctx, "k", []byte("c"), []byte("e"))
	if err != nil || !swapped {
		t.Errorf("CompareAndSwap after SCRIPT FLUSH = %v, %v, want true", swapped, err)
	}
}

func TestCancelDuringCallReturns(t *testing.T) {
	ctx := context.Background()
	server := testserver.StartRedis(t, testserver.RedisConfig{})
	admin := goredis.NewClient(&goredis.Options{Addr: server.Addr()})
	t.Cleanup(func() { admin.Close() })

	// The long read timeout keeps go-redis itself from giving up first.
	client := goredis.NewClient(&goredis.Options{Addr: server.Addr(), ReadTimeout: 30 * time.Second})
	t.Cleanup(func() { client.Close() })

	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}

	sending := &sendSignal{sent: make(chan struct{}, 1)}
	client.AddHook(sending)
	store := newStore(t, client, nil)

	// The server holds every write until the pause ends, long after the
	// cancellation below. A store that waited for the reply would return
	// nil once the pause ends.
	if err := admin.Do(ctx, "client", "pause", "10000", "write").Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Do(context.Background(), "client", "unpause") })

	callCtx, cancel := context.WithCancel(ctx)
	go func() {
		<-sending.sent
		cancel()
	}()

	if err := store.Put(callCtx, "k", []byte("v")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put cancelled during a server pause = %v, want context.Canceled", err)
	}
}

// sendSignal is a go-redis hook that signals each command it is about to
// send.
type sendSignal struct {
	sent chan struct{}
}

func (h *sendSignal) DialHook(next goredis.DialHook) goredis.DialHook {
	return next
}

func (h *sendSignal) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		select {
		case h.sent <- struct{}{}:
		default:
		}
		return next(ctx, cmd)
	}
}

func (h *sendSignal) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return next
}

func TestKeysSkipsInvalidServerKeys(t *testing.T) {
	ctx := context.Background()
	client := serverClient(t)
	namespace := uniqueNamespace(t)
	store := newStore(t, client, &redis.Options{Namespace: namespace})

	if err := store.Put(ctx, "good", []byte("v")); err != nil {
		t.Fatal(err)
	}

	// Other programs can write keys in the namespace that no kv key can
	// be: the namespace alone, a space, a byte above '~', too many bytes.
	invalid := []string{namespace, namespace + "with space", namespace + "caf\xc3\xa9", namespace + strings.Repeat("k", kv.MaxKeyLen+1)}
	for _, key := range invalid {
		if err := client.Set(ctx, key, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { client.Del(context.Background(), invalid...) })

	if got := listKeys(t, store, ""); !slices.Equal(got, []string{"good"}) {
		t.Fatalf("Keys = %q, want only [good]", got)
	}
}
