package kvtest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/anykv/anykv/kv"
)

func (s *suite) testBatch(t *testing.T) {
	t.Run("Order", s.testBatchOrder)
	t.Run("Duplicates", s.testBatchDuplicates)
	t.Run("NoKeys", s.testBatchNoKeys)
	t.Run("InvalidKey", s.testBatchInvalidKey)
	t.Run("Many", s.testBatchMany)
	t.Run("NoAliasing", s.testBatchNoAliasing)
}

// wantValues reports each position where got differs from want, telling
// nil (absent) from an empty value.
func wantValues(t *testing.T, got, want [][]byte) {
	t.Helper()

	if len(got) != len(want) {
		t.Errorf("GetMany returned %d values, want %d", len(got), len(want))
		return
	}

	for i := range want {
		if (got[i] == nil) != (want[i] == nil) || string(got[i]) != string(want[i]) {
			t.Errorf("GetMany value %d = %s, want %s", i, describe(got[i]), describe(want[i]))
		}
	}
}

// testBatchOrder checks that values come back in the order of the keys,
// with nil for an absent key and an empty slice for an empty value.
func (s *suite) testBatchOrder(t *testing.T) {
	f := s.open(t)
	b := f.batchGetter()

	k1, k2, k3 := f.key("k1"), f.key("k2"), f.key("k3")
	empty, absent := f.key("empty"), f.key("absent")
	f.put(k1, []byte("one"))
	f.put(k2, []byte("two"))
	f.put(k3, []byte("three"))
	f.put(empty, []byte{})

	got, err := b.GetMany(f.ctx, []string{k3, k1, absent, empty, k2})
	if err != nil {
		t.Fatalf("GetMany: %v", err)
	}

	wantValues(t, got, [][]byte{[]byte("three"), []byte("one"), nil, {}, []byte("two")})
}

func (s *suite) testBatchDuplicates(t *testing.T) {
	f := s.open(t)
	b := f.batchGetter()

	k1, absent := f.key("k1"), f.key("absent")
	f.put(k1, []byte("one"))

	got, err := b.GetMany(f.ctx, []string{k1, absent, k1, absent, k1})
	if err != nil {
		t.Fatalf("GetMany: %v", err)
	}

	wantValues(t, got, [][]byte{[]byte("one"), nil, []byte("one"), nil, []byte("one")})
}

func (s *suite) testBatchNoKeys(t *testing.T) {
	f := s.open(t)
	b := f.batchGetter()

	for _, keys := range [][]string{nil, {}} {
		got, err := b.GetMany(f.ctx, keys)
		if err != nil || len(got) != 0 {
			t.Errorf("GetMany with no keys = %d values, %v; want none, nil", len(got), err)
		}
	}
}

func (s *suite) testBatchInvalidKey(t *testing.T) {
	f := s.open(t)
	b := f.batchGetter()

	k1 := f.key("k1")
	f.put(k1, []byte("one"))

	bad := []string{"", f.prefix + strings.Repeat("k", f.opts.MaxKeyLen+1-len(f.prefix))}
	if !f.opts.WideKeys {
		bad = append(bad, f.prefix+"a b", f.prefix+"a\n")
	}

	for _, key := range bad {
		got, err := b.GetMany(f.ctx, []string{k1, key, k1})
		if !errors.Is(err, kv.ErrInvalidKey) {
			t.Errorf("GetMany with key %s = %v, want an error matching kv.ErrInvalidKey", kv.QuoteKey(key), err)
		}

		if err != nil && got != nil {
			t.Errorf("GetMany with key %s returned values with its error", kv.QuoteKey(key))
		}
	}
}

// testBatchMany reads more keys than one request of some backends holds,
// half of them absent.
func (s *suite) testBatchMany(t *testing.T) {
	f := s.open(t)
	b := f.batchGetter()

	const n = 500

	keys := make([]string, n)
	want := make([][]byte, n)

	for i := range keys {
		keys[i] = f.key(fmt.Sprintf("many/%03d", i))
		if i%2 == 0 {
			want[i] = []byte(fmt.Sprintf("value %d", i))
		}
	}

	parallel(4, n, func(i int) {
		if want[i] == nil {
			return
		}

		if err := f.store.Put(f.ctx, keys[i], want[i]); err != nil {
			t.Errorf("Put %s: %v", kv.QuoteKey(keys[i]), err)
		}
	})

	got, err := b.GetMany(f.ctx, keys)
	if err != nil {
		t.Fatalf("GetMany of %d keys: %v", n, err)
	}

	wantValues(t, got, want)
}

func (s *suite) testBatchNoAliasing(t *testing.T) {
	f := s.open(t)
	b := f.batchGetter()

	key := f.key("alias")
	f.put(key, []byte("original"))

	got, err := b.GetMany(f.ctx, []string{key})
	if err != nil || len(got) != 1 {
		t.Fatalf("GetMany = %d values, %v; want one value", len(got), err)
	}

	copy(got[0], "CHANGED!")
	f.wantValue(key, []byte("original"))
}
