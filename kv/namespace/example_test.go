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

func ExampleNew_nested() {
	ctx := context.Background()

	backend := memory.New(nil)
	defer backend.Close()

	// A namespace of a namespace stores its keys under both prefixes.
	tenant, _ := namespace.New(backend, "tenant-7/")
	users, _ := namespace.New(tenant, "users/")

	_ = users.Put(ctx, "42", []byte("ann"))
	_ = tenant.Put(ctx, "plan", []byte("pro"))

	// The outer namespace lists the inner one's keys, as a directory
	// lists its subdirectories.
	for _, s := range []kv.Store{backend, tenant, users} {
		for key, err := range kv.Keys(ctx, s, "") {
			if err != nil {
				panic(err)
			}

			fmt.Println(key)
		}

		fmt.Println("--")
	}

	// Output:
	// tenant-7/plan
	// tenant-7/users/42
	// --
	// plan
	// users/42
	// --
	// 42
	// --
}

func ExampleValidatePrefix() {
	for _, prefix := range []string{"app:", "app", "my app/"} {
		fmt.Println(namespace.ValidatePrefix(prefix))
	}

	// Output:
	// <nil>
	// namespace: invalid prefix "app": the last byte 'p' is a letter or digit, so the namespace could overlap one with a longer prefix; end the prefix with a separator such as ':' or '/'
	// namespace: invalid prefix: kv: invalid key "my app/": byte 0x20 at offset 2 is not printable ASCII ('!' to '~')
}

func ExampleMaxKeyLen() {
	// The stored key, prefix included, must fit kv.MaxKeyLen.
	fmt.Println(namespace.MaxKeyLen("tenant-7/"))

	// Output:
	// 241
}
