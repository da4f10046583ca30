package memory_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/memory"
)

func TestPutIfAbsent(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, &memory.Options{ReclaimInterval: -1})

	stored, err := s.PutIfAbsent(ctx, "k", []byte("first"))
	if err != nil || !stored {
		t.Fatalf("PutIfAbsent of absent key = %v, %v; want true, nil", stored, err)
	}

	stored, err = s.PutIfAbsent(ctx, "k", []byte("second"))
	if err != nil || stored {
		t.Fatalf("PutIfAbsent of present key = %v, %v; want false, nil", stored, err)
	}

	if got := mustGet(t, s, "k"); string(got) != "first" {
		t.Fatalf("value after losing PutIfAbsent = %q, want first", got)
	}

	mustPutTTL(t, s, "expiring", "old", 10*time.Millisecond)
	waitExpired(t, s, "expiring")

	stored, err = s.PutIfAbsent(ctx, "expiring", []byte("new"))
	if err != nil || !stored {
		t.Fatalf("PutIfAbsent of expired key = %v, %v; want true, nil", stored, err)
	}

	// The new entry has no TTL, so Reclaim must leave it alone.
	if _, err := s.Reclaim(ctx); err != nil {
		t.Fatal(err)
	}

	if got := mustGet(t, s, "expiring"); string(got) != "new" {
		t.Fatalf("value after PutIfAbsent over an expired key = %q, want new", got)
	}
}

func TestPutIfAbsentTTL(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, nil)

	for _, ttl := range []time.Duration{0, -time.Second} {
		stored, err := s.PutIfAbsentTTL(ctx, "k", []byte("v"), ttl)
		if stored || !errors.Is(err, kv.ErrInvalidTTL) {
			t.Fatalf("PutIfAbsentTTL with TTL %v = %v, %v; want false, ErrInvalidTTL", ttl, stored, err)
		}
	}

	if n := s.Len(); n != 0 {
		t.Fatalf("Len after invalid PutIfAbsentTTL = %d, want 0", n)
	}

	stored, err := s.PutIfAbsentTTL(ctx, "k", []byte("v"), 10*time.Millisecond)
	if err != nil || !stored {
		t.Fatalf("PutIfAbsentTTL = %v, %v; want true, nil", stored, err)
	}

	waitExpired(t, s, "k")
}

func TestCompareAndSwap(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, nil)

	swapped, err := s.CompareAndSwap(ctx, "k", nil, []byte("v"))
	if swapped || !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("CompareAndSwap of absent key = %v, %v; want false, ErrNotFound", swapped, err)
	}

	if n := s.Len(); n != 0 {
		t.Fatalf("Len after CompareAndSwap of absent key = %d, want 0", n)
	}

	mustPut(t, s, "k", "old")

	swapped, err = s.CompareAndSwap(ctx, "k", []byte("other"), []byte("new"))
	if swapped || err != nil {
		t.Fatalf("CompareAndSwap with wrong old value = %v, %v; want false, nil", swapped, err)
	}

	if got := mustGet(t, s, "k"); string(got) != "old" {
		t.Fatalf("value after losing CompareAndSwap = %q, want old", got)
	}

	newValue := []byte("new")

	swapped, err = s.CompareAndSwap(ctx, "k", []byte("old"), newValue)
	if !swapped || err != nil {
		t.Fatalf("CompareAndSwap with right old value = %v, %v; want true, nil", swapped, err)
	}

	newValue[0] = 'X'

	if got := mustGet(t, s, "k"); string(got) != "new" {
		t.Fatalf("value after CompareAndSwap = %q, want new", got)
	}

	mustPut(t, s, "empty", "")

	swapped, err = s.CompareAndSwap(ctx, "empty", nil, []byte("filled"))
	if !swapped || err != nil {
		t.Fatalf("CompareAndSwap of empty value with nil old value = %v, %v; want true, nil", swapped, err)
	}
}

func TestCompareAndSwapExpired(t *testing.T) {
	s := newStore(t, nil)
	mustPutTTL(t, s, "k", "old", 10*time.Millisecond)
	waitExpired(t, s, "k")

	swapped, err := s.CompareAndSwap(context.Background(), "k", []byte("old"), []byte("new"))
	if swapped || !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("CompareAndSwap of expired key = %v, %v; want false, ErrNotFound", swapped, err)
	}
}

func TestCompareAndSwapTTL(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, &memory.Options{ReclaimInterval: time.Millisecond})
	mustPut(t, s, "k", "old")

	swapped, err := s.CompareAndSwapTTL(ctx, "k", []byte("old"), []byte("new"), 0)
	if swapped || !errors.Is(err, kv.ErrInvalidTTL) {
		t.Fatalf("CompareAndSwapTTL with zero TTL = %v, %v; want false, ErrInvalidTTL", swapped, err)
	}

	if got := mustGet(t, s, "k"); string(got) != "old" {
		t.Fatalf("value after invalid CompareAndSwapTTL = %q, want old", got)
	}

	swapped, err = s.CompareAndSwapTTL(ctx, "k", []byte("old"), []byte("new"), 10*time.Millisecond)
	if !swapped || err != nil {
		t.Fatalf("CompareAndSwapTTL = %v, %v; want true, nil", swapped, err)
	}

	waitExpired(t, s, "k")
}

func TestCompareAndSwapRemovesTTL(t *testing.T) {
	s := newStore(t, &memory.Options{ReclaimInterval: time.Millisecond})
	ttl := 20 * time.Millisecond
	mustPutTTL(t, s, "k", "old", ttl)

	swapped, err := s.CompareAndSwap(context.Background(), "k", []byte("old"), []byte("new"))
	if !swapped || err != nil {
		t.Fatalf("CompareAndSwap = %v, %v; want true, nil", swapped, err)
	}

	mustPutTTL(t, s, "marker", "v", ttl)
	waitExpired(t, s, "marker")

	if got := mustGet(t, s, "k"); string(got) != "new" {
		t.Fatalf("value after CompareAndSwap over a TTL = %q, want new", got)
	}
}

func TestPutIfAbsentOneWinner(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, nil)

	const writers = 16

	var (
		wg      sync.WaitGroup
		winners atomic.Int32
	)

	start := make(chan struct{})

	for i := range writers {
		wg.Add(1)

		go func() {
			defer wg.Done()
			<-start

			stored, err := s.PutIfAbsent(ctx, "k", []byte(strconv.Itoa(i)))
			if err != nil {
				t.Errorf("PutIfAbsent: %v", err)
			}

			if stored {
				winners.Add(1)
			}
		}()
	}

	close(start)
	wg.Wait()

	if n := winners.Load(); n != 1 {
		t.Fatalf("%d of %d concurrent PutIfAbsent calls stored, want 1", n, writers)
	}
}

func TestCompareAndSwapCounter(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, nil)
	mustPut(t, s, "counter", "0")

	const workers, increments = 8, 200

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)

		go func() {
			defer wg.Done()

			for range increments {
				for {
					old, err := s.Get(ctx, "counter")
					if err != nil {
						t.Errorf("Get: %v", err)
						return
					}

					n, _ := strconv.Atoi(string(old))

					swapped, err := s.CompareAndSwap(ctx, "counter", old, []byte(strconv.Itoa(n+1)))
					if err != nil {
						t.Errorf("CompareAndSwap: %v", err)
						return
					}

					if swapped {
						break
					}
				}
			}
		}()
	}

	wg.Wait()

	if got, want := string(mustGet(t, s, "counter")), strconv.Itoa(workers*increments); got != want {
		t.Fatalf("counter after concurrent increments = %s, want %s", got, want)
	}
}

func TestGetMany(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, &memory.Options{ReclaimInterval: -1})
	mustPut(t, s, "a", "1")
	mustPut(t, s, "empty", "")
	mustPutTTL(t, s, "expired", "x", 10*time.Millisecond)
	mustPutTTL(t, s, "live", "2", time.Hour)
	waitExpired(t, s, "expired")

	values, err := s.GetMany(ctx, []string{"live", "absent", "a", "empty", "expired", "a"})
	if err != nil {
		t.Fatalf("GetMany: %v", err)
	}

	if len(values) != 6 {
		t.Fatalf("GetMany returned %d values for 6 keys", len(values))
	}

	if string(values[0]) != "2" || string(values[2]) != "1" || string(values[5]) != "1" {
		t.Errorf("GetMany values = %q, want 2, 1 and 1 at 0, 2 and 5", values)
	}

	if values[1] != nil || values[4] != nil {
		t.Errorf("GetMany of absent and expired keys = %#v, %#v; want nil", values[1], values[4])
	}

	if values[3] == nil || len(values[3]) != 0 {
		t.Errorf("GetMany of empty value = %#v, want empty non-nil slice", values[3])
	}

	values[2][0] = 'X'

	if got := mustGet(t, s, "a"); string(got) != "1" {
		t.Errorf("value after changing the GetMany result = %q, want 1", got)
	}

	if values, err := s.GetMany(ctx, nil); err != nil || len(values) != 0 {
		t.Errorf("GetMany of no keys = %v, %v; want empty, nil", values, err)
	}

	values, err = s.GetMany(ctx, []string{"a", "bad key"})
	if !errors.Is(err, kv.ErrInvalidKey) || values != nil {
		t.Fatalf("GetMany with an invalid key = %v, %v; want nil, ErrInvalidKey", values, err)
	}
}
