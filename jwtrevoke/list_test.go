package jwtrevoke

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
)

func TestListSubject(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		tracker := newTracker(t, store, nil)

		pair, err := tracker.IssuePair(ctx, "alice", nil)
		if err != nil {
			t.Fatalf("IssuePair: %v", err)
		}

		_, revoked, err := tracker.Issue(ctx, "alice", Access, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		// A subject whose encoding starts like alice's must not show up.
		if _, _, err := tracker.Issue(ctx, "alice2", Access, nil); err != nil {
			t.Fatalf("Issue: %v", err)
		}

		if err := tracker.Revoke(ctx, revoked.ID); err != nil {
			t.Fatalf("Revoke: %v", err)
		}

		infos, err := tracker.ListSubject(ctx, "alice")
		if _, canList := store.(kv.Lister); !canList {
			if !errors.Is(err, errors.ErrUnsupported) {
				t.Fatalf("ListSubject on a store that cannot list = %v, want ErrUnsupported", err)
			}

			if infos != nil {
				t.Errorf("ListSubject returned %d entries with its error", len(infos))
			}

			return
		}

		if err != nil {
			t.Fatalf("ListSubject: %v", err)
		}

		if len(infos) != 3 {
			t.Fatalf("ListSubject returned %d tokens, want 3: %+v", len(infos), infos)
		}

		want := map[string]bool{pair.AccessClaims.ID: false, pair.RefreshClaims.ID: false, revoked.ID: true}
		for i, info := range infos {
			wantRevoked, ok := want[info.ID]
			if !ok {
				t.Errorf("ListSubject returned unknown jti %q", info.ID)
				continue
			}

			if info.Revoked != wantRevoked {
				t.Errorf("jti %q: Revoked = %v, want %v", info.ID, info.Revoked, wantRevoked)
			}

			if info.Subject != "alice" {
				t.Errorf("jti %q: Subject = %q, want alice", info.ID, info.Subject)
			}

			if i > 0 && info.Issued.Before(infos[i-1].Issued) {
				t.Errorf("entry %d issued before entry %d; want oldest first", i, i-1)
			}
		}

		if _, err := tracker.Rotate(ctx, pair.Refresh); err != nil {
			t.Fatalf("Rotate: %v", err)
		}

		info, err := tracker.Lookup(ctx, pair.RefreshClaims.ID)
		if err != nil {
			t.Fatalf("Lookup: %v", err)
		}

		if !info.Used || info.Revoked || info.Type != Refresh || info.Family != pair.RefreshClaims.Family {
			t.Errorf("Lookup of the used refresh token = %+v, want Used, not Revoked, refresh, family %q", info, pair.RefreshClaims.Family)
		}

		if !info.Expires.Equal(pair.RefreshClaims.ExpiresAt.Time) {
			t.Errorf("Lookup Expires = %v, want %v", info.Expires, pair.RefreshClaims.ExpiresAt.Time)
		}

		if err := tracker.RevokeSubject(ctx, "alice"); err != nil {
			t.Fatalf("RevokeSubject: %v", err)
		}

		infos, err = tracker.ListSubject(ctx, "alice")
		if err != nil {
			t.Fatalf("ListSubject: %v", err)
		}

		for _, info := range infos {
			if !info.Revoked {
				t.Errorf("jti %q not marked revoked after RevokeSubject", info.ID)
			}
		}

		if _, err := tracker.Lookup(ctx, "no-such-jti"); !errors.Is(err, ErrUnknownToken) {
			t.Errorf("Lookup of an unknown jti = %v, want ErrUnknownToken", err)
		}
	})
}

func TestPruneStoreWithoutTTL(t *testing.T) {
	ctx := context.Background()
	store := newPlainStore(t)
	clock := newTestClock()
	observer := &recordingObserver{}
	tracker := newTracker(t, store, func(o *Options) {
		o.Clock = clock.Now
		o.AccessTTL = time.Minute
		o.RefreshTTL = time.Hour
		o.Margin = time.Second
		o.Observer = observer
	})

	short, shortClaims, err := tracker.Issue(ctx, "alice", Access, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	if err := tracker.Revoke(ctx, shortClaims.ID); err != nil {
		t.Fatalf("Revoke: %v", err)
	}

	long, _, err := tracker.Issue(ctx, "alice", Refresh, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	if err := tracker.RevokeSubject(ctx, "bob"); err != nil {
		t.Fatalf("RevokeSubject: %v", err)
	}

	before := countKeys(t, store.inner, tracker.opts.Namespace)

	removed, err := tracker.Prune(ctx)
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}

	if removed != 0 {
		t.Errorf("Prune before any expiry removed %d entries, want 0", removed)
	}

	clock.Advance(2 * time.Minute)

	removed, err = tracker.Prune(ctx)
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}

	// The access token's record and index entry.
	if removed != 2 {
		t.Errorf("Prune after the access token expired removed %d entries, want 2", removed)
	}

	if after := countKeys(t, store.inner, tracker.opts.Namespace); after != before-2 {
		t.Errorf("%d entries left, want %d", after, before-2)
	}

	if _, err := store.Get(ctx, tracker.recordKey(shortClaims.ID)); !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("record of the expired token: %v, want ErrNotFound", err)
	}

	if _, err := tracker.Check(ctx, long, Refresh); err != nil {
		t.Errorf("Check of the live refresh token after Prune = %v, want nil", err)
	}

	if _, err := tracker.Check(ctx, short, Access); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("Check of the expired token = %v, want ErrInvalidToken", err)
	}

	clock.Advance(2 * time.Hour)

	if _, err := tracker.Prune(ctx); err != nil {
		t.Fatalf("Prune: %v", err)
	}

	// Only the cutoff of bob stays.
	if left := countKeys(t, store.inner, tracker.opts.Namespace); left != 1 {
		t.Errorf("%d entries left after every token expired, want 1 (the cutoff)", left)
	}

	if observer.pruned != 4 {
		t.Errorf("observer saw %d pruned entries, want 4", observer.pruned)
	}
}

func TestPruneOnTTLStore(t *testing.T) {
	tracker := newTracker(t, newFaultStore(t), nil)

	removed, err := tracker.Prune(context.Background())
	if err != nil || removed != 0 {
		t.Errorf("Prune on a store with TTL = %d, %v; want 0, nil", removed, err)
	}
}

func TestPruneNeedsLister(t *testing.T) {
	store := getPutStore{newPlainStore(t)}
	tracker := newTracker(t, store, nil)

	if _, err := tracker.Prune(context.Background()); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Prune on a store without TTL or listing = %v, want ErrUnsupported", err)
	}
}

// getPutStore hides every capability of the store it wraps.
type getPutStore struct{ inner kv.Store }

func (s getPutStore) Get(ctx context.Context, key string) ([]byte, error) {
	return s.inner.Get(ctx, key)
}

func (s getPutStore) Put(ctx context.Context, key string, value []byte) error {
	return s.inner.Put(ctx, key, value)
}

func (s getPutStore) Delete(ctx context.Context, key string) error { return s.inner.Delete(ctx, key) }

func (s getPutStore) Close() error { return nil }
