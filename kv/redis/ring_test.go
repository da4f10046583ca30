package redis_test

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/kvtest"
	"github.com/anykv/anykv/kv/redis"
)

// ringClient returns a Ring over the shared server and a server of the
// test's own, closed when t ends.
func ringClient(t *testing.T) *goredis.Ring {
	t.Helper()

	second := testserver.StartRedis(t, testserver.RedisConfig{})
	ring := goredis.NewRing(&goredis.RingOptions{Addrs: map[string]string{
		"first":  testserver.Redis(t),
		"second": second.Addr(),
	}})
	t.Cleanup(func() { ring.Close() })

	return ring
}

func TestConformanceRing(t *testing.T) {
	ring := ringClient(t)
	namespace := uniqueNamespace(t)

	kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
		return newStore(t, ring, &redis.Options{Namespace: namespace, MaxValueSize: conformanceValueLimit})
	}, kvtest.Options{MaxValueSize: conformanceValueLimit})
}

func TestRingKeysAndGetManyReachEveryShard(t *testing.T) {
	ctx := context.Background()
	ring := ringClient(t)
	namespace := uniqueNamespace(t)
	store := newStore(t, ring, &redis.Options{Namespace: namespace})

	const n = 50
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("r%d", i)
		if err := store.Put(ctx, keys[i], []byte(keys[i])); err != nil {
			t.Fatal(err)
		}
	}

	// ForEachShard calls the function from one goroutine for each shard.
	var shardsWithKeys atomic.Int32
	err := ring.ForEachShard(ctx, func(ctx context.Context, shard *goredis.Client) error {
		found, err := shard.Keys(ctx, namespace+"*").Result()
		if err != nil {
			return err
		}

		if len(found) > 0 {
			shardsWithKeys.Add(1)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	if got := shardsWithKeys.Load(); got != 2 {
		t.Fatalf("the keys landed on %d shards, want both", got)
	}

	if listed := listKeys(t, store, ""); len(listed) != n {
		t.Errorf("Keys listed %d keys, want %d", len(listed), n)
	}

	values, err := store.GetMany(ctx, append(keys, "absent"))
	if err != nil {
		t.Fatalf("GetMany: %v", err)
	}

	for i, key := range keys {
		if !bytes.Equal(values[i], []byte(key)) {
			t.Errorf("GetMany value %d = %q, want %q", i, values[i], key)
		}
	}

	if values[n] != nil {
		t.Errorf("GetMany value of an absent key = %q, want nil", values[n])
	}
}
