package jwtrevoke

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/golang-jwt/jwt/v5"
)

// Mode selects what the store holds.
type Mode uint8

const (
	// TrackAll records every issued token and rejects a token whose record
	// is missing. It is the default.
	TrackAll Mode = iota

	// Denylist stores only revocations, so a token without a revocation
	// entry passes. A store that evicts entries, or loses them on restart,
	// un-revokes tokens in this mode.
	Denylist
)

// String returns "track-all" or "denylist".
func (m Mode) String() string {
	switch m {
	case TrackAll:
		return "track-all"
	case Denylist:
		return "denylist"
	default:
		return fmt.Sprintf("Mode(%d)", uint8(m))
	}
}

// Scope selects which tokens Check looks up in the store.
type Scope uint8

const (
	// AllTokens checks every token against the store. It is the default.
	AllTokens Scope = iota

	// RefreshOnly checks refresh tokens only. Access tokens skip the store
	// and stay valid until they expire, whatever is revoked, so keep
	// AccessTTL short.
	RefreshOnly
)

// String returns "all-tokens" or "refresh-only".
func (s Scope) String() string {
	switch s {
	case AllTokens:
		return "all-tokens"
	case RefreshOnly:
		return "refresh-only"
	default:
		return fmt.Sprintf("Scope(%d)", uint8(s))
	}
}

// Defaults for the zero values of Options.
const (
	DefaultMargin     = time.Minute
	DefaultAccessTTL  = 15 * time.Minute
	DefaultRefreshTTL = 7 * 24 * time.Hour
	DefaultNamespace  = "jwtrevoke:"

	// MaxNamespaceLen keeps the longest store key a Tracker builds within
	// kv.MaxKeyLen.
	MaxNamespaceLen = 64
)

// Options configures a Tracker. Algorithms and a key are required; every
// other field has a default.
type Options struct {
	// Algorithms lists the JWT "alg" values a token may be signed with,
	// such as "EdDSA", "ES256", "RS256" or "HS256". Tokens with any other
	// algorithm are rejected. "none" is rejected, and so is a list that
	// mixes HMAC with asymmetric algorithms, so that a public key can never
	// serve as an HMAC secret. Issue signs with the first entry. Required.
	Algorithms []string

	// SigningKey signs the tokens that Issue, IssuePair and Rotate create:
	// a []byte secret of at least the hash size for HMAC (32 bytes for
	// HS256), an *rsa.PrivateKey of at least 2048 bits for RS and PS, an
	// *ecdsa.PrivateKey on the algorithm's curve for ES, or an
	// ed25519.PrivateKey for EdDSA. Default: nil, and then the Tracker only
	// verifies, and issuing returns an error.
	SigningKey any

	// VerificationKeys are the keys Check tries, in order: []byte secrets
	// for HMAC, or *rsa.PublicKey, *ecdsa.PublicKey and ed25519.PublicKey
	// values. Several keys allow rotating the signing key. Default: the
	// SigningKey's secret or public key. Set it or Keyfunc, not both.
	VerificationKeys []any

	// Keyfunc picks the verification key for a token, such as by its "kid"
	// header from a JWKS. It may return a jwt.VerificationKeySet. The
	// Tracker rejects a returned key whose type does not fit the token's
	// algorithm. Default: nil, and VerificationKeys apply.
	Keyfunc jwt.Keyfunc

	// Issuer is written to the "iss" claim of issued tokens, and when set
	// Check requires it. Default: empty, no "iss" claim and no check.
	Issuer string

	// Audience is written to the "aud" claim of issued tokens, and when
	// set Check requires a token's "aud" to contain it. Default: empty.
	Audience string

	// Leeway is the clock skew allowed when checking "exp", "nbf" and
	// "iat". Records live this much longer than their token. Default: 0.
	Leeway time.Duration

	// Margin is added to the lifetime of every stored entry beyond its
	// token's expiry and Leeway, to cover clock skew between the servers
	// that check tokens. Stored lifetimes are then rounded up to whole
	// seconds. Default: DefaultMargin (1 minute).
	Margin time.Duration

	// AccessTTL is the lifetime of issued access tokens. Default:
	// DefaultAccessTTL (15 minutes).
	AccessTTL time.Duration

	// RefreshTTL is the lifetime of issued refresh tokens. Default:
	// DefaultRefreshTTL (7 days).
	RefreshTTL time.Duration

	// RotationGrace is how long after a refresh token was used a second
	// use returns the same new token pair instead of counting as reuse,
	// for clients that retry a refresh whose response they lost. The
	// grace ends early once the new refresh token is used. Default: 0, no
	// grace: any second use revokes the family.
	RotationGrace time.Duration

	// Mode is TrackAll (default) or Denylist.
	Mode Mode

	// Scope is AllTokens (default) or RefreshOnly.
	Scope Scope

	// FailOpen makes Check accept a verified token when the store fails,
	// instead of returning ErrStoreUnavailable. Each such pass is logged at
	// warn level, at most once every 10 seconds with a count of the
	// passes in between, and reported to the Observer. Rotate and the
	// revoke methods never fail open. Default: false.
	FailOpen bool

	// Namespace prefixes every store key the Tracker writes, so several
	// applications can share a store. It must be valid key bytes
	// (printable ASCII without space) and at most MaxNamespaceLen bytes.
	// Prune deletes only keys under it. Default: DefaultNamespace
	// ("jwtrevoke:").
	Namespace string

	// Clock returns the current time. Tests set it. Default: time.Now.
	Clock func() time.Time

	// Observer receives counts and latencies for metrics. Default: none.
	Observer Observer

	// Logger receives fail-open passes and background failures. Tokens
	// are never logged. Default: slog.Default().
	Logger *slog.Logger
}

// withDefaults returns a copy of o with every zero field that has a
// default filled in, after checking the fields that have no default.
func (o Options) withDefaults() (Options, error) {
	if o.Leeway < 0 {
		return o, fmt.Errorf("jwtrevoke: Options.Leeway is %v, want 0 or more", o.Leeway)
	}

	durations := []struct {
		name  string
		value *time.Duration
		def   time.Duration
	}{
		{"Margin", &o.Margin, DefaultMargin},
		{"AccessTTL", &o.AccessTTL, DefaultAccessTTL},
		{"RefreshTTL", &o.RefreshTTL, DefaultRefreshTTL},
	}
	for _, d := range durations {
		if *d.value < 0 {
			return o, fmt.Errorf("jwtrevoke: Options.%s is %v, want more than 0 (0 means the default, %v)", d.name, *d.value, d.def)
		}

		if *d.value == 0 {
			*d.value = d.def
		}
	}

	if o.RotationGrace < 0 {
		return o, fmt.Errorf("jwtrevoke: Options.RotationGrace is %v, want 0 or more", o.RotationGrace)
	}

	if o.Mode != TrackAll && o.Mode != Denylist {
		return o, fmt.Errorf("jwtrevoke: Options.Mode is %v, want TrackAll or Denylist", o.Mode)
	}

	if o.Scope != AllTokens && o.Scope != RefreshOnly {
		return o, fmt.Errorf("jwtrevoke: Options.Scope is %v, want AllTokens or RefreshOnly", o.Scope)
	}

	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}

	if len(o.Namespace) > MaxNamespaceLen {
		return o, fmt.Errorf("jwtrevoke: Options.Namespace is %d bytes, the maximum is %d", len(o.Namespace), MaxNamespaceLen)
	}

	if err := kv.ValidateKey(o.Namespace); err != nil {
		return o, fmt.Errorf("jwtrevoke: Options.Namespace: %w", err)
	}

	if o.Clock == nil {
		o.Clock = time.Now
	}

	if o.Observer == nil {
		o.Observer = NopObserver{}
	}

	if o.Logger == nil {
		o.Logger = slog.Default()
	}

	if err := checkKeys(&o); err != nil {
		return o, err
	}

	return o, nil
}

// errNoSigningKey is returned by the issuing methods of a verify-only
// Tracker.
var errNoSigningKey = errors.New("jwtrevoke: cannot issue tokens: Options.SigningKey is nil")
