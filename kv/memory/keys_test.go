package memory_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/memory"
)

// listKeys collects the keys that s.Keys yields for prefix, failing t on
// any error.
func listKeys(t *testing.T, s *memory.Store, prefix string) []string {
	t.Helper()

	var keys []string
	for key, err := range s.Keys(context.Background(), prefix) {
		if err != nil {
			t.Fatalf("Keys(%q): %v", prefix, err)
		}

		keys = append(keys, key)
	}

	return keys
}

func TestKeysSortedByPrefix(t *testing.T) {
	s := newStore(t, nil)

	for _, key := range []string{"b", "a*", "ab", "a", "a*c", "c/d", "a**", "a[1]"} {
		mustPut(t, s, key, "v")
	}

	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"a", "a*", "a**", "a*c", "a[1]", "ab", "b", "c/d"}},
		{"a*", []string{"a*", "a**", "a*c"}},
		{"a[", []string{"a[1]"}},
		{"c/", []string{"c/d"}},
		{"z", nil},
	}

	for _, tt := range tests {
		if got := listKeys(t, s, tt.prefix); !slices.Equal(got, tt.want) {
			t.Errorf("Keys(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
	}
}

func TestKeysSkipsExpired(t *testing.T) {
	s := newStore(t, &memory.Options{ReclaimInterval: -1})
	mustPut(t, s, "plain", "v")
	mustPutTTL(t, s, "long", "v", time.Hour)
	mustPutTTL(t, s, "short", "v", 10*time.Millisecond)
	waitExpired(t, s, "short")

	if got, want := listKeys(t, s, ""), []string{"long", "plain"}; !slices.Equal(got, want) {
		t.Fatalf("Keys = %q, want %q", got, want)
	}
}

func TestKeysExpiryDuringIteration(t *testing.T) {
	s := newStore(t, &memory.Options{ReclaimInterval: -1})
	mustPut(t, s, "a", "v")
	mustPutTTL(t, s, "b", "v", 20*time.Millisecond)

	var got []string
	for key, err := range s.Keys(context.Background(), "") {
		if err != nil {
			t.Fatal(err)
		}

		got = append(got, key)

		// Key b was live when the listing started and expires before the
		// loop reaches it.
		if key == "a" {
			waitExpired(t, s, "b")
		}
	}

	if want := []string{"a"}; !slices.Equal(got, want) {
		t.Fatalf("Keys = %q, want %q", got, want)
	}
}

func TestKeysDeleteInsideLoop(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, nil)

	for _, key := range []string{"k1", "k2", "k3", "k4", "k5", "k6"} {
		mustPut(t, s, key, "v")
	}

	var got []string
	for key, err := range s.Keys(ctx, "k") {
		if err != nil {
			t.Fatal(err)
		}

		got = append(got, key)

		// Delete the yielded key, a later one and an earlier one, and add
		// new keys. None of it may deadlock or disturb the live keys.
		for _, victim := range []string{key, "k4", "k1"} {
			if err := s.Delete(ctx, victim); err != nil {
				t.Fatalf("Delete(%q) inside Keys: %v", victim, err)
			}
		}

		if err := s.Put(ctx, "x"+key, []byte("v")); err != nil {
			t.Fatalf("Put inside Keys: %v", err)
		}
	}

	if want := []string{"k1", "k2", "k3", "k5", "k6"}; !slices.Equal(got, want) {
		t.Fatalf("Keys while deleting = %q, want %q", got, want)
	}

	if left := listKeys(t, s, "k"); len(left) != 0 {
		t.Fatalf("keys left after deleting each yielded key: %q", left)
	}
}

func TestKeysStopsOnBreak(t *testing.T) {
	s := newStore(t, nil)
	mustPut(t, s, "a", "v")
	mustPut(t, s, "b", "v")

	n := 0
	for _, err := range s.Keys(context.Background(), "") {
		if err != nil {
			t.Fatal(err)
		}

		n++

		break
	}

	if n != 1 {
		t.Fatalf("loop ran %d times before break, want 1", n)
	}
}

func TestKeysInvalidPrefix(t *testing.T) {
	s := newStore(t, nil)
	mustPut(t, s, "a", "v")

	for _, prefix := range []string{"a b", "\n", "é"} {
		var errs []error
		for key, err := range s.Keys(context.Background(), prefix) {
			if err == nil {
				t.Fatalf("Keys(%q) yielded key %q", prefix, key)
			}

			errs = append(errs, err)
		}

		if len(errs) != 1 || !errors.Is(errs[0], kv.ErrInvalidKey) {
			t.Errorf("Keys(%q) yielded %v, want one ErrInvalidKey", prefix, errs)
		}
	}
}

func TestKeysContextCancelled(t *testing.T) {
	s := newStore(t, nil)
	mustPut(t, s, "a", "v")
	mustPut(t, s, "b", "v")
	mustPut(t, s, "c", "v")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var keys []string
	var errs []error

	for key, err := range s.Keys(ctx, "") {
		if err != nil {
			errs = append(errs, err)
			continue
		}

		keys = append(keys, key)
		cancel()
	}

	if !slices.Equal(keys, []string{"a"}) {
		t.Errorf("keys before cancellation = %q, want [a]", keys)
	}

	if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("errors after cancellation = %v, want one context.Canceled", errs)
	}
}

func TestKeysCloseDuringIteration(t *testing.T) {
	s := memory.New(nil)
	mustPut(t, s, "a", "v")
	mustPut(t, s, "b", "v")

	var errs []error
	for key, err := range s.Keys(context.Background(), "") {
		if err != nil {
			errs = append(errs, err)
			continue
		}

		if key == "a" {
			if err := s.Close(); err != nil {
				t.Fatalf("Close inside Keys: %v", err)
			}
		}
	}

	if len(errs) != 1 || !errors.Is(errs[0], kv.ErrClosed) {
		t.Fatalf("Keys after Close inside the loop yielded %v, want one ErrClosed", errs)
	}
}
