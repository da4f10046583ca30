package namespace_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/mapstore"
	"github.com/anykv/anykv/kv/internal/wraptest"
	"github.com/anykv/anykv/kv/namespace"
)

func mustNew(t *testing.T, inner kv.Store, prefix string) kv.Wrapper {
	t.Helper()

	s, err := namespace.New(inner, prefix)
	if err != nil {
		t.Fatalf("New(%q): %v", prefix, err)
	}

	return s
}

func TestNamespaceCapabilities(t *testing.T) {
	mapstore.CheckCapabilities(t, func(inner kv.Store) kv.Store {
		return mustNew(t, inner, "ns:")
	})
}

func TestPrefixRule(t *testing.T) {
	for _, prefix := range []string{"a:", "app/", "tenant-7.", "x_", "a*"} {
		if err := namespace.ValidatePrefix(prefix); err != nil {
			t.Errorf("ValidatePrefix(%q) = %v, want nil", prefix, err)
		}
	}

	for _, prefix := range []string{"", "a", "ab", "app7", "a b:", "a\n:", strings.Repeat("x", 251) + ":"} {
		if _, err := namespace.New(mapstore.New(), prefix); !errors.Is(err, namespace.ErrInvalidPrefix) {
			t.Errorf("New(%q) = %v, want ErrInvalidPrefix", prefix, err)
		}
	}
}

func TestPrefixStoredAndStripped(t *testing.T) {
	ctx := t.Context()
	inner := mapstore.New()
	s := mustNew(t, inner, "app:")

	if err := s.Put(ctx, "users/42", []byte("ann")); err != nil {
		t.Fatal(err)
	}

	got, err := inner.Get(ctx, "app:users/42")
	if err != nil || string(got) != "ann" {
		t.Errorf("inner Get(app:users/42) = %q, %v, want ann", got, err)
	}

	if keys := wraptest.ListKeys(t, s, ""); !slices.Equal(keys, []string{"users/42"}) {
		t.Errorf("Keys = %q, want [users/42]", keys)
	}

	if keys := wraptest.ListKeys(t, s, "users/"); !slices.Equal(keys, []string{"users/42"}) {
		t.Errorf("Keys(users/) = %q, want [users/42]", keys)
	}

	if keys := wraptest.ListKeys(t, s, "x"); len(keys) != 0 {
		t.Errorf("Keys(x) = %q, want none", keys)
	}
}

// The prefixes "a" and "ab" are rejected because key "b:1" in "a" would be
// key "1" in "ab". The prefixes "a:" and "ab:" are allowed and disjoint.
func TestSiblingNamespacesDisjoint(t *testing.T) {
	ctx := t.Context()
	inner := mapstore.New()
	a := mustNew(t, inner, "a:")
	ab := mustNew(t, inner, "ab:")

	for _, key := range []string{"1", "b:1", "x"} {
		if err := a.Put(ctx, key, []byte("from a")); err != nil {
			t.Fatal(err)
		}
	}

	if err := ab.Put(ctx, "1", []byte("from ab")); err != nil {
		t.Fatal(err)
	}

	if keys := wraptest.ListKeys(t, ab, ""); !slices.Equal(keys, []string{"1"}) {
		t.Errorf("ab: Keys = %q, want [1]", keys)
	}

	if keys := wraptest.ListKeys(t, a, ""); !slices.Equal(keys, []string{"1", "b:1", "x"}) {
		t.Errorf("a: Keys = %q, want [1 b:1 x]", keys)
	}

	got, err := ab.Get(ctx, "1")
	if err != nil || string(got) != "from ab" {
		t.Errorf("ab: Get(1) = %q, %v, want from ab", got, err)
	}

	if _, err := ab.Get(ctx, "x"); !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("ab: Get(x) = %v, want ErrNotFound", err)
	}
}

func TestNestedNamespaceVisibleToOuter(t *testing.T) {
	ctx := t.Context()
	inner := mapstore.New()
	outer := mustNew(t, inner, "app:")
	nested := mustNew(t, inner, "app:users:")

	if err := nested.Put(ctx, "42", nil); err != nil {
		t.Fatal(err)
	}

	if keys := wraptest.ListKeys(t, outer, ""); !slices.Equal(keys, []string{"users:42"}) {
		t.Errorf("outer Keys = %q, want [users:42]", keys)
	}
}

func TestForeignKeysSkipped(t *testing.T) {
	ctx := t.Context()
	inner := mapstore.New()
	s := mustNew(t, inner, "ns:")

	for _, key := range []string{"ns:", "other:1", "ns", "ns:k"} {
		if err := inner.Put(ctx, key, nil); err != nil {
			t.Fatal(err)
		}
	}

	if keys := wraptest.ListKeys(t, s, ""); !slices.Equal(keys, []string{"k"}) {
		t.Errorf("Keys = %q, want [k]", keys)
	}
}

func TestKeyRuleAndLength(t *testing.T) {
	ctx := t.Context()
	prefix := "tenant:"
	s := mustNew(t, mapstore.New(), prefix)
	maxLen := namespace.MaxKeyLen(prefix)

	if maxLen != kv.MaxKeyLen-len(prefix) {
		t.Fatalf("MaxKeyLen(%q) = %d, want %d", prefix, maxLen, kv.MaxKeyLen-len(prefix))
	}

	longest := strings.Repeat("k", maxLen)
	if err := s.Put(ctx, longest, nil); err != nil {
		t.Errorf("Put of a %d-byte key = %v, want nil", maxLen, err)
	}

	err := s.Put(ctx, longest+"k", nil)
	if !errors.Is(err, kv.ErrInvalidKey) {
		t.Fatalf("Put of a %d-byte key = %v, want ErrInvalidKey", maxLen+1, err)
	}

	if !strings.Contains(err.Error(), `"tenant:"`) || !strings.Contains(err.Error(), "kkkk") {
		t.Errorf("error %q does not name both the key and the prefix", err)
	}

	for _, key := range []string{"", "a b", "a\n"} {
		if err := s.Put(ctx, key, nil); !errors.Is(err, kv.ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
		}
	}

	if _, err := s.(kv.BatchGetter).GetMany(ctx, []string{"ok", "a b"}); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("GetMany with an invalid key = %v, want ErrInvalidKey", err)
	}
}

func TestListPrefixFollowsKeyRule(t *testing.T) {
	prefix := "tenant:"
	s := mustNew(t, mapstore.New(), prefix)

	if keys := wraptest.ListKeys(t, s, strings.Repeat("k", namespace.MaxKeyLen(prefix))); len(keys) != 0 {
		t.Errorf("Keys = %q, want none", keys)
	}

	for _, bad := range []string{"a b", strings.Repeat("k", namespace.MaxKeyLen(prefix)+1)} {
		for _, err := range s.(kv.Lister).Keys(t.Context(), bad) {
			if !errors.Is(err, kv.ErrInvalidKey) {
				t.Errorf("Keys(%q) error = %v, want ErrInvalidKey", bad, err)
			}
		}
	}
}

func TestCapabilitiesUsePrefix(t *testing.T) {
	ctx := t.Context()
	inner := mapstore.New()
	s := mustNew(t, inner, "ns:")
	a := s.(kv.AtomicStore)

	stored, err := a.PutIfAbsentTTL(ctx, "lock", []byte("1"), time.Hour)
	if err != nil || !stored {
		t.Fatalf("PutIfAbsentTTL = %v, %v, want true", stored, err)
	}

	swapped, err := a.CompareAndSwap(ctx, "lock", []byte("1"), []byte("2"))
	if err != nil || !swapped {
		t.Fatalf("CompareAndSwap = %v, %v, want true", swapped, err)
	}

	got, err := inner.Get(ctx, "ns:lock")
	if err != nil || string(got) != "2" {
		t.Errorf("inner Get(ns:lock) = %q, %v, want 2", got, err)
	}

	if err := s.(kv.TTLStore).PutTTL(ctx, "t", nil, 0); !errors.Is(err, kv.ErrInvalidTTL) {
		t.Errorf("PutTTL with zero TTL = %v, want ErrInvalidTTL", err)
	}
}

func TestCloseLeavesInnerOpen(t *testing.T) {
	ctx := t.Context()
	inner := mapstore.New()
	s := mustNew(t, inner, "ns:")

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	if _, err := s.Get(ctx, "k"); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}

	for _, err := range s.(kv.Lister).Keys(ctx, "") {
		if !errors.Is(err, kv.ErrClosed) {
			t.Errorf("Keys after Close = %v, want ErrClosed", err)
		}
	}

	if err := inner.Put(ctx, "k", nil); err != nil {
		t.Errorf("inner Put after wrapper Close = %v, want nil", err)
	}
}
