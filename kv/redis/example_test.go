package redis_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/redis"
)

// This example expects a Redis server at 127.0.0.1:6379. It has no
// checked output, so go test compiles it without running it.
func ExampleNew() {
	ctx := context.Background()

	// New opens its own client and closes it on Close. The client
	// connects on first use, so an unreachable server shows up as the
	// error of the first call.
	s, err := redis.New(&redis.Options{
		Client:    &goredis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}},
		Namespace: "app:",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	// Stored on the server as "app:session:42", with a TTL in the same
	// SET command.
	if err := s.PutTTL(ctx, "session:42", []byte("alice"), 30*time.Minute); err != nil {
		log.Fatal(err)
	}

	user, err := s.Get(ctx, "session:42")
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println(string(user))
}

// This example expects a Redis Cluster with masters at 127.0.0.1:7000 to
// 7002. It has no checked output, so go test compiles it without running
// it.
func ExampleNewFromClient() {
	ctx := context.Background()

	// A client the application already has, here a Redis Cluster. The
	// store never closes it.
	client := goredis.NewClusterClient(&goredis.ClusterOptions{
		Addrs: []string{"127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002"},
	})
	defer client.Close()

	s, err := redis.NewFromClient(client, &redis.Options{Namespace: "{app}:"})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	won, err := s.PutIfAbsentTTL(ctx, "lock:job-7", []byte("worker-1"), time.Minute)
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println("lock taken:", won)
}

// This example expects a Redis server at 127.0.0.1:6379. It has no
// checked output, so go test compiles it without running it.
func ExampleOpenURL() {
	ctx := context.Background()

	// Database 0 of one server, keys under "app:", and go-redis's own
	// dial_timeout option.
	s, err := redis.OpenURL(ctx, "redis://127.0.0.1:6379/0?namespace=app:&dial_timeout=2s")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	for key, err := range s.Keys(ctx, "session:") {
		if err != nil {
			log.Fatal(err)
		}

		fmt.Println(key)
	}
}

// This example expects a Sentinel at 127.0.0.1:26379 that monitors a
// master named mymaster. It has no checked output, so go test compiles it
// without running it.
func Example_open() {
	ctx := context.Background()

	// Importing kv/redis registers redis://, rediss://, redis+cluster://,
	// redis+sentinel:// and their TLS forms with kv.Open.
	s, err := kv.Open(ctx, "redis+sentinel://127.0.0.1:26379/mymaster/0")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	_, err = s.Get(ctx, "absent")
	fmt.Println(errors.Is(err, kv.ErrNotFound))
}
