package memory_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/anykv/anykv/kv/memory"
)

// benchKeys is how many keys the Get benchmarks spread their reads over.
const benchKeys = 1024

// benchValue is a 100-byte value, about the size of a session record.
var benchValue = make([]byte, 100)

func benchKey(i int) string { return fmt.Sprintf("user:%08d", i%benchKeys) }

// rwMap is the baseline the Get benchmarks compare against: a map behind a
// sync.RWMutex that copies the value out, with none of Store's checks.
type rwMap struct {
	mu sync.RWMutex
	m  map[string][]byte
}

func (r *rwMap) get(key string) ([]byte, bool) {
	r.mu.RLock()
	v, ok := r.m[key]
	r.mu.RUnlock()

	if !ok {
		return nil, false
	}

	c := make([]byte, len(v))
	copy(c, v)

	return c, true
}

func newBenchStore(b *testing.B, ttl time.Duration) (*memory.Store, []string) {
	b.Helper()

	s := memory.New(nil)
	b.Cleanup(func() { s.Close() })

	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = benchKey(i)

		var err error
		if ttl == 0 {
			err = s.Put(context.Background(), keys[i], benchValue)
		} else {
			err = s.PutTTL(context.Background(), keys[i], benchValue, ttl)
		}

		if err != nil {
			b.Fatal(err)
		}
	}

	return s, keys
}

func newBenchBaseline() (*rwMap, []string) {
	r := &rwMap{m: make(map[string][]byte, benchKeys)}

	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = benchKey(i)
		r.m[keys[i]] = append([]byte(nil), benchValue...)
	}

	return r, keys
}

// BenchmarkGetHit compares Store.Get of present keys, with and without a
// TTL, with the baseline map in the same run.
func BenchmarkGetHit(b *testing.B) {
	b.Run("baseline", func(b *testing.B) {
		r, keys := newBenchBaseline()
		b.ReportAllocs()
		b.ResetTimer()

		for i := 0; i < b.N; i++ {
			if _, ok := r.get(keys[i%benchKeys]); !ok {
				b.Fatal("miss")
			}
		}
	})

	for _, ttl := range []time.Duration{0, time.Hour} {
		b.Run(fmt.Sprintf("memory/ttl=%v", ttl), func(b *testing.B) {
			ctx := context.Background()
			s, keys := newBenchStore(b, ttl)
			b.ReportAllocs()
			b.ResetTimer()

			for i := 0; i < b.N; i++ {
				if _, err := s.Get(ctx, keys[i%benchKeys]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGetHitParallel is BenchmarkGetHit with readers on every
// processor, where the read lock is shared.
func BenchmarkGetHitParallel(b *testing.B) {
	b.Run("baseline", func(b *testing.B) {
		r, keys := newBenchBaseline()
		b.ReportAllocs()
		b.ResetTimer()

		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				if _, ok := r.get(keys[i%benchKeys]); !ok {
					b.Error("miss")
					return
				}
			}
		})
	})

	b.Run("memory", func(b *testing.B) {
		ctx := context.Background()
		s, keys := newBenchStore(b, 0)
		b.ReportAllocs()
		b.ResetTimer()

		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				if _, err := s.Get(ctx, keys[i%benchKeys]); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkReclaim measures one Reclaim that removes DefaultReclaimLimit
// expired entries, which is one batch and so the longest time the write
// lock is held, among a varying number of live entries. The time should
// not grow with the live entries.
func BenchmarkReclaim(b *testing.B) {
	for _, live := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("live=%d", live), func(b *testing.B) {
			ctx := context.Background()
			s := memory.New(&memory.Options{ReclaimInterval: -1})
			b.Cleanup(func() { s.Close() })

			for i := range live {
				if err := s.PutTTL(ctx, fmt.Sprintf("live%d", i), benchValue, time.Hour); err != nil {
					b.Fatal(err)
				}
			}

			expiring := make([]string, memory.DefaultReclaimLimit)
			for i := range expiring {
				expiring[i] = fmt.Sprintf("expiring%d", i)
			}

			b.ResetTimer()

			for i := 0; i < b.N; i++ {
				b.StopTimer()

				for _, key := range expiring {
					if err := s.PutTTL(ctx, key, benchValue, time.Nanosecond); err != nil {
						b.Fatal(err)
					}
				}

				b.StartTimer()

				removed, err := s.Reclaim(ctx)
				if err != nil || removed != len(expiring) {
					b.Fatalf("Reclaim = %d, %v; want %d, nil", removed, err, len(expiring))
				}
			}
		})
	}
}
