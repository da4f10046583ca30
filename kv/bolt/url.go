package bolt

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/anykv/anykv/kv"
)

func init() {
	kv.Register("bolt", openURL)
}

// openURL opens a store from a URL in one of three forms:
//
//	bolt:///var/lib/app.db    absolute path
//	bolt://data/app.db        relative path, written as host and path
//	bolt:data/app.db          relative path, written as an opaque URL
//
// The query may set timeout (a Go duration such as 500ms, for
// Options.OpenTimeout) and bucket (Options.Bucket). Any other query key
// fails with kv.ErrInvalidURL.
func openURL(ctx context.Context, u *url.URL) (kv.Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	path, err := urlPath(u)
	if err != nil {
		return nil, err
	}

	opts, err := urlOptions(u.Query())
	if err != nil {
		return nil, err
	}

	// A nil *Store in a kv.Store would be a non-nil interface.
	store, err := Open(path, opts)
	if err != nil {
		return nil, err
	}

	return store, nil
}

// urlPath returns the file path a bolt URL names.
func urlPath(u *url.URL) (string, error) {
	if u.User != nil {
		return "", fmt.Errorf("%w: a bolt URL names a file and takes no user or password", kv.ErrInvalidURL)
	}

	var path string

	if u.Opaque != "" {
		p, err := url.PathUnescape(u.Opaque)
		if err != nil {
			return "", fmt.Errorf("%w: path %q: %w", kv.ErrInvalidURL, u.Opaque, err)
		}

		path = p
	} else {
		// NOTE: On Windows, bolt:///C:/app.db yields the path "/C:/app.db",
		// which is wrong there; the opaque form bolt:C:/app.db works.
		path = u.Host + u.Path
	}

	if path == "" {
		return "", fmt.Errorf("%w: bolt URL %q has no file path; write bolt:///abs/path.db or bolt://relative.db", kv.ErrInvalidURL, u.Redacted())
	}

	return path, nil
}

// urlOptions reads the query of a bolt URL into Options.
func urlOptions(query url.Values) (*Options, error) {
	opts := &Options{}

	for name, values := range query {
		if len(values) != 1 {
			return nil, fmt.Errorf("%w: query option %q given %d times", kv.ErrInvalidURL, name, len(values))
		}

		value := values[0]

		switch name {
		case "timeout":
			d, err := time.ParseDuration(value)
			if err != nil {
				return nil, fmt.Errorf("%w: timeout %q is not a Go duration such as 500ms or 2s", kv.ErrInvalidURL, value)
			}

			if d <= 0 {
				return nil, fmt.Errorf("%w: timeout %q must be greater than zero", kv.ErrInvalidURL, value)
			}

			opts.OpenTimeout = d
		case "bucket":
			if value == "" {
				return nil, fmt.Errorf("%w: bucket must not be empty", kv.ErrInvalidURL)
			}

			opts.Bucket = value
		default:
			return nil, fmt.Errorf("%w: unknown query option %q; a bolt URL accepts %s", kv.ErrInvalidURL, name, strings.Join(urlQueryKeys, ", "))
		}
	}

	return opts, nil
}

// urlQueryKeys are the query options a bolt URL accepts.
var urlQueryKeys = []string{"bucket", "timeout"}
