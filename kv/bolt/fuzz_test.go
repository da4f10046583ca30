package bolt

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/anykv/anykv/kv"
)

// FuzzURL parses bolt URLs without opening a file: any parseable URL
// yields a path and Options, or an error matching kv.ErrInvalidURL that
// never repeats a password.
func FuzzURL(f *testing.F) {
	f.Add("bolt:///var/lib/app.db?timeout=2s&bucket=sessions")
	f.Add("bolt://data/app.db")
	f.Add("bolt:data/app%20db.db")
	f.Add("bolt://user:secret@host/app.db")
	f.Add("bolt:///app.db?timeout=-1s&timeout=1s")
	f.Add("bolt:%zz")

	const password = "Fuzzpasswordsentinel7"

	f.Fuzz(func(t *testing.T, rawURL string) {
		u, err := url.Parse(rawURL)
		if err != nil {
			return
		}

		if u.User != nil {
			u.User = url.UserPassword(u.User.Username(), password)
		}

		path, err := urlPath(u)
		if err == nil {
			if path == "" {
				t.Fatalf("urlPath(%q) returned an empty path and no error", u)
			}

			_, err = urlOptions(u.Query())
		}

		if err == nil {
			return
		}

		if !errors.Is(err, kv.ErrInvalidURL) {
			t.Fatalf("URL %q: error %v does not match kv.ErrInvalidURL", u, err)
		}

		if strings.Contains(err.Error(), password) {
			t.Fatalf("URL %q: error repeats the password: %v", u, err)
		}
	})
}
