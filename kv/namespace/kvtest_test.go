package namespace_test

import (
	"path/filepath"
	"testing"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
	"github.com/anykv/anykv/kv/kvtest"
	"github.com/anykv/anykv/kv/memory"
	"github.com/anykv/anykv/kv/namespace"
)

const conformancePrefix = "conformance:"

func runConformance(t *testing.T, inner kv.Store, opts kvtest.Options) {
	opts.MaxKeyLen = namespace.MaxKeyLen(conformancePrefix)

	kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
		return mustNew(t, inner, conformancePrefix)
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
