package jwtrevoke

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrNoToken means a request carried no bearer token: no Authorization
// header, or one with a scheme other than Bearer. WriteError responds to it
// with 401 and a bare "Bearer" challenge, without an error code, as RFC 6750
// section 3.1 asks for requests that lack credentials.
var ErrNoToken = errors.New("jwtrevoke: no bearer token in request")

// DefaultMaxHeaderBytes is the default cap on the Authorization header
// value that Middleware and BearerToken read: 8 KiB, far above a JWT of a
// few claims and well below MaxTokenLen.
const DefaultMaxHeaderBytes = 8 << 10

// BearerToken returns the bearer token of r's Authorization header. It
// is the token extractor Middleware uses unless MiddlewareOptions.Extractor
// is set, with a cap of DefaultMaxHeaderBytes.
//
// No Authorization header, or one with another scheme, returns ErrNoToken.
// More than one Authorization header, a value longer than the cap, or a
// malformed Bearer value returns an error matching ErrInvalidToken.
func BearerToken(r *http.Request) (string, error) {
	return bearerToken(r, DefaultMaxHeaderBytes)
}

func bearerToken(r *http.Request, maxBytes int) (string, error) {
	values := r.Header.Values("Authorization")

	switch {
	case len(values) == 0:
		return "", ErrNoToken
	case len(values) > 1:
		return "", fmt.Errorf("%w: %w: request has %d Authorization headers, want one", ErrInvalidToken, errMalformedBearer, len(values))
	case len(values[0]) > maxBytes:
		return "", fmt.Errorf("%w: %w: Authorization header is %d bytes, the maximum is %d", ErrInvalidToken, errTooLarge, len(values[0]), maxBytes)
	}

	return ParseBearer(values[0])
}

// ParseBearer returns the token in an Authorization header value of the
// form "Bearer <token>" (RFC 6750 section 2.1). The scheme is matched
// without regard to case, one or more spaces separate it from the token,
// and the token is one b64token: letters, digits and "-._~+/", then
// optional "=" padding. Spaces and tabs around the value are ignored, as
// HTTP ignores them around any header value.
//
// An empty value, or one with another scheme such as Basic, returns
// ErrNoToken. A Bearer value without a token, with more than one, or with
// a byte outside the b64token set returns an error matching
// ErrInvalidToken. Errors never repeat the token.
func ParseBearer(value string) (string, error) {
	value = strings.Trim(value, " \t")
	if value == "" {
		return "", ErrNoToken
	}

	scheme, rest, _ := strings.Cut(value, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", ErrNoToken
	}

	token := strings.TrimLeft(rest, " ")
	if token == "" {
		return "", fmt.Errorf("%w: %w: Authorization header has the Bearer scheme but no token", ErrInvalidToken, errMalformedBearer)
	}

	if err := checkB64Token(token); err != nil {
		return "", err
	}

	return token, nil
}

// checkB64Token returns an error matching ErrInvalidToken unless token
// matches RFC 6750's b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~"
// / "+" / "/" ) *"=".
func checkB64Token(token string) error {
	padding := len(token) - len(strings.TrimRight(token, "="))
	body := token[:len(token)-padding]

	if body == "" {
		return fmt.Errorf("%w: %w: bearer token is only \"=\" padding", ErrInvalidToken, errMalformedBearer)
	}

	for i := 0; i < len(body); i++ {
		if !isB64TokenByte(body[i]) {
			if body[i] == ' ' || body[i] == '\t' {
				return fmt.Errorf("%w: %w: Authorization header has more than one value after Bearer", ErrInvalidToken, errMalformedBearer)
			}

			return fmt.Errorf("%w: %w: bearer token has byte 0x%02x at offset %d, outside the b64token set", ErrInvalidToken, errMalformedBearer, body[i], i)
		}
	}

	return nil
}

func isB64TokenByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	default:
		return b == '-' || b == '.' || b == '_' || b == '~' || b == '+' || b == '/'
	}
}
