package bench

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anykv/anykv/bench/internal/servers"
)

func TestMain(m *testing.M) { servers.Main(m) }

const (
	// keyCount is how many distinct keys the read and write workloads
	// cycle through, except on bbolt.
	keyCount = 1000

	// boltKeyCount replaces keyCount on bbolt, whose peers write one synced
	// transaction per key, so that filling the store before each run stays
	// short. The B+tree of either count is two levels deep.
	boltKeyCount = 100

	// listCount is how many keys the listing workload lists, next to
	// listOtherCount keys with another prefix that it must skip.
	listCount      = 10_000
	listOtherCount = 1_000

	// batchSize is how many keys one batched read fetches.
	batchSize = 16

	// writers is how many goroutines write at once in the concurrent
	// workload.
	writers = 32

	// benchTTL is the TTL of the TTL workload: long enough that nothing
	// expires during a run.
	benchTTL = time.Hour
)

// valueSizes are the value lengths in bytes: a token record and a page.
var valueSizes = []int{64, 4096}

// makeKey returns the i-th key of a set named by prefix: 36 bytes, shaped
// like a UUID, and a valid key on every backend.
func makeKey(prefix string, i int) string {
	body := fmt.Sprintf("%08x-%04x-4000-8000-%012x", i, i%0xffff, i)

	return prefix + body[len(prefix):]
}

func makeKeys(prefix string, n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = makeKey(prefix, i)
	}

	return keys
}

func makeValue(size int) []byte {
	return bytes.Repeat([]byte("v"), size)
}

// bulkLoader is an implementation that can write many keys in one
// transaction, which fill uses to set up a benchmark faster.
type bulkLoader interface {
	bulkPut(keys []string, value []byte) error
}

// fill writes value under every key: in one transaction where the
// implementation can, and otherwise with writers goroutines, so that
// backends whose writes wait for a disk sync fill up fast.
func fill(tb testing.TB, s subject, keys []string, value []byte) {
	tb.Helper()

	if l, ok := s.(bulkLoader); ok {
		if err := l.bulkPut(keys, value); err != nil {
			tb.Fatalf("fill: %v", err)
		}

		return
	}

	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		firstErr error
		errOnce  sync.Once
	)

	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()

			ctx := context.Background()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(keys) {
					return
				}

				if err := s.put(ctx, keys[i], value); err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("put %q: %w", keys[i], err) })
					return
				}
			}
		}()
	}

	wg.Wait()

	if firstErr != nil {
		tb.Fatalf("fill: %v", firstErr)
	}
}

// workload is one operation measured on every implementation.
type workload struct {
	name string

	// sized workloads run once for each of valueSizes; the others use the
	// smallest value only.
	sized bool

	run func(b *testing.B, s subject, keys int, value []byte)
}

var workloads = []workload{
	{"get-hit", true, benchGetHit},
	{"get-hit-cancelable-ctx", false, benchGetHitCancelable},
	{"get-miss", false, benchGetMiss},
	{"put", true, benchPut},
	{"put-ttl", true, benchPutTTL},
	{"delete", false, benchDelete},
	{"list-10k", false, benchList},
	{"put-32-writers", true, benchConcurrentPut},
	{"get-many-16", true, benchGetMany},
}

// BenchmarkKV runs every workload on every backend and implementation.
func BenchmarkKV(b *testing.B) {
	for _, be := range backends {
		b.Run("backend="+be.name, func(b *testing.B) {
			for _, w := range workloads {
				sizes := valueSizes
				if !w.sized {
					sizes = valueSizes[:1]
				}

				for _, size := range sizes {
					name := "op=" + w.name + "/value=" + strconv.Itoa(size)
					b.Run(name, func(b *testing.B) {
						impls := be.impls
						if be.name == "bolt" && w.name == "put-32-writers" {
							impls = append(impls[:len(impls):len(impls)], opener{"raw-batch", func(tb testing.TB) subject {
								return rawBoltBatch{openRawBolt(tb)}
							}})
						}

						keys := keyCount
						if be.name == "bolt" {
							keys = boltKeyCount
						}

						for _, o := range impls {
							b.Run("impl="+o.impl, func(b *testing.B) {
								w.run(b, o.open(b), keys, makeValue(size))
							})
						}
					})
				}
			}
		})
	}
}

func benchGetHit(b *testing.B, s subject, n int, value []byte) {
	getHits(b, context.Background(), s, n, value)
}

// benchGetHitCancelable reads with a context that can be cancelled, as
// an HTTP request's is, so that implementations that watch the context
// pay for it.
func benchGetHitCancelable(b *testing.B, s subject, n int, value []byte) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	getHits(b, ctx, s, n, value)
}

func getHits(b *testing.B, ctx context.Context, s subject, n int, value []byte) {
	keys := makeKeys("hit:", n)
	fill(b, s, keys, value)

	b.ReportAllocs()
	b.ResetTimer()

	for i := range b.N {
		got, found, err := s.get(ctx, keys[i%n])
		if err != nil || !found || len(got) != len(value) {
			b.Fatalf("get %q: %d bytes, found %v, error %v; want %d bytes", keys[i%n], len(got), found, err, len(value))
		}
	}
}

func benchGetMiss(b *testing.B, s subject, n int, value []byte) {
	ctx := context.Background()
	fill(b, s, makeKeys("hit:", n), value)
	keys := makeKeys("miss:", n)

	b.ReportAllocs()
	b.ResetTimer()

	for i := range b.N {
		_, found, err := s.get(ctx, keys[i%n])
		if err != nil || found {
			b.Fatalf("get absent key %q: found %v, error %v", keys[i%n], found, err)
		}
	}
}

func benchPut(b *testing.B, s subject, n int, value []byte) {
	ctx := context.Background()
	keys := makeKeys("put:", n)

	b.ReportAllocs()
	b.ResetTimer()

	for i := range b.N {
		if err := s.put(ctx, keys[i%n], value); err != nil {
			b.Fatalf("put %q: %v", keys[i%n], err)
		}
	}
}

func benchPutTTL(b *testing.B, s subject, n int, value []byte) {
	t, ok := s.(ttlPutter)
	if !ok {
		b.Skip("no put with TTL")
	}

	ctx := context.Background()
	keys := makeKeys("ttl:", n)

	b.ReportAllocs()
	b.ResetTimer()

	for i := range b.N {
		if err := t.putTTL(ctx, keys[i%n], value, benchTTL); err != nil {
			b.Fatalf("put %q with TTL: %v", keys[i%n], err)
		}
	}
}

// benchDelete deletes existing keys: it refills the n keys, with the timer
// stopped, whenever the previous round has deleted them all.
func benchDelete(b *testing.B, s subject, n int, value []byte) {
	ctx := context.Background()

	round := n
	keys := makeKeys("del:", round)

	b.ReportAllocs()
	b.ResetTimer()

	for i := range b.N {
		if i%round == 0 {
			b.StopTimer()
			fill(b, s, keys, value)
			b.StartTimer()
		}

		if err := s.delete(ctx, keys[i%round]); err != nil {
			b.Fatalf("delete %q: %v", keys[i%round], err)
		}
	}
}

func benchList(b *testing.B, s subject, n int, value []byte) {
	l, ok := s.(prefixCounter)
	if !ok {
		b.Skip("no listing by prefix")
	}

	ctx := context.Background()
	fill(b, s, makeKeys("list:", listCount), value)
	fill(b, s, makeKeys("else:", listOtherCount), value)

	b.ReportAllocs()
	b.ResetTimer()

	for range b.N {
		n, err := l.countPrefix(ctx, "list:")
		if err != nil || n != listCount {
			b.Fatalf("list prefix %q: %d keys, error %v; want %d keys", "list:", n, err, listCount)
		}
	}
}

// benchConcurrentPut runs writers goroutines that each overwrite keys of
// their own. ns/op is wall time divided by all writes, the inverse of
// throughput.
func benchConcurrentPut(b *testing.B, s subject, n int, value []byte) {
	var id atomic.Int64

	b.SetParallelism((writers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	b.ResetTimer()

	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		keys := makeKeys("w"+strconv.Itoa(int(id.Add(1)))+":", max(n/writers, 1))

		for i := 0; pb.Next(); i++ {
			key := keys[i%len(keys)]
			if err := s.put(ctx, key, value); err != nil {
				b.Errorf("put %q: %v", key, err)
				return
			}
		}
	})
}

func benchGetMany(b *testing.B, s subject, n int, value []byte) {
	ctx := context.Background()
	keys := makeKeys("many:", n)
	fill(b, s, keys, value)

	getMany := func(ctx context.Context, batch []string) ([][]byte, error) {
		values := make([][]byte, len(batch))
		for i, key := range batch {
			value, _, err := s.get(ctx, key)
			if err != nil {
				return nil, err
			}

			values[i] = value
		}

		return values, nil
	}
	if g, ok := s.(batchGetter); ok {
		getMany = g.getMany
	}

	b.ReportAllocs()
	b.ResetTimer()

	for i := range b.N {
		start := (i * batchSize) % (n - batchSize)
		batch := keys[start : start+batchSize]

		values, err := getMany(ctx, batch)
		if err != nil || len(values) != batchSize || len(values[batchSize-1]) != len(value) {
			b.Fatalf("get %d keys from %q: %d values, error %v", batchSize, batch[0], len(values), err)
		}
	}
}
