package memcache

import (
	"bytes"
	"context"
	"fmt"

	gomemcache "github.com/bradfitz/gomemcache/memcache"
)

// GetMany returns one value for each key, in the order of keys, with nil
// for a key that is absent, expired or evicted. It sends one gets command
// to each server that holds any of the keys, all servers at once. Any
// invalid key fails the call before anything is sent, and a failure of any
// server fails the whole call.
func (s *Store) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	serverKeys := make([]string, len(keys))
	for i, key := range keys {
		serverKey, err := s.serverKey("get many", key)
		if err != nil {
			return nil, err
		}

		serverKeys[i] = serverKey
	}

	var items map[string]*gomemcache.Item

	err := s.do(ctx, func(client *gomemcache.Client) error {
		if len(serverKeys) == 0 {
			return nil
		}

		var err error
		items, err = client.GetMulti(serverKeys)

		return err
	})
	if err != nil {
		return nil, fmt.Errorf("memcache: get many (%d keys): %w", len(keys), err)
	}

	values := make([][]byte, len(keys))
	returned := make(map[string]bool, len(items))

	for i, serverKey := range serverKeys {
		item, ok := items[serverKey]
		if !ok {
			continue
		}

		value := item.Value
		if value == nil {
			value = []byte{}
		}

		// A key listed twice gets its own copy, so that changing one
		// returned slice cannot change another.
		if returned[serverKey] {
			value = bytes.Clone(value)
		}

		returned[serverKey] = true
		values[i] = value
	}

	return values, nil
}
