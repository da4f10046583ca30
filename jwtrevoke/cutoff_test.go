package jwtrevoke

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
)

func TestRevokeSubjectBoundary(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()

		// A clock that never moves puts every token and the cutoff in one
		// second, indeed in one nanosecond.
		frozen := time.Now()
		tracker := newTracker(t, store, func(o *Options) { o.Clock = func() time.Time { return frozen } })

		var before []string
		for range 5 {
			token, _, err := tracker.Issue(ctx, "alice", Access, nil)
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}

			before = append(before, token)
		}

		bob, _, err := tracker.Issue(ctx, "bob", Access, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		if err := tracker.RevokeSubject(ctx, "alice"); err != nil {
			t.Fatalf("RevokeSubject: %v", err)
		}

		after, afterClaims, err := tracker.Issue(ctx, "alice", Access, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		if afterClaims.IssuedAt.Unix() != frozen.Unix() {
			t.Fatalf("token issued at second %d, want the cutoff's second %d", afterClaims.IssuedAt.Unix(), frozen.Unix())
		}

		for i, token := range before {
			if _, err := tracker.Check(ctx, token, AnyType); !errors.Is(err, ErrRevoked) {
				t.Errorf("Check of token %d issued before RevokeSubject = %v, want ErrRevoked", i, err)
			}
		}

		if _, err := tracker.Check(ctx, after, AnyType); err != nil {
			t.Errorf("Check of the token issued after RevokeSubject = %v, want nil", err)
		}

		if _, err := tracker.Check(ctx, bob, AnyType); err != nil {
			t.Errorf("Check of another subject's token = %v, want nil", err)
		}
	})
}

func TestRevokeSubjectRealClock(t *testing.T) {
	ctx := context.Background()
	tracker := newTracker(t, newFaultStore(t), nil)

	for round := range 20 {
		token, _, err := tracker.Issue(ctx, "alice", Access, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		if err := tracker.RevokeSubject(ctx, "alice"); err != nil {
			t.Fatalf("RevokeSubject: %v", err)
		}

		after, _, err := tracker.Issue(ctx, "alice", Access, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		if _, err := tracker.Check(ctx, token, AnyType); !errors.Is(err, ErrRevoked) {
			t.Errorf("round %d: token issued before = %v, want ErrRevoked", round, err)
		}

		if _, err := tracker.Check(ctx, after, AnyType); err != nil {
			t.Errorf("round %d: token issued after = %v, want nil", round, err)
		}
	}
}

func TestRevokeAllBoundary(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		frozen := time.Now()
		tracker := newTracker(t, store, func(o *Options) { o.Clock = func() time.Time { return frozen } })

		alice, _, err := tracker.Issue(ctx, "alice", Access, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		bob, _, err := tracker.Issue(ctx, "bob", Refresh, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		if err := tracker.RevokeAll(ctx); err != nil {
			t.Fatalf("RevokeAll: %v", err)
		}

		after, _, err := tracker.Issue(ctx, "carol", Access, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		for name, token := range map[string]string{"alice": alice, "bob": bob} {
			if _, err := tracker.Check(ctx, token, AnyType); !errors.Is(err, ErrRevoked) {
				t.Errorf("Check of %s's earlier token = %v, want ErrRevoked", name, err)
			}
		}

		if _, err := tracker.Check(ctx, after, AnyType); err != nil {
			t.Errorf("Check of the token issued after RevokeAll = %v, want nil", err)
		}
	})
}

func TestCutoffKeepsLatest(t *testing.T) {
	ctx := context.Background()
	store := newFaultStore(t)
	tracker := newTracker(t, store, nil)

	if err := tracker.RevokeSubject(ctx, "alice"); err != nil {
		t.Fatalf("RevokeSubject: %v", err)
	}

	stored, err := store.Get(ctx, tracker.subjectKey("alice"))
	if err != nil {
		t.Fatalf("get cutoff: %v", err)
	}

	first, err := parseCutoff(stored)
	if err != nil {
		t.Fatalf("parse cutoff: %v", err)
	}

	// An earlier cutoff, as from a slower concurrent call, must not
	// replace the stored one.
	value := encodeMarker(time.Now().Add(time.Hour).Unix(), encodeCutoff(first-1000))
	if err := tracker.mergeCutoff(ctx, tracker.subjectKey("alice"), first-1000, value, time.Hour); err != nil {
		t.Fatalf("mergeCutoff: %v", err)
	}

	stored, err = store.Get(ctx, tracker.subjectKey("alice"))
	if err != nil {
		t.Fatalf("get cutoff: %v", err)
	}

	if got, _ := parseCutoff(stored); got != first {
		t.Errorf("cutoff after an earlier merge = %d, want %d", got, first)
	}

	if err := tracker.RevokeSubject(ctx, "alice"); err != nil {
		t.Fatalf("RevokeSubject: %v", err)
	}

	stored, err = store.Get(ctx, tracker.subjectKey("alice"))
	if err != nil {
		t.Fatalf("get cutoff: %v", err)
	}

	if got, _ := parseCutoff(stored); got <= first {
		t.Errorf("cutoff after a later RevokeSubject = %d, want more than %d", got, first)
	}
}

func TestRevokeSubjectAcrossTrackers(t *testing.T) {
	for _, mode := range []Mode{TrackAll, Denylist} {
		t.Run(mode.String(), func(t *testing.T) {
			runOnStores(t, func(t *testing.T, store kv.Store) {
				ctx := context.Background()

				// Two Trackers on one store stand for two server processes:
				// each has its own issue-time sequence, so only the clock
				// orders their tokens against the other's cutoff.
				first := newTracker(t, store, func(o *Options) { o.Mode = mode })
				second := newTracker(t, store, func(o *Options) {
					o.Mode = mode
					o.Namespace = first.opts.Namespace
				})

				before, _, err := second.Issue(ctx, "alice", Access, nil)
				if err != nil {
					t.Fatalf("Issue: %v", err)
				}

				if err := first.RevokeSubject(ctx, "alice"); err != nil {
					t.Fatalf("RevokeSubject: %v", err)
				}

				after, _, err := second.Issue(ctx, "alice", Access, nil)
				if err != nil {
					t.Fatalf("Issue: %v", err)
				}

				for name, tracker := range map[string]*Tracker{"first": first, "second": second} {
					if _, err := tracker.Check(ctx, before, AnyType); !errors.Is(err, ErrRevoked) {
						t.Errorf("%s Tracker: Check of the earlier token = %v, want ErrRevoked", name, err)
					}

					if _, err := tracker.Check(ctx, after, AnyType); err != nil {
						t.Errorf("%s Tracker: Check of the later token = %v, want nil", name, err)
					}
				}
			})
		})
	}
}
