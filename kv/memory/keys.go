package memory

import (
	"context"
	"iter"
	"slices"
	"strings"

	"github.com/anykv/anykv/kv"
)

// Keys yields each live key that starts with prefix, in ascending byte
// order. The empty prefix yields every key. A prefix must be empty or a
// valid key, and an invalid one yields a single error matching
// kv.ErrInvalidKey. The matching keys are collected when iteration starts,
// and each is checked again just before it is yielded, so deleted and
// expired keys are skipped. No lock is held while the loop body runs, so
// the body may call any method of s. On failure, including cancellation of
// ctx, the iterator yields one non-nil error and stops.
func (s *Store) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := ctx.Err(); err != nil {
			yield("", err)
			return
		}

		if err := kv.ValidatePrefix(prefix); err != nil {
			yield("", err)
			return
		}

		keys, err := s.matchingKeys(prefix)
		if err != nil {
			yield("", err)
			return
		}

		for _, key := range keys {
			if err := ctx.Err(); err != nil {
				yield("", err)
				return
			}

			live, err := s.isLive(key)
			if err != nil {
				yield("", err)
				return
			}

			if !live {
				continue
			}

			if !yield(key, nil) {
				return
			}
		}
	}
}

// matchingKeys returns the live keys that start with prefix, sorted. It
// sorts after releasing the read lock, so writers wait only for the scan.
func (s *Store) matchingKeys(prefix string) ([]string, error) {
	s.mu.RLock()

	if s.closed {
		s.mu.RUnlock()
		return nil, &keyError{op: "list keys", err: kv.ErrClosed}
	}

	now := s.now()

	var keys []string
	for key, e := range s.entries {
		if strings.HasPrefix(key, prefix) && !e.expired(now) {
			keys = append(keys, key)
		}
	}

	s.mu.RUnlock()

	slices.Sort(keys)

	return keys, nil
}

// isLive reports whether key exists and has not expired.
func (s *Store) isLive(key string) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()

	if s.closed {
		return false, &keyError{op: "list keys", err: kv.ErrClosed}
	}

	_, live := s.liveLocked(key)

	return live, nil
}
