package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/anykv/anykv/kv"
)

// Reclaim removes the entries whose TTL has passed and returns how many it
// removed. It walks the expiry index from the earliest deadline and stops
// at the first one still ahead, so its cost follows the number of expired
// entries, not the size of the store. It removes at most
// Options.ReclaimBatchSize entries in one write transaction, so writers
// wait for one short transaction at a time. Readers do not wait for it,
// because bbolt readers run beside its writer.
func (s *Store) Reclaim(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}

	// A fixed cut-off makes Reclaim end even while entries keep expiring.
	cutoff := s.cutoff(time.Now())
	removed := 0

	for {
		if err := ctx.Err(); err != nil {
			return removed, err
		}

		n, more, err := s.reclaimBatch(cutoff)
		removed += n

		if err != nil || !more {
			return removed, err
		}
	}
}

// reclaimBatch removes up to ReclaimBatchSize entries whose deadline is
// at or before cutoff in one write transaction. It reports how many data entries it
// removed and whether more expired index entries may remain.
func (s *Store) reclaimBatch(cutoff int64) (removed int, more bool, err error) {
	if err := s.acquire(); err != nil {
		return 0, false, err
	}
	defer s.mu.RUnlock()

	err = s.db.Update(func(tx *bbolt.Tx) error {
		b, err := openBuckets(tx, s.bucket)
		if err != nil {
			return err
		}

		// Collect first and delete after, because deleting under a bbolt
		// cursor can make its Next skip an entry.
		var expired [][]byte

		c := b.expiry.Cursor()
		for k, _ := c.First(); k != nil && len(expired) < s.opts.ReclaimBatchSize; k, _ = c.Next() {
			if len(k) < 8 {
				return fmt.Errorf("%w: expiry index key %q is shorter than 8 bytes", ErrFormat, k)
			}

			if int64(binary.BigEndian.Uint64(k)) > cutoff {
				break
			}

			expired = append(expired, bytes.Clone(k))
		}

		more = len(expired) == s.opts.ReclaimBatchSize
		removed = 0

		for _, k := range expired {
			deleted, err := b.reclaimOne(k)
			if err != nil {
				return err
			}

			if deleted {
				removed++
			}
		}

		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("bolt: reclaim expired entries: %w", err)
	}

	return removed, more, nil
}

// reclaimOne deletes the expiry index entry indexKey and the data entry it
// points to, if that entry still carries the same deadline. It reports
// whether it deleted a data entry.
func (b buckets) reclaimOne(indexKey []byte) (bool, error) {
	if err := b.expiry.Delete(indexKey); err != nil {
		return false, err
	}

	key := indexKey[8:]
	expiry := int64(binary.BigEndian.Uint64(indexKey))

	raw := b.data.Get(key)
	if raw == nil {
		return false, nil
	}

	e, err := decodeEntry(key, raw)
	if err != nil {
		return false, err
	}

	if e.expiry != expiry {
		return false, nil
	}

	if err := b.data.Delete(key); err != nil {
		return false, fmt.Errorf("delete expired key %s: %w", kv.QuoteKey(string(key)), err)
	}

	return true, nil
}

// reclaimLoop runs Reclaim every interval until ctx ends, and logs what
// fails, because no caller waits for the result.
func (s *Store) reclaimLoop(ctx context.Context, interval time.Duration) {
	defer close(s.reclaimerDone)

	ticker := time.NewTicker(interval)
	defer ticker.Stop()

	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}

		removed, err := s.Reclaim(ctx)
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, kv.ErrClosed) {
			s.opts.Logger.Error("bolt: background reclaim failed", "path", s.db.Path(), "bucket", string(s.bucket), "removed", removed, "error", err)
			continue
		}

		if removed > 0 {
			s.opts.Logger.Debug("bolt: reclaimed expired entries", "path", s.db.Path(), "bucket", string(s.bucket), "removed", removed)
		}
	}
}
