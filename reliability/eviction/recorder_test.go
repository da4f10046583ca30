package eviction_test

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/anykv/anykv/kv"
)

// backend is what every store of this package offers: TTL, atomic writes
// and batched reads, as memory, bbolt, Redis and memcached all do.
type backend interface {
	kv.TTLStore
	kv.AtomicStore
	kv.BatchGetter
}

// recorder passes every call to the store it wraps and remembers each key
// written, so that a test can remove entries behind a Tracker's back as
// an eviction would. It hides any listing of the inner store.
type recorder struct {
	backend

	mu   sync.Mutex
	keys []string
}

func (r *recorder) note(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()

	if !slices.Contains(r.keys, key) {
		r.keys = append(r.keys, key)
	}
}

// take returns the keys written since the last call and clears the list.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()

	keys := r.keys
	r.keys = nil

	return keys
}

func (r *recorder) Put(ctx context.Context, key string, value []byte) error {
	r.note(key)
	return r.backend.Put(ctx, key, value)
}

func (r *recorder) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	r.note(key)
	return r.backend.PutTTL(ctx, key, value, ttl)
}

func (r *recorder) PutIfAbsent(ctx context.Context, key string, value []byte) (bool, error) {
	r.note(key)
	return r.backend.PutIfAbsent(ctx, key, value)
}

func (r *recorder) PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	r.note(key)
	return r.backend.PutIfAbsentTTL(ctx, key, value, ttl)
}

func (r *recorder) CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (bool, error) {
	r.note(key)
	return r.backend.CompareAndSwap(ctx, key, oldValue, newValue)
}

func (r *recorder) CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	r.note(key)
	return r.backend.CompareAndSwapTTL(ctx, key, oldValue, newValue, ttl)
}
