package redis

import (
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/kv"
)

const (
	// DefaultMaxValueSize is Redis's default proto-max-bulk-len, 512 MiB,
	// the largest string a server accepts unless configured otherwise.
	DefaultMaxValueSize = 512 << 20

	// DefaultScanCount is the default COUNT hint of the SCAN calls that
	// list keys.
	DefaultScanCount = 1000
)

// Options configures a Store. A nil *Options means the defaults of every
// field.
type Options struct {
	// Client configures the client that New opens and later closes, and
	// goredis.NewUniversalClient picks its kind. With MasterName set, it is
	// a Sentinel failover client. With more than one address or with
	// IsClusterMode, it is a Cluster client. Otherwise it is a client of
	// one server. Nil means go-redis's defaults: one server at
	// localhost:6379, database 0, no password. NewFromClient ignores it.
	Client *goredis.UniversalOptions

	// Namespace is prepended to every key the store writes, reads, lists
	// or deletes, as in "app:" + key. Listing yields only keys inside the
	// namespace, with the namespace removed, and no operation touches a
	// key outside it. The namespace must be empty or a valid key (1 to
	// 250 bytes of printable ASCII), and the key rule applies to the key
	// without it, so a server key can be up to 500 bytes long. A
	// namespace with a hash tag, such as "{app}:", puts every key of the
	// store in one Cluster slot. Default: "" (no namespace).
	Namespace string

	// MaxValueSize is the largest value in bytes that a write sends. A
	// larger value fails with kv.ErrValueTooLarge before anything is sent.
	// Set it to the server's proto-max-bulk-len when that was lowered,
	// because such a server closes the connection on a longer value, which
	// reaches the caller as a connection error.
	// Default: DefaultMaxValueSize (512 MiB).
	MaxValueSize int

	// ScanCount is the COUNT hint of each SCAN call that Keys makes: about
	// how many entries of the keyspace the server examines for one reply.
	// Larger values mean fewer round trips and longer single commands.
	// Default: DefaultScanCount (1000).
	ScanCount int
}

// settings is Options after validation, with defaults filled in.
type settings struct {
	namespace    string
	maxValueSize int
	scanCount    int
}

// settings validates o and fills in the defaults.
func (o *Options) settings() (settings, error) {
	s := settings{maxValueSize: DefaultMaxValueSize, scanCount: DefaultScanCount}
	if o == nil {
		return s, nil
	}

	if err := kv.ValidatePrefix(o.Namespace); err != nil {
		return s, fmt.Errorf("redis: invalid namespace: %w", err)
	}

	if o.MaxValueSize < 0 {
		return s, fmt.Errorf("redis: invalid MaxValueSize %d: it must be 0 (default) or positive", o.MaxValueSize)
	}

	if o.ScanCount < 0 {
		return s, fmt.Errorf("redis: invalid ScanCount %d: it must be 0 (default) or positive", o.ScanCount)
	}

	s.namespace = o.Namespace
	if o.MaxValueSize > 0 {
		s.maxValueSize = o.MaxValueSize
	}

	if o.ScanCount > 0 {
		s.scanCount = o.ScanCount
	}

	return s, nil
}

// errNilClient means NewFromClient was given no client.
var errNilClient = errors.New("redis: NewFromClient needs a non-nil client")
