package kv

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Dirs returns the directory view of the keys that start with prefix, like
// an S3 listing with a delimiter. Each key that contains delim after the
// prefix is cut just after the first such delim, and each other key is
// returned whole. The result is sorted
// and has no duplicates. For the keys "a/1", "a/b/2", "a/b/3" and "a/c",
// Dirs(ctx, s, "a/", "/") returns "a/1", "a/b/" and "a/c".
//
// An empty delim cuts nothing, so Dirs returns every key under prefix.
// Dirs reads the whole listing, so its cost grows with the number of keys
// under prefix, not with the size of the result. It needs a Lister and
// returns an error matching ErrUnsupported for any other store.
func Dirs(ctx context.Context, s Store, prefix, delim string) ([]string, error) {
	if _, ok := s.(Lister); !ok {
		return nil, fmt.Errorf("list directories under %s: %w", QuoteKey(prefix), ErrUnsupported)
	}

	seen := make(map[string]struct{})

	for key, err := range Keys(ctx, s, prefix) {
		if err != nil {
			return nil, err
		}

		seen[cutAfterDelim(key, len(prefix), delim)] = struct{}{}
	}

	dirs := make([]string, 0, len(seen))
	for dir := range seen {
		dirs = append(dirs, dir)
	}

	slices.Sort(dirs)

	return dirs, nil
}

// cutAfterDelim returns key up to and including the first delim at or
// after offset start, or all of key when there is none.
func cutAfterDelim(key string, start int, delim string) string {
	if delim == "" || start > len(key) {
		return key
	}

	i := strings.Index(key[start:], delim)
	if i < 0 {
		return key
	}

	return key[:start+i+len(delim)]
}
