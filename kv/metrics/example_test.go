package metrics_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/memory"
	"github.com/anykv/anykv/kv/metrics"
)

func Example() {
	ctx := context.Background()

	inner := memory.New(nil)
	defer inner.Close()

	var counter metrics.Counter
	s := metrics.New(inner, &counter)

	_ = s.Put(ctx, "k", []byte("v"))
	_, _ = s.Get(ctx, "k")
	_, _ = s.Get(ctx, "missing")

	get := counter.Stats(metrics.OpGet)
	fmt.Printf("get: %d calls, %d not found, %d errors\n", get.Calls, get.NotFound, get.Errors)

	// Output:
	// get: 2 calls, 1 not found, 0 errors
}

func ExampleObserverFunc() {
	ctx := context.Background()

	inner := memory.New(nil)
	defer inner.Close()

	// Any function can observe. A real one would feed a metrics client,
	// and this one prints each call's outcome.
	observer := metrics.ObserverFunc(func(op metrics.Op, d time.Duration, err error) {
		fmt.Println(op, err)
	})

	s := metrics.New(inner, observer)

	_ = s.Put(ctx, "k", []byte("v"))
	_, _ = s.Get(ctx, "k")
	_ = s.Delete(ctx, "k")

	// Output:
	// put <nil>
	// get <nil>
	// delete <nil>
}

func ExampleCounter_Snapshot() {
	ctx := context.Background()

	inner := memory.New(nil)
	defer inner.Close()

	var counter metrics.Counter
	s := metrics.New(inner, &counter)

	_ = s.Put(ctx, "a", []byte("1"))
	_ = s.Put(ctx, "b", []byte("2"))
	_, _ = kv.GetMany(ctx, s, []string{"a", "b", "c"})
	_ = s.Put(ctx, "bad key", nil)

	// The snapshot is a map, so sort its operations for a stable order.
	snapshot := counter.Snapshot()
	ops := slices.Sorted(maps.Keys(snapshot))

	for _, op := range ops {
		stats := snapshot[op]
		fmt.Printf("%s: %d calls, %d errors\n", op, stats.Calls, stats.Errors)
	}

	// Output:
	// get_many: 1 calls, 0 errors
	// put: 3 calls, 1 errors
}
