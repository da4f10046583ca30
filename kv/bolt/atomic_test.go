package bolt_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
)

func TestPutIfAbsent(t *testing.T) {
	s, _ := openTemp(t, &bolt.Options{ReclaimInterval: -1})
	ctx := context.Background()

	stored, err := s.PutIfAbsent(ctx, "k", []byte("first"))
	if err != nil || !stored {
		t.Fatalf("PutIfAbsent on absent key = %v, %v, want true", stored, err)
	}

	stored, err = s.PutIfAbsent(ctx, "k", []byte("second"))
	if err != nil || stored {
		t.Fatalf("PutIfAbsent on present key = %v, %v, want false", stored, err)
	}

	if got := mustGet(t, s, "k"); got != "first" {
		t.Fatalf("losing PutIfAbsent changed the value to %q", got)
	}

	if _, err := s.PutIfAbsentTTL(ctx, "e", []byte("old"), time.Millisecond); err != nil {
		t.Fatal(err)
	}

	waitGone(t, s, "e")

	stored, err = s.PutIfAbsentTTL(ctx, "e", []byte("new"), time.Hour)
	if err != nil || !stored {
		t.Fatalf("PutIfAbsentTTL on expired key = %v, %v, want true", stored, err)
	}

	if _, expiry := bucketCounts(t, s); expiry != 1 {
		t.Fatalf("%d index entries, want 1: the expired entry's index entry must go", expiry)
	}
}

func TestCompareAndSwap(t *testing.T) {
	s, _ := openTemp(t, &bolt.Options{ReclaimInterval: -1})
	ctx := context.Background()

	swapped, err := s.CompareAndSwap(ctx, "absent", nil, []byte("x"))
	if swapped || !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("CompareAndSwap on absent key = %v, %v, want false, ErrNotFound", swapped, err)
	}

	if err := s.PutTTL(ctx, "k", []byte("a"), time.Hour); err != nil {
		t.Fatal(err)
	}

	swapped, err = s.CompareAndSwap(ctx, "k", []byte("wrong"), []byte("b"))
	if err != nil || swapped {
		t.Fatalf("CompareAndSwap with wrong old value = %v, %v, want false, nil", swapped, err)
	}

	if got := mustGet(t, s, "k"); got != "a" {
		t.Fatalf("losing CompareAndSwap changed the value to %q", got)
	}

	swapped, err = s.CompareAndSwap(ctx, "k", []byte("a"), []byte("b"))
	if err != nil || !swapped {
		t.Fatalf("CompareAndSwap = %v, %v, want true", swapped, err)
	}

	if _, expiry := bucketCounts(t, s); expiry != 0 {
		t.Fatalf("%d index entries after a plain swap, want 0", expiry)
	}

	swapped, err = s.CompareAndSwapTTL(ctx, "k", []byte("b"), []byte("c"), time.Millisecond)
	if err != nil || !swapped {
		t.Fatalf("CompareAndSwapTTL = %v, %v, want true", swapped, err)
	}

	if _, expiry := bucketCounts(t, s); expiry != 1 {
		t.Fatalf("%d index entries after a TTL swap, want 1", expiry)
	}

	waitGone(t, s, "k")

	swapped, err = s.CompareAndSwap(ctx, "k", []byte("c"), []byte("d"))
	if swapped || !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("CompareAndSwap on expired key = %v, %v, want false, ErrNotFound", swapped, err)
	}

	if _, err := s.CompareAndSwapTTL(ctx, "k", nil, nil, 0); !errors.Is(err, kv.ErrInvalidTTL) {
		t.Fatalf("CompareAndSwapTTL with TTL 0 = %v, want ErrInvalidTTL", err)
	}
}

func TestPutIfAbsentOneWinner(t *testing.T) {
	s, _ := openTemp(t, nil)
	ctx := context.Background()

	var (
		wg      sync.WaitGroup
		winners atomic.Int32
	)

	for i := range 32 {
		wg.Add(1)

		go func() {
			defer wg.Done()

			stored, err := s.PutIfAbsent(ctx, "race", []byte(strconv.Itoa(i)))
			if err != nil {
				t.Error(err)
			}

			if stored {
				winners.Add(1)
			}
		}()
	}

	wg.Wait()

	if n := winners.Load(); n != 1 {
		t.Fatalf("%d PutIfAbsent calls stored, want exactly 1", n)
	}
}

func TestCompareAndSwapCounter(t *testing.T) {
	s, _ := openTemp(t, nil)
	ctx := context.Background()

	mustPut(t, s, "counter", "0")

	const workers, increments = 16, 20

	var wg sync.WaitGroup

	for range workers {
		wg.Add(1)

		go func() {
			defer wg.Done()

			for done := 0; done < increments; {
				old, err := s.Get(ctx, "counter")
				if err != nil {
					t.Error(err)
					return
				}

				n, _ := strconv.Atoi(string(old))

				swapped, err := s.CompareAndSwap(ctx, "counter", old, []byte(strconv.Itoa(n+1)))
				if err != nil {
					t.Error(err)
					return
				}

				if swapped {
					done++
				}
			}
		}()
	}

	wg.Wait()

	if got := mustGet(t, s, "counter"); got != strconv.Itoa(workers*increments) {
		t.Fatalf("counter = %s, want %d: a swap was lost or applied twice", got, workers*increments)
	}
}
