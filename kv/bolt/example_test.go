package bolt_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/bbolt"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "bolt-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := bolt.Open(filepath.Join(dir, "app.db"), &bolt.Options{OpenTimeout: 2 * time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	ctx := context.Background()

	if err := s.PutTTL(ctx, "session:42", []byte("alice"), 30*time.Minute); err != nil {
		log.Fatal(err)
	}

	user, err := s.Get(ctx, "session:42")
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println(string(user))
	// Output: alice
}

func Example_url() {
	dir, err := os.MkdirTemp("", "bolt-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// Importing kv/bolt registers the scheme. The query is optional.
	s, err := kv.Open(context.Background(), "bolt://"+filepath.Join(dir, "app.db")+"?timeout=2s&bucket=sessions")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	_, err = s.Get(context.Background(), "absent")
	fmt.Println(err)
	// Output: get key "absent": kv: key not found
}

func ExampleOpen_locked() {
	dir, err := os.MkdirTemp("", "bolt-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	path := filepath.Join(dir, "app.db")

	first, err := bolt.Open(path, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer first.Close()

	// bbolt locks the file, so a second handle, in this process or
	// another, waits for OpenTimeout and then fails instead of hanging.
	_, err = bolt.Open(path, &bolt.Options{OpenTimeout: 100 * time.Millisecond})
	fmt.Println(errors.Is(err, bolt.ErrLocked))

	// Output: true
}

func ExampleStore_PutTTL() {
	dir, err := os.MkdirTemp("", "bolt-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := bolt.Open(filepath.Join(dir, "app.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	ctx := context.Background()

	err = s.PutTTL(ctx, "otp:7", []byte("915204"), 0)
	fmt.Println(errors.Is(err, kv.ErrInvalidTTL))

	if err := s.PutTTL(ctx, "otp:7", []byte("915204"), 50*time.Millisecond); err != nil {
		log.Fatal(err)
	}

	// The deadline is stored in the file, so it survives a restart. Poll
	// for the expiry with a deadline instead of sleeping for a guessed time.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := s.Get(ctx, "otp:7"); errors.Is(err, kv.ErrNotFound) {
			fmt.Println("expired")
			break
		}

		time.Sleep(10 * time.Millisecond)
	}

	// Output:
	// true
	// expired
}

func ExampleNew() {
	dir, err := os.MkdirTemp("", "bolt-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// Open the file yourself to choose bbolt's options, or to share the
	// file with buckets of your own.
	db, err := bbolt.Open(filepath.Join(dir, "app.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	s, err := bolt.New(db, &bolt.Options{Bucket: "sessions"})
	if err != nil {
		log.Fatal(err)
	}

	if err := s.Put(context.Background(), "session:42", []byte("alice")); err != nil {
		log.Fatal(err)
	}

	// Close leaves db open for its other users.
	_ = s.Close()

	err = db.View(func(tx *bbolt.Tx) error {
		fmt.Println(tx.Bucket([]byte("sessions")) != nil)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}

	// Output: true
}
