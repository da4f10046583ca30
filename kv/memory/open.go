package memory

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/anykv/anykv/kv"
)

func init() {
	kv.Register("memory", openURL)
}

// openURL opens a new, empty Store for a URL of the form
// "memory://?reclaim_interval=500ms&reclaim_limit=1000".
func openURL(ctx context.Context, u *url.URL) (kv.Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// A host or path could suggest that two URLs name one shared store,
	// which they never do, so both are rejected.
	if u.Opaque != "" || u.User != nil || u.Host != "" || (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return nil, fmt.Errorf("%w %q: a memory URL has no host, path or fragment; use \"memory://\" with optional query parameters", kv.ErrInvalidURL, u.Redacted())
	}

	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("%w: memory URL query %q: %w", kv.ErrInvalidURL, u.RawQuery, err)
	}

	opts, err := parseOptions(query)
	if err != nil {
		return nil, err
	}

	return New(opts), nil
}

// parseOptions builds Options from the query of a memory URL. Each
// parameter may appear once, and unknown parameters are rejected, so a
// typo cannot silently fall back to a default.
func parseOptions(query url.Values) (*Options, error) {
	names := make([]string, 0, len(query))
	for name := range query {
		names = append(names, name)
	}

	slices.Sort(names) // report the same parameter first on every run

	var opts Options

	for _, name := range names {
		values := query[name]
		if len(values) != 1 {
			return nil, fmt.Errorf("%w: memory URL parameter %s appears %d times, expected once", kv.ErrInvalidURL, name, len(values))
		}

		value := values[0]

		switch name {
		case "reclaim_interval":
			d, err := time.ParseDuration(value)
			if err != nil {
				return nil, fmt.Errorf("%w: memory URL parameter reclaim_interval=%q is not a Go duration such as \"500ms\": %w", kv.ErrInvalidURL, value, err)
			}

			opts.ReclaimInterval = d

		case "reclaim_limit":
			n, err := strconv.Atoi(value)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("%w: memory URL parameter reclaim_limit=%q must be a positive integer", kv.ErrInvalidURL, value)
			}

			opts.ReclaimLimit = n

		default:
			return nil, fmt.Errorf("%w: unknown memory URL parameter %q; accepted parameters are reclaim_interval and reclaim_limit", kv.ErrInvalidURL, name)
		}
	}

	return &opts, nil
}
