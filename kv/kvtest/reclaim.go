package kvtest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
)

func (s *suite) testReclaim(t *testing.T) {
	t.Run("Expired", s.testReclaimExpired)
	t.Run("Live", s.testReclaimLive)
}

// reclaimRounds is how many times testReclaimExpired tries before it fails.
// A store's own background reclamation may remove the expired entries just
// before Reclaim runs, so that one round finds nothing to remove.
const reclaimRounds = 3

// testReclaimExpired checks that Reclaim removes entries whose TTL passed,
// and keeps the rest.
func (s *suite) testReclaimExpired(t *testing.T) {
	f := s.open(t)
	r := f.reclaimer()
	ts := f.ttlStore()

	live := f.key("live")
	f.put(live, []byte("v"))

	ttl := f.opts.ttl()

	for round := range reclaimRounds {
		expiring := make([]string, 20)
		for i := range expiring {
			expiring[i] = f.key(fmt.Sprintf("round%d/%02d", round, i))

			if err := ts.PutTTL(f.ctx, expiring[i], []byte("v"), ttl); err != nil {
				t.Fatalf("PutTTL %s: %v", kv.QuoteKey(expiring[i]), err)
			}
		}

		putDone := time.Now()
		removed := f.reclaimExpired(r, expiring, putDone.Add(ttl+f.opts.TTLGranularity), putDone.Add(ttl+f.opts.TTLGranularity+expirySlack))

		if removed == 0 {
			t.Logf("round %d: Reclaim removed nothing; the store may have reclaimed the entries by itself first", round)
			continue
		}

		t.Logf("round %d: Reclaim removed %d entries", round, removed)
		f.wantValue(live, []byte("v"))

		if l, ok := f.store.(kv.Lister); ok {
			f.wantListed(l, f.prefix, []string{live})
		}

		return
	}

	t.Errorf("Reclaim removed nothing in %d rounds of 20 expired entries", reclaimRounds)
}

// reclaimExpired waits until expiresAt, when every key in expiring must
// have expired, then calls Reclaim until Get finds none of them. It fails
// the subtest if one is still there at giveUp, and returns how many
// entries the Reclaim calls removed in all.
func (f *fixture) reclaimExpired(r kv.Reclaimer, expiring []string, expiresAt, giveUp time.Time) int {
	f.t.Helper()

	time.Sleep(time.Until(expiresAt))

	total := 0

	for {
		removed, err := r.Reclaim(f.ctx)
		if err != nil {
			f.t.Fatalf("Reclaim: %v", err)
		}

		total += removed

		present := f.firstPresent(expiring)
		if present == "" {
			return total
		}

		if time.Now().After(giveUp) {
			f.t.Fatalf("Get %s still succeeds %v after the key expired and Reclaim ran", kv.QuoteKey(present), time.Since(expiresAt))
		}

		time.Sleep(pollInterval(f.opts.ttl()))
	}
}

// firstPresent returns the first of keys that Get still finds, or "" when
// Get finds none of them.
func (f *fixture) firstPresent(keys []string) string {
	f.t.Helper()

	for _, key := range keys {
		_, err := f.store.Get(f.ctx, key)
		if err == nil {
			return key
		}

		if !errors.Is(err, kv.ErrNotFound) {
			f.t.Fatalf("Get %s: %v", kv.QuoteKey(key), err)
		}
	}

	return ""
}

// testReclaimLive checks that Reclaim keeps every entry that has not
// expired, with or without a TTL.
func (s *suite) testReclaimLive(t *testing.T) {
	f := s.open(t)
	r := f.reclaimer()

	var keys []string
	for i := range 10 {
		key := f.key(fmt.Sprintf("plain/%d", i))
		f.put(key, []byte("v"))
		keys = append(keys, key)
	}

	if ts, ok := f.store.(kv.TTLStore); ok {
		for i := range 10 {
			key := f.key(fmt.Sprintf("ttl/%d", i))

			if err := ts.PutTTL(f.ctx, key, []byte("v"), longTTL); err != nil {
				t.Fatalf("PutTTL %s: %v", kv.QuoteKey(key), err)
			}

			keys = append(keys, key)
		}
	}

	removed, err := r.Reclaim(f.ctx)
	if err != nil {
		t.Fatalf("Reclaim: %v", err)
	}

	// Other users of a shared database may have expired entries, so the
	// count itself proves nothing here.
	t.Logf("Reclaim removed %d entries", removed)

	for _, key := range keys {
		f.wantValue(key, []byte("v"))
	}
}
