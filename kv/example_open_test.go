package kv_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/anykv/anykv/kv"
	_ "github.com/anykv/anykv/kv/bolt"   // registers bolt://
	_ "github.com/anykv/anykv/kv/memory" // registers memory://
)

func ExampleOpen() {
	ctx := context.Background()

	dir, err := os.MkdirTemp("", "kv-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	// Importing a backend package registers its scheme. The same code then
	// runs on either store, so the URL can come from configuration.
	urls := []string{
		"memory://",
		"bolt://" + filepath.Join(dir, "app.db") + "?timeout=2s",
	}

	for _, rawURL := range urls {
		store, err := kv.Open(ctx, rawURL)
		if err != nil {
			fmt.Println(err)
			return
		}

		_ = store.Put(ctx, "greeting", []byte("hello"))
		greeting, err := store.Get(ctx, "greeting")
		fmt.Printf("%T: %s %v\n", store, greeting, err)

		_ = store.Close()
	}

	// A scheme that no imported backend registered is unknown.
	_, err = kv.Open(ctx, "etcd://127.0.0.1:2379")
	fmt.Println(errors.Is(err, kv.ErrUnknownScheme))

	// Output:
	// *memory.Store: hello <nil>
	// *bolt.Store: hello <nil>
	// true
}
