package jwtrevoke

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
)

// newAdminFor returns a NewAdmin Tracker on the store and namespace of
// server.
func newAdminFor(t *testing.T, server *Tracker, change func(*Options)) *Tracker {
	t.Helper()

	opts := Options{Namespace: server.opts.Namespace, Mode: server.opts.Mode, Clock: server.opts.Clock}
	if change != nil {
		change(&opts)
	}

	admin, err := NewAdmin(server.store, opts)
	if err != nil {
		t.Fatalf("NewAdmin: %v", err)
	}

	return admin
}

func TestNewAdminRejectsKeys(t *testing.T) {
	store := newFaultStore(t)

	for name, opts := range map[string]Options{
		"algorithms":        {Algorithms: []string{"HS256"}},
		"signing key":       {SigningKey: testSecret},
		"verification keys": {VerificationKeys: []any{testSecret}},
	} {
		if _, err := NewAdmin(store, opts); err == nil {
			t.Errorf("NewAdmin with %s: nil error, want one", name)
		}
	}
}

func TestNewAdminRevokesServerTokens(t *testing.T) {
	ctx := context.Background()
	store := newFaultStore(t)
	server := newTracker(t, store, nil)
	admin := newAdminFor(t, server, nil)

	token, claims, err := server.Issue(ctx, "alice", Access, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	if _, err := admin.Check(ctx, token, AnyType); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("admin Check = %v, want ErrInvalidToken because it has no keys", err)
	}

	if _, _, err := admin.Issue(ctx, "alice", Access, nil); err == nil {
		t.Error("admin Issue: nil error, want one because it has no signing key")
	}

	info, err := admin.Lookup(ctx, claims.ID)
	if err != nil {
		t.Fatalf("admin Lookup: %v", err)
	}

	if info.Subject != "alice" || info.Revoked {
		t.Errorf("admin Lookup = %+v, want alice's token, not revoked", info)
	}

	if err := admin.Revoke(ctx, claims.ID); err != nil {
		t.Fatalf("admin Revoke: %v", err)
	}

	if _, err := server.Check(ctx, token, Access); !errors.Is(err, ErrRevoked) {
		t.Errorf("server Check after admin Revoke = %v, want ErrRevoked", err)
	}

	if err := admin.Unrevoke(ctx, claims.ID); err != nil {
		t.Fatalf("admin Unrevoke: %v", err)
	}

	if _, err := server.Check(ctx, token, Access); err != nil {
		t.Errorf("server Check after admin Unrevoke = %v, want nil", err)
	}

	if err := admin.RevokeSubject(ctx, "alice"); err != nil {
		t.Fatalf("admin RevokeSubject: %v", err)
	}

	if _, err := server.Check(ctx, token, Access); !errors.Is(err, ErrRevoked) {
		t.Errorf("server Check after admin RevokeSubject = %v, want ErrRevoked", err)
	}
}

func TestListAllSubjects(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		clock := newTestClock()
		tracker := newTracker(t, store, func(o *Options) { o.Clock = clock.Now })

		pair, err := tracker.IssuePair(ctx, "alice", nil)
		if err != nil {
			t.Fatalf("IssuePair: %v", err)
		}

		_, bob, err := tracker.Issue(ctx, "bob", Access, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		if err := tracker.Revoke(ctx, bob.ID); err != nil {
			t.Fatalf("Revoke: %v", err)
		}

		infos, err := tracker.List(ctx)
		if _, canList := store.(kv.Lister); !canList {
			if !errors.Is(err, kv.ErrUnsupported) {
				t.Errorf("List on a store that cannot list = %v, want ErrUnsupported", err)
			}

			return
		}

		if err != nil {
			t.Fatalf("List: %v", err)
		}

		wantIDs := []string{pair.AccessClaims.ID, pair.RefreshClaims.ID, bob.ID}
		if len(infos) != len(wantIDs) {
			t.Fatalf("List returned %d tokens, want %d: %+v", len(infos), len(wantIDs), infos)
		}

		for i, id := range wantIDs {
			if infos[i].ID != id {
				t.Errorf("List[%d].ID = %q, want %q (oldest first)", i, infos[i].ID, id)
			}
		}

		if infos[2].Subject != "bob" || !infos[2].Revoked {
			t.Errorf("List[2] = %+v, want bob's token, revoked", infos[2])
		}

		if infos[0].Revoked || infos[1].Type != Refresh {
			t.Errorf("List[0:2] = %+v, want alice's access and refresh tokens, not revoked", infos[:2])
		}

		// Past the access tokens' expiry only the refresh token is live.
		clock.Advance(DefaultAccessTTL + time.Second)

		infos, err = tracker.List(ctx)
		if err != nil {
			t.Fatalf("List after expiry: %v", err)
		}

		if len(infos) != 1 || infos[0].ID != pair.RefreshClaims.ID {
			t.Errorf("List after the access tokens expired = %+v, want only the refresh token", infos)
		}
	})
}

func TestListNeedsTrackAll(t *testing.T) {
	tracker := newTracker(t, newFaultStore(t), func(o *Options) { o.Mode = Denylist })

	if _, err := tracker.List(context.Background()); !errors.Is(err, kv.ErrUnsupported) {
		t.Errorf("List in Denylist mode = %v, want ErrUnsupported", err)
	}
}

func TestStatsCountsEntries(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		tracker := newTracker(t, store, nil)

		if _, canList := store.(kv.Lister); !canList {
			if _, err := tracker.Stats(ctx); !errors.Is(err, kv.ErrUnsupported) {
				t.Errorf("Stats on a store that cannot list = %v, want ErrUnsupported", err)
			}

			return
		}

		pair, err := tracker.IssuePair(ctx, "alice", nil)
		if err != nil {
			t.Fatalf("IssuePair: %v", err)
		}

		_, bob, err := tracker.Issue(ctx, "bob", Access, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		if err := tracker.Revoke(ctx, bob.ID); err != nil {
			t.Fatalf("Revoke: %v", err)
		}

		rotated, err := tracker.Rotate(ctx, pair.Refresh)
		if err != nil {
			t.Fatalf("Rotate: %v", err)
		}

		if err := tracker.RevokeToken(ctx, rotated.Refresh); err != nil {
			t.Fatalf("RevokeToken: %v", err)
		}

		if err := tracker.RevokeSubject(ctx, "carol"); err != nil {
			t.Fatalf("RevokeSubject: %v", err)
		}

		if err := tracker.RevokeAll(ctx); err != nil {
			t.Fatalf("RevokeAll: %v", err)
		}

		ns := tracker.opts.Namespace
		if err := store.Put(ctx, ns+tagRecord+"garbage", []byte("not a record")); err != nil {
			t.Fatalf("Put a corrupt record: %v", err)
		}

		if err := store.Put(ctx, ns+"unrelated", []byte("x")); err != nil {
			t.Fatalf("Put an unrelated key: %v", err)
		}

		stats, err := tracker.Stats(ctx)
		if err != nil {
			t.Fatalf("Stats: %v", err)
		}

		want := Stats{
			Records: 5, Access: 3, Refresh: 2,
			RevokedRecords: 2, UsedRecords: 1,
			UsedMarkers: 1, RevokedFamilies: 1,
			SubjectCutoffs: 1, GlobalCutoff: true,
			IndexEntries: 5, Corrupt: 1, Other: 1,
		}
		if *stats != want {
			t.Errorf("Stats = %+v\nwant    %+v", *stats, want)
		}
	})
}

func TestStatsDenylistMarkers(t *testing.T) {
	ctx := context.Background()
	tracker := newTracker(t, newFaultStore(t), func(o *Options) { o.Mode = Denylist })

	for _, jti := range []string{"a", "b"} {
		if err := tracker.Revoke(ctx, jti); err != nil {
			t.Fatalf("Revoke %q: %v", jti, err)
		}
	}

	stats, err := tracker.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}

	if want := (Stats{RevokedMarkers: 2}); *stats != want {
		t.Errorf("Stats = %+v, want %+v", *stats, want)
	}
}

func TestStatsCountsExpired(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	tracker := newTracker(t, newPlainStore(t), func(o *Options) {
		o.Clock = clock.Now
		o.Margin = time.Second
	})

	if _, _, err := tracker.Issue(ctx, "alice", Access, nil); err != nil {
		t.Fatalf("Issue: %v", err)
	}

	if _, _, err := tracker.Issue(ctx, "alice", Refresh, nil); err != nil {
		t.Fatalf("Issue: %v", err)
	}

	if err := tracker.RevokeSubject(ctx, "alice"); err != nil {
		t.Fatalf("RevokeSubject: %v", err)
	}

	clock.Advance(DefaultAccessTTL + 3*time.Second)

	stats, err := tracker.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}

	// The access token's record and index entry; the cutoff never counts.
	if stats.Expired != 2 || stats.Records != 2 {
		t.Errorf("Stats after the access token expired = %+v, want Expired 2 of Records 2", *stats)
	}

	if _, err := tracker.Prune(ctx); err != nil {
		t.Fatalf("Prune: %v", err)
	}

	stats, err = tracker.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats after Prune: %v", err)
	}

	if stats.Expired != 0 || stats.Records != 1 || stats.SubjectCutoffs != 1 {
		t.Errorf("Stats after Prune = %+v, want Expired 0, Records 1, SubjectCutoffs 1", *stats)
	}
}
