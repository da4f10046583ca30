package readonly_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/mapstore"
	"github.com/anykv/anykv/kv/readonly"
)

func TestReadonlyCapabilities(t *testing.T) {
	mapstore.CheckCapabilities(t, func(inner kv.Store) kv.Store {
		return readonly.New(inner)
	})
}

func TestReadsPassThrough(t *testing.T) {
	ctx := t.Context()
	inner := mapstore.New()

	if err := inner.Put(ctx, "a/1", []byte("one")); err != nil {
		t.Fatal(err)
	}

	s := readonly.New(inner)

	got, err := s.Get(ctx, "a/1")
	if err != nil || string(got) != "one" {
		t.Errorf("Get = %q, %v, want one", got, err)
	}

	if _, err := s.Get(ctx, "absent"); !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("Get absent = %v, want ErrNotFound", err)
	}

	values, err := s.(kv.BatchGetter).GetMany(ctx, []string{"a/1", "absent"})
	if err != nil || len(values) != 2 || string(values[0]) != "one" || values[1] != nil {
		t.Errorf("GetMany = %q, %v", values, err)
	}

	var keys []string
	for key, err := range s.(kv.Lister).Keys(ctx, "a/") {
		if err != nil {
			t.Fatal(err)
		}

		keys = append(keys, key)
	}

	if len(keys) != 1 || keys[0] != "a/1" {
		t.Errorf("Keys = %q, want [a/1]", keys)
	}
}

func TestWritesRejected(t *testing.T) {
	ctx := t.Context()
	inner := mapstore.New()

	if err := inner.Put(ctx, "k", []byte("old")); err != nil {
		t.Fatal(err)
	}

	s := readonly.New(inner)
	a := s.(kv.AtomicStore)
	v := []byte("new")

	writes := map[string]func() error{
		"Put":    func() error { return s.Put(ctx, "k", v) },
		"Delete": func() error { return s.Delete(ctx, "k") },
		"PutTTL": func() error { return s.(kv.TTLStore).PutTTL(ctx, "k", v, time.Hour) },
		"PutIfAbsent": func() error {
			_, err := a.PutIfAbsent(ctx, "k", v)
			return err
		},
		"PutIfAbsentTTL": func() error {
			_, err := a.PutIfAbsentTTL(ctx, "k", v, time.Hour)
			return err
		},
		"CompareAndSwap": func() error {
			_, err := a.CompareAndSwap(ctx, "k", []byte("old"), v)
			return err
		},
		"CompareAndSwapTTL": func() error {
			_, err := a.CompareAndSwapTTL(ctx, "k", []byte("old"), v, time.Hour)
			return err
		},
	}

	for name, write := range writes {
		err := write()
		if !errors.Is(err, readonly.ErrReadOnly) {
			t.Errorf("%s = %v, want ErrReadOnly", name, err)
			continue
		}

		if !strings.Contains(err.Error(), `"k"`) {
			t.Errorf("%s error %q does not name the key", name, err)
		}
	}

	if _, err := s.(kv.Reclaimer).Reclaim(ctx); !errors.Is(err, readonly.ErrReadOnly) {
		t.Errorf("Reclaim = %v, want ErrReadOnly", err)
	}

	got, err := inner.Get(ctx, "k")
	if err != nil || string(got) != "old" {
		t.Errorf("inner value after rejected writes = %q, %v, want old", got, err)
	}
}

func TestWriteInvalidKey(t *testing.T) {
	s := readonly.New(mapstore.New())

	if err := s.Put(t.Context(), "a b", nil); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("Put of invalid key = %v, want ErrInvalidKey", err)
	}
}

func TestWriteCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	s := readonly.New(mapstore.New())

	if err := s.Put(ctx, "k", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with cancelled context = %v, want context.Canceled", err)
	}
}

func TestCloseLeavesInnerOpen(t *testing.T) {
	ctx := t.Context()
	inner := mapstore.New()
	s := readonly.New(inner)

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	if _, err := s.Get(ctx, "k"); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}

	if err := s.Put(ctx, "k", nil); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("Put after Close = %v, want ErrClosed", err)
	}

	if err := inner.Put(ctx, "k", nil); err != nil {
		t.Errorf("inner Put after wrapper Close = %v, want nil", err)
	}
}
