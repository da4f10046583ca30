package main

import (
	"context"
	"fmt"
	"net/url"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"

	// Backends that -store URLs may name. Importing one registers its
	// URL schemes with kv.Open.
	_ "github.com/anykv/anykv/kv/memcache"
	_ "github.com/anykv/anykv/kv/memory"
	_ "github.com/anykv/anykv/kv/redis"
)

// openStore opens the store the flags name: the -store URL when set, else
// the bbolt file -db. It also returns a description of the store for the
// log, which never contains a password.
func openStore(ctx context.Context, cfg config) (kv.Store, string, error) {
	if cfg.store == "" {
		store, err := bolt.Open(cfg.db, nil)
		if err != nil {
			return nil, "", fmt.Errorf("open -db %q: %w", cfg.db, err)
		}

		return store, "bolt " + cfg.db, nil
	}

	// kv.Open's errors name the URL without its password.
	store, err := kv.Open(ctx, cfg.store)
	if err != nil {
		return nil, "", fmt.Errorf("open -store: %w", err)
	}

	// kv.Open has parsed the URL already, so this cannot fail.
	u, _ := url.Parse(cfg.store)

	return store, u.Redacted(), nil
}
