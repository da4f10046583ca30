package cache

import (
	"encoding/binary"
	"time"
)

// A fast-store entry is a header followed by the cached value:
//
//	byte 0      kind: kindCopy or kindExpiry
//	bytes 1-8   freshUntil, Unix nanoseconds, big-endian (kindCopy only)
//	bytes 9-16  expiry, Unix nanoseconds, big-endian; 0 when unknown
//	bytes 17-   the value (kindCopy only)
const headerLen = 17

const (
	// kindCopy is a copy of the slow store's value.
	kindCopy byte = 'c'

	// kindExpiry records only when the key expires in the slow store.
	kindExpiry byte = 'e'
)

// entry is a decoded fast-store entry.
type entry struct {
	kind       byte
	freshUntil time.Time // kindCopy: serve the copy before this time
	expiry     time.Time // zero when unknown
	value      []byte
}

func encodeEntry(e entry) []byte {
	b := make([]byte, headerLen+len(e.value))
	b[0] = e.kind
	binary.BigEndian.PutUint64(b[1:9], unixNano(e.freshUntil))
	binary.BigEndian.PutUint64(b[9:17], unixNano(e.expiry))
	copy(b[headerLen:], e.value)

	return b
}

// decodeEntry returns the entry in b, and false when b is not one (the
// fast store holds something else under the key).
func decodeEntry(b []byte) (entry, bool) {
	if len(b) < headerLen || (b[0] != kindCopy && b[0] != kindExpiry) {
		return entry{}, false
	}

	e := entry{
		kind:       b[0],
		freshUntil: fromUnixNano(binary.BigEndian.Uint64(b[1:9])),
		expiry:     fromUnixNano(binary.BigEndian.Uint64(b[9:17])),
		value:      b[headerLen:],
	}

	return e, true
}

func unixNano(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}

	return uint64(t.UnixNano())
}

func fromUnixNano(n uint64) time.Time {
	if n == 0 {
		return time.Time{}
	}

	return time.Unix(0, int64(n))
}
