package jwtrevoke

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TokenType is the kind of a token: access or refresh. Tokens carry it in
// the "typ" claim as "access" or "refresh".
type TokenType uint8

const (
	// AnyType makes Check accept both kinds. It is never a token's type.
	AnyType TokenType = iota

	// Access is a short-lived token that a client presents to protected
	// routes.
	Access

	// Refresh is a long-lived token that a client exchanges, by Rotate,
	// for a new access and refresh token.
	Refresh
)

// String returns "access", "refresh" or "any".
func (t TokenType) String() string {
	switch t {
	case Access:
		return "access"
	case Refresh:
		return "refresh"
	case AnyType:
		return "any"
	default:
		return fmt.Sprintf("TokenType(%d)", uint8(t))
	}
}

// MarshalText encodes the type as it appears in the "typ" claim.
func (t TokenType) MarshalText() ([]byte, error) {
	if t != Access && t != Refresh {
		return nil, fmt.Errorf("jwtrevoke: token type %v has no claim value", t)
	}

	return []byte(t.String()), nil
}

// UnmarshalText decodes "access" or "refresh" and rejects anything else.
func (t *TokenType) UnmarshalText(text []byte) error {
	switch string(text) {
	case "access":
		*t = Access
	case "refresh":
		*t = Refresh
	default:
		return fmt.Errorf("jwtrevoke: unknown token type %q, want \"access\" or \"refresh\"", text)
	}

	return nil
}

// Names of the private claims a Tracker writes. Extra claims may not use
// them or the registered names.
const (
	claimType       = "typ"
	claimFamily     = "fam"
	claimIssuedNano = "iat_ns"
)

var reservedClaims = map[string]bool{
	"iss": true, "sub": true, "aud": true, "exp": true, "nbf": true, "iat": true, "jti": true,
	claimType: true, claimFamily: true, claimIssuedNano: true,
}

// Claims is the content of a token that a Tracker issued or verified.
//
// In JSON, the registered claims keep their names, Type is "typ", Family
// is "fam", IssuedNano is "iat_ns", and each entry of Extra is a top-level
// claim of its own.
type Claims struct {
	jwt.RegisteredClaims

	// Type is Access or Refresh.
	Type TokenType

	// Family is the rotation family: the jti of the refresh token that
	// started it at login. Every token that Rotate issues from that login
	// has the same Family, and reuse of a used refresh token revokes them
	// all. It is empty for an access token issued on its own.
	Family string

	// IssuedNano is the issue time in nanoseconds since the Unix epoch.
	// The "iat" claim has whole seconds only, which cannot order a token
	// against a cutoff written in the same second.
	IssuedNano int64

	// Extra holds every other claim. Numbers decode as float64, as with
	// encoding/json into an any.
	Extra map[string]any
}

// Issued returns the issue time with nanosecond precision, falling back to
// the start of the "iat" second for a token without "iat_ns", and to the
// zero time for a token with neither.
func (c *Claims) Issued() time.Time {
	if c.IssuedNano != 0 {
		return time.Unix(0, c.IssuedNano)
	}

	if c.IssuedAt != nil {
		return c.IssuedAt.Time
	}

	return time.Time{}
}

// MarshalJSON encodes the claims as one flat JSON object.
func (c Claims) MarshalJSON() ([]byte, error) {
	registered, err := json.Marshal(c.RegisteredClaims)
	if err != nil {
		return nil, err
	}

	var fields map[string]json.RawMessage
	if err := json.Unmarshal(registered, &fields); err != nil {
		return nil, err
	}

	out := make(map[string]any, len(fields)+len(c.Extra)+3)
	for name, value := range c.Extra {
		out[name] = value
	}

	for name, value := range fields {
		out[name] = value
	}

	if c.Type != AnyType {
		out[claimType] = c.Type
	}

	if c.Family != "" {
		out[claimFamily] = c.Family
	}

	if c.IssuedNano != 0 {
		out[claimIssuedNano] = c.IssuedNano
	}

	return json.Marshal(out)
}

// UnmarshalJSON decodes a flat JSON object. An unknown "typ" or a
// non-integer "iat_ns" is an error, so such a token fails verification.
func (c *Claims) UnmarshalJSON(data []byte) error {
	if scanClaims(data, c) || decodeKnownClaims(data, c) {
		return nil
	}

	return decodeAllClaims(data, c)
}

// decodeAllClaims decodes any claims object, the ones that go to Extra
// included.
func decodeAllClaims(data []byte, c *Claims) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}

	*c = Claims{}
	if err := json.Unmarshal(data, &c.RegisteredClaims); err != nil {
		return err
	}

	if raw, ok := fields[claimType]; ok {
		if err := json.Unmarshal(raw, &c.Type); err != nil {
			return fmt.Errorf("claim %q: %w", claimType, err)
		}
	}

	if raw, ok := fields[claimFamily]; ok {
		if err := json.Unmarshal(raw, &c.Family); err != nil {
			return fmt.Errorf("claim %q: %w", claimFamily, err)
		}
	}

	if raw, ok := fields[claimIssuedNano]; ok {
		if err := json.Unmarshal(raw, &c.IssuedNano); err != nil {
			return fmt.Errorf("claim %q: %w", claimIssuedNano, err)
		}
	}

	for name, raw := range fields {
		if reservedClaims[name] {
			continue
		}

		var value any
		if err := json.Unmarshal(raw, &value); err != nil {
			return fmt.Errorf("claim %q: %w", name, err)
		}

		if c.Extra == nil {
			c.Extra = make(map[string]any)
		}

		c.Extra[name] = value
	}

	return nil
}
