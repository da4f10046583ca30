package memcache

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/anykv/anykv/kv"
)

// defaultPort is memcached's standard TCP port, used for a server in a URL
// that gives none.
const defaultPort = "11211"

func init() {
	kv.Register("memcache", openURL)
}

// openURL builds a Store from a URL of the form
//
//	memcache://host1:11211,host2:11211?timeout=1s&max_idle=8&namespace=app:&max_item_size=2m
//	memcache:///run/memcached/memcached.sock
//
// A server without a port uses 11211. Go's URL parser rejects an IPv6
// literal in a list of several servers, so such a list needs New. The query
// options set the Options fields: timeout (a Go duration such as "250ms"),
// max_idle (a count), namespace, and max_item_size (bytes, or with a k or m
// suffix for KiB or MiB as memcached's -I takes them). Any other option, a
// repeated option, a user name or password, or a fragment fails with
// kv.ErrInvalidURL.
func openURL(ctx context.Context, u *url.URL) (kv.Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	servers, err := urlServers(u)
	if err != nil {
		return nil, err
	}

	opts, err := urlOptions(u)
	if err != nil {
		return nil, err
	}

	store, err := New(servers, opts)
	if err != nil {
		return nil, fmt.Errorf("open %q: %w", u.Redacted(), err)
	}

	return store, nil
}

// urlServers returns the server addresses in u: the comma-separated hosts,
// or else the path of a Unix socket.
func urlServers(u *url.URL) ([]string, error) {
	if u.User != nil {
		return nil, fmt.Errorf("%w %q: memcached's text protocol has no authentication, so the URL must not contain a user name or password", kv.ErrInvalidURL, u.Redacted())
	}

	if u.Fragment != "" {
		return nil, fmt.Errorf("%w %q: unexpected fragment %q", kv.ErrInvalidURL, u.Redacted(), u.Fragment)
	}

	if u.Host == "" {
		if u.Path == "" || u.Path == "/" {
			return nil, fmt.Errorf("%w %q: no server; give host:port pairs separated by commas, or the path of a Unix socket", kv.ErrInvalidURL, u.Redacted())
		}

		return []string{u.Path}, nil
	}

	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("%w %q: unexpected path %q after the servers", kv.ErrInvalidURL, u.Redacted(), u.Path)
	}

	hosts := strings.Split(u.Host, ",")
	servers := make([]string, 0, len(hosts))

	for _, host := range hosts {
		server, err := withPort(host)
		if err != nil {
			return nil, fmt.Errorf("%w %q: server %q: %w", kv.ErrInvalidURL, u.Redacted(), host, err)
		}

		servers = append(servers, server)
	}

	return servers, nil
}

// withPort returns host as "host:port", adding memcached's default port
// when host has none.
func withPort(host string) (string, error) {
	if host == "" {
		return "", errors.New("empty server address")
	}

	if _, port, err := net.SplitHostPort(host); err == nil {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("invalid port %q: want a number from 1 to 65535", port)
		}

		return host, nil
	}

	bare := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.ContainsAny(bare, "[]") || (strings.Contains(bare, ":") && !strings.HasPrefix(host, "[")) {
		return "", errors.New("invalid server address: want host, host:port or [IPv6]:port")
	}

	return net.JoinHostPort(bare, defaultPort), nil
}

// urlOptions returns the Options set by the query of u.
func urlOptions(u *url.URL) (*Options, error) {
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("%w %q: invalid query: %w", kv.ErrInvalidURL, u.Redacted(), err)
	}

	opts := new(Options)

	for name, values := range query {
		if len(values) != 1 {
			return nil, fmt.Errorf("%w %q: option %s is given %d times, want once", kv.ErrInvalidURL, u.Redacted(), name, len(values))
		}

		if err := setURLOption(opts, name, values[0]); err != nil {
			return nil, fmt.Errorf("%w %q: %w", kv.ErrInvalidURL, u.Redacted(), err)
		}
	}

	// Check the options here, so that a bad value reads as a bad URL.
	if _, err := opts.withDefaults(); err != nil {
		return nil, fmt.Errorf("%w %q: %w", kv.ErrInvalidURL, u.Redacted(), err)
	}

	return opts, nil
}

// setURLOption sets the Options field that the query option name sets.
func setURLOption(opts *Options, name, value string) error {
	switch name {
	case "timeout":
		timeout, err := time.ParseDuration(value)
		if err != nil || timeout <= 0 {
			return fmt.Errorf("invalid timeout %q: want a positive Go duration such as 500ms or 2s", value)
		}

		opts.Timeout = timeout
	case "max_idle":
		maxIdle, err := strconv.Atoi(value)
		if err != nil || maxIdle <= 0 {
			return fmt.Errorf("invalid max_idle %q: want a positive number of connections", value)
		}

		opts.MaxIdleConns = maxIdle
	case "namespace":
		opts.Namespace = value
	case "max_item_size":
		size, err := parseItemSize(value)
		if err != nil {
			return fmt.Errorf("invalid max_item_size %q: %w", value, err)
		}

		opts.MaxItemSize = size
	default:
		return fmt.Errorf("unknown option %q; the options are timeout, max_idle, namespace and max_item_size", name)
	}

	return nil
}

// parseItemSize parses a size in bytes, with an optional k or m suffix for
// KiB or MiB, as memcached's -I option takes it.
func parseItemSize(value string) (int, error) {
	multiplier := 1
	digits := value

	switch {
	case strings.HasSuffix(value, "k"), strings.HasSuffix(value, "K"):
		multiplier = 1 << 10
		digits = value[:len(value)-1]
	case strings.HasSuffix(value, "m"), strings.HasSuffix(value, "M"):
		multiplier = 1 << 20
		digits = value[:len(value)-1]
	}

	n, err := strconv.Atoi(digits)
	if err != nil || n <= 0 || n > (1<<30)/multiplier {
		return 0, errors.New("want a positive size in bytes up to 1 GiB, optionally with a k or m suffix, such as 1048576 or 1m")
	}

	return n * multiplier, nil
}
