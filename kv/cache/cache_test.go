package cache_test

import (
	"context"
	"errors"
	"log/slog"

	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/cache"
	"github.com/anykv/anykv/kv/internal/mapstore"
)

// errFastStore is the failure that failingStore injects.
var errFastStore = errors.New("fast store unavailable")

// failingStore is a fast store whose calls fail while failing is set.
type failingStore struct {
	*mapstore.Store
	failing atomic.Bool
}

func (f *failingStore) Get(ctx context.Context, key string) ([]byte, error) {
	if f.failing.Load() {
		return nil, errFastStore
	}

	return f.Store.Get(ctx, key)
}

func (f *failingStore) Delete(ctx context.Context, key string) error {
	if f.failing.Load() {
		return errFastStore
	}

	return f.Store.Delete(ctx, key)
}

func (f *failingStore) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if f.failing.Load() {
		return errFastStore
	}

	return f.Store.PutTTL(ctx, key, value, ttl)
}

func newCache(t *testing.T, fast kv.TTLStore, slow kv.Store, maxStaleness time.Duration) kv.Wrapper {
	t.Helper()

	c, err := cache.New(fast, slow, &cache.Options{MaxStaleness: maxStaleness, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("cache.New: %v", err)
	}

	return c
}

func wantValue(t *testing.T, s kv.Store, key, want string) {
	t.Helper()

	got, err := s.Get(t.Context(), key)
	if err != nil || string(got) != want {
		t.Fatalf("Get(%q) = %q, %v, want %q", key, got, err, want)
	}
}

// waitFor polls check until it returns true, and fails t if that takes
// longer than limit.
func waitFor(t *testing.T, limit time.Duration, what string, check func() bool) {
	t.Helper()

	deadline := time.Now().Add(limit)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %v", what, limit)
		}

		time.Sleep(5 * time.Millisecond)
	}
}

func TestCacheCapabilities(t *testing.T) {
	mapstore.CheckCapabilities(t, func(inner kv.Store) kv.Store {
		return newCache(t, mapstore.New(), inner, time.Minute)
	})
}

func TestNewRejectsBadOptions(t *testing.T) {
	s := mapstore.New()

	if _, err := cache.New(s, s, nil); !errors.Is(err, cache.ErrInvalidOptions) {
		t.Errorf("New with fast == slow = %v, want ErrInvalidOptions", err)
	}

	if _, err := cache.New(mapstore.New(), s, &cache.Options{MaxStaleness: -time.Second}); !errors.Is(err, cache.ErrInvalidOptions) {
		t.Errorf("New with negative MaxStaleness = %v, want ErrInvalidOptions", err)
	}
}

func TestReadThroughServesCopy(t *testing.T) {
	ctx := t.Context()
	fast, slow := mapstore.New(), mapstore.New()
	c := newCache(t, fast, slow, time.Hour)

	if err := slow.Put(ctx, "k", []byte("v1")); err != nil {
		t.Fatal(err)
	}

	wantValue(t, c, "k", "v1")

	if fast.Len() != 1 {
		t.Fatalf("fast store has %d entries after a miss, want 1", fast.Len())
	}

	// A write made elsewhere is not seen while the copy is fresh.
	if err := slow.Put(ctx, "k", []byte("v2")); err != nil {
		t.Fatal(err)
	}

	wantValue(t, c, "k", "v1")
}

func TestWriteElsewhereSeenAfterMaxStaleness(t *testing.T) {
	ctx := t.Context()
	slow := mapstore.New()
	c := newCache(t, mapstore.New(), slow, 100*time.Millisecond)

	_ = slow.Put(ctx, "k", []byte("v1"))
	wantValue(t, c, "k", "v1")
	_ = slow.Put(ctx, "k", []byte("v2"))

	waitFor(t, 5*time.Second, "cache serves the slow store's new value", func() bool {
		got, err := c.Get(ctx, "k")
		return err == nil && string(got) == "v2"
	})
}

func TestWritesInvalidate(t *testing.T) {
	ctx := t.Context()
	c := newCache(t, mapstore.New(), mapstore.New(), time.Hour)
	a := c.(kv.AtomicStore)

	steps := []struct {
		name  string
		write func() error
		want  string // "" means absent
	}{
		{"Put", func() error { return c.Put(ctx, "k", []byte("put")) }, "put"},
		{"PutTTL", func() error { return c.(kv.TTLStore).PutTTL(ctx, "k", []byte("ttl"), time.Hour) }, "ttl"},
		{"CompareAndSwap", func() error {
			_, err := a.CompareAndSwap(ctx, "k", []byte("ttl"), []byte("cas"))
			return err
		}, "cas"},
		{"CompareAndSwapTTL", func() error {
			_, err := a.CompareAndSwapTTL(ctx, "k", []byte("cas"), []byte("casttl"), time.Hour)
			return err
		}, "casttl"},
		{"Delete", func() error { return c.Delete(ctx, "k") }, ""},
		{"PutIfAbsent", func() error {
			_, err := a.PutIfAbsent(ctx, "k", []byte("pia"))
			return err
		}, "pia"},
		{"DeleteAgain", func() error { return c.Delete(ctx, "k") }, ""},
		{"PutIfAbsentTTL", func() error {
			_, err := a.PutIfAbsentTTL(ctx, "k", []byte("piattl"), time.Hour)
			return err
		}, "piattl"},
	}

	for _, step := range steps {
		// Read first, so that the cache holds a copy to invalidate.
		_, _ = c.Get(ctx, "k")

		if err := step.write(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}

		got, err := c.Get(ctx, "k")
		if step.want == "" {
			if !errors.Is(err, kv.ErrNotFound) {
				t.Errorf("after %s: Get = %q, %v, want ErrNotFound", step.name, got, err)
			}

			continue
		}

		if err != nil || string(got) != step.want {
			t.Errorf("after %s: Get = %q, %v, want %q", step.name, got, err, step.want)
		}
	}
}

// With MaxStaleness at an hour, only the recorded expiry can stop the copy
// from being served.
func TestTTLCopyNotServedAfterExpiry(t *testing.T) {
	ctx := t.Context()
	c := newCache(t, mapstore.New(), mapstore.New(), time.Hour)
	ttl := 200 * time.Millisecond

	if err := c.(kv.TTLStore).PutTTL(ctx, "k", []byte("v"), ttl); err != nil {
		t.Fatal(err)
	}

	wantValue(t, c, "k", "v")
	wantValue(t, c, "k", "v")

	waitFor(t, ttl+5*time.Second, "TTL entry expires through the cache", func() bool {
		_, err := c.Get(ctx, "k")
		return errors.Is(err, kv.ErrNotFound)
	})
}

func TestFailingFastStoreFallsThrough(t *testing.T) {
	ctx := t.Context()
	fast := &failingStore{Store: mapstore.New()}
	slow := mapstore.New()
	c := newCache(t, fast, slow, time.Hour)

	_ = slow.Put(ctx, "k", []byte("v1"))
	wantValue(t, c, "k", "v1")

	// The invalidation fails, so the stale copy stays in the fast store.
	fast.failing.Store(true)

	if err := c.Put(ctx, "k", []byte("v2")); err != nil {
		t.Fatalf("Put with a failing fast store: %v", err)
	}

	wantValue(t, c, "k", "v2")

	// The fast store works again but still holds v1; the cache must not
	// serve it.
	fast.failing.Store(false)

	stale, err := fast.Store.Get(ctx, "k")
	if err != nil || len(stale) == 0 {
		t.Fatalf("fast store lost the stale entry (%v), so the test proves nothing", err)
	}

	wantValue(t, c, "k", "v2")
	wantValue(t, c, "k", "v2")

	_ = slow.Put(ctx, "k", []byte("v3"))
	wantValue(t, c, "k", "v2") // cached again after the repair
}

func TestFailingFastStoreGet(t *testing.T) {
	ctx := t.Context()
	fast := &failingStore{Store: mapstore.New()}
	slow := mapstore.New()
	c := newCache(t, fast, slow, time.Hour)

	fast.failing.Store(true)
	_ = slow.Put(ctx, "k", []byte("v"))

	wantValue(t, c, "k", "v")

	values, err := c.(kv.BatchGetter).GetMany(ctx, []string{"k", "absent"})
	if err != nil || string(values[0]) != "v" || values[1] != nil {
		t.Errorf("GetMany = %q, %v", values, err)
	}
}

func TestGetManyMixesHitsAndMisses(t *testing.T) {
	ctx := t.Context()
	fast, slow := mapstore.New(), mapstore.New()
	c := newCache(t, fast, slow, time.Hour)

	_ = slow.Put(ctx, "a", []byte("1"))
	_ = slow.Put(ctx, "b", []byte(""))
	wantValue(t, c, "a", "1")

	values, err := c.(kv.BatchGetter).GetMany(ctx, []string{"a", "b", "c", "a"})
	if err != nil {
		t.Fatal(err)
	}

	if string(values[0]) != "1" || values[1] == nil || len(values[1]) != 0 || values[2] != nil || string(values[3]) != "1" {
		t.Errorf("GetMany = %q, want [1, empty, nil, 1]", values)
	}

	if fast.Len() != 2 {
		t.Errorf("fast store has %d entries, want 2 (a and b)", fast.Len())
	}

	if _, err := c.(kv.BatchGetter).GetMany(ctx, []string{"a", "bad key"}); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("GetMany with an invalid key = %v, want ErrInvalidKey", err)
	}
}

// Readers that race a writer must never put an old value back into the
// fast store after the writer's invalidation: every read that starts
// after a Put returned must see that Put.
func TestReadAfterWriteUnderRace(t *testing.T) {
	ctx := t.Context()
	c := newCache(t, mapstore.New(), mapstore.New(), time.Hour)

	var wg sync.WaitGroup
	stop := make(chan struct{})

	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()

			for {
				select {
				case <-stop:
					return
				default:
					_, _ = c.Get(ctx, "k")
				}
			}
		}()
	}

	for i := range 2000 {
		want := strconv.Itoa(i)
		if err := c.Put(ctx, "k", []byte(want)); err != nil {
			t.Fatal(err)
		}

		got, err := c.Get(ctx, "k")
		if err != nil || string(got) != want {
			close(stop)
			wg.Wait()
			t.Fatalf("Get after Put(%s) = %q, %v", want, got, err)
		}
	}

	close(stop)
	wg.Wait()
}

func TestInvalidKeyAndTTL(t *testing.T) {
	ctx := t.Context()
	fast := mapstore.New()
	c := newCache(t, fast, mapstore.New(), time.Hour)

	if _, err := c.Get(ctx, "bad key"); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("Get(bad key) = %v, want ErrInvalidKey", err)
	}

	if err := c.Put(ctx, "", nil); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("Put(empty key) = %v, want ErrInvalidKey", err)
	}

	if err := c.(kv.TTLStore).PutTTL(ctx, "k", nil, 0); !errors.Is(err, kv.ErrInvalidTTL) {
		t.Errorf("PutTTL(0) = %v, want ErrInvalidTTL", err)
	}
}

func TestCloseLeavesStoresOpen(t *testing.T) {
	ctx := t.Context()
	fast, slow := mapstore.New(), mapstore.New()
	c := newCache(t, fast, slow, time.Hour)

	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	if _, err := c.Get(ctx, "k"); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}

	if err := c.Put(ctx, "k", nil); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("Put after Close = %v, want ErrClosed", err)
	}

	for i, s := range []kv.Store{fast, slow} {
		if err := s.Put(ctx, "k", nil); err != nil {
			t.Errorf("store %d: Put after cache Close = %v, want nil", i, err)
		}
	}
}

func TestCancelledContextNoEffect(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()

	slow := mapstore.New()
	c := newCache(t, mapstore.New(), slow, time.Hour)

	if err := c.Put(cancelled, "k", []byte("v")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with cancelled context = %v, want context.Canceled", err)
	}

	if _, err := slow.Get(t.Context(), "k"); !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("slow store after cancelled Put: %v, want ErrNotFound", err)
	}
}

// A conditional write that loses changes nothing, so the expiry recorded
// by the earlier PutTTL must survive it.
func TestLosingConditionalWriteKeepsExpiry(t *testing.T) {
	ctx := t.Context()
	c := newCache(t, mapstore.New(), mapstore.New(), time.Hour)
	a := c.(kv.AtomicStore)
	ttl := 200 * time.Millisecond

	if err := c.(kv.TTLStore).PutTTL(ctx, "k", []byte("v"), ttl); err != nil {
		t.Fatal(err)
	}

	if stored, err := a.PutIfAbsent(ctx, "k", []byte("other")); err != nil || stored {
		t.Fatalf("PutIfAbsent on a present key = %v, %v, want false", stored, err)
	}

	if swapped, err := a.CompareAndSwap(ctx, "k", []byte("wrong"), []byte("other")); err != nil || swapped {
		t.Fatalf("CompareAndSwap with a wrong old value = %v, %v, want false", swapped, err)
	}

	wantValue(t, c, "k", "v")

	waitFor(t, ttl+5*time.Second, "TTL entry expires through the cache", func() bool {
		_, err := c.Get(ctx, "k")
		return errors.Is(err, kv.ErrNotFound)
	})
}

// lateStore expires entries late by its lateness, as a store with a coarse
// TTL granularity does.
type lateStore struct {
	*mapstore.Store
	lateness time.Duration
}

func (s lateStore) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.Store.PutTTL(ctx, key, value, ttl+s.lateness)
}

// The slow store still returns the value shortly after the expiry the
// cache recorded. The cache must not keep that late value as if it had no
// TTL.
func TestLateExpiryNotCached(t *testing.T) {
	ctx := t.Context()
	slow := lateStore{Store: mapstore.New(), lateness: 300 * time.Millisecond}
	c := newCache(t, mapstore.New(), slow, time.Hour)
	ttl := 100 * time.Millisecond

	if err := c.(kv.TTLStore).PutTTL(ctx, "k", []byte("v"), ttl); err != nil {
		t.Fatal(err)
	}

	waitFor(t, ttl+slow.lateness+5*time.Second, "late TTL entry expires through the cache", func() bool {
		_, err := c.Get(ctx, "k")
		return errors.Is(err, kv.ErrNotFound)
	})
}
