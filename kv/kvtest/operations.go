package kvtest

import (
	"context"

	"github.com/anykv/anykv/kv"
)

// operation is one call on a store, made on one key.
type operation struct {
	name string
	call func(ctx context.Context, key string) error

	// keyless is set for calls that take no key (Reclaim), which the
	// invalid-key checks leave out.
	keyless bool
}

// operations returns every call the store offers: those of kv.Store and of
// each optional interface it implements. Writes store "new", and the
// compare-and-swap calls expect oldValue. Keys lists with the key as its
// prefix, and GetMany reads a valid key and then the key.
func (f *fixture) operations(oldValue []byte) []operation {
	newValue := []byte("new")

	ops := []operation{
		{name: "Get", call: func(ctx context.Context, key string) error {
			_, err := f.store.Get(ctx, key)
			return err
		}},
		{name: "Put", call: func(ctx context.Context, key string) error {
			return f.store.Put(ctx, key, newValue)
		}},
		{name: "Delete", call: func(ctx context.Context, key string) error {
			return f.store.Delete(ctx, key)
		}},
	}

	if ts, ok := f.store.(kv.TTLStore); ok {
		ops = append(ops, operation{name: "PutTTL", call: func(ctx context.Context, key string) error {
			return ts.PutTTL(ctx, key, newValue, longTTL)
		}})
	}

	if l, ok := f.store.(kv.Lister); ok {
		ops = append(ops, operation{name: "Keys", call: func(ctx context.Context, key string) error {
			_, err := listKeys(ctx, l, key)
			return err
		}})
	}

	if a, ok := f.store.(kv.AtomicStore); ok {
		ops = append(ops,
			operation{name: "PutIfAbsent", call: func(ctx context.Context, key string) error {
				_, err := a.PutIfAbsent(ctx, key, newValue)
				return err
			}},
			operation{name: "PutIfAbsentTTL", call: func(ctx context.Context, key string) error {
				_, err := a.PutIfAbsentTTL(ctx, key, newValue, longTTL)
				return err
			}},
			operation{name: "CompareAndSwap", call: func(ctx context.Context, key string) error {
				_, err := a.CompareAndSwap(ctx, key, oldValue, newValue)
				return err
			}},
			operation{name: "CompareAndSwapTTL", call: func(ctx context.Context, key string) error {
				_, err := a.CompareAndSwapTTL(ctx, key, oldValue, newValue, longTTL)
				return err
			}},
		)
	}

	if b, ok := f.store.(kv.BatchGetter); ok {
		valid := f.key("valid")

		ops = append(ops, operation{name: "GetMany", call: func(ctx context.Context, key string) error {
			_, err := b.GetMany(ctx, []string{valid, key})
			return err
		}})
	}

	if r, ok := f.store.(kv.Reclaimer); ok {
		ops = append(ops, operation{name: "Reclaim", keyless: true, call: func(ctx context.Context, _ string) error {
			_, err := r.Reclaim(ctx)
			return err
		}})
	}

	return ops
}
