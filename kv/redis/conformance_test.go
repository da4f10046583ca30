package redis_test

import (
	"testing"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/kvtest"
	"github.com/anykv/anykv/kv/redis"
)

// conformanceValueLimit keeps the suite's largest-value check small; the
// 512 MiB default would cost a gigabyte of memory for each run.
const conformanceValueLimit = 1 << 20

func TestConformanceServer(t *testing.T) {
	client := serverClient(t)

	kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
		return newStore(t, client, &redis.Options{MaxValueSize: conformanceValueLimit})
	}, kvtest.Options{MaxValueSize: conformanceValueLimit})
}

func TestConformanceServerNamespace(t *testing.T) {
	client := serverClient(t)
	namespace := uniqueNamespace(t)

	kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
		return newStore(t, client, &redis.Options{Namespace: namespace, MaxValueSize: conformanceValueLimit})
	}, kvtest.Options{MaxValueSize: conformanceValueLimit})
}

func TestConformanceCluster(t *testing.T) {
	client := clusterClient(t)

	kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
		return newStore(t, client, &redis.Options{MaxValueSize: conformanceValueLimit})
	}, kvtest.Options{MaxValueSize: conformanceValueLimit})
}

func TestConformanceClusterNamespace(t *testing.T) {
	client := clusterClient(t)
	namespace := uniqueNamespace(t)

	kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
		return newStore(t, client, &redis.Options{Namespace: namespace, MaxValueSize: conformanceValueLimit})
	}, kvtest.Options{MaxValueSize: conformanceValueLimit})
}
