package cache_test

import (
	"context"
	"fmt"
	"time"

	"github.com/anykv/anykv/kv/cache"
	"github.com/anykv/anykv/kv/memory"
)

func Example() {
	ctx := context.Background()

	// In production the slow store is Redis, bbolt or memcached.
	slow := memory.New(nil)
	defer slow.Close()

	fast := memory.New(nil)
	defer fast.Close()

	c, err := cache.New(fast, slow, &cache.Options{MaxStaleness: 5 * time.Second})
	if err != nil {
		panic(err)
	}
	defer c.Close()

	_ = c.Put(ctx, "user:42", []byte("ann"))

	name, _ := c.Get(ctx, "user:42") // reads slow, keeps a copy in fast
	fmt.Println(string(name))

	_ = c.Put(ctx, "user:42", []byte("bob")) // invalidates the copy

	name, _ = c.Get(ctx, "user:42")
	fmt.Println(string(name))

	// Output:
	// ann
	// bob
}

func Example_maxStaleness() {
	ctx := context.Background()

	slow := memory.New(nil)
	defer slow.Close()

	fast := memory.New(nil)
	defer fast.Close()

	c, err := cache.New(fast, slow, &cache.Options{MaxStaleness: 100 * time.Millisecond})
	if err != nil {
		panic(err)
	}
	defer c.Close()

	_ = slow.Put(ctx, "user:42", []byte("ann"))

	name, _ := c.Get(ctx, "user:42")
	fmt.Println(string(name))

	// A write that bypasses the cache, as another process's would. Reads
	// through the cache may return the old copy for up to MaxStaleness,
	// and none after it.
	_ = slow.Put(ctx, "user:42", []byte("bob"))

	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		name, _ = c.Get(ctx, "user:42")
		if string(name) == "bob" {
			fmt.Println(string(name))
			break
		}

		time.Sleep(10 * time.Millisecond)
	}

	// Output:
	// ann
	// bob
}
