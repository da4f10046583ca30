package jwtrevoke

import (
	"context"
	"errors"
	"iter"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
	"github.com/anykv/anykv/kv/memcache"
	"github.com/anykv/anykv/kv/memory"
	kvredis "github.com/anykv/anykv/kv/redis"
	goredis "github.com/redis/go-redis/v9"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// storeFactory opens a fresh store for one test and closes it when the
// test ends. Tests that share a server use separate Tracker namespaces,
// because newTracker makes the namespace unique for each test.
type storeFactory struct {
	name string
	open func(t testing.TB) kv.Store
}

var storeFactories = []storeFactory{
	{"memory", func(t testing.TB) kv.Store {
		s := memory.New(nil)
		t.Cleanup(func() { _ = s.Close() })

		return s
	}},
	{"bolt", func(t testing.TB) kv.Store {
		s, err := bolt.Open(filepath.Join(t.TempDir(), "tokens.db"), nil)
		if err != nil {
			t.Fatalf("open bolt store: %v", err)
		}

		t.Cleanup(func() { _ = s.Close() })

		return s
	}},
	{"redis", func(t testing.TB) kv.Store {
		addr := testserver.Redis(t)

		s, err := kvredis.New(&kvredis.Options{Client: &goredis.UniversalOptions{Addrs: []string{addr}}})
		if err != nil {
			t.Fatalf("open redis store: %v", err)
		}

		t.Cleanup(func() { _ = s.Close() })

		return s
	}},
	{"redis-cluster", func(t testing.TB) kv.Store {
		addrs := testserver.RedisCluster(t)

		s, err := kvredis.New(&kvredis.Options{Client: &goredis.UniversalOptions{Addrs: addrs, IsClusterMode: true}})
		if err != nil {
			t.Fatalf("open redis cluster store: %v", err)
		}

		t.Cleanup(func() { _ = s.Close() })

		return s
	}},
	{"memcached", func(t testing.TB) kv.Store {
		addr := testserver.Memcached(t)

		s, err := memcache.New([]string{addr}, &memcache.Options{MaxIdleConns: 64})
		if err != nil {
			t.Fatalf("open memcached store: %v", err)
		}

		t.Cleanup(func() { _ = s.Close() })

		return s
	}},
}

// runOnStores runs test once on each store in storeFactories, as a
// subtest named after the backend.
func runOnStores(t *testing.T, test func(t *testing.T, store kv.Store)) {
	t.Helper()

	for _, factory := range storeFactories {
		t.Run(factory.name, func(t *testing.T) {
			test(t, factory.open(t))
		})
	}
}

// testSecret is an HS256 key of the minimum length.
var testSecret = []byte("0123456789abcdef0123456789abcdef")

var namespaceCounter atomic.Int64

// newTracker returns a Tracker on store with HS256 and a namespace no
// other test uses, after applying change to the options.
func newTracker(t testing.TB, store kv.Store, change func(*Options)) *Tracker {
	t.Helper()

	opts := Options{
		Algorithms: []string{"HS256"},
		SigningKey: testSecret,
		Logger:     slog.New(slog.DiscardHandler),
		Namespace:  "jwtrevoke-test-" + time.Now().Format("150405.000000000") + "-" + strconv.FormatInt(namespaceCounter.Add(1), 10) + ":",
	}
	if change != nil {
		change(&opts)
	}

	tracker, err := New(store, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}

	return tracker
}

// testClock is a settable clock for Options.Clock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: time.Now()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.now = c.now.Add(d)
}

// errInjected is the error faultStore returns while failing is set.
var errInjected = errors.New("injected store failure")

// faultStore wraps a store with every capability, counts the calls that
// reach it and fails them all while failing is set.
type faultStore struct {
	inner interface {
		kv.TTLStore
		kv.Lister
		kv.AtomicStore
		kv.BatchGetter
	}
	calls   atomic.Int64
	getMany atomic.Int64
	failing atomic.Bool
}

func newFaultStore(t testing.TB) *faultStore {
	s := memory.New(nil)
	t.Cleanup(func() { _ = s.Close() })

	return &faultStore{inner: s}
}

func (f *faultStore) enter() error {
	f.calls.Add(1)

	if f.failing.Load() {
		return errInjected
	}

	return nil
}

func (f *faultStore) Get(ctx context.Context, key string) ([]byte, error) {
	if err := f.enter(); err != nil {
		return nil, err
	}

	return f.inner.Get(ctx, key)
}

func (f *faultStore) Put(ctx context.Context, key string, value []byte) error {
	if err := f.enter(); err != nil {
		return err
	}

	return f.inner.Put(ctx, key, value)
}

func (f *faultStore) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := f.enter(); err != nil {
		return err
	}

	return f.inner.PutTTL(ctx, key, value, ttl)
}

func (f *faultStore) Delete(ctx context.Context, key string) error {
	if err := f.enter(); err != nil {
		return err
	}

	return f.inner.Delete(ctx, key)
}

func (f *faultStore) Close() error { return nil }

func (f *faultStore) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	if err := f.enter(); err != nil {
		return func(yield func(string, error) bool) { yield("", err) }
	}

	return f.inner.Keys(ctx, prefix)
}

func (f *faultStore) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	f.getMany.Add(1)

	if err := f.enter(); err != nil {
		return nil, err
	}

	return f.inner.GetMany(ctx, keys)
}

func (f *faultStore) PutIfAbsent(ctx context.Context, key string, value []byte) (bool, error) {
	if err := f.enter(); err != nil {
		return false, err
	}

	return f.inner.PutIfAbsent(ctx, key, value)
}

func (f *faultStore) PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := f.enter(); err != nil {
		return false, err
	}

	return f.inner.PutIfAbsentTTL(ctx, key, value, ttl)
}

func (f *faultStore) CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (bool, error) {
	if err := f.enter(); err != nil {
		return false, err
	}

	return f.inner.CompareAndSwap(ctx, key, oldValue, newValue)
}

func (f *faultStore) CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	if err := f.enter(); err != nil {
		return false, err
	}

	return f.inner.CompareAndSwapTTL(ctx, key, oldValue, newValue, ttl)
}

// plainStore offers only Get, Put, Delete and Keys: no TTL, no atomic
// writes, no batched reads.
type plainStore struct {
	inner *memory.Store
}

func newPlainStore(t *testing.T) *plainStore {
	s := memory.New(nil)
	t.Cleanup(func() { _ = s.Close() })

	return &plainStore{inner: s}
}

func (p *plainStore) Get(ctx context.Context, key string) ([]byte, error) {
	return p.inner.Get(ctx, key)
}

func (p *plainStore) Put(ctx context.Context, key string, value []byte) error {
	return p.inner.Put(ctx, key, value)
}

func (p *plainStore) Delete(ctx context.Context, key string) error { return p.inner.Delete(ctx, key) }

func (p *plainStore) Close() error { return nil }

func (p *plainStore) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return p.inner.Keys(ctx, prefix)
}

// countKeys returns how many keys store holds under prefix.
func countKeys(t *testing.T, store kv.Lister, prefix string) int {
	t.Helper()

	n := 0
	for _, err := range store.Keys(context.Background(), prefix) {
		if err != nil {
			t.Fatalf("list keys under %q: %v", prefix, err)
		}

		n++
	}

	return n
}

// recordingObserver counts outcomes for tests.
type recordingObserver struct {
	NopObserver

	mu       sync.Mutex
	outcomes map[Outcome]int
	store    int
	reuse    int
	pruned   int
}

func (o *recordingObserver) ObserveCheck(outcome Outcome, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()

	if o.outcomes == nil {
		o.outcomes = map[Outcome]int{}
	}

	o.outcomes[outcome]++
}

func (o *recordingObserver) ObserveStoreError(string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()

	o.store++
}

func (o *recordingObserver) ObserveReuse() {
	o.mu.Lock()
	defer o.mu.Unlock()

	o.reuse++
}

func (o *recordingObserver) ObservePrune(removed int) {
	o.mu.Lock()
	defer o.mu.Unlock()

	o.pruned += removed
}

func (o *recordingObserver) count(outcome Outcome) int {
	o.mu.Lock()
	defer o.mu.Unlock()

	return o.outcomes[outcome]
}
