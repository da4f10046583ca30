package memcache

import (
	"fmt"
	"time"

	"github.com/anykv/anykv/kv"
	gomemcache "github.com/bradfitz/gomemcache/memcache"
)

// Defaults for the zero fields of Options.
const (
	// DefaultTimeout is gomemcache's default socket timeout.
	DefaultTimeout = gomemcache.DefaultTimeout

	// DefaultMaxIdleConns is gomemcache's default idle pool size.
	DefaultMaxIdleConns = gomemcache.DefaultMaxIdleConns

	// DefaultMaxItemSize is memcached's default item size limit (-I 1m).
	DefaultMaxItemSize = 1 << 20
)

// itemHeaderLen is the number of bytes memcached adds to the key and value
// of every item. Against memcached 1.6.18 at -I 1m, 2m and 4m, the largest
// value stored was exactly the limit minus the key length minus 59, which
// matches a 48-byte item header, an 8-byte CAS id, the key's terminating
// byte and the value's trailing CRLF.
const itemHeaderLen = 59

// The smallest and largest -I settings memcached 1.6 accepts: 1 KiB and
// 1 GiB.
const (
	minMaxItemSize = 1 << 10
	maxMaxItemSize = 1 << 30
)

// Options configure a Store. A nil *Options, and any zero field, means the
// default.
type Options struct {
	// Timeout is the connect timeout and the read and write timeout of
	// each network step, applied to every call whatever its context.
	// Default 500 ms (gomemcache.DefaultTimeout). NewFromClient ignores it
	// and uses the client's own setting.
	Timeout time.Duration

	// MaxIdleConns is the maximum number of idle connections kept open to
	// each server. Set it above the peak number of concurrent calls,
	// because a call that finds no idle connection dials a new one.
	// Default 2 (gomemcache.DefaultMaxIdleConns). NewFromClient ignores it.
	MaxIdleConns int

	// Namespace is prepended to every key, so that several applications
	// can share servers. It must be empty or a valid key shorter than 250
	// bytes, and it shortens the longest key the store accepts by its own
	// length. Default empty.
	Namespace string

	// MaxItemSize is the servers' item size limit in bytes, memcached's -I
	// option, from 1 KiB to 1 GiB. Set it to the servers' value: the largest
	// value the store accepts is MaxItemSize minus 309 bytes. Default
	// 1,048,576 (1 MiB), memcached's default.
	MaxItemSize int
}

// withDefaults returns a copy of opts with every zero field set to its
// default, or an error when a field is out of range.
func (opts *Options) withDefaults() (Options, error) {
	var o Options
	if opts != nil {
		o = *opts
	}

	if o.Timeout < 0 {
		return o, fmt.Errorf("memcache: invalid Timeout %v: it must be zero (for the default %v) or positive", o.Timeout, DefaultTimeout)
	}

	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}

	if o.MaxIdleConns < 0 {
		return o, fmt.Errorf("memcache: invalid MaxIdleConns %d: it must be zero (for the default %d) or positive", o.MaxIdleConns, DefaultMaxIdleConns)
	}

	if o.MaxIdleConns == 0 {
		o.MaxIdleConns = DefaultMaxIdleConns
	}

	if o.Namespace != "" {
		if err := kv.ValidateKey(o.Namespace); err != nil {
			return o, fmt.Errorf("memcache: invalid Namespace: %w", err)
		}

		if len(o.Namespace) >= kv.MaxKeyLen {
			return o, fmt.Errorf("memcache: invalid Namespace %s: %d bytes leave no room for a key within memcached's %d-byte limit: %w",
				kv.QuoteKey(o.Namespace), len(o.Namespace), kv.MaxKeyLen, kv.ErrInvalidKey)
		}
	}

	if o.MaxItemSize == 0 {
		o.MaxItemSize = DefaultMaxItemSize
	}

	if o.MaxItemSize < minMaxItemSize || o.MaxItemSize > maxMaxItemSize {
		return o, fmt.Errorf("memcache: invalid MaxItemSize %d: memcached's -I is from %d to %d bytes", o.MaxItemSize, minMaxItemSize, maxMaxItemSize)
	}

	return o, nil
}

// maxValueSize returns the largest value that fits in an item of at most
// maxItemSize bytes under any key, so that the limit does not depend on
// the key.
func maxValueSize(maxItemSize int) int {
	return maxItemSize - kv.MaxKeyLen - itemHeaderLen
}
