package kv

import (
	"bytes"
	"context"
	"fmt"
	"io"
)

// PutReader reads r to the end and stores what it read under key, and
// returns the number of bytes stored. A store keeps whole values, so the
// value is buffered in memory, at most maxSize bytes of it: when r has
// more, PutReader stops reading after maxSize+1 bytes and returns an error
// matching ErrValueTooLarge without storing anything. An invalid key fails
// before r is read. A read error from r is returned wrapped, and nothing
// is stored.
//
// Reading r does not stop when ctx is cancelled, because io.Reader has no
// way to be interrupted. PutReader checks ctx once r is read, before it
// stores the value.
func PutReader(ctx context.Context, s Store, key string, r io.Reader, maxSize int64) (int64, error) {
	if err := ValidateKey(key); err != nil {
		return 0, err
	}

	if maxSize < 0 {
		return 0, fmt.Errorf("put %s from reader: maxSize is %d, it must not be negative", QuoteKey(key), maxSize)
	}

	if err := ctx.Err(); err != nil {
		return 0, err
	}

	var buf bytes.Buffer

	n, err := io.Copy(&buf, io.LimitReader(r, maxSize+1))
	if err != nil {
		return 0, fmt.Errorf("put %s from reader: reading the value: %w", QuoteKey(key), err)
	}

	if n > maxSize {
		return 0, fmt.Errorf("put %s from reader: %w: more than %d bytes, the limit is %d", QuoteKey(key), ErrValueTooLarge, maxSize, maxSize)
	}

	if err := ctx.Err(); err != nil {
		return 0, err
	}

	if err := s.Put(ctx, key, buf.Bytes()); err != nil {
		return 0, err
	}

	return n, nil
}

// GetWriter writes the value stored under key to w and returns the number
// of bytes written. When the key is absent, or Get fails for any other
// reason, GetWriter writes nothing and returns Get's error, so an absent
// key returns an error matching ErrNotFound. A write error from w is
// returned wrapped, and w may then hold part of the value.
func GetWriter(ctx context.Context, s Store, key string, w io.Writer) (int64, error) {
	value, err := s.Get(ctx, key)
	if err != nil {
		return 0, err
	}

	n, err := w.Write(value)
	if err != nil {
		return int64(n), fmt.Errorf("get %s to writer: %w", QuoteKey(key), err)
	}

	return int64(n), nil
}
