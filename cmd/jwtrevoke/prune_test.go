package main

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"testing"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/memory"
)

// plainStore offers only Get, Put, Delete and Keys of a shared memory
// store, like a backend without TTL, which none of the bundled ones is.
// Close leaves the memory store open, so that data outlives one run.
type plainStore struct{ inner *memory.Store }

func (p plainStore) Get(ctx context.Context, key string) ([]byte, error) {
	return p.inner.Get(ctx, key)
}

func (p plainStore) Put(ctx context.Context, key string, value []byte) error {
	return p.inner.Put(ctx, key, value)
}

func (p plainStore) Delete(ctx context.Context, key string) error { return p.inner.Delete(ctx, key) }

func (p plainStore) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return p.inner.Keys(ctx, prefix)
}

func (p plainStore) Close() error { return nil }

// plainMemory is the store that the "plaintest" URL scheme opens.
var plainMemory = memory.New(nil)

func init() {
	kv.Register("plaintest", func(context.Context, *url.URL) (kv.Store, error) {
		return plainStore{inner: plainMemory}, nil
	})
}

func TestPruneStoreWithoutTTL(t *testing.T) {
	ctx := context.Background()
	store := plainStore{inner: plainMemory}

	// Access tokens issued two hours ago have expired by now, and a store
	// without TTL keeps their entries until prune deletes them. The old
	// refresh token lives for days yet.
	past := func() time.Time { return time.Now().Add(-2 * time.Hour) }
	old := newServerTracker(t, store, "", func(o *jwtrevoke.Options) { o.Clock = past })
	oldTokens := issueFixture(t, old)

	live := issueFixture(t, newServerTracker(t, store, "", nil))

	var stdout, stderr bytes.Buffer

	code := run(ctx, []string{"prune", "--json", "--store", "plaintest://"}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("prune exit code %d, want 0; stderr: %s", code, stderr.String())
	}

	var out struct {
		Deleted int `json:"deleted"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("prune --json output %q: %v", stdout.String(), err)
	}

	// A record and an index entry for each of the two old access tokens.
	if out.Deleted != 4 {
		t.Errorf("prune deleted %d entries, want 4", out.Deleted)
	}

	stdout.Reset()

	if code := run(ctx, []string{"list", "--json", "--store", "plaintest://"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("list exit code %d, want 0; stderr: %s", code, stderr.String())
	}

	var tokens []tokenJSON
	if err := json.Unmarshal(stdout.Bytes(), &tokens); err != nil {
		t.Fatalf("list --json output %q: %v", stdout.String(), err)
	}

	// The old refresh token, then the three new tokens.
	if len(tokens) != 4 || tokens[0].ID != oldTokens.pair.RefreshClaims.ID || tokens[3].ID != live.bobClaim.ID {
		t.Errorf("list after prune = %+v, want the old refresh token and the three new tokens", tokens)
	}
}
