package jwtrevoke

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
)

func TestRotateIssuesNewPair(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		tracker := newTracker(t, store, nil)

		first, err := tracker.IssuePair(ctx, "alice", map[string]any{"tenant": "t1"})
		if err != nil {
			t.Fatalf("IssuePair: %v", err)
		}

		next, err := tracker.Rotate(ctx, first.Refresh)
		if err != nil {
			t.Fatalf("Rotate: %v", err)
		}

		if next.RefreshClaims.Family != first.RefreshClaims.Family || next.AccessClaims.Family != first.RefreshClaims.Family {
			t.Errorf("new pair has families %q and %q, want %q", next.AccessClaims.Family, next.RefreshClaims.Family, first.RefreshClaims.Family)
		}

		for name, token := range map[string]string{"access": next.Access, "refresh": next.Refresh} {
			claims, err := tracker.Check(ctx, token, AnyType)
			if err != nil {
				t.Errorf("Check of the new %s token = %v, want nil", name, err)
				continue
			}

			if claims.Extra["tenant"] != "t1" {
				t.Errorf("new %s token has tenant %v, want t1", name, claims.Extra["tenant"])
			}
		}

		if _, err := tracker.Check(ctx, first.Refresh, Refresh); !errors.Is(err, ErrRevoked) {
			t.Errorf("Check of the used refresh token = %v, want ErrRevoked", err)
		}

		if _, err := tracker.Check(ctx, first.Access, Access); err != nil {
			t.Errorf("Check of the first access token = %v, want nil until reuse", err)
		}

		if _, err := tracker.Rotate(ctx, first.Access); !errors.Is(err, ErrTokenType) {
			t.Errorf("Rotate of an access token = %v, want ErrTokenType", err)
		}
	})
}

func TestRotateReplayRevokesFamily(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		observer := &recordingObserver{}
		tracker := newTracker(t, store, func(o *Options) { o.Observer = observer })

		first, err := tracker.IssuePair(ctx, "alice", nil)
		if err != nil {
			t.Fatalf("IssuePair: %v", err)
		}

		other, err := tracker.IssuePair(ctx, "alice", nil)
		if err != nil {
			t.Fatalf("IssuePair: %v", err)
		}

		next, err := tracker.Rotate(ctx, first.Refresh)
		if err != nil {
			t.Fatalf("Rotate: %v", err)
		}

		_, err = tracker.Rotate(ctx, first.Refresh)
		if !errors.Is(err, ErrReuseDetected) {
			t.Fatalf("second Rotate of one token = %v, want ErrReuseDetected", err)
		}

		if !errors.Is(err, ErrRevoked) {
			t.Errorf("reuse error %v does not match ErrRevoked", err)
		}

		for name, token := range map[string]string{"first access": first.Access, "new access": next.Access, "new refresh": next.Refresh} {
			if _, err := tracker.Check(ctx, token, AnyType); !errors.Is(err, ErrRevoked) {
				t.Errorf("Check of the %s token after reuse = %v, want ErrRevoked", name, err)
			}
		}

		if _, err := tracker.Rotate(ctx, next.Refresh); !errors.Is(err, ErrRevoked) {
			t.Errorf("Rotate of the new refresh token after reuse = %v, want ErrRevoked", err)
		}

		if _, err := tracker.Rotate(ctx, other.Refresh); err != nil {
			t.Errorf("Rotate in another family = %v, want nil", err)
		}

		if observer.reuse != 1 {
			t.Errorf("observer saw %d reuses, want 1", observer.reuse)
		}
	})
}

func TestRotateConcurrentOneWins(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		tracker := newTracker(t, store, nil)

		first, err := tracker.IssuePair(ctx, "alice", nil)
		if err != nil {
			t.Fatalf("IssuePair: %v", err)
		}

		const callers = 50

		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners []*Pair
			others  []error
		)

		start := make(chan struct{})
		for range callers {
			wg.Add(1)

			go func() {
				defer wg.Done()

				<-start

				pair, err := tracker.Rotate(ctx, first.Refresh)

				mu.Lock()
				defer mu.Unlock()

				if err == nil {
					winners = append(winners, pair)
				} else {
					others = append(others, err)
				}
			}()
		}

		close(start)
		wg.Wait()

		if len(winners) != 1 {
			t.Fatalf("%d of %d concurrent Rotate calls succeeded, want exactly 1", len(winners), callers)
		}

		for _, err := range others {
			if !errors.Is(err, ErrRevoked) {
				t.Errorf("losing Rotate = %v, want ErrReuseDetected or ErrRevoked", err)
			}
		}

		// The losers were reuse, so the family is revoked, the winner's
		// pair included, and a later replay is reuse too.
		if _, err := tracker.Check(ctx, winners[0].Refresh, Refresh); !errors.Is(err, ErrRevoked) {
			t.Errorf("Check of the winner's refresh token = %v, want ErrRevoked", err)
		}

		if _, err := tracker.Rotate(ctx, first.Refresh); !errors.Is(err, ErrRevoked) {
			t.Errorf("later replay = %v, want ErrRevoked", err)
		}

		if lister, ok := store.(kv.Lister); ok {
			// Losers delete the records they wrote: what remains is the
			// first pair and the winner's pair.
			if n := countKeys(t, lister, tracker.opts.Namespace+tagRecord); n != 4 {
				t.Errorf("%d records after the race, want 4", n)
			}
		}
	})
}

func TestRotateGraceReturnsSamePair(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		clock := newTestClock()
		tracker := newTracker(t, store, func(o *Options) {
			o.RotationGrace = 10 * time.Second
			o.Clock = clock.Now
		})

		first, err := tracker.IssuePair(ctx, "alice", nil)
		if err != nil {
			t.Fatalf("IssuePair: %v", err)
		}

		next, err := tracker.Rotate(ctx, first.Refresh)
		if err != nil {
			t.Fatalf("Rotate: %v", err)
		}

		clock.Advance(5 * time.Second)

		again, err := tracker.Rotate(ctx, first.Refresh)
		if err != nil {
			t.Fatalf("Rotate within the grace = %v, want nil", err)
		}

		if again.AccessClaims.ID != next.AccessClaims.ID || again.RefreshClaims.ID != next.RefreshClaims.ID {
			t.Errorf("retry within the grace returned jtis %q/%q, want %q/%q",
				again.AccessClaims.ID, again.RefreshClaims.ID, next.AccessClaims.ID, next.RefreshClaims.ID)
		}

		if again.Refresh != next.Refresh {
			t.Errorf("retry within the grace returned another refresh token")
		}

		if _, err := tracker.Check(ctx, again.Access, Access); err != nil {
			t.Errorf("Check of the re-sent access token = %v, want nil", err)
		}

		// Once the new refresh token is used, the old one is plain reuse.
		if _, err := tracker.Rotate(ctx, next.Refresh); err != nil {
			t.Fatalf("Rotate of the new refresh token: %v", err)
		}

		if _, err := tracker.Rotate(ctx, first.Refresh); !errors.Is(err, ErrReuseDetected) {
			t.Errorf("replay of a grandparent token = %v, want ErrReuseDetected", err)
		}
	})
}

func TestRotateGraceExpires(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	tracker := newTracker(t, newFaultStore(t), func(o *Options) {
		o.RotationGrace = 10 * time.Second
		o.Clock = clock.Now
	})

	first, err := tracker.IssuePair(ctx, "alice", nil)
	if err != nil {
		t.Fatalf("IssuePair: %v", err)
	}

	if _, err := tracker.Rotate(ctx, first.Refresh); err != nil {
		t.Fatalf("Rotate: %v", err)
	}

	clock.Advance(11 * time.Second)

	if _, err := tracker.Rotate(ctx, first.Refresh); !errors.Is(err, ErrReuseDetected) {
		t.Errorf("replay after the grace = %v, want ErrReuseDetected", err)
	}
}

func TestRotateNeedsAtomicStore(t *testing.T) {
	ctx := context.Background()
	tracker := newTracker(t, newPlainStore(t), nil)

	pair, err := tracker.IssuePair(ctx, "alice", nil)
	if err != nil {
		t.Fatalf("IssuePair: %v", err)
	}

	if _, err := tracker.Rotate(ctx, pair.Refresh); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Rotate on a store without atomic writes = %v, want ErrUnsupported", err)
	}

	if _, err := tracker.Check(ctx, pair.Refresh, Refresh); err != nil {
		t.Errorf("Check on a store without atomic writes = %v, want nil", err)
	}

	if err := tracker.RevokeSubject(ctx, "alice"); err != nil {
		t.Fatalf("RevokeSubject on a store without atomic writes: %v", err)
	}

	if _, err := tracker.Check(ctx, pair.Refresh, Refresh); !errors.Is(err, ErrRevoked) {
		t.Errorf("Check after RevokeSubject = %v, want ErrRevoked", err)
	}
}

func TestRotateStoreFailureKeepsToken(t *testing.T) {
	ctx := context.Background()
	store := newFaultStore(t)
	tracker := newTracker(t, store, func(o *Options) { o.FailOpen = true })

	pair, err := tracker.IssuePair(ctx, "alice", nil)
	if err != nil {
		t.Fatalf("IssuePair: %v", err)
	}

	store.failing.Store(true)

	if _, err := tracker.Rotate(ctx, pair.Refresh); !errors.Is(err, ErrStoreUnavailable) {
		t.Errorf("Rotate with a failing store and FailOpen = %v, want ErrStoreUnavailable", err)
	}

	store.failing.Store(false)

	if _, err := tracker.Rotate(ctx, pair.Refresh); err != nil {
		t.Errorf("Rotate after the store recovered = %v, want nil", err)
	}
}

func TestRotateGraceEndsAtRevocation(t *testing.T) {
	ctx := context.Background()
	tracker := newTracker(t, newFaultStore(t), func(o *Options) { o.RotationGrace = time.Minute })

	first, err := tracker.IssuePair(ctx, "alice", nil)
	if err != nil {
		t.Fatalf("IssuePair: %v", err)
	}

	if _, err := tracker.Rotate(ctx, first.Refresh); err != nil {
		t.Fatalf("Rotate: %v", err)
	}

	if err := tracker.RevokeSubject(ctx, "alice"); err != nil {
		t.Fatalf("RevokeSubject: %v", err)
	}

	// The old token is covered by the cutoff too, so the retry fails as
	// revoked before it could count as reuse.
	if _, err := tracker.Rotate(ctx, first.Refresh); !errors.Is(err, ErrRevoked) {
		t.Errorf("retry after RevokeSubject = %v, want ErrRevoked", err)
	}

	second, err := tracker.IssuePair(ctx, "alice", nil)
	if err != nil {
		t.Fatalf("IssuePair: %v", err)
	}

	next, err := tracker.Rotate(ctx, second.Refresh)
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}

	if err := tracker.Revoke(ctx, next.RefreshClaims.ID); err != nil {
		t.Fatalf("Revoke: %v", err)
	}

	if pair, err := tracker.Rotate(ctx, second.Refresh); !errors.Is(err, ErrReuseDetected) {
		t.Errorf("retry after the new refresh token was revoked = %+v, %v; want ErrReuseDetected", pair, err)
	}
}

func TestRotateConcurrentWithGrace(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		tracker := newTracker(t, store, func(o *Options) { o.RotationGrace = time.Minute })

		first, err := tracker.IssuePair(ctx, "alice", nil)
		if err != nil {
			t.Fatalf("IssuePair: %v", err)
		}

		const callers = 20

		var wg sync.WaitGroup

		pairs := make([]*Pair, callers)
		errs := make([]error, callers)
		start := make(chan struct{})

		for i := range callers {
			wg.Add(1)

			go func() {
				defer wg.Done()

				<-start

				pairs[i], errs[i] = tracker.Rotate(ctx, first.Refresh)
			}()
		}

		close(start)
		wg.Wait()

		for i := range callers {
			if errs[i] != nil {
				t.Fatalf("Rotate %d within the grace = %v, want nil", i, errs[i])
			}

			if pairs[i].RefreshClaims.ID != pairs[0].RefreshClaims.ID || pairs[i].AccessClaims.ID != pairs[0].AccessClaims.ID {
				t.Errorf("Rotate %d returned another pair than Rotate 0; want one new pair for all", i)
			}
		}

		if _, err := tracker.Check(ctx, pairs[0].Refresh, Refresh); err != nil {
			t.Errorf("Check of the shared new refresh token = %v, want nil", err)
		}
	})
}

func TestRotateMarkerEvictedStillReuse(t *testing.T) {
	ctx := context.Background()
	store := newFaultStore(t)
	tracker := newTracker(t, store, func(o *Options) { o.RotationGrace = time.Minute })

	first, err := tracker.IssuePair(ctx, "alice", nil)
	if err != nil {
		t.Fatalf("IssuePair: %v", err)
	}

	if _, err := tracker.Rotate(ctx, first.Refresh); err != nil {
		t.Fatalf("Rotate: %v", err)
	}

	// An evicting store drops the small marker and keeps the record.
	if err := store.Delete(ctx, tracker.consumedKey(first.RefreshClaims.ID)); err != nil {
		t.Fatalf("delete marker: %v", err)
	}

	if _, err := tracker.Check(ctx, first.Refresh, Refresh); !errors.Is(err, ErrRevoked) {
		t.Errorf("Check of the used token without its marker = %v, want ErrRevoked", err)
	}

	if _, err := tracker.Rotate(ctx, first.Refresh); !errors.Is(err, ErrReuseDetected) {
		t.Errorf("replay without the marker = %v, want ErrReuseDetected", err)
	}

	info, err := tracker.Lookup(ctx, first.RefreshClaims.ID)
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}

	if !info.Used {
		t.Error("Lookup of the used token without its marker: Used is false")
	}
}
