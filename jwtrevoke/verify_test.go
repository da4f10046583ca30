package jwtrevoke

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// signMap signs claims with method and key, for building hostile tokens.
func signMap(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()

	token, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign test token: %v", err)
	}

	return token
}

// validMap returns claims that pass verification, apart from the record.
func validMap() jwt.MapClaims {
	now := time.Now()

	return jwt.MapClaims{
		"jti":    "jti-1",
		"sub":    "alice",
		"typ":    "access",
		"iat":    now.Unix(),
		"iat_ns": now.UnixNano(),
		"exp":    now.Add(time.Minute).Unix(),
	}
}

func TestVerifyRejectsBeforeStore(t *testing.T) {
	ctx := context.Background()
	store := newFaultStore(t)
	tracker := newTracker(t, store, func(o *Options) { o.Issuer = "https://issuer.example" })

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generate RSA key: %v", err)
	}

	rsaTracker := newTracker(t, store, func(o *Options) {
		o.Algorithms = []string{"RS256"}
		o.SigningKey = rsaKey
	})

	publicDER, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatalf("marshal public key: %v", err)
	}

	publicPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: publicDER})

	good, _, err := tracker.Issue(ctx, "alice", Access, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	with := func(change func(jwt.MapClaims)) jwt.MapClaims {
		claims := validMap()
		claims["iss"] = "https://issuer.example"
		change(claims)

		return claims
	}

	noneToken := signMap(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, with(func(jwt.MapClaims) {}))

	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))

	// The payload of a valid token swapped for another subject's keeps the
	// original signature, which no longer matches.
	otherPayload := strings.Split(signMap(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { c["sub"] = "mallory" })), ".")[1]
	swapped := parts[0] + "." + otherPayload + "." + parts[2]

	cases := []struct {
		name    string
		tracker *Tracker
		token   string
	}{
		{"empty", tracker, ""},
		{"garbage", tracker, "not a token"},
		{"alg none", tracker, noneToken},
		{"HS256 with RSA public key", rsaTracker, signMap(t, jwt.SigningMethodHS256, publicPEM, with(func(jwt.MapClaims) {}))},
		{"HS256 with RSA public key DER", rsaTracker, signMap(t, jwt.SigningMethodHS256, publicDER, with(func(jwt.MapClaims) {}))},
		{"HS512 not pinned", tracker, signMap(t, jwt.SigningMethodHS512, append(testSecret, testSecret...), with(func(jwt.MapClaims) {}))},
		{"wrong secret", tracker, signMap(t, jwt.SigningMethodHS256, []byte("another secret of thirty-two bytes!"), with(func(jwt.MapClaims) {}))},
		{"tampered signature", tracker, tampered},
		{"swapped payload", tracker, swapped},
		{"no exp", tracker, signMap(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { delete(c, "exp") }))},
		{"expired", tracker, signMap(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }))},
		{"issued in the future", tracker, signMap(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(time.Hour).Unix() }))},
		{"not yet valid", tracker, signMap(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() }))},
		{"no jti", tracker, signMap(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { delete(c, "jti") }))},
		{"no sub", tracker, signMap(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { delete(c, "sub") }))},
		{"no typ", tracker, signMap(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { delete(c, "typ") }))},
		{"unknown typ", tracker, signMap(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { c["typ"] = "id" }))},
		{"fractional iat_ns", tracker, signMap(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { c["iat_ns"] = 1.5 }))},
		{"wrong issuer", tracker, signMap(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }))},
		{"too long", tracker, strings.Repeat("a", MaxTokenLen+1)},
	}

	for _, tc := range cases {
		before := store.calls.Load()

		_, err := tc.tracker.Check(ctx, tc.token, AnyType)
		if !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: Check = %v, want ErrInvalidToken", tc.name, err)
		}

		if calls := store.calls.Load() - before; calls != 0 {
			t.Errorf("%s: Check made %d store calls, want 0", tc.name, calls)
		}
	}

	if _, err := tracker.Check(ctx, good, AnyType); err != nil {
		t.Errorf("Check of the untouched token = %v, want nil", err)
	}
}

func TestVerifyWrapsJWTError(t *testing.T) {
	tracker := newTracker(t, newFaultStore(t), nil)

	expired := signMap(t, jwt.SigningMethodHS256, testSecret, func() jwt.MapClaims {
		c := validMap()
		c["exp"] = time.Now().Add(-time.Hour).Unix()

		return c
	}())

	_, err := tracker.Check(context.Background(), expired, AnyType)
	if !errors.Is(err, jwt.ErrTokenExpired) {
		t.Errorf("Check of an expired token = %v, want it to match jwt.ErrTokenExpired", err)
	}
}

func TestVerifyLeeway(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	tracker := newTracker(t, newFaultStore(t), func(o *Options) {
		o.Clock = clock.Now
		o.Leeway = 30 * time.Second
		o.AccessTTL = time.Minute
	})

	token, _, err := tracker.Issue(ctx, "alice", Access, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	clock.Advance(time.Minute + 20*time.Second)

	if _, err := tracker.Check(ctx, token, AnyType); err != nil {
		t.Errorf("Check within the leeway after exp = %v, want nil", err)
	}

	clock.Advance(20 * time.Second)

	if _, err := tracker.Check(ctx, token, AnyType); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("Check beyond the leeway = %v, want ErrInvalidToken", err)
	}
}

func TestEd25519KeyRotation(t *testing.T) {
	ctx := context.Background()
	store := newFaultStore(t)

	_, oldKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}

	_, newKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}

	oldTracker := newTracker(t, store, func(o *Options) {
		o.Algorithms = []string{"EdDSA"}
		o.SigningKey = oldKey
	})

	token, _, err := oldTracker.Issue(ctx, "alice", Access, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	rotated := newTracker(t, store, func(o *Options) {
		o.Algorithms = []string{"EdDSA"}
		o.SigningKey = newKey
		o.Namespace = oldTracker.opts.Namespace
		o.VerificationKeys = []any{newKey.Public(), oldKey.Public()}
	})

	if _, err := rotated.Check(ctx, token, AnyType); err != nil {
		t.Errorf("Check of a token signed with the previous key = %v, want nil", err)
	}

	onlyNew := newTracker(t, store, func(o *Options) {
		o.Algorithms = []string{"EdDSA"}
		o.SigningKey = newKey
		o.Namespace = oldTracker.opts.Namespace
	})
	if _, err := onlyNew.Check(ctx, token, AnyType); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("Check without the previous key = %v, want ErrInvalidToken", err)
	}
}

func TestNewRejectsOptions(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generate RSA key: %v", err)
	}

	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatalf("generate RSA key: %v", err)
	}

	store := newFaultStore(t)
	keyfunc := func(*jwt.Token) (any, error) { return testSecret, nil }

	cases := map[string]Options{
		"no algorithms":          {SigningKey: testSecret},
		"none":                   {Algorithms: []string{"none"}, SigningKey: testSecret},
		"None":                   {Algorithms: []string{"HS256", "None"}, SigningKey: testSecret},
		"unknown algorithm":      {Algorithms: []string{"HS1"}, SigningKey: testSecret},
		"HMAC mixed with RSA":    {Algorithms: []string{"RS256", "HS256"}, SigningKey: rsaKey},
		"no key":                 {Algorithms: []string{"HS256"}},
		"short secret":           {Algorithms: []string{"HS256"}, SigningKey: []byte("short")},
		"HS512 with 32 bytes":    {Algorithms: []string{"HS512"}, SigningKey: testSecret},
		"RSA key for HMAC":       {Algorithms: []string{"HS256"}, SigningKey: rsaKey},
		"public key as secret":   {Algorithms: []string{"HS256"}, VerificationKeys: []any{&rsaKey.PublicKey}},
		"secret for RSA":         {Algorithms: []string{"RS256"}, VerificationKeys: []any{testSecret}},
		"1024-bit RSA":           {Algorithms: []string{"RS256"}, SigningKey: small},
		"Keyfunc and keys":       {Algorithms: []string{"HS256"}, Keyfunc: keyfunc, VerificationKeys: []any{testSecret}},
		"negative leeway":        {Algorithms: []string{"HS256"}, SigningKey: testSecret, Leeway: -time.Second},
		"negative margin":        {Algorithms: []string{"HS256"}, SigningKey: testSecret, Margin: -time.Second},
		"negative access TTL":    {Algorithms: []string{"HS256"}, SigningKey: testSecret, AccessTTL: -time.Second},
		"negative grace":         {Algorithms: []string{"HS256"}, SigningKey: testSecret, RotationGrace: -time.Second},
		"unknown mode":           {Algorithms: []string{"HS256"}, SigningKey: testSecret, Mode: 7},
		"unknown scope":          {Algorithms: []string{"HS256"}, SigningKey: testSecret, Scope: 7},
		"namespace with space":   {Algorithms: []string{"HS256"}, SigningKey: testSecret, Namespace: "a b"},
		"namespace too long":     {Algorithms: []string{"HS256"}, SigningKey: testSecret, Namespace: strings.Repeat("n", MaxNamespaceLen+1)},
		"namespace with newline": {Algorithms: []string{"HS256"}, SigningKey: testSecret, Namespace: "app\n"},
		"RSA key for EdDSA":      {Algorithms: []string{"EdDSA"}, SigningKey: rsaKey},
	}

	for name, opts := range cases {
		if _, err := New(store, opts); err == nil {
			t.Errorf("%s: New accepted the options", name)
		}
	}

	if _, err := New(nil, Options{Algorithms: []string{"HS256"}, SigningKey: testSecret}); err == nil {
		t.Error("New accepted a nil store")
	}
}

func TestKeyfuncKeyTypeChecked(t *testing.T) {
	ctx := context.Background()
	store := newFaultStore(t)
	signer := newTracker(t, store, nil)

	token, _, err := signer.Issue(ctx, "alice", Access, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generate RSA key: %v", err)
	}

	checker := newTracker(t, store, func(o *Options) {
		o.SigningKey = nil
		o.Namespace = signer.opts.Namespace
		o.Keyfunc = func(*jwt.Token) (any, error) { return &rsaKey.PublicKey, nil }
	})

	if _, err := checker.Check(ctx, token, AnyType); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("Check with a Keyfunc returning an RSA key for HS256 = %v, want ErrInvalidToken", err)
	}

	goodChecker := newTracker(t, store, func(o *Options) {
		o.SigningKey = nil
		o.Namespace = signer.opts.Namespace
		o.Keyfunc = func(*jwt.Token) (any, error) { return testSecret, nil }
	})

	if _, err := goodChecker.Check(ctx, token, AnyType); err != nil {
		t.Errorf("Check with a Keyfunc returning the secret = %v, want nil", err)
	}

	if _, _, err := goodChecker.Issue(ctx, "alice", Access, nil); err == nil {
		t.Error("Issue without a SigningKey succeeded")
	}
}

func TestIssuerAudienceRoundTrip(t *testing.T) {
	ctx := context.Background()
	store := newFaultStore(t)
	tracker := newTracker(t, store, func(o *Options) {
		o.Issuer = "https://auth.example"
		o.Audience = "api"
	})

	token, claims, err := tracker.Issue(ctx, "alice", Access, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	if claims.Issuer != "https://auth.example" || len(claims.Audience) != 1 || claims.Audience[0] != "api" {
		t.Errorf("issued claims have iss %q and aud %q, want https://auth.example and [api]", claims.Issuer, claims.Audience)
	}

	if _, err := tracker.Check(ctx, token, Access); err != nil {
		t.Errorf("Check with matching issuer and audience = %v, want nil", err)
	}

	other := newTracker(t, store, func(o *Options) {
		o.Namespace = tracker.opts.Namespace
		o.Issuer = "https://auth.example"
		o.Audience = "billing"
	})

	if _, err := other.Check(ctx, token, Access); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("Check for another audience = %v, want ErrInvalidToken", err)
	}
}

func TestIssueRejectsReservedExtra(t *testing.T) {
	tracker := newTracker(t, newFaultStore(t), nil)

	for _, name := range []string{"sub", "exp", "jti", "typ", "fam", "iat_ns"} {
		if _, _, err := tracker.Issue(context.Background(), "alice", Access, map[string]any{name: "x"}); err == nil {
			t.Errorf("Issue with extra claim %q succeeded", name)
		}
	}

	if _, _, err := tracker.Issue(context.Background(), "", Access, nil); err == nil {
		t.Error("Issue with an empty subject succeeded")
	}

	if _, _, err := tracker.Issue(context.Background(), "alice", AnyType, nil); err == nil {
		t.Error("Issue of AnyType succeeded")
	}
}
