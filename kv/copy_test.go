package kv_test

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/mapstore"
	"github.com/anykv/anykv/kv/internal/wrap"
)

func wantStored(t *testing.T, s kv.Store, key, want string) {
	t.Helper()

	got, err := s.Get(t.Context(), key)
	if err != nil || string(got) != want {
		t.Errorf("Get(%q) = %q, %v, want %q", key, got, err, want)
	}
}

func wantMissing(t *testing.T, s kv.Store, key string) {
	t.Helper()

	if _, err := s.Get(t.Context(), key); !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("Get(%q) = %v, want ErrNotFound", key, err)
	}
}

func TestCopy(t *testing.T) {
	ctx := t.Context()
	s := mapstore.New()
	_ = s.Put(ctx, "src", []byte("v"))
	_ = s.Put(ctx, "dst", []byte("old"))

	if err := kv.Copy(ctx, s, "src", "dst"); err != nil {
		t.Fatal(err)
	}

	wantStored(t, s, "src", "v")
	wantStored(t, s, "dst", "v")

	if err := kv.Copy(ctx, s, "src", "src"); err != nil {
		t.Errorf("Copy onto itself = %v", err)
	}

	wantStored(t, s, "src", "v")

	err := kv.Copy(ctx, s, "absent", "dst")
	if !errors.Is(err, kv.ErrNotFound) || !strings.Contains(err.Error(), `"absent"`) {
		t.Errorf("Copy of absent key = %v, want ErrNotFound naming the key", err)
	}

	wantStored(t, s, "dst", "v")

	if err := kv.Copy(ctx, s, "src", "bad key"); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("Copy to invalid key = %v, want ErrInvalidKey", err)
	}
}

func TestCopyDropsTTL(t *testing.T) {
	ctx := t.Context()
	s := mapstore.New()

	if err := s.PutTTL(ctx, "src", []byte("v"), 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}

	if err := kv.Copy(ctx, s, "src", "dst"); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := s.Get(ctx, "src"); errors.Is(err, kv.ErrNotFound) {
			break
		}

		if time.Now().After(deadline) {
			t.Fatal("src never expired")
		}

		time.Sleep(10 * time.Millisecond)
	}

	wantStored(t, s, "dst", "v")
}

func TestCopyIfAbsent(t *testing.T) {
	ctx := t.Context()
	s := mapstore.New()
	_ = s.Put(ctx, "src", []byte("v"))
	_ = s.Put(ctx, "taken", []byte("old"))

	copied, err := kv.CopyIfAbsent(ctx, s, "src", "taken")
	if err != nil || copied {
		t.Errorf("CopyIfAbsent onto a present key = %v, %v, want false", copied, err)
	}

	wantStored(t, s, "taken", "old")

	copied, err = kv.CopyIfAbsent(ctx, s, "src", "free")
	if err != nil || !copied {
		t.Errorf("CopyIfAbsent onto an absent key = %v, %v, want true", copied, err)
	}

	wantStored(t, s, "free", "v")

	noAtomic := mapstore.WithCaps(wrap.All &^ wrap.Atomic)
	if _, err := kv.CopyIfAbsent(ctx, noAtomic, "src", "dst"); !errors.Is(err, kv.ErrUnsupported) {
		t.Errorf("CopyIfAbsent without AtomicStore = %v, want ErrUnsupported", err)
	}
}

func TestMove(t *testing.T) {
	ctx := t.Context()
	s := mapstore.New()
	_ = s.Put(ctx, "src", []byte("v"))

	if err := kv.Move(ctx, s, "src", "dst"); err != nil {
		t.Fatal(err)
	}

	wantMissing(t, s, "src")
	wantStored(t, s, "dst", "v")

	if err := kv.Move(ctx, s, "dst", "dst"); err != nil {
		t.Errorf("Move onto itself = %v", err)
	}

	wantStored(t, s, "dst", "v")

	if err := kv.Move(ctx, s, "absent", "dst"); !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("Move of absent key = %v, want ErrNotFound", err)
	}

	wantStored(t, s, "dst", "v")
}

func TestMoveIfAbsentOneWinner(t *testing.T) {
	ctx := t.Context()
	s := mapstore.New()
	sources := []string{"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"}

	for _, src := range sources {
		_ = s.Put(ctx, src, []byte(src))
	}

	var wins atomic.Int32
	var wg sync.WaitGroup

	for _, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()

			moved, err := kv.MoveIfAbsent(ctx, s, src, "dst")
			if err != nil {
				t.Errorf("MoveIfAbsent(%s): %v", src, err)
			}

			if moved {
				wins.Add(1)
				wantMissing(t, s, src)
			} else {
				wantStored(t, s, src, src)
			}
		}()
	}

	wg.Wait()

	if wins.Load() != 1 {
		t.Errorf("%d moves won, want exactly 1", wins.Load())
	}
}
