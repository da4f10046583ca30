package redis

import (
	"context"
	"iter"
	"strings"
	"sync"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/kv"
)

// scanner is the part of a go-redis client that Keys uses: the client of
// one server, or of one master of a Cluster.
type scanner interface {
	Scan(ctx context.Context, cursor uint64, match string, count int64) *goredis.ScanCmd
}

// Keys yields the keys that start with prefix, inside the namespace and
// with the namespace removed, by SCAN with a MATCH pattern in which the
// bytes that are special in Redis patterns are escaped. On a Cluster it
// scans every master in turn, and on a Ring every shard. Keys inside the
// namespace that break the key rule, written by other programs, are
// skipped.
//
// Each key is yielded at most once: SCAN may return a key twice, so Keys
// remembers the keys it yielded, which costs memory in proportion to the
// number of matching keys. A key that exists for the whole listing is
// yielded, except on a Cluster whose slots move between masters during
// the listing, where a moving key can be missed.
func (s *Store) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if s.closed.Load() {
			yield("", kv.ErrClosed)
			return
		}

		if err := ctx.Err(); err != nil {
			yield("", err)
			return
		}

		if err := kv.ValidatePrefix(prefix); err != nil {
			yield("", err)
			return
		}

		nodes, err := s.scanners(ctx)
		if err != nil {
			yield("", s.wrapListError(prefix, err))
			return
		}

		pattern := escapePattern(s.settings.namespace+prefix) + "*"
		seen := make(map[string]struct{})

		for _, node := range nodes {
			if !s.scanNode(ctx, node, prefix, pattern, seen, yield) {
				return
			}
		}
	}
}

// scanNode yields the new keys that match pattern on one server, and
// returns false when the iteration must stop: the loop body stopped it or
// an error was yielded.
func (s *Store) scanNode(ctx context.Context, node scanner, prefix, pattern string, seen map[string]struct{}, yield func(string, error) bool) bool {
	var cursor uint64

	for {
		if s.closed.Load() {
			yield("", kv.ErrClosed)
			return false
		}

		var batch []string
		err := run(ctx, func() error {
			var err error
			batch, cursor, err = node.Scan(ctx, cursor, pattern, int64(s.settings.scanCount)).Result()
			return err
		})
		if err != nil {
			yield("", s.wrapListError(prefix, err))
			return false
		}

		for _, serverKey := range batch {
			if _, dup := seen[serverKey]; dup {
				continue
			}
			seen[serverKey] = struct{}{}

			key := strings.TrimPrefix(serverKey, s.settings.namespace)
			if kv.ValidateKey(key) != nil {
				continue
			}

			if !yield(key, nil) {
				return false
			}
		}

		if cursor == 0 {
			return true
		}
	}
}

// scanners returns the servers to scan: every master of a Cluster, every
// shard of a Ring, or the one server otherwise.
func (s *Store) scanners(ctx context.Context) ([]scanner, error) {
	var forEach func(ctx context.Context, fn func(ctx context.Context, client *goredis.Client) error) error
	switch {
	case s.cluster != nil:
		forEach = s.cluster.ForEachMaster
	case s.ring != nil:
		forEach = s.ring.ForEachShard
	default:
		return []scanner{s.client}, nil
	}

	var (
		mu      sync.Mutex
		servers []scanner
	)

	err := run(ctx, func() error {
		return forEach(ctx, func(ctx context.Context, server *goredis.Client) error {
			mu.Lock()
			defer mu.Unlock()

			servers = append(servers, server)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}

	mu.Lock()
	defer mu.Unlock()

	return servers, nil
}

func (s *Store) wrapListError(prefix string, err error) error {
	return s.wrapError("list keys with prefix", prefix, err)
}

// escapePattern escapes the bytes that Redis's glob-style patterns treat
// specially, so that the pattern matches text literally.
func escapePattern(text string) string {
	var b strings.Builder
	b.Grow(len(text))

	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}

	return b.String()
}
