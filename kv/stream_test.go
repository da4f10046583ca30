package kv_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/mapstore"
)

func TestPutReaderStores(t *testing.T) {
	ctx := t.Context()
	s := mapstore.New()

	n, err := kv.PutReader(ctx, s, "k", strings.NewReader("hello"), 5)
	if err != nil || n != 5 {
		t.Fatalf("PutReader = %d, %v, want 5, nil", n, err)
	}

	got, err := s.Get(ctx, "k")
	if err != nil || string(got) != "hello" {
		t.Errorf("Get = %q, %v, want hello", got, err)
	}

	n, err = kv.PutReader(ctx, s, "empty", strings.NewReader(""), 0)
	if err != nil || n != 0 {
		t.Fatalf("PutReader of empty reader = %d, %v", n, err)
	}

	got, err = s.Get(ctx, "empty")
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("Get(empty) = %q, %v, want an empty non-nil slice", got, err)
	}
}

func TestPutReaderTooLarge(t *testing.T) {
	ctx := t.Context()
	s := mapstore.New()

	if err := s.Put(ctx, "k", []byte("old")); err != nil {
		t.Fatal(err)
	}

	_, err := kv.PutReader(ctx, s, "k", strings.NewReader("123456"), 5)
	if !errors.Is(err, kv.ErrValueTooLarge) {
		t.Fatalf("PutReader of 6 bytes with limit 5 = %v, want ErrValueTooLarge", err)
	}

	if !strings.Contains(err.Error(), "5") || !strings.Contains(err.Error(), `"k"`) {
		t.Errorf("error %q does not name the key and the limit", err)
	}

	got, err := s.Get(ctx, "k")
	if err != nil || string(got) != "old" {
		t.Errorf("value after a rejected PutReader = %q, %v, want old", got, err)
	}
}

// An endless reader shows that PutReader stops after the limit.
func TestPutReaderStopsReading(t *testing.T) {
	endless := iotest.OneByteReader(neverEnding{})

	_, err := kv.PutReader(t.Context(), mapstore.New(), "k", endless, 1<<10)
	if !errors.Is(err, kv.ErrValueTooLarge) {
		t.Fatalf("PutReader of an endless reader = %v, want ErrValueTooLarge", err)
	}
}

type neverEnding struct{}

func (neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}

	return len(p), nil
}

func TestPutReaderFailures(t *testing.T) {
	ctx := t.Context()
	s := mapstore.New()
	readErr := errors.New("disk on fire")

	if _, err := kv.PutReader(ctx, s, "k", iotest.ErrReader(readErr), 10); !errors.Is(err, readErr) {
		t.Errorf("PutReader with a failing reader = %v, want it wrapped", err)
	}

	if _, err := kv.PutReader(ctx, s, "bad key", strings.NewReader("v"), 10); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("PutReader with an invalid key = %v, want ErrInvalidKey", err)
	}

	if _, err := kv.PutReader(ctx, s, "k", strings.NewReader("v"), -1); err == nil {
		t.Error("PutReader with a negative limit succeeded")
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	if _, err := kv.PutReader(cancelled, s, "k", strings.NewReader("v"), 10); !errors.Is(err, context.Canceled) {
		t.Errorf("PutReader with a cancelled context = %v, want context.Canceled", err)
	}

	if _, err := s.Get(ctx, "k"); !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("Get after failed PutReaders = %v, want ErrNotFound", err)
	}
}

func TestGetWriter(t *testing.T) {
	ctx := t.Context()
	s := mapstore.New()

	if err := s.Put(ctx, "k", []byte("value")); err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer

	n, err := kv.GetWriter(ctx, s, "k", &buf)
	if err != nil || n != 5 || buf.String() != "value" {
		t.Errorf("GetWriter = %d, %v, wrote %q", n, err, buf.String())
	}
}

func TestGetWriterMissingWritesNothing(t *testing.T) {
	w := &countingWriter{}

	n, err := kv.GetWriter(t.Context(), mapstore.New(), "absent", w)
	if !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("GetWriter of absent key = %v, want ErrNotFound", err)
	}

	if n != 0 || w.calls != 0 {
		t.Errorf("GetWriter of absent key wrote %d bytes in %d calls, want none", n, w.calls)
	}
}

type countingWriter struct{ calls int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.calls++
	return len(p), nil
}

func TestGetWriterWriteError(t *testing.T) {
	ctx := t.Context()
	s := mapstore.New()
	_ = s.Put(ctx, "k", []byte("value"))

	r, w := io.Pipe()
	_ = r.Close()

	if _, err := kv.GetWriter(ctx, s, "k", w); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("GetWriter to a closed pipe = %v, want io.ErrClosedPipe", err)
	}
}
