package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/anykv/anykv/kv"
)

// formatVersion is the on-disk layout this package writes and reads. Bump
// it, and migrate older files in createLayout, when the layout changes.
const formatVersion = 1

// Names inside the store's top-level bucket.
var (
	dataBucketName   = []byte("data")
	expiryBucketName = []byte("expiry")
	formatKey        = []byte("format")
)

// Entry header: one flags byte, then the expiry when flagExpiry is set.
const (
	flagExpiry   = 0x01
	knownFlags   = flagExpiry
	maxHeaderLen = 1 + 8
)

// ErrFormat means the bucket holds data in a layout this version of the
// package does not read: a newer format version, or a bucket that another
// program filled.
var ErrFormat = errors.New("bolt: unsupported on-disk format")

// entry is a decoded value of the data bucket. value aliases the bbolt
// memory map and is valid only until its transaction ends.
type entry struct {
	expiry int64 // deadline in unix nanoseconds, or 0 for no TTL
	value  []byte
}

// expired reports whether the entry's deadline is at or before cutoff
// (unix nanoseconds, from Store.cutoff).
func (e entry) expired(cutoff int64) bool {
	return e.expiry != 0 && e.expiry <= cutoff
}

// decodeEntry splits a stored value into header and value.
func decodeEntry(key, raw []byte) (entry, error) {
	if len(raw) < 1 {
		return entry{}, fmt.Errorf("%w: entry for key %s has no header", ErrFormat, kv.QuoteKey(string(key)))
	}

	flags := raw[0]
	if flags&^knownFlags != 0 {
		return entry{}, fmt.Errorf("%w: entry for key %s has unknown flags 0x%02x", ErrFormat, kv.QuoteKey(string(key)), flags)
	}

	if flags&flagExpiry == 0 {
		return entry{value: raw[1:]}, nil
	}

	if len(raw) < maxHeaderLen {
		return entry{}, fmt.Errorf("%w: entry for key %s is %d bytes, too short for its expiry", ErrFormat, kv.QuoteKey(string(key)), len(raw))
	}

	expiry := int64(binary.BigEndian.Uint64(raw[1:9]))

	return entry{expiry: expiry, value: raw[maxHeaderLen:]}, nil
}

// newEntryBuffer copies value into a buffer with room for the header, so
// that the caller's slice is not aliased and the expiry can be filled in
// later, inside the write transaction.
func newEntryBuffer(value []byte, withTTL bool) []byte {
	headerLen := 1
	if withTTL {
		headerLen = maxHeaderLen
	}

	buf := make([]byte, headerLen+len(value))
	copy(buf[headerLen:], value)

	return buf
}

// setExpiry writes the header of a buffer from newEntryBuffer. expiry 0
// means no TTL, and then the buffer must have been made without one.
func setExpiry(buf []byte, expiry int64) {
	if expiry == 0 {
		buf[0] = 0
		return
	}

	buf[0] = flagExpiry
	binary.BigEndian.PutUint64(buf[1:9], uint64(expiry))
}

// expiryKey returns the expiry index key for key: the deadline as 8
// big-endian bytes, so that the index sorts by deadline, then the key.
func expiryKey(expiry int64, key []byte) []byte {
	k := make([]byte, 8+len(key))
	binary.BigEndian.PutUint64(k, uint64(expiry))
	copy(k[8:], key)

	return k
}

// buckets are the bbolt buckets of one store inside one transaction.
type buckets struct {
	data   *bbolt.Bucket
	expiry *bbolt.Bucket
}

// openBuckets finds the store's buckets in tx.
func openBuckets(tx *bbolt.Tx, name []byte) (buckets, error) {
	top := tx.Bucket(name)
	if top == nil {
		return buckets{}, fmt.Errorf("%w: bucket %q is missing; was it deleted while the store was open?", ErrFormat, name)
	}

	b := buckets{data: top.Bucket(dataBucketName), expiry: top.Bucket(expiryBucketName)}
	if b.data == nil || b.expiry == nil {
		return buckets{}, fmt.Errorf("%w: bucket %q lacks its data or expiry bucket", ErrFormat, name)
	}

	return b, nil
}

// createLayout makes the store's buckets in a new file, or checks the
// format version of an existing one.
func createLayout(tx *bbolt.Tx, name []byte) error {
	top, err := tx.CreateBucketIfNotExists(name)
	if err != nil {
		return fmt.Errorf("bolt: create bucket %q: %w", name, err)
	}

	version := top.Get(formatKey)
	if version == nil {
		if k, _ := top.Cursor().First(); k != nil {
			return fmt.Errorf("%w: bucket %q is not empty and has no format version; use another Bucket name", ErrFormat, name)
		}

		if err := top.Put(formatKey, []byte{formatVersion}); err != nil {
			return fmt.Errorf("bolt: write format version to bucket %q: %w", name, err)
		}

		if _, err := top.CreateBucket(dataBucketName); err != nil {
			return fmt.Errorf("bolt: create data bucket in %q: %w", name, err)
		}

		if _, err := top.CreateBucket(expiryBucketName); err != nil {
			return fmt.Errorf("bolt: create expiry bucket in %q: %w", name, err)
		}

		return nil
	}

	if len(version) != 1 || version[0] != formatVersion {
		return fmt.Errorf("%w: bucket %q has format version %v, this package reads version %d", ErrFormat, name, version, formatVersion)
	}

	_, err = openBuckets(tx, name)

	return err
}
