package metrics_test

import (
	"context"
	"fmt"

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
