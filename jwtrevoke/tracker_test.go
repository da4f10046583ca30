package jwtrevoke

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/anykv/anykv/kv"
)

func TestIssueThenCheck(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		tracker := newTracker(t, store, nil)

		token, issued, err := tracker.Issue(ctx, "alice", Access, map[string]any{"role": "admin"})
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		claims, err := tracker.Check(ctx, token, Access)
		if err != nil {
			t.Fatalf("Check of a fresh token: %v", err)
		}

		if claims.ID != issued.ID || claims.Subject != "alice" || claims.Type != Access {
			t.Errorf("Check returned jti %q, sub %q, typ %v; want %q, alice, access", claims.ID, claims.Subject, claims.Type, issued.ID)
		}

		if claims.IssuedNano != issued.IssuedNano {
			t.Errorf("iat_ns = %d, want %d", claims.IssuedNano, issued.IssuedNano)
		}

		if claims.Extra["role"] != "admin" {
			t.Errorf("extra claim role = %v, want admin", claims.Extra["role"])
		}

		_, err = tracker.Check(ctx, token, Refresh)
		if !errors.Is(err, ErrTokenType) {
			t.Errorf("Check of an access token as refresh = %v, want ErrTokenType", err)
		}

		if !errors.Is(err, ErrInvalidToken) {
			t.Errorf("ErrTokenType error %v does not match ErrInvalidToken", err)
		}
	})
}

func TestRevokeThenUnrevoke(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		tracker := newTracker(t, store, nil)

		token, claims, err := tracker.Issue(ctx, "alice", Access, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		other, _, err := tracker.Issue(ctx, "alice", Access, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		if err := tracker.Revoke(ctx, claims.ID); err != nil {
			t.Fatalf("Revoke: %v", err)
		}

		if _, err := tracker.Check(ctx, token, AnyType); !errors.Is(err, ErrRevoked) {
			t.Errorf("Check after Revoke = %v, want ErrRevoked", err)
		}

		if _, err := tracker.Check(ctx, other, AnyType); err != nil {
			t.Errorf("Check of another token of the subject = %v, want nil", err)
		}

		if err := tracker.Unrevoke(ctx, claims.ID); err != nil {
			t.Fatalf("Unrevoke: %v", err)
		}

		if _, err := tracker.Check(ctx, token, AnyType); err != nil {
			t.Errorf("Check after Unrevoke = %v, want nil", err)
		}

		if err := tracker.Revoke(ctx, "no-such-jti"); !errors.Is(err, ErrUnknownToken) {
			t.Errorf("Revoke of an unknown jti = %v, want ErrUnknownToken", err)
		}
	})
}

func TestRevokeTokenRevokesFamily(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		tracker := newTracker(t, store, nil)

		pair, err := tracker.IssuePair(ctx, "alice", nil)
		if err != nil {
			t.Fatalf("IssuePair: %v", err)
		}

		if err := tracker.RevokeToken(ctx, pair.Refresh); err != nil {
			t.Fatalf("RevokeToken: %v", err)
		}

		if _, err := tracker.Check(ctx, pair.Refresh, Refresh); !errors.Is(err, ErrRevoked) {
			t.Errorf("Check of the revoked refresh token = %v, want ErrRevoked", err)
		}

		if _, err := tracker.Check(ctx, pair.Access, Access); !errors.Is(err, ErrRevoked) {
			t.Errorf("Check of the access token of its family = %v, want ErrRevoked", err)
		}

		if err := tracker.RevokeToken(ctx, "not.a.token"); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("RevokeToken of garbage = %v, want ErrInvalidToken", err)
		}
	})
}

func TestRecordRemovedRejects(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		tracker := newTracker(t, store, nil)

		token, claims, err := tracker.Issue(ctx, "alice", Access, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		if err := store.Delete(ctx, tracker.recordKey(claims.ID)); err != nil {
			t.Fatalf("delete record: %v", err)
		}

		if _, err := tracker.Check(ctx, token, AnyType); !errors.Is(err, ErrUnknownToken) {
			t.Errorf("Check without a record = %v, want ErrUnknownToken", err)
		}
	})
}

func TestDenylistMode(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		tracker := newTracker(t, store, func(o *Options) { o.Mode = Denylist })

		token, claims, err := tracker.Issue(ctx, "alice", Access, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		if _, err := store.Get(ctx, tracker.recordKey(claims.ID)); !errors.Is(err, kv.ErrNotFound) {
			t.Errorf("Get of the record in denylist mode = %v, want ErrNotFound", err)
		}

		if _, err := tracker.Check(ctx, token, AnyType); err != nil {
			t.Errorf("Check of a token the store does not know = %v, want nil", err)
		}

		if err := tracker.Revoke(ctx, claims.ID); err != nil {
			t.Fatalf("Revoke: %v", err)
		}

		if _, err := tracker.Check(ctx, token, AnyType); !errors.Is(err, ErrRevoked) {
			t.Errorf("Check after Revoke = %v, want ErrRevoked", err)
		}

		if _, err := tracker.ListSubject(ctx, "alice"); !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("ListSubject in denylist mode = %v, want ErrUnsupported", err)
		}

		pair, err := tracker.IssuePair(ctx, "alice", nil)
		if err != nil {
			t.Fatalf("IssuePair: %v", err)
		}

		next, err := tracker.Rotate(ctx, pair.Refresh)
		if err != nil {
			t.Fatalf("Rotate in denylist mode: %v", err)
		}

		if _, err := tracker.Rotate(ctx, pair.Refresh); !errors.Is(err, ErrReuseDetected) {
			t.Errorf("replay in denylist mode = %v, want ErrReuseDetected", err)
		}

		if _, err := tracker.Check(ctx, next.Access, Access); !errors.Is(err, ErrRevoked) {
			t.Errorf("Check of the new access token after reuse = %v, want ErrRevoked", err)
		}
	})
}

func TestStoreFailureFailsClosed(t *testing.T) {
	ctx := context.Background()
	store := newFaultStore(t)
	observer := &recordingObserver{}
	tracker := newTracker(t, store, func(o *Options) { o.Observer = observer })

	token, _, err := tracker.Issue(ctx, "alice", Access, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	store.failing.Store(true)

	_, err = tracker.Check(ctx, token, AnyType)
	if !errors.Is(err, ErrStoreUnavailable) {
		t.Fatalf("Check with a failing store = %v, want ErrStoreUnavailable", err)
	}

	if errors.Is(err, ErrRevoked) || errors.Is(err, ErrInvalidToken) {
		t.Errorf("store failure %v also matches ErrRevoked or ErrInvalidToken", err)
	}

	if !errors.Is(err, errInjected) {
		t.Errorf("store failure %v does not wrap the store's error", err)
	}

	if _, _, err := tracker.Issue(ctx, "alice", Access, nil); !errors.Is(err, ErrStoreUnavailable) {
		t.Errorf("Issue with a failing store = %v, want ErrStoreUnavailable", err)
	}

	if err := tracker.Revoke(ctx, "some-jti"); !errors.Is(err, ErrStoreUnavailable) {
		t.Errorf("Revoke with a failing store = %v, want ErrStoreUnavailable", err)
	}

	if err := tracker.RevokeSubject(ctx, "alice"); !errors.Is(err, ErrStoreUnavailable) {
		t.Errorf("RevokeSubject with a failing store = %v, want ErrStoreUnavailable", err)
	}

	if observer.count(OutcomeStoreUnavailable) != 1 {
		t.Errorf("observer saw %d store_unavailable checks, want 1", observer.count(OutcomeStoreUnavailable))
	}
}

func TestStoreFailureFailOpen(t *testing.T) {
	ctx := context.Background()
	store := newFaultStore(t)
	observer := &recordingObserver{}
	tracker := newTracker(t, store, func(o *Options) {
		o.FailOpen = true
		o.Observer = observer
	})

	token, _, err := tracker.Issue(ctx, "alice", Access, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	store.failing.Store(true)

	for range 3 {
		claims, err := tracker.Check(ctx, token, AnyType)
		if err != nil {
			t.Fatalf("Check with FailOpen and a failing store = %v, want nil", err)
		}

		if claims == nil || claims.Subject != "alice" {
			t.Fatalf("Check with FailOpen returned claims %+v", claims)
		}
	}

	if _, err := tracker.Check(ctx, "garbage", AnyType); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("Check of garbage with FailOpen = %v, want ErrInvalidToken", err)
	}

	if observer.count(OutcomeFailOpen) != 3 {
		t.Errorf("observer saw %d fail_open checks, want 3", observer.count(OutcomeFailOpen))
	}
}

func TestCheckReadsStoreOnce(t *testing.T) {
	ctx := context.Background()
	store := newFaultStore(t)
	tracker := newTracker(t, store, nil)

	pair, err := tracker.IssuePair(ctx, "alice", nil)
	if err != nil {
		t.Fatalf("IssuePair: %v", err)
	}

	for _, token := range []string{pair.Access, pair.Refresh} {
		before, beforeBatch := store.calls.Load(), store.getMany.Load()

		if _, err := tracker.Check(ctx, token, AnyType); err != nil {
			t.Fatalf("Check: %v", err)
		}

		if calls := store.calls.Load() - before; calls != 1 {
			t.Errorf("Check made %d store calls, want 1", calls)
		}

		if batches := store.getMany.Load() - beforeBatch; batches != 1 {
			t.Errorf("Check made %d GetMany calls, want 1", batches)
		}
	}
}

func TestRefreshOnlySkipsAccess(t *testing.T) {
	ctx := context.Background()
	store := newFaultStore(t)
	tracker := newTracker(t, store, func(o *Options) { o.Scope = RefreshOnly })

	pair, err := tracker.IssuePair(ctx, "alice", nil)
	if err != nil {
		t.Fatalf("IssuePair: %v", err)
	}

	before := store.calls.Load()

	if _, err := tracker.Check(ctx, pair.Access, Access); err != nil {
		t.Fatalf("Check of an access token: %v", err)
	}

	if calls := store.calls.Load() - before; calls != 0 {
		t.Errorf("Check of an access token made %d store calls, want 0", calls)
	}

	if err := tracker.Revoke(ctx, pair.AccessClaims.ID); !errors.Is(err, ErrTokenType) {
		t.Errorf("Revoke of an access token = %v, want ErrTokenType", err)
	}

	if err := tracker.Revoke(ctx, pair.RefreshClaims.ID); err != nil {
		t.Fatalf("Revoke of a refresh token: %v", err)
	}

	if _, err := tracker.Check(ctx, pair.Refresh, Refresh); !errors.Is(err, ErrRevoked) {
		t.Errorf("Check of the revoked refresh token = %v, want ErrRevoked", err)
	}

	if _, err := tracker.Rotate(ctx, pair.Refresh); !errors.Is(err, ErrRevoked) {
		t.Errorf("Rotate of the revoked refresh token = %v, want ErrRevoked", err)
	}
}

func TestRevokeConcurrent(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		tracker := newTracker(t, store, nil)

		token, claims, err := tracker.Issue(ctx, "alice", Access, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		const callers = 20

		var wg sync.WaitGroup

		errs := make([]error, callers)
		for i := range callers {
			wg.Add(1)

			go func() {
				defer wg.Done()

				errs[i] = tracker.Revoke(ctx, claims.ID)
			}()
		}

		wg.Wait()

		for i, err := range errs {
			if err != nil {
				t.Errorf("concurrent Revoke %d = %v, want nil", i, err)
			}
		}

		if _, err := tracker.Check(ctx, token, AnyType); !errors.Is(err, ErrRevoked) {
			t.Errorf("Check after concurrent Revoke calls = %v, want ErrRevoked", err)
		}
	})
}

func TestRevokeWithoutAtomicStore(t *testing.T) {
	ctx := context.Background()
	tracker := newTracker(t, newPlainStore(t), nil)

	token, claims, err := tracker.Issue(ctx, "alice", Access, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	if err := tracker.Revoke(ctx, claims.ID); err != nil {
		t.Fatalf("Revoke: %v", err)
	}

	if _, err := tracker.Check(ctx, token, AnyType); !errors.Is(err, ErrRevoked) {
		t.Errorf("Check after Revoke = %v, want ErrRevoked", err)
	}

	if err := tracker.Unrevoke(ctx, claims.ID); err != nil {
		t.Fatalf("Unrevoke: %v", err)
	}

	if _, err := tracker.Check(ctx, token, AnyType); err != nil {
		t.Errorf("Check after Unrevoke = %v, want nil", err)
	}
}
