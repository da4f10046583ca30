package memcache_test

import (
	"testing"
	"time"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/kvtest"
	"github.com/anykv/anykv/kv/memcache"
)

// The conformance runs are parallel to one another because they spend most
// of their time waiting for TTLs, and each subtest writes only under its
// own random key prefix.

// suiteOptions describes a store on servers at memcached's default -I 1m.
// memcached's clock counts whole seconds, so entries expire up to 2 s late.
func suiteOptions(namespace string) kvtest.Options {
	return kvtest.Options{
		TTLGranularity: 2 * time.Second,
		MaxValueSize:   memcache.DefaultMaxItemSize - 309,
		MaxKeyLen:      kv.MaxKeyLen - len(namespace),
	}
}

func TestConformanceOneServer(t *testing.T) {
	t.Parallel()

	servers := []string{testserver.Memcached(t)}

	kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
		return newStore(t, servers, nil)
	}, suiteOptions(""))
}

func TestConformanceTwoServers(t *testing.T) {
	t.Parallel()

	servers := testserver.MemcachedPool(t)

	kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
		return newStore(t, servers, nil)
	}, suiteOptions(""))
}

func TestConformanceNamespace(t *testing.T) {
	t.Parallel()

	servers := []string{testserver.Memcached(t)}
	namespace := "conformance-namespace:"

	kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
		return newStore(t, servers, &memcache.Options{Namespace: namespace, Timeout: testTimeout})
	}, suiteOptions(namespace))
}
