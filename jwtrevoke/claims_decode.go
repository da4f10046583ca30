package jwtrevoke

import (
	"encoding/json"

	"github.com/golang-jwt/jwt/v5"
)

// knownClaims is the JSON object of a token that has only the claims a
// Tracker writes.
type knownClaims struct {
	Issuer     string           `json:"iss"`
	Subject    string           `json:"sub"`
	Audience   jwt.ClaimStrings `json:"aud"`
	ExpiresAt  *jwt.NumericDate `json:"exp"`
	NotBefore  *jwt.NumericDate `json:"nbf"`
	IssuedAt   *jwt.NumericDate `json:"iat"`
	ID         string           `json:"jti"`
	Type       TokenType        `json:"typ"`
	Family     string           `json:"fam"`
	IssuedNano int64            `json:"iat_ns"`
}

// decodeKnownClaims decodes data into c in one pass when data has no
// claims but the Tracker's own, and reports whether it did. Otherwise it
// leaves c alone and UnmarshalJSON takes the general path, which also
// collects Extra and reports errors.
func decodeKnownClaims(data []byte, c *Claims) bool {
	if !onlyKnownClaims(data) {
		return false
	}

	var known knownClaims
	if err := json.Unmarshal(data, &known); err != nil {
		return false
	}

	*c = Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    known.Issuer,
			Subject:   known.Subject,
			Audience:  known.Audience,
			ExpiresAt: known.ExpiresAt,
			NotBefore: known.NotBefore,
			IssuedAt:  known.IssuedAt,
			ID:        known.ID,
		},
		Type:       known.Type,
		Family:     known.Family,
		IssuedNano: known.IssuedNano,
	}

	return true
}

// onlyKnownClaims reports whether every object key in data is exactly the
// name of a knownClaims field, and data is ASCII without escapes. Only
// then does decoding into knownClaims give what the general path gives.
// encoding/json matches struct fields without regard to case and decodes
// escapes first, so a claim such as "SUB" or "\u0073ub" would land in a
// field here but in Extra on the general path.
func onlyKnownClaims(data []byte) bool {
	for i := 0; i < len(data); i++ {
		b := data[i]
		if b == '\\' || b >= 0x80 {
			return false
		}

		if b != '"' {
			continue
		}

		start := i + 1
		for i = start; i < len(data) && data[i] != '"'; i++ {
			if data[i] == '\\' || data[i] >= 0x80 {
				return false
			}
		}

		if i == len(data) {
			return false
		}

		// A string followed by a colon is a key.
		next := i + 1
		for next < len(data) && (data[next] == ' ' || data[next] == '\t' || data[next] == '\n' || data[next] == '\r') {
			next++
		}

		if next < len(data) && data[next] == ':' && !isKnownClaim(data[start:i]) {
			return false
		}
	}

	return true
}

func isKnownClaim(name []byte) bool {
	switch string(name) {
	case "iss", "sub", "aud", "exp", "nbf", "iat", "jti", claimType, claimFamily, claimIssuedNano:
		return true
	default:
		return false
	}
}
