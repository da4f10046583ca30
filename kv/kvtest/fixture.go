package kvtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
)

// fixture is one subtest's store, context and random key prefix.
type fixture struct {
	t      *testing.T
	store  kv.Store
	opts   Options
	ctx    context.Context
	prefix string

	mu      sync.Mutex
	written map[string]struct{}

	// abandoned is set when a call on the store did not return, so that
	// cleanup does not block on the same store forever.
	abandoned atomic.Bool
}

// open calls newStore and returns a fixture whose store is closed, and
// whose keys are deleted, when t ends.
func (s *suite) open(t *testing.T) *fixture {
	t.Helper()

	store := s.newStore(t)
	if store == nil {
		t.Fatal("newStore returned a nil kv.Store")
	}

	f := &fixture{
		t:       t,
		store:   store,
		opts:    s.opts,
		ctx:     t.Context(),
		prefix:  fmt.Sprintf("kvtest-%016x/", rand.Uint64()),
		written: make(map[string]struct{}),
	}

	t.Cleanup(f.cleanup)

	return f
}

// key returns the key name under the fixture's prefix and remembers it
// for cleanup.
func (f *fixture) key(name string) string {
	key := f.prefix + name

	f.mu.Lock()
	f.written[key] = struct{}{}
	f.mu.Unlock()

	return key
}

// keyOfLen returns a key under the fixture's prefix that is exactly n
// bytes long, n being at least len(prefix)+1.
func (f *fixture) keyOfLen(n int) string {
	return f.key(strings.Repeat("k", n-len(f.prefix)))
}

// cleanup deletes the keys the subtest may have written, then closes the
// store. Both are skipped when an earlier call hung.
func (f *fixture) cleanup() {
	if f.abandoned.Load() {
		f.t.Log("not closing the store, because an earlier call on it did not return")
		return
	}

	f.mu.Lock()
	keys := make([]string, 0, len(f.written))
	for key := range f.written {
		keys = append(keys, key)
	}
	f.mu.Unlock()

	// The subtest's context is already cancelled when cleanup runs. Errors
	// are ignored: the store may be closed, or the key never written.
	ctx := context.Background()
	parallel(4, len(keys), func(i int) {
		_ = f.store.Delete(ctx, keys[i])
	})

	if err := f.store.Close(); err != nil {
		f.t.Errorf("Close at the end of the subtest: %v", err)
	}
}

// parallel calls fn(i) for every i in [0, n) from the given number of
// goroutines and waits for all of them.
func parallel(workers, n int, fn func(i int)) {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)

	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()

			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}

				fn(i)
			}
		}()
	}

	wg.Wait()
}

// require returns the fixture's store as the optional interface T, or
// skips the subtest with a message naming the interface.
func require[T kv.Store](f *fixture, name string) T {
	f.t.Helper()

	s, ok := f.store.(T)
	if !ok {
		f.t.Skipf("store does not implement %s", name)
	}

	return s
}

func (f *fixture) ttlStore() kv.TTLStore { return require[kv.TTLStore](f, "kv.TTLStore") }

func (f *fixture) lister() kv.Lister { return require[kv.Lister](f, "kv.Lister") }

func (f *fixture) atomicStore() kv.AtomicStore { return require[kv.AtomicStore](f, "kv.AtomicStore") }

func (f *fixture) batchGetter() kv.BatchGetter { return require[kv.BatchGetter](f, "kv.BatchGetter") }

func (f *fixture) reclaimer() kv.Reclaimer { return require[kv.Reclaimer](f, "kv.Reclaimer") }

// put stores value under key and stops the subtest if that fails.
func (f *fixture) put(key string, value []byte) {
	f.t.Helper()

	if err := f.store.Put(f.ctx, key, value); err != nil {
		f.t.Fatalf("Put %s: %v", kv.QuoteKey(key), err)
	}
}

// wantValue reports an error unless Get of key returns want.
func (f *fixture) wantValue(key string, want []byte) {
	f.t.Helper()

	got, err := f.store.Get(f.ctx, key)
	if err != nil {
		f.t.Errorf("Get %s: %v, want %s", kv.QuoteKey(key), err, describe(want))
		return
	}

	if got == nil {
		f.t.Errorf("Get %s returned a nil slice, want %s", kv.QuoteKey(key), describe(want))
		return
	}

	if !bytes.Equal(got, want) {
		f.t.Errorf("Get %s = %s, want %s", kv.QuoteKey(key), describe(got), describe(want))
	}
}

// wantAbsent reports an error unless Get of key fails with kv.ErrNotFound.
func (f *fixture) wantAbsent(key string) {
	f.t.Helper()

	got, err := f.store.Get(f.ctx, key)
	if !errors.Is(err, kv.ErrNotFound) {
		f.t.Errorf("Get %s = %s, %v; want an error matching kv.ErrNotFound", kv.QuoteKey(key), describe(got), err)
	}
}

// describe formats a value for a failure message, cut when long.
func describe(value []byte) string {
	if value == nil {
		return "nil"
	}

	const maxShown = 40
	if len(value) <= maxShown {
		return fmt.Sprintf("%q", value)
	}

	return fmt.Sprintf("%q... (%d bytes)", value[:maxShown], len(value))
}

// listKeys collects the keys l yields for prefix, counting each.
func listKeys(ctx context.Context, l kv.Lister, prefix string) (map[string]int, error) {
	seen := make(map[string]int)

	for key, err := range l.Keys(ctx, prefix) {
		if err != nil {
			return seen, err
		}

		seen[key]++
	}

	return seen, nil
}

// wantListed reports an error unless listing prefix yields exactly the
// keys in want, each once. With an empty prefix, keys outside the
// fixture's prefix are ignored, because the database may be shared.
func (f *fixture) wantListed(l kv.Lister, prefix string, want []string) {
	f.t.Helper()

	seen, err := listKeys(f.ctx, l, prefix)
	if err != nil {
		f.t.Errorf("Keys %s: %v", kv.QuoteKey(prefix), err)
		return
	}

	expected := make(map[string]bool, len(want))
	for _, key := range want {
		expected[key] = true
	}

	for key, n := range seen {
		if !strings.HasPrefix(key, f.prefix) {
			if prefix != "" {
				f.t.Errorf("Keys %s yielded %s, which is outside the prefix", kv.QuoteKey(prefix), kv.QuoteKey(key))
			}

			continue
		}

		switch {
		case !expected[key]:
			f.t.Errorf("Keys %s yielded %s, which was not expected", kv.QuoteKey(prefix), kv.QuoteKey(key))
		case n > 1:
			f.t.Errorf("Keys %s yielded %s %d times, want once", kv.QuoteKey(prefix), kv.QuoteKey(key), n)
		}
	}

	for _, key := range want {
		if seen[key] == 0 {
			f.t.Errorf("Keys %s did not yield %s", kv.QuoteKey(prefix), kv.QuoteKey(key))
		}
	}
}

// withinTimeout runs call in a goroutine and stops the subtest if it does
// not return within hangTimeout. A store that deadlocks then fails the
// subtest instead of hanging the whole test binary.
func (f *fixture) withinTimeout(what string, call func() error) {
	f.t.Helper()

	done := make(chan error, 1)
	go func() {
		done <- call()
	}()

	select {
	case err := <-done:
		if err != nil {
			f.t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(hangTimeout):
		f.abandoned.Store(true)
		f.t.Fatalf("%s did not return within %v; the store may be deadlocked", what, hangTimeout)
	}
}

// pollInterval is how often the suite reads a key while it waits for a TTL.
func pollInterval(ttl time.Duration) time.Duration {
	return min(max(ttl/20, 5*time.Millisecond), 100*time.Millisecond)
}
