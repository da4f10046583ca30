package memory_test

import (
	"testing"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/kvtest"
	"github.com/anykv/anykv/kv/memory"
)

func TestConformance(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Store {
		return memory.New(nil)
	})
}

// With no background reclaimer and batches of two, the suite's Reclaim
// checks run through several batches and see every expired entry.
func TestConformanceReclaimerDisabled(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Store {
		return memory.New(&memory.Options{ReclaimInterval: -1, ReclaimLimit: 2})
	})
}
