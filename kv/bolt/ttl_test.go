package bolt_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
)

// bucketCounts returns the number of entries in the data bucket and in
// the expiry index of the store in bucket "anykv".
func bucketCounts(t *testing.T, s *bolt.Store) (data, expiry int) {
	t.Helper()

	err := s.DB().View(func(tx *bbolt.Tx) error {
		top := tx.Bucket([]byte("anykv"))
		data = top.Bucket([]byte("data")).Stats().KeyN
		expiry = top.Bucket([]byte("expiry")).Stats().KeyN

		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	return data, expiry
}

// waitGone polls until Get(key) returns ErrNotFound, and fails the test if
// that has not happened within 10 seconds.
func waitGone(t *testing.T, s kv.Store, key string) {
	t.Helper()

	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := s.Get(context.Background(), key)
		if errors.Is(err, kv.ErrNotFound) {
			return
		}

		if err != nil {
			t.Fatalf("Get(%q): %v", key, err)
		}

		if time.Now().After(deadline) {
			t.Fatalf("key %q still readable 10 s after its TTL", key)
		}

		time.Sleep(time.Millisecond)
	}
}

func TestTTLExpires(t *testing.T) {
	s, _ := openTemp(t, &bolt.Options{ReclaimInterval: -1})
	ctx := context.Background()

	if err := s.PutTTL(ctx, "short", []byte("v"), 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}

	if err := s.PutTTL(ctx, "long", []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}

	if got := mustGet(t, s, "short"); got != "v" {
		t.Fatalf("Get(short) right after PutTTL = %q", got)
	}

	waitGone(t, s, "short")

	for k, err := range s.Keys(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}

		if k == "short" {
			t.Fatal("Keys yielded an expired key")
		}
	}

	got, err := s.GetMany(ctx, []string{"short", "long"})
	if err != nil {
		t.Fatal(err)
	}

	if got[0] != nil || string(got[1]) != "v" {
		t.Fatalf("GetMany(short, long) = %q, want [nil v]", got)
	}

	// Reads never write: the expired entry is still on disk until a
	// reclaim removes it.
	if data, expiry := bucketCounts(t, s); data != 2 || expiry != 2 {
		t.Fatalf("after reads: %d data entries, %d index entries, want 2 and 2", data, expiry)
	}
}

func TestPlainPutRemovesTTL(t *testing.T) {
	s, _ := openTemp(t, &bolt.Options{ReclaimInterval: -1})
	ctx := context.Background()

	if err := s.PutTTL(ctx, "k", []byte("ttl"), 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}

	mustPut(t, s, "k", "plain")

	if _, expiry := bucketCounts(t, s); expiry != 0 {
		t.Fatalf("%d index entries after a plain Put over a TTL put, want 0", expiry)
	}

	if err := s.PutTTL(ctx, "marker", []byte("v"), 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}

	waitGone(t, s, "marker")

	if got := mustGet(t, s, "k"); got != "plain" {
		t.Fatalf("Get(k) = %q, want plain", got)
	}

	if err := s.PutTTL(ctx, "k", []byte("ttl again"), time.Hour); err != nil {
		t.Fatal(err)
	}

	if err := s.PutTTL(ctx, "k", []byte("ttl again"), 2*time.Hour); err != nil {
		t.Fatal(err)
	}

	data, expiry := bucketCounts(t, s)
	if data != 2 || expiry != 2 {
		t.Fatalf("after two TTL puts on k: %d data, %d index entries, want 2 and 2 (k, marker)", data, expiry)
	}

	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}

	if _, expiry := bucketCounts(t, s); expiry != 1 {
		t.Fatalf("%d index entries after Delete, want 1", expiry)
	}
}

func TestReclaimRemovesOnlyExpired(t *testing.T) {
	s, _ := openTemp(t, &bolt.Options{ReclaimInterval: -1, ReclaimBatchSize: 7})
	ctx := context.Background()

	const n = 40

	for i := range n {
		if err := s.PutTTL(ctx, fmt.Sprintf("short/%02d", i), []byte("v"), time.Millisecond); err != nil {
			t.Fatal(err)
		}

		if err := s.PutTTL(ctx, fmt.Sprintf("long/%02d", i), []byte("v"), time.Hour); err != nil {
			t.Fatal(err)
		}

		mustPut(t, s, fmt.Sprintf("plain/%02d", i), "v")
	}

	// Overwritten before expiry: these must survive the reclaim and leave
	// no index entry behind.
	for i := range 5 {
		mustPut(t, s, fmt.Sprintf("short/%02d", i), "kept")
	}

	waitGone(t, s, fmt.Sprintf("short/%02d", n-1))

	removed, err := s.Reclaim(ctx)
	if err != nil {
		t.Fatalf("Reclaim: %v", err)
	}

	if removed != n-5 {
		t.Errorf("Reclaim removed %d entries, want %d", removed, n-5)
	}

	data, expiry := bucketCounts(t, s)
	if data != 5+2*n {
		t.Errorf("%d data entries after Reclaim, want %d", data, 5+2*n)
	}

	if expiry != n {
		t.Errorf("%d index entries after Reclaim, want %d (the long TTLs)", expiry, n)
	}

	for i := range 5 {
		if got := mustGet(t, s, fmt.Sprintf("short/%02d", i)); got != "kept" {
			t.Errorf("overwritten key short/%02d = %q, want kept", i, got)
		}
	}

	removed, err = s.Reclaim(ctx)
	if err != nil || removed != 0 {
		t.Errorf("second Reclaim = %d, %v, want 0, nil", removed, err)
	}
}

func TestBackgroundReclaim(t *testing.T) {
	s, _ := openTemp(t, &bolt.Options{ReclaimInterval: 5 * time.Millisecond})
	ctx := context.Background()

	for i := range 20 {
		if err := s.PutTTL(ctx, fmt.Sprintf("k/%02d", i), []byte("v"), time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}

	mustPut(t, s, "plain", "v")

	deadline := time.Now().Add(10 * time.Second)
	for {
		data, expiry := bucketCounts(t, s)
		if data == 1 && expiry == 0 {
			break
		}

		if time.Now().After(deadline) {
			t.Fatalf("background reclaim left %d data and %d index entries after 10 s, want 1 and 0", data, expiry)
		}

		time.Sleep(5 * time.Millisecond)
	}

	// Close must stop the reclaimer and wait for it.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
