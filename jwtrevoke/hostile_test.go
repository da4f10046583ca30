package jwtrevoke

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/golang-jwt/jwt/v5"
)

// hostileIDs are jti and subject values that would break a store key if
// they reached it unencoded.
var hostileIDs = map[string]string{
	"huge":          strings.Repeat("j", 5000),
	"binary":        "\x00\x01\xfe\xff",
	"newline":       "jti\r\nset x 0 0 1\r\n",
	"spaces":        "a b c",
	"pattern":       "*",
	"pattern mixed": "a*b?[c]\\",
	"hash tag":      "{slot}x",
}

func TestHostileIDsThroughStore(t *testing.T) {
	runOnStores(t, func(t *testing.T, store kv.Store) {
		ctx := context.Background()
		denylist := newTracker(t, store, func(o *Options) { o.Mode = Denylist })
		tracking := newTracker(t, store, nil)

		for name, id := range hostileIDs {
			claims := validMap()
			claims["jti"] = id
			claims["sub"] = id
			token := signMap(t, jwt.SigningMethodHS256, testSecret, claims)

			if _, err := tracking.Check(ctx, token, AnyType); !errors.Is(err, ErrUnknownToken) {
				t.Errorf("%s: track-all Check of an unrecorded token = %v, want ErrUnknownToken", name, err)
			}

			if _, err := denylist.Check(ctx, token, AnyType); err != nil {
				t.Errorf("%s: denylist Check before revocation = %v, want nil", name, err)
			}

			if err := denylist.RevokeToken(ctx, token); err != nil {
				t.Errorf("%s: RevokeToken: %v", name, err)
			}

			if _, err := denylist.Check(ctx, token, AnyType); !errors.Is(err, ErrRevoked) {
				t.Errorf("%s: denylist Check after RevokeToken = %v, want ErrRevoked", name, err)
			}

			if err := tracking.RevokeSubject(ctx, id); err != nil {
				t.Errorf("%s: RevokeSubject: %v", name, err)
			}
		}

		// Revoking the "*" jti must not have revoked any other token.
		other, _, err := denylist.Issue(ctx, "alice", Access, nil)
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		if _, err := denylist.Check(ctx, other, AnyType); err != nil {
			t.Errorf("Check of an unrelated token = %v, want nil", err)
		}
	})
}

func TestFailOpenNotOnCancel(t *testing.T) {
	store := newFaultStore(t)
	tracker := newTracker(t, store, func(o *Options) { o.FailOpen = true })

	token, _, err := tracker.Issue(context.Background(), "alice", Access, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err = tracker.Check(ctx, token, AnyType)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Check with a cancelled context = %v, want context.Canceled", err)
	}

	if !errors.Is(err, ErrStoreUnavailable) {
		t.Errorf("Check with a cancelled context = %v, want ErrStoreUnavailable", err)
	}
}

func TestFailOpenLogRateLimited(t *testing.T) {
	ctx := context.Background()
	store := newFaultStore(t)

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))

	tracker := newTracker(t, store, func(o *Options) {
		o.FailOpen = true
		o.Logger = logger
	})

	token, _, err := tracker.Issue(ctx, "alice", Access, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	store.failing.Store(true)

	for range 5 {
		if _, err := tracker.Check(ctx, token, AnyType); err != nil {
			t.Fatalf("Check with FailOpen: %v", err)
		}
	}

	if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
		t.Errorf("5 fail-open passes in a row logged %d warnings, want 1:\n%s", n, logs.String())
	}

	if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), strings.Split(token, ".")[2]) {
		t.Errorf("fail-open log contains the token:\n%s", logs.String())
	}

	// The limiter reads the real clock, so the next warning needs the
	// interval to pass; set the last warning back instead of sleeping.
	tracker.failOpen.mu.Lock()
	tracker.failOpen.last = time.Now().Add(-failOpenLogInterval)
	tracker.failOpen.mu.Unlock()

	if _, err := tracker.Check(ctx, token, AnyType); err != nil {
		t.Fatalf("Check with FailOpen: %v", err)
	}

	if n := strings.Count(logs.String(), "level=WARN"); n != 2 {
		t.Errorf("after the interval, %d warnings, want 2", n)
	}

	if !strings.Contains(logs.String(), "passes_since_last_warning=4") {
		t.Errorf("second warning does not count the 4 suppressed passes:\n%s", logs.String())
	}
}
