package bolt_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
)

func TestGroupCommitConcurrentWriters(t *testing.T) {
	s, _ := openTemp(t, &bolt.Options{ReclaimInterval: -1})
	ctx := context.Background()

	const writers, perWriter = 64, 40

	var wg sync.WaitGroup

	for w := range writers {
		wg.Add(1)

		go func() {
			defer wg.Done()

			for i := range perWriter {
				own := fmt.Sprintf("w%02d/%02d", w, i)
				shared := fmt.Sprintf("shared/%d", i%8)

				var err error

				switch i % 4 {
				case 0:
					err = s.Put(ctx, own, []byte(own))
				case 1:
					err = s.PutTTL(ctx, own, []byte(own), time.Hour)
				case 2:
					err = s.PutTTL(ctx, shared, []byte(own), time.Hour)
				case 3:
					err = s.Put(ctx, shared, []byte(own))
				}

				if err != nil {
					t.Errorf("write %s: %v", own, err)
					return
				}

				// A read after a returned write must return that write's value.
				if i%4 < 2 {
					if got, err := s.Get(ctx, own); err != nil || string(got) != own {
						t.Errorf("Get(%s) after its write = %q, %v", own, got, err)
						return
					}
				}
			}
		}()
	}

	wg.Wait()

	data, expiry := bucketCounts(t, s)

	sharedKeys := map[int]bool{}
	for i := range perWriter {
		if i%4 >= 2 {
			sharedKeys[i%8] = true
		}
	}

	want := writers*perWriter/2 + len(sharedKeys)
	if data != want {
		t.Errorf("%d data entries, want %d", data, want)
	}

	// Each key with a TTL must have exactly one index entry.
	ttlKeys := 0
	err := s.DB().View(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("anykv")).Bucket([]byte("data")).ForEach(func(k, v []byte) error {
			if v[0]&1 != 0 {
				ttlKeys++
			}

			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}

	if expiry != ttlKeys {
		t.Errorf("%d index entries for %d keys with a TTL", expiry, ttlKeys)
	}
}

func TestGroupCommitIsolatesFailure(t *testing.T) {
	db := openCallerDB(t)

	s, err := bolt.New(db, &bolt.Options{ReclaimInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// An entry with an undefined flag makes any write to its key fail
	// inside the transaction, after validation.
	err = db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("anykv")).Bucket([]byte("data")).Put([]byte("broken"), []byte{0x80})
	})
	if err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()

	var wg sync.WaitGroup

	errs := make([]error, 64)
	for i := range errs {
		wg.Add(1)

		go func() {
			defer wg.Done()

			key := fmt.Sprintf("good/%02d", i)
			if i%8 == 0 {
				key = "broken"
			}

			errs[i] = s.Put(ctx, key, []byte("v"))
		}()
	}

	wg.Wait()

	for i, err := range errs {
		if i%8 == 0 {
			if !errors.Is(err, bolt.ErrFormat) {
				t.Errorf("Put on the corrupt key = %v, want ErrFormat", err)
			}

			continue
		}

		if err != nil {
			t.Errorf("Put(good/%02d) failed with its group: %v", i, err)
		}

		if got := mustGet(t, s, fmt.Sprintf("good/%02d", i)); got != "v" {
			t.Errorf("Get(good/%02d) = %q, want v", i, got)
		}
	}

	if _, err := s.Get(ctx, "broken"); err == nil || errors.Is(err, kv.ErrNotFound) {
		t.Errorf("Get of a corrupt entry = %v, want an error other than ErrNotFound", err)
	}
}

func TestQueuedWriterCancelled(t *testing.T) {
	db := openCallerDB(t)

	s, err := bolt.New(db, &bolt.Options{ReclaimInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// An open write transaction holds bbolt's writer lock, so the first
	// Put leads a commit that cannot finish until the test lets it.
	blocker, err := db.Begin(true)
	if err != nil {
		t.Fatal(err)
	}

	leaderDone := make(chan error, 1)
	go func() { leaderDone <- s.Put(context.Background(), "leader", []byte("v")) }()

	waitUntil(t, "the first Put to start its commit", s.CommitInFlight)

	ctx, cancel := context.WithCancel(context.Background())
	followerDone := make(chan error, 1)
	go func() { followerDone <- s.Put(ctx, "follower", []byte("v")) }()

	waitUntil(t, "the second Put to queue", func() bool { return s.QueuedWrites() == 1 })
	cancel()

	select {
	case err := <-followerDone:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("queued Put after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("queued Put did not return within 10 s of its context's cancellation")
	}

	if err := blocker.Rollback(); err != nil {
		t.Fatal(err)
	}

	if err := <-leaderDone; err != nil {
		t.Fatalf("leading Put: %v", err)
	}

	if _, err := s.Get(context.Background(), "follower"); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("cancelled Put was written: Get = %v", err)
	}

	if n := s.QueuedWrites(); n != 0 {
		t.Fatalf("%d writes still queued, want the cancelled one removed", n)
	}
}

// waitUntil polls cond until it returns true, and fails the test after 10
// seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()

	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after 10 s waiting for %s", what)
		}

		time.Sleep(time.Millisecond)
	}
}

func TestCloseDuringWrites(t *testing.T) {
	s, path := openTemp(t, &bolt.Options{ReclaimInterval: time.Millisecond})
	ctx := context.Background()

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		returned []string
	)

	for w := range 16 {
		wg.Add(1)

		go func() {
			defer wg.Done()

			for i := 0; ; i++ {
				key := fmt.Sprintf("w%02d/%04d", w, i)

				err := s.PutTTL(ctx, key, []byte("v"), time.Hour)
				if errors.Is(err, kv.ErrClosed) {
					return
				}

				if err != nil {
					t.Errorf("PutTTL(%s): %v", key, err)
					return
				}

				mu.Lock()
				returned = append(returned, key)
				mu.Unlock()
			}
		}()
	}

	waitUntil(t, "100 writes", func() bool {
		mu.Lock()
		defer mu.Unlock()

		return len(returned) >= 100
	})

	if err := s.Close(); err != nil {
		t.Fatalf("Close during writes: %v", err)
	}

	wg.Wait()

	// Every write that returned nil before Close must be in the file.
	reopened, err := bolt.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()

	values, err := reopened.GetMany(ctx, returned)
	if err != nil {
		t.Fatal(err)
	}

	for i, v := range values {
		if v == nil {
			t.Errorf("key %s, written before Close, is missing after reopen", returned[i])
		}
	}
}
