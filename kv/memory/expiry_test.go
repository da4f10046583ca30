package memory_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/anykv/anykv/kv/memory"
)

// putExpiring writes n keys with a short TTL and waits until all of them
// have expired.
func putExpiring(t *testing.T, s *memory.Store, prefix string, n int) {
	t.Helper()

	ttl := 10 * time.Millisecond
	for i := range n {
		mustPutTTL(t, s, fmt.Sprintf("%s%d", prefix, i), "v", ttl)
	}

	// Written last with the same TTL, the marker expires last.
	mustPutTTL(t, s, prefix+"marker", "v", ttl)
	waitExpired(t, s, prefix+"marker")
}

// reclaimers returns how many background reclaimer goroutines exist. It
// counts them in a dump of every goroutine's stack, where each one that New
// started is listed as created by New, whether it has begun to run or not.
func reclaimers() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return bytes.Count(buf[:n], []byte("created by github.com/anykv/anykv/kv/memory.New"))
		}

		buf = make([]byte, 2*len(buf))
	}
}

// waitNoReclaimers waits until the reclaimers of stores that earlier tests
// closed or dropped have returned.
func waitNoReclaimers(t *testing.T) {
	t.Helper()

	waitUntil(t, "earlier reclaimers exited", func() bool {
		runtime.GC()
		return reclaimers() == 0
	})
}

func TestReclaimRemovesExpired(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, &memory.Options{ReclaimInterval: -1})

	for i := range 10 {
		mustPut(t, s, fmt.Sprintf("plain%d", i), "v")
		mustPutTTL(t, s, fmt.Sprintf("long%d", i), "v", time.Hour)
	}

	putExpiring(t, s, "short", 500)

	if n := s.Len(); n != 521 {
		t.Fatalf("Len before Reclaim = %d, want 521", n)
	}

	removed, err := s.Reclaim(ctx)
	if err != nil {
		t.Fatalf("Reclaim: %v", err)
	}

	if removed != 501 {
		t.Errorf("Reclaim removed %d entries, want 501", removed)
	}

	if n := s.Len(); n != 20 {
		t.Fatalf("Len after Reclaim = %d, want 20", n)
	}

	removed, err = s.Reclaim(ctx)
	if err != nil || removed != 0 {
		t.Fatalf("second Reclaim = %d, %v; want 0, nil", removed, err)
	}

	if got := mustGet(t, s, "long3"); string(got) != "v" {
		t.Fatalf("Get of a live TTL entry after Reclaim = %q, want v", got)
	}
}

func TestReclaimInBatches(t *testing.T) {
	s := newStore(t, &memory.Options{ReclaimInterval: -1, ReclaimLimit: 7})
	putExpiring(t, s, "k", 100)

	removed, err := s.Reclaim(context.Background())
	if err != nil {
		t.Fatalf("Reclaim: %v", err)
	}

	if removed != 101 {
		t.Errorf("Reclaim removed %d entries in batches of 7, want 101", removed)
	}

	if n := s.Len(); n != 0 {
		t.Fatalf("Len after Reclaim = %d, want 0", n)
	}
}

func TestBackgroundReclaim(t *testing.T) {
	s := newStore(t, &memory.Options{ReclaimInterval: time.Millisecond, ReclaimLimit: 5})

	for i := range 3 {
		mustPut(t, s, fmt.Sprintf("plain%d", i), "v")
	}

	putExpiring(t, s, "short", 200)

	waitUntil(t, "the background reclaimer removed the expired entries", func() bool {
		return s.Len() == 3
	})
}

func TestRewrittenKeyNotReclaimed(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, &memory.Options{ReclaimInterval: -1})
	short := 10 * time.Millisecond

	rewrites := map[string]func(key string) error{
		"Put": func(key string) error {
			return s.Put(ctx, key, []byte("new"))
		},
		"PutTTL": func(key string) error {
			return s.PutTTL(ctx, key, []byte("new"), time.Hour)
		},
		"DeleteThenPut": func(key string) error {
			if err := s.Delete(ctx, key); err != nil {
				return err
			}

			return s.Put(ctx, key, []byte("new"))
		},
		"DeleteThenPutTTL": func(key string) error {
			if err := s.Delete(ctx, key); err != nil {
				return err
			}

			return s.PutTTL(ctx, key, []byte("new"), time.Hour)
		},
		"CompareAndSwap": func(key string) error {
			_, err := s.CompareAndSwap(ctx, key, []byte("old"), []byte("new"))
			return err
		},
		"CompareAndSwapTTL": func(key string) error {
			_, err := s.CompareAndSwapTTL(ctx, key, []byte("old"), []byte("new"), time.Hour)
			return err
		},
	}

	for name, rewrite := range rewrites {
		mustPutTTL(t, s, name, "old", short)

		if err := rewrite(name); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}

	mustPutTTL(t, s, "marker", "v", short)
	waitExpired(t, s, "marker")

	removed, err := s.Reclaim(ctx)
	if err != nil {
		t.Fatalf("Reclaim: %v", err)
	}

	if removed != 1 {
		t.Errorf("Reclaim removed %d entries, want only the marker", removed)
	}

	for name := range rewrites {
		if got := mustGet(t, s, name); string(got) != "new" {
			t.Errorf("Get after %s and Reclaim = %q, want new", name, got)
		}
	}
}

func TestCloseStopsReclaimer(t *testing.T) {
	waitNoReclaimers(t)

	// With runs an hour apart, only Close can end the goroutine in time.
	s := memory.New(&memory.Options{ReclaimInterval: time.Hour})
	if n := reclaimers(); n != 1 {
		t.Fatalf("reclaimers after New = %d, want 1", n)
	}

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Close waits until the reclaimer closes its done channel, after which
	// the goroutine still has to return.
	waitUntil(t, "the reclaimer goroutine exited", func() bool {
		return reclaimers() == 0
	})
}

func TestDisabledReclaimerStartsNoGoroutine(t *testing.T) {
	waitNoReclaimers(t)

	s := newStore(t, &memory.Options{ReclaimInterval: -1})
	if n := reclaimers(); n != 0 {
		t.Fatalf("reclaimers after New with the reclaimer disabled = %d, want 0", n)
	}

	mustPut(t, s, "k", "v")
}

func TestUnreachableStoreStopsReclaimer(t *testing.T) {
	waitNoReclaimers(t)

	func() {
		s := memory.New(&memory.Options{ReclaimInterval: time.Millisecond})
		mustPut(t, s, "k", "v")

		if n := reclaimers(); n != 1 {
			t.Fatalf("reclaimers after New = %d, want 1", n)
		}
	}()

	waitUntil(t, "the reclaimer of an unreachable store exited", func() bool {
		runtime.GC()
		return reclaimers() == 0
	})
}
