package jwtrevoke

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// recordVersion is the first byte of an encoded record. A decoder rejects
// any other value, so a future format cannot be misread as this one.
const recordVersion = 1

// errCorrupt is wrapped by every decoding error.
var errCorrupt = errors.New("corrupt stored value")

// record is the entry TrackAll stores for each issued token under its
// jti. Its flags are the only fields that change after Issue.
type record struct {
	jti        string
	subject    string
	family     string
	typ        TokenType
	revoked    bool
	consumed   bool // a refresh token that Rotate already exchanged
	issuedNano int64
	expires    int64 // "exp", Unix seconds
}

// Bits of a record's flags byte. The other bits are zero, and a decoder
// rejects a record that sets them.
const (
	flagRevoked  = 1
	flagConsumed = 2
)

// encodeRecord lays out a record in this order:
//
//   - a version byte, a type byte and a flags byte,
//   - the issue time in Unix nanoseconds, 8 bytes big-endian,
//   - the expiry in seconds after the issue second, as a signed varint,
//   - jti, subject and family, each as a uvarint length and its bytes.
//
// A token with a 22-byte jti and family and a 36-byte subject takes 98
// bytes.
func encodeRecord(r record) []byte {
	buf := make([]byte, 0, 17+len(r.jti)+len(r.subject)+len(r.family)+3*binary.MaxVarintLen16)

	var flags byte
	if r.revoked {
		flags |= flagRevoked
	}

	if r.consumed {
		flags |= flagConsumed
	}

	buf = append(buf, recordVersion, byte(r.typ), flags)
	buf = binary.BigEndian.AppendUint64(buf, uint64(r.issuedNano))
	buf = binary.AppendVarint(buf, r.expires-r.issuedNano/int64(time.Second))

	for _, s := range []string{r.jti, r.subject, r.family} {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}

	return buf
}

// decodeRecord parses what encodeRecord wrote. Any other input, truncated
// or with trailing bytes, returns an error matching errCorrupt.
func decodeRecord(data []byte) (record, error) {
	var r record

	d := decoder{data: data}

	if version := d.byte(); d.err == nil && version != recordVersion {
		return r, fmt.Errorf("%w: record version %d, want %d", errCorrupt, version, recordVersion)
	}

	r.typ = TokenType(d.byte())
	flags := d.byte()
	r.issuedNano = int64(d.uint64())
	delta := d.varint()
	r.jti = d.string()
	r.subject = d.string()
	r.family = d.string()

	if d.err != nil {
		return record{}, d.err
	}

	if len(d.data) != 0 {
		return record{}, fmt.Errorf("%w: record has %d trailing bytes", errCorrupt, len(d.data))
	}

	if r.typ != Access && r.typ != Refresh {
		return record{}, fmt.Errorf("%w: record token type %d", errCorrupt, uint8(r.typ))
	}

	if flags&^(flagRevoked|flagConsumed) != 0 {
		return record{}, fmt.Errorf("%w: record flags 0x%02x", errCorrupt, flags)
	}

	r.revoked = flags&flagRevoked != 0
	r.consumed = flags&flagConsumed != 0

	if r.jti == "" || r.subject == "" {
		return record{}, fmt.Errorf("%w: record without jti or subject", errCorrupt)
	}

	if delta < 0 || delta > maxLifetimeSeconds {
		return record{}, fmt.Errorf("%w: record lifetime %d s", errCorrupt, delta)
	}

	r.expires = r.issuedNano/int64(time.Second) + delta

	return r, nil
}

// maxLifetimeSeconds bounds a decoded token lifetime (about 100 years), so
// that corrupt bytes cannot overflow the expiry.
const maxLifetimeSeconds = 100 * 366 * 24 * 3600

// markerVersion is the first byte of an encoded marker.
const markerVersion = 1

// A marker is every stored value other than a record: a revocation, a
// cutoff, a used refresh token or an index entry. It starts with the time
// after which it may be deleted, so that Prune can clean a store without
// TTL, and goes on with a payload that depends on the key's tag.
type marker struct {
	keepUntil int64 // Unix seconds
	payload   []byte
}

func encodeMarker(keepUntil int64, payload []byte) []byte {
	buf := make([]byte, 0, 9+len(payload))
	buf = append(buf, markerVersion)
	buf = binary.BigEndian.AppendUint64(buf, uint64(keepUntil))

	return append(buf, payload...)
}

func decodeMarker(data []byte) (marker, error) {
	d := decoder{data: data}

	if version := d.byte(); d.err == nil && version != markerVersion {
		return marker{}, fmt.Errorf("%w: marker version %d, want %d", errCorrupt, version, markerVersion)
	}

	keepUntil := int64(d.uint64())
	if d.err != nil {
		return marker{}, d.err
	}

	return marker{keepUntil: keepUntil, payload: d.data}, nil
}

// encodeCutoff is the payload of a subject or global cutoff: Unix
// nanoseconds, big-endian.
func encodeCutoff(nano int64) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(nano))
}

func decodeCutoff(payload []byte) (int64, error) {
	if len(payload) != 8 {
		return 0, fmt.Errorf("%w: cutoff of %d bytes, want 8", errCorrupt, len(payload))
	}

	return int64(binary.BigEndian.Uint64(payload)), nil
}

// successor is the token pair that replaced a used refresh token. It is
// stored with the used-token marker when RotationGrace is set, so that a
// retry within the grace re-signs the same pair. Only ids and times are
// stored, never a signed token.
type successor struct {
	accessJTI  string
	refreshJTI string
	issuedNano int64
	accessExp  int64 // Unix seconds
	refreshExp int64 // Unix seconds
}

// encodeConsumed is the payload of a used-token marker: the time of use in
// Unix nanoseconds, then, when next is not nil, the successor's two jtis
// (uvarint length and bytes each) and three 8-byte times.
func encodeConsumed(usedNano int64, next *successor) []byte {
	buf := binary.BigEndian.AppendUint64(nil, uint64(usedNano))
	if next == nil {
		return buf
	}

	for _, s := range []string{next.accessJTI, next.refreshJTI} {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}

	buf = binary.BigEndian.AppendUint64(buf, uint64(next.issuedNano))
	buf = binary.BigEndian.AppendUint64(buf, uint64(next.accessExp))
	buf = binary.BigEndian.AppendUint64(buf, uint64(next.refreshExp))

	return buf
}

func decodeConsumed(payload []byte) (usedNano int64, next *successor, err error) {
	d := decoder{data: payload}

	usedNano = int64(d.uint64())
	if d.err != nil || len(d.data) == 0 {
		return usedNano, nil, d.err
	}

	s := successor{}
	s.accessJTI = d.string()
	s.refreshJTI = d.string()
	s.issuedNano = int64(d.uint64())
	s.accessExp = int64(d.uint64())
	s.refreshExp = int64(d.uint64())

	if d.err != nil {
		return 0, nil, d.err
	}

	if len(d.data) != 0 || s.accessJTI == "" || s.refreshJTI == "" {
		return 0, nil, fmt.Errorf("%w: used-token marker with a malformed successor", errCorrupt)
	}

	return usedNano, &s, nil
}

// decoder reads fields from data. The first failure sets err, after which
// every read returns a zero value, so callers check err once at the end.
type decoder struct {
	data []byte
	err  error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated at %s", errCorrupt, what)
	}

	d.data = nil
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.data) < 1 {
		d.fail("a byte")
		return 0
	}

	b := d.data[0]
	d.data = d.data[1:]

	return b
}

func (d *decoder) uint64() uint64 {
	if d.err != nil || len(d.data) < 8 {
		d.fail("an 8-byte integer")
		return 0
	}

	v := binary.BigEndian.Uint64(d.data)
	d.data = d.data[8:]

	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}

	v, n := binary.Varint(d.data)
	if n <= 0 {
		d.fail("a varint")
		return 0
	}

	d.data = d.data[n:]

	return v
}

func (d *decoder) string() string {
	if d.err != nil {
		return ""
	}

	length, n := binary.Uvarint(d.data)
	if n <= 0 || length > uint64(len(d.data)-n) {
		d.fail("a length-prefixed string")
		return ""
	}

	s := string(d.data[n : n+int(length)])
	d.data = d.data[n+int(length):]

	return s
}
