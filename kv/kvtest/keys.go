package kvtest

import (
	"errors"
	"strings"
	"testing"

	"github.com/anykv/anykv/kv"
)

func (s *suite) testKeys(t *testing.T) {
	t.Run("EveryByte", s.testKeyEveryByte)
	t.Run("MaxLength", s.testKeyMaxLength)
	t.Run("Invalid", s.testKeyInvalid)
}

// testKeyEveryByte stores one key for each printable ASCII byte, and one
// key that contains all of them.
func (s *suite) testKeyEveryByte(t *testing.T) {
	f := s.open(t)

	var (
		keys []string
		all  []byte
	)

	for c := byte('!'); c <= '~'; c++ {
		key := f.key(string(c))
		f.put(key, []byte{c})
		keys = append(keys, key)
		all = append(all, c)
	}

	allKey := f.key("all-" + string(all))
	f.put(allKey, all)
	keys = append(keys, allKey)

	for c := byte('!'); c <= '~'; c++ {
		f.wantValue(f.prefix+string(c), []byte{c})
	}

	f.wantValue(allKey, all)

	if l, ok := f.store.(kv.Lister); ok {
		f.wantListed(l, f.prefix, keys)
	}
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
			s.checkRejected(f, key)

			f.wantValue(neighbour, []byte("v0"))

			if l, ok := f.store.(kv.Lister); ok {
				f.wantListed(l, f.prefix, []string{neighbour})
			}
		})
	}
}

// checkRejected calls every operation the store has with key, which is
// invalid, and reports each that does not fail with kv.ErrInvalidKey. The
// store holds "v0" under some other key, which compare-and-swap uses as
// its old value.
func (s *suite) checkRejected(f *fixture, key string) {
	f.t.Helper()

	ctx := f.ctx
	value := []byte("bad")
	ttl := f.opts.ttl()

	wantInvalid := func(op string, err error) {
		f.t.Helper()

		if !errors.Is(err, kv.ErrInvalidKey) {
			f.t.Errorf("%s %s = %v, want an error matching kv.ErrInvalidKey", op, kv.QuoteKey(key), err)
		}
	}

	got, err := f.store.Get(ctx, key)
	wantInvalid("Get", err)

	if got != nil {
		f.t.Errorf("Get %s returned value %s with its error", kv.QuoteKey(key), describe(got))
	}

	err = f.store.Put(ctx, key, value)
	wantInvalid("Put", err)

	// The message names the key so that a caller can find it; the empty key
	// has nothing to quote.
	if err != nil && key != "" && !strings.Contains(err.Error(), kv.QuoteKey(key)) {
		f.t.Errorf("Put error %q does not quote the key as %s", err, kv.QuoteKey(key))
	}

	wantInvalid("Delete", f.store.Delete(ctx, key))

	if ts, ok := f.store.(kv.TTLStore); ok {
		wantInvalid("PutTTL", ts.PutTTL(ctx, key, value, ttl))
	}

	if l, ok := f.store.(kv.Lister); ok && key != "" {
		_, err := listKeys(ctx, l, key)
		wantInvalid("Keys with prefix", err)
	}

	if a, ok := f.store.(kv.AtomicStore); ok {
		_, err := a.PutIfAbsent(ctx, key, value)
		wantInvalid("PutIfAbsent", err)

		_, err = a.PutIfAbsentTTL(ctx, key, value, ttl)
		wantInvalid("PutIfAbsentTTL", err)

		_, err = a.CompareAndSwap(ctx, key, []byte("v0"), value)
		wantInvalid("CompareAndSwap", err)

		_, err = a.CompareAndSwapTTL(ctx, key, []byte("v0"), value, ttl)
		wantInvalid("CompareAndSwapTTL", err)
	}

	if b, ok := f.store.(kv.BatchGetter); ok {
		values, err := b.GetMany(ctx, []string{f.prefix + "a", key})
		wantInvalid("GetMany", err)

		if values != nil {
			f.t.Errorf("GetMany with key %s returned values with its error", kv.QuoteKey(key))
		}
	}
}
