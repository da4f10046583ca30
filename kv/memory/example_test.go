package memory_test

import (
	"context"
	"fmt"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/memory"
)

func Example() {
	ctx := context.Background()

	s := memory.New(nil)
	defer s.Close()

	if err := s.PutTTL(ctx, "session:42", []byte("alice"), time.Hour); err != nil {
		fmt.Println(err)
		return
	}

	value, err := s.Get(ctx, "session:42")
	fmt.Printf("%s %v\n", value, err)

	_, err = s.Get(ctx, "session:43")
	fmt.Println(err)

	// Output:
	// alice <nil>
	// memory: get "session:43": kv: key not found
}

func ExampleStore_Keys() {
	ctx := context.Background()

	s := memory.New(nil)
	defer s.Close()

	for _, key := range []string{"user:b", "user:a", "group:x"} {
		if err := s.Put(ctx, key, nil); err != nil {
			fmt.Println(err)
			return
		}
	}

	for key, err := range s.Keys(ctx, "user:") {
		if err != nil {
			fmt.Println(err)
			return
		}

		fmt.Println(key)
	}

	// Output:
	// user:a
	// user:b
}

func Example_openURL() {
	ctx := context.Background()

	store, err := kv.Open(ctx, "memory://?reclaim_interval=500ms")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	_, isTTLStore := store.(kv.TTLStore)
	fmt.Println(isTTLStore)

	// Output:
	// true
}
