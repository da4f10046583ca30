package memcache_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/memcache"
	gomemcache "github.com/bradfitz/gomemcache/memcache"
)

func TestMain(m *testing.M) {
	testserver.Main(m)
}

// testTimeout replaces gomemcache's default timeout of 500 ms in tests,
// because a single call can take longer on a loaded CI machine.
const testTimeout = 5 * time.Second

// newStore returns a Store on servers that is closed when t ends. A nil
// opts means the defaults, except for a Timeout of testTimeout.
func newStore(t *testing.T, servers []string, opts *memcache.Options) *memcache.Store {
	t.Helper()

	if opts == nil {
		opts = &memcache.Options{Timeout: testTimeout}
	}

	store, err := memcache.New(servers, opts)
	if err != nil {
		t.Fatalf("New(%v): %v", servers, err)
	}

	t.Cleanup(func() { _ = store.Close() })

	return store
}

// uniqueKey returns a key that no other test on the shared servers uses.
func uniqueKey(t *testing.T, name string) string {
	return fmt.Sprintf("%s/%d/%s", t.Name(), time.Now().UnixNano(), name)
}

// metaExpiry returns the seconds left before key expires on the memcached
// at addr, read with the meta debug command "me". memcached 1.6.18 reports
// that field as the current time minus the expiry, so the sign is flipped.
func metaExpiry(t *testing.T, addr, key string) int64 {
	t.Helper()

	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatalf("connect to %s: %v", addr, err)
	}
	defer conn.Close()

	if err := conn.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}

	if _, err := fmt.Fprintf(conn, "me %s\r\n", key); err != nil {
		t.Fatal(err)
	}

	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("read the reply to me %s: %v", key, err)
	}

	for _, field := range strings.Fields(line) {
		if value, ok := strings.CutPrefix(field, "exp="); ok {
			seconds, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				t.Fatalf("exp field in %q: %v", line, err)
			}

			return -seconds
		}
	}

	t.Fatalf("no exp field in the reply %q to me %s", line, key)

	return 0
}

func TestStoreIsNotLister(t *testing.T) {
	var store kv.Store = newStore(t, []string{testserver.Memcached(t)}, nil)

	if _, ok := store.(kv.Lister); ok {
		t.Fatal("memcache.Store implements kv.Lister, but memcached cannot list keys")
	}

	for _, err := range kv.Keys(t.Context(), store, "") {
		if !errors.Is(err, kv.ErrUnsupported) {
			t.Errorf("kv.Keys yielded %v, want ErrUnsupported", err)
		}
	}
}

func TestLongTTLReadable(t *testing.T) {
	addr := testserver.Memcached(t)
	store := newStore(t, []string{addr}, nil)
	key := uniqueKey(t, "31-days")

	if err := store.PutTTL(t.Context(), key, []byte("v"), 31*24*time.Hour); err != nil {
		t.Fatalf("PutTTL 31 days: %v", err)
	}

	got, err := store.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get after a 31-day PutTTL: %v", err)
	}

	if string(got) != "v" {
		t.Errorf("Get = %q, want %q", got, "v")
	}

	// The server must read the absolute expiry as 31 days from now, not
	// as a time in the past or a relative offset.
	const want = 31 * 24 * 60 * 60
	if left := metaExpiry(t, addr, key); left < want-5 || left > want+5 {
		t.Errorf("server reports %d s left, want about %d", left, want)
	}
}

func TestShortTTLRelativeOnServer(t *testing.T) {
	addr := testserver.Memcached(t)
	store := newStore(t, []string{addr}, nil)
	key := uniqueKey(t, "one-hour")

	if err := store.PutTTL(t.Context(), key, []byte("v"), time.Hour); err != nil {
		t.Fatalf("PutTTL 1 hour: %v", err)
	}

	if left := metaExpiry(t, addr, key); left < 3599 || left > 3602 {
		t.Errorf("server reports %d s left, want 3599 to 3602", left)
	}
}

func TestOneSecondTTLNeverEarly(t *testing.T) {
	store := newStore(t, []string{testserver.Memcached(t)}, nil)

	const keys = 20

	// The key must be gone within the TTL plus 2 s. The extra second is
	// slack for the time a Get takes on a loaded machine.
	const lateLimit = 4 * time.Second

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		failures []string
		shortest = time.Hour
		longest  time.Duration
	)

	for i := range keys {
		wg.Add(1)

		go func() {
			defer wg.Done()

			// Spread the puts over one second, so that they land at
			// different phases of the server's once-a-second clock.
			time.Sleep(time.Duration(i) * time.Second / keys)

			lived, err := lifetime(t.Context(), store, uniqueKey(t, strconv.Itoa(i)), time.Second)

			mu.Lock()
			defer mu.Unlock()

			if err == nil {
				shortest = min(shortest, lived)
				longest = max(longest, lived)
			}

			switch {
			case err != nil:
				failures = append(failures, fmt.Sprintf("key %d: %v", i, err))
			case lived < time.Second:
				failures = append(failures, fmt.Sprintf("key %d was gone %v after PutTTL was called, before its 1 s TTL", i, lived))
			case lived > lateLimit:
				failures = append(failures, fmt.Sprintf("key %d was still readable %v after PutTTL was called, past the 1 s TTL plus 2 s plus %v of slack", i, lived, lateLimit-3*time.Second))
			}
		}()
	}

	wg.Wait()

	t.Logf("%d keys with a 1 s TTL lived from %v to %v after PutTTL was called", keys, shortest, longest)

	for _, failure := range failures {
		t.Error(failure)
	}
}

// lifetime puts key with ttl and polls it until it is gone. It returns the
// time from the put's call to the return of the first read that found the
// key absent. Both ends are the ones that favour the store, so a lifetime
// under ttl proves the entry expired early, whatever the scheduler did.
func lifetime(ctx context.Context, store *memcache.Store, key string, ttl time.Duration) (time.Duration, error) {
	start := time.Now()

	if err := store.PutTTL(ctx, key, []byte("v"), ttl); err != nil {
		return 0, err
	}

	// The key must be gone by the TTL plus 2 s; the rest is slack for a
	// loaded machine.
	deadline := start.Add(ttl + 10*time.Second)

	for time.Now().Before(deadline) {
		_, err := store.Get(ctx, key)
		if errors.Is(err, kv.ErrNotFound) {
			return time.Since(start), nil
		}

		if err != nil {
			return 0, err
		}

		time.Sleep(10 * time.Millisecond)
	}

	return 0, fmt.Errorf("still readable %v after PutTTL with %v", time.Since(start), ttl)
}

func TestKeysSpreadAcrossPool(t *testing.T) {
	pool := testserver.MemcachedPool(t)
	store := newStore(t, pool, nil)

	const keys = 100

	written := make([]string, keys)
	for i := range keys {
		written[i] = uniqueKey(t, strconv.Itoa(i))
		if err := store.Put(t.Context(), written[i], []byte("v")); err != nil {
			t.Fatalf("Put %s: %v", written[i], err)
		}
	}

	total := 0

	for _, addr := range pool {
		single := newStore(t, []string{addr}, nil)

		values, err := single.GetMany(t.Context(), written)
		if err != nil {
			t.Fatalf("GetMany on %s: %v", addr, err)
		}

		found := 0
		for _, value := range values {
			if value != nil {
				found++
			}
		}

		if found == 0 {
			t.Errorf("server %s holds none of the %d keys", addr, keys)
		}

		total += found
	}

	if total != keys {
		t.Errorf("the servers hold %d keys in all, want each of the %d exactly once", total, keys)
	}

	values, err := store.GetMany(t.Context(), written)
	if err != nil {
		t.Fatalf("GetMany across the pool: %v", err)
	}

	for i, value := range values {
		if string(value) != "v" {
			t.Errorf("GetMany value %d = %q, want %q", i, value, "v")
		}
	}
}

func TestCallerClientOpenAfterClose(t *testing.T) {
	client := gomemcache.New(testserver.Memcached(t))

	store, err := memcache.NewFromClient(client, nil)
	if err != nil {
		t.Fatalf("NewFromClient: %v", err)
	}

	key := uniqueKey(t, "k")
	if err := store.Put(t.Context(), key, []byte("v")); err != nil {
		t.Fatalf("Put: %v", err)
	}

	if err := store.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	if err := store.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	item, err := client.Get(key)
	if err != nil {
		t.Fatalf("the caller's client failed after Close: %v", err)
	}

	if string(item.Value) != "v" {
		t.Errorf("client.Get = %q, want %q", item.Value, "v")
	}

	if _, err := store.Get(t.Context(), key); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}
}

func TestCancelledContextSendsNothing(t *testing.T) {
	store := newStore(t, []string{testserver.Memcached(t)}, nil)
	key := uniqueKey(t, "k")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	if err := store.Put(ctx, key, []byte("v")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with a cancelled context = %v, want context.Canceled", err)
	}

	if _, err := store.PutIfAbsent(ctx, key, []byte("v")); !errors.Is(err, context.Canceled) {
		t.Errorf("PutIfAbsent with a cancelled context = %v, want context.Canceled", err)
	}

	if _, err := store.Get(t.Context(), key); !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("Get after the cancelled writes = %v, want ErrNotFound", err)
	}
}

func TestCancelDuringHungCall(t *testing.T) {
	server := testserver.StartMemcached(t, testserver.MemcachedConfig{})

	// A long client timeout, so that only the context can end the call.
	store := newStore(t, []string{server.Addr()}, &memcache.Options{Timeout: 30 * time.Second})

	if err := store.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}

	server.Pause(t)

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()

	done := make(chan error, 1)

	go func() {
		_, err := store.Get(ctx, "hung")
		done <- err
	}()

	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Get on a hung server = %v, want context.DeadlineExceeded", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("Get on a hung server did not return 10 s after its context expired")
	}

	// Let the abandoned call finish, so that Close does not wait for it.
	server.Resume(t)
}

func TestDeadServerNotNotFound(t *testing.T) {
	server := testserver.StartMemcached(t, testserver.MemcachedConfig{})
	store := newStore(t, []string{server.Addr()}, nil)

	if err := store.Put(t.Context(), "k", []byte("v")); err != nil {
		t.Fatalf("Put: %v", err)
	}

	server.Stop()

	_, err := store.Get(t.Context(), "k")
	if err == nil {
		t.Fatal("Get on a stopped server succeeded")
	}

	if errors.Is(err, kv.ErrNotFound) {
		t.Errorf("Get on a stopped server = %v, which matches ErrNotFound", err)
	}

	values, err := store.GetMany(t.Context(), []string{"k"})
	if err == nil || errors.Is(err, kv.ErrNotFound) {
		t.Errorf("GetMany on a stopped server = %v, %v; want an error other than ErrNotFound", values, err)
	}

	if err := store.Delete(t.Context(), "k"); err == nil {
		t.Error("Delete on a stopped server succeeded")
	}
}

func TestRestartLosesData(t *testing.T) {
	server := testserver.StartMemcached(t, testserver.MemcachedConfig{})
	store := newStore(t, []string{server.Addr()}, nil)

	if err := store.Put(t.Context(), "k", []byte("v")); err != nil {
		t.Fatalf("Put: %v", err)
	}

	server.Restart(t)

	// The first call after the restart may fail on a pooled connection
	// that the old process closed, so poll until the server responds.
	deadline := time.Now().Add(10 * time.Second)

	var err error
	for time.Now().Before(deadline) {
		_, err = store.Get(t.Context(), "k")
		if errors.Is(err, kv.ErrNotFound) {
			return
		}

		time.Sleep(50 * time.Millisecond)
	}

	t.Fatalf("Get after a restart = %v, want ErrNotFound", err)
}

func TestValueSizeBoundary(t *testing.T) {
	store := newStore(t, []string{testserver.Memcached(t)}, nil)
	limit := store.MaxValueSize()

	if limit != 1_048_267 {
		t.Errorf("MaxValueSize = %d, want 1048267 at the default item size", limit)
	}

	// The longest key makes the largest item, so it checks the limit
	// against the real server.
	key := uniqueKey(t, "")
	key += strings.Repeat("k", kv.MaxKeyLen-len(key))

	if err := store.Put(t.Context(), key, bytes.Repeat([]byte("x"), limit)); err != nil {
		t.Fatalf("Put of %d bytes under a 250-byte key: %v", limit, err)
	}

	err := store.Put(t.Context(), key, bytes.Repeat([]byte("y"), limit+1))
	if !errors.Is(err, kv.ErrValueTooLarge) {
		t.Fatalf("Put of %d bytes = %v, want ErrValueTooLarge", limit+1, err)
	}

	for _, size := range []string{strconv.Itoa(limit + 1), strconv.Itoa(limit)} {
		if !strings.Contains(err.Error(), size) {
			t.Errorf("error %q does not contain %s", err, size)
		}
	}

	got, err := store.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get after the rejected Put: %v", err)
	}

	if len(got) != limit || got[0] != 'x' {
		t.Errorf("Get after the rejected Put returned %d bytes starting %q, want the old value", len(got), got[:1])
	}
}

func TestServerTooLargeMapped(t *testing.T) {
	// The store is set up for 2 MiB items, but the server keeps the default
	// of 1 MiB, so the server rejects the value.
	store := newStore(t, []string{testserver.Memcached(t)}, &memcache.Options{MaxItemSize: 2 << 20, Timeout: testTimeout})
	key := uniqueKey(t, "k")

	err := store.Put(t.Context(), key, make([]byte, 1_500_000))
	if !errors.Is(err, kv.ErrValueTooLarge) {
		t.Fatalf("Put of 1.5 MB to a 1 MiB server = %v, want ErrValueTooLarge", err)
	}

	if err := store.Put(t.Context(), key, []byte("small")); err != nil {
		t.Errorf("Put after the rejected one: %v", err)
	}
}

func TestNamespaceKeyBudget(t *testing.T) {
	addr := testserver.Memcached(t)
	namespace := uniqueKey(t, "")
	store := newStore(t, []string{addr}, &memcache.Options{Namespace: namespace, Timeout: testTimeout})
	longest := strings.Repeat("k", kv.MaxKeyLen-len(namespace))

	if err := store.Put(t.Context(), longest, []byte("v")); err != nil {
		t.Fatalf("Put of a %d-byte key under a %d-byte namespace: %v", len(longest), len(namespace), err)
	}

	item, err := gomemcache.New(addr).Get(namespace + longest)
	if err != nil {
		t.Fatalf("the server has no item under the namespaced key: %v", err)
	}

	if string(item.Value) != "v" {
		t.Errorf("namespaced item = %q, want %q", item.Value, "v")
	}

	err = store.Put(t.Context(), longest+"k", []byte("v"))
	if !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("Put of a key one byte over the budget = %v, want ErrInvalidKey", err)
	}
}

func TestInvalidKeyRejected(t *testing.T) {
	store := newStore(t, []string{testserver.Memcached(t)}, nil)

	for _, key := range []string{"", "a b", "a\n", strings.Repeat("k", kv.MaxKeyLen+1), "caf\xc3\xa9"} {
		if err := store.Put(t.Context(), key, []byte("v")); !errors.Is(err, kv.ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
		}

		if _, err := store.Get(t.Context(), key); !errors.Is(err, kv.ErrInvalidKey) {
			t.Errorf("Get(%q) = %v, want ErrInvalidKey", key, err)
		}

		if _, err := store.GetMany(t.Context(), []string{"ok", key}); !errors.Is(err, kv.ErrInvalidKey) {
			t.Errorf("GetMany with %q = %v, want ErrInvalidKey", key, err)
		}
	}
}

func TestCompareAndSwapCases(t *testing.T) {
	store := newStore(t, []string{testserver.Memcached(t)}, nil)
	key := uniqueKey(t, "k")

	swapped, err := store.CompareAndSwap(t.Context(), key, []byte("a"), []byte("b"))
	if swapped || !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("CompareAndSwap on an absent key = %v, %v; want false, ErrNotFound", swapped, err)
	}

	if err := store.Put(t.Context(), key, []byte("a")); err != nil {
		t.Fatal(err)
	}

	swapped, err = store.CompareAndSwap(t.Context(), key, []byte("x"), []byte("b"))
	if swapped || err != nil {
		t.Errorf("CompareAndSwap with a wrong old value = %v, %v; want false, nil", swapped, err)
	}

	if got, _ := store.Get(t.Context(), key); string(got) != "a" {
		t.Errorf("value after the losing swap = %q, want %q", got, "a")
	}

	swapped, err = store.CompareAndSwapTTL(t.Context(), key, []byte("a"), []byte("b"), time.Hour)
	if !swapped || err != nil {
		t.Fatalf("CompareAndSwapTTL with the right old value = %v, %v; want true, nil", swapped, err)
	}

	if got, _ := store.Get(t.Context(), key); string(got) != "b" {
		t.Errorf("value after the swap = %q, want %q", got, "b")
	}
}

func TestConcurrentSwapsOneWins(t *testing.T) {
	store := newStore(t, []string{testserver.Memcached(t)}, &memcache.Options{MaxIdleConns: 16, Timeout: testTimeout})
	key := uniqueKey(t, "k")

	if err := store.Put(t.Context(), key, []byte("start")); err != nil {
		t.Fatal(err)
	}

	const writers = 16

	var (
		wg   sync.WaitGroup
		wins sync.Map
	)

	for i := range writers {
		wg.Add(1)

		go func() {
			defer wg.Done()

			swapped, err := store.CompareAndSwap(t.Context(), key, []byte("start"), []byte(strconv.Itoa(i)))
			if err != nil {
				t.Errorf("writer %d: %v", i, err)
			}

			if swapped {
				wins.Store(i, true)
			}
		}()
	}

	wg.Wait()

	winners := 0
	wins.Range(func(any, any) bool {
		winners++
		return true
	})

	if winners != 1 {
		t.Errorf("%d of %d concurrent swaps won, want exactly 1", winners, writers)
	}
}

func TestOptionsRejected(t *testing.T) {
	addr := testserver.Memcached(t)

	tests := []struct {
		name string
		opts memcache.Options
	}{
		{"negative timeout", memcache.Options{Timeout: -time.Second}},
		{"negative idle connections", memcache.Options{MaxIdleConns: -1}},
		{"namespace with space", memcache.Options{Namespace: "a b"}},
		{"namespace of 250 bytes", memcache.Options{Namespace: strings.Repeat("n", kv.MaxKeyLen)}},
		{"item size below 1 KiB", memcache.Options{MaxItemSize: 1000}},
		{"item size above 1 GiB", memcache.Options{MaxItemSize: 2 << 30}},
	}

	for _, tt := range tests {
		if _, err := memcache.New([]string{addr}, &tt.opts); err == nil {
			t.Errorf("%s: New accepted %+v", tt.name, tt.opts)
		}
	}

	if _, err := memcache.New(nil, nil); err == nil {
		t.Error("New accepted an empty server list")
	}

	if _, err := memcache.NewFromClient(nil, nil); err == nil {
		t.Error("NewFromClient accepted a nil client")
	}
}

func TestGetManyDuplicateKeysNotAliased(t *testing.T) {
	store := newStore(t, []string{testserver.Memcached(t)}, nil)
	key := uniqueKey(t, "k")

	if err := store.Put(t.Context(), key, []byte("v")); err != nil {
		t.Fatal(err)
	}

	values, err := store.GetMany(t.Context(), []string{key, key})
	if err != nil {
		t.Fatalf("GetMany: %v", err)
	}

	values[0][0] = 'X'

	if string(values[1]) != "v" {
		t.Errorf("changing the first result changed the second to %q", values[1])
	}
}
