package kvtest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
)

// longTTL is a TTL that no check outlives, for writes that must not expire
// while the subtest runs.
const longTTL = time.Hour

// invalidTTLs are TTLs every TTLStore must reject with kv.ErrInvalidTTL.
var invalidTTLs = []time.Duration{0, -time.Nanosecond, -time.Hour}

func (s *suite) testTTL(t *testing.T) {
	t.Run("Invalid", s.testTTLInvalid)
	t.Run("Expiry", s.testTTLExpiry)
	t.Run("PutRemovesTTL", s.testTTLPutRemovesTTL)
	t.Run("PutTTLAddsTTL", s.testTTLPutTTLAddsTTL)
	t.Run("NotListed", s.testTTLNotListed)
	t.Run("Long", s.testTTLLong)
	t.Run("NoAliasing", s.testTTLNoAliasing)
}

// testTTLInvalid checks that zero and negative TTLs fail with
// kv.ErrInvalidTTL and store nothing, so that neither reads as "forever" or
// "expire now".
func (s *suite) testTTLInvalid(t *testing.T) {
	f := s.open(t)
	ts := f.ttlStore()

	present := f.key("present")
	absent := f.key("absent")
	f.put(present, []byte("v0"))

	for _, ttl := range invalidTTLs {
		err := ts.PutTTL(f.ctx, present, []byte("new"), ttl)
		if !errors.Is(err, kv.ErrInvalidTTL) {
			t.Errorf("PutTTL with TTL %v = %v, want an error matching kv.ErrInvalidTTL", ttl, err)
		}

		err = ts.PutTTL(f.ctx, absent, []byte("new"), ttl)
		if !errors.Is(err, kv.ErrInvalidTTL) {
			t.Errorf("PutTTL with TTL %v = %v, want an error matching kv.ErrInvalidTTL", ttl, err)
		}
	}

	f.wantValue(present, []byte("v0"))
	f.wantAbsent(absent)
}

// testTTLExpiry checks that an entry is readable for its whole TTL after
// PutTTL returns, and that it expires afterwards.
func (s *suite) testTTLExpiry(t *testing.T) {
	f := s.open(t)
	ts := f.ttlStore()

	key := f.key("expiring")
	ttl := f.opts.ttl()

	putStart := time.Now()

	if err := ts.PutTTL(f.ctx, key, []byte("v"), ttl); err != nil {
		t.Fatalf("PutTTL %s: %v", kv.QuoteKey(key), err)
	}

	f.checkExpiry(key, []byte("v"), ttl, putStart)
}

// testTTLPutRemovesTTL checks that a plain Put on a key with a TTL makes
// the key permanent.
func (s *suite) testTTLPutRemovesTTL(t *testing.T) {
	f := s.open(t)
	ts := f.ttlStore()

	key := f.key("made-permanent")
	ttl := f.opts.ttl()

	if err := ts.PutTTL(f.ctx, key, []byte("v1"), ttl); err != nil {
		t.Fatalf("PutTTL %s: %v", kv.QuoteKey(key), err)
	}

	putDone := time.Now()
	f.put(key, []byte("v2"))

	f.checkOutlives(key, []byte("v2"), f.opts.pastExpiry(putDone, ttl))
}

// testTTLPutTTLAddsTTL checks that PutTTL on a key without a TTL gives it
// one.
func (s *suite) testTTLPutTTLAddsTTL(t *testing.T) {
	f := s.open(t)
	ts := f.ttlStore()

	key := f.key("made-expiring")
	ttl := f.opts.ttl()
	f.put(key, []byte("v1"))

	putStart := time.Now()

	if err := ts.PutTTL(f.ctx, key, []byte("v2"), ttl); err != nil {
		t.Fatalf("PutTTL %s: %v", kv.QuoteKey(key), err)
	}

	f.checkExpiry(key, []byte("v2"), ttl, putStart)
}

// testTTLNotListed checks that an expired key drops out of listings.
func (s *suite) testTTLNotListed(t *testing.T) {
	f := s.open(t)
	ts := f.ttlStore()
	l := f.lister()

	expiring := f.key("expiring")
	plain := f.key("plain")
	ttl := f.opts.ttl()
	f.put(plain, []byte("v"))

	// Timed from before the call, for the reason checkExpiry gives.
	putStart := time.Now()

	if err := ts.PutTTL(f.ctx, expiring, []byte("v"), ttl); err != nil {
		t.Fatalf("PutTTL %s: %v", kv.QuoteKey(expiring), err)
	}

	expiresAt := putStart.Add(ttl)
	giveUp := expiresAt.Add(f.opts.TTLGranularity + expirySlack)

	for {
		seen, err := listKeys(f.ctx, l, f.prefix)
		end := time.Now()

		if err != nil {
			t.Fatalf("Keys %s: %v", kv.QuoteKey(f.prefix), err)
		}

		if seen[plain] != 1 {
			t.Fatalf("Keys %s yielded the key without a TTL %d times, want once", kv.QuoteKey(f.prefix), seen[plain])
		}

		// Only a listing that ended before the deadline certainly read the
		// key before it.
		if seen[expiring] == 0 && end.Before(expiresAt) {
			t.Fatalf("Keys %s left out %s %v before its TTL of %v passed", kv.QuoteKey(f.prefix), kv.QuoteKey(expiring), expiresAt.Sub(end), ttl)
		}

		if seen[expiring] == 0 {
			t.Logf("expired key left the listing at most %v after its TTL of %v (granularity %v)", time.Since(expiresAt), ttl, f.opts.TTLGranularity)
			return
		}

		if time.Now().After(giveUp) {
			t.Fatalf("Keys %s still yields %s %v after its TTL of %v passed", kv.QuoteKey(f.prefix), kv.QuoteKey(expiring), time.Since(expiresAt), ttl)
		}

		time.Sleep(pollInterval(ttl))
	}
}

// testTTLLong checks TTLs of more than 30 days, which memcached's protocol
// would read as a Unix time unless the store converts them.
func (s *suite) testTTLLong(t *testing.T) {
	f := s.open(t)
	ts := f.ttlStore()

	for _, ttl := range []time.Duration{31*24*time.Hour + time.Hour, 365 * 24 * time.Hour} {
		key := f.key("long-" + ttl.String())
		if err := ts.PutTTL(f.ctx, key, []byte("v"), ttl); err != nil {
			t.Errorf("PutTTL %s with TTL %v: %v", kv.QuoteKey(key), ttl, err)
			continue
		}

		f.wantValue(key, []byte("v"))
	}
}

func (s *suite) testTTLNoAliasing(t *testing.T) {
	f := s.open(t)
	ts := f.ttlStore()

	key := f.key("alias")
	value := []byte("original")

	if err := ts.PutTTL(f.ctx, key, value, longTTL); err != nil {
		t.Fatalf("PutTTL %s: %v", kv.QuoteKey(key), err)
	}

	copy(value, "CHANGED!")
	f.wantValue(key, []byte("original"))
}

// checkExpiry reads key until ttl has passed since putStart, and reports
// any read that started before then and did not return want. It then reads
// until the key is gone, logs how late that was, and fails only if the key
// outlives its TTL plus the granularity plus expirySlack, because lateness
// on a loaded machine is not a bug.
//
// putStart is the clock read just before the put was called: the earliest
// moment the put can have returned. Timing from a clock read after the
// call would blame the store for any time the test goroutine spent
// descheduled between the put's return and that read, which on a loaded
// machine is several milliseconds.
func (f *fixture) checkExpiry(key string, want []byte, ttl time.Duration, putStart time.Time) {
	f.t.Helper()

	if !f.checkOutlives(key, want, putStart.Add(ttl)) {
		return
	}

	f.waitExpired(key, ttl, putStart)
}

// checkOutlives reads key until the time until and reports the first read
// that returned before then and did not return want. It returns false
// after such a failure. A read that returned ErrNotFound after until may
// have reached the store after the deadline too, so it ends the check
// without a verdict.
func (f *fixture) checkOutlives(key string, want []byte, until time.Time) bool {
	f.t.Helper()

	interval := pollInterval(time.Until(until))

	for {
		if !time.Now().Before(until) {
			return true
		}

		got, err := f.store.Get(f.ctx, key)
		end := time.Now()

		if errors.Is(err, kv.ErrNotFound) && !end.Before(until) {
			return true
		}

		if err != nil {
			f.t.Errorf("Get %s failed while the key must still be readable (%v before that ends): %v", kv.QuoteKey(key), until.Sub(end), err)
			return false
		}

		if !bytes.Equal(got, want) {
			f.t.Errorf("Get %s = %s, want %s", kv.QuoteKey(key), describe(got), describe(want))
			return false
		}

		time.Sleep(min(interval, time.Until(until)))
	}
}

// waitExpired reads key until Get fails with kv.ErrNotFound, logs how long
// after ttl that happened, and fails the subtest if the key is still there
// at ttl plus the granularity plus expirySlack after putStart.
func (f *fixture) waitExpired(key string, ttl time.Duration, putStart time.Time) {
	f.t.Helper()

	giveUp := putStart.Add(ttl + f.opts.TTLGranularity + expirySlack)

	for {
		_, err := f.store.Get(f.ctx, key)
		if errors.Is(err, kv.ErrNotFound) {
			f.t.Logf("%s expired at most %v after its TTL of %v (granularity %v)", kv.QuoteKey(key), time.Since(putStart)-ttl, ttl, f.opts.TTLGranularity)
			return
		}

		if err != nil {
			f.t.Fatalf("Get %s while waiting for it to expire: %v", kv.QuoteKey(key), err)
		}

		if time.Now().After(giveUp) {
			f.t.Fatalf("Get %s still succeeds %v after its TTL of %v passed", kv.QuoteKey(key), time.Since(putStart)-ttl, ttl)
		}

		time.Sleep(pollInterval(ttl))
	}
}
