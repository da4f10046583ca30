package kvtest

import (
	"testing"

	"github.com/anykv/anykv/kv"
)

// Run runs the conformance suite with default Options against the stores
// that newStore returns. See RunWithOptions.
func Run(t *testing.T, newStore func(t *testing.T) kv.Store) {
	t.Helper()

	RunWithOptions(t, newStore, Options{})
}

// RunWithOptions runs the conformance suite against the stores that
// newStore returns, as subtests of t.
//
// The suite calls newStore once in each subtest that needs a store, with
// that subtest's t, and closes the store when the subtest ends. newStore
// must return a new, open store each time, but the stores may share one
// underlying database. Every subtest writes only keys under its own random
// prefix and deletes only keys it wrote. It lists only under that prefix,
// or filters the listing to it. Subtests run one after another, so no two
// stores from newStore are open at once.
//
// Subtests for an optional capability (kv.TTLStore, kv.Lister,
// kv.AtomicStore, kv.BatchGetter, kv.Reclaimer, kv.Wrapper) skip with a
// message when the store does not implement it.
func RunWithOptions(t *testing.T, newStore func(t *testing.T) kv.Store, opts Options) {
	t.Helper()

	s := &suite{newStore: newStore, opts: opts.withDefaults()}
	if s.opts.MaxKeyLen < minKeyLen {
		t.Fatalf("Options.MaxKeyLen is %d, but the suite needs keys of up to %d bytes", s.opts.MaxKeyLen, minKeyLen)
	}

	t.Run("Key", s.testKeys)
	t.Run("Value", s.testValues)
	t.Run("Context", s.testContext)
	t.Run("Close", s.testClose)
	t.Run("Concurrency", s.testConcurrency)
	t.Run("TTL", s.testTTL)
	t.Run("List", s.testList)
	t.Run("Atomic", s.testAtomic)
	t.Run("Batch", s.testBatch)
	t.Run("Reclaim", s.testReclaim)
	t.Run("Wrapper", s.testWrapper)
}

// suite is one run of the conformance suite.
type suite struct {
	newStore func(t *testing.T) kv.Store
	opts     Options
}
