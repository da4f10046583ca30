package kvtest

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/anykv/anykv/kv"
)

const (
	// concurrentWriters is how many goroutines the concurrency checks run.
	concurrentWriters = 8

	// concurrentRounds is how many writes each of those goroutines makes.
	concurrentRounds = 50
)

func (s *suite) testConcurrency(t *testing.T) {
	t.Run("DistinctKeys", s.testConcurrencyDistinctKeys)
	t.Run("SharedKeys", s.testConcurrencySharedKeys)
}

// testConcurrencyDistinctKeys has each goroutine write its own keys and
// read every write back at once.
func (s *suite) testConcurrencyDistinctKeys(t *testing.T) {
	f := s.open(t)

	var wg sync.WaitGroup
	for g := range concurrentWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()

			for i := range concurrentRounds {
				key := f.key(fmt.Sprintf("g%d/k%d", g, i%10))
				value := []byte(fmt.Sprintf("g%d-i%d", g, i))

				if err := f.store.Put(f.ctx, key, value); err != nil {
					t.Errorf("Put %s: %v", kv.QuoteKey(key), err)
					return
				}

				got, err := f.store.Get(f.ctx, key)
				if err != nil || !bytes.Equal(got, value) {
					t.Errorf("Get %s right after Put = %s, %v; want %q", kv.QuoteKey(key), describe(got), err, value)
					return
				}
			}
		}()
	}

	wg.Wait()

	// Each key keeps the last value its goroutine wrote.
	for g := range concurrentWriters {
		for j := range 10 {
			last := concurrentRounds - 10 + j
			f.wantValue(f.prefix+fmt.Sprintf("g%d/k%d", g, j), []byte(fmt.Sprintf("g%d-i%d", g, last)))
		}
	}
}

// sharedValue builds the value goroutine g writes in round i. Its length
// varies, so that a torn read (half of one write, half of another) fails
// checkSharedValue.
func sharedValue(g, i int) []byte {
	return []byte(fmt.Sprintf("g=%d i=%d|%s", g, i, strings.Repeat(strconv.Itoa(g), (i%7)*40)))
}

// checkSharedValue returns an error unless value is one sharedValue built.
func checkSharedValue(value []byte) error {
	var g, i int
	if _, err := fmt.Sscanf(string(value), "g=%d i=%d|", &g, &i); err != nil {
		return fmt.Errorf("value %s was never written: %w", describe(value), err)
	}

	if !bytes.Equal(value, sharedValue(g, i)) {
		return fmt.Errorf("value %s is not what goroutine %d wrote in round %d", describe(value), g, i)
	}

	return nil
}

// testConcurrencySharedKeys has many goroutines put, get and delete a few
// shared keys. On a kv.Lister, other goroutines meanwhile list keys that
// no goroutine changes.
func (s *suite) testConcurrencySharedKeys(t *testing.T) {
	f := s.open(t)

	const sharedKeys = 4

	var stable []string
	for i := range 20 {
		key := f.key(fmt.Sprintf("stable/%02d", i))
		f.put(key, []byte("stable"))
		stable = append(stable, key)
	}

	var wg sync.WaitGroup
	for g := range concurrentWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()

			for i := range concurrentRounds {
				key := f.key(fmt.Sprintf("shared/%d", i%sharedKeys))

				var err error
				if i%10 == 9 {
					err = f.store.Delete(f.ctx, key)
				} else {
					err = f.store.Put(f.ctx, key, sharedValue(g, i))
				}

				if err != nil {
					t.Errorf("write %s: %v", kv.QuoteKey(key), err)
					return
				}

				got, err := f.store.Get(f.ctx, f.prefix+fmt.Sprintf("shared/%d", (i+1)%sharedKeys))
				if errors.Is(err, kv.ErrNotFound) {
					continue
				}

				if err != nil {
					t.Errorf("Get of a shared key: %v", err)
					return
				}

				if err := checkSharedValue(got); err != nil {
					t.Errorf("Get of a shared key: %v", err)
					return
				}
			}
		}()
	}

	if l, ok := f.store.(kv.Lister); ok {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()

				s.listStableKeys(f, l, stable)
			}()
		}
	}

	wg.Wait()

	for i := range sharedKeys {
		key := f.prefix + fmt.Sprintf("shared/%d", i)

		got, err := f.store.Get(f.ctx, key)
		if errors.Is(err, kv.ErrNotFound) {
			continue
		}

		if err != nil {
			t.Errorf("Get %s: %v", kv.QuoteKey(key), err)
			continue
		}

		if err := checkSharedValue(got); err != nil {
			t.Errorf("Get %s after the writers finished: %v", kv.QuoteKey(key), err)
		}
	}
}

// listStableKeys lists the fixture's prefix a few times while other
// goroutines write, and reports any listing that does not yield each of
// the stable keys exactly once.
func (s *suite) listStableKeys(f *fixture, l kv.Lister, stable []string) {
	for range 5 {
		seen, err := listKeys(f.ctx, l, f.prefix)
		if err != nil {
			f.t.Errorf("Keys %s during writes: %v", kv.QuoteKey(f.prefix), err)
			return
		}

		for _, key := range stable {
			if n := seen[key]; n != 1 {
				f.t.Errorf("Keys %s during writes yielded %s %d times, want once", kv.QuoteKey(f.prefix), kv.QuoteKey(key), n)
				return
			}
		}
	}
}
