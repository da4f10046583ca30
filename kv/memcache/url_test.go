package memcache_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/memcache"
	gomemcache "github.com/bradfitz/gomemcache/memcache"
)

func TestOpenURLWithOptions(t *testing.T) {
	addr := testserver.Memcached(t)
	namespace := uniqueKey(t, "")

	store, err := kv.Open(t.Context(), "memcache://"+addr+"?timeout=2s&max_idle=4&max_item_size=1m&namespace="+namespace)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer store.Close()

	if _, ok := store.(*memcache.Store); !ok {
		t.Fatalf("Open returned %T, want *memcache.Store", store)
	}

	if err := store.Put(t.Context(), "k", []byte("v")); err != nil {
		t.Fatalf("Put: %v", err)
	}

	item, err := gomemcache.New(addr).Get(namespace + "k")
	if err != nil {
		t.Fatalf("no item under the namespaced key: %v", err)
	}

	if string(item.Value) != "v" {
		t.Errorf("item = %q, want %q", item.Value, "v")
	}
}

func TestOpenURLPool(t *testing.T) {
	pool := testserver.MemcachedPool(t)

	store, err := kv.Open(t.Context(), "memcache://"+strings.Join(pool, ","))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer store.Close()

	if err := store.(*memcache.Store).Ping(t.Context()); err != nil {
		t.Errorf("Ping both servers: %v", err)
	}
}

func TestOpenURLDefaultPort(t *testing.T) {
	// New does not connect, so this opens even with no server on 11211.
	for _, rawURL := range []string{"memcache://127.0.0.1", "memcache://127.0.0.1,127.0.0.2:11212", "memcache://[::1]", "memcache:///run/memcached.sock"} {
		store, err := kv.Open(t.Context(), rawURL)
		if err != nil {
			t.Errorf("Open(%q): %v", rawURL, err)
			continue
		}

		store.Close()
	}
}

func TestOpenURLRejects(t *testing.T) {
	invalid := map[string]string{
		"unknown option":    "memcache://127.0.0.1:11211?pool_size=3",
		"repeated option":   "memcache://127.0.0.1:11211?timeout=1s&timeout=2s",
		"bad timeout":       "memcache://127.0.0.1:11211?timeout=soon",
		"negative timeout":  "memcache://127.0.0.1:11211?timeout=-1s",
		"bad max_idle":      "memcache://127.0.0.1:11211?max_idle=0",
		"bad item size":     "memcache://127.0.0.1:11211?max_item_size=big",
		"tiny item size":    "memcache://127.0.0.1:11211?max_item_size=10",
		"bad namespace":     "memcache://127.0.0.1:11211?namespace=%20",
		"password":          "memcache://user:hunter2@127.0.0.1:11211",
		"path":              "memcache://127.0.0.1:11211/0",
		"no server":         "memcache://",
		"empty server":      "memcache://127.0.0.1:11211,",
		"empty port":        "memcache://127.0.0.1:",
		"fragment":          "memcache://127.0.0.1:11211#x",
		"bare IPv6 literal": "memcache://::1",
	}

	for name, rawURL := range invalid {
		store, err := kv.Open(t.Context(), rawURL)
		if err == nil {
			store.Close()
		}

		if !errors.Is(err, kv.ErrInvalidURL) {
			t.Errorf("%s: Open(%q) = %v, want ErrInvalidURL", name, rawURL, err)
			continue
		}

		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: error %q shows the password", name, err)
		}
	}
}
