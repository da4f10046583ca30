package kvtest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/anykv/anykv/kv"
)

func (s *suite) testKeys(t *testing.T) {
	t.Run("EveryByte", s.testKeyEveryByte)
	t.Run("MaxLength", s.testKeyMaxLength)
	t.Run("Invalid", s.testKeyInvalid)
}

// testKeyEveryByte stores one key for each printable ASCII byte, and keys
// that contain all of them.
func (s *suite) testKeyEveryByte(t *testing.T) {
	f := s.open(t)

	values := make(map[string][]byte)

	for c := byte('!'); c <= '~'; c++ {
		values[f.key(string(c))] = []byte{c}
	}

	// As few keys as MaxKeyLen allows hold every byte between them.
	room := f.opts.MaxKeyLen - len(f.prefix) - len("all-00-")
	for i, chunk := range splitBytes(printableASCII(), room) {
		values[f.key(fmt.Sprintf("all-%02d-%s", i, chunk))] = chunk
	}

	keys := make([]string, 0, len(values))
	for key, value := range values {
		f.put(key, value)
		keys = append(keys, key)
	}

	for key, value := range values {
		f.wantValue(key, value)
	}

	if l, ok := f.store.(kv.Lister); ok {
		f.wantListed(l, f.prefix, keys)
	}
}

// printableASCII returns the bytes '!' to '~', which a key may contain.
func printableASCII() []byte {
	b := make([]byte, 0, '~'-'!'+1)
	for c := byte('!'); c <= '~'; c++ {
		b = append(b, c)
	}

	return b
}

// splitBytes cuts b into pieces of at most n bytes.
func splitBytes(b []byte, n int) [][]byte {
	var pieces [][]byte
	for len(b) > n {
		pieces = append(pieces, b[:n])
		b = b[n:]
	}

	return append(pieces, b)
}

// testKeyMaxLength stores, lists and deletes a key of the maximum length.
func (s *suite) testKeyMaxLength(t *testing.T) {
	f := s.open(t)

	key := f.keyOfLen(f.opts.MaxKeyLen)
	f.put(key, []byte("long key"))
	f.wantValue(key, []byte("long key"))

	if l, ok := f.store.(kv.Lister); ok {
		f.wantListed(l, f.prefix, []string{key})
		f.wantListed(l, key, []string{key})
	}

	if err := f.store.Delete(f.ctx, key); err != nil {
		t.Fatalf("Delete %s: %v", kv.QuoteKey(key), err)
	}

	f.wantAbsent(key)
}

// invalidKey is a key every store must reject, and the valid key that a
// store which cut or cleaned keys instead of rejecting them would use.
type invalidKey struct {
	name string

	// suffix follows the fixture's prefix, unless empty is set.
	suffix string
	empty  bool

	// neighbour follows the fixture's prefix. It is empty when the
	// invalid key is too long: the neighbour is then its first
	// MaxKeyLen bytes.
	neighbour string
	tooLong   bool
}

var invalidKeys = []invalidKey{
	{name: "Empty", empty: true, neighbour: "a"},
	{name: "TooLong", tooLong: true},
	{name: "Space", suffix: "a b", neighbour: "a"},
	{name: "LeadingSpace", suffix: " a", neighbour: "a"},
	{name: "Tab", suffix: "a\tb", neighbour: "a"},
	{name: "Newline", suffix: "a\nb", neighbour: "a"},
	{name: "TrailingNewline", suffix: "a\n", neighbour: "a"},
	{name: "CarriageReturn", suffix: "a\r\n", neighbour: "a"},
	{name: "NUL", suffix: "a\x00b", neighbour: "a"},
	{name: "DEL", suffix: "a\x7f", neighbour: "a"},
	{name: "NonASCII", suffix: "a\xc3\xa9", neighbour: "a"},
	{name: "HighByte", suffix: "a\xff", neighbour: "a"},
}

// testKeyInvalid checks that every operation rejects each invalid key with
// kv.ErrInvalidKey, and that none of them changes the store.
func (s *suite) testKeyInvalid(t *testing.T) {
	for _, c := range invalidKeys {
		t.Run(c.name, func(t *testing.T) {
			f := s.open(t)

			var key, neighbour string

			switch {
			case c.empty:
				neighbour = f.key(c.neighbour)
			case c.tooLong:
				neighbour = f.keyOfLen(f.opts.MaxKeyLen)
				key = neighbour + "k"
			default:
				key = f.prefix + c.suffix
				neighbour = f.key(c.neighbour)
			}

			f.put(neighbour, []byte("v0"))

			if f.opts.WideKeys && !c.empty && !c.tooLong {
				s.checkWideKey(f, f.key(c.suffix), neighbour)
				return
			}

			s.checkRejected(f, key)

			f.wantValue(neighbour, []byte("v0"))

			if l, ok := f.store.(kv.Lister); ok {
				f.wantListed(l, f.prefix, []string{neighbour})
			}
		})
	}
}

// checkRejected calls every operation the store has with key, which is
// invalid, and reports each that does not fail with kv.ErrInvalidKey.
func (s *suite) checkRejected(f *fixture, key string) {
	f.t.Helper()

	for _, op := range f.operations([]byte("v0")) {
		// Reclaim takes no key, and the empty prefix is a valid one.
		if op.keyless || (op.name == "Keys" && key == "") {
			continue
		}

		err := op.call(f.ctx, key)
		if !errors.Is(err, kv.ErrInvalidKey) {
			f.t.Errorf("%s %s = %v, want an error matching kv.ErrInvalidKey", op.name, kv.QuoteKey(key), err)
		}

		// Only an absent key may be reported as not found.
		if errors.Is(err, kv.ErrNotFound) {
			f.t.Errorf("%s %s = %v, which also matches kv.ErrNotFound", op.name, kv.QuoteKey(key), err)
		}
	}

	got, err := f.store.Get(f.ctx, key)
	if err != nil && got != nil {
		f.t.Errorf("Get %s returned value %s with its error", kv.QuoteKey(key), describe(got))
	}

	// The message names the key so that a caller can find it. The empty key
	// has nothing to quote.
	err = f.store.Put(f.ctx, key, []byte("bad"))
	if err != nil && key != "" && !strings.Contains(err.Error(), kv.QuoteKey(key)) {
		f.t.Errorf("Put error %q does not quote the key as %s", err, kv.QuoteKey(key))
	}
}

// checkWideKey checks that a store with wider keys stores key, which the kv
// rule forbids, as a key of its own, apart from neighbour, which holds "v0".
func (s *suite) checkWideKey(f *fixture, key, neighbour string) {
	f.t.Helper()

	f.put(key, []byte("wide"))
	f.wantValue(key, []byte("wide"))
	f.wantValue(neighbour, []byte("v0"))

	if l, ok := f.store.(kv.Lister); ok {
		f.wantListed(l, f.prefix, []string{neighbour, key})
		f.wantListed(l, key, []string{key})
	}

	if err := f.store.Delete(f.ctx, key); err != nil {
		f.t.Errorf("Delete %s: %v", kv.QuoteKey(key), err)
	}

	f.wantAbsent(key)
	f.wantValue(neighbour, []byte("v0"))
}
