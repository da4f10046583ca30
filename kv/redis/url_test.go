package redis_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/redis"
)

// openURL opens a store with kv.Open and closes it when t ends.
func openURL(t *testing.T, rawURL string) *redis.Store {
	t.Helper()

	store, err := kv.Open(context.Background(), rawURL)
	if err != nil {
		t.Fatalf("Open(%q): %v", rawURL, err)
	}
	t.Cleanup(func() { store.Close() })

	redisStore, ok := store.(*redis.Store)
	if !ok {
		t.Fatalf("Open(%q) returned a %T, want *redis.Store", rawURL, store)
	}

	return redisStore
}

func TestOpenURLServer(t *testing.T) {
	ctx := context.Background()
	namespace := uniqueNamespace(t)
	store := openURL(t, "redis://"+testserver.Redis(t)+"/0?namespace="+namespace+"&scan_count=50")

	if err := store.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}

	value, err := serverClient(t).Get(ctx, namespace+"k").Result()
	if err != nil || value != "v" {
		t.Fatalf("server key %q = %q, %v, want v", namespace+"k", value, err)
	}

	if keys := listKeys(t, store, ""); !slices.Equal(keys, []string{"k"}) {
		t.Fatalf("Keys = %q, want [k]", keys)
	}
}

func TestOpenURLCluster(t *testing.T) {
	ctx := context.Background()
	addrs := testserver.RedisCluster(t)
	store := openURL(t, "redis+cluster://"+strings.Join(addrs, ",")+"/?namespace="+uniqueNamespace(t)+"&dial_timeout=2s")

	cluster, ok := store.Client().(*goredis.ClusterClient)
	if !ok {
		t.Fatalf("client is a %T, want *goredis.ClusterClient", store.Client())
	}

	if got := cluster.Options().Addrs; !slices.Equal(got, addrs) {
		t.Errorf("cluster seed addresses = %q, want %q", got, addrs)
	}

	if got := cluster.Options().DialTimeout; got != 2*time.Second {
		t.Errorf("DialTimeout = %v, want 2s", got)
	}

	for _, key := range []string{"a", "b", "c", "d"} {
		if err := store.Put(ctx, key, []byte(key)); err != nil {
			t.Fatal(err)
		}
	}

	if keys := listKeys(t, store, ""); !slices.Equal(keys, []string{"a", "b", "c", "d"}) {
		t.Fatalf("Keys = %q, want [a b c d]", keys)
	}
}

func TestOpenURLServerOptions(t *testing.T) {
	store := openURL(t, "redis://user:secret@127.0.0.1:1/3?dial_timeout=2s&max_value_size=10")

	client, ok := store.Client().(*goredis.Client)
	if !ok {
		t.Fatalf("client is a %T, want *goredis.Client", store.Client())
	}

	opts := client.Options()
	if opts.Addr != "127.0.0.1:1" || opts.DB != 3 || opts.Username != "user" || opts.Password != "secret" || opts.DialTimeout != 2*time.Second {
		t.Errorf("client options: addr %s, db %d, user %q, password %q, dial timeout %v", opts.Addr, opts.DB, opts.Username, opts.Password, opts.DialTimeout)
	}

	// The limit is checked before anything is sent, so the unreachable
	// address does not matter.
	err := store.Put(context.Background(), "k", make([]byte, 11))
	if !errors.Is(err, kv.ErrValueTooLarge) {
		t.Errorf("Put of 11 bytes with max_value_size=10 = %v, want ErrValueTooLarge", err)
	}
}

func TestOpenURLTLS(t *testing.T) {
	store := openURL(t, "rediss://127.0.0.1:1/")

	client := store.Client().(*goredis.Client)
	if client.Options().TLSConfig == nil {
		t.Fatal("rediss:// client has no TLS configuration")
	}
}

func TestOpenURLSentinelOptions(t *testing.T) {
	store := openURL(t, "redis+sentinel://:secret@127.0.0.1:1,127.0.0.1:2/mymaster/2?pool_size=7")

	client, ok := store.Client().(*goredis.Client)
	if !ok {
		t.Fatalf("client is a %T, want the failover *goredis.Client", store.Client())
	}

	opts := client.Options()
	if opts.DB != 2 || opts.Password != "secret" || opts.PoolSize != 7 {
		t.Errorf("client options: db %d, password %q, pool size %d; want 2, secret, 7", opts.DB, opts.Password, opts.PoolSize)
	}
}

func TestOpenURLRejects(t *testing.T) {
	cases := map[string]string{
		"unknown option":          "redis://:hunter2@127.0.0.1:1/?bogus=1",
		"negative value limit":    "redis://:hunter2@127.0.0.1:1/?max_value_size=-1",
		"scan count not a number": "redis://:hunter2@127.0.0.1:1/?scan_count=many",
		"invalid namespace":       "redis://:hunter2@127.0.0.1:1/?namespace=a%20b",
		"two servers":             "redis://:hunter2@127.0.0.1:1,127.0.0.1:2/",
		"database not a number":   "redis://:hunter2@127.0.0.1:1/zero",
		"cluster with database":   "redis+cluster://:hunter2@127.0.0.1:1,127.0.0.1:2/3",
		"cluster empty address":   "redis+cluster://:hunter2@127.0.0.1:1,,127.0.0.1:2/",
		"cluster unknown option":  "redis+cluster://:hunter2@127.0.0.1:1/?db=1",
		"sentinel without master": "redis+sentinel://:hunter2@127.0.0.1:1/",
		"sentinel bad database":   "redis+sentinel://:hunter2@127.0.0.1:1/mymaster/x",
		"password in the query":   "redis+sentinel://127.0.0.1:1/mymaster?password=hunter2&bogus=1",
	}
	for name, rawURL := range cases {
		_, err := kv.Open(context.Background(), rawURL)
		if !errors.Is(err, kv.ErrInvalidURL) {
			t.Errorf("%s: Open(%q) = %v, want ErrInvalidURL", name, rawURL, err)
			continue
		}

		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: error %q shows the password", name, err)
		}
	}
}

func TestOpenURLDirect(t *testing.T) {
	store, err := redis.OpenURL(context.Background(), "redis://"+testserver.Redis(t))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	if err := store.Client().Ping(context.Background()).Err(); err != nil {
		t.Fatalf("PING: %v", err)
	}

	_, err = redis.OpenURL(context.Background(), "redis://:hunter2@127.0.0.1:bad port/")
	if !errors.Is(err, kv.ErrInvalidURL) || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("OpenURL of an unparsable URL = %v, want ErrInvalidURL without the password", err)
	}
}

func TestSchemesRegistered(t *testing.T) {
	schemes := kv.Schemes()
	for _, scheme := range []string{"redis", "rediss", "redis+cluster", "rediss+cluster", "redis+sentinel", "rediss+sentinel"} {
		if !slices.Contains(schemes, scheme) {
			t.Errorf("scheme %q is not registered; registered: %q", scheme, schemes)
		}
	}
}
