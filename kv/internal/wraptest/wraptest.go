// Package wraptest holds test helpers shared by the kv wrappers' tests.
package wraptest

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
	"github.com/anykv/anykv/kv/kvtest"
	"github.com/anykv/anykv/kv/memory"
)

// boltValueLimit is the bbolt value limit for the conformance runs: small
// enough for the suite to test at its exact size, and above the 1 MiB
// value the suite stores.
const boltValueLimit = 2 << 20

// RunConformance runs the kv conformance suite through the wrappers that
// newWrapper builds, first over one memory store and then over one bbolt
// file, as the subtests Memory and Bolt. Each inner store is shared by all
// the wrappers of its run and closed when the run ends, so closing a
// wrapper must not close it.
func RunConformance(t *testing.T, opts kvtest.Options, newWrapper func(t *testing.T, inner kv.Store) kv.Store) {
	t.Run("Memory", func(t *testing.T) {
		inner := memory.New(nil)
		t.Cleanup(func() { _ = inner.Close() })

		kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
			return newWrapper(t, inner)
		}, opts)
	})

	t.Run("Bolt", func(t *testing.T) {
		inner, err := bolt.Open(filepath.Join(t.TempDir(), "kv.db"), &bolt.Options{MaxValueSize: boltValueLimit})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = inner.Close() })

		boltOpts := opts
		boltOpts.MaxValueSize = boltValueLimit

		kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
			return newWrapper(t, inner)
		}, boltOpts)
	})
}

// ListKeys returns the keys of s with prefix, sorted, and fails t if s is
// not a kv.Lister or the listing fails.
func ListKeys(t *testing.T, s kv.Store, prefix string) []string {
	t.Helper()

	l, ok := s.(kv.Lister)
	if !ok {
		t.Fatalf("%T is not a kv.Lister", s)
	}

	var keys []string
	for key, err := range l.Keys(t.Context(), prefix) {
		if err != nil {
			t.Fatalf("Keys(%q): %v", prefix, err)
		}

		keys = append(keys, key)
	}

	slices.Sort(keys)

	return keys
}
