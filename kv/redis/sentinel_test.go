package redis_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/kv"
)

// failoverTimeout bounds how long the Sentinel may take to promote the
// replica: about 1 s to mark the master down plus the failover itself.
const failoverTimeout = 30 * time.Second

func TestSentinelFailover(t *testing.T) {
	ctx := context.Background()
	setup := testserver.StartRedisSentinel(t)
	store := openURL(t, "redis+sentinel://"+setup.Sentinel.Addr()+"/"+setup.MasterName+"?namespace="+uniqueNamespace(t))

	if err := store.Put(ctx, "k", []byte("before")); err != nil {
		t.Fatalf("Put through Sentinel: %v", err)
	}

	// Wait until the replica has the write, so that the failover keeps it.
	master := goredis.NewClient(&goredis.Options{Addr: setup.Master.Addr()})
	defer master.Close()

	if acked, err := master.Wait(ctx, 1, 10*time.Second).Result(); err != nil || acked != 1 {
		t.Fatalf("WAIT for the replica = %d, %v, want 1", acked, err)
	}

	setup.Master.Kill()

	// Writes fail until the Sentinel promotes the replica and go-redis
	// follows it; the failures must not read as ErrNotFound.
	deadline := time.Now().Add(failoverTimeout)
	for {
		err := store.Put(ctx, "k2", []byte("after"))
		if err == nil {
			break
		}

		if errors.Is(err, kv.ErrNotFound) {
			t.Fatalf("Put during failover = %v, which matches ErrNotFound", err)
		}

		if time.Now().After(deadline) {
			t.Fatalf("no write succeeded within %v of killing the master: %v", failoverTimeout, err)
		}

		time.Sleep(100 * time.Millisecond)
	}

	value, err := store.Get(ctx, "k")
	if err != nil || !bytes.Equal(value, []byte("before")) {
		t.Fatalf("Get after failover = %q, %v, want before", value, err)
	}

	replica := goredis.NewClient(&goredis.Options{Addr: setup.Replica.Addr()})
	defer replica.Close()

	if role := replica.Do(ctx, "role").Val(); role == nil {
		t.Fatal("ROLE of the old replica failed")
	} else if parts, ok := role.([]any); !ok || parts[0] != "master" {
		t.Fatalf("ROLE of the old replica = %v, want master", role)
	}
}
