package cache_test

import (
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/wraptest"
	"github.com/anykv/anykv/kv/kvtest"
	"github.com/anykv/anykv/kv/memory"
)

// TestConformance runs the suite through a new cache, with a new memory
// store in front, for each subtest. MaxStaleness is an hour, so the TTL
// subtests pass only if the cache honours the expiries it records.
func TestConformance(t *testing.T) {
	wraptest.RunConformance(t, kvtest.Options{}, func(t *testing.T, slow kv.Store) kv.Store {
		fast := memory.New(nil)
		t.Cleanup(func() { _ = fast.Close() })

		return newCache(t, fast, slow, time.Hour)
	})
}
