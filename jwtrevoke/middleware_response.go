package jwtrevoke

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Causes that ParseBearer and the header cap wrap beside ErrInvalidToken,
// so that WriteError can describe them without repeating the token.
var (
	errMalformedBearer = errors.New("malformed bearer credentials")
	errTooLarge        = errors.New("bearer credentials too large")
)

// retryAfter is the Retry-After that WriteError sends with 503. It is a
// few seconds because clients that retry at once only add load to a
// failing store. A server that needs another value sets an ErrorWriter.
const retryAfter = 5 * time.Second

// StatusCode returns the HTTP status for an error of Check, Rotate, the
// revoke methods, BearerToken or ParseBearer: 401 Unauthorized for
// ErrNoToken, ErrInvalidToken, ErrRevoked, ErrReuseDetected and
// ErrUnknownToken, 503 Service
// Unavailable for ErrStoreUnavailable, 200 OK for nil, and 500 Internal
// Server Error for anything else.
func StatusCode(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrStoreUnavailable):
		return http.StatusServiceUnavailable
	case errors.Is(err, ErrNoToken), errors.Is(err, ErrInvalidToken),
		errors.Is(err, ErrRevoked), errors.Is(err, ErrReuseDetected), errors.Is(err, ErrUnknownToken):
		return http.StatusUnauthorized
	default:
		return http.StatusInternalServerError
	}
}

// WriteError writes the response for a request rejected with err, with
// the status of StatusCode and a small JSON body:
//
//   - ErrNoToken: 401 and "WWW-Authenticate: Bearer", with no error code,
//     because the client may not know the route needs a token.
//   - ErrInvalidToken, ErrRevoked, ErrUnknownToken: 401 and
//     `WWW-Authenticate: Bearer error="invalid_token",
//     error_description="..."`, so that the client gets a new token.
//   - ErrStoreUnavailable: 503 and "Retry-After: 5", because the token may
//     be valid and the client should retry rather than log in again.
//   - anything else: 500.
//
// The description is one of a few fixed phrases, such as "token expired"
// or "token revoked". It never contains the token, a claim or the error's
// text, so it cannot leak them or break the header's quoting.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status := StatusCode(err)
	code, description := errorCode(err)

	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")

	switch {
	case errors.Is(err, ErrNoToken):
		h.Set("WWW-Authenticate", "Bearer")
	case status == http.StatusUnauthorized:
		h.Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+description+`"`)
	case status == http.StatusServiceUnavailable:
		h.Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
	}

	w.WriteHeader(status)

	// The body is built from fixed strings only, so it needs no encoder.
	_, _ = w.Write([]byte(`{"error":"` + code + `","error_description":"` + description + `"}` + "\n"))
}

// errorCode returns the OAuth error code and the fixed description for
// err. Every description keeps to RFC 6750's error_description bytes:
// printable ASCII without '"' and '\'.
func errorCode(err error) (code, description string) {
	switch {
	case errors.Is(err, ErrStoreUnavailable):
		return "temporarily_unavailable", "token store unavailable, retry later"
	case errors.Is(err, ErrNoToken):
		return "unauthorized", "bearer token required"
	case errors.Is(err, errTooLarge):
		return "invalid_token", "bearer credentials too large"
	case errors.Is(err, errMalformedBearer):
		return "invalid_token", "malformed bearer credentials"
	case errors.Is(err, ErrTokenType):
		return "invalid_token", "wrong token type for this resource"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "invalid_token", "token expired"
	case errors.Is(err, ErrInvalidToken):
		return "invalid_token", "token invalid"
	case errors.Is(err, ErrRevoked), errors.Is(err, ErrReuseDetected):
		return "invalid_token", "token revoked"
	case errors.Is(err, ErrUnknownToken):
		return "invalid_token", "token not recognized"
	default:
		return "server_error", "internal error"
	}
}
