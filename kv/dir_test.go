package kv_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/internal/mapstore"
	"github.com/anykv/anykv/kv/internal/wrap"
)

func TestDirs(t *testing.T) {
	ctx := t.Context()
	s := mapstore.New()

	for _, key := range []string{"a/1", "a/b/2", "a/b/3", "a/c", "a/c/4", "ab/5", "b/6", "a/", "a//7"} {
		if err := s.Put(ctx, key, nil); err != nil {
			t.Fatal(err)
		}
	}

	cases := []struct {
		prefix, delim string
		want          []string
	}{
		{"a/", "/", []string{"a/", "a//", "a/1", "a/b/", "a/c", "a/c/"}},
		{"", "/", []string{"a/", "ab/", "b/"}},
		{"a", "/", []string{"a/", "ab/"}},
		{"a/b/", "/", []string{"a/b/2", "a/b/3"}},
		{"a/", "", []string{"a/", "a//7", "a/1", "a/b/2", "a/b/3", "a/c", "a/c/4"}},
		{"a/", "b/", []string{"a/", "a//7", "a/1", "a/b/", "a/c", "a/c/4"}},
		{"z", "/", []string{}},
	}

	for _, c := range cases {
		got, err := kv.Dirs(ctx, s, c.prefix, c.delim)
		if err != nil {
			t.Errorf("Dirs(%q, %q): %v", c.prefix, c.delim, err)
			continue
		}

		if !slices.Equal(got, c.want) {
			t.Errorf("Dirs(%q, %q) = %q, want %q", c.prefix, c.delim, got, c.want)
		}
	}
}

func TestDirsErrors(t *testing.T) {
	ctx := t.Context()

	if _, err := kv.Dirs(ctx, mapstore.WithCaps(wrap.All&^wrap.List), "", "/"); !errors.Is(err, kv.ErrUnsupported) {
		t.Errorf("Dirs without Lister = %v, want ErrUnsupported", err)
	}

	if _, err := kv.Dirs(ctx, mapstore.New(), "a b", "/"); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("Dirs with an invalid prefix = %v, want ErrInvalidKey", err)
	}
}
