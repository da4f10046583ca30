package jwtrevoke

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
)

// longNamespaceTracker has the longest namespace, so its keys are the
// longest a Tracker builds.
func longNamespaceTracker() *Tracker {
	return &Tracker{opts: Options{Namespace: strings.Repeat("n", MaxNamespaceLen)}}
}

// checkIDKeys fails t unless every key built from id is a valid key.
func checkIDKeys(t *testing.T, tracker *Tracker, id string) {
	t.Helper()

	keys := []string{
		tracker.recordKey(id),
		tracker.revokedKey(id),
		tracker.consumedKey(id),
		tracker.familyKey(id),
		tracker.subjectKey(id),
		tracker.indexKey(id, id),
	}

	for _, key := range keys {
		if err := kv.ValidateKey(key); err != nil {
			t.Fatalf("id %q: key %q is invalid: %v", id, key, err)
		}
	}
}

func TestEncodeIDHostileInputs(t *testing.T) {
	tracker := longNamespaceTracker()

	ids := []string{
		"a",
		"*",
		"a*",
		"with space",
		"line\nbreak",
		"trailing newline\n",
		"\x00\x01\xff binary",
		"ключ",
		"a:b/c.d",
		strings.Repeat("x", maxPlainID),
		strings.Repeat("x", maxPlainID+1),
		strings.Repeat("huge", 100_000),
	}

	seen := map[string]string{}
	for _, id := range ids {
		checkIDKeys(t, tracker, id)

		encoded := encodeID(id)
		if previous, dup := seen[encoded]; dup {
			t.Errorf("ids %q and %q both encode to %q", previous, id, encoded)
		}

		seen[encoded] = id

		if strings.ContainsAny(encoded, ".:") {
			t.Errorf("encodeID(%q) = %q contains a separator", id, encoded)
		}
	}
}

func TestIndexPrefixSeparatesSubjects(t *testing.T) {
	tracker := &Tracker{opts: Options{Namespace: DefaultNamespace}}

	// "a" encodes to "YQ", and "a" followed by anything encodes to a
	// string starting with "YQ" or "YW". The '.' after the subject keeps
	// the prefix of "a" from matching the keys of those longer subjects.
	for _, other := range []string{"a\x00", "ab", "a.", "aa"} {
		key := tracker.indexKey(other, "jti")
		if strings.HasPrefix(key, tracker.indexPrefix("a")) {
			t.Errorf("index key %q of subject %q starts with the prefix of subject \"a\"", key, other)
		}
	}
}

// TestAppendKeyMatchesKeyFunctions checks that the keys Check builds in one
// buffer are the keys that Issue and the revocations write.
func TestAppendKeyMatchesKeyFunctions(t *testing.T) {
	tracker := &Tracker{opts: Options{Namespace: DefaultNamespace}}
	long := strings.Repeat("x", maxPlainID+1)
	prefix := []byte("before")

	for _, id := range []string{"", "a", "J1", "a b\n*", "\xff\x00", strings.Repeat("y", maxPlainID), long} {
		keys := []struct {
			tag  string
			want string
		}{
			{tagRecord, tracker.recordKey(id)},
			{tagRevoked, tracker.revokedKey(id)},
			{tagConsumed, tracker.consumedKey(id)},
			{tagFamily, tracker.familyKey(id)},
			{tagSubject, tracker.subjectKey(id)},
		}

		for _, key := range keys {
			got := tracker.appendKey(prefix, key.tag, id)
			if string(got) != string(prefix)+key.want {
				t.Errorf("appendKey(%q, %q) = %q, want %q", key.tag, id, got, string(prefix)+key.want)
			}
		}
	}
}

func TestRecordRoundTrip(t *testing.T) {
	now := time.Now()
	want := record{
		jti:        newJTI(),
		subject:    "123e4567-e89b-12d3-a456-426614174000",
		family:     newJTI(),
		typ:        Refresh,
		issuedNano: now.UnixNano(),
		expires:    now.Add(30 * 24 * time.Hour).Unix(),
	}

	encoded := encodeRecord(want)
	if len(encoded) > 100 {
		t.Errorf("record with a 36-byte subject takes %d bytes, want at most 100", len(encoded))
	}

	got, err := decodeRecord(encoded)
	if err != nil {
		t.Fatalf("decodeRecord: %v", err)
	}

	if got != want {
		t.Errorf("decodeRecord = %+v, want %+v", got, want)
	}

	access := want
	access.typ = Access
	access.family = ""
	access.revoked = true

	got, err = decodeRecord(encodeRecord(access))
	if err != nil || got != access {
		t.Errorf("access record round trip = %+v, %v; want %+v", got, err, access)
	}
}

func TestDecodeRecordRejectsCorrupt(t *testing.T) {
	now := time.Now()
	good := encodeRecord(record{jti: "j", subject: "s", typ: Access, issuedNano: now.UnixNano(), expires: now.Unix() + 60})

	cases := map[string][]byte{
		"empty":          {},
		"nil":            nil,
		"version 0":      append([]byte{0}, good[1:]...),
		"version 2":      append([]byte{2}, good[1:]...),
		"type 0":         append([]byte{good[0], 0}, good[2:]...),
		"type 9":         append([]byte{good[0], 9}, good[2:]...),
		"trailing byte":  append(bytes.Clone(good), 0),
		"unknown flag":   append([]byte{good[0], good[1], 0x04}, good[3:]...),
		"huge length":    append(bytes.Clone(good[:12]), 0xff, 0xff, 0xff, 0xff, 0x0f),
		"negative delta": append(append(bytes.Clone(good[:11]), 0x01), good[12:]...),
	}

	for i := range len(good) {
		cases[fmt.Sprintf("truncated to %d bytes", i)] = good[:i]
	}

	for name, data := range cases {
		if _, err := decodeRecord(data); !errors.Is(err, errCorrupt) {
			t.Errorf("%s: decodeRecord = %v, want errCorrupt", name, err)
		}
	}
}

func TestMarkerRoundTrip(t *testing.T) {
	next := &successor{accessJTI: "a", refreshJTI: "r", issuedNano: 42, accessExp: 7, refreshExp: 9}

	m, err := decodeMarker(encodeMarker(123, encodeConsumed(99, next)))
	if err != nil {
		t.Fatalf("decodeMarker: %v", err)
	}

	if m.keepUntil != 123 {
		t.Errorf("keepUntil = %d, want 123", m.keepUntil)
	}

	used, got, err := decodeConsumed(m.payload)
	if err != nil {
		t.Fatalf("decodeConsumed: %v", err)
	}

	if used != 99 || got == nil || *got != *next {
		t.Errorf("decodeConsumed = %d, %+v; want 99, %+v", used, got, next)
	}

	if _, _, err := decodeConsumed(m.payload[:len(m.payload)-1]); !errors.Is(err, errCorrupt) {
		t.Errorf("decodeConsumed of a truncated successor = %v, want errCorrupt", err)
	}

	if _, err := decodeMarker([]byte{markerVersion, 1, 2}); !errors.Is(err, errCorrupt) {
		t.Errorf("decodeMarker of a truncated marker = %v, want errCorrupt", err)
	}

	if _, err := parseCutoff(encodeMarker(1, []byte{1, 2, 3})); !errors.Is(err, errCorrupt) {
		t.Errorf("parseCutoff of a 3-byte cutoff = %v, want errCorrupt", err)
	}
}

func FuzzJTIKey(f *testing.F) {
	f.Add("a", "b")
	f.Add("", "\x00")
	f.Add("line\nbreak", "line\rbreak")
	f.Add("*", "?")
	f.Add(strings.Repeat("x", maxPlainID), strings.Repeat("x", maxPlainID+1))

	tracker := longNamespaceTracker()

	f.Fuzz(func(t *testing.T, a, b string) {
		if a != "" {
			checkIDKeys(t, tracker, a)
		}

		if a != b && encodeID(a) == encodeID(b) {
			t.Fatalf("ids %q and %q both encode to %q", a, b, encodeID(a))
		}

		if a != b && tracker.indexKey(a, b) == tracker.indexKey(b, a) {
			t.Fatalf("index keys of (%q, %q) and the swapped pair are equal", a, b)
		}
	})
}

func FuzzDecodeRecord(f *testing.F) {
	now := time.Now()
	f.Add(encodeRecord(record{jti: newJTI(), subject: "123e4567-e89b-12d3-a456-426614174000", family: newJTI(), typ: Refresh, issuedNano: now.UnixNano(), expires: now.Unix() + 3600}))
	f.Add(encodeRecord(record{jti: "j", subject: "s", typ: Access}))
	f.Add([]byte{})
	f.Add([]byte{recordVersion})

	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := decodeRecord(data)
		if err != nil {
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("decodeRecord error %v does not match errCorrupt", err)
			}

			return
		}

		if rec.jti == "" || rec.subject == "" || (rec.typ != Access && rec.typ != Refresh) {
			t.Fatalf("decodeRecord accepted an invalid record %+v", rec)
		}

		again, err := decodeRecord(encodeRecord(rec))
		if err != nil || again != rec {
			t.Fatalf("re-encoded record decodes to %+v, %v; want %+v", again, err, rec)
		}
	})
}
