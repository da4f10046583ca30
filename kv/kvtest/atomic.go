package kvtest

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
)

// racers is how many goroutines race for one conditional write.
const racers = 32

func (s *suite) testAtomic(t *testing.T) {
	t.Run("PutIfAbsent", s.testAtomicPutIfAbsent)
	t.Run("PutIfAbsentExpired", s.testAtomicPutIfAbsentExpired)
	t.Run("PutIfAbsentRace", s.testAtomicPutIfAbsentRace)
	t.Run("CompareAndSwap", s.testAtomicCompareAndSwap)
	t.Run("CompareAndSwapMismatch", s.testAtomicCompareAndSwapMismatch)
	t.Run("CompareAndSwapAbsent", s.testAtomicCompareAndSwapAbsent)
	t.Run("CompareAndSwapRace", s.testAtomicCompareAndSwapRace)
	t.Run("Counter", s.testAtomicCounter)
	t.Run("InvalidTTL", s.testAtomicInvalidTTL)
	t.Run("PutIfAbsentTTLExpiry", s.testAtomicPutIfAbsentTTLExpiry)
	t.Run("CompareAndSwapTTLExpiry", s.testAtomicCompareAndSwapTTLExpiry)
	t.Run("CompareAndSwapRemovesTTL", s.testAtomicCompareAndSwapRemovesTTL)
	t.Run("NoAliasing", s.testAtomicNoAliasing)
}

func (s *suite) testAtomicPutIfAbsent(t *testing.T) {
	f := s.open(t)
	a := f.atomicStore()

	key := f.key("pia")

	stored, err := a.PutIfAbsent(f.ctx, key, []byte("first"))
	if err != nil || !stored {
		t.Fatalf("PutIfAbsent on absent key %s = %v, %v; want true, nil", kv.QuoteKey(key), stored, err)
	}

	f.wantValue(key, []byte("first"))

	stored, err = a.PutIfAbsent(f.ctx, key, []byte("second"))
	if err != nil || stored {
		t.Errorf("PutIfAbsent on present key %s = %v, %v; want false, nil", kv.QuoteKey(key), stored, err)
	}

	f.wantValue(key, []byte("first"))

	// An entry with an empty value is present all the same.
	empty := f.key("pia-empty")
	f.put(empty, []byte{})

	stored, err = a.PutIfAbsent(f.ctx, empty, []byte("second"))
	if err != nil || stored {
		t.Errorf("PutIfAbsent on key %s with an empty value = %v, %v; want false, nil", kv.QuoteKey(empty), stored, err)
	}

	f.wantValue(empty, []byte{})
}

// testAtomicPutIfAbsentExpired checks that PutIfAbsent loses until the
// entry's TTL passes, and wins afterwards. It never calls Get, so that a
// store which drops expired entries only on Get is tested as well.
func (s *suite) testAtomicPutIfAbsentExpired(t *testing.T) {
	f := s.open(t)
	a := f.atomicStore()

	key := f.key("pia-expired")
	ttl := f.opts.ttl()

	// Timed from before the call, for the reason checkExpiry gives.
	putStart := time.Now()

	stored, err := a.PutIfAbsentTTL(f.ctx, key, []byte("first"), ttl)
	if err != nil || !stored {
		t.Fatalf("PutIfAbsentTTL on absent key %s = %v, %v; want true, nil", kv.QuoteKey(key), stored, err)
	}

	expiresAt := putStart.Add(ttl)
	giveUp := expiresAt.Add(f.opts.TTLGranularity + expirySlack)

	for {
		stored, err := a.PutIfAbsent(f.ctx, key, []byte("second"))
		end := time.Now()

		if err != nil {
			t.Fatalf("PutIfAbsent %s: %v", kv.QuoteKey(key), err)
		}

		// Only a call that returned before the deadline certainly reached
		// the store before it.
		if stored && end.Before(expiresAt) {
			t.Fatalf("PutIfAbsent %s stored %v before the TTL of %v passed", kv.QuoteKey(key), expiresAt.Sub(end), ttl)
		}

		if stored {
			t.Logf("PutIfAbsent on the expired key won at most %v after its TTL of %v", time.Since(putStart)-ttl, ttl)
			break
		}

		if time.Now().After(giveUp) {
			t.Fatalf("PutIfAbsent %s still loses %v after the TTL of %v passed", kv.QuoteKey(key), time.Since(putStart)-ttl, ttl)
		}

		time.Sleep(pollInterval(ttl))
	}

	f.wantValue(key, []byte("second"))
}

// race runs attempt from racers goroutines that start together, and
// returns which of them reported a win.
func race(t *testing.T, attempt func(i int) (bool, error)) []int {
	var (
		start   = make(chan struct{})
		mu      sync.Mutex
		winners []int
		wg      sync.WaitGroup
	)

	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()

			<-start

			won, err := attempt(i)
			if err != nil {
				t.Errorf("racer %d: %v", i, err)
				return
			}

			if won {
				mu.Lock()
				winners = append(winners, i)
				mu.Unlock()
			}
		}()
	}

	close(start)
	wg.Wait()

	return winners
}

func racerValue(i int) []byte {
	return []byte("racer-" + strconv.Itoa(i))
}

func (s *suite) testAtomicPutIfAbsentRace(t *testing.T) {
	f := s.open(t)
	a := f.atomicStore()

	key := f.key("pia-race")

	winners := race(t, func(i int) (bool, error) {
		return a.PutIfAbsent(f.ctx, key, racerValue(i))
	})

	if len(winners) != 1 {
		t.Fatalf("%d concurrent PutIfAbsent calls: winners %v, want exactly one", racers, winners)
	}

	f.wantValue(key, racerValue(winners[0]))
}

func (s *suite) testAtomicCompareAndSwap(t *testing.T) {
	f := s.open(t)
	a := f.atomicStore()

	key := f.key("cas")
	f.put(key, []byte("old"))

	swapped, err := a.CompareAndSwap(f.ctx, key, []byte("old"), []byte("new"))
	if err != nil || !swapped {
		t.Fatalf("CompareAndSwap with the current value = %v, %v; want true, nil", swapped, err)
	}

	f.wantValue(key, []byte("new"))

	// The empty value is a value like any other.
	swapped, err = a.CompareAndSwap(f.ctx, key, []byte("new"), []byte{})
	if err != nil || !swapped {
		t.Fatalf("CompareAndSwap to the empty value = %v, %v; want true, nil", swapped, err)
	}

	f.wantValue(key, []byte{})

	swapped, err = a.CompareAndSwap(f.ctx, key, []byte{}, []byte("from empty"))
	if err != nil || !swapped {
		t.Fatalf("CompareAndSwap from the empty value = %v, %v; want true, nil", swapped, err)
	}

	f.wantValue(key, []byte("from empty"))
}

// testAtomicCompareAndSwapMismatch checks that old values which differ
// from the current one, by a byte, a prefix or a suffix, change nothing.
func (s *suite) testAtomicCompareAndSwapMismatch(t *testing.T) {
	f := s.open(t)
	a := f.atomicStore()

	key := f.key("cas-mismatch")
	f.put(key, []byte("value"))

	for _, old := range [][]byte{[]byte("other"), []byte("valu"), []byte("value+"), []byte("Value"), {}, nil} {
		swapped, err := a.CompareAndSwap(f.ctx, key, old, []byte("new"))
		if err != nil || swapped {
			t.Errorf("CompareAndSwap with old value %s = %v, %v; want false, nil", describe(old), swapped, err)
		}
	}

	f.wantValue(key, []byte("value"))
}

func (s *suite) testAtomicCompareAndSwapAbsent(t *testing.T) {
	f := s.open(t)
	a := f.atomicStore()

	key := f.key("cas-absent")

	swapped, err := a.CompareAndSwap(f.ctx, key, []byte("old"), []byte("new"))
	if swapped || !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("CompareAndSwap on absent key = %v, %v; want false and an error matching kv.ErrNotFound", swapped, err)
	}

	swapped, err = a.CompareAndSwapTTL(f.ctx, key, []byte("old"), []byte("new"), longTTL)
	if swapped || !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("CompareAndSwapTTL on absent key = %v, %v; want false and an error matching kv.ErrNotFound", swapped, err)
	}

	f.wantAbsent(key)
}

func (s *suite) testAtomicCompareAndSwapRace(t *testing.T) {
	f := s.open(t)
	a := f.atomicStore()

	key := f.key("cas-race")
	f.put(key, []byte("old"))

	winners := race(t, func(i int) (bool, error) {
		return a.CompareAndSwap(f.ctx, key, []byte("old"), racerValue(i))
	})

	if len(winners) != 1 {
		t.Fatalf("%d concurrent CompareAndSwap calls from one old value: winners %v, want exactly one", racers, winners)
	}

	f.wantValue(key, racerValue(winners[0]))
}

// testAtomicCounter increments a counter from many goroutines with a read
// followed by compare-and-swap. A lost update shows as a short count.
func (s *suite) testAtomicCounter(t *testing.T) {
	f := s.open(t)
	a := f.atomicStore()

	const (
		workers    = 8
		increments = 20
	)

	key := f.key("counter")
	f.put(key, []byte("0"))

	var retries atomic.Int64

	parallel(workers, workers*increments, func(int) {
		for {
			old, err := f.store.Get(f.ctx, key)
			if err != nil {
				t.Errorf("Get %s: %v", kv.QuoteKey(key), err)
				return
			}

			n, err := strconv.Atoi(string(old))
			if err != nil {
				t.Errorf("counter value %s is not a number: %v", describe(old), err)
				return
			}

			swapped, err := a.CompareAndSwap(f.ctx, key, old, []byte(strconv.Itoa(n+1)))
			if err != nil {
				t.Errorf("CompareAndSwap %s: %v", kv.QuoteKey(key), err)
				return
			}

			if swapped {
				return
			}

			retries.Add(1)
		}
	})

	t.Logf("%d increments needed %d retries", workers*increments, retries.Load())
	f.wantValue(key, []byte(strconv.Itoa(workers*increments)))
}

func (s *suite) testAtomicInvalidTTL(t *testing.T) {
	f := s.open(t)
	a := f.atomicStore()

	absent := f.key("absent")
	present := f.key("present")
	f.put(present, []byte("v0"))

	for _, ttl := range invalidTTLs {
		stored, err := a.PutIfAbsentTTL(f.ctx, absent, []byte("new"), ttl)
		if stored || !errors.Is(err, kv.ErrInvalidTTL) {
			t.Errorf("PutIfAbsentTTL with TTL %v = %v, %v; want false and an error matching kv.ErrInvalidTTL", ttl, stored, err)
		}

		swapped, err := a.CompareAndSwapTTL(f.ctx, present, []byte("v0"), []byte("new"), ttl)
		if swapped || !errors.Is(err, kv.ErrInvalidTTL) {
			t.Errorf("CompareAndSwapTTL with TTL %v = %v, %v; want false and an error matching kv.ErrInvalidTTL", ttl, swapped, err)
		}
	}

	f.wantAbsent(absent)
	f.wantValue(present, []byte("v0"))
}

func (s *suite) testAtomicPutIfAbsentTTLExpiry(t *testing.T) {
	f := s.open(t)
	a := f.atomicStore()

	key := f.key("pia-ttl")
	ttl := f.opts.ttl()

	putStart := time.Now()

	stored, err := a.PutIfAbsentTTL(f.ctx, key, []byte("v"), ttl)
	if err != nil || !stored {
		t.Fatalf("PutIfAbsentTTL on absent key %s = %v, %v; want true, nil", kv.QuoteKey(key), stored, err)
	}

	f.checkExpiry(key, []byte("v"), ttl, putStart)
}

func (s *suite) testAtomicCompareAndSwapTTLExpiry(t *testing.T) {
	f := s.open(t)
	a := f.atomicStore()

	key := f.key("cas-ttl")
	ttl := f.opts.ttl()
	f.put(key, []byte("old"))

	putStart := time.Now()

	swapped, err := a.CompareAndSwapTTL(f.ctx, key, []byte("old"), []byte("new"), ttl)
	if err != nil || !swapped {
		t.Fatalf("CompareAndSwapTTL with the current value = %v, %v; want true, nil", swapped, err)
	}

	f.checkExpiry(key, []byte("new"), ttl, putStart)
}

// testAtomicCompareAndSwapRemovesTTL checks that CompareAndSwap without a
// TTL leaves the swapped entry permanent, as Put does.
func (s *suite) testAtomicCompareAndSwapRemovesTTL(t *testing.T) {
	f := s.open(t)
	a := f.atomicStore()

	key := f.key("cas-permanent")
	ttl := f.opts.ttl()

	stored, err := a.PutIfAbsentTTL(f.ctx, key, []byte("old"), ttl)
	if err != nil || !stored {
		t.Fatalf("PutIfAbsentTTL on absent key %s = %v, %v; want true, nil", kv.QuoteKey(key), stored, err)
	}

	putDone := time.Now()

	swapped, err := a.CompareAndSwap(f.ctx, key, []byte("old"), []byte("new"))
	if err != nil || !swapped {
		t.Fatalf("CompareAndSwap with the current value = %v, %v; want true, nil", swapped, err)
	}

	f.checkOutlives(key, []byte("new"), f.opts.pastExpiry(putDone, ttl))
}

func (s *suite) testAtomicNoAliasing(t *testing.T) {
	f := s.open(t)
	a := f.atomicStore()

	key := f.key("alias")
	value := []byte("original")

	if stored, err := a.PutIfAbsent(f.ctx, key, value); err != nil || !stored {
		t.Fatalf("PutIfAbsent on absent key %s = %v, %v; want true, nil", kv.QuoteKey(key), stored, err)
	}

	copy(value, "CHANGED!")
	f.wantValue(key, []byte("original"))

	newValue := []byte("swapped!")
	if swapped, err := a.CompareAndSwap(f.ctx, key, []byte("original"), newValue); err != nil || !swapped {
		t.Fatalf("CompareAndSwap with the current value = %v, %v; want true, nil", swapped, err)
	}

	copy(newValue, "CHANGED!")
	f.wantValue(key, []byte("swapped!"))

	if t.Failed() {
		return
	}

	// The next swap must compare with what is stored, not with the caller's
	// changed slice.
	swapped, err := a.CompareAndSwap(f.ctx, key, []byte("CHANGED!"), []byte("wrong"))
	if err != nil || swapped {
		t.Errorf("CompareAndSwap against the caller's changed slice = %v, %v; want false, nil", swapped, err)
	}
}
