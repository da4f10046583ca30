package memory

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"
	"weak"

	"github.com/anykv/anykv/kv"
)

// Compile-time checks that Store provides every capability it documents.
var (
	_ kv.Store       = (*Store)(nil)
	_ kv.TTLStore    = (*Store)(nil)
	_ kv.Lister      = (*Store)(nil)
	_ kv.AtomicStore = (*Store)(nil)
	_ kv.BatchGetter = (*Store)(nil)
	_ kv.Reclaimer   = (*Store)(nil)
)

// Defaults for the zero values of Options fields.
const (
	// DefaultReclaimInterval is the time between background reclaim runs.
	DefaultReclaimInterval = time.Second

	// DefaultReclaimLimit is the maximum number of expired entries that
	// one reclaim run removes while it holds the write lock.
	DefaultReclaimLimit = 1000
)

// Options configures a Store. A nil *Options, or a zero field, selects the
// default.
type Options struct {
	// ReclaimInterval is the time between runs of the background goroutine
	// that removes expired entries so that they stop using memory. Zero
	// means DefaultReclaimInterval (1 second). A negative value starts no
	// goroutine, and expired entries then keep their memory until Reclaim
	// is called or the key is written or deleted.
	ReclaimInterval time.Duration

	// ReclaimLimit is the maximum number of expired entries that one
	// reclaim run removes while it holds the write lock, which bounds how
	// long readers wait behind it. Zero or negative means
	// DefaultReclaimLimit (1000). A background run that reaches the limit
	// releases the lock and starts another run at once, so a backlog
	// cannot outgrow the schedule.
	ReclaimLimit int
}

// Store is an in-process key-value store. Create one with New, because the
// zero value is not usable.
type Store struct {
	mu      sync.RWMutex
	entries map[string]entry // nil after Close
	expiry  expiryQueue      // entries with a TTL, earliest deadline first
	closed  bool

	// start is the origin of every deadline. It carries a monotonic clock
	// reading, so time.Since(start) ignores changes to the wall clock.
	start time.Time

	reclaimLimit int

	// stop is closed by Close to end the background reclaimer, which
	// closes done when it returns. Both are nil when it is disabled.
	stop chan struct{}
	done chan struct{}
}

// entry is one stored value.
type entry struct {
	// value is never modified once stored, which lets readers copy it
	// after they release the lock.
	value []byte

	// deadline is the time, in nanoseconds since Store.start, from which
	// the entry is expired. Zero means the entry has no TTL.
	deadline int64

	// item is the entry's element in Store.expiry, or nil without a TTL.
	item *expiryItem
}

// expired reports whether e has a TTL whose deadline is not after now.
func (e entry) expired(now int64) bool {
	return e.deadline != 0 && now >= e.deadline
}

// New returns an empty store configured by opts, where nil means the
// defaults, and starts its background reclaimer unless opts disables it.
// Call Close to stop the reclaimer. If a Store becomes unreachable without
// Close, its reclaimer notices at its next run and returns.
func New(opts *Options) *Store {
	var o Options
	if opts != nil {
		o = *opts
	}

	if o.ReclaimInterval == 0 {
		o.ReclaimInterval = DefaultReclaimInterval
	}

	if o.ReclaimLimit <= 0 {
		o.ReclaimLimit = DefaultReclaimLimit
	}

	s := &Store{
		entries:      make(map[string]entry),
		start:        time.Now(),
		reclaimLimit: o.ReclaimLimit,
	}

	if o.ReclaimInterval > 0 {
		s.stop = make(chan struct{})
		s.done = make(chan struct{})

		// The goroutine holds only a weak pointer, so that a Store the
		// caller forgot to close can still be garbage collected.
		go reclaimLoop(weak.Make(s), o.ReclaimInterval, s.stop, s.done)
	}

	return s
}

// now returns the current time in nanoseconds since s.start, read from the
// monotonic clock.
func (s *Store) now() int64 {
	return int64(time.Since(s.start))
}

// deadlineAfter returns the deadline for an entry written now with ttl,
// which validateTTL accepted. The clock may have moved on since, so a
// deadline that would overflow by those nanoseconds becomes the largest
// representable one.
func (s *Store) deadlineAfter(ttl time.Duration) int64 {
	now := s.now()
	if int64(ttl) > math.MaxInt64-now {
		return math.MaxInt64
	}

	return now + int64(ttl)
}

// Get returns a copy of the value stored under key. An absent or expired
// key yields an error matching kv.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	s.mu.RLock()
	e, ok := s.entries[key]
	closed := s.closed
	s.mu.RUnlock()

	// Only valid keys are ever stored, so a hit needs no key check, which
	// saves about 15 ns. A miss checks the key here, so an invalid key
	// still fails with ErrInvalidKey rather than ErrNotFound or ErrClosed.
	if !ok {
		if err := kv.ValidateKey(key); err != nil {
			return nil, err
		}

		if closed {
			return nil, &keyError{op: "get", key: key, err: kv.ErrClosed}
		}

		return nil, &keyError{op: "get", key: key, err: kv.ErrNotFound}
	}

	// Only entries with a TTL read the clock, which keeps plain hits cheap.
	if e.deadline != 0 && e.expired(s.now()) {
		return nil, &keyError{op: "get", key: key, err: kv.ErrNotFound}
	}

	return clone(e.value), nil
}

// GetMany returns a copy of the value of each key, in the order of keys,
// under one read lock. An absent or expired key gets a nil value, and an
// empty value is an empty, non-nil slice. An invalid key fails the whole
// call.
func (s *Store) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	for _, key := range keys {
		if err := kv.ValidateKey(key); err != nil {
			return nil, err
		}
	}

	found := make([]entry, len(keys))

	s.mu.RLock()
	closed := s.closed
	for i, key := range keys {
		found[i] = s.entries[key]
	}
	s.mu.RUnlock()

	if closed {
		return nil, &keyError{op: "get many", err: kv.ErrClosed}
	}

	// The clock is read once, and only when an entry has a TTL.
	var (
		now     int64
		haveNow bool
	)

	values := make([][]byte, len(keys))
	for i, e := range found {
		if e.value == nil {
			continue // absent, because stored values are never nil
		}

		if e.deadline != 0 && !haveNow {
			now, haveNow = s.now(), true
		}

		if e.expired(now) {
			continue
		}

		values[i] = clone(e.value)
	}

	return values, nil
}

// Put stores a copy of value under key, replacing any previous value and
// removing any TTL the key had.
func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	if err := checkCall(ctx, key); err != nil {
		return err
	}

	value = clone(value)

	s.mu.Lock()
	defer s.mu.Unlock()

	if s.closed {
		return &keyError{op: "put", key: key, err: kv.ErrClosed}
	}

	s.setLocked(key, value, 0)

	return nil
}

// PutTTL stores a copy of value under key until ttl has passed. The TTL
// must be greater than zero. Otherwise PutTTL returns an error matching
// kv.ErrInvalidTTL and stores nothing.
func (s *Store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := checkCall(ctx, key); err != nil {
		return err
	}

	if err := s.validateTTL(key, ttl); err != nil {
		return err
	}

	value = clone(value)

	s.mu.Lock()
	defer s.mu.Unlock()

	if s.closed {
		return &keyError{op: "put", key: key, err: kv.ErrClosed}
	}

	s.setLocked(key, value, s.deadlineFor(ttl))

	return nil
}

// Delete removes key. Deleting an absent key succeeds.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := checkCall(ctx, key); err != nil {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	if s.closed {
		return &keyError{op: "delete", key: key, err: kv.ErrClosed}
	}

	s.deleteLocked(key)

	return nil
}

// Close drops every entry, stops the background reclaimer and waits for it
// to return. Later calls of other methods return an error matching
// kv.ErrClosed. Calling Close again is safe and returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	first := !s.closed
	s.closed = true
	s.entries = nil
	s.expiry = nil
	s.mu.Unlock()

	if s.stop == nil {
		return nil
	}

	if first {
		close(s.stop)
	}

	<-s.done

	return nil
}

// Len returns the number of entries that use memory, expired entries not
// yet reclaimed included. It returns 0 after Close.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()

	return len(s.entries)
}

// setLocked stores value under key with deadline, where 0 means no TTL,
// and keeps s.expiry in step. The caller holds s.mu for writing.
func (s *Store) setLocked(key string, value []byte, deadline int64) {
	item := s.entries[key].item

	switch {
	case deadline == 0 && item != nil:
		s.expiry.remove(item)
		item = nil

	case deadline != 0 && item != nil:
		s.expiry.update(item, deadline)

	case deadline != 0:
		item = &expiryItem{key: key, deadline: deadline}
		s.expiry.add(item)
	}

	s.entries[key] = entry{value: value, deadline: deadline, item: item}
}

// deleteLocked removes key and its place in s.expiry. The caller holds s.mu
// for writing.
func (s *Store) deleteLocked(key string) {
	e, ok := s.entries[key]
	if !ok {
		return
	}

	if e.item != nil {
		s.expiry.remove(e.item)
	}

	delete(s.entries, key)
}

// liveLocked returns the entry under key when it exists and has not
// expired. The caller holds s.mu.
func (s *Store) liveLocked(key string) (entry, bool) {
	e, ok := s.entries[key]
	if !ok || (e.deadline != 0 && e.expired(s.now())) {
		return entry{}, false
	}

	return e, true
}

// checkCall returns the error of a call on key that must fail before it
// touches any state: a cancelled ctx first, then an invalid key.
func checkCall(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}

	return kv.ValidateKey(key)
}

// validateTTL is kv.ValidateTTL with the key named in the error, plus
// the upper bound: a deadline is nanoseconds since New in an int64, so a
// TTL that would overflow it is rejected rather than cut short.
func (s *Store) validateTTL(key string, ttl time.Duration) error {
	if err := kv.ValidateTTL(ttl); err != nil {
		return fmt.Errorf("memory: key %s: %w", kv.QuoteKey(key), err)
	}

	if int64(ttl) > math.MaxInt64-s.now() {
		return fmt.Errorf("memory: key %s: %w: %v ends after the latest deadline the store can hold, about 292 years after it was created", kv.QuoteKey(key), kv.ErrInvalidTTL, ttl)
	}

	return nil
}

// clone returns a copy of b that is never nil, so that an empty value stays
// distinguishable from an absent one.
func clone(b []byte) []byte {
	c := make([]byte, len(b))
	copy(c, b)

	return c
}
