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
