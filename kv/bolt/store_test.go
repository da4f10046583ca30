package bolt_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
)

// openTemp opens a store in a new file under t.TempDir and closes it when
// the test ends.
func openTemp(t *testing.T, opts *bolt.Options) (*bolt.Store, string) {
	t.Helper()

	path := filepath.Join(t.TempDir(), "test.db")

	s, err := bolt.Open(path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}

	t.Cleanup(func() { _ = s.Close() })

	return s, path
}

// openCallerDB opens a bbolt file under t.TempDir, as a caller of New
// would, and closes it when the test ends.
func openCallerDB(t *testing.T) *bbolt.DB {
	t.Helper()

	path := filepath.Join(t.TempDir(), "caller.db")

	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { _ = db.Close() })

	return db
}

func mustPut(t *testing.T, s kv.Store, key, value string) {
	t.Helper()

	if err := s.Put(context.Background(), key, []byte(value)); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func mustGet(t *testing.T, s kv.Store, key string) string {
	t.Helper()

	v, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}

	return string(v)
}

func TestPutGetDelete(t *testing.T) {
	s, _ := openTemp(t, nil)
	ctx := context.Background()

	mustPut(t, s, "a", "1")
	if got := mustGet(t, s, "a"); got != "1" {
		t.Fatalf("Get(a) = %q, want 1", got)
	}

	mustPut(t, s, "a", "2")
	if got := mustGet(t, s, "a"); got != "2" {
		t.Fatalf("Get(a) after overwrite = %q, want 2", got)
	}

	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatalf("Delete(a): %v", err)
	}

	if _, err := s.Get(ctx, "a"); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("Get(a) after Delete = %v, want ErrNotFound", err)
	}

	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatalf("Delete of absent key: %v", err)
	}
}

func TestEmptyValueIsNotNil(t *testing.T) {
	s, _ := openTemp(t, nil)

	if err := s.Put(context.Background(), "empty", nil); err != nil {
		t.Fatal(err)
	}

	v, err := s.Get(context.Background(), "empty")
	if err != nil {
		t.Fatalf("Get(empty): %v", err)
	}

	if v == nil || len(v) != 0 {
		t.Fatalf("Get(empty) = %#v, want a non-nil empty slice", v)
	}
}

func TestDurableAcrossReopen(t *testing.T) {
	s, path := openTemp(t, nil)
	ctx := context.Background()

	mustPut(t, s, "plain", "p")
	if err := s.PutTTL(ctx, "ttl", []byte("t"), time.Hour); err != nil {
		t.Fatal(err)
	}

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s2, err := bolt.Open(path, nil)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()

	if got := mustGet(t, s2, "plain"); got != "p" {
		t.Errorf("plain after reopen = %q, want p", got)
	}

	if got := mustGet(t, s2, "ttl"); got != "t" {
		t.Errorf("ttl after reopen = %q, want t", got)
	}
}

func TestValueNotAliased(t *testing.T) {
	s, _ := openTemp(t, nil)
	ctx := context.Background()

	in := []byte("original")
	if err := s.Put(ctx, "k", in); err != nil {
		t.Fatal(err)
	}

	copy(in, "XXXXXXXX")

	out, err := s.Get(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}

	if string(out) != "original" {
		t.Fatalf("Get after caller changed the Put slice = %q, want original", out)
	}

	copy(out, "YYYYYYYY")

	// Many writes grow the file and make bbolt remap it, which would
	// invalidate or overwrite a slice that still pointed into the map.
	keep, err := s.Get(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}

	big := bytes.Repeat([]byte("v"), 64<<10)
	for i := range 200 {
		if err := s.Put(ctx, fmt.Sprintf("fill/%04d", i), big); err != nil {
			t.Fatal(err)
		}
	}

	if err := s.Put(ctx, "k", []byte("replaced")); err != nil {
		t.Fatal(err)
	}

	if string(keep) != "original" {
		t.Fatalf("slice from Get changed to %q after later writes", keep)
	}

	if got := mustGet(t, s, "k"); got != "replaced" {
		t.Fatalf("Get(k) = %q, want replaced", got)
	}
}

func TestValueTooLarge(t *testing.T) {
	s, _ := openTemp(t, &bolt.Options{MaxValueSize: 10})
	ctx := context.Background()

	err := s.Put(ctx, "k", make([]byte, 11))
	if !errors.Is(err, kv.ErrValueTooLarge) {
		t.Fatalf("Put of 11 bytes = %v, want ErrValueTooLarge", err)
	}

	if !strings.Contains(err.Error(), "11") || !strings.Contains(err.Error(), "10") {
		t.Errorf("error %q does not name the size and the limit", err)
	}

	if _, err := s.Get(ctx, "k"); !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("Get after rejected Put = %v, want ErrNotFound", err)
	}

	if err := s.Put(ctx, "k", make([]byte, 10)); err != nil {
		t.Errorf("Put of 10 bytes: %v", err)
	}
}

func TestOptionsOutOfRange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")

	for _, opts := range []*bolt.Options{
		{MaxValueSize: -1},
		{MaxValueSize: bolt.DefaultMaxValueSize + 1},
		{ReclaimBatchSize: -1},
	} {
		s, err := bolt.Open(path, opts)
		if err == nil {
			s.Close()
			t.Errorf("Open with %+v succeeded, want an error", *opts)
		}
	}
}

func TestInvalidInputsRejectedFirst(t *testing.T) {
	s, _ := openTemp(t, nil)
	ctx := context.Background()

	if err := s.Put(ctx, "bad key", []byte("v")); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("Put with space = %v, want ErrInvalidKey", err)
	}

	if _, err := s.Get(ctx, ""); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("Get of empty key = %v, want ErrInvalidKey", err)
	}

	for _, ttl := range []time.Duration{0, -time.Second} {
		if err := s.PutTTL(ctx, "k", []byte("v"), ttl); !errors.Is(err, kv.ErrInvalidTTL) {
			t.Errorf("PutTTL(%v) = %v, want ErrInvalidTTL", ttl, err)
		}
	}

	if err := s.PutTTL(ctx, "k", []byte("v"), time.Duration(1<<63-1)); !errors.Is(err, kv.ErrInvalidTTL) {
		t.Errorf("PutTTL past 2262 = %v, want ErrInvalidTTL", err)
	}

	if _, err := s.Get(ctx, "k"); !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("a rejected PutTTL stored something: Get = %v", err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	if err := s.Put(cancelled, "k", []byte("v")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with cancelled context = %v, want context.Canceled", err)
	}

	if _, err := s.Get(ctx, "k"); !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("Put with cancelled context stored something: Get = %v", err)
	}
}

func TestClosedStore(t *testing.T) {
	s, _ := openTemp(t, nil)
	ctx := context.Background()

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	checks := map[string]error{
		"Put":    s.Put(ctx, "k", nil),
		"PutTTL": s.PutTTL(ctx, "k", nil, time.Second),
		"Delete": s.Delete(ctx, "k"),
	}

	_, checks["Get"] = s.Get(ctx, "k")
	_, checks["GetMany"] = s.GetMany(ctx, []string{"k"})
	_, checks["PutIfAbsent"] = s.PutIfAbsent(ctx, "k", nil)
	_, checks["CompareAndSwap"] = s.CompareAndSwap(ctx, "k", nil, nil)
	_, checks["Reclaim"] = s.Reclaim(ctx)

	for _, err := range s.Keys(ctx, "") {
		checks["Keys"] = err
	}

	for name, err := range checks {
		if !errors.Is(err, kv.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
}

func TestNewLeavesCallerDBOpen(t *testing.T) {
	db := openCallerDB(t)

	s, err := bolt.New(db, &bolt.Options{Bucket: "mine"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}

	mustPut(t, s, "k", "v")

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	err = db.View(func(tx *bbolt.Tx) error {
		if tx.Bucket([]byte("mine")) == nil {
			return errors.New("bucket mine is missing")
		}

		return nil
	})
	if err != nil {
		t.Fatalf("caller's DB after Close: %v", err)
	}

	s2, err := bolt.New(db, &bolt.Options{Bucket: "mine"})
	if err != nil {
		t.Fatalf("second New on the same DB: %v", err)
	}
	defer s2.Close()

	if got := mustGet(t, s2, "k"); got != "v" {
		t.Fatalf("Get(k) through a second store = %q, want v", got)
	}
}

func TestBucketsShareFile(t *testing.T) {
	db := openCallerDB(t)

	a, err := bolt.New(db, &bolt.Options{Bucket: "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	b, err := bolt.New(db, &bolt.Options{Bucket: "b"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	mustPut(t, a, "k", "from a")

	if _, err := b.Get(context.Background(), "k"); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("store b sees store a's key: %v", err)
	}
}

func TestForeignBucketRejected(t *testing.T) {
	db := openCallerDB(t)

	err := db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("anykv"))
		if err != nil {
			return err
		}

		return b.Put([]byte("someone"), []byte("else"))
	})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := bolt.New(db, nil); !errors.Is(err, bolt.ErrFormat) {
		t.Fatalf("New on a foreign bucket = %v, want ErrFormat", err)
	}

	err = db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("future"))
		if err != nil {
			return err
		}

		return b.Put([]byte("format"), []byte{99})
	})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := bolt.New(db, &bolt.Options{Bucket: "future"}); !errors.Is(err, bolt.ErrFormat) {
		t.Fatalf("New on format version 99 = %v, want ErrFormat", err)
	}
}

func TestGetMany(t *testing.T) {
	s, _ := openTemp(t, nil)
	ctx := context.Background()

	mustPut(t, s, "a", "1")
	mustPut(t, s, "c", "")

	got, err := s.GetMany(ctx, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}

	if string(got[0]) != "1" || got[1] != nil || got[2] == nil || len(got[2]) != 0 {
		t.Fatalf("GetMany = %#v, want [1 nil empty]", got)
	}

	if _, err := s.GetMany(ctx, []string{"a", "bad key"}); !errors.Is(err, kv.ErrInvalidKey) {
		t.Fatalf("GetMany with an invalid key = %v, want ErrInvalidKey", err)
	}
}

func TestKeysSortedByPrefix(t *testing.T) {
	s, _ := openTemp(t, nil)
	ctx := context.Background()

	for _, k := range []string{"a*", "a*b", "ab", "b", "a", "a*a"} {
		mustPut(t, s, k, "v")
	}

	var got []string
	for k, err := range s.Keys(ctx, "a*") {
		if err != nil {
			t.Fatal(err)
		}

		got = append(got, k)
	}

	want := []string{"a*", "a*a", "a*b"}
	if !slices.Equal(got, want) {
		t.Fatalf("Keys(a*) = %q, want %q", got, want)
	}

	var errs []error
	for _, err := range s.Keys(ctx, "bad prefix") {
		errs = append(errs, err)
	}

	if len(errs) != 1 || !errors.Is(errs[0], kv.ErrInvalidKey) {
		t.Fatalf("Keys with invalid prefix yielded %v, want one ErrInvalidKey", errs)
	}
}

func TestKeysDeleteInsideLoop(t *testing.T) {
	s, _ := openTemp(t, nil)
	ctx := context.Background()

	// More keys than one listing chunk, so the loop crosses chunk edges.
	const n = 1000

	for i := range n {
		mustPut(t, s, fmt.Sprintf("k/%04d", i), "v")
	}

	seen := map[string]int{}
	for k, err := range s.Keys(ctx, "k/") {
		if err != nil {
			t.Fatal(err)
		}

		seen[k]++

		if err := s.Delete(ctx, k); err != nil {
			t.Fatalf("Delete(%q) inside the loop: %v", k, err)
		}

		// Deleting a key the listing has not reached yet: it must not be
		// yielded, and nothing else may be skipped.
		if err := s.Delete(ctx, "k/0999"); err != nil {
			t.Fatal(err)
		}
	}

	for i := range n - 1 {
		k := fmt.Sprintf("k/%04d", i)
		if seen[k] != 1 {
			t.Errorf("key %s yielded %d times, want once", k, seen[k])
		}
	}

	if seen["k/0999"] != 0 {
		t.Errorf("key deleted before the listing reached it was yielded")
	}

	for k, err := range s.Keys(ctx, "") {
		t.Fatalf("store not empty after deleting in the loop: %q, %v", k, err)
	}
}
