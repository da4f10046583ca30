package bolt

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"

	"github.com/anykv/anykv/kv"
)

// ErrLocked means Open gave up waiting for the file lock, because another
// process, or another handle in this process, has the file open.
var ErrLocked = errors.New("bolt: database file locked")

// Store is a kv store in one bbolt file. Create it with Open or New.
type Store struct {
	db     *bbolt.DB
	ownDB  bool // Close closes db only when Open opened it
	bucket []byte
	opts   Options
	commit committer

	// mu is held for reading by every operation in flight, and for writing
	// by Close, so that Close waits for them before it closes the file.
	mu     sync.RWMutex
	closed bool

	// expiryGrace is the longest delay, in nanoseconds, measured from a
	// write computing its deadline to that write returning; see cutoff.
	expiryGrace atomic.Int64

	stopReclaimer context.CancelFunc
	reclaimerDone chan struct{}
}

// Compile-time checks of the capabilities Store offers.
var (
	_ kv.Store       = (*Store)(nil)
	_ kv.TTLStore    = (*Store)(nil)
	_ kv.Lister      = (*Store)(nil)
	_ kv.AtomicStore = (*Store)(nil)
	_ kv.BatchGetter = (*Store)(nil)
	_ kv.Reclaimer   = (*Store)(nil)
)

// Open opens the bbolt file at path, creating it with opts.Mode when it
// does not exist. When another process or handle holds the file, Open
// waits up to opts.OpenTimeout and then fails with an error matching
// ErrLocked. Close closes the file.
func Open(path string, opts *Options) (*Store, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}

	// bbolt waits forever on a zero timeout, so a negative OpenTimeout
	// becomes the shortest wait bbolt accepts: one try.
	timeout := max(o.OpenTimeout, time.Nanosecond)

	db, err := bbolt.Open(path, o.Mode, &bbolt.Options{Timeout: timeout})
	if errors.Is(err, bbolt.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s: timed out after %v waiting for the lock that another process or handle holds; close the other handle or raise Options.OpenTimeout", ErrLocked, path, max(o.OpenTimeout, 0))
	}

	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}

	s, err := newStore(db, o, true)
	if err != nil {
		_ = db.Close()
		return nil, err
	}

	return s, nil
}

// New builds a store on db, a handle the caller opened and keeps: Close
// leaves it open. opts.OpenTimeout and opts.Mode do not apply.
func New(db *bbolt.DB, opts *Options) (*Store, error) {
	if db == nil {
		return nil, errors.New("bolt: New needs a non-nil *bbolt.DB")
	}

	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}

	return newStore(db, o, false)
}

// newStore creates or checks the store's buckets and starts the
// background reclaimer.
func newStore(db *bbolt.DB, o Options, ownDB bool) (*Store, error) {
	bucket := []byte(o.Bucket)

	err := db.Update(func(tx *bbolt.Tx) error { return createLayout(tx, bucket) })
	if err != nil {
		return nil, fmt.Errorf("bolt: prepare bucket %q in %s: %w", bucket, db.Path(), err)
	}

	s := &Store{
		db:            db,
		ownDB:         ownDB,
		bucket:        bucket,
		opts:          o,
		commit:        committer{db: db},
		reclaimerDone: make(chan struct{}),
	}

	ctx, cancel := context.WithCancel(context.Background())
	s.stopReclaimer = cancel

	if o.ReclaimInterval > 0 {
		go s.reclaimLoop(ctx, o.ReclaimInterval)
	} else {
		close(s.reclaimerDone)
	}

	return s, nil
}

// DB returns the bbolt handle the store uses, for backups (Tx.WriteTo)
// and statistics. Writing to the store's bucket through it bypasses the
// header and expiry index that the store keeps consistent.
func (s *Store) DB() *bbolt.DB { return s.db }

// Close stops the background reclaimer, waits for the operations in
// flight, and closes the file when Open opened it. Later operations fail
// with kv.ErrClosed. Close is safe to call more than once.
func (s *Store) Close() error {
	s.stopReclaimer()
	<-s.reclaimerDone

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}

	s.closed = true
	s.mu.Unlock()

	if !s.ownDB {
		return nil
	}

	if err := s.db.Close(); err != nil {
		return fmt.Errorf("bolt: close %s: %w", s.db.Path(), err)
	}

	return nil
}

// acquire marks an operation in flight, or returns kv.ErrClosed. The
// caller must call s.mu.RUnlock when acquire returns nil.
func (s *Store) acquire() error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return kv.ErrClosed
	}

	return nil
}

// view runs fn in a read transaction with the store's buckets.
func (s *Store) view(fn func(b buckets) error) error {
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.mu.RUnlock()

	return s.db.View(func(tx *bbolt.Tx) error {
		b, err := openBuckets(tx, s.bucket)
		if err != nil {
			return err
		}

		return fn(b)
	})
}

// write applies fn in a group transaction and returns once the write is on
// disk. fn receives the time to compute deadlines from. When setsTTL is
// true, write records how long after that time it returns; see cutoff.
func (s *Store) write(ctx context.Context, setsTTL bool, fn func(b buckets, now time.Time) error) error {
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.mu.RUnlock()

	var applied time.Time

	op := &writeOp{
		ctx: ctx,
		apply: func(tx *bbolt.Tx) error {
			b, err := openBuckets(tx, s.bucket)
			if err != nil {
				return err
			}

			applied = time.Now()

			return fn(b, applied)
		},
	}

	if err := s.commit.submit(op); err != nil {
		return err
	}

	if setsTTL {
		s.noteCommitDelay(applied)
	}

	return nil
}

// checkValue returns an error matching kv.ErrValueTooLarge when value
// exceeds the store's limit.
func (s *Store) checkValue(key string, value []byte) error {
	if len(value) > s.opts.MaxValueSize {
		return fmt.Errorf("%w: value for key %s is %d bytes, the limit is %d", kv.ErrValueTooLarge, kv.QuoteKey(key), len(value), s.opts.MaxValueSize)
	}

	return nil
}
