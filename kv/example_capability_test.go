package kv_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/memory"
	"github.com/anykv/anykv/kv/namespace"
)

func ExamplePutTTL() {
	ctx := context.Background()

	s := memory.New(nil)
	defer s.Close()

	if err := kv.PutTTL(ctx, s, "session:abc", []byte("user:42"), 30*time.Minute); err != nil {
		fmt.Println(err)
		return
	}

	user, err := s.Get(ctx, "session:abc")
	fmt.Printf("%s %v\n", user, err)

	// Zero never means "forever" or "expire now".
	err = kv.PutTTL(ctx, s, "session:def", []byte("user:43"), 0)
	fmt.Println(errors.Is(err, kv.ErrInvalidTTL))

	if err := kv.PutTTL(ctx, s, "otp:7", []byte("915204"), 50*time.Millisecond); err != nil {
		fmt.Println(err)
		return
	}

	// Poll instead of sleeping for a guessed time, with a deadline.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := s.Get(ctx, "otp:7"); errors.Is(err, kv.ErrNotFound) {
			fmt.Println("otp:7 expired")
			break
		}

		time.Sleep(10 * time.Millisecond)
	}

	// Output:
	// user:42 <nil>
	// true
	// otp:7 expired
}

func ExampleKeys() {
	ctx := context.Background()

	s := memory.New(nil)
	defer s.Close()

	for _, key := range []string{"a*", "a*b", "ab", "b"} {
		if err := s.Put(ctx, key, nil); err != nil {
			fmt.Println(err)
			return
		}
	}

	// '*' is an ordinary byte, so the prefix "a*" does not match "ab".
	for key, err := range kv.Keys(ctx, s, "a*") {
		if err != nil {
			fmt.Println(err)
			return
		}

		fmt.Println(key)
	}

	// Output:
	// a*
	// a*b
}

func ExamplePutIfAbsent() {
	ctx := context.Background()

	s := memory.New(nil)
	defer s.Close()

	// Of several workers that race for the same lock, exactly one wins.
	for _, worker := range []string{"worker-1", "worker-2"} {
		won, err := kv.PutIfAbsent(ctx, s, "lock:job-7", []byte(worker))
		fmt.Println(worker, won, err)
	}

	owner, _ := s.Get(ctx, "lock:job-7")
	fmt.Println(string(owner))

	// Output:
	// worker-1 true <nil>
	// worker-2 false <nil>
	// worker-1
}

func ExampleCompareAndSwap() {
	ctx := context.Background()

	s := memory.New(nil)
	defer s.Close()

	if err := s.Put(ctx, "visits", []byte("41")); err != nil {
		fmt.Println(err)
		return
	}

	// Increment a counter without losing a concurrent update. The loop
	// retries until no write changed the value between read and swap.
	for {
		old, err := s.Get(ctx, "visits")
		if err != nil {
			fmt.Println(err)
			return
		}

		n, err := strconv.Atoi(string(old))
		if err != nil {
			fmt.Println(err)
			return
		}

		swapped, err := kv.CompareAndSwap(ctx, s, "visits", old, []byte(strconv.Itoa(n+1)))
		if err != nil {
			fmt.Println(err)
			return
		}

		if swapped {
			break
		}
	}

	visits, _ := s.Get(ctx, "visits")
	fmt.Println(string(visits))

	// A swap from a value the key no longer has changes nothing.
	swapped, err := kv.CompareAndSwap(ctx, s, "visits", []byte("41"), []byte("0"))
	fmt.Println(swapped, err)

	// Output:
	// 42
	// false <nil>
}

func ExampleGetMany() {
	ctx := context.Background()

	s := memory.New(nil)
	defer s.Close()

	_ = s.Put(ctx, "user:1", []byte("Ada"))
	_ = s.Put(ctx, "user:3", []byte{})

	values, err := kv.GetMany(ctx, s, []string{"user:1", "user:2", "user:3"})
	if err != nil {
		fmt.Println(err)
		return
	}

	// An absent key gets a nil value, an empty value an empty slice.
	for _, value := range values {
		fmt.Printf("%q nil=%v\n", value, value == nil)
	}

	// Output:
	// "Ada" nil=false
	// "" nil=true
	// "" nil=false
}

func ExampleAs() {
	ctx := context.Background()

	backend := memory.New(nil)
	defer backend.Close()

	tenant, err := namespace.New(backend, "tenant-7/")
	if err != nil {
		fmt.Println(err)
		return
	}

	_ = tenant.Put(ctx, "user:42", []byte("Ada"))

	// As looks through the wrapper to reach the backend's own methods.
	if m, ok := kv.As[*memory.Store](tenant); ok {
		fmt.Println("entries in memory:", m.Len())
	}

	// A capability needs no As, because the wrapper has exactly the
	// backend's capabilities. Calling the wrapper also keeps the namespace.
	_, isLister := tenant.(kv.Lister)
	fmt.Println("lister:", isLister)

	// Output:
	// entries in memory: 1
	// lister: true
}
