package jwtrevoke_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
)

func TestIntrospectionActiveAccess(t *testing.T) {
	onEndpointBackends(t, func(t *testing.T, store *failingStore) {
		tracker := newHTTPTracker(t, store, func(o *jwtrevoke.Options) {
			o.Issuer = "https://issuer.example"
			o.Audience = "api"
		})

		token, claims, err := tracker.Issue(context.Background(), "alice", jwtrevoke.Access, map[string]any{
			"scope": "read write",
			"email": "alice@example.com",
		})
		if err != nil {
			t.Fatalf("Issue: %v", err)
		}

		w := postToken(tracker.IntrospectionHandler(allowClient), token, jwtrevoke.HintAccessToken)

		if w.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200; body %s", w.Code, w.Body)
		}

		checkNoStore(t, w)

		var got map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("body %s is not JSON: %v", w.Body, err)
		}

		want := map[string]any{
			"active":     true,
			"sub":        "alice",
			"jti":        claims.ID,
			"token_type": "access_token",
			"exp":        float64(claims.ExpiresAt.Unix()),
			"iat":        float64(claims.IssuedAt.Unix()),
			"iss":        "https://issuer.example",
			"aud":        "api",
			"scope":      "read write",
		}
		for name, value := range want {
			if got[name] != value {
				t.Errorf("%s = %v, want %v", name, got[name], value)
			}
		}

		if _, ok := got["email"]; ok {
			t.Errorf("response %s discloses the extra claim email", w.Body)
		}
	})
}

func TestIntrospectionActiveRefresh(t *testing.T) {
	tracker := newHTTPTracker(t, newMemoryStore(t), nil)

	pair, err := tracker.IssuePair(context.Background(), "bob", map[string]any{"scope": []string{"read", "admin"}})
	if err != nil {
		t.Fatalf("IssuePair: %v", err)
	}

	// Neither a hint of the wrong type nor an unknown hint changes the
	// response, which comes from the token itself.
	for _, hint := range []string{"", jwtrevoke.HintAccessToken, "id_token"} {
		w := postToken(tracker.IntrospectionHandler(allowClient), pair.Refresh, hint)

		var got struct {
			Active    bool   `json:"active"`
			TokenType string `json:"token_type"`
			Subject   string `json:"sub"`
			Scope     string `json:"scope"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("hint %q: body %s is not JSON: %v", hint, w.Body, err)
		}

		if !got.Active || got.TokenType != "refresh_token" || got.Subject != "bob" || got.Scope != "read admin" {
			t.Errorf("hint %q: response %s, want an active refresh_token of bob with scope \"read admin\"", hint, w.Body)
		}

		if strings.Contains(w.Body.String(), `"iss"`) || strings.Contains(w.Body.String(), `"aud"`) {
			t.Errorf("hint %q: response %s has iss or aud, which the token lacks", hint, w.Body)
		}
	}
}

func TestIntrospectionInactive(t *testing.T) {
	onEndpointBackends(t, func(t *testing.T, store *failingStore) {
		ctx := context.Background()
		clock := &settableClock{now: time.Now()}
		tracker := newHTTPTracker(t, store, func(o *jwtrevoke.Options) { o.Clock = clock.Now })
		other := newHTTPTracker(t, newMemoryStore(t), nil)
		foreignKey := newHTTPTracker(t, newMemoryStore(t), func(o *jwtrevoke.Options) {
			o.SigningKey = []byte("another-secret-of-32-bytes-long!")
		})

		revoked, _ := issue(t, tracker, "alice", jwtrevoke.Access)
		if err := tracker.RevokeToken(ctx, revoked); err != nil {
			t.Fatalf("RevokeToken: %v", err)
		}

		subjectToken, _ := issue(t, tracker, "carol", jwtrevoke.Access)
		if err := tracker.RevokeSubject(ctx, "carol"); err != nil {
			t.Fatalf("RevokeSubject: %v", err)
		}

		pair, err := tracker.IssuePair(ctx, "dave", nil)
		if err != nil {
			t.Fatalf("IssuePair: %v", err)
		}

		if _, err := tracker.Rotate(ctx, pair.Refresh); err != nil {
			t.Fatalf("Rotate: %v", err)
		}

		expired, _ := issue(t, tracker, "erin", jwtrevoke.Access)
		unknown, _ := issue(t, other, "alice", jwtrevoke.Access)
		forged, _ := issue(t, foreignKey, "alice", jwtrevoke.Access)

		cases := map[string]string{
			"revoked":         revoked,
			"subject revoked": subjectToken,
			"used refresh":    pair.Refresh,
			"unknown":         unknown,
			"other key":       forged,
			"malformed":       "not.a.jwt",
			"too long":        strings.Repeat("a", jwtrevoke.MaxTokenLen+1),
		}

		handler := tracker.IntrospectionHandler(allowClient)
		for name, token := range cases {
			t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
				checkInactive(t, postToken(handler, token, ""))
			})
		}

		w := postToken(handler, expired, "")
		if !strings.Contains(w.Body.String(), `"active":true`) {
			t.Fatalf("before expiry: body %s, want an active token", w.Body)
		}

		clock.Advance(jwtrevoke.DefaultAccessTTL + time.Second)

		t.Run("expired", func(t *testing.T) {
			checkInactive(t, postToken(handler, expired, ""))
		})
	})
}

func TestIntrospectionStoreFails(t *testing.T) {
	onEndpointBackends(t, func(t *testing.T, store *failingStore) {
		tracker := newHTTPTracker(t, store, nil)
		token, _ := issue(t, tracker, "alice", jwtrevoke.Access)

		store.failReads.Store(true)
		w := postToken(tracker.IntrospectionHandler(allowClient), token, "")

		checkOAuthError(t, w, http.StatusServiceUnavailable, "temporarily_unavailable")

		if w.Header().Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
	})
}

func TestIntrospectionFailOpen(t *testing.T) {
	store := &failingStore{inner: newMemoryStore(t)}
	tracker := newHTTPTracker(t, store, func(o *jwtrevoke.Options) {
		o.FailOpen = true
		o.Logger = discardLogger()
	})
	token, _ := issue(t, tracker, "alice", jwtrevoke.Access)

	store.failReads.Store(true)
	w := postToken(tracker.IntrospectionHandler(allowClient), token, "")

	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"active":true`) {
		t.Errorf("status %d, body %s; want an active token, because FailOpen accepts verified tokens", w.Code, w.Body)
	}
}

func TestIntrospectionRefreshOnlyAccess(t *testing.T) {
	tracker := newHTTPTracker(t, newMemoryStore(t), func(o *jwtrevoke.Options) { o.Scope = jwtrevoke.RefreshOnly })
	token, _ := issue(t, tracker, "alice", jwtrevoke.Access)

	if err := tracker.RevokeSubject(context.Background(), "alice"); err != nil {
		t.Fatalf("RevokeSubject: %v", err)
	}

	w := postToken(tracker.IntrospectionHandler(allowClient), token, "")

	if !strings.Contains(w.Body.String(), `"active":true`) {
		t.Errorf("body %s; want active, because RefreshOnly never looks up access tokens", w.Body)
	}
}
