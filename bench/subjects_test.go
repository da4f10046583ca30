package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anykv/anykv/bench/internal/servers"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
	kvmemcache "github.com/anykv/anykv/kv/memcache"
	"github.com/anykv/anykv/kv/memory"
	kvredis "github.com/anykv/anykv/kv/redis"
	gomemcache "github.com/bradfitz/gomemcache/memcache"
	fiberredis "github.com/gofiber/storage/redis/v3"
	gokvbbolt "github.com/philippgille/gokv/bbolt"
	gokvmemcached "github.com/philippgille/gokv/memcached"
	gokvredis "github.com/philippgille/gokv/redis"
	gokvsyncmap "github.com/philippgille/gokv/syncmap"
	goredis "github.com/redis/go-redis/v9"
	"go.etcd.io/bbolt"
)

// subject is one implementation of a backend under measurement. Every
// implementation copies values in and out, as anykv does, so that none
// wins by sharing memory with its caller.
type subject interface {
	// get returns the value of key, and found false for an absent key.
	get(ctx context.Context, key string) (value []byte, found bool, err error)
	put(ctx context.Context, key string, value []byte) error
	delete(ctx context.Context, key string) error
}

// Optional abilities; a workload skips an implementation without them.
type (
	ttlPutter interface {
		putTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error
	}

	prefixCounter interface {
		// countPrefix lists the keys that start with prefix and returns
		// how many there were.
		countPrefix(ctx context.Context, prefix string) (int, error)
	}

	batchGetter interface {
		getMany(ctx context.Context, keys []string) ([][]byte, error)
	}
)

// opener is one implementation of one backend.
type opener struct {
	impl string
	open func(tb testing.TB) subject
}

// backend is a storage engine and the implementations measured on it.
type backend struct {
	name  string
	impls []opener
}

// backends lists every backend and implementation. Each open returns an
// empty store that the benchmark's cleanup closes.
var backends = []backend{
	{"memory", []opener{
		{"raw", func(tb testing.TB) subject { return newMapStore() }},
		{"anykv", func(tb testing.TB) subject { return anykvLister{anykvStore{openAnykvMemory(tb)}} }},
		{"gokv", func(tb testing.TB) subject {
			return gokvStore{gokvsyncmap.NewStore(gokvsyncmap.Options{Codec: copyCodec{}})}
		}},
		{"gokv-json", func(tb testing.TB) subject { return gokvStore{gokvsyncmap.NewStore(gokvsyncmap.DefaultOptions)} }},
	}},
	{"bolt", []opener{
		{"raw", func(tb testing.TB) subject { return openRawBolt(tb) }},
		{"anykv", func(tb testing.TB) subject { return anykvLister{anykvStore{openAnykvBolt(tb)}} }},
		{"gokv", openGokvBolt},
	}},
	{"redis", []opener{
		{"raw", func(tb testing.TB) subject { return rawRedis{openRedisClient(tb)} }},
		{"anykv", func(tb testing.TB) subject { return anykvLister{anykvStore{openAnykvRedis(tb)}} }},
		{"gokv", openGokvRedis},
		{"gofiber", openFiberRedis},
	}},
	{"memcached", []opener{
		{"raw", func(tb testing.TB) subject { return rawMemcache{openMemcacheClient(tb)} }},
		{"anykv", func(tb testing.TB) subject { return anykvStore{openAnykvMemcache(tb)} }},
		{"gokv", openGokvMemcached},
	}},
}

// errCopyCodecType means a gokv store was given something other than a
// []byte or a *[]byte.
var errCopyCodecType = errors.New("copy codec handles only []byte values")

// copyCodec is a gokv codec for []byte values that copies them, so that
// gokv stores are measured without the cost of JSON or gob and, like the
// others, never share memory with the caller.
type copyCodec struct{}

func (copyCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.([]byte)
	if !ok {
		return nil, fmt.Errorf("marshal %T: %w", v, errCopyCodecType)
	}

	return bytes.Clone(b), nil
}

func (copyCodec) Unmarshal(data []byte, v any) error {
	p, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("unmarshal into %T: %w", v, errCopyCodecType)
	}

	*p = bytes.Clone(data)

	return nil
}

// gokvClient is the method set shared by the gokv stores.
type gokvClient interface {
	Set(k string, v any) error
	Get(k string, v any) (bool, error)
	Delete(k string) error
	Close() error
}

type gokvStore struct{ c gokvClient }

func (s gokvStore) get(_ context.Context, key string) ([]byte, bool, error) {
	var value []byte
	found, err := s.c.Get(key, &value)

	return value, found, err
}

func (s gokvStore) put(_ context.Context, key string, value []byte) error { return s.c.Set(key, value) }
func (s gokvStore) delete(_ context.Context, key string) error            { return s.c.Delete(key) }

// anykvStore adapts any kv.Store, using its optional capabilities.
type anykvStore struct{ s kv.Store }

func (a anykvStore) get(ctx context.Context, key string) ([]byte, bool, error) {
	value, err := a.s.Get(ctx, key)
	if errors.Is(err, kv.ErrNotFound) {
		return nil, false, nil
	}

	return value, err == nil, err
}

func (a anykvStore) put(ctx context.Context, key string, value []byte) error {
	return a.s.Put(ctx, key, value)
}

func (a anykvStore) delete(ctx context.Context, key string) error { return a.s.Delete(ctx, key) }

func (a anykvStore) putTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return kv.PutTTL(ctx, a.s, key, value, ttl)
}

func (a anykvStore) getMany(ctx context.Context, keys []string) ([][]byte, error) {
	return kv.GetMany(ctx, a.s, keys)
}

// anykvLister adds listing for the stores that have it.
type anykvLister struct{ anykvStore }

func (a anykvLister) countPrefix(ctx context.Context, prefix string) (int, error) {
	n := 0
	for _, err := range kv.Keys(ctx, a.s, prefix) {
		if err != nil {
			return n, err
		}

		n++
	}

	return n, nil
}

func closeOnCleanup(tb testing.TB, name string, close func() error) {
	tb.Cleanup(func() {
		if err := close(); err != nil {
			tb.Errorf("close %s: %v", name, err)
		}
	})
}

// Memory.

// mapStore is the floor for the memory backend: a map behind a
// sync.RWMutex that copies values in and out.
type mapStore struct {
	mu sync.RWMutex
	m  map[string][]byte
}

func newMapStore() *mapStore { return &mapStore{m: make(map[string][]byte)} }

func (s *mapStore) get(_ context.Context, key string) ([]byte, bool, error) {
	s.mu.RLock()
	value, ok := s.m[key]
	s.mu.RUnlock()

	if !ok {
		return nil, false, nil
	}

	return bytes.Clone(value), true, nil
}

func (s *mapStore) put(_ context.Context, key string, value []byte) error {
	value = bytes.Clone(value)

	s.mu.Lock()
	s.m[key] = value
	s.mu.Unlock()

	return nil
}

func (s *mapStore) delete(_ context.Context, key string) error {
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()

	return nil
}

// countPrefix collects and sorts the matching keys, the same work as
// memory.Store.Keys, which yields keys in ascending order.
func (s *mapStore) countPrefix(_ context.Context, prefix string) (int, error) {
	s.mu.RLock()
	var keys []string
	for key := range s.m {
		if strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
	}
	s.mu.RUnlock()

	slices.Sort(keys)

	return len(keys), nil
}

func (s *mapStore) getMany(_ context.Context, keys []string) ([][]byte, error) {
	values := make([][]byte, len(keys))

	s.mu.RLock()
	for i, key := range keys {
		if value, ok := s.m[key]; ok {
			values[i] = bytes.Clone(value)
		}
	}
	s.mu.RUnlock()

	return values, nil
}

func openAnykvMemory(tb testing.TB) kv.Store {
	s := memory.New(nil)
	closeOnCleanup(tb, "memory store", s.Close)

	return s
}

// bbolt.

var rawBucket = []byte("bench")

// rawBolt is the floor for the bolt backend: one bbolt Update for each
// write and one View for each read.
type rawBolt struct{ db *bbolt.DB }

func openRawBolt(tb testing.TB) rawBolt {
	db, err := bbolt.Open(filepath.Join(tb.TempDir(), "raw.db"), 0o600, nil)
	if err != nil {
		tb.Fatalf("open bbolt: %v", err)
	}
	closeOnCleanup(tb, "bbolt", db.Close)

	err = db.Update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(rawBucket)
		return err
	})
	if err != nil {
		tb.Fatalf("create bbolt bucket: %v", err)
	}

	return rawBolt{db}
}

func (s rawBolt) get(_ context.Context, key string) ([]byte, bool, error) {
	var value []byte
	err := s.db.View(func(tx *bbolt.Tx) error {
		if v := tx.Bucket(rawBucket).Get([]byte(key)); v != nil {
			value = bytes.Clone(v)
		}

		return nil
	})

	return value, value != nil, err
}

func (s rawBolt) put(_ context.Context, key string, value []byte) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(rawBucket).Put([]byte(key), bytes.Clone(value))
	})
}

func (s rawBolt) delete(_ context.Context, key string) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(rawBucket).Delete([]byte(key))
	})
}

func (s rawBolt) bulkPut(keys []string, value []byte) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(rawBucket)
		for _, key := range keys {
			if err := b.Put([]byte(key), bytes.Clone(value)); err != nil {
				return err
			}
		}

		return nil
	})
}

func (s rawBolt) countPrefix(_ context.Context, prefix string) (int, error) {
	var keys []string
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(rawBucket).Cursor()
		for k, _ := c.Seek([]byte(prefix)); k != nil && bytes.HasPrefix(k, []byte(prefix)); k, _ = c.Next() {
			keys = append(keys, string(k))
		}

		return nil
	})

	return len(keys), err
}

func (s rawBolt) getMany(_ context.Context, keys []string) ([][]byte, error) {
	values := make([][]byte, len(keys))
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(rawBucket)
		for i, key := range keys {
			if v := b.Get([]byte(key)); v != nil {
				values[i] = bytes.Clone(v)
			}
		}

		return nil
	})

	return values, err
}

// rawBoltBatch writes with bbolt's own DB.Batch, which coalesces
// concurrent writers into one transaction: the floor for concurrent
// writes, next to rawBolt's one Update for each write.
type rawBoltBatch struct{ rawBolt }

func (s rawBoltBatch) put(_ context.Context, key string, value []byte) error {
	return s.db.Batch(func(tx *bbolt.Tx) error {
		return tx.Bucket(rawBucket).Put([]byte(key), bytes.Clone(value))
	})
}

func openAnykvBolt(tb testing.TB) kv.Store {
	s, err := bolt.Open(filepath.Join(tb.TempDir(), "anykv.db"), &bolt.Options{ReclaimInterval: -1})
	if err != nil {
		tb.Fatalf("open bolt store: %v", err)
	}
	closeOnCleanup(tb, "bolt store", s.Close)

	return s
}

func openGokvBolt(tb testing.TB) subject {
	s, err := gokvbbolt.NewStore(gokvbbolt.Options{Path: filepath.Join(tb.TempDir(), "gokv.db"), Codec: copyCodec{}})
	if err != nil {
		tb.Fatalf("open gokv bbolt store: %v", err)
	}
	closeOnCleanup(tb, "gokv bbolt store", s.Close)

	return gokvStore{s}
}

// Redis. Every open flushes the shared server first, so each benchmark
// starts from an empty database.

func openRedisClient(tb testing.TB) *goredis.Client {
	addr := servers.Redis(tb)
	client := goredis.NewClient(&goredis.Options{Addr: addr})
	closeOnCleanup(tb, "go-redis client", client.Close)

	if err := client.FlushAll(context.Background()).Err(); err != nil {
		tb.Fatalf("flush redis-server at %s: %v", addr, err)
	}

	return client
}

type rawRedis struct{ c *goredis.Client }

func (s rawRedis) get(ctx context.Context, key string) ([]byte, bool, error) {
	value, err := s.c.Get(ctx, key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, false, nil
	}

	return value, err == nil, err
}

func (s rawRedis) put(ctx context.Context, key string, value []byte) error {
	return s.c.Set(ctx, key, value, 0).Err()
}

func (s rawRedis) putTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.c.Set(ctx, key, value, ttl).Err()
}

func (s rawRedis) delete(ctx context.Context, key string) error { return s.c.Del(ctx, key).Err() }

// countPrefix escapes nothing, because the benchmark's prefixes contain no
// pattern bytes; anykv pays for escaping them.
func (s rawRedis) countPrefix(ctx context.Context, prefix string) (int, error) {
	seen := make(map[string]struct{})
	iter := s.c.Scan(ctx, 0, prefix+"*", kvredis.DefaultScanCount).Iterator()
	for iter.Next(ctx) {
		seen[iter.Val()] = struct{}{}
	}

	return len(seen), iter.Err()
}

func (s rawRedis) getMany(ctx context.Context, keys []string) ([][]byte, error) {
	replies, err := s.c.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, err
	}

	values := make([][]byte, len(keys))
	for i, reply := range replies {
		if str, ok := reply.(string); ok {
			values[i] = []byte(str)
		}
	}

	return values, nil
}

func openAnykvRedis(tb testing.TB) kv.Store {
	s, err := kvredis.NewFromClient(openRedisClient(tb), nil)
	if err != nil {
		tb.Fatalf("open redis store: %v", err)
	}
	closeOnCleanup(tb, "redis store", s.Close)

	return s
}

func openGokvRedis(tb testing.TB) subject {
	addr := servers.Redis(tb)
	openRedisClient(tb) // flushes the server

	s, err := gokvredis.NewClient(gokvredis.Options{Address: addr, Codec: copyCodec{}})
	if err != nil {
		tb.Fatalf("open gokv redis client: %v", err)
	}
	closeOnCleanup(tb, "gokv redis client", s.Close)

	return gokvStore{s}
}

// fiberRedis adapts gofiber's Redis storage, which reports an absent key
// as a nil value.
type fiberRedis struct{ s *fiberredis.Storage }

func openFiberRedis(tb testing.TB) subject {
	s := fiberredis.NewFromConnection(openRedisClient(tb))

	return fiberRedis{s}
}

func (f fiberRedis) get(ctx context.Context, key string) ([]byte, bool, error) {
	value, err := f.s.GetWithContext(ctx, key)

	return value, value != nil, err
}

func (f fiberRedis) put(ctx context.Context, key string, value []byte) error {
	return f.s.SetWithContext(ctx, key, value, 0)
}

func (f fiberRedis) putTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return f.s.SetWithContext(ctx, key, value, ttl)
}

func (f fiberRedis) delete(ctx context.Context, key string) error {
	return f.s.DeleteWithContext(ctx, key)
}

// countPrefix lists every key, because the storage's Keys takes no prefix,
// and keeps those with the prefix.
func (f fiberRedis) countPrefix(_ context.Context, prefix string) (int, error) {
	keys, err := f.s.Keys()

	n := 0
	for _, key := range keys {
		if bytes.HasPrefix(key, []byte(prefix)) {
			n++
		}
	}

	return n, err
}

// memcached. Every open flushes the shared server first.

// memcacheIdleConns keeps a connection for each of the 32 concurrent
// writers, so that no implementation pays for dialing.
const memcacheIdleConns = 64

func openMemcacheClient(tb testing.TB) *gomemcache.Client {
	addr := servers.Memcached(tb)
	client := gomemcache.New(addr)
	client.MaxIdleConns = memcacheIdleConns
	closeOnCleanup(tb, "gomemcache client", client.Close)

	if err := client.FlushAll(); err != nil {
		tb.Fatalf("flush memcached at %s: %v", addr, err)
	}

	return client
}

type rawMemcache struct{ c *gomemcache.Client }

func (s rawMemcache) get(_ context.Context, key string) ([]byte, bool, error) {
	item, err := s.c.Get(key)
	if errors.Is(err, gomemcache.ErrCacheMiss) {
		return nil, false, nil
	}

	if err != nil {
		return nil, false, err
	}

	return item.Value, true, nil
}

func (s rawMemcache) put(_ context.Context, key string, value []byte) error {
	return s.c.Set(&gomemcache.Item{Key: key, Value: value})
}

func (s rawMemcache) putTTL(_ context.Context, key string, value []byte, ttl time.Duration) error {
	return s.c.Set(&gomemcache.Item{Key: key, Value: value, Expiration: int32(ttl / time.Second)})
}

func (s rawMemcache) delete(_ context.Context, key string) error {
	err := s.c.Delete(key)
	if errors.Is(err, gomemcache.ErrCacheMiss) {
		return nil
	}

	return err
}

func (s rawMemcache) getMany(_ context.Context, keys []string) ([][]byte, error) {
	items, err := s.c.GetMulti(keys)
	if err != nil {
		return nil, err
	}

	values := make([][]byte, len(keys))
	for i, key := range keys {
		if item, ok := items[key]; ok {
			values[i] = item.Value
		}
	}

	return values, nil
}

func openAnykvMemcache(tb testing.TB) kv.Store {
	s, err := kvmemcache.NewFromClient(openMemcacheClient(tb), nil)
	if err != nil {
		tb.Fatalf("open memcached store: %v", err)
	}
	closeOnCleanup(tb, "memcached store", s.Close)

	return s
}

func openGokvMemcached(tb testing.TB) subject {
	addr := servers.Memcached(tb)
	openMemcacheClient(tb) // flushes the server

	s, err := gokvmemcached.NewClient(gokvmemcached.Options{
		Addresses:    []string{addr},
		MaxIdleConns: memcacheIdleConns,
		Codec:        copyCodec{},
	})
	if err != nil {
		tb.Fatalf("open gokv memcached client: %v", err)
	}
	closeOnCleanup(tb, "gokv memcached client", s.Close)

	return gokvStore{s}
}
