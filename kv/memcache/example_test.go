package memcache_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	gomemcache "github.com/bradfitz/gomemcache/memcache"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/memcache"
)

// This example expects memcached servers at 127.0.0.1:11211 and
// 127.0.0.1:11212. It has no checked output, so go test compiles it
// without running it.
func ExampleNew() {
	ctx := context.Background()

	s, err := memcache.New([]string{"127.0.0.1:11211", "127.0.0.1:11212"}, &memcache.Options{
		Timeout:   time.Second,
		Namespace: "app:",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	// New does not connect, so check the servers at start-up.
	if err := s.Ping(ctx); err != nil {
		log.Fatal(err)
	}

	// memcached counts whole seconds: the entry lives at least 30 minutes
	// and at most 2 s longer.
	if err := s.PutTTL(ctx, "session:42", []byte("alice"), 30*time.Minute); err != nil {
		log.Fatal(err)
	}

	// memcached may evict the entry when it runs out of memory, and then
	// Get returns kv.ErrNotFound.
	user, err := s.Get(ctx, "session:42")
	if errors.Is(err, kv.ErrNotFound) {
		fmt.Println("evicted or expired")
		return
	}
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println(string(user))
}

// This example expects a memcached server at 127.0.0.1:11211. It has no
// checked output, so go test compiles it without running it.
func ExampleNewFromClient() {
	ctx := context.Background()

	// A client the application already has. The store never closes it.
	client := gomemcache.New("127.0.0.1:11211")
	defer client.Close()

	s, err := memcache.NewFromClient(client, &memcache.Options{Namespace: "app:"})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	if err := s.Put(ctx, "visits", []byte("41")); err != nil {
		log.Fatal(err)
	}

	// CompareAndSwap uses gets and cas, so the swap fails when another
	// write came in between.
	swapped, err := s.CompareAndSwap(ctx, "visits", []byte("41"), []byte("42"))
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println("swapped:", swapped)
}

// This example expects memcached servers at 127.0.0.1:11211 and
// 127.0.0.1:11212. It has no checked output, so go test compiles it
// without running it.
func Example_open() {
	ctx := context.Background()

	// Importing kv/memcache registers memcache:// with kv.Open. A server
	// without a port uses 11211. The options are timeout, max_idle,
	// namespace and max_item_size.
	s, err := kv.Open(ctx, "memcache://127.0.0.1,127.0.0.1:11212?timeout=1s&namespace=app:&max_item_size=2m")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	// memcached cannot list keys, so the store is no kv.Lister.
	_, isLister := s.(kv.Lister)
	fmt.Println("lister:", isLister)
}
