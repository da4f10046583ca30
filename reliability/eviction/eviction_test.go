package eviction_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/reliability/internal/harness"
)

func TestMain(m *testing.M) {
	testserver.Main(m)
}

// trackers returns a track-all and a denylist Tracker on store, each in a
// namespace of its own.
func trackers(t *testing.T, store kv.Store) (trackAll, denylist *jwtrevoke.Tracker) {
	t.Helper()

	opts := harness.TrackerOptions(jwtrevoke.TrackAll)
	opts.Namespace = "ta:"
	trackAll = harness.NewTracker(t, store, opts)

	opts = harness.TrackerOptions(jwtrevoke.Denylist)
	opts.Namespace = "dl:"
	denylist = harness.NewTracker(t, store, opts)

	return trackAll, denylist
}

func issue(t *testing.T, tracker *jwtrevoke.Tracker, subject string) (string, *jwtrevoke.Claims) {
	t.Helper()

	token, claims, err := tracker.Issue(context.Background(), subject, jwtrevoke.Access, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	return token, claims
}

func checkIs(t *testing.T, what string, tracker *jwtrevoke.Tracker, token string, want error) {
	t.Helper()

	_, err := tracker.Check(context.Background(), token, jwtrevoke.Access)
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		t.Errorf("%s: Check = %v, want %v", what, err, want)
	}
}

// TestRemovedEntries removes what a Tracker wrote, as an evicting or
// forgetful store would, on every backend. Track-all then rejects the
// token, revoked or not. Denylist accepts a revoked token again, and so
// does track-all when only a subject's cutoff is lost: the hazards the
// package documentation warns of.
func TestRemovedEntries(t *testing.T) {
	ctx := context.Background()

	for _, b := range harness.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			raw := b.Open(t)
			rec := &recorder{backend: raw.(backend)}
			trackAll, denylist := trackers(t, rec)

			evict := func(keys []string) {
				t.Helper()

				for _, key := range keys {
					if err := raw.Delete(ctx, key); err != nil {
						t.Fatalf("Delete(%q) behind the Tracker's back: %v", key, err)
					}
				}
			}

			token, _ := issue(t, trackAll, "alice")
			checkIs(t, "track-all token", trackAll, token, nil)
			evict(rec.take())
			checkIs(t, "track-all token whose record was removed", trackAll, token, jwtrevoke.ErrUnknownToken)

			token, claims := issue(t, trackAll, "alice")
			if err := trackAll.Revoke(ctx, claims.ID); err != nil {
				t.Fatalf("Revoke: %v", err)
			}

			checkIs(t, "revoked track-all token", trackAll, token, jwtrevoke.ErrRevoked)
			evict(rec.take())
			checkIs(t, "revoked track-all token whose record was removed", trackAll, token, jwtrevoke.ErrUnknownToken)

			token, _ = issue(t, trackAll, "bob")
			rec.take()

			if err := trackAll.RevokeSubject(ctx, "bob"); err != nil {
				t.Fatalf("RevokeSubject: %v", err)
			}

			checkIs(t, "track-all token of a revoked subject", trackAll, token, jwtrevoke.ErrRevoked)
			evict(rec.take())
			checkIs(t, "track-all token whose subject's cutoff was removed (hazard)", trackAll, token, nil)

			token, claims = issue(t, denylist, "carol")
			if err := denylist.Revoke(ctx, claims.ID); err != nil {
				t.Fatalf("Revoke: %v", err)
			}

			checkIs(t, "revoked denylist token", denylist, token, jwtrevoke.ErrRevoked)
			evict(rec.take())
			checkIs(t, "revoked denylist token whose marker was removed (hazard)", denylist, token, nil)
		})
	}
}

// redisPolicies are Redis's maxmemory policies. Every entry a Tracker
// writes has a TTL, so the volatile ones evict only Tracker entries while
// other keys without a TTL fill the memory.
var redisPolicies = []string{
	"noeviction",
	"allkeys-lru", "allkeys-lfu", "allkeys-random",
	"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
}

// revokedSet is a batch of revoked tokens in both modes and of unrevoked
// track-all tokens, for counting what an eviction undid.
type revokedSet struct {
	trackAll, denylist *jwtrevoke.Tracker
	revokedTrackAll    []string
	revokedDenylist    []string
	validTrackAll      []string
}

const tokensPerKind = 200

func newRevokedSet(t *testing.T, store kv.Store) *revokedSet {
	t.Helper()

	ctx := context.Background()
	s := &revokedSet{}
	s.trackAll, s.denylist = trackers(t, store)

	for i := range tokensPerKind {
		subject := fmt.Sprint("user-", i)

		token, claims := issue(t, s.trackAll, subject)
		if err := s.trackAll.Revoke(ctx, claims.ID); err != nil {
			t.Fatalf("Revoke: %v", err)
		}

		s.revokedTrackAll = append(s.revokedTrackAll, token)

		token, claims = issue(t, s.denylist, subject)
		if err := s.denylist.Revoke(ctx, claims.ID); err != nil {
			t.Fatalf("Revoke: %v", err)
		}

		s.revokedDenylist = append(s.revokedDenylist, token)

		token, _ = issue(t, s.trackAll, subject)
		s.validTrackAll = append(s.validTrackAll, token)
	}

	return s
}

// outcome counts what checks of a revokedSet returned after the filling.
type outcome struct {
	trackAllRevokedAccepted int // must stay 0
	denylistRevokedAccepted int // the un-revoked tokens
	trackAllValidRejected   int // logged out by an eviction
	errors                  int // checks that failed for another reason
}

func (s *revokedSet) count(t *testing.T) outcome {
	t.Helper()

	ctx := context.Background()

	var o outcome

	for _, token := range s.revokedTrackAll {
		if _, err := s.trackAll.Check(ctx, token, jwtrevoke.Access); err == nil {
			o.trackAllRevokedAccepted++
		}
	}

	for _, token := range s.revokedDenylist {
		_, err := s.denylist.Check(ctx, token, jwtrevoke.Access)

		switch {
		case err == nil:
			o.denylistRevokedAccepted++
		case !errors.Is(err, jwtrevoke.ErrRevoked):
			o.errors++
		}
	}

	for _, token := range s.validTrackAll {
		_, err := s.trackAll.Check(ctx, token, jwtrevoke.Access)

		switch {
		case errors.Is(err, jwtrevoke.ErrUnknownToken):
			o.trackAllValidRejected++
		case err != nil:
			o.errors++
		}
	}

	return o
}

func (o outcome) String() string {
	return fmt.Sprintf("revoked denylist tokens accepted again: %d/%d, valid track-all tokens rejected as unknown: %d/%d, revoked track-all tokens accepted: %d/%d",
		o.denylistRevokedAccepted, tokensPerKind, o.trackAllValidRejected, tokensPerKind, o.trackAllRevokedAccepted, tokensPerKind)
}

// TestRedisMaxmemoryPolicies fills a Redis server with a small maxmemory
// under each eviction policy, after a Tracker revoked tokens on it.
func TestRedisMaxmemoryPolicies(t *testing.T) {
	ctx := context.Background()

	for _, policy := range redisPolicies {
		t.Run(policy, func(t *testing.T) {
			srv := testserver.StartRedis(t, testserver.RedisConfig{Args: []string{"--maxmemory", "3mb", "--maxmemory-policy", policy}})
			store := harness.OpenRedis(t, srv.Addr())
			set := newRevokedSet(t, store)

			// Fill with keys without TTL until the server refuses or
			// four times its memory went in.
			filler := make([]byte, 16<<10)
			refused := 0

			for i := range 4 * 3 * 64 {
				if err := store.Put(ctx, fmt.Sprint("filler-", i), filler); err != nil {
					refused++
				}
			}

			o := set.count(t)
			t.Logf("maxmemory-policy %s: %d filler writes refused; %v", policy, refused, o)

			if o.trackAllRevokedAccepted != 0 {
				t.Errorf("%d revoked track-all tokens accepted after eviction, want 0", o.trackAllRevokedAccepted)
			}

			if o.errors != 0 {
				t.Errorf("%d checks failed with an unexpected error", o.errors)
			}

			if policy != "noeviction" {
				return
			}

			if o.denylistRevokedAccepted != 0 || o.trackAllValidRejected != 0 {
				t.Errorf("noeviction lost entries: %v", o)
			}

			// A full server rejects the revocation, and Revoke returns an error.
			_, claims := issue(t, set.denylist, "late")

			if err := set.denylist.Revoke(ctx, claims.ID); !errors.Is(err, jwtrevoke.ErrStoreUnavailable) {
				t.Errorf("denylist Revoke on a full noeviction server = %v, want ErrStoreUnavailable", err)
			}
		})
	}
}

// TestMemcachedEviction fills a memcached of 4 MB with items of the size
// of a Tracker's entries, so that its LRU evicts them.
func TestMemcachedEviction(t *testing.T) {
	srv := testserver.StartMemcached(t, testserver.MemcachedConfig{MemoryMB: 4, MaxItemSize: "512k"})
	store := harness.OpenMemcache(t, srv.Addr())
	set := newRevokedSet(t, store)

	fillMemcached(t, srv.Addr(), 200_000)

	o := set.count(t)
	t.Logf("memcached -m 4: %v", o)

	if o.trackAllRevokedAccepted != 0 {
		t.Errorf("%d revoked track-all tokens accepted after eviction, want 0", o.trackAllRevokedAccepted)
	}

	if o.denylistRevokedAccepted == 0 || o.trackAllValidRejected == 0 {
		t.Errorf("filling memcached evicted too little to prove anything: %v", o)
	}
}

// fillMemcached writes n small items in one pipelined stream of set
// commands without replies, which is far faster than one call each.
// memcached evicts within a slab class, by item size, so the values take
// every length up to 200 bytes, which covers the slab classes of the
// Tracker's markers and records.
func fillMemcached(t *testing.T, addr string, n int) {
	t.Helper()

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("connect to memcached: %v", err)
	}
	defer conn.Close()

	if err := conn.SetDeadline(time.Now().Add(time.Minute)); err != nil {
		t.Fatalf("set deadline: %v", err)
	}

	w := bufio.NewWriterSize(conn, 64<<10)
	for i := range n {
		value := strings.Repeat("v", 1+i%200)
		fmt.Fprintf(w, "set filler-%040d 0 0 %d noreply\r\n%s\r\n", i, len(value), value)
	}

	// The reply to a final command shows that the server read them all.
	fmt.Fprintf(w, "version\r\n")

	if err := w.Flush(); err != nil {
		t.Fatalf("write the filler: %v", err)
	}

	reply, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(reply, "VERSION") {
		t.Fatalf("memcached after the filler: %q, %v", reply, err)
	}
}

// TestRedisRestartWithoutPersistence restarts a Redis server that keeps
// nothing on disk: it comes back empty, like memcached.
func TestRedisRestartWithoutPersistence(t *testing.T) {
	srv := testserver.StartRedis(t, testserver.RedisConfig{Args: []string{"--save", "", "--appendonly", "no"}})
	store := harness.OpenRedis(t, srv.Addr())
	set := newRevokedSet(t, store)

	srv.Restart(t)

	// The client reconnects on its own; poll until a read goes through.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := store.Get(context.Background(), "probe")
		if errors.Is(err, kv.ErrNotFound) {
			break
		}

		if time.Now().After(deadline) {
			t.Fatalf("Redis not readable after the restart: %v", err)
		}

		time.Sleep(10 * time.Millisecond)
	}

	o := set.count(t)
	t.Logf("redis without persistence, restarted: %v", o)

	if o.trackAllRevokedAccepted != 0 {
		t.Errorf("%d revoked track-all tokens accepted after the restart, want 0", o.trackAllRevokedAccepted)
	}

	if o.denylistRevokedAccepted != tokensPerKind || o.trackAllValidRejected != tokensPerKind {
		t.Errorf("the restart kept some entries, so the server persisted after all: %v", o)
	}
}
