package hostile_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anykv/anykv/kv"
	_ "github.com/anykv/anykv/kv/bolt"
	_ "github.com/anykv/anykv/kv/memcache"
	_ "github.com/anykv/anykv/kv/memory"
	_ "github.com/anykv/anykv/kv/redis"
)

// TestHostileURLs opens bad store URLs with every backend registered.
// None may return a store, and no message may repeat the password.
func TestHostileURLs(t *testing.T) {
	dir := t.TempDir()
	boltFile := filepath.Join(dir, "never-created.db")

	cases := []struct {
		name   string
		url    string
		want   error
		secret string // must not appear in the error
	}{
		{"unknown scheme", "ftp://127.0.0.1/x", kv.ErrUnknownScheme, ""},
		{"unknown scheme with password", "mongodb://user:hunter2hunter2@127.0.0.1:27017", kv.ErrUnknownScheme, "hunter2hunter2"},
		{"no scheme", "127.0.0.1:6379", kv.ErrInvalidURL, ""},
		{"empty", "", kv.ErrInvalidURL, ""},
		{"port not a number", "redis://user:hunter2hunter2@127.0.0.1:notaport", kv.ErrInvalidURL, "hunter2hunter2"},
		{"port above 65535", "redis://user:hunter2hunter2@127.0.0.1:99999", kv.ErrInvalidURL, "hunter2hunter2"},
		{"port zero", "redis://127.0.0.1:0", kv.ErrInvalidURL, ""},
		{"two ports", "redis://user:hunter2hunter2@127.0.0.1:1:2", kv.ErrInvalidURL, "hunter2hunter2"},
		{"cluster node port above 65535", "redis+cluster://127.0.0.1:7000,127.0.0.1:70000", kv.ErrInvalidURL, ""},
		{"memcache port above 65535", "memcache://127.0.0.1:99999", kv.ErrInvalidURL, ""},
		{"password with unescaped space", "redis://user:p@ss word@127.0.0.1:6379", kv.ErrInvalidURL, "p@ss word"},
		{"password with unescaped slash", "redis://user:p@ss/word@127.0.0.1:6379/0", kv.ErrInvalidURL, "p@ss/word"},
		{"password with bad escape", "redis://user:pa%zzsecretsecret@127.0.0.1:6379", kv.ErrInvalidURL, "secretsecret"},
		{"password in the query", "redis://127.0.0.1:6379/0?password=hunter2hunter2&bogus=1", kv.ErrInvalidURL, "hunter2hunter2"},
		{"database not a number", "redis://user:hunter2hunter2@127.0.0.1:6379/first", kv.ErrInvalidURL, "hunter2hunter2"},
		{"unknown redis option", "redis://user:hunter2hunter2@127.0.0.1:6379/0?bogus=1", kv.ErrInvalidURL, "hunter2hunter2"},
		{"negative max value size", "redis://127.0.0.1:6379/0?max_value_size=-1", kv.ErrInvalidURL, ""},
		{"cluster with a database", "redis+cluster://127.0.0.1:7000/3", kv.ErrInvalidURL, ""},
		{"sentinel without master", "redis+sentinel://user:hunter2hunter2@127.0.0.1:26379", kv.ErrInvalidURL, "hunter2hunter2"},
		{"memcache with password", "memcache://user:hunter2hunter2@127.0.0.1:11211", kv.ErrInvalidURL, "hunter2hunter2"},
		{"memcache zero timeout", "memcache://127.0.0.1:11211?timeout=0s", kv.ErrInvalidURL, ""},
		{"memory with host", "memory://somewhere", kv.ErrInvalidURL, ""},
		{"memory with unknown option", "memory://?size=1", kv.ErrInvalidURL, ""},
		{"bolt without path", "bolt://", kv.ErrInvalidURL, ""},
		{"bolt with password", "bolt://user:hunter2hunter2@" + boltFile, kv.ErrInvalidURL, "hunter2hunter2"},
		{"bolt negative timeout", "bolt://" + boltFile + "?timeout=-1s", kv.ErrInvalidURL, ""},
		{"bolt unknown option", "bolt://" + boltFile + "?sync=off", kv.ErrInvalidURL, ""},
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store, err := kv.Open(context.Background(), c.url)
			if store != nil {
				_ = store.Close()
				t.Errorf("Open returned a store beside error %v, want nil", err)
			}

			if !errors.Is(err, c.want) {
				t.Errorf("Open = %v, want %v", err, c.want)
			}

			if c.secret != "" && err != nil && strings.Contains(err.Error(), c.secret) {
				t.Errorf("error repeats the password: %v", err)
			}
		})
	}

	if _, err := os.Stat(boltFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a rejected bolt URL created %s (stat: %v)", boltFile, err)
	}
}
