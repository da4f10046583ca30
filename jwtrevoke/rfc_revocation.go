package jwtrevoke

import (
	"errors"
	"log/slog"
	"net/http"
)

// RevocationHandler returns an OAuth 2.0 token revocation endpoint (RFC
// 7009) that revokes the tokens of this Tracker. Mount it where clients
// expect it, such as POST /oauth/revoke.
//
// A request is a POST with an application/x-www-form-urlencoded body of at
// most MaxEndpointBodyBytes that holds the "token" parameter, and
// optionally "token_type_hint". The handler responds with:
//
//   - 405 with "Allow: POST" for another method, and 400 invalid_request
//     for another content type, a malformed body, a token in the URL
//     query, a repeated parameter or a missing token.
//   - 401 invalid_client with a Basic challenge when auth rejects the
//     client.
//   - 400 unsupported_token_type when token_type_hint is neither
//     "access_token" nor "refresh_token", or when the token is an access
//     token and the Tracker's Scope is RefreshOnly, because access tokens
//     then cannot be revoked.
//   - 200 with an empty body once the token is revoked, and also for a
//     token that is unknown, expired, malformed, signed by another key or
//     already revoked, because RFC 7009 section 2.2 treats each of those
//     as done and a client can do nothing about them.
//   - 503 temporarily_unavailable with Retry-After when the store failed,
//     so a client never takes a lost write for a revocation. The failure
//     goes to the Observer, not to the log, so an outage does not flood
//     it.
//   - 500 server_error for any other error, which is logged.
//
// The token is verified before the store is touched, so a forged token
// costs no store work. The token's own "typ" claim decides its type, so
// a wrong hint changes nothing. Revoking a refresh token also revokes its
// rotation family: every access and refresh token rotated from the same
// login, as RFC 7009 section 2.1 allows. See RevokeToken.
//
// Every response carries "Cache-Control: no-store". RevocationHandler
// panics when auth is nil, because an endpoint that any caller can use
// to log users out is a programming error found at start-up.
func (t *Tracker) RevocationHandler(auth ClientAuthFunc) http.Handler {
	if auth == nil {
		panic("jwtrevoke: RevocationHandler needs a ClientAuthFunc; pass one that accepts every client to allow public clients")
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := readEndpointRequest(w, r, auth)
		if !ok {
			return
		}

		if !req.knownHint() {
			writeOAuthError(w, http.StatusBadRequest, "unsupported_token_type", "token_type_hint must be access_token or refresh_token")
			return
		}

		err := t.RevokeToken(r.Context(), req.token)

		switch {
		case errors.Is(err, ErrTokenType):
			writeOAuthError(w, http.StatusBadRequest, "unsupported_token_type", "access tokens are not checked against the store and cannot be revoked")
		case err == nil, errors.Is(err, ErrInvalidToken), errors.Is(err, ErrUnknownToken):
			setNoStore(w.Header())
			w.WriteHeader(http.StatusOK)
		case errors.Is(err, ErrStoreUnavailable):
			writeOAuthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "token store unavailable, retry later")
		default:
			t.opts.Logger.ErrorContext(r.Context(), "jwtrevoke: revocation endpoint failed", slog.Any("error", err))
			writeOAuthError(w, http.StatusInternalServerError, "server_error", "internal error")
		}
	})
}
