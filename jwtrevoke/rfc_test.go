package jwtrevoke_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
)

func TestRevocationRevokesToken(t *testing.T) {
	onEndpointBackends(t, func(t *testing.T, store *failingStore) {
		tracker := newHTTPTracker(t, store, nil)
		token, _ := issue(t, tracker, "alice", jwtrevoke.Access)

		w := postToken(tracker.RevocationHandler(allowClient), token, "")

		if w.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200; body %s", w.Code, w.Body)
		}

		if w.Body.Len() != 0 {
			t.Errorf("body = %q, want empty", w.Body)
		}

		checkNoStore(t, w)
		checkRevoked(t, tracker, token)
		checkInactive(t, postToken(tracker.IntrospectionHandler(allowClient), token, ""))
	})
}

func TestRevocationDenylistMode(t *testing.T) {
	onEndpointBackends(t, func(t *testing.T, store *failingStore) {
		tracker := newHTTPTracker(t, store, func(o *jwtrevoke.Options) { o.Mode = jwtrevoke.Denylist })
		token, _ := issue(t, tracker, "alice", jwtrevoke.Access)

		w := postToken(tracker.RevocationHandler(allowClient), token, jwtrevoke.HintAccessToken)

		if w.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200; body %s", w.Code, w.Body)
		}

		checkRevoked(t, tracker, token)
	})
}

func TestRevocationRefreshRevokesFamily(t *testing.T) {
	onEndpointBackends(t, func(t *testing.T, store *failingStore) {
		tracker := newHTTPTracker(t, store, nil)

		pair, err := tracker.IssuePair(context.Background(), "alice", nil)
		if err != nil {
			t.Fatalf("IssuePair: %v", err)
		}

		w := postToken(tracker.RevocationHandler(allowClient), pair.Refresh, jwtrevoke.HintRefreshToken)

		if w.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200; body %s", w.Code, w.Body)
		}

		checkRevoked(t, tracker, pair.Refresh)
		checkRevoked(t, tracker, pair.Access)
	})
}

func TestRevocationHintIsOnlyHint(t *testing.T) {
	onEndpointBackends(t, func(t *testing.T, store *failingStore) {
		tracker := newHTTPTracker(t, store, nil)
		refresh, _ := issue(t, tracker, "alice", jwtrevoke.Refresh)

		// The hint names the other type, and the token is revoked anyway.
		w := postToken(tracker.RevocationHandler(allowClient), refresh, jwtrevoke.HintAccessToken)

		if w.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200; body %s", w.Code, w.Body)
		}

		checkRevoked(t, tracker, refresh)
	})
}

func TestRevocationUnsupportedHint(t *testing.T) {
	tracker := newHTTPTracker(t, newMemoryStore(t), nil)
	token, _ := issue(t, tracker, "alice", jwtrevoke.Access)

	w := postToken(tracker.RevocationHandler(allowClient), token, "id_token")

	checkOAuthError(t, w, http.StatusBadRequest, "unsupported_token_type")

	if _, err := tracker.Check(context.Background(), token, jwtrevoke.Access); err != nil {
		t.Errorf("Check after a rejected revocation: %v, want the token still valid", err)
	}
}

func TestRevocationRefreshOnlyAccess(t *testing.T) {
	for _, mode := range []jwtrevoke.Mode{jwtrevoke.TrackAll, jwtrevoke.Denylist} {
		t.Run(mode.String(), func(t *testing.T) {
			tracker := newHTTPTracker(t, newMemoryStore(t), func(o *jwtrevoke.Options) {
				o.Scope = jwtrevoke.RefreshOnly
				o.Mode = mode
			})
			token, _ := issue(t, tracker, "alice", jwtrevoke.Access)

			w := postToken(tracker.RevocationHandler(allowClient), token, "")

			checkOAuthError(t, w, http.StatusBadRequest, "unsupported_token_type")
		})
	}
}

func TestRevocationOKForUnusableTokens(t *testing.T) {
	onEndpointBackends(t, func(t *testing.T, store *failingStore) {
		clock := &settableClock{now: time.Now()}
		tracker := newHTTPTracker(t, store, func(o *jwtrevoke.Options) { o.Clock = clock.Now })
		other := newHTTPTracker(t, newMemoryStore(t), nil)
		foreignKey := newHTTPTracker(t, newMemoryStore(t), func(o *jwtrevoke.Options) {
			o.SigningKey = []byte("another-secret-of-32-bytes-long!")
		})

		revoked, _ := issue(t, tracker, "alice", jwtrevoke.Access)
		if err := tracker.RevokeToken(context.Background(), revoked); err != nil {
			t.Fatalf("RevokeToken: %v", err)
		}

		expired, _ := issue(t, tracker, "alice", jwtrevoke.Access)
		unknown, _ := issue(t, other, "alice", jwtrevoke.Access)
		forged, _ := issue(t, foreignKey, "alice", jwtrevoke.Access)

		clock.Advance(jwtrevoke.DefaultAccessTTL + time.Minute)

		cases := map[string]string{
			"already revoked": revoked,
			"expired":         expired,
			"unknown":         unknown,
			"other key":       forged,
			"malformed":       "not.a.jwt",
			"too long":        strings.Repeat("a", jwtrevoke.MaxTokenLen+1),
		}

		handler := tracker.RevocationHandler(allowClient)
		for name, token := range cases {
			t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
				w := postToken(handler, token, "")

				if w.Code != http.StatusOK {
					t.Errorf("status = %d, want 200; body %s", w.Code, w.Body)
				}

				checkNoStore(t, w)
			})
		}
	})
}

func TestRevocationStoreWriteFails(t *testing.T) {
	for _, mode := range []jwtrevoke.Mode{jwtrevoke.TrackAll, jwtrevoke.Denylist} {
		t.Run(mode.String(), func(t *testing.T) {
			onEndpointBackends(t, func(t *testing.T, store *failingStore) {
				tracker := newHTTPTracker(t, store, func(o *jwtrevoke.Options) { o.Mode = mode })
				token, _ := issue(t, tracker, "alice", jwtrevoke.Access)

				store.failWrites.Store(true)
				w := postToken(tracker.RevocationHandler(allowClient), token, "")
				store.failWrites.Store(false)

				checkOAuthError(t, w, http.StatusServiceUnavailable, "temporarily_unavailable")

				if w.Header().Get("Retry-After") == "" {
					t.Error("503 without Retry-After")
				}

				// Nothing was written, so the token still passes, which is
				// what the 503 means.
				if _, err := tracker.Check(context.Background(), token, jwtrevoke.Access); err != nil {
					t.Errorf("Check after the failed revocation: %v, want the token still valid", err)
				}
			})
		})
	}
}

func TestRevocationStoreReadFails(t *testing.T) {
	onEndpointBackends(t, func(t *testing.T, store *failingStore) {
		tracker := newHTTPTracker(t, store, nil)
		token, _ := issue(t, tracker, "alice", jwtrevoke.Access)

		store.failReads.Store(true)
		w := postToken(tracker.RevocationHandler(allowClient), token, "")

		checkOAuthError(t, w, http.StatusServiceUnavailable, "temporarily_unavailable")
	})
}

// endpoints returns both handlers of tracker by name, for the tests of
// the request rules they share.
func endpoints(tracker *jwtrevoke.Tracker) map[string]http.Handler {
	return map[string]http.Handler{
		"revocation":    tracker.RevocationHandler(allowClient),
		"introspection": tracker.IntrospectionHandler(allowClient),
	}
}

func TestEndpointRejectsBadRequests(t *testing.T) {
	tracker := newHTTPTracker(t, newMemoryStore(t), nil)
	token, _ := issue(t, tracker, "alice", jwtrevoke.Access)
	body := url.Values{"token": {token}}.Encode()

	cases := []struct {
		name        string
		method      string
		target      string
		contentType string
		body        string
		status      int
	}{
		{"GET", http.MethodGet, "/endpoint", "", "", http.StatusMethodNotAllowed},
		{"JSON body", http.MethodPost, "/endpoint", "application/json", `{"token":"` + token + `"}`, http.StatusBadRequest},
		{"no content type", http.MethodPost, "/endpoint", "", body, http.StatusBadRequest},
		{"missing token", http.MethodPost, "/endpoint", "application/x-www-form-urlencoded", "token_type_hint=access_token", http.StatusBadRequest},
		{"empty token", http.MethodPost, "/endpoint", "application/x-www-form-urlencoded", "token=", http.StatusBadRequest},
		{"token twice", http.MethodPost, "/endpoint", "application/x-www-form-urlencoded", body + "&" + body, http.StatusBadRequest},
		{"hint twice", http.MethodPost, "/endpoint", "application/x-www-form-urlencoded", body + "&token_type_hint=access_token&token_type_hint=refresh_token", http.StatusBadRequest},
		{"token in URL", http.MethodPost, "/endpoint?" + body, "application/x-www-form-urlencoded", "", http.StatusBadRequest},
		{"malformed form", http.MethodPost, "/endpoint", "application/x-www-form-urlencoded", "token=%zz", http.StatusBadRequest},
		{"body too large", http.MethodPost, "/endpoint", "application/x-www-form-urlencoded", "token=" + strings.Repeat("a", jwtrevoke.MaxEndpointBodyBytes), http.StatusRequestEntityTooLarge},
	}

	for name, handler := range endpoints(tracker) {
		for _, c := range cases {
			t.Run(name+"/"+strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
				r := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
				if c.contentType != "" {
					r.Header.Set("Content-Type", c.contentType)
				}

				r.SetBasicAuth("app", testClientSecret)

				w := httptest.NewRecorder()
				handler.ServeHTTP(w, r)

				checkOAuthError(t, w, c.status, "invalid_request")

				if c.status == http.StatusMethodNotAllowed && w.Header().Get("Allow") != http.MethodPost {
					t.Errorf("Allow = %q, want POST", w.Header().Get("Allow"))
				}
			})
		}
	}

	if _, err := tracker.Check(context.Background(), token, jwtrevoke.Access); err != nil {
		t.Errorf("Check after the rejected requests: %v, want the token still valid", err)
	}
}

func TestEndpointClientAuthFails(t *testing.T) {
	tracker := newHTTPTracker(t, newMemoryStore(t), nil)
	token, _ := issue(t, tracker, "alice", jwtrevoke.Access)

	for name, handler := range endpoints(tracker) {
		t.Run(name, func(t *testing.T) {
			for _, secret := range []string{"", "wrong-secret"} {
				r := httptest.NewRequest(http.MethodPost, "/endpoint", strings.NewReader(url.Values{"token": {token}}.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")

				if secret != "" {
					r.SetBasicAuth("app", secret)
				}

				w := httptest.NewRecorder()
				handler.ServeHTTP(w, r)

				checkOAuthError(t, w, http.StatusUnauthorized, "invalid_client")

				if got := w.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic ") {
					t.Errorf("WWW-Authenticate = %q, want a Basic challenge", got)
				}

				if strings.Contains(w.Body.String(), "wrong secret") {
					t.Errorf("body %s repeats the ClientAuthFunc error", w.Body)
				}
			}
		})
	}

	if _, err := tracker.Check(context.Background(), token, jwtrevoke.Access); err != nil {
		t.Errorf("Check after unauthenticated revocations: %v, want the token still valid", err)
	}
}

func TestEndpointClientAuthReadsForm(t *testing.T) {
	tracker := newHTTPTracker(t, newMemoryStore(t), nil)
	token, _ := issue(t, tracker, "alice", jwtrevoke.Access)

	formAuth := func(r *http.Request) error {
		if r.PostForm.Get("client_id") != "app" || r.PostForm.Get("client_secret") != testClientSecret {
			return errors.New("bad client credentials in the form")
		}

		return nil
	}

	r := httptest.NewRequest(http.MethodPost, "/revoke", strings.NewReader(url.Values{
		"token": {token}, "client_id": {"app"}, "client_secret": {testClientSecret},
	}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")

	w := httptest.NewRecorder()
	tracker.RevocationHandler(formAuth).ServeHTTP(w, r)

	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", w.Code, w.Body)
	}

	checkRevoked(t, tracker, token)
}

func TestEndpointNilAuthPanics(t *testing.T) {
	tracker := newHTTPTracker(t, newMemoryStore(t), nil)

	for name, build := range map[string]func(){
		"revocation":    func() { tracker.RevocationHandler(nil) },
		"introspection": func() { tracker.IntrospectionHandler(nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic for a nil ClientAuthFunc")
				}
			}()

			build()
		})
	}
}
