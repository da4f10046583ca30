package keyenc_test

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/mapstore"
	"github.com/anykv/anykv/kv/internal/wraptest"
	"github.com/anykv/anykv/kv/keyenc"
)

func TestKeyencCapabilities(t *testing.T) {
	mapstore.CheckCapabilities(t, func(inner kv.Store) kv.Store {
		return keyenc.New(inner)
	})
}

func TestEncodeExamples(t *testing.T) {
	cases := map[string]string{
		"plain":      "plain",
		"a b":        "a%20b",
		"100%":       "100%25",
		"café":       "caf%C3%A9",
		"a/b:c*?[]":  "a/b:c*?[]",
		"\x00\n\xff": "%00%0A%FF",
	}

	for raw, want := range cases {
		got, err := keyenc.Encode(raw)
		if err != nil || got != want {
			t.Errorf("Encode(%q) = %q, %v, want %q", raw, got, err, want)
		}
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))

	for range 2000 {
		raw := make([]byte, 1+rng.IntN(keyenc.MaxKeyLen))
		for i := range raw {
			raw[i] = byte(rng.IntN(256))
		}

		encoded, err := keyenc.Encode(string(raw))
		if err != nil {
			t.Fatalf("Encode(%q): %v", raw, err)
		}

		if err := kv.ValidateKey(encoded); err != nil {
			t.Fatalf("Encode(%q) = %q breaks the key rule: %v", raw, encoded, err)
		}

		decoded, err := keyenc.Decode(encoded)
		if err != nil || decoded != string(raw) {
			t.Fatalf("Decode(Encode(%q)) = %q, %v", raw, decoded, err)
		}
	}
}

// Listing relies on this: p is a prefix of k exactly when Encode(p) is a
// prefix of Encode(k).
func TestEncodeKeepsPrefixes(t *testing.T) {
	alphabet := []byte{'a', 'b', '%', ' ', '2', '0', 0x00, 0xc3, 0xa9, 'A'}
	rng := rand.New(rand.NewPCG(3, 4))
	random := func() string {
		b := make([]byte, 1+rng.IntN(5))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}

		return string(b)
	}

	for range 20000 {
		p, k := random(), random()
		ep, _ := keyenc.Encode(p)
		ek, _ := keyenc.Encode(k)

		if strings.HasPrefix(k, p) != strings.HasPrefix(ek, ep) {
			t.Fatalf("raw %q prefix of %q = %v, encoded %q prefix of %q = %v", p, k, strings.HasPrefix(k, p), ep, ek, strings.HasPrefix(ek, ep))
		}
	}
}

func TestDecodeRejectsNonCanonical(t *testing.T) {
	for _, stored := range []string{"%41", "%2", "%", "%zz", "%c3", "a b", "a%2"} {
		if _, err := keyenc.Decode(stored); !errors.Is(err, kv.ErrInvalidKey) {
			t.Errorf("Decode(%q) = %v, want ErrInvalidKey", stored, err)
		}
	}
}

func TestKeyLengthLimit(t *testing.T) {
	ctx := t.Context()
	s := keyenc.New(mapstore.New())

	worst := strings.Repeat("\xff", keyenc.MaxKeyLen)
	if err := s.Put(ctx, worst, []byte("v")); err != nil {
		t.Errorf("Put of %d escaped bytes = %v, want nil", keyenc.MaxKeyLen, err)
	}

	for _, key := range []string{"", strings.Repeat("a", keyenc.MaxKeyLen+1)} {
		if err := s.Put(ctx, key, nil); !errors.Is(err, kv.ErrInvalidKey) {
			t.Errorf("Put of a %d-byte key = %v, want ErrInvalidKey", len(key), err)
		}
	}
}

func TestAnyStringIsKey(t *testing.T) {
	ctx := t.Context()
	inner := mapstore.New()
	s := keyenc.New(inner)
	keys := []string{"user 42", "a/b", "naïve", "line\nbreak", "\x00\x01", "100%", "a*", "ab"}

	for i, key := range keys {
		if err := s.Put(ctx, key, []byte{byte(i)}); err != nil {
			t.Fatalf("Put(%q): %v", key, err)
		}
	}

	for i, key := range keys {
		got, err := s.Get(ctx, key)
		if err != nil || !slices.Equal(got, []byte{byte(i)}) {
			t.Errorf("Get(%q) = %v, %v, want [%d]", key, got, err, i)
		}
	}

	want := slices.Clone(keys)
	slices.Sort(want)
	if got := wraptest.ListKeys(t, s, ""); !slices.Equal(got, want) {
		t.Errorf("Keys = %q, want %q", got, want)
	}

	if got := wraptest.ListKeys(t, s, "a*"); !slices.Equal(got, []string{"a*"}) {
		t.Errorf("Keys(a*) = %q, want [a*]", got)
	}

	if got := wraptest.ListKeys(t, s, "user "); !slices.Equal(got, []string{"user 42"}) {
		t.Errorf("Keys(user ) = %q, want [user 42]", got)
	}

	values, err := s.(kv.BatchGetter).GetMany(ctx, []string{"naïve", "absent key"})
	if err != nil || !slices.Equal(values[0], []byte{2}) || values[1] != nil {
		t.Errorf("GetMany = %v, %v", values, err)
	}
}

func TestListSkipsForeignKeys(t *testing.T) {
	ctx := t.Context()
	inner := mapstore.New()
	s := keyenc.New(inner)

	for _, key := range []string{"%41", "%zz", "ok"} {
		if err := inner.Put(ctx, key, nil); err != nil {
			t.Fatal(err)
		}
	}

	if got := wraptest.ListKeys(t, s, ""); !slices.Equal(got, []string{"ok"}) {
		t.Errorf("Keys = %q, want [ok]", got)
	}
}

func TestListPrefixTooLong(t *testing.T) {
	s := keyenc.New(mapstore.New())

	for _, err := range s.(kv.Lister).Keys(t.Context(), strings.Repeat("a", keyenc.MaxKeyLen+1)) {
		if !errors.Is(err, kv.ErrInvalidKey) {
			t.Errorf("Keys with a long prefix = %v, want ErrInvalidKey", err)
		}
	}
}
