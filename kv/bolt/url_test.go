package bolt_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
)

// openURLAndPut opens rawURL with kv.Open, stores one key and closes the
// store.
func openURLAndPut(t *testing.T, rawURL string) {
	t.Helper()

	s, err := kv.Open(context.Background(), rawURL)
	if err != nil {
		t.Fatalf("kv.Open(%q): %v", rawURL, err)
	}

	if _, ok := s.(*bolt.Store); !ok {
		t.Fatalf("kv.Open(%q) returned %T, want *bolt.Store", rawURL, s)
	}

	mustPut(t, s, "k", "v")

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// hasBucket reports whether the file at path has a top-level bucket name.
func hasBucket(t *testing.T, path, name string) bool {
	t.Helper()

	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()

	found := false
	_ = db.View(func(tx *bbolt.Tx) error {
		found = tx.Bucket([]byte(name)) != nil
		return nil
	})

	return found
}

func TestURLForms(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)

	if err := os.Mkdir("sub", 0o700); err != nil {
		t.Fatal(err)
	}

	cases := map[string]string{
		"bolt://" + filepath.Join(dir, "abs.db"): filepath.Join(dir, "abs.db"),
		"bolt://host.db":                         filepath.Join(dir, "host.db"),
		"bolt://sub/hostpath.db":                 filepath.Join(dir, "sub", "hostpath.db"),
		"bolt:opaque.db":                         filepath.Join(dir, "opaque.db"),
		"bolt:sub/opaque.db":                     filepath.Join(dir, "sub", "opaque.db"),
	}

	for rawURL, file := range cases {
		openURLAndPut(t, rawURL)

		if !hasBucket(t, file, "anykv") {
			t.Errorf("kv.Open(%q) did not create the store in %s", rawURL, file)
		}
	}
}

func TestURLQueryOptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")

	openURLAndPut(t, "bolt://"+path+"?bucket=sessions&timeout=250ms")

	if !hasBucket(t, path, "sessions") {
		t.Fatalf("bucket=sessions did not name the bucket")
	}

	holder, err := bolt.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()

	s, err := kv.Open(context.Background(), "bolt://"+path+"?timeout=50ms")
	if !errors.Is(err, bolt.ErrLocked) {
		t.Fatalf("kv.Open of a held file with timeout=50ms = %v, want ErrLocked", err)
	}

	if s != nil {
		t.Fatalf("kv.Open of a held file returned a non-nil store %#v next to its error", s)
	}
}

func TestURLInvalid(t *testing.T) {
	dir := t.TempDir()

	invalid := []string{
		"bolt://" + dir + "/x.db?mode=0600",
		"bolt://" + dir + "/x.db?timeout=soon",
		"bolt://" + dir + "/x.db?timeout=-1s",
		"bolt://" + dir + "/x.db?bucket=",
		"bolt://" + dir + "/x.db?bucket=a&bucket=b",
		"bolt://user:secret@" + dir + "/x.db",
		"bolt://",
		"bolt:",
	}

	for _, rawURL := range invalid {
		s, err := kv.Open(context.Background(), rawURL)
		if err == nil {
			s.Close()
			t.Errorf("kv.Open(%q) succeeded, want ErrInvalidURL", rawURL)

			continue
		}

		if !errors.Is(err, kv.ErrInvalidURL) {
			t.Errorf("kv.Open(%q) = %v, want ErrInvalidURL", rawURL, err)
		}

		if s != nil {
			t.Errorf("kv.Open(%q) failed but returned a non-nil store %#v", rawURL, s)
		}
	}
}
