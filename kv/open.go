package kv

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// ErrUnknownScheme means Open was given a URL whose scheme no imported
// backend registered.
var ErrUnknownScheme = errors.New("kv: unknown store URL scheme")

// ErrInvalidURL means a store URL could not be parsed or has an option a
// backend does not accept. Messages never repeat the URL's password.
var ErrInvalidURL = errors.New("kv: invalid store URL")

// Opener builds a store from a parsed URL. A backend registers one for each
// scheme it serves.
type Opener func(ctx context.Context, u *url.URL) (Store, error)

var (
	openersMu sync.RWMutex
	openers   = map[string]Opener{}
)

// Register makes a backend available to Open under scheme. It panics if
// scheme is empty, registered twice or open is nil, as database/sql's
// Register does, because each is a programming error found at start-up.
func Register(scheme string, open Opener) {
	openersMu.Lock()
	defer openersMu.Unlock()

	if scheme == "" || open == nil {
		panic("kv: Register needs a scheme and a non-nil Opener")
	}

	scheme = strings.ToLower(scheme)
	if _, dup := openers[scheme]; dup {
		panic("kv: Register called twice for scheme " + scheme)
	}

	openers[scheme] = open
}

// Schemes returns the registered URL schemes, sorted.
func Schemes() []string {
	openersMu.RLock()
	defer openersMu.RUnlock()

	schemes := make([]string, 0, len(openers))
	for scheme := range openers {
		schemes = append(schemes, scheme)
	}

	slices.Sort(schemes)

	return schemes
}

// Open builds a store from a URL such as "memory://", "bolt:///path/to.db",
// "redis://127.0.0.1:6379/0" or "memcache://host1:11211,host2:11211". The
// scheme selects a backend, which must have been imported to register it.
// The caller closes the returned store.
func Open(ctx context.Context, rawURL string) (Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the whole URL, password included, so report
		// only its cause.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}

		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}

	if u.Scheme == "" {
		return nil, fmt.Errorf("%w %q: no scheme; registered schemes: %s", ErrInvalidURL, redact(u), strings.Join(Schemes(), ", "))
	}

	openersMu.RLock()
	open := openers[strings.ToLower(u.Scheme)]
	openersMu.RUnlock()

	if open == nil {
		return nil, fmt.Errorf("%w %q in %q; registered schemes: %s (import the backend package to register it)", ErrUnknownScheme, u.Scheme, redact(u), strings.Join(Schemes(), ", "))
	}

	return open(ctx, u)
}

// redact returns u as a string with any password replaced, for messages.
func redact(u *url.URL) string {
	return u.Redacted()
}
