package jwtrevoke_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv/memory"
	"github.com/golang-jwt/jwt/v5"
)

// invalidTokenChallenge returns the WWW-Authenticate value WriteError
// sends for an invalid token with description.
func invalidTokenChallenge(description string) string {
	return `Bearer error="invalid_token", error_description="` + description + `"`
}

// checkRejected fails t unless w is a 401 with the challenge want and the
// protected handler was not called.
func checkRejected(t *testing.T, w *httptest.ResponseRecorder, h *protectedHandler, want string) {
	t.Helper()

	if w.Code != http.StatusUnauthorized {
		t.Errorf("status = %d, want 401; body %q", w.Code, w.Body)
	}

	if got := w.Header().Get("WWW-Authenticate"); got != want {
		t.Errorf("WWW-Authenticate = %q, want %q", got, want)
	}

	if n := h.calls.Load(); n != 0 {
		t.Errorf("protected handler ran %d times for a rejected request", n)
	}
}

func TestMiddlewareNoToken(t *testing.T) {
	onHTTPBackends(t, func(t *testing.T, store *countingStore) {
		tracker := newHTTPTracker(t, store, nil)
		h := &protectedHandler{}
		mw := tracker.Middleware(nil)(h)

		for _, header := range [][]string{nil, {""}, {"Basic dXNlcjpwYXNz"}, {"Bearertoken"}} {
			w := serve(mw, header...)
			checkRejected(t, w, h, "Bearer")

			if strings.Contains(w.Header().Get("WWW-Authenticate"), "error=") {
				t.Errorf("Authorization %q: challenge has an error code, want none", header)
			}
		}

		expectNoStoreCalls(t, store, "requests without a token")
	})
}

func TestMiddlewareValidToken(t *testing.T) {
	onHTTPBackends(t, func(t *testing.T, store *countingStore) {
		tracker := newHTTPTracker(t, store, nil)
		token, issued := issue(t, tracker, "alice", jwtrevoke.Access)

		var got *jwtrevoke.Claims
		mw := tracker.Middleware(nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got, _ = jwtrevoke.ClaimsFromContext(r.Context())
		}))

		for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
			got = nil

			w := serve(mw, scheme+" "+token)
			if w.Code != http.StatusOK {
				t.Fatalf("%s token: status = %d, want 200; body %q", scheme, w.Code, w.Body)
			}

			if got == nil || got.ID != issued.ID || got.Subject != "alice" || got.Type != jwtrevoke.Access {
				t.Errorf("%s token: claims in context = %+v, want jti %q of alice", scheme, got, issued.ID)
			}
		}
	})
}

func TestMiddlewareRevokeUnrevoke(t *testing.T) {
	onHTTPBackends(t, func(t *testing.T, store *countingStore) {
		ctx := context.Background()
		tracker := newHTTPTracker(t, store, nil)
		token, claims := issue(t, tracker, "alice", jwtrevoke.Access)
		mw := tracker.Middleware(nil)

		if err := tracker.Revoke(ctx, claims.ID); err != nil {
			t.Fatalf("Revoke: %v", err)
		}

		h := &protectedHandler{}
		checkRejected(t, serve(mw(h), "Bearer "+token), h, invalidTokenChallenge("token revoked"))

		if err := tracker.Unrevoke(ctx, claims.ID); err != nil {
			t.Fatalf("Unrevoke: %v", err)
		}

		w := serve(mw(h), "Bearer "+token)
		if w.Code != http.StatusOK || w.Body.String() != "hello alice" {
			t.Errorf("after Unrevoke: status %d, body %q; want 200 and hello alice", w.Code, w.Body)
		}
	})
}

func TestMiddlewareRevokeSubject(t *testing.T) {
	onHTTPBackends(t, func(t *testing.T, store *countingStore) {
		tracker := newHTTPTracker(t, store, nil)
		before, _ := issue(t, tracker, "alice", jwtrevoke.Access)

		if err := tracker.RevokeSubject(context.Background(), "alice"); err != nil {
			t.Fatalf("RevokeSubject: %v", err)
		}

		after, _ := issue(t, tracker, "alice", jwtrevoke.Access)

		h := &protectedHandler{}
		checkRejected(t, serve(tracker.Middleware(nil)(h), "Bearer "+before), h, invalidTokenChallenge("token revoked"))

		if w := serve(tracker.Middleware(nil)(h), "Bearer "+after); w.Code != http.StatusOK {
			t.Errorf("token issued after RevokeSubject: status = %d, want 200", w.Code)
		}
	})
}

func TestMiddlewareExpiredToken(t *testing.T) {
	onHTTPBackends(t, func(t *testing.T, store *countingStore) {
		clock := &settableClock{now: time.Now()}
		tracker := newHTTPTracker(t, store, func(o *jwtrevoke.Options) {
			o.Clock = clock.Now
			o.AccessTTL = time.Minute
		})
		token, _ := issue(t, tracker, "alice", jwtrevoke.Access)

		clock.Advance(2 * time.Minute)
		store.calls.Store(0)

		h := &protectedHandler{}
		checkRejected(t, serve(tracker.Middleware(nil)(h), "Bearer "+token), h, invalidTokenChallenge("token expired"))

		expectNoStoreCalls(t, store, "an expired token")
	})
}

func TestMiddlewareUnknownToken(t *testing.T) {
	onHTTPBackends(t, func(t *testing.T, store *countingStore) {
		tracker := newHTTPTracker(t, store, nil)

		// Same key, other store: the token verifies but has no record here.
		other := newHTTPTracker(t, httpBackends[0].open(t), nil)
		token, _ := issue(t, other, "alice", jwtrevoke.Access)

		h := &protectedHandler{}
		checkRejected(t, serve(tracker.Middleware(nil)(h), "Bearer "+token), h, invalidTokenChallenge("token not recognized"))
	})
}

func TestMiddlewareStoreDown(t *testing.T) {
	onHTTPBackends(t, func(t *testing.T, store *countingStore) {
		closed := newHTTPTracker(t, store, nil)
		failOpen := newHTTPTracker(t, store, func(o *jwtrevoke.Options) {
			o.FailOpen = true
			o.Logger = slog.New(slog.DiscardHandler)
		})
		token, _ := issue(t, closed, "alice", jwtrevoke.Access)

		if err := store.Close(); err != nil {
			t.Fatalf("close store: %v", err)
		}

		h := &protectedHandler{}

		w := serve(closed.Middleware(nil)(h), "Bearer "+token)
		if w.Code != http.StatusServiceUnavailable {
			t.Errorf("fail closed: status = %d, want 503; body %q", w.Code, w.Body)
		}

		if got := w.Header().Get("Retry-After"); got != "5" {
			t.Errorf("fail closed: Retry-After = %q, want 5", got)
		}

		if got := w.Header().Get("WWW-Authenticate"); got != "" {
			t.Errorf("fail closed: WWW-Authenticate = %q, want none, so that clients keep their token", got)
		}

		if n := h.calls.Load(); n != 0 {
			t.Errorf("fail closed: protected handler ran %d times", n)
		}

		w = serve(failOpen.Middleware(nil)(h), "Bearer "+token)
		if w.Code != http.StatusOK || w.Body.String() != "hello alice" {
			t.Errorf("fail open: status %d, body %q; want 200 and hello alice", w.Code, w.Body)
		}
	})
}

// expectNoStoreCalls fails t unless no call reached store since its
// counter was last reset.
func expectNoStoreCalls(t *testing.T, store *countingStore, request string) {
	t.Helper()

	if n := store.calls.Load(); n != 0 {
		t.Errorf("store called %d times for %s, want 0", n, request)
	}
}

// signed returns claims signed with method and key, for forged tokens.
func signed(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()

	token, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign %s token: %v", method.Alg(), err)
	}

	return token
}

// forgeableClaims returns claims that pass verification, apart from what
// a test removes or changes.
func forgeableClaims() jwt.MapClaims {
	now := time.Now()

	return jwt.MapClaims{
		"sub": "alice",
		"jti": "forged-jti",
		"typ": "access",
		"iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	}
}

func TestMiddlewareRejectsBeforeStore(t *testing.T) {
	onHTTPBackends(t, func(t *testing.T, store *countingStore) {
		hmacTracker := newHTTPTracker(t, store, nil)

		rsaKey := testRSAKey()
		rsaTracker := newHTTPTracker(t, store, func(o *jwtrevoke.Options) {
			o.Algorithms = []string{"RS256"}
			o.SigningKey = rsaKey
		})

		publicDER, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
		if err != nil {
			t.Fatalf("marshal RSA public key: %v", err)
		}

		publicPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: publicDER})

		noExp := forgeableClaims()
		delete(noExp, "exp")

		noJTI := forgeableClaims()
		delete(noJTI, "jti")

		valid := signed(t, jwt.SigningMethodHS256, httpSecret, forgeableClaims())

		cases := []struct {
			name        string
			tracker     *jwtrevoke.Tracker
			header      string
			description string
		}{
			{"alg none", hmacTracker, "Bearer " + signed(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, forgeableClaims()), "token invalid"},
			{"HS256 with RSA public key", rsaTracker, "Bearer " + signed(t, jwt.SigningMethodHS256, publicPEM, forgeableClaims()), "token invalid"},
			{"wrong HMAC key", hmacTracker, "Bearer " + signed(t, jwt.SigningMethodHS256, []byte("another-secret-of-32-bytes-long!"), forgeableClaims()), "token invalid"},
			{"no exp", hmacTracker, "Bearer " + signed(t, jwt.SigningMethodHS256, httpSecret, noExp), "token invalid"},
			{"no jti", hmacTracker, "Bearer " + signed(t, jwt.SigningMethodHS256, httpSecret, noJTI), "token invalid"},
			{"garbage", hmacTracker, "Bearer not.a.jwt", "token invalid"},
			{"1 MB header", hmacTracker, "Bearer " + strings.Repeat("A", 1<<20), "bearer credentials too large"},
			{"two tokens", hmacTracker, "Bearer " + valid + " " + valid, "malformed bearer credentials"},
			{"no token after scheme", hmacTracker, "Bearer ", "malformed bearer credentials"},
			{"quote in token", hmacTracker, `Bearer a"b`, "malformed bearer credentials"},
		}

		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				store.calls.Store(0)
				h := &protectedHandler{}

				w := serve(tc.tracker.Middleware(nil)(h), tc.header)
				checkRejected(t, w, h, invalidTokenChallenge(tc.description))

				expectNoStoreCalls(t, store, tc.name)
			})
		}
	})
}

func TestMiddlewareTwoHeaders(t *testing.T) {
	onHTTPBackends(t, func(t *testing.T, store *countingStore) {
		tracker := newHTTPTracker(t, store, nil)
		token, _ := issue(t, tracker, "alice", jwtrevoke.Access)
		store.calls.Store(0)

		h := &protectedHandler{}
		w := serve(tracker.Middleware(nil)(h), "Bearer "+token, "Bearer "+token)
		checkRejected(t, w, h, invalidTokenChallenge("malformed bearer credentials"))

		expectNoStoreCalls(t, store, "two Authorization headers")
	})
}

// TestMiddlewareHugeHeaderOverTCP sends the 1 MB header through a real
// server, whose header limit is raised so that the request reaches the
// middleware instead of getting 431 from net/http.
func TestMiddlewareHugeHeaderOverTCP(t *testing.T) {
	store := httpBackends[0].open(t)
	tracker := newHTTPTracker(t, store, nil)
	h := &protectedHandler{}

	server := httptest.NewUnstartedServer(tracker.Middleware(nil)(h))
	server.Config.MaxHeaderBytes = 2 << 20
	server.Start()
	defer server.Close()

	req, err := http.NewRequest(http.MethodGet, server.URL, nil)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}

	req.Header.Set("Authorization", "Bearer "+strings.Repeat("A", 1<<20))

	resp, err := server.Client().Do(req)
	if err != nil {
		t.Fatalf("GET with a 1 MB header: %v", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status = %d, want 401", resp.StatusCode)
	}

	if got, want := resp.Header.Get("WWW-Authenticate"), invalidTokenChallenge("bearer credentials too large"); got != want {
		t.Errorf("WWW-Authenticate = %q, want %q", got, want)
	}

	expectNoStoreCalls(t, store, "a 1 MB header")
}

func TestMiddlewareTokenTypes(t *testing.T) {
	onHTTPBackends(t, func(t *testing.T, store *countingStore) {
		tracker := newHTTPTracker(t, store, nil)
		access, _ := issue(t, tracker, "alice", jwtrevoke.Access)
		refresh, _ := issue(t, tracker, "alice", jwtrevoke.Refresh)

		routes := []struct {
			name    string
			opts    *jwtrevoke.MiddlewareOptions
			access  bool
			refresh bool
		}{
			{"default", nil, true, false},
			{"access", &jwtrevoke.MiddlewareOptions{Types: []jwtrevoke.TokenType{jwtrevoke.Access}}, true, false},
			{"refresh", &jwtrevoke.MiddlewareOptions{Types: []jwtrevoke.TokenType{jwtrevoke.Refresh}}, false, true},
			{"both", &jwtrevoke.MiddlewareOptions{Types: []jwtrevoke.TokenType{jwtrevoke.Access, jwtrevoke.Refresh}}, true, true},
			{"any", &jwtrevoke.MiddlewareOptions{Types: []jwtrevoke.TokenType{jwtrevoke.AnyType}}, true, true},
		}

		for _, route := range routes {
			t.Run(route.name, func(t *testing.T) {
				for _, tc := range []struct {
					token  string
					accept bool
				}{{access, route.access}, {refresh, route.refresh}} {
					store.calls.Store(0)
					h := &protectedHandler{}

					w := serve(tracker.Middleware(route.opts)(h), "Bearer "+tc.token)
					if tc.accept {
						if w.Code != http.StatusOK {
							t.Errorf("status = %d, want 200; body %q", w.Code, w.Body)
						}

						continue
					}

					checkRejected(t, w, h, invalidTokenChallenge("wrong token type for this resource"))

					expectNoStoreCalls(t, store, "a token of the wrong type")
				}
			})
		}
	})
}

func TestMiddlewareExtractor(t *testing.T) {
	tracker := newHTTPTracker(t, httpBackends[0].open(t), nil)
	token, _ := issue(t, tracker, "alice", jwtrevoke.Access)

	errNoCookie := errors.New("cookie value is not a token")
	fromCookie := func(r *http.Request) (string, error) {
		c, err := r.Cookie("session")
		if errors.Is(err, http.ErrNoCookie) {
			return "", jwtrevoke.ErrNoToken
		}

		if c.Value == "bad" {
			return "", errNoCookie
		}

		return c.Value, nil
	}

	var written []error
	opts := &jwtrevoke.MiddlewareOptions{
		Extractor:      fromCookie,
		MaxHeaderBytes: 4096,
		ErrorWriter: func(w http.ResponseWriter, r *http.Request, err error) {
			written = append(written, err)
			jwtrevoke.WriteError(w, r, err)
		},
	}
	h := &protectedHandler{}
	mw := tracker.Middleware(opts)(h)

	request := func(cookie string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+token) // ignored by the cookie extractor
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: "session", Value: cookie})
		}

		w := httptest.NewRecorder()
		mw.ServeHTTP(w, r)

		return w
	}

	if w := request(token); w.Code != http.StatusOK {
		t.Errorf("token in cookie: status = %d, want 200", w.Code)
	}

	h.calls.Store(0)

	checkRejected(t, request(""), h, "Bearer")
	checkRejected(t, request("bad"), h, invalidTokenChallenge("malformed bearer credentials"))
	checkRejected(t, request(strings.Repeat("A", 5000)), h, invalidTokenChallenge("bearer credentials too large"))

	if len(written) != 3 {
		t.Fatalf("ErrorWriter called %d times, want 3", len(written))
	}

	if !errors.Is(written[0], jwtrevoke.ErrNoToken) {
		t.Errorf("no cookie: ErrorWriter got %v, want ErrNoToken", written[0])
	}

	if !errors.Is(written[1], errNoCookie) || !errors.Is(written[1], jwtrevoke.ErrInvalidToken) {
		t.Errorf("bad cookie: ErrorWriter got %v, want the extractor's error wrapped in ErrInvalidToken", written[1])
	}
}

func TestMiddlewareInvalidOptions(t *testing.T) {
	tracker := newHTTPTracker(t, httpBackends[0].open(t), nil)

	for _, opts := range []*jwtrevoke.MiddlewareOptions{
		{MaxHeaderBytes: -1},
		{Types: []jwtrevoke.TokenType{jwtrevoke.TokenType(9)}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Middleware(%+v) did not panic", *opts)
				}
			}()

			tracker.Middleware(opts)
		}()
	}
}

func TestClaimsFromContextEmpty(t *testing.T) {
	if claims, ok := jwtrevoke.ClaimsFromContext(context.Background()); ok || claims != nil {
		t.Errorf("ClaimsFromContext of a bare context = %v, %v; want nil, false", claims, ok)
	}

	want := &jwtrevoke.Claims{Type: jwtrevoke.Access}
	if got, ok := jwtrevoke.ClaimsFromContext(jwtrevoke.ContextWithClaims(context.Background(), want)); !ok || got != want {
		t.Errorf("ClaimsFromContext after ContextWithClaims = %p, %v; want %p, true", got, ok, want)
	}
}

func TestWriteErrorStatuses(t *testing.T) {
	secretToken := "eyJhbGciOiJIUzI1NiJ9.secret-payload.signature"

	cases := []struct {
		err       error
		status    int
		challenge string
	}{
		{jwtrevoke.ErrNoToken, 401, "Bearer"},
		{errors.New("jwtrevoke: invalid token " + secretToken), 500, ""},
		{fmt.Errorf("%w: %s", jwtrevoke.ErrInvalidToken, secretToken), 401, invalidTokenChallenge("token invalid")},
		{fmt.Errorf("%w: %w: \"quoted\\\" %s", jwtrevoke.ErrInvalidToken, jwt.ErrTokenExpired, secretToken), 401, invalidTokenChallenge("token expired")},
		{fmt.Errorf("%w: %s", jwtrevoke.ErrRevoked, secretToken), 401, invalidTokenChallenge("token revoked")},
		{fmt.Errorf("%w: %s", jwtrevoke.ErrReuseDetected, secretToken), 401, invalidTokenChallenge("token revoked")},
		{fmt.Errorf("%w: %s", jwtrevoke.ErrUnknownToken, secretToken), 401, invalidTokenChallenge("token not recognized")},
		{fmt.Errorf("%w: %s", jwtrevoke.ErrStoreUnavailable, secretToken), 503, ""},
	}

	for _, tc := range cases {
		w := httptest.NewRecorder()
		jwtrevoke.WriteError(w, httptest.NewRequest(http.MethodGet, "/", nil), tc.err)

		if w.Code != tc.status || jwtrevoke.StatusCode(tc.err) != tc.status {
			t.Errorf("%v: status %d, StatusCode %d; want %d", tc.err, w.Code, jwtrevoke.StatusCode(tc.err), tc.status)
		}

		challenge := w.Header().Get("WWW-Authenticate")
		if challenge != tc.challenge {
			t.Errorf("%v: WWW-Authenticate = %q, want %q", tc.err, challenge, tc.challenge)
		}

		if strings.Contains(challenge+w.Body.String(), "secret-payload") {
			t.Errorf("%v: response repeats the token: %q %q", tc.err, challenge, w.Body)
		}

		if got := w.Header().Get("Content-Type"); got != "application/json" {
			t.Errorf("%v: Content-Type = %q, want application/json", tc.err, got)
		}

		if w.Body.Len() > 200 {
			t.Errorf("%v: body is %d bytes, want a small one", tc.err, w.Body.Len())
		}
	}
}

// BenchmarkMiddleware measures one request through the middleware on
// kv/memory: an accepted token (verification and one batched store read)
// and a rejected forged one (verification only).
func BenchmarkMiddleware(b *testing.B) {
	store := memory.New(nil)
	defer store.Close()

	tracker, err := jwtrevoke.New(store, jwtrevoke.Options{Algorithms: []string{"HS256"}, SigningKey: httpSecret})
	if err != nil {
		b.Fatal(err)
	}

	token, _, err := tracker.Issue(context.Background(), "alice", jwtrevoke.Access, nil)
	if err != nil {
		b.Fatal(err)
	}

	handler := tracker.Middleware(nil)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	forged := token[:len(token)-4] + "AAAA"

	for _, bc := range []struct {
		name   string
		token  string
		status int
	}{{"accepted", token, http.StatusOK}, {"forged", forged, http.StatusUnauthorized}} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "Bearer "+bc.token)

			for b.Loop() {
				w := httptest.NewRecorder()
				handler.ServeHTTP(w, r)

				if w.Code != bc.status {
					b.Fatalf("status %d, want %d", w.Code, bc.status)
				}
			}
		})
	}
}
