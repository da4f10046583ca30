package keyenc_test

import (
	"context"
	"fmt"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/keyenc"
	"github.com/anykv/anykv/kv/memory"
)

func Example() {
	ctx := context.Background()

	inner := memory.New(nil)
	defer inner.Close()

	s := keyenc.New(inner)

	_ = s.Put(ctx, "photo of café.jpg", []byte("..."))

	for key, err := range kv.Keys(ctx, s, "photo ") {
		if err != nil {
			panic(err)
		}

		fmt.Println(key)
	}

	for key, err := range kv.Keys(ctx, inner, "") {
		if err != nil {
			panic(err)
		}

		fmt.Println(key)
	}

	// Output:
	// photo of café.jpg
	// photo%20of%20caf%C3%A9.jpg
}

func ExampleEncode() {
	stored, _ := keyenc.Encode("50% off/ünïcode")
	fmt.Println(stored)

	raw, _ := keyenc.Decode(stored)
	fmt.Println(raw)

	// Output:
	// 50%25%20off/%C3%BCn%C3%AFcode
	// 50% off/ünïcode
}
