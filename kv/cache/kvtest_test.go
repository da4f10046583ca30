package cache_test

import (
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
	"github.com/anykv/anykv/kv/cache"
	"github.com/anykv/anykv/kv/kvtest"
	"github.com/anykv/anykv/kv/memory"
)

// runConformance runs the suite through a new cache, with a new memory
// store in front, for each subtest. MaxStaleness is long so that the TTL
// subtests pass only if the cache honours the expiries it records.
func runConformance(t *testing.T, slow kv.Store, opts kvtest.Options) {
	kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
		fast := memory.New(nil)
		t.Cleanup(func() { _ = fast.Close() })

		c, err := cache.New(fast, slow, &cache.Options{MaxStaleness: time.Hour, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}

		return c
	}, opts)
}

func TestConformanceMemory(t *testing.T) {
	slow := memory.New(nil)
	t.Cleanup(func() { _ = slow.Close() })

	runConformance(t, slow, kvtest.Options{})
}

func TestConformanceBolt(t *testing.T) {
	const valueLimit = 2 << 20

	slow, err := bolt.Open(filepath.Join(t.TempDir(), "kv.db"), &bolt.Options{MaxValueSize: valueLimit})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = slow.Close() })

	runConformance(t, slow, kvtest.Options{MaxValueSize: valueLimit})
}
