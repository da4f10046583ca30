package redis_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync/atomic"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/kv/redis"
)

func TestMain(m *testing.M) {
	testserver.Main(m)
}

// uniqueNamespace returns a namespace no other test uses, so that tests
// sharing one server cannot see each other's keys.
func uniqueNamespace(t *testing.T) string {
	t.Helper()

	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}

	return "test-" + hex.EncodeToString(b) + ":"
}

// serverClient returns a go-redis client of the shared server, closed when
// t ends.
func serverClient(t *testing.T) *goredis.Client {
	t.Helper()

	client := goredis.NewClient(&goredis.Options{Addr: testserver.Redis(t)})
	t.Cleanup(func() { client.Close() })

	return client
}

// clusterClient returns a go-redis client of the shared cluster, closed
// when t ends.
func clusterClient(t *testing.T) *goredis.ClusterClient {
	t.Helper()

	client := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: testserver.RedisCluster(t)})
	t.Cleanup(func() { client.Close() })

	return client
}

// newStore returns a store on client with options opts, closed when t
// ends.
func newStore(t *testing.T, client goredis.UniversalClient, opts *redis.Options) *redis.Store {
	t.Helper()

	store, err := redis.NewFromClient(client, opts)
	if err != nil {
		t.Fatalf("NewFromClient: %v", err)
	}
	t.Cleanup(func() { store.Close() })

	return store
}

// commandCounter is a go-redis hook that counts the commands a client
// sends, so that a test can check that a call sent none.
type commandCounter struct {
	count atomic.Int64
}

func (c *commandCounter) DialHook(next goredis.DialHook) goredis.DialHook {
	return next
}

func (c *commandCounter) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		c.count.Add(1)
		return next(ctx, cmd)
	}
}

func (c *commandCounter) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		c.count.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}
