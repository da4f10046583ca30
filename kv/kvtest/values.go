package kvtest

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/anykv/anykv/kv"
)

func (s *suite) testValues(t *testing.T) {
	t.Run("Empty", s.testValueEmpty)
	t.Run("Nil", s.testValueNil)
	t.Run("Binary", s.testValueBinary)
	t.Run("Large", s.testValueLarge)
	t.Run("NoAliasing", s.testValueNoAliasing)
	t.Run("Overwrite", s.testValueOverwrite)
	t.Run("Delete", s.testValueDelete)
	t.Run("DeleteAbsent", s.testValueDeleteAbsent)
	t.Run("GetAbsent", s.testValueGetAbsent)
	t.Run("TooLarge", s.testValueTooLarge)
}

func (s *suite) testValueEmpty(t *testing.T) {
	f := s.open(t)

	key := f.key("empty")
	f.put(key, []byte{})
	f.wantValue(key, []byte{})
}

// testValueNil checks that a nil value is stored as the empty value.
func (s *suite) testValueNil(t *testing.T) {
	f := s.open(t)

	key := f.key("nil")
	f.put(key, nil)
	f.wantValue(key, []byte{})
}

func (s *suite) testValueBinary(t *testing.T) {
	f := s.open(t)

	value := make([]byte, 0, 3*256)
	for i := range 256 {
		value = append(value, byte(i))
	}

	for i := 255; i >= 0; i-- {
		value = append(value, byte(i))
	}

	// Sequences that text protocols and C strings treat specially.
	value = append(value, "\r\nEND\r\n\x00\x00\n.\n"...)

	key := f.key("binary")
	f.put(key, value)
	f.wantValue(key, value)

	for _, single := range []byte{0x00, '\n', 0xff} {
		key := f.key("byte-" + strconv.Itoa(int(single)))
		f.put(key, []byte{single})
		f.wantValue(key, []byte{single})
	}
}

// largeValueSize is the size of the large value the suite stores when the
// store has no smaller limit: 1 MiB.
const largeValueSize = 1 << 20

func (s *suite) testValueLarge(t *testing.T) {
	f := s.open(t)

	size := largeValueSize
	if f.opts.MaxValueSize > 0 && f.opts.MaxValueSize < size {
		size = f.opts.MaxValueSize
	}

	value := randomBytes(size)
	key := f.key("large")
	f.put(key, value)
	f.wantValue(key, value)
}

// randomBytes returns n bytes that no store could compress to nothing or
// confuse with a pattern.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rand.Uint32())
	}

	return b
}

// testValueNoAliasing checks that changing the slice passed to Put, or the
// slice Get returned, changes nothing stored.
func (s *suite) testValueNoAliasing(t *testing.T) {
	f := s.open(t)

	key := f.key("alias")
	value := []byte("original")
	f.put(key, value)

	copy(value, "CHANGED!")
	f.wantValue(key, []byte("original"))

	got, err := f.store.Get(f.ctx, key)
	if err != nil {
		t.Fatalf("Get %s: %v", kv.QuoteKey(key), err)
	}

	copy(got, "CHANGED!")
	f.wantValue(key, []byte("original"))
}

func (s *suite) testValueOverwrite(t *testing.T) {
	f := s.open(t)

	key := f.key("overwrite")
	f.put(key, []byte("first value, longer than the next"))
	f.put(key, []byte("second"))
	f.wantValue(key, []byte("second"))

	f.put(key, []byte{})
	f.wantValue(key, []byte{})

	f.put(key, []byte("third"))
	f.wantValue(key, []byte("third"))
}

func (s *suite) testValueDelete(t *testing.T) {
	f := s.open(t)

	key := f.key("delete")
	other := f.key("delete-other")
	f.put(key, []byte("v"))
	f.put(other, []byte("kept"))

	if err := f.store.Delete(f.ctx, key); err != nil {
		t.Fatalf("Delete %s: %v", kv.QuoteKey(key), err)
	}

	f.wantAbsent(key)
	f.wantValue(other, []byte("kept"))

	if err := f.store.Delete(f.ctx, key); err != nil {
		t.Errorf("second Delete %s: %v, want nil", kv.QuoteKey(key), err)
	}
}

func (s *suite) testValueDeleteAbsent(t *testing.T) {
	f := s.open(t)

	key := f.key("never-written")
	if err := f.store.Delete(f.ctx, key); err != nil {
		t.Errorf("Delete of absent key %s: %v, want nil", kv.QuoteKey(key), err)
	}

	f.wantAbsent(key)
}

func (s *suite) testValueGetAbsent(t *testing.T) {
	f := s.open(t)

	key := f.key("never-written")
	got, err := f.store.Get(f.ctx, key)
	if !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("Get of absent key %s: %s, %v; want an error matching kv.ErrNotFound", kv.QuoteKey(key), describe(got), err)
	}

	if got != nil {
		t.Errorf("Get of absent key %s returned value %s with its error", kv.QuoteKey(key), describe(got))
	}
}

// testValueTooLarge checks the store's value limit, when it has one: a
// value of exactly the limit is stored, and one byte more fails, names the
// size and the limit, and leaves the old value in place.
func (s *suite) testValueTooLarge(t *testing.T) {
	limit := s.opts.MaxValueSize
	if limit <= 0 {
		t.Skip("Options.MaxValueSize is 0: the store has no value limit to check")
	}

	f := s.open(t)

	atLimit := randomBytes(limit)
	key := f.key("at-limit")
	f.put(key, atLimit)
	f.wantValue(key, atLimit)

	tooLarge := randomBytes(limit + 1)
	wantTooLarge := func(op string, err error) {
		t.Helper()

		if !errors.Is(err, kv.ErrValueTooLarge) {
			t.Errorf("%s of %d bytes = %v, want an error matching kv.ErrValueTooLarge", op, len(tooLarge), err)
			return
		}

		msg := err.Error()
		if !strings.Contains(msg, strconv.Itoa(len(tooLarge))) || !strings.Contains(msg, strconv.Itoa(limit)) {
			t.Errorf("%s error %q does not name the size %d and the limit %d", op, msg, len(tooLarge), limit)
		}
	}

	old := f.key("old")
	f.put(old, []byte("old value"))
	wantTooLarge("Put", f.store.Put(f.ctx, old, tooLarge))
	f.wantValue(old, []byte("old value"))

	absent := f.key("absent")
	wantTooLarge("Put", f.store.Put(f.ctx, absent, tooLarge))
	f.wantAbsent(absent)

	if ts, ok := f.store.(kv.TTLStore); ok {
		wantTooLarge("PutTTL", ts.PutTTL(f.ctx, old, tooLarge, longTTL))
		f.wantValue(old, []byte("old value"))
	}

	if a, ok := f.store.(kv.AtomicStore); ok {
		_, err := a.PutIfAbsent(f.ctx, absent, tooLarge)
		wantTooLarge("PutIfAbsent", err)
		f.wantAbsent(absent)

		_, err = a.CompareAndSwap(f.ctx, old, []byte("old value"), tooLarge)
		wantTooLarge("CompareAndSwap", err)
		f.wantValue(old, []byte("old value"))
	}
}
