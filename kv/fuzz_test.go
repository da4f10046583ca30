package kv_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/anykv/anykv/kv"
	_ "github.com/anykv/anykv/kv/bolt"
	_ "github.com/anykv/anykv/kv/memcache"
	_ "github.com/anykv/anykv/kv/memory"
	_ "github.com/anykv/anykv/kv/redis"
)

// maxKeyErrorLen bounds the message of a rejected key, which quotes at
// most 64 bytes of it however long it is.
const maxKeyErrorLen = 512

func FuzzValidateKey(f *testing.F) {
	f.Add("key")
	f.Add("")
	f.Add(strings.Repeat("k", kv.MaxKeyLen))
	f.Add(strings.Repeat("k", kv.MaxKeyLen+1))
	f.Add("a b")
	f.Add("key\n")
	f.Add("\x00")
	f.Add("clé")
	f.Add("!~")

	f.Fuzz(func(t *testing.T, key string) {
		err := kv.ValidateKey(key)

		valid := len(key) >= 1 && len(key) <= kv.MaxKeyLen
		for i := 0; i < len(key); i++ {
			if key[i] < '!' || key[i] > '~' {
				valid = false
			}
		}

		if valid != (err == nil) {
			t.Fatalf("ValidateKey(%q) = %v, but the key rule says valid=%v", key, err, valid)
		}

		if err != nil && !errors.Is(err, kv.ErrInvalidKey) {
			t.Fatalf("ValidateKey(%q) = %v, which does not match kv.ErrInvalidKey", key, err)
		}

		if err != nil && len(err.Error()) > maxKeyErrorLen {
			t.Fatalf("ValidateKey of a %d-byte key returned a %d-byte message", len(key), len(err.Error()))
		}

		if prefixErr := kv.ValidatePrefix(key); (prefixErr == nil) != (err == nil || key == "") {
			t.Fatalf("ValidatePrefix(%q) = %v, but ValidateKey = %v", key, prefixErr, err)
		}
	})
}

// fuzzPassword replaces the password of every parseable fuzzed URL. It is
// a plain word so that no escaping changes how it appears in a message.
const fuzzPassword = "Fuzzpasswordsentinel7"

func FuzzOpen(f *testing.F) {
	f.Add("memory://")
	f.Add("memory://?reclaim_interval=1s&reclaim_limit=10")
	f.Add("memory://host/path")
	f.Add("redis://user:secret@127.0.0.1:6379/0?dial_timeout=1s")
	f.Add("redis://user:p@ss/word@127.0.0.1:6379/0")
	f.Add("redis+cluster://127.0.0.1:7000,127.0.0.1:7001?namespace=app:")
	f.Add("rediss+sentinel://u:secret@127.0.0.1:26379,127.0.0.1:26380/mymaster/2?password=other")
	f.Add("redis://127.0.0.1:99999")
	f.Add("memcache://127.0.0.1:11211,[::1]:11211?timeout=1s&max_item_size=2m")
	f.Add("memcache://user:secret@127.0.0.1")
	f.Add("bolt:///tmp/never.db?timeout=1s")
	f.Add("ftp://user:secret@127.0.0.1/x")
	f.Add("%zz://x")
	f.Add("")

	f.Fuzz(func(t *testing.T, rawURL string) {
		u, err := url.Parse(rawURL)
		if err != nil {
			// kv.Open fails at parsing too, before any backend runs.
			store, err := kv.Open(context.Background(), rawURL)
			checkOpen(t, rawURL, store, err, "")

			return
		}

		if !safeToOpen(u) {
			return
		}

		store, err := kv.Open(context.Background(), rawURL)
		checkOpen(t, rawURL, store, err, "")

		if u.User == nil {
			return
		}

		u.User = url.UserPassword(u.User.Username(), fuzzPassword)
		withPassword := u.String()

		store, err = kv.Open(context.Background(), withPassword)
		checkOpen(t, withPassword, store, err, fuzzPassword)
	})
}

// checkOpen fails t unless Open returned exactly one of a store and an
// error, and the error does not contain password.
func checkOpen(t *testing.T, rawURL string, store kv.Store, err error, password string) {
	t.Helper()

	if store != nil {
		_ = store.Close()
	}

	if (store == nil) == (err == nil) {
		t.Fatalf("Open(%q) = %v, %v; want a store or an error", rawURL, store, err)
	}

	if password != "" && err != nil && strings.Contains(err.Error(), password) {
		t.Fatalf("Open(%q) error repeats the password: %v", rawURL, err)
	}
}

// safeToOpen reports whether Open may run on u within a test: it must not
// create a file, resolve a host name or dial. bolt URLs create files, so
// they are left to kv/bolt's own tests. memcache resolves its servers at
// once, so only IP literals pass. A go-redis client dials at creation only
// for a minimum of idle connections, so those options are left out.
func safeToOpen(u *url.URL) bool {
	scheme := strings.ToLower(u.Scheme)

	switch {
	case scheme == "bolt":
		return false
	case scheme == "memcache":
		for _, host := range strings.Split(u.Host, ",") {
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}

			if net.ParseIP(strings.Trim(host, "[]")) == nil {
				return false
			}
		}

		return u.Host != ""
	case strings.HasPrefix(scheme, "redis"):
		return !strings.Contains(strings.ToLower(u.RawQuery), "idle")
	default:
		return true
	}
}
