package namespace_test

import (
	"testing"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/wraptest"
	"github.com/anykv/anykv/kv/kvtest"
	"github.com/anykv/anykv/kv/namespace"
)

func TestConformance(t *testing.T) {
	const prefix = "conformance:"

	opts := kvtest.Options{MaxKeyLen: namespace.MaxKeyLen(prefix)}

	wraptest.RunConformance(t, opts, func(t *testing.T, inner kv.Store) kv.Store {
		return mustNew(t, inner, prefix)
	})
}
