package hostile_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv/memory"
	"github.com/anykv/anykv/reliability/internal/harness"
)

const (
	issuer   = "anykv-reliability"
	audience = "anykv-api"
)

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// rsaPrivateKey returns one RSA key for the whole test binary, because
// generating one is slow under the race detector.
func rsaPrivateKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()

	rsaOnce.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}

		rsaKey = key
	})

	return rsaKey
}

// validClaims returns the claims of a token that both test trackers
// accept once signed, and each case changes one thing.
func validClaims() jwt.MapClaims {
	now := time.Now()

	return jwt.MapClaims{
		"jti":    "hostile-jti",
		"sub":    "alice",
		"typ":    "access",
		"iss":    issuer,
		"aud":    []string{audience},
		"iat":    now.Unix(),
		"iat_ns": now.UnixNano(),
		"exp":    now.Add(time.Hour).Unix(),
	}
}

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()

	token, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign with %s: %v", method.Alg(), err)
	}

	return token
}

func signHS256(t *testing.T, change func(jwt.MapClaims)) string {
	t.Helper()

	claims := validClaims()
	if change != nil {
		change(claims)
	}

	return sign(t, jwt.SigningMethodHS256, harness.Secret, claims)
}

// tamper changes one character in part (0 header, 1 claims, 2 signature)
// of token.
func tamper(token string, part int) string {
	parts := strings.Split(token, ".")
	b := []byte(parts[part])

	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}

	parts[part] = string(b)

	return strings.Join(parts, ".")
}

// rawToken builds a token from a JSON header and claims and a signature,
// with no library in between.
func rawToken(header, claims, signature string) string {
	enc := base64.RawURLEncoding

	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims)) + "." + signature
}

func publicKeyPEM(t *testing.T) []byte {
	t.Helper()

	der, err := x509.MarshalPKIXPublicKey(&rsaPrivateKey(t).PublicKey)
	if err != nil {
		t.Fatalf("marshal public key: %v", err)
	}

	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// tokenCase is one hostile token and what Check must return for it.
type tokenCase struct {
	name  string
	rsa   bool // check with the RS256 tracker instead of the HS256 one
	token func(t *testing.T) string
	want  error
	// verified marks a token that passes verification, so that the store
	// is read (never written) to find its record.
	verified bool
}

func tokenCases() []tokenCase {
	expired := func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() }

	return []tokenCase{
		{name: "alg none", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, validClaims())
		}},
		{name: "alg NONE by hand", want: jwtrevoke.ErrInvalidToken, token: func(*testing.T) string {
			return rawToken(`{"alg":"NONE","typ":"JWT"}`, `{"jti":"x","sub":"alice","typ":"access","exp":9999999999}`, "")
		}},
		{name: "HS256 signed with RSA public key PEM", rsa: true, want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, publicKeyPEM(t), validClaims())
		}},
		{name: "HS256 signed with RSA public key DER", rsa: true, want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			der, _ := x509.MarshalPKIXPublicKey(&rsaPrivateKey(t).PublicKey)
			return sign(t, jwt.SigningMethodHS256, der, validClaims())
		}},
		{name: "RS256 where HS256 is pinned", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, rsaPrivateKey(t), validClaims())
		}},
		{name: "HS512 where HS256 is pinned", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS512, harness.Secret, validClaims())
		}},
		{name: "another secret", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, []byte("another-secret-of-thirty-two-by!"), validClaims())
		}},
		{name: "tampered signature", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return tamper(signHS256(t, nil), 2)
		}},
		{name: "tampered claims", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return tamper(signHS256(t, nil), 1)
		}},
		{name: "tampered header", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return tamper(signHS256(t, nil), 0)
		}},
		{name: "signature removed", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			token := signHS256(t, nil)
			return token[:strings.LastIndex(token, ".")+1]
		}},
		{name: "expired", want: jwt.ErrTokenExpired, token: func(t *testing.T) string {
			return signHS256(t, expired)
		}},
		{name: "expired and tampered", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return tamper(signHS256(t, expired), 2)
		}},
		{name: "missing exp", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { delete(c, "exp") })
		}},
		{name: "exp as a string", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { c["exp"] = "tomorrow" })
		}},
		{name: "missing jti", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { delete(c, "jti") })
		}},
		{name: "missing sub", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { delete(c, "sub") })
		}},
		{name: "missing typ", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { delete(c, "typ") })
		}},
		{name: "typ admin", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { c["typ"] = "admin" })
		}},
		{name: "iat in the future", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { c["iat"] = time.Now().Add(time.Hour).Unix() })
		}},
		{name: "nbf in the future", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() })
		}},
		{name: "aud an empty array", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { c["aud"] = []string{} })
		}},
		{name: "aud of another service", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { c["aud"] = "billing" })
		}},
		{name: "iss of another issuer", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { c["iss"] = "evil" })
		}},
		{name: "refresh token where access is required", want: jwtrevoke.ErrTokenType, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { c["typ"] = "refresh" })
		}},
		{name: "header of 1 MB", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			header := `{"alg":"HS256","typ":"JWT","kid":"` + strings.Repeat("k", 1<<20) + `"}`
			return rawToken(header, `{"jti":"x"}`, "c2ln")
		}},
		{name: "run of dots", want: jwtrevoke.ErrInvalidToken, token: func(*testing.T) string {
			return strings.Repeat(".", 5000)
		}},
		{name: "two dots", want: jwtrevoke.ErrInvalidToken, token: func(*testing.T) string { return ".." }},
		{name: "empty", want: jwtrevoke.ErrInvalidToken, token: func(*testing.T) string { return "" }},
		{name: "two parts", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			token := signHS256(t, nil)
			return token[:strings.LastIndex(token, ".")]
		}},
		{name: "four parts", want: jwtrevoke.ErrInvalidToken, token: func(t *testing.T) string {
			return signHS256(t, nil) + ".extra"
		}},
		{name: "claims not JSON", want: jwtrevoke.ErrInvalidToken, token: func(*testing.T) string {
			return rawToken(`{"alg":"HS256","typ":"JWT"}`, `not json`, "c2ln")
		}},
		{name: "binary garbage", want: jwtrevoke.ErrInvalidToken, token: func(*testing.T) string {
			return "\x00\xff\n.\x01.\x02"
		}},
		{name: "jti of 10 KB", verified: true, want: jwtrevoke.ErrUnknownToken, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { c["jti"] = strings.Repeat("j", 10<<10) })
		}},
		{name: "jti with newline", verified: true, want: jwtrevoke.ErrUnknownToken, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { c["jti"] = "a\r\nset x 0 0 1\r\n" })
		}},
		{name: "jti star", verified: true, want: jwtrevoke.ErrUnknownToken, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { c["jti"] = "*" })
		}},
		{name: "sub with pattern bytes", verified: true, want: jwtrevoke.ErrUnknownToken, token: func(t *testing.T) string {
			return signHS256(t, func(c jwt.MapClaims) { c["sub"] = "a*b?[c]\\{slot}" })
		}},
	}
}

// newTrackers returns an HS256 and an RS256 Tracker that require the test
// issuer and audience, each on a store that counts the calls it gets.
func newTrackers(t *testing.T) (hs, rs *jwtrevoke.Tracker, counts *harness.Counts) {
	t.Helper()

	store, counts := harness.Count(harness.OpenMemory(t))

	hsOpts := harness.TrackerOptions(jwtrevoke.TrackAll)
	hsOpts.Issuer, hsOpts.Audience = issuer, audience

	rsOpts := hsOpts
	rsOpts.Algorithms = []string{"RS256"}
	rsOpts.SigningKey = rsaPrivateKey(t)

	return harness.NewTracker(t, store, hsOpts), harness.NewTracker(t, store, rsOpts), counts
}

func TestHostileTokens(t *testing.T) {
	ctx := context.Background()

	for _, c := range tokenCases() {
		t.Run(c.name, func(t *testing.T) {
			hs, rs, counts := newTrackers(t)

			tracker := hs
			if c.rsa {
				tracker = rs
			}

			token := c.token(t)

			_, err := tracker.Check(ctx, token, jwtrevoke.Access)
			if !errors.Is(err, c.want) {
				t.Errorf("Check = %v, want %v", err, c.want)
			}

			if c.verified {
				if counts.Reads() == 0 {
					t.Errorf("Check of a verified token made no store read")
				}
			} else {
				if !errors.Is(err, jwtrevoke.ErrInvalidToken) {
					t.Errorf("Check = %v, want it to match ErrInvalidToken too", err)
				}

				if n := counts.Reads(); n != 0 {
					t.Errorf("Check made %d store reads for a token that fails verification, want 0", n)
				}

				// The revoke and rotate paths verify first as well. A token
				// of the wrong type for Check is a good token for them.
				if c.want != jwtrevoke.ErrTokenType {
					if err := tracker.RevokeToken(ctx, token); !errors.Is(err, jwtrevoke.ErrInvalidToken) {
						t.Errorf("RevokeToken = %v, want ErrInvalidToken", err)
					}

					if _, err := tracker.Rotate(ctx, token); !errors.Is(err, jwtrevoke.ErrInvalidToken) {
						t.Errorf("Rotate = %v, want ErrInvalidToken", err)
					}
				}
			}

			if n := counts.Writes(); n != 0 {
				t.Errorf("%d store writes for a hostile token, want 0", n)
			}

			if err != nil && len(token) > 20 && strings.Contains(err.Error(), token) {
				t.Errorf("error repeats the token: %.200s", err)
			}
		})
	}
}

// headerCase is one hostile Authorization header and the response the
// middleware must give.
type headerCase struct {
	name      string
	values    []string // Authorization header values; none when empty
	challenge string   // the expected WWW-Authenticate header
}

func TestHostileHeaders(t *testing.T) {
	bare := "Bearer"
	invalid := `Bearer error="invalid_token"`
	token := signHS256(t, func(c jwt.MapClaims) { c["iss"] = "evil" })

	cases := []headerCase{
		{name: "no header", challenge: bare},
		{name: "Basic scheme", values: []string{"Basic YWxhZGRpbjpvcGVuc2VzYW1l"}, challenge: bare},
		{name: "Bearer without token", values: []string{"Bearer"}, challenge: invalid},
		{name: "Bearer with two tokens", values: []string{"Bearer a b"}, challenge: invalid},
		{name: "two Authorization headers", values: []string{"Bearer a", "Bearer b"}, challenge: invalid},
		{name: "header of 1 MB", values: []string{"Bearer " + strings.Repeat("a", 1<<20)}, challenge: invalid},
		{name: "token with quote and backslash", values: []string{`Bearer a"b\c`}, challenge: invalid},
		{name: "token of only padding", values: []string{"Bearer ==="}, challenge: invalid},
		{name: "run of dots", values: []string{"Bearer " + strings.Repeat(".", 4096)}, challenge: invalid},
		{name: "verified by nobody", values: []string{"Bearer " + token}, challenge: invalid},
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hs, _, counts := newTrackers(t)

			reached := false
			handler := hs.Middleware(nil)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))

			r := httptest.NewRequest(http.MethodGet, "/", nil)
			for _, value := range c.values {
				r.Header.Add("Authorization", value)
			}

			w := httptest.NewRecorder()
			handler.ServeHTTP(w, r)

			if w.Code != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", w.Code)
			}

			if got := w.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, c.challenge) || (c.challenge == bare && got != bare) {
				t.Errorf("WWW-Authenticate %q, want %q", got, c.challenge)
			}

			if reached {
				t.Errorf("the next handler ran for a rejected request")
			}

			if n := counts.Reads() + counts.Writes(); n != 0 {
				t.Errorf("%d store calls for a rejected header, want 0", n)
			}
		})
	}
}

// TestHostileTokensDenylist checks that a Denylist Tracker, which lets
// unknown tokens pass, still rejects every unverified token before the
// store.
func TestHostileTokensDenylist(t *testing.T) {
	ctx := context.Background()

	store, counts := harness.Count(memory.New(nil))
	t.Cleanup(func() { _ = store.Close() })

	opts := harness.TrackerOptions(jwtrevoke.Denylist)
	opts.Issuer, opts.Audience = issuer, audience
	tracker := harness.NewTracker(t, store, opts)

	for _, c := range tokenCases() {
		if c.verified || c.rsa {
			continue
		}

		if _, err := tracker.Check(ctx, c.token(t), jwtrevoke.Access); !errors.Is(err, c.want) {
			t.Errorf("%s: Check = %v, want %v", c.name, err, c.want)
		}
	}

	if n := counts.Reads() + counts.Writes(); n != 0 {
		t.Errorf("%d store calls for tokens that fail verification, want 0", n)
	}
}
