package redis_test

import (
	"context"
	"fmt"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/kv/redis"
)

// The benchmarks run against the private servers that the tests start on
// loopback, so they measure the client side plus local round trips.

// benchmarkStores returns a store on the shared server and one on the
// shared cluster, each in a namespace of its own.
func benchmarkStores(b *testing.B) map[string]*redis.Store {
	b.Helper()

	server := goredis.NewClient(&goredis.Options{Addr: testserver.Redis(b)})
	cluster := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: testserver.RedisCluster(b)})
	b.Cleanup(func() {
		server.Close()
		cluster.Close()
	})

	stores := map[string]*redis.Store{}
	for name, client := range map[string]goredis.UniversalClient{"server": server, "cluster": cluster} {
		store, err := redis.NewFromClient(client, &redis.Options{Namespace: "bench-" + name + ":"})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { store.Close() })
		stores[name] = store
	}

	return stores
}

func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	value := make([]byte, 100)

	for name, store := range benchmarkStores(b) {
		b.Run(name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if err := store.Put(ctx, fmt.Sprintf("k%d", i%1000), value); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkGetMany reads 100 keys in one call, and BenchmarkGet100 reads
// the same keys one call each, to show what batching saves.
func BenchmarkGetMany(b *testing.B) {
	ctx := context.Background()
	keys := benchmarkKeys(100)

	for name, store := range benchmarkStores(b) {
		putKeys(b, store, keys)

		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := store.GetMany(ctx, keys); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGet100(b *testing.B) {
	ctx := context.Background()
	keys := benchmarkKeys(100)

	for name, store := range benchmarkStores(b) {
		putKeys(b, store, keys)

		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				for _, key := range keys {
					if _, err := store.Get(ctx, key); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

func benchmarkKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("batch-%d", i)
	}

	return keys
}

func putKeys(b *testing.B, store *redis.Store, keys []string) {
	b.Helper()

	for _, key := range keys {
		if err := store.Put(context.Background(), key, []byte("value")); err != nil {
			b.Fatal(err)
		}
	}
}
