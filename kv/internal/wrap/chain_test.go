package wrap_test

import (
	"testing"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/cache"
	"github.com/anykv/anykv/kv/internal/mapstore"
	"github.com/anykv/anykv/kv/internal/wrap"
	"github.com/anykv/anykv/kv/keyenc"
	"github.com/anykv/anykv/kv/metrics"
	"github.com/anykv/anykv/kv/namespace"
	"github.com/anykv/anykv/kv/readonly"
)

// chain wraps base in every wrapper.
func chain(t *testing.T, base kv.Store) kv.Store {
	t.Helper()

	ns, err := namespace.New(keyenc.New(base), "app:")
	if err != nil {
		t.Fatal(err)
	}

	cached, err := cache.New(mapstore.New(), ns, nil)
	if err != nil {
		t.Fatal(err)
	}

	return readonly.New(metrics.New(cached, &metrics.Counter{}))
}

func TestWrapperChainCaps(t *testing.T) {
	for c := wrap.Caps(0); c <= wrap.All; c++ {
		if got := wrap.CapsOf(chain(t, mapstore.WithCaps(c))); got != c {
			t.Errorf("chain over caps %05b has caps %05b", c, got)
		}
	}
}

func TestWrapperChainAs(t *testing.T) {
	base := mapstore.New()

	found, ok := kv.As[*mapstore.Store](chain(t, base))
	if !ok || found != base {
		t.Errorf("kv.As through the chain = %p, %v, want the base store %p", found, ok, base)
	}
}
