package bolt_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

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
