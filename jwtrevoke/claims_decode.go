package jwtrevoke

import (
	"encoding/json"
	"math"
	"time"

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

// Bits of scanClaims's seen set, one for each claim it decodes.
const (
	seenIss = 1 << iota
	seenSub
	seenAud
	seenExp
	seenNbf
	seenIat
	seenJTI
	seenType
	seenFamily
	seenIssuedNano
)

// scanClaims decodes data into c without reflection and reports whether it
// did. It takes only the form the Tracker itself writes. That is one
// object with each of the Tracker's claim names at most once, and printable
// ASCII strings without escapes ("aud" also as a non-empty array of them).
// Times are unsigned integers without fraction or exponent. For anything else, null
// included, it returns false and leaves c alone, so that the slower
// decoders give the result or the error. Within that form encoding/json
// decodes the same values, which the tests and the fuzz target check.
func scanClaims(data []byte, c *Claims) bool {
	var (
		out  Claims
		seen uint
	)

	s := claimScanner{data: data}
	if !s.skip('{') {
		return false
	}

	if !s.skip('}') {
		for {
			name, ok := s.rawString()
			if !ok || !s.skip(':') {
				return false
			}

			var bit uint

			switch string(name) {
			case "iss":
				bit = seenIss
				out.Issuer, ok = s.stringValue()
			case "sub":
				bit = seenSub
				out.Subject, ok = s.stringValue()
			case "aud":
				bit = seenAud
				out.Audience, ok = s.audience()
			case "exp":
				bit = seenExp
				out.ExpiresAt, ok = s.date()
			case "nbf":
				bit = seenNbf
				out.NotBefore, ok = s.date()
			case "iat":
				bit = seenIat
				out.IssuedAt, ok = s.date()
			case "jti":
				bit = seenJTI
				out.ID, ok = s.stringValue()
			case claimType:
				bit = seenType
				var typ []byte
				if typ, ok = s.rawString(); ok {
					ok = out.Type.UnmarshalText(typ) == nil
				}
			case claimFamily:
				bit = seenFamily
				out.Family, ok = s.stringValue()
			case claimIssuedNano:
				bit = seenIssuedNano
				var n uint64
				if n, ok = s.unsigned(19); ok && n <= math.MaxInt64 {
					out.IssuedNano = int64(n)
				} else {
					ok = false
				}
			default:
				return false
			}

			if !ok || seen&bit != 0 {
				return false
			}

			seen |= bit

			if s.skip('}') {
				break
			}

			if !s.skip(',') {
				return false
			}
		}
	}

	s.space()
	if s.pos != len(data) {
		return false
	}

	*c = out

	return true
}

// claimScanner walks the bytes of a claims object for scanClaims.
type claimScanner struct {
	data []byte
	pos  int
}

func (s *claimScanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// skip consumes b after any white space and reports whether it was there.
func (s *claimScanner) skip(b byte) bool {
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == b {
		s.pos++
		return true
	}

	return false
}

// rawString returns the contents of a string of printable ASCII without escapes.
func (s *claimScanner) rawString() ([]byte, bool) {
	if !s.skip('"') {
		return nil, false
	}

	start := s.pos
	for ; s.pos < len(s.data); s.pos++ {
		b := s.data[s.pos]
		if b == '"' {
			s.pos++
			return s.data[start : s.pos-1], true
		}

		if b < 0x20 || b > 0x7e || b == '\\' {
			return nil, false
		}
	}

	return nil, false
}

func (s *claimScanner) stringValue() (string, bool) {
	b, ok := s.rawString()

	return string(b), ok
}

// audience reads a string or a non-empty array of strings.
func (s *claimScanner) audience() (jwt.ClaimStrings, bool) {
	if !s.skip('[') {
		one, ok := s.stringValue()
		return jwt.ClaimStrings{one}, ok
	}

	var aud jwt.ClaimStrings
	for {
		one, ok := s.stringValue()
		if !ok {
			return nil, false
		}

		aud = append(aud, one)

		if s.skip(']') {
			return aud, true
		}

		if !s.skip(',') {
			return nil, false
		}
	}
}

// date reads a NumericDate of whole seconds. Fifteen digits at most keep
// the value exact as a float64, which is how golang-jwt decodes it.
func (s *claimScanner) date() (*jwt.NumericDate, bool) {
	n, ok := s.unsigned(15)
	if !ok {
		return nil, false
	}

	return jwt.NewNumericDate(time.Unix(int64(n), 0)), true
}

// unsigned reads an integer of at most maxDigits digits with no sign, no
// leading zero, no fraction and no exponent.
func (s *claimScanner) unsigned(maxDigits int) (uint64, bool) {
	s.space()

	start := s.pos

	var n uint64
	for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
		n = n*10 + uint64(s.data[s.pos]-'0')
		s.pos++
	}

	digits := s.pos - start
	if digits == 0 || digits > maxDigits || (digits > 1 && s.data[start] == '0') {
		return 0, false
	}

	// A fraction or an exponent would make this a number that the
	// integer reading above has only begun.
	if s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '.', 'e', 'E':
			return 0, false
		}
	}

	return n, true
}
