package memory_test

import (
	"context"
	"errors"
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

func ExampleNew() {
	// A nil *Options means the defaults. Here the background reclaimer
	// runs every 10 seconds instead of every second.
	s := memory.New(&memory.Options{ReclaimInterval: 10 * time.Second})
	defer s.Close()

	if err := s.Put(context.Background(), "config", []byte("on")); err != nil {
		fmt.Println(err)
		return
	}

	fmt.Println(s.Len())

	// Output:
	// 1
}

func ExampleStore_PutTTL() {
	ctx := context.Background()

	s := memory.New(nil)
	defer s.Close()

	err := s.PutTTL(ctx, "otp:7", []byte("915204"), 0)
	fmt.Println(err)

	if err := s.PutTTL(ctx, "otp:7", []byte("915204"), 20*time.Millisecond); err != nil {
		fmt.Println(err)
		return
	}

	// The entry disappears as soon as its deadline passes. Poll for that
	// with a deadline of our own instead of sleeping for a guessed time.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := s.Get(ctx, "otp:7"); errors.Is(err, kv.ErrNotFound) {
			fmt.Println("expired")
			break
		}

		time.Sleep(5 * time.Millisecond)
	}

	// Output:
	// memory: key "otp:7": kv: invalid TTL: 0s, a TTL must be greater than zero
	// expired
}

func ExampleStore_Reclaim() {
	ctx := context.Background()

	// With no background reclaimer, expired entries keep their memory
	// until Reclaim removes them.
	s := memory.New(&memory.Options{ReclaimInterval: -1})
	defer s.Close()

	_ = s.Put(ctx, "config", []byte("kept"))
	for _, key := range []string{"otp:1", "otp:2", "otp:3"} {
		_ = s.PutTTL(ctx, key, []byte("x"), 10*time.Millisecond)
	}

	// otp:3 expires last, so once it reads as absent all three have
	// expired.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := s.Get(ctx, "otp:3"); errors.Is(err, kv.ErrNotFound) {
			break
		}

		time.Sleep(5 * time.Millisecond)
	}

	fmt.Println("entries before:", s.Len())

	removed, err := s.Reclaim(ctx)
	fmt.Println("removed:", removed, err)
	fmt.Println("entries after:", s.Len())

	// Output:
	// entries before: 4
	// removed: 3 <nil>
	// entries after: 1
}
