package metrics_test

import (
	"path/filepath"
	"testing"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
	"github.com/anykv/anykv/kv/kvtest"
	"github.com/anykv/anykv/kv/memory"
	"github.com/anykv/anykv/kv/metrics"
)

func runConformance(t *testing.T, inner kv.Store, opts kvtest.Options) {
	kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
		return metrics.New(inner, &metrics.Counter{})
	}, opts)
}

func TestConformanceMemory(t *testing.T) {
	inner := memory.New(nil)
	t.Cleanup(func() { _ = inner.Close() })

	runConformance(t, inner, kvtest.Options{})
}

func TestConformanceBolt(t *testing.T) {
	const valueLimit = 2 << 20

	inner, err := bolt.Open(filepath.Join(t.TempDir(), "kv.db"), &bolt.Options{MaxValueSize: valueLimit})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inner.Close() })

	runConformance(t, inner, kvtest.Options{MaxValueSize: valueLimit})
}
