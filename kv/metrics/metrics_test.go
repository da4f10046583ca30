package metrics_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/mapstore"
	"github.com/anykv/anykv/kv/metrics"
)

func TestMetricsCapabilities(t *testing.T) {
	mapstore.CheckCapabilities(t, func(inner kv.Store) kv.Store {
		return metrics.New(inner, &metrics.Counter{})
	})
}

func TestCounterCountsOutcomes(t *testing.T) {
	ctx := t.Context()
	var c metrics.Counter
	s := metrics.New(mapstore.New(), &c)

	if err := s.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}

	if _, err := s.Get(ctx, "k"); err != nil {
		t.Fatal(err)
	}

	if _, err := s.Get(ctx, "absent"); !errors.Is(err, kv.ErrNotFound) {
		t.Fatal(err)
	}

	if _, err := s.Get(ctx, "bad key"); !errors.Is(err, kv.ErrInvalidKey) {
		t.Fatal(err)
	}

	get := c.Stats(metrics.OpGet)
	if get.Calls != 3 {
		t.Errorf("get Calls = %d, want 3", get.Calls)
	}

	if get.NotFound != 1 {
		t.Errorf("get NotFound = %d, want 1", get.NotFound)
	}

	if get.Errors != 1 {
		t.Errorf("get Errors = %d, want 1", get.Errors)
	}

	if get.Max < get.Mean() || get.Total < get.Max {
		t.Errorf("get latencies inconsistent: %+v", get)
	}

	if put := c.Stats(metrics.OpPut); put.Calls != 1 || put.Errors != 0 {
		t.Errorf("put Stats = %+v, want 1 call, no errors", put)
	}

	snapshot := c.Snapshot()
	if len(snapshot) != 2 {
		t.Errorf("Snapshot has %d operations, want 2: %v", len(snapshot), snapshot)
	}

	c.Reset()
	if got := c.Stats(metrics.OpGet); got.Calls != 0 {
		t.Errorf("Calls after Reset = %d, want 0", got.Calls)
	}
}

type recorded struct {
	op  metrics.Op
	err error
}

func TestEveryOperationObserved(t *testing.T) {
	ctx := t.Context()

	var mu sync.Mutex
	var got []recorded
	s := metrics.New(mapstore.New(), metrics.ObserverFunc(func(op metrics.Op, d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()

		if d < 0 {
			t.Errorf("%s: negative duration %v", op, d)
		}

		got = append(got, recorded{op, err})
	}))

	a := s.(kv.AtomicStore)
	_ = s.Put(ctx, "k", []byte("1"))
	_, _ = s.Get(ctx, "k")
	_ = s.(kv.TTLStore).PutTTL(ctx, "t", nil, time.Hour)
	_, _ = a.PutIfAbsent(ctx, "p", nil)
	_, _ = a.PutIfAbsentTTL(ctx, "q", nil, time.Hour)
	_, _ = a.CompareAndSwap(ctx, "k", []byte("1"), []byte("2"))
	_, _ = a.CompareAndSwapTTL(ctx, "k", []byte("2"), []byte("3"), time.Hour)
	_, _ = s.(kv.BatchGetter).GetMany(ctx, []string{"k"})
	_, _ = s.(kv.Reclaimer).Reclaim(ctx)
	for range s.(kv.Lister).Keys(ctx, "") {
	}
	_ = s.Delete(ctx, "k")

	want := []metrics.Op{
		metrics.OpPut, metrics.OpGet, metrics.OpPutTTL, metrics.OpPutIfAbsent,
		metrics.OpPutIfAbsentTTL, metrics.OpCompareAndSwap, metrics.OpCompareAndSwapTTL,
		metrics.OpGetMany, metrics.OpReclaim, metrics.OpKeys, metrics.OpDelete,
	}

	if len(got) != len(want) {
		t.Fatalf("observed %d calls, want %d: %v", len(got), len(want), got)
	}

	for i, op := range want {
		if got[i].op != op || got[i].err != nil {
			t.Errorf("call %d observed as %s (%v), want %s with no error", i, got[i].op, got[i].err, op)
		}
	}
}

func TestKeysErrorObserved(t *testing.T) {
	var c metrics.Counter
	s := metrics.New(mapstore.New(), &c)

	for range s.(kv.Lister).Keys(t.Context(), "bad prefix") {
	}

	if got := c.Stats(metrics.OpKeys); got.Calls != 1 || got.Errors != 1 {
		t.Errorf("keys Stats = %+v, want 1 call with 1 error", got)
	}
}

func TestCloseLeavesInnerOpen(t *testing.T) {
	ctx := t.Context()
	var c metrics.Counter
	inner := mapstore.New()
	s := metrics.New(inner, &c)

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	if err := s.Put(ctx, "k", nil); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("Put after Close = %v, want ErrClosed", err)
	}

	if got := c.Stats(metrics.OpPut); got.Errors != 1 {
		t.Errorf("put Errors after Close = %d, want 1", got.Errors)
	}

	if err := inner.Put(ctx, "k", nil); err != nil {
		t.Errorf("inner Put after wrapper Close = %v, want nil", err)
	}
}

func TestCounterConcurrent(t *testing.T) {
	ctx := t.Context()
	var c metrics.Counter
	s := metrics.New(mapstore.New(), &c)

	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()

			for range 100 {
				_ = s.Put(ctx, "k", nil)
				_ = c.Snapshot()
			}
		}()
	}

	wg.Wait()

	if got := c.Stats(metrics.OpPut).Calls; got != 800 {
		t.Errorf("put Calls = %d, want 800", got)
	}
}
