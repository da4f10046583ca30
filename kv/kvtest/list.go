package kvtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/anykv/anykv/kv"
)

func (s *suite) testList(t *testing.T) {
	t.Run("Prefix", s.testListPrefix)
	t.Run("PatternBytes", s.testListPatternBytes)
	t.Run("EmptyPrefix", s.testListEmptyPrefix)
	t.Run("DeleteWhileListing", s.testListDeleteWhileListing)
	t.Run("Break", s.testListBreak)
	t.Run("InvalidPrefix", s.testListInvalidPrefix)
	t.Run("Canceled", s.testListCanceled)
	t.Run("Many", s.testListMany)
}

// putAll stores a value under each name below the fixture's prefix and
// returns the keys.
func (f *fixture) putAll(names []string) []string {
	f.t.Helper()

	keys := make([]string, len(names))
	for i, name := range names {
		keys[i] = f.key(name)
		f.put(keys[i], []byte(name))
	}

	return keys
}

// wantPrefixListed lists each prefix (below the fixture's prefix) and
// compares the result with the keys that start with it.
func (f *fixture) wantPrefixListed(l kv.Lister, keys, prefixes []string) {
	f.t.Helper()

	for _, p := range prefixes {
		prefix := f.prefix + p

		var want []string
		for _, key := range keys {
			if strings.HasPrefix(key, prefix) {
				want = append(want, key)
			}
		}

		f.wantListed(l, prefix, want)
	}
}

func (s *suite) testListPrefix(t *testing.T) {
	f := s.open(t)
	l := f.lister()

	keys := f.putAll([]string{"a", "ab", "abc", "abd", "b", "ba", "a/x", "a/x/y", "c"})
	f.wantPrefixListed(l, keys, []string{"", "a", "ab", "abc", "a/", "b", "c", "d", "abcd"})
}

// testListPatternBytes checks that bytes which are wildcards or separators
// to some backend (Redis glob patterns, SQL LIKE, paths) are plain bytes in
// a listing prefix.
func (s *suite) testListPatternBytes(t *testing.T) {
	f := s.open(t)
	l := f.lister()

	keys := f.putAll([]string{
		"a", "ab", "ax", "a*", "a*b", "a?", "a?b",
		"xa", "xb", "xab", "x[ab]", "x[ab]c", "x[", "x]", "x[a",
		"x?", "x?y", "xy", "x\\", "x\\y", "x\\\\", "xy\\",
		"x:", "x:y", "x/", "x/y", "x^", "x-", "x.", "x.*",
		"x%", "x%y", "x_", "x_y", "x!", "x{a,b}", "xz",
	})

	f.wantPrefixListed(l, keys, []string{
		"a*", "a?", "x[ab]", "x[", "x]", "x?", "x\\", "x\\\\",
		"x:", "x/", "x^", "x-", "x.", "x.*", "x%", "x_", "x{a,b}", "x!",
	})
}

// testListEmptyPrefix checks that the empty prefix lists every key. Keys
// outside the fixture's prefix are ignored, because the database may be
// shared with other users.
func (s *suite) testListEmptyPrefix(t *testing.T) {
	f := s.open(t)
	l := f.lister()

	keys := f.putAll([]string{"a", "b", "c/d", "~"})
	f.wantListed(l, "", keys)
}

// testListDeleteWhileListing deletes every key from inside the loop that
// lists them. Every key must be yielded once, nothing may be left, and the
// loop must not deadlock.
func (s *suite) testListDeleteWhileListing(t *testing.T) {
	f := s.open(t)
	l := f.lister()

	names := make([]string, 300)
	for i := range names {
		names[i] = fmt.Sprintf("del/%03d", i)
	}

	keys := f.putAll(names)
	seen := make(map[string]int)

	f.withinTimeout("listing while deleting each key", func() error {
		for key, err := range l.Keys(f.ctx, f.prefix) {
			if err != nil {
				return fmt.Errorf("Keys %s: %w", kv.QuoteKey(f.prefix), err)
			}

			seen[key]++

			if err := f.store.Delete(f.ctx, key); err != nil {
				return fmt.Errorf("Delete %s inside the listing loop: %w", kv.QuoteKey(key), err)
			}
		}

		return nil
	})

	for _, key := range keys {
		if n := seen[key]; n != 1 {
			t.Errorf("listing while deleting yielded %s %d times, want once", kv.QuoteKey(key), n)
		}
	}

	f.wantListed(l, f.prefix, nil)
}

// testListBreak checks that a loop can stop early and that the store
// still works afterwards, which fails if the iterator keeps a lock.
func (s *suite) testListBreak(t *testing.T) {
	f := s.open(t)
	l := f.lister()

	keys := f.putAll([]string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"})

	yielded := 0
	f.withinTimeout("listing that breaks after three keys", func() error {
		for _, err := range l.Keys(f.ctx, f.prefix) {
			if err != nil {
				return fmt.Errorf("Keys %s: %w", kv.QuoteKey(f.prefix), err)
			}

			yielded++
			if yielded == 3 {
				break
			}
		}

		return nil
	})

	if yielded != 3 {
		t.Errorf("the loop ran %d times, want 3", yielded)
	}

	after := f.key("after-break")
	f.withinTimeout("Put after a listing loop stopped early", func() error {
		return f.store.Put(f.ctx, after, []byte("v"))
	})

	f.wantListed(l, f.prefix, append(keys, after))
}

// testListInvalidPrefix checks that an invalid prefix yields one error
// matching kv.ErrInvalidKey and no keys.
func (s *suite) testListInvalidPrefix(t *testing.T) {
	f := s.open(t)
	l := f.lister()

	f.putAll([]string{"a", "ab"})

	invalid := []string{f.prefix + strings.Repeat("k", f.opts.MaxKeyLen+1-len(f.prefix))}
	if !f.opts.WideKeys {
		invalid = append(invalid, f.prefix+"a b", f.prefix+"a\n")
	}

	for _, prefix := range invalid {
		var errs []error

		keys := 0
		for key, err := range l.Keys(f.ctx, prefix) {
			if err != nil {
				errs = append(errs, err)
				continue
			}

			keys++
			t.Errorf("Keys %s yielded key %s", kv.QuoteKey(prefix), kv.QuoteKey(key))
		}

		if len(errs) != 1 || !errors.Is(errs[0], kv.ErrInvalidKey) {
			t.Errorf("Keys %s yielded errors %v, want one matching kv.ErrInvalidKey", kv.QuoteKey(prefix), errs)
		}

		if keys > 0 {
			t.Errorf("Keys %s yielded %d keys, want none", kv.QuoteKey(prefix), keys)
		}
	}
}

// testListCanceled checks that a listing under a cancelled context yields
// the context's error.
func (s *suite) testListCanceled(t *testing.T) {
	f := s.open(t)
	l := f.lister()

	f.putAll([]string{"a", "b"})

	ctx, cancel := context.WithCancel(f.ctx)
	cancel()

	_, err := listKeys(ctx, l, f.prefix)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Keys with a cancelled context = %v, want an error matching context.Canceled", err)
	}
}

// manyKeys is how many keys testListMany stores: more than one page of a
// Redis SCAN or one batch of a bbolt cursor.
const manyKeys = 2500

func (s *suite) testListMany(t *testing.T) {
	f := s.open(t)
	l := f.lister()

	keys := make([]string, manyKeys)
	for i := range keys {
		keys[i] = f.key(fmt.Sprintf("many/%05d", i))
	}

	parallel(4, len(keys), func(i int) {
		if err := f.store.Put(f.ctx, keys[i], []byte("v")); err != nil {
			t.Errorf("Put %s: %v", kv.QuoteKey(keys[i]), err)
		}
	})

	if t.Failed() {
		return
	}

	f.wantListed(l, f.prefix, keys)
	f.wantListed(l, f.prefix+"many/", keys)
}
