package wrap

import (
	"context"
	"time"
)

// MapKeys is a Forward that passes every key through MapKey before the
// inner store sees it. A MapKey error (an invalid key) is returned without
// a call to the inner store. Wrappers that rename keys embed it and add
// Keys, which must map listed keys back.
type MapKeys struct {
	Forward
	MapKey func(key string) (string, error)
}

// Get passes the call to Inner with the mapped key.
func (m *MapKeys) Get(ctx context.Context, key string) ([]byte, error) {
	stored, err := m.MapKey(key)
	if err != nil {
		return nil, err
	}

	return m.Forward.Get(ctx, stored)
}

// Put passes the call to Inner with the mapped key.
func (m *MapKeys) Put(ctx context.Context, key string, value []byte) error {
	stored, err := m.MapKey(key)
	if err != nil {
		return err
	}

	return m.Forward.Put(ctx, stored, value)
}

// Delete passes the call to Inner with the mapped key.
func (m *MapKeys) Delete(ctx context.Context, key string) error {
	stored, err := m.MapKey(key)
	if err != nil {
		return err
	}

	return m.Forward.Delete(ctx, stored)
}

// PutTTL passes the call to Inner with the mapped key.
func (m *MapKeys) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	stored, err := m.MapKey(key)
	if err != nil {
		return err
	}

	return m.Forward.PutTTL(ctx, stored, value, ttl)
}

// PutIfAbsent passes the call to Inner with the mapped key.
func (m *MapKeys) PutIfAbsent(ctx context.Context, key string, value []byte) (bool, error) {
	stored, err := m.MapKey(key)
	if err != nil {
		return false, err
	}

	return m.Forward.PutIfAbsent(ctx, stored, value)
}

// PutIfAbsentTTL passes the call to Inner with the mapped key.
func (m *MapKeys) PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	stored, err := m.MapKey(key)
	if err != nil {
		return false, err
	}

	return m.Forward.PutIfAbsentTTL(ctx, stored, value, ttl)
}

// CompareAndSwap passes the call to Inner with the mapped key.
func (m *MapKeys) CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (bool, error) {
	stored, err := m.MapKey(key)
	if err != nil {
		return false, err
	}

	return m.Forward.CompareAndSwap(ctx, stored, oldValue, newValue)
}

// CompareAndSwapTTL passes the call to Inner with the mapped key.
func (m *MapKeys) CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	stored, err := m.MapKey(key)
	if err != nil {
		return false, err
	}

	return m.Forward.CompareAndSwapTTL(ctx, stored, oldValue, newValue, ttl)
}

// GetMany passes the call to Inner with every key mapped. Any invalid key
// fails the whole call.
func (m *MapKeys) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	stored := make([]string, len(keys))

	for i, key := range keys {
		k, err := m.MapKey(key)
		if err != nil {
			return nil, err
		}

		stored[i] = k
	}

	return m.Forward.GetMany(ctx, stored)
}
