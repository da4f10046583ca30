package bolt_test

import (
	"path/filepath"
	"testing"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
	"github.com/anykv/anykv/kv/kvtest"
)

// conformanceValueLimit is a value limit small enough for the suite to
// test at its exact size, and above the 1 MiB value the suite stores.
const conformanceValueLimit = 2 << 20

func TestConformance(t *testing.T) {
	kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
		path := filepath.Join(t.TempDir(), "kvtest.db")

		s, err := bolt.Open(path, &bolt.Options{MaxValueSize: conformanceValueLimit})
		if err != nil {
			t.Fatal(err)
		}

		return s
	}, kvtest.Options{MaxValueSize: conformanceValueLimit})
}
