package jwtrevoke

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// MiddlewareOptions configures Tracker.Middleware. A nil
// *MiddlewareOptions, and any zero field, means the default.
type MiddlewareOptions struct {
	// Types lists the token types the route accepts: Access, Refresh, or
	// both (AnyType also means both). A token of another type gets 401
	// with error="invalid_token" before any store read. Default: Access
	// only, so a refresh token cannot call an ordinary route.
	Types []TokenType

	// MaxHeaderBytes caps, in bytes, the Authorization header value the
	// default extractor reads, or the token a custom Extractor returns.
	// Longer input gets 401 with error="invalid_token" without being
	// parsed and without a store read. Default: DefaultMaxHeaderBytes
	// (8 KiB).
	MaxHeaderBytes int

	// Extractor returns the token of a request, such as from a cookie. It
	// returns an error matching ErrNoToken when the request has none, and
	// any other error for a malformed one, which gets 401 with
	// error="invalid_token". An empty token counts as none. Default: the
	// Authorization header's bearer token, read as ParseBearer does.
	Extractor func(r *http.Request) (string, error)

	// ErrorWriter writes the response for a rejected request. err matches
	// ErrNoToken, ErrInvalidToken (ErrTokenType included), ErrRevoked,
	// ErrUnknownToken or ErrStoreUnavailable. An Extractor's own error
	// arrives wrapped in ErrInvalidToken. Default: WriteError.
	ErrorWriter func(w http.ResponseWriter, r *http.Request, err error)
}

// Middleware returns net/http middleware that admits a request only with
// a valid, unrevoked token. It reads the token (by default from the
// "Authorization: Bearer" header), checks it with Check, and calls the
// next handler with the verified claims in the request context, where
// ClaimsFromContext finds them.
//
// A rejected request never reaches the next handler. By default it gets
// 401 with a bare "WWW-Authenticate: Bearer" challenge when it carried no
// token, 401 with error="invalid_token" when the token is malformed, too
// long, fails verification, has the wrong type, is revoked or unknown to
// the store, and 503 with Retry-After when the store failed (unless
// Options.FailOpen lets Check accept the token). See WriteError.
//
// Oversized and malformed tokens are rejected before parsing, and forged
// or expired ones before any store read, so they cost no store work.
// Every method is checked, OPTIONS included, so CORS handling belongs
// outside this middleware: browsers send preflight requests without
// credentials.
//
// Middleware panics when opts are invalid, as http.ServeMux does with an
// invalid pattern, because that is a programming error found at start-up.
func (t *Tracker) Middleware(opts *MiddlewareOptions) func(http.Handler) http.Handler {
	o, err := opts.withDefaults()
	if err != nil {
		panic(err)
	}

	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token, err := o.extract(r)
			if err != nil {
				o.ErrorWriter(w, r, err)
				return
			}

			claims, err := t.Check(r.Context(), token, o.want)
			if err != nil {
				o.ErrorWriter(w, r, err)
				return
			}

			next.ServeHTTP(w, r.WithContext(ContextWithClaims(r.Context(), claims)))
		})
	}
}

// middlewareConfig is MiddlewareOptions with defaults filled in and
// Types reduced to the argument Check takes.
type middlewareConfig struct {
	MiddlewareOptions

	want TokenType
}

func (opts *MiddlewareOptions) withDefaults() (middlewareConfig, error) {
	var c middlewareConfig
	if opts != nil {
		c.MiddlewareOptions = *opts
	}

	if c.MaxHeaderBytes < 0 {
		return c, fmt.Errorf("jwtrevoke: MiddlewareOptions.MaxHeaderBytes is %d, want more than 0 (0 means the default, %d)", c.MaxHeaderBytes, DefaultMaxHeaderBytes)
	}

	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = DefaultMaxHeaderBytes
	}

	if c.ErrorWriter == nil {
		c.ErrorWriter = WriteError
	}

	access, refresh := len(c.Types) == 0, false
	for _, typ := range c.Types {
		switch typ {
		case Access:
			access = true
		case Refresh:
			refresh = true
		case AnyType:
			access, refresh = true, true
		default:
			return c, fmt.Errorf("jwtrevoke: MiddlewareOptions.Types contains %v, want Access, Refresh or AnyType", typ)
		}
	}

	switch {
	case access && refresh:
		c.want = AnyType
	case refresh:
		c.want = Refresh
	default:
		c.want = Access
	}

	return c, nil
}

// extract returns the request's token, within MaxHeaderBytes.
func (c *middlewareConfig) extract(r *http.Request) (string, error) {
	if c.Extractor == nil {
		return bearerToken(r, c.MaxHeaderBytes)
	}

	token, err := c.Extractor(r)
	if err != nil {
		if errors.Is(err, ErrNoToken) || errors.Is(err, ErrInvalidToken) {
			return "", err
		}

		// The Extractor reports a malformed token with an error of its
		// own, so wrap it to make the ErrorWriter respond 401, not 500.
		return "", fmt.Errorf("%w: %w: %w", ErrInvalidToken, errMalformedBearer, err)
	}

	if token == "" {
		return "", ErrNoToken
	}

	if len(token) > c.MaxHeaderBytes {
		return "", fmt.Errorf("%w: %w: token is %d bytes, the maximum is %d", ErrInvalidToken, errTooLarge, len(token), c.MaxHeaderBytes)
	}

	return token, nil
}

// claimsKey is the context key of the verified claims. Its type is
// unexported, so no other package can set or overwrite the value.
type claimsKey struct{}

// ContextWithClaims returns a copy of ctx that carries claims, as
// Middleware passes them to the next handler. Tests of handlers behind
// Middleware use it to build their requests.
func ContextWithClaims(ctx context.Context, claims *Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, claims)
}

// ClaimsFromContext returns the claims that Middleware verified for the
// request whose context is ctx, and false when there are none, such as
// in a handler that Middleware does not wrap.
func ClaimsFromContext(ctx context.Context) (*Claims, bool) {
	claims, ok := ctx.Value(claimsKey{}).(*Claims)

	return claims, ok && claims != nil
}
