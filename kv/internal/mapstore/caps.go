package mapstore

import (
	"testing"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/wrap"
)

// capabilityNames gives each capability bit the interface name that test
// failures print.
var capabilityNames = []struct {
	bit  wrap.Caps
	name string
	has  func(kv.Store) bool
}{
	{wrap.TTL, "kv.TTLStore", func(s kv.Store) bool { _, ok := s.(kv.TTLStore); return ok }},
	{wrap.List, "kv.Lister", func(s kv.Store) bool { _, ok := s.(kv.Lister); return ok }},
	{wrap.Atomic, "kv.AtomicStore", func(s kv.Store) bool { _, ok := s.(kv.AtomicStore); return ok }},
	{wrap.Batch, "kv.BatchGetter", func(s kv.Store) bool { _, ok := s.(kv.BatchGetter); return ok }},
	{wrap.Reclaim, "kv.Reclaimer", func(s kv.Store) bool { _, ok := s.(kv.Reclaimer); return ok }},
}

// CheckCapabilities builds a wrapper with newWrapper over an inner store of
// each of the 32 capability combinations. It fails t unless each type
// assertion on the wrapper succeeds exactly when it succeeds on the inner
// store, and unless Unwrap returns the inner store.
func CheckCapabilities(t *testing.T, newWrapper func(inner kv.Store) kv.Store) {
	t.Helper()

	for c := wrap.Caps(0); c <= wrap.All; c++ {
		inner := WithCaps(c)
		w := newWrapper(inner)

		for _, capability := range capabilityNames {
			innerHas := capability.has(inner)
			if innerHas != (c&capability.bit != 0) {
				t.Fatalf("inner store with caps %05b: %s = %v, the test store is wrong", c, capability.name, innerHas)
			}

			if got := capability.has(w); got != innerHas {
				t.Errorf("caps %05b: wrapper implements %s = %v, inner = %v", c, capability.name, got, innerHas)
			}
		}

		u, ok := w.(kv.Wrapper)
		if !ok {
			t.Errorf("caps %05b: wrapper does not implement kv.Wrapper", c)
			continue
		}

		if u.Unwrap() != inner {
			t.Errorf("caps %05b: Unwrap returned %T, not the inner store", c, u.Unwrap())
		}
	}
}
