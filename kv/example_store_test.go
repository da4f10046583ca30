package kv_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/memory"
)

func ExampleStore() {
	ctx := context.Background()

	// Code written against kv.Store runs unchanged on any backend.
	var store kv.Store = memory.New(nil)
	defer store.Close()

	if err := store.Put(ctx, "user:42", []byte("Ada")); err != nil {
		fmt.Println(err)
		return
	}

	name, err := store.Get(ctx, "user:42")
	fmt.Printf("%s %v\n", name, err)

	if err := store.Delete(ctx, "user:42"); err != nil {
		fmt.Println(err)
		return
	}

	_, err = store.Get(ctx, "user:42")
	fmt.Println(errors.Is(err, kv.ErrNotFound))

	// Deleting an absent key is not an error.
	fmt.Println(store.Delete(ctx, "user:42"))

	// Output:
	// Ada <nil>
	// true
	// <nil>
}

func ExampleValidateKey() {
	for _, key := range []string{"user:42", "user 42", ""} {
		fmt.Println(kv.ValidateKey(key))
	}

	// Output:
	// <nil>
	// kv: invalid key "user 42": byte 0x20 at offset 4 is not printable ASCII ('!' to '~')
	// kv: invalid key: empty key
}

func ExampleQuoteKey() {
	// A key in a message is quoted, so a newline cannot split a log line,
	// and cut after 64 bytes, so a huge key cannot flood it.
	fmt.Println(kv.QuoteKey("user\n42"))
	fmt.Println(kv.QuoteKey("blob:" + strings.Repeat("0123456789", 10)))

	// Output:
	// "user\n42"
	// "blob:01234567890123456789012345678901234567890123456789012345678"... (105 bytes)
}
