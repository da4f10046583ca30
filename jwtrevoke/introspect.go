package jwtrevoke

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
)

// introspection is the response of IntrospectionHandler for an active
// token, with the member names of RFC 7662 section 2.2.
type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	TokenType string `json:"token_type"`
	Expires   int64  `json:"exp"`
	IssuedAt  int64  `json:"iat,omitempty"`
	NotBefore int64  `json:"nbf,omitempty"`
	Subject   string `json:"sub"`
	Audience  any    `json:"aud,omitempty"` // a string, or an array of several
	Issuer    string `json:"iss,omitempty"`
	ID        string `json:"jti"`
}

// IntrospectionHandler returns an OAuth 2.0 token introspection endpoint
// (RFC 7662) for the tokens of this Tracker. Mount it where resource
// servers expect it, such as POST /oauth/introspect.
//
// Requests follow the rules of RevocationHandler: POST, a form body with
// "token", and a client that auth accepts, or else 405, 400
// invalid_request, 413 or 401 invalid_client. token_type_hint is read but
// never changes the response, because the token's "typ" claim states its
// type, and an unknown hint is ignored, as RFC 7662 section 2.1 allows.
//
// The token is checked with Check, as a protected route would check it,
// so revocations by jti, subject, family and RevokeAll all apply, and so
// does the used flag of a refresh token. The handler answers:
//
//   - 200 with exactly {"active":false} for any token that Check rejects
//     (revoked, used, expired, malformed, signed by another key, or, in
//     TrackAll mode, without a record), so the response tells a caller
//     nothing about why.
//   - 200 with "active":true, "sub", "jti", "token_type" ("access_token" or
//     "refresh_token", the hint values, because every token here is a
//     bearer JWT and what a caller needs is its kind), "exp", and "iat",
//     "nbf", "iss", "aud" and "scope" when the token has them. "scope" is
//     the token's "scope" claim, a space-separated string, or an array of
//     strings joined with spaces.
//   - 503 temporarily_unavailable with Retry-After when the store failed,
//     unless Options.FailOpen makes Check accept the token, in which case
//     the token is reported active. The failure goes to the Observer.
//   - 500 server_error for any other error, which is logged.
//
// Every response carries "Cache-Control: no-store". In RefreshOnly
// scope, access tokens are reported active until they expire, whatever
// was revoked, because Check does not look them up. IntrospectionHandler
// panics when auth is nil: RFC 7662 section 2.1 requires the endpoint to
// be protected, because it reveals who a token belongs to.
func (t *Tracker) IntrospectionHandler(auth ClientAuthFunc) http.Handler {
	if auth == nil {
		panic("jwtrevoke: IntrospectionHandler needs a ClientAuthFunc")
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := readEndpointRequest(w, r, auth)
		if !ok {
			return
		}

		claims, err := t.Check(r.Context(), req.token, AnyType)

		switch {
		case err == nil:
			setNoStore(w.Header())
			writeJSON(w, http.StatusOK, describeActive(claims))
		case errors.Is(err, ErrStoreUnavailable):
			writeOAuthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "token store unavailable, retry later")
		case errors.Is(err, ErrInvalidToken), errors.Is(err, ErrRevoked), errors.Is(err, ErrUnknownToken):
			setNoStore(w.Header())
			writeJSON(w, http.StatusOK, struct {
				Active bool `json:"active"`
			}{})
		default:
			t.opts.Logger.ErrorContext(r.Context(), "jwtrevoke: introspection endpoint failed", slog.Any("error", err))
			writeOAuthError(w, http.StatusInternalServerError, "server_error", "internal error")
		}
	})
}

// describeActive builds the introspection response for verified claims.
func describeActive(claims *Claims) introspection {
	out := introspection{
		Active:    true,
		Scope:     scopeOf(claims.Extra["scope"]),
		TokenType: HintAccessToken,
		Expires:   claims.ExpiresAt.Unix(),
		Subject:   claims.Subject,
		Issuer:    claims.Issuer,
		ID:        claims.ID,
	}

	if claims.Type == Refresh {
		out.TokenType = HintRefreshToken
	}

	if claims.IssuedAt != nil {
		out.IssuedAt = claims.IssuedAt.Unix()
	}

	if claims.NotBefore != nil {
		out.NotBefore = claims.NotBefore.Unix()
	}

	switch len(claims.Audience) {
	case 0:
	case 1:
		out.Audience = claims.Audience[0]
	default:
		out.Audience = []string(claims.Audience)
	}

	return out
}

// scopeOf returns a "scope" claim as a space-separated string, and the
// empty string for a claim of any other form.
func scopeOf(claim any) string {
	switch scope := claim.(type) {
	case string:
		return scope
	case []any:
		names := make([]string, 0, len(scope))
		for _, name := range scope {
			s, ok := name.(string)
			if !ok {
				return ""
			}

			names = append(names, s)
		}

		return strings.Join(names, " ")
	default:
		return ""
	}
}
