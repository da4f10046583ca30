package wrap_test

import (
	"fmt"
	"testing"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/mapstore"
	"github.com/anykv/anykv/kv/internal/wrap"
)

func TestSelectExposesExactCaps(t *testing.T) {
	for c := wrap.Caps(0); c <= wrap.All; c++ {
		got := wrap.CapsOf(wrap.Select(c, mapstore.New()))
		if got != c {
			t.Errorf("Select(%05b) has caps %05b", c, got)
		}
	}
}

func TestSelectTypesDistinct(t *testing.T) {
	seen := map[string]wrap.Caps{}

	for c := wrap.Caps(0); c <= wrap.All; c++ {
		name := fmt.Sprintf("%T", wrap.Select(c, mapstore.New()))
		if prev, dup := seen[name]; dup {
			t.Errorf("caps %05b and %05b share type %s", prev, c, name)
		}

		seen[name] = c
	}
}

func TestNewMatchesInner(t *testing.T) {
	mapstore.CheckCapabilities(t, func(inner kv.Store) kv.Store {
		return wrap.New(inner, &wrap.Forward{Inner: inner})
	})
}

func TestForwardClose(t *testing.T) {
	inner := mapstore.New()
	w := wrap.New(inner, &wrap.Forward{Inner: inner})

	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	if err := w.Put(t.Context(), "k", nil); err != kv.ErrClosed {
		t.Errorf("Put after Close = %v, want ErrClosed", err)
	}

	if err := inner.Put(t.Context(), "k", nil); err != nil {
		t.Errorf("inner Put after wrapper Close = %v, want nil", err)
	}
}
