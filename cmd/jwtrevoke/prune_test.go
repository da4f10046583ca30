package main

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strings"
	"sync"
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

// signalWriter collects what is written to it, safe for concurrent use,
// and closes seen once the output contains want.
type signalWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()

	n, err := w.buf.Write(p)
	if w.seen != nil && strings.Contains(w.buf.String(), w.want) {
		close(w.seen)
		w.seen = nil
	}

	return n, err
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()

	return w.buf.String()
}

// blockingDeletes is a plainStore whose first Delete waits until release
// is closed, so that a prune is still running when its progress line is
// due.
type blockingDeletes struct {
	plainStore
	release <-chan struct{}
}

func (b blockingDeletes) Delete(ctx context.Context, key string) error {
	select {
	case <-b.release:
	case <-time.After(30 * time.Second):
	}

	return b.plainStore.Delete(ctx, key)
}

// slowMemory is the store that the "slowtest" URL scheme opens, and
// slowRelease the channel its Delete waits on.
var (
	slowMemory  = memory.New(nil)
	slowRelease = make(chan struct{})
)

func init() {
	kv.Register("slowtest", func(context.Context, *url.URL) (kv.Store, error) {
		return blockingDeletes{plainStore: plainStore{inner: slowMemory}, release: slowRelease}, nil
	})
}

func TestPruneReportsProgress(t *testing.T) {
	ctx := context.Background()
	store := plainStore{inner: slowMemory}

	past := func() time.Time { return time.Now().Add(-2 * time.Hour) }
	issueFixture(t, newServerTracker(t, store, "", func(o *jwtrevoke.Options) { o.Clock = past }))

	interval := progressInterval
	progressInterval = 10 * time.Millisecond
	t.Cleanup(func() { progressInterval = interval })

	// Deletes wait for the first progress line, so the line must come
	// while the prune runs.
	stderr := &signalWriter{want: "prune: 0 expired entries deleted after", seen: slowRelease}

	var stdout bytes.Buffer

	code := run(ctx, []string{"prune", "--store", "slowtest://"}, &stdout, stderr)
	if code != exitOK {
		t.Fatalf("prune exit code %d, want 0; stderr: %s", code, stderr.String())
	}

	if !strings.Contains(stderr.String(), "prune: 0 expired entries deleted after") {
		t.Errorf("stderr %q has no progress line", stderr.String())
	}

	if got := stdout.String(); got != "deleted 4 expired entries\n" {
		t.Errorf("stdout = %q, want \"deleted 4 expired entries\\n\"", got)
	}
}
