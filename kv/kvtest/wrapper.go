package kvtest

import (
	"testing"

	"github.com/anykv/anykv/kv"
)

func (s *suite) testWrapper(t *testing.T) {
	t.Run("Unwrap", s.testWrapperUnwrap)
	t.Run("Capabilities", s.testWrapperCapabilities)
}

func (s *suite) testWrapperUnwrap(t *testing.T) {
	f := s.open(t)

	w, ok := f.store.(kv.Wrapper)
	if !ok {
		t.Skip("store does not implement kv.Wrapper")
	}

	if w.Unwrap() == nil {
		t.Error("Unwrap returned nil")
	}
}

// testWrapperCapabilities checks that a wrapper implements exactly the
// optional interfaces of the store it wraps, so that a type assertion on
// the wrapper finds what the backend offers and nothing it lacks.
func (s *suite) testWrapperCapabilities(t *testing.T) {
	f := s.open(t)

	w, ok := f.store.(kv.Wrapper)
	if !ok {
		t.Skip("store does not implement kv.Wrapper")
	}

	inner := w.Unwrap()
	if inner == nil {
		t.Fatal("Unwrap returned nil")
	}

	capabilities := []struct {
		name string
		has  func(kv.Store) bool
	}{
		{"kv.TTLStore", func(s kv.Store) bool { _, ok := s.(kv.TTLStore); return ok }},
		{"kv.Lister", func(s kv.Store) bool { _, ok := s.(kv.Lister); return ok }},
		{"kv.AtomicStore", func(s kv.Store) bool { _, ok := s.(kv.AtomicStore); return ok }},
		{"kv.BatchGetter", func(s kv.Store) bool { _, ok := s.(kv.BatchGetter); return ok }},
		{"kv.Reclaimer", func(s kv.Store) bool { _, ok := s.(kv.Reclaimer); return ok }},
	}

	for _, c := range capabilities {
		outer, wrapped := c.has(f.store), c.has(inner)
		if outer != wrapped {
			t.Errorf("wrapper implements %s: %v; the store it wraps: %v", c.name, outer, wrapped)
		}
	}
}
