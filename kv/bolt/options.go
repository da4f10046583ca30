package bolt

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.etcd.io/bbolt"
)

// Defaults for the zero fields of Options.
const (
	DefaultBucket           = "anykv"
	DefaultOpenTimeout      = time.Second
	DefaultMode             = os.FileMode(0o600)
	DefaultReclaimInterval  = time.Minute
	DefaultReclaimBatchSize = 1000

	// DefaultMaxValueSize is the largest value bbolt can hold once the
	// entry header is added: bbolt.MaxValueSize (2 GiB - 2 bytes) minus 9
	// header bytes.
	DefaultMaxValueSize = bbolt.MaxValueSize - maxHeaderLen
)

// Options configure a Store. A nil *Options, and any zero field, means the
// default.
type Options struct {
	// Bucket is the name of the top-level bbolt bucket that holds the
	// store's data, expiry index and format version. Stores with different
	// bucket names can share one file. Default "anykv".
	Bucket string

	// OpenTimeout is how long Open waits for the file lock that another
	// process or handle holds before it fails with ErrLocked. Default 1 s.
	// A negative value fails at once, without waiting. Open never waits
	// forever. New ignores it, because its caller opened the file.
	OpenTimeout time.Duration

	// Mode is the permission Open gives a file it creates. Default 0600.
	// New ignores it.
	Mode os.FileMode

	// ReclaimInterval is the time between two background passes that
	// remove expired entries. Default 1 minute. A negative value disables
	// the background pass, and Reclaim still works on demand.
	ReclaimInterval time.Duration

	// ReclaimBatchSize is the maximum number of expired entries removed in
	// one write transaction, so that reclaiming never holds the writer lock
	// for long. Default 1000 entries.
	ReclaimBatchSize int

	// MaxValueSize is the largest value, in bytes, that a put accepts. A
	// larger one fails with kv.ErrValueTooLarge. Default and maximum
	// DefaultMaxValueSize.
	MaxValueSize int

	// Logger receives the errors of the background reclaimer, which has no
	// caller to return them to. Default slog.Default().
	Logger *slog.Logger
}

// withDefaults returns a copy of opts with every zero field set to its
// default, or an error when a field is out of range.
func (opts *Options) withDefaults() (Options, error) {
	var o Options
	if opts != nil {
		o = *opts
	}

	if o.Bucket == "" {
		o.Bucket = DefaultBucket
	}

	if o.OpenTimeout == 0 {
		o.OpenTimeout = DefaultOpenTimeout
	}

	if o.Mode == 0 {
		o.Mode = DefaultMode
	}

	if o.ReclaimInterval == 0 {
		o.ReclaimInterval = DefaultReclaimInterval
	}

	if o.ReclaimBatchSize == 0 {
		o.ReclaimBatchSize = DefaultReclaimBatchSize
	}

	if o.ReclaimBatchSize < 0 {
		return o, fmt.Errorf("bolt: invalid ReclaimBatchSize %d: must be positive", o.ReclaimBatchSize)
	}

	if o.MaxValueSize == 0 {
		o.MaxValueSize = DefaultMaxValueSize
	}

	if o.MaxValueSize < 0 || o.MaxValueSize > DefaultMaxValueSize {
		return o, fmt.Errorf("bolt: invalid MaxValueSize %d: must be 1 to %d bytes", o.MaxValueSize, DefaultMaxValueSize)
	}

	if o.Logger == nil {
		o.Logger = slog.Default()
	}

	return o, nil
}
