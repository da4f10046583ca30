package memory_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/memory"
)

// newStore returns a store with opts that the test closes when it ends.
func newStore(t *testing.T, opts *memory.Options) *memory.Store {
	t.Helper()

	s := memory.New(opts)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})

	return s
}

// waitUntil polls cond until it returns true, and fails the test when it
// has not within 10 seconds, which is far longer than any wait here needs.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()

	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}

		time.Sleep(time.Millisecond)
	}
}

// waitExpired waits until key, written with a TTL, can no longer be read.
func waitExpired(t *testing.T, s *memory.Store, key string) {
	t.Helper()

	waitUntil(t, key+" expired", func() bool {
		_, err := s.Get(context.Background(), key)
		return errors.Is(err, kv.ErrNotFound)
	})
}

func mustGet(t *testing.T, s *memory.Store, key string) []byte {
	t.Helper()

	value, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}

	return value
}

func mustPut(t *testing.T, s *memory.Store, key, value string) {
	t.Helper()

	if err := s.Put(context.Background(), key, []byte(value)); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func mustPutTTL(t *testing.T, s *memory.Store, key, value string, ttl time.Duration) {
	t.Helper()

	if err := s.PutTTL(context.Background(), key, []byte(value), ttl); err != nil {
		t.Fatalf("PutTTL(%q, %v): %v", key, ttl, err)
	}
}

func TestGetPutDelete(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, nil)

	_, err := s.Get(ctx, "k")
	if !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("Get of absent key: %v, want ErrNotFound", err)
	}

	if !strings.Contains(err.Error(), `"k"`) {
		t.Errorf("not-found error %q does not name the key", err)
	}

	mustPut(t, s, "k", "v1")
	mustPut(t, s, "k", "v2")

	if got := mustGet(t, s, "k"); string(got) != "v2" {
		t.Fatalf("Get after overwrite = %q, want v2", got)
	}

	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatalf("Delete: %v", err)
	}

	if _, err := s.Get(ctx, "k"); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
	}

	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatalf("Delete of absent key: %v", err)
	}
}

func TestValueNotAliased(t *testing.T) {
	s := newStore(t, nil)

	in := []byte("abc")
	if err := s.Put(context.Background(), "k", in); err != nil {
		t.Fatal(err)
	}

	in[0] = 'X'

	out := mustGet(t, s, "k")
	if string(out) != "abc" {
		t.Fatalf("Get after changing the Put slice = %q, want abc", out)
	}

	out[0] = 'Y'

	if again := mustGet(t, s, "k"); string(again) != "abc" {
		t.Fatalf("Get after changing the returned slice = %q, want abc", again)
	}
}

func TestEmptyValue(t *testing.T) {
	s := newStore(t, nil)

	for _, value := range [][]byte{nil, {}} {
		if err := s.Put(context.Background(), "k", value); err != nil {
			t.Fatal(err)
		}

		got := mustGet(t, s, "k")
		if got == nil || len(got) != 0 {
			t.Fatalf("Get of value %#v = %#v, want empty non-nil slice", value, got)
		}
	}
}

func TestInvalidKeyRejected(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, nil)

	for _, key := range []string{"", "a b", "a\n", "\x7f", "é", strings.Repeat("k", kv.MaxKeyLen+1)} {
		checks := map[string]error{
			"Get":    func() error { _, err := s.Get(ctx, key); return err }(),
			"Put":    s.Put(ctx, key, []byte("v")),
			"PutTTL": s.PutTTL(ctx, key, []byte("v"), time.Hour),
			"Delete": s.Delete(ctx, key),
		}

		for op, err := range checks {
			if !errors.Is(err, kv.ErrInvalidKey) {
				t.Errorf("%s(%q) = %v, want ErrInvalidKey", op, key, err)
			}
		}
	}

	if n := s.Len(); n != 0 {
		t.Fatalf("Len after invalid writes = %d, want 0", n)
	}

	if _, err := s.Get(ctx, strings.Repeat("k", kv.MaxKeyLen)); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("Get of a key of maximum length: %v, want ErrNotFound", err)
	}
}

func TestCancelledContextHasNoEffect(t *testing.T) {
	s := newStore(t, nil)
	mustPut(t, s, "k", "old")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	errs := map[string]error{
		"Put":         s.Put(ctx, "k", []byte("new")),
		"PutTTL":      s.PutTTL(ctx, "k", []byte("new"), time.Hour),
		"Delete":      s.Delete(ctx, "k"),
		"PutIfAbsent": func() error { _, err := s.PutIfAbsent(ctx, "other", nil); return err }(),
		"CompareAndSwap": func() error {
			_, err := s.CompareAndSwap(ctx, "k", []byte("old"), []byte("new"))
			return err
		}(),
		"Get":     func() error { _, err := s.Get(ctx, "k"); return err }(),
		"GetMany": func() error { _, err := s.GetMany(ctx, []string{"k"}); return err }(),
		"Reclaim": func() error { _, err := s.Reclaim(ctx); return err }(),
	}

	for op, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with cancelled context = %v, want context.Canceled", op, err)
		}
	}

	if got := mustGet(t, s, "k"); string(got) != "old" {
		t.Fatalf("value after cancelled writes = %q, want old", got)
	}

	if n := s.Len(); n != 1 {
		t.Fatalf("Len after cancelled writes = %d, want 1", n)
	}
}

func TestClosedStore(t *testing.T) {
	ctx := context.Background()
	s := memory.New(nil)
	mustPut(t, s, "k", "v")

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	errs := map[string]error{
		"Get":               func() error { _, err := s.Get(ctx, "k"); return err }(),
		"GetMany":           func() error { _, err := s.GetMany(ctx, []string{"k"}); return err }(),
		"Put":               s.Put(ctx, "k", nil),
		"PutTTL":            s.PutTTL(ctx, "k", nil, time.Hour),
		"Delete":            s.Delete(ctx, "k"),
		"PutIfAbsent":       func() error { _, err := s.PutIfAbsent(ctx, "k", nil); return err }(),
		"PutIfAbsentTTL":    func() error { _, err := s.PutIfAbsentTTL(ctx, "k", nil, time.Hour); return err }(),
		"CompareAndSwap":    func() error { _, err := s.CompareAndSwap(ctx, "k", nil, nil); return err }(),
		"CompareAndSwapTTL": func() error { _, err := s.CompareAndSwapTTL(ctx, "k", nil, nil, time.Hour); return err }(),
		"Reclaim":           func() error { _, err := s.Reclaim(ctx); return err }(),
	}

	for op, err := range errs {
		if !errors.Is(err, kv.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", op, err)
		}
	}

	var listErrs []error
	for _, err := range s.Keys(ctx, "") {
		listErrs = append(listErrs, err)
	}

	if len(listErrs) != 1 || !errors.Is(listErrs[0], kv.ErrClosed) {
		t.Fatalf("Keys after Close yielded %v, want one ErrClosed", listErrs)
	}
}

func TestCloseConcurrentCallers(t *testing.T) {
	s := memory.New(&memory.Options{ReclaimInterval: time.Millisecond})

	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)

		go func() {
			defer wg.Done()

			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		}()
	}

	wg.Wait()
}

func TestPutTTLInvalid(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, nil)
	mustPut(t, s, "k", "old")

	for _, ttl := range []time.Duration{0, -time.Nanosecond, -time.Hour, math.MinInt64} {
		if err := s.PutTTL(ctx, "k", []byte("new"), ttl); !errors.Is(err, kv.ErrInvalidTTL) {
			t.Errorf("PutTTL with TTL %v = %v, want ErrInvalidTTL", ttl, err)
		}

		if err := s.PutTTL(ctx, "absent", []byte("new"), ttl); !errors.Is(err, kv.ErrInvalidTTL) {
			t.Errorf("PutTTL of absent key with TTL %v = %v, want ErrInvalidTTL", ttl, err)
		}
	}

	if got := mustGet(t, s, "k"); string(got) != "old" {
		t.Fatalf("value after invalid PutTTL = %q, want old", got)
	}

	if n := s.Len(); n != 1 {
		t.Fatalf("Len after invalid PutTTL = %d, want 1", n)
	}
}

func TestPutTTLExpires(t *testing.T) {
	s := newStore(t, &memory.Options{ReclaimInterval: -1})
	mustPutTTL(t, s, "short", "v", 20*time.Millisecond)
	mustPutTTL(t, s, "long", "v", time.Hour)

	if got := mustGet(t, s, "short"); string(got) != "v" {
		t.Fatalf("Get right after PutTTL = %q, want v", got)
	}

	waitExpired(t, s, "short")

	if got := mustGet(t, s, "long"); string(got) != "v" {
		t.Fatalf("Get of long TTL = %q, want v", got)
	}
}

func TestPutTTLHuge(t *testing.T) {
	s := newStore(t, nil)
	mustPutTTL(t, s, "k", "v", 100*365*24*time.Hour)

	if got := mustGet(t, s, "k"); string(got) != "v" {
		t.Fatalf("Get with a 100-year TTL = %q, want v", got)
	}

	// A TTL that overflows the deadline must fail, not be cut short.
	ctx := context.Background()

	if err := s.PutTTL(ctx, "k", []byte("new"), math.MaxInt64); !errors.Is(err, kv.ErrInvalidTTL) {
		t.Errorf("PutTTL with the largest TTL = %v, want ErrInvalidTTL", err)
	}

	if _, err := s.PutIfAbsentTTL(ctx, "other", []byte("v"), math.MaxInt64); !errors.Is(err, kv.ErrInvalidTTL) {
		t.Errorf("PutIfAbsentTTL with the largest TTL = %v, want ErrInvalidTTL", err)
	}

	if got := mustGet(t, s, "k"); string(got) != "v" {
		t.Errorf("Get after a rejected PutTTL = %q, want the old value v", got)
	}
}

func TestPutRemovesTTL(t *testing.T) {
	s := newStore(t, &memory.Options{ReclaimInterval: time.Millisecond})
	ttl := 20 * time.Millisecond

	mustPutTTL(t, s, "k", "with ttl", ttl)
	mustPut(t, s, "k", "plain")

	// The marker is written after k's TTL began, so once it has expired,
	// so would k have.
	mustPutTTL(t, s, "marker", "v", ttl)
	waitExpired(t, s, "marker")

	if got := mustGet(t, s, "k"); string(got) != "plain" {
		t.Fatalf("Get after plain Put over a TTL = %q, want plain", got)
	}
}

func TestPutTTLAddsTTL(t *testing.T) {
	s := newStore(t, nil)
	mustPut(t, s, "k", "plain")
	mustPutTTL(t, s, "k", "with ttl", 20*time.Millisecond)

	if got := mustGet(t, s, "k"); string(got) != "with ttl" {
		t.Fatalf("Get after PutTTL = %q, want the new value", got)
	}

	waitExpired(t, s, "k")
}

func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, &memory.Options{ReclaimInterval: time.Millisecond, ReclaimLimit: 3})

	const workers, rounds = 8, 500

	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)

		go func() {
			defer wg.Done()

			own := []byte{byte('a' + w)}
			key := "w" + string(own)

			for i := range rounds {
				shared := "shared" + string(rune('0'+i%10))

				if err := s.Put(ctx, key, own); err != nil {
					t.Errorf("Put: %v", err)
					return
				}

				// A read after a write of the same goroutine sees it.
				got, err := s.Get(ctx, key)
				if err != nil || !bytes.Equal(got, own) {
					t.Errorf("Get(%q) = %q, %v; want %q", key, got, err, own)
					return
				}

				if err := s.PutTTL(ctx, shared, own, time.Millisecond); err != nil {
					t.Errorf("PutTTL: %v", err)
					return
				}

				if _, err := s.Get(ctx, shared); err != nil && !errors.Is(err, kv.ErrNotFound) {
					t.Errorf("Get(%q): %v", shared, err)
					return
				}

				if _, err := s.GetMany(ctx, []string{key, shared}); err != nil {
					t.Errorf("GetMany: %v", err)
					return
				}

				if _, err := s.PutIfAbsent(ctx, shared, own); err != nil {
					t.Errorf("PutIfAbsent: %v", err)
					return
				}

				for _, err := range s.Keys(ctx, "shared") {
					if err != nil {
						t.Errorf("Keys: %v", err)
						return
					}
				}

				if i%50 == 0 {
					if _, err := s.Reclaim(ctx); err != nil {
						t.Errorf("Reclaim: %v", err)
						return
					}
				}

				if err := s.Delete(ctx, shared); err != nil {
					t.Errorf("Delete: %v", err)
					return
				}
			}
		}()
	}

	wg.Wait()
}
