// Package namespace wraps a kv.Store so that each caller sees its own part
// of a shared keyspace.
//
// A namespace adds a fixed prefix to every key on the way in and strips it
// from listed keys on the way out, so "users/42" in the namespace "app:" is
// stored as "app:users/42". Listing yields only keys under the prefix.
//
// # Isolation
//
// The prefix must be a valid key whose last byte is not a letter or digit,
// such as "app:" or "tenant-7/". Without that rule the namespaces "a" and
// "ab" would overlap: key "b1" in "a" is key "1" in "ab". With it, two
// namespaces share keys only when one prefix extends the other, as
// "app:" and "app:users:" do. The outer one then sees the inner one's
// keys, as a directory lists its subdirectories. Namespaces whose prefixes do not
// extend one another never see each other's keys.
//
// # Keys
//
// A key in a namespace follows kv's key rule, and the stored key (prefix
// plus key) must fit kv.MaxKeyLen too, so a namespace accepts keys of at
// most MaxKeyLen(prefix) bytes. Errors for a key that is too long name both
// the key and the prefix.
//
// # Capabilities and Close
//
// The wrapper exposes exactly the optional capabilities of the inner store
// and passes TTLs and conditional writes through unchanged. Close marks
// only the wrapper closed: the inner store stays open for other namespaces,
// and the caller closes it. The wrapper is safe for concurrent use when the
// inner store is.
package namespace

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/wrap"
)

// ErrInvalidPrefix means a namespace prefix is not a valid key or does not
// end with a separator byte (any byte but a letter or digit).
var ErrInvalidPrefix = errors.New("namespace: invalid prefix")

// store adds prefix to every key it passes to the inner store.
type store struct {
	wrap.MapKeys
	prefix string
}

// New returns a view of inner in which every key is stored under prefix.
// The prefix must be a valid key that ends in a byte other than a letter
// or digit. Otherwise New returns an error matching ErrInvalidPrefix. New
// panics if inner is nil.
func New(inner kv.Store, prefix string) (kv.Wrapper, error) {
	if err := ValidatePrefix(prefix); err != nil {
		return nil, err
	}

	s := &store{prefix: prefix}
	s.Inner = inner
	s.MapKey = s.storedKey

	return wrap.New(inner, s), nil
}

// ValidatePrefix returns nil when prefix can name a namespace. Otherwise it
// returns an error matching ErrInvalidPrefix that gives the reason.
func ValidatePrefix(prefix string) error {
	if err := kv.ValidateKey(prefix); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidPrefix, err)
	}

	last := prefix[len(prefix)-1]
	if isAlphanumeric(last) {
		return fmt.Errorf("%w %s: the last byte %q is a letter or digit, so the namespace could overlap one with a longer prefix; end the prefix with a separator such as ':' or '/'", ErrInvalidPrefix, kv.QuoteKey(prefix), last)
	}

	return nil
}

func isAlphanumeric(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// MaxKeyLen returns the maximum length in bytes of a key in the namespace
// with this prefix, which is what kv.MaxKeyLen leaves after the prefix.
func MaxKeyLen(prefix string) int {
	return max(kv.MaxKeyLen-len(prefix), 0)
}

// storedKey returns the inner store's key for key, after checking key by
// kv's rule and the combined key's length.
func (s *store) storedKey(key string) (string, error) {
	if err := kv.ValidateKey(key); err != nil {
		return "", err
	}

	if len(s.prefix)+len(key) > kv.MaxKeyLen {
		return "", fmt.Errorf("%w %s in namespace %s: %d bytes, the maximum in this namespace is %d", kv.ErrInvalidKey, kv.QuoteKey(key), kv.QuoteKey(s.prefix), len(key), MaxKeyLen(s.prefix))
	}

	return s.prefix + key, nil
}

// Keys lists the inner store under the namespace prefix plus prefix, and
// yields each key with the namespace prefix removed.
func (s *store) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	// A listing prefix follows the rule for keys, the namespace's length
	// limit included.
	if prefix != "" {
		if _, err := s.storedKey(prefix); err != nil {
			return wrap.ErrorSeq(err)
		}
	}

	return func(yield func(string, error) bool) {
		for stored, err := range s.Forward.Keys(ctx, s.prefix+prefix) {
			if err != nil {
				yield("", err)
				return
			}

			// The inner store returns only keys under the prefix. This
			// check keeps a foreign key out even if one does not.
			key, ok := strings.CutPrefix(stored, s.prefix)
			if !ok || key == "" {
				continue
			}

			if !yield(key, nil) {
				return
			}
		}
	}
}
