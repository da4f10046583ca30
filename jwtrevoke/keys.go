package jwtrevoke

import (
	"crypto/sha256"
	"encoding/base64"
)

// maxPlainID is the longest id (jti, subject or family) whose bytes go
// into a key as base64url. Longer ids go in as a tagged SHA-256, so that
// the longest key, an index entry with two ids, stays within kv.MaxKeyLen:
// MaxNamespaceLen (64) + 2 + 64 + 1 + 64 = 195 bytes.
const maxPlainID = 48

// hashTag starts an id encoded as a SHA-256. The base64url alphabet has no
// '~', so no plain id starts with it, and the two forms never collide.
const hashTag = "~"

// encodeID maps any string to key bytes: base64url without padding, or
// for an id longer than maxPlainID bytes, hashTag and the base64url of its
// SHA-256. The result uses only [A-Za-z0-9_~-], so it is a valid key part
// whatever the input holds (spaces, newlines, '*', binary), and neither
// '.' nor ':' can appear in it, so keys cannot run into each other. The
// mapping is injective, except for SHA-256 collisions between long ids.
func encodeID(id string) string {
	return string(appendID(nil, id))
}

// appendID appends encodeID(id) to buf.
func appendID(buf []byte, id string) []byte {
	if len(id) <= maxPlainID {
		return base64.RawURLEncoding.AppendEncode(buf, []byte(id))
	}

	sum := sha256.Sum256([]byte(id))
	buf = append(buf, hashTag...)

	return base64.RawURLEncoding.AppendEncode(buf, sum[:])
}

// appendKey appends the key of the entry with tag for id to buf, the same
// bytes as the key functions below return.
func (t *Tracker) appendKey(buf []byte, tag, id string) []byte {
	buf = append(buf, t.opts.Namespace...)
	buf = append(buf, tag...)

	return appendID(buf, id)
}

// Store key tags. Each kind of entry lives under Namespace plus its tag.
const (
	tagRecord   = "t:" // a token's record, by jti (TrackAll only)
	tagRevoked  = "r:" // a revoked jti
	tagConsumed = "c:" // a used refresh token, by jti
	tagFamily   = "f:" // a revoked rotation family
	tagSubject  = "s:" // the revocation cutoff of one subject
	tagIndex    = "i:" // one entry per (subject, jti), for ListSubject
	keyGlobal   = "g"  // the revocation cutoff of every token
)

func (t *Tracker) recordKey(jti string) string  { return t.opts.Namespace + tagRecord + encodeID(jti) }
func (t *Tracker) revokedKey(jti string) string { return t.opts.Namespace + tagRevoked + encodeID(jti) }
func (t *Tracker) consumedKey(jti string) string {
	return t.opts.Namespace + tagConsumed + encodeID(jti)
}
func (t *Tracker) familyKey(family string) string {
	return t.opts.Namespace + tagFamily + encodeID(family)
}
func (t *Tracker) subjectKey(subject string) string {
	return t.opts.Namespace + tagSubject + encodeID(subject)
}
func (t *Tracker) globalKey() string { return t.opts.Namespace + keyGlobal }

// indexPrefix ends with '.', which encodeID never yields, so listing the
// prefix of one subject never returns the entries of another.
func (t *Tracker) indexPrefix(subject string) string {
	return t.opts.Namespace + tagIndex + encodeID(subject) + "."
}

func (t *Tracker) indexKey(subject, jti string) string {
	return t.indexPrefix(subject) + encodeID(jti)
}
