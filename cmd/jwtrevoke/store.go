package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"

	// Backends that --store may name. Importing one registers its URL
	// schemes with kv.Open.
	_ "github.com/anykv/anykv/kv/memcache"
	_ "github.com/anykv/anykv/kv/memory"
	_ "github.com/anykv/anykv/kv/redis"
)

// open checks the Tracker flags, opens the store and builds the admin
// Tracker. It prints any failure and returns its exit code.
func (env *environment) open(ctx context.Context, name string) int {
	opts, err := env.trackerOptions()
	if err != nil {
		return exitCode(env.stderr, name, err)
	}

	if err := checkBoltFile(env.settings.store); err != nil {
		return exitCode(env.stderr, name, err)
	}

	store, err := kv.Open(ctx, env.settings.store)
	if err != nil {
		return exitCode(env.stderr, name, describeOpenError(err))
	}

	tracker, err := jwtrevoke.NewAdmin(store, opts)
	if err != nil {
		_ = store.Close()

		return exitCode(env.stderr, name, &usageError{err.Error()})
	}

	env.store = store
	env.tracker = tracker

	return exitOK
}

// close closes the store and reports a failure, which matters for bbolt,
// whose Close waits for writes in flight.
func (env *environment) close() {
	if err := env.store.Close(); err != nil {
		fmt.Fprintf(env.stderr, "jwtrevoke: close store: %v\n", err)
	}
}

// describeOpenError turns an error of kv.Open into the message and exit
// code for the user. kv.Open's messages name the URL without its
// password.
func describeOpenError(err error) error {
	switch {
	case errors.Is(err, kv.ErrUnknownScheme), errors.Is(err, kv.ErrInvalidURL):
		return &usageError{fmt.Sprintf("invalid --store: %v", err)}
	case errors.Is(err, bolt.ErrLocked):
		return fmt.Errorf("store file is locked by another process, most likely the running server; stop it, or add ?timeout=10s to the URL to wait longer: %w", err)
	default:
		return fmt.Errorf("open store: %w", err)
	}
}

// checkBoltFile returns an error when rawURL names a bbolt file that does
// not exist, because opening it would create an empty file and every
// command would then report that no token exists.
func checkBoltFile(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || !strings.EqualFold(u.Scheme, "bolt") {
		return nil // kv.Open reports a malformed URL.
	}

	// NOTE: this follows the three path forms of kv/bolt's URLs
	// (bolt:///abs, bolt://rel, bolt:rel); a new form there needs a
	// change here.
	path := u.Host + u.Path
	if u.Opaque != "" {
		path, err = url.PathUnescape(u.Opaque)
		if err != nil {
			return nil
		}
	}

	if path == "" {
		return nil
	}

	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("bolt file %q does not exist; run the command in the server's directory or pass --store bolt://PATH of the server's file", path)
	}

	return nil
}
