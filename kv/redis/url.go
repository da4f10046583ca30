package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/kv"
)

func init() {
	for _, scheme := range []string{"redis", "rediss", "redis+cluster", "rediss+cluster", "redis+sentinel", "rediss+sentinel"} {
		kv.Register(scheme, func(ctx context.Context, u *url.URL) (kv.Store, error) {
			// A nil *Store in a kv.Store would be a non-nil interface.
			store, err := openURL(ctx, u)
			if err != nil {
				return nil, err
			}

			return store, nil
		})
	}
}

// Query parameters that configure the Store rather than the client. Every
// other parameter goes to go-redis, which rejects the ones it does not
// know.
const (
	namespaceParam    = "namespace"
	maxValueSizeParam = "max_value_size"
	scanCountParam    = "scan_count"
)

// OpenURL opens a client from a URL and returns a Store on it, which closes
// the client on Close. The forms are:
//
//	redis://[user:password@]host:port[/db][?options]
//	rediss://...                        the same over TLS
//	redis+cluster://[user:password@]host1:port1,host2:port2[/][?options]
//	redis+sentinel://[user:password@]host1:port1,host2:port2/master[/db][?options]
//
// rediss+cluster and rediss+sentinel use TLS likewise. A Cluster URL lists
// seed nodes and has no database. A Sentinel URL lists Sentinel addresses
// and names the master in its path. Its user and password authenticate to
// the Sentinels, and to the master and replicas too unless the username and
// password options set theirs.
//
// The options namespace, max_value_size and scan_count set the Options
// fields of those names. Every other option is one of go-redis's URL
// options, such as dial_timeout=3s or pool_size=20 (see goredis.ParseURL);
// an unknown option fails with kv.ErrInvalidURL. Error messages never
// repeat the password.
//
// Importing this package registers all six schemes with kv.Open.
func OpenURL(ctx context.Context, rawURL string) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, invalidURL(err)
	}

	return openURL(ctx, u)
}

func openURL(ctx context.Context, u *url.URL) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	query := u.Query()
	settings, err := storeSettings(query)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", kv.ErrInvalidURL, redact(u), err)
	}

	client, err := openClient(u, query)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", kv.ErrInvalidURL, redact(u), err)
	}

	return newStore(client, true, settings), nil
}

// storeSettings removes the Store's own parameters from query and
// returns the settings they give.
func storeSettings(query url.Values) (settings, error) {
	var opts Options

	opts.Namespace = query.Get(namespaceParam)
	query.Del(namespaceParam)

	for name, field := range map[string]*int{maxValueSizeParam: &opts.MaxValueSize, scanCountParam: &opts.ScanCount} {
		if !query.Has(name) {
			continue
		}

		n, err := strconv.Atoi(query.Get(name))
		if err != nil || n <= 0 {
			return settings{}, fmt.Errorf("option %s=%q must be a positive whole number", name, query.Get(name))
		}

		*field = n
		query.Del(name)
	}

	return opts.settings()
}

// openClient builds the go-redis client for the URL form that u's scheme
// selects. query holds the options left for go-redis.
func openClient(u *url.URL, query url.Values) (goredis.UniversalClient, error) {
	scheme := strings.ToLower(u.Scheme)
	base, form, _ := strings.Cut(scheme, "+")
	if base != "redis" && base != "rediss" {
		return nil, fmt.Errorf("unknown scheme %q", u.Scheme)
	}

	switch form {
	case "":
		return openServer(u, base, query)
	case "cluster":
		return openCluster(u, base, query)
	case "sentinel":
		return openSentinel(u, base, query)
	default:
		return nil, fmt.Errorf("unknown scheme %q", u.Scheme)
	}
}

func openServer(u *url.URL, base string, query url.Values) (goredis.UniversalClient, error) {
	if strings.Contains(u.Host, ",") {
		return nil, fmt.Errorf("%s:// takes one server; list Cluster nodes with %s+cluster:// or Sentinels with %s+sentinel://", base, base, base)
	}

	if err := checkPort(u.Host); err != nil {
		return nil, err
	}

	goURL := &url.URL{Scheme: base, User: u.User, Host: u.Host, Path: u.Path, RawQuery: query.Encode()}

	opts, err := goredis.ParseURL(goURL.String())
	if err != nil {
		return nil, withoutURL(err)
	}

	return goredis.NewClient(opts), nil
}

func openCluster(u *url.URL, base string, query url.Values) (goredis.UniversalClient, error) {
	hosts, err := splitHosts(u.Host)
	if err != nil {
		return nil, err
	}

	if strings.Trim(u.Path, "/") != "" {
		return nil, fmt.Errorf("a Cluster URL has no path, because a Cluster has only database 0; got %q", u.Path)
	}

	for _, host := range hosts[1:] {
		query.Add("addr", host)
	}

	goURL := &url.URL{Scheme: base, User: u.User, Host: hosts[0], RawQuery: query.Encode()}

	opts, err := goredis.ParseClusterURL(goURL.String())
	if err != nil {
		return nil, withoutURL(err)
	}

	return goredis.NewClusterClient(opts), nil
}

func openSentinel(u *url.URL, base string, query url.Values) (goredis.UniversalClient, error) {
	hosts, err := splitHosts(u.Host)
	if err != nil {
		return nil, err
	}

	master, db, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
	if master == "" {
		return nil, errors.New("a Sentinel URL names the master in its path, as in redis+sentinel://host:26379/mymaster")
	}

	for _, host := range hosts[1:] {
		query.Add("addr", host)
	}
	query.Set("master_name", master)

	goURL := &url.URL{Scheme: base, User: u.User, Host: hosts[0], RawQuery: query.Encode()}
	if db != "" {
		goURL.Path = "/" + db
	}

	opts, err := goredis.ParseFailoverURL(goURL.String())
	if err != nil {
		return nil, withoutURL(err)
	}

	// go-redis reads the URL's user and password as the Sentinels'
	// credentials. The master and replicas get the same ones unless the
	// query set theirs.
	if opts.Username == "" && opts.Password == "" {
		opts.Username, opts.Password = opts.SentinelUsername, opts.SentinelPassword
	}

	return goredis.NewFailoverClient(opts), nil
}

// splitHosts splits the comma-separated host:port list of a Cluster or
// Sentinel URL.
func splitHosts(hostList string) ([]string, error) {
	hosts := strings.Split(hostList, ",")
	for _, host := range hosts {
		if host == "" {
			return nil, fmt.Errorf("empty address in host list %q", hostList)
		}

		if err := checkPort(host); err != nil {
			return nil, err
		}
	}

	return hosts, nil
}

// checkPort returns an error unless host is a host name or address
// without a port, or with a port from 1 to 65535. go-redis accepts any
// port string and fails only when it dials.
func checkPort(host string) error {
	_, port, err := net.SplitHostPort(host)
	if err != nil {
		var addrErr *net.AddrError
		if errors.As(err, &addrErr) && addrErr.Err == "missing port in address" {
			return nil
		}

		return fmt.Errorf("invalid address %q: %w", host, err)
	}

	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("invalid port %q in address %q: want a number from 1 to 65535", port, host)
	}

	return nil
}

// redact returns u for an error message with the password of its user
// and the values of query options that name a password (go-redis's
// Sentinel URLs accept password=) replaced.
func redact(u *url.URL) string {
	query := u.Query()
	redacted := false
	for name := range query {
		if strings.Contains(strings.ToLower(name), "password") {
			query.Set(name, "xxxxx")
			redacted = true
		}
	}

	if !redacted {
		return u.Redacted()
	}

	copied := *u
	copied.RawQuery = query.Encode()

	return copied.Redacted()
}

// withoutURL drops the URL that a url.Error repeats, since it holds the
// password.
func withoutURL(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}

	return err
}

func invalidURL(err error) error {
	return fmt.Errorf("%w: %w", kv.ErrInvalidURL, withoutURL(err))
}
