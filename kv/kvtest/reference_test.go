package kvtest_test

import (
	"context"
	"fmt"
	"iter"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/anykv/anykv/kv"
)

// refStore is an in-memory store with every optional capability, written
// to pass the suite. Its bug field switches on one deliberate defect, so
// that the tests can show the suite catches it.
type refStore struct {
	bug bug

	// limit is the largest value in bytes the store accepts; 0: no limit.
	limit int

	mu      sync.Mutex
	entries map[string]refEntry
	closed  bool
}

type refEntry struct {
	value     []byte
	expiresAt time.Time // zero: no TTL
}

// bug names a deliberate defect of refStore.
type bug string

const (
	noBug              bug = ""
	bugAliasPut        bug = "alias-put"        // keeps the caller's slice
	bugNilEmpty        bug = "nil-empty"        // returns nil for an empty value
	bugAcceptsSpace    bug = "accepts-space"    // lets spaces into keys
	bugEarlyExpiry     bug = "early-expiry"     // expires entries at half their TTL
	bugRacyPutIfAbsent bug = "racy-putifabsent" // checks and stores under two locks
	bugListTwice       bug = "list-twice"       // yields one key twice
	bugIgnoresCancel   bug = "ignores-cancel"   // writes under a cancelled context
	bugKeepsTTL        bug = "keeps-ttl"        // Put keeps an existing TTL
	bugListLocks       bug = "list-locks"       // holds the lock while the loop runs
	bugGlobPrefix      bug = "glob-prefix"      // reads a listing prefix as a glob pattern
	bugOpenAfterClose  bug = "open-after-close" // keeps working after Close
	bugBatchAbsent     bug = "batch-absent"     // GetMany returns an empty value for an absent key
)

func newRefStore(b bug) *refStore {
	return &refStore{bug: b, entries: make(map[string]refEntry)}
}

var (
	_ kv.TTLStore    = (*refStore)(nil)
	_ kv.Lister      = (*refStore)(nil)
	_ kv.AtomicStore = (*refStore)(nil)
	_ kv.BatchGetter = (*refStore)(nil)
	_ kv.Reclaimer   = (*refStore)(nil)
)

// check returns the error an operation on key fails with before it reads
// or writes, if any. The caller holds s.mu.
func (s *refStore) check(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil && s.bug != bugIgnoresCancel {
		return err
	}

	if s.closed {
		return kv.ErrClosed
	}

	if s.bug == bugAcceptsSpace {
		key = strings.ReplaceAll(key, " ", "_")
	}

	return kv.ValidateKey(key)
}

// checkValue returns an error matching kv.ErrValueTooLarge when value
// exceeds the store's limit.
func (s *refStore) checkValue(key string, value []byte) error {
	if s.limit > 0 && len(value) > s.limit {
		return fmt.Errorf("put %s: %w: %d bytes, the limit is %d", kv.QuoteKey(key), kv.ErrValueTooLarge, len(value), s.limit)
	}

	return nil
}

// live returns the entry under key unless it is absent or expired. The
// caller holds s.mu.
func (s *refStore) live(key string, now time.Time) (refEntry, bool) {
	e, ok := s.entries[key]
	if !ok || (!e.expiresAt.IsZero() && !now.Before(e.expiresAt)) {
		return refEntry{}, false
	}

	return e, true
}

// copyValue returns a copy of value that is never nil.
func (s *refStore) copyValue(value []byte) []byte {
	if s.bug == bugAliasPut {
		return value
	}

	return append([]byte{}, value...)
}

// set stores value under key. The caller holds s.mu.
func (s *refStore) set(key string, value []byte, ttl time.Duration) {
	e := refEntry{value: s.copyValue(value)}

	switch {
	case ttl > 0 && s.bug == bugEarlyExpiry:
		e.expiresAt = time.Now().Add(ttl / 2)
	case ttl > 0:
		e.expiresAt = time.Now().Add(ttl)
	case s.bug == bugKeepsTTL:
		e.expiresAt = s.entries[key].expiresAt
	}

	s.entries[key] = e
}

func (s *refStore) Get(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.check(ctx, key); err != nil {
		return nil, err
	}

	e, ok := s.live(key, time.Now())
	if !ok {
		return nil, fmt.Errorf("get %s: %w", kv.QuoteKey(key), kv.ErrNotFound)
	}

	if s.bug == bugNilEmpty && len(e.value) == 0 {
		return nil, nil
	}

	return append([]byte{}, e.value...), nil
}

func (s *refStore) Put(ctx context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.check(ctx, key); err != nil {
		return err
	}

	if err := s.checkValue(key, value); err != nil {
		return err
	}

	s.set(key, value, 0)

	return nil
}

func (s *refStore) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.check(ctx, key); err != nil {
		return err
	}

	if err := kv.ValidateTTL(ttl); err != nil {
		return err
	}

	if err := s.checkValue(key, value); err != nil {
		return err
	}

	s.set(key, value, ttl)

	return nil
}

func (s *refStore) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.check(ctx, key); err != nil {
		return err
	}

	delete(s.entries, key)

	return nil
}

func (s *refStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.closed = s.bug != bugOpenAfterClose

	return nil
}

// Keys yields a sorted snapshot of the live keys with prefix, without
// holding the lock while the caller's loop runs, so the loop may write.
func (s *refStore) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		s.mu.Lock()

		locked := true
		defer func() {
			if locked {
				s.mu.Unlock()
			}
		}()

		err := ctx.Err()
		if err == nil && s.closed {
			err = kv.ErrClosed
		}

		if err == nil {
			err = kv.ValidatePrefix(prefix)
		}

		var keys []string
		now := time.Now()
		for key := range s.entries {
			if _, ok := s.live(key, now); ok && s.hasPrefix(key, prefix) {
				keys = append(keys, key)
			}
		}

		if s.bug != bugListLocks {
			s.mu.Unlock()
			locked = false
		}

		if err != nil {
			yield("", err)
			return
		}

		slices.Sort(keys)

		if s.bug == bugListTwice && len(keys) > 0 {
			keys = append(keys, keys[0])
		}

		for _, key := range keys {
			if !yield(key, nil) {
				return
			}
		}
	}
}

// hasPrefix reports whether key starts with prefix.
func (s *refStore) hasPrefix(key, prefix string) bool {
	if s.bug == bugGlobPrefix {
		matched, err := path.Match(prefix+"*", key)
		return err == nil && matched
	}

	return strings.HasPrefix(key, prefix)
}

func (s *refStore) PutIfAbsent(ctx context.Context, key string, value []byte) (bool, error) {
	return s.putIfAbsent(ctx, key, value, 0)
}

func (s *refStore) PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := kv.ValidateTTL(ttl); err != nil {
		return false, err
	}

	return s.putIfAbsent(ctx, key, value, ttl)
}

func (s *refStore) putIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.check(ctx, key); err != nil {
		return false, err
	}

	if err := s.checkValue(key, value); err != nil {
		return false, err
	}

	if _, ok := s.live(key, time.Now()); ok {
		return false, nil
	}

	if s.bug == bugRacyPutIfAbsent {
		// Let the other racers pass the check above before anyone stores.
		s.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		s.mu.Lock()
	}

	s.set(key, value, ttl)

	return true, nil
}

func (s *refStore) CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (bool, error) {
	return s.compareAndSwap(ctx, key, oldValue, newValue, 0)
}

func (s *refStore) CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	if err := kv.ValidateTTL(ttl); err != nil {
		return false, err
	}

	return s.compareAndSwap(ctx, key, oldValue, newValue, ttl)
}

func (s *refStore) compareAndSwap(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := s.check(ctx, key); err != nil {
		return false, err
	}

	if err := s.checkValue(key, newValue); err != nil {
		return false, err
	}

	e, ok := s.live(key, time.Now())
	if !ok {
		return false, fmt.Errorf("compare-and-swap %s: %w", kv.QuoteKey(key), kv.ErrNotFound)
	}

	if string(e.value) != string(oldValue) {
		return false, nil
	}

	s.set(key, newValue, ttl)

	return true, nil
}

func (s *refStore) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	for _, key := range keys {
		if err := s.check(ctx, key); err != nil {
			return nil, err
		}
	}

	if err := ctx.Err(); err != nil {
		return nil, err
	}

	if s.closed {
		return nil, kv.ErrClosed
	}

	values := make([][]byte, len(keys))
	now := time.Now()

	for i, key := range keys {
		if e, ok := s.live(key, now); ok || s.bug == bugBatchAbsent {
			values[i] = append([]byte{}, e.value...)
		}
	}

	return values, nil
}

func (s *refStore) Reclaim(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := ctx.Err(); err != nil {
		return 0, err
	}

	if s.closed {
		return 0, kv.ErrClosed
	}

	removed := 0
	now := time.Now()

	for key, e := range s.entries {
		if _, ok := s.live(key, now); !ok && !e.expiresAt.IsZero() {
			delete(s.entries, key)
			removed++
		}
	}

	return removed, nil
}

// refWrapper wraps a refStore and forwards every capability, as a
// namespace or metrics wrapper would.
type refWrapper struct {
	*refStore
}

func (w refWrapper) Unwrap() kv.Store { return w.refStore }
