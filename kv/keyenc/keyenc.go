// Package keyenc wraps a kv.Store so that any string can be a key: UTF-8,
// spaces, slashes, control bytes or binary.
//
// Each key is percent-encoded before it reaches the inner store. The bytes
// '!' to '~' other than '%' stay as they are, and every other byte becomes
// '%' and two upper-case hex digits, so "user 42/é" is stored as
// "user%2042/%C3%A9". Readable keys stay readable in the inner store, and
// the encoding is reversible.
//
// Every byte is encoded on its own, and no byte's code is the prefix of
// another's. So a raw string p is a prefix of a raw key k exactly when the
// encoding of p is a prefix of the encoding of k. Listing therefore encodes
// the prefix, lists the inner store and decodes the keys, with the same
// prefix semantics as on raw strings. A listed inner key that is not a
// canonical encoding (written to the inner store directly) is skipped,
// because no raw key maps to it.
//
// # Limits
//
// An encoded byte takes up to three bytes, so a raw key may be at most
// MaxKeyLen (83) bytes long whatever its content. A longer or empty key
// fails with kv.ErrInvalidKey. The limit is fixed, not dependent on the
// key's bytes, so that a key that works in a test with ASCII works in
// production with UTF-8.
//
// # Capabilities and Close
//
// The wrapper exposes exactly the optional capabilities of the inner store.
// Close marks only the wrapper closed and leaves the inner store open, for
// the caller to close. The wrapper is safe for concurrent use when the
// inner store is.
package keyenc

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/wrap"
)

// MaxKeyLen is the maximum length in bytes of a raw key: the longest key
// whose encoding fits kv.MaxKeyLen even when every byte is escaped.
const MaxKeyLen = kv.MaxKeyLen / 3

// store encodes every key before passing it to the inner store.
type store struct {
	wrap.MapKeys
}

// New returns a view of inner that accepts any string of 1 to MaxKeyLen
// bytes as a key. It panics if inner is nil.
func New(inner kv.Store) kv.Wrapper {
	return wrap.New(inner, &store{wrap.MapKeys{Forward: wrap.Forward{Inner: inner}, MapKey: Encode}})
}

// Encode returns the inner store's key for the raw key, or an error
// matching kv.ErrInvalidKey when the raw key is empty or longer than
// MaxKeyLen.
func Encode(key string) (string, error) {
	if key == "" {
		return "", fmt.Errorf("%w: empty key", kv.ErrInvalidKey)
	}

	if len(key) > MaxKeyLen {
		return "", fmt.Errorf("%w %s: %d bytes, the maximum raw key length is %d because an escaped byte takes 3", kv.ErrInvalidKey, kv.QuoteKey(key), len(key), MaxKeyLen)
	}

	return encode(key), nil
}

// Decode returns the raw key for an inner store's key, or an error
// matching kv.ErrInvalidKey when stored is not the canonical encoding of
// any raw key.
func Decode(stored string) (string, error) {
	var b strings.Builder

	for i := 0; i < len(stored); i++ {
		c := stored[i]
		if c != '%' {
			if !isPlain(c) {
				return "", fmt.Errorf("%w %s: byte 0x%02x at offset %d is not allowed in an encoded key", kv.ErrInvalidKey, kv.QuoteKey(stored), c, i)
			}

			b.WriteByte(c)
			continue
		}

		decoded, ok := unhex(stored, i+1)
		if !ok || isPlain(decoded) {
			return "", fmt.Errorf("%w %s: offset %d is not '%%' followed by two upper-case hex digits of an escaped byte", kv.ErrInvalidKey, kv.QuoteKey(stored), i)
		}

		b.WriteByte(decoded)
		i += 2
	}

	return b.String(), nil
}

// isPlain reports whether c is stored unescaped.
func isPlain(c byte) bool {
	return c >= '!' && c <= '~' && c != '%'
}

const upperHex = "0123456789ABCDEF"

func encode(raw string) string {
	// Most keys need no escape, and then the key is its own encoding.
	plain := true
	for i := 0; i < len(raw) && plain; i++ {
		plain = isPlain(raw[i])
	}

	if plain {
		return raw
	}

	var b strings.Builder
	b.Grow(len(raw))

	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if isPlain(c) {
			b.WriteByte(c)
			continue
		}

		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&0x0f])
	}

	return b.String()
}

// unhex decodes the two upper-case hex digits at s[i:i+2].
func unhex(s string, i int) (byte, bool) {
	if i+2 > len(s) {
		return 0, false
	}

	hi := strings.IndexByte(upperHex, s[i])
	lo := strings.IndexByte(upperHex, s[i+1])
	if hi < 0 || lo < 0 {
		return 0, false
	}

	return byte(hi<<4 | lo), true
}

// Keys lists the inner store under the encoded prefix and yields the
// decoded keys. The prefix may be empty or any raw key of at most
// MaxKeyLen bytes.
func (s *store) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	encodedPrefix := ""

	if prefix != "" {
		p, err := Encode(prefix)
		if err != nil {
			return wrap.ErrorSeq(err)
		}

		encodedPrefix = p
	}

	return func(yield func(string, error) bool) {
		for stored, err := range s.Forward.Keys(ctx, encodedPrefix) {
			if err != nil {
				yield("", err)
				return
			}

			key, err := Decode(stored)
			if err != nil || len(key) > MaxKeyLen {
				continue
			}

			if !yield(key, nil) {
				return
			}
		}
	}
}
