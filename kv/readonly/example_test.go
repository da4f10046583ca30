package readonly_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/anykv/anykv/kv/memory"
	"github.com/anykv/anykv/kv/readonly"
)

func Example() {
	ctx := context.Background()

	inner := memory.New(nil)
	defer inner.Close()

	_ = inner.Put(ctx, "config/mode", []byte("strict"))

	view := readonly.New(inner)

	mode, _ := view.Get(ctx, "config/mode")
	fmt.Println(string(mode))

	err := view.Put(ctx, "config/mode", []byte("lax"))
	fmt.Println(errors.Is(err, readonly.ErrReadOnly))
	fmt.Println(err)

	// Output:
	// strict
	// true
	// put "config/mode": readonly: store is read-only
}
