package jwtrevoke

import "errors"

// Errors returned by a Tracker. Callers test for them with errors.Is,
// because the Tracker wraps them with the cause and the token id involved.
var (
	// ErrInvalidToken means the token failed verification. It is malformed,
	// expired or not yet valid, or it has an algorithm outside the pinned
	// list, a wrong signature, or another issuer or audience. Or it lacks
	// a claim the Tracker needs ("jti", "sub", "typ"). The jwt library's
	// error is wrapped, so errors.Is also matches jwt.ErrTokenExpired and
	// the other jwt errors.
	ErrInvalidToken = errors.New("jwtrevoke: invalid token")

	// ErrTokenType means a verified token has the wrong type for the call,
	// such as a refresh token presented where an access token is required.
	// It also matches ErrInvalidToken.
	ErrTokenType = errors.New("jwtrevoke: wrong token type")

	// ErrRevoked means the token was revoked: by its jti, by a cutoff for
	// its subject or for every token, by the revocation of its rotation
	// family, or, for a refresh token, because it was already used.
	ErrRevoked = errors.New("jwtrevoke: token revoked")

	// ErrReuseDetected means a refresh token that was already used was
	// presented again, and its whole rotation family has been revoked. It
	// also matches ErrRevoked.
	ErrReuseDetected = errors.New("jwtrevoke: refresh token reuse detected")

	// ErrUnknownToken means the Tracker has no record of the token's jti
	// while it tracks every token: the token was not issued by this Tracker
	// and store, or its record was removed or evicted.
	ErrUnknownToken = errors.New("jwtrevoke: token not found in store")

	// ErrStoreUnavailable means the store failed, so the Tracker could not
	// tell whether the token is revoked and rejected it. An HTTP server
	// should respond with 503, not 401. The store's error is wrapped.
	ErrStoreUnavailable = errors.New("jwtrevoke: token store unavailable")
)

// tokenTypeError matches both ErrTokenType and ErrInvalidToken.
type tokenTypeError struct{ msg string }

func (e *tokenTypeError) Error() string { return e.msg }

func (e *tokenTypeError) Is(target error) bool {
	return target == ErrTokenType || target == ErrInvalidToken
}

// reuseError matches both ErrReuseDetected and ErrRevoked.
type reuseError struct{ msg string }

func (e *reuseError) Error() string { return e.msg }

func (e *reuseError) Is(target error) bool {
	return target == ErrReuseDetected || target == ErrRevoked
}
