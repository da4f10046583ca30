package namespace_test

import (
	"context"
	"fmt"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/memory"
	"github.com/anykv/anykv/kv/namespace"
)

func Example() {
	ctx := context.Background()

	shared := memory.New(nil)
	defer shared.Close()

	sessions, _ := namespace.New(shared, "sessions:")
	users, _ := namespace.New(shared, "users:")

	_ = sessions.Put(ctx, "42", []byte("token"))
	_ = users.Put(ctx, "42", []byte("ann"))

	name, _ := users.Get(ctx, "42")
	fmt.Println(string(name))

	for key, err := range kv.Keys(ctx, shared, "") {
		if err != nil {
			panic(err)
		}

		fmt.Println(key)
	}

	_, err := namespace.New(shared, "users")
	fmt.Println(err != nil)

	// Unordered output:
	// ann
	// sessions:42
	// users:42
	// true
}
