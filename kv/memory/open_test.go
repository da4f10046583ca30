package memory

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
)

// openStore opens rawURL with kv.Open and returns the *Store it built,
// closed when the test ends.
func openStore(t *testing.T, rawURL string) *Store {
	t.Helper()

	store, err := kv.Open(context.Background(), rawURL)
	if err != nil {
		t.Fatalf("Open(%q): %v", rawURL, err)
	}

	t.Cleanup(func() { store.Close() })

	s, ok := store.(*Store)
	if !ok {
		t.Fatalf("Open(%q) returned %T, want *memory.Store", rawURL, store)
	}

	return s
}

func TestOpenURL(t *testing.T) {
	ctx := context.Background()

	first := openStore(t, "memory://")
	second := openStore(t, "memory://")

	if err := first.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}

	if _, err := second.Get(ctx, "k"); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("Get from a second memory:// store = %v, want ErrNotFound", err)
	}

	if first.reclaimLimit != DefaultReclaimLimit || first.stop == nil {
		t.Fatalf("memory:// store has reclaim limit %d and reclaimer %v, want the defaults", first.reclaimLimit, first.stop != nil)
	}

	for _, rawURL := range []string{"memory:", "MEMORY://", "memory:///"} {
		openStore(t, rawURL)
	}
}

func TestOpenURLOptions(t *testing.T) {
	s := openStore(t, "memory://?reclaim_interval=-1s&reclaim_limit=25")

	if s.stop != nil {
		t.Errorf("reclaim_interval=-1s started the background reclaimer")
	}

	if s.reclaimLimit != 25 {
		t.Errorf("reclaim_limit=25 gave limit %d", s.reclaimLimit)
	}

	s = openStore(t, "memory://?reclaim_interval=5ms")
	if err := s.PutTTL(context.Background(), "k", nil, time.Millisecond); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(10 * time.Second)
	for s.Len() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("reclaim_interval=5ms store never reclaimed an expired entry")
		}

		time.Sleep(time.Millisecond)
	}
}

func TestOpenURLInvalid(t *testing.T) {
	tests := []struct {
		rawURL  string
		mention string // part of the URL the message must name
	}{
		{"memory://?reclaim_interval=soon", "reclaim_interval"},
		{"memory://?reclaim_interval=5", "reclaim_interval"},
		{"memory://?reclaim_limit=0", "reclaim_limit"},
		{"memory://?reclaim_limit=-3", "reclaim_limit"},
		{"memory://?reclaim_limit=many", "reclaim_limit"},
		{"memory://?reclaim_limit=1&reclaim_limit=2", "reclaim_limit"},
		{"memory://?reclaim_intervall=1s", "reclaim_intervall"},
		{"memory://?size=10", "size"},
		{"memory://?a=%zz", "%zz"},
		{"memory://shared", "shared"},
		{"memory:///name", "name"},
		{"memory:name", "name"},
		{"memory://#frag", "frag"},
	}

	for _, tt := range tests {
		store, err := kv.Open(context.Background(), tt.rawURL)
		if store != nil {
			store.Close()
		}

		if !errors.Is(err, kv.ErrInvalidURL) {
			t.Errorf("Open(%q) = %v, want ErrInvalidURL", tt.rawURL, err)
			continue
		}

		if !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("Open(%q) error %q does not mention %q", tt.rawURL, err, tt.mention)
		}
	}
}

func TestOpenURLCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	store, err := kv.Open(ctx, "memory://")
	if store != nil {
		store.Close()
	}

	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Open with cancelled context = %v, want context.Canceled", err)
	}
}
