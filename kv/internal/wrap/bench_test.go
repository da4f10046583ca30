package wrap_test

import (
	"errors"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/cache"
	"github.com/anykv/anykv/kv/keyenc"
	"github.com/anykv/anykv/kv/memory"
	"github.com/anykv/anykv/kv/metrics"
	"github.com/anykv/anykv/kv/namespace"
	"github.com/anykv/anykv/kv/readonly"
)

// BenchmarkGet measures one Get of a present 100-byte value through each
// wrapper over kv/memory, to show what a wrapper adds to a call.
func BenchmarkGet(b *testing.B) {
	wrappers := []struct {
		name string
		wrap func(inner kv.Store) kv.Store
	}{
		{"Memory", func(inner kv.Store) kv.Store { return inner }},
		{"Readonly", func(inner kv.Store) kv.Store { return readonly.New(inner) }},
		{"Namespace", func(inner kv.Store) kv.Store {
			s, _ := namespace.New(inner, "bench:")
			return s
		}},
		{"Keyenc", func(inner kv.Store) kv.Store { return keyenc.New(inner) }},
		{"Metrics", func(inner kv.Store) kv.Store { return metrics.New(inner, &metrics.Counter{}) }},
		{"CacheHit", func(inner kv.Store) kv.Store {
			s, _ := cache.New(memory.New(nil), inner, &cache.Options{MaxStaleness: time.Hour})
			return s
		}},
	}

	value := make([]byte, 100)

	for _, w := range wrappers {
		b.Run(w.name, func(b *testing.B) {
			inner := memory.New(nil)
			defer inner.Close()

			s := w.wrap(inner)
			ctx := b.Context()

			// The read-only wrapper rejects the Put, so it goes to the
			// inner store, where the wrapper reads it unchanged.
			err := s.Put(ctx, "user/42", value)
			if errors.Is(err, readonly.ErrReadOnly) {
				err = inner.Put(ctx, "user/42", value)
			}

			if err != nil {
				b.Fatal(err)
			}

			if _, err := s.Get(ctx, "user/42"); err != nil {
				b.Fatal(err)
			}

			b.ReportAllocs()

			for b.Loop() {
				if _, err := s.Get(ctx, "user/42"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
