package bolt

import (
	"bytes"
	"context"
	"iter"
	"time"

	"github.com/anykv/anykv/kv"
)

// listChunk is how many keys Keys reads in one read transaction.
const listChunk = 256

// Keys yields the keys that start with prefix, in ascending byte order.
// The empty prefix yields every key. Expired keys are skipped.
//
// Keys reads a chunk of keys in one read transaction, ends it, yields the
// chunk, and seeks past the chunk's last key in a new transaction. No
// transaction is open while the loop body runs, so the body may put and
// delete keys (the yielded one included) without deadlocking against a
// writer that must remap the file, and the seek by key skips nothing. Each
// key live for the whole listing is yielded once. A key put during the
// listing is yielded if it sorts after the current chunk. An invalid
// prefix yields one error matching kv.ErrInvalidKey.
func (s *Store) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := ctx.Err(); err != nil {
			yield("", err)
			return
		}

		if err := kv.ValidatePrefix(prefix); err != nil {
			yield("", err)
			return
		}

		start := []byte(prefix)

		for {
			if err := ctx.Err(); err != nil {
				yield("", err)
				return
			}

			keys, next, err := s.readChunk([]byte(prefix), start)
			if err != nil {
				yield("", err)
				return
			}

			for _, key := range keys {
				if !yield(key, nil) {
					return
				}
			}

			if next == nil {
				return
			}

			start = next
		}
	}
}

// readChunk returns up to listChunk live keys with prefix from start on,
// and the key to seek to for the next chunk, or nil after the last chunk.
func (s *Store) readChunk(prefix, start []byte) ([]string, []byte, error) {
	var (
		keys []string
		next []byte
	)

	chunkStart := time.Now()

	err := s.view(func(b buckets) error {
		cutoff := s.cutoff(chunkStart)
		c := b.data.Cursor()

		var last []byte

		scanned := 0
		for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if scanned == listChunk {
				// The byte 0x00 sorts before every key byte, so last+0x00
				// is the first possible key after last.
				next = append(bytes.Clone(last), 0)
				return nil
			}

			scanned++
			last = k

			e, err := decodeEntry(k, v)
			if err != nil {
				return err
			}

			if !e.expired(cutoff) {
				keys = append(keys, string(k))
			}
		}

		return nil
	})

	return keys, next, err
}
