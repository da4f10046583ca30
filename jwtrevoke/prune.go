package jwtrevoke

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/anykv/anykv/kv"
)

// pruneBatch is how many keys Prune reads with one kv.GetMany call.
const pruneBatch = 256

// Prune deletes the entries under Options.Namespace whose tokens have
// expired, and returns how many it deleted. Only a store without TTL
// needs it: on a kv.TTLStore every entry carries a TTL and the store
// expires it, so Prune returns 0 at once. Without TTL, Prune needs a store
// that can list keys (kv.Lister), and otherwise returns an error matching
// kv.ErrUnsupported. Entries on a store with neither are never deleted.
//
// Prune keeps subject and global cutoffs, one small entry per subject
// revoked with RevokeSubject, because deleting one could undo a cutoff
// written again between the read and the delete. Entries it cannot decode
// are kept and logged. Run it on a schedule; it is safe to run alongside
// every other method.
func (t *Tracker) Prune(ctx context.Context) (int, error) {
	if t.ttlStore != nil {
		return 0, nil
	}

	if t.lister == nil {
		return 0, fmt.Errorf("jwtrevoke: prune needs a store with TTL or one that can list keys: %w", kv.ErrUnsupported)
	}

	removed, corrupt := 0, 0
	batch := make([]string, 0, pruneBatch)

	flush := func() error {
		n, bad, err := t.pruneKeys(ctx, batch)
		removed += n
		corrupt += bad
		batch = batch[:0]

		return err
	}

	for key, err := range t.lister.Keys(ctx, t.opts.Namespace) {
		if err != nil {
			return removed, t.storeError("prune", err)
		}

		if !t.prunable(key) {
			continue
		}

		batch = append(batch, key)
		if len(batch) == pruneBatch {
			if err := flush(); err != nil {
				return removed, err
			}
		}
	}

	if err := flush(); err != nil {
		return removed, err
	}

	if corrupt > 0 {
		t.opts.Logger.WarnContext(ctx, "jwtrevoke: prune kept entries it could not decode",
			slog.Int("count", corrupt), slog.String("namespace", t.opts.Namespace))
	}

	t.opts.Observer.ObservePrune(removed)

	return removed, nil
}

// prunable reports whether key is an entry Prune may delete once expired.
func (t *Tracker) prunable(key string) bool {
	tail := strings.TrimPrefix(key, t.opts.Namespace)

	for _, tag := range []string{tagRecord, tagRevoked, tagConsumed, tagFamily, tagIndex} {
		if strings.HasPrefix(tail, tag) {
			return true
		}
	}

	return false
}

// pruneKeys deletes those of keys whose entries have expired, and returns
// how many it deleted and how many it could not decode.
func (t *Tracker) pruneKeys(ctx context.Context, keys []string) (removed, corrupt int, err error) {
	if len(keys) == 0 {
		return 0, 0, nil
	}

	values, err := kv.GetMany(ctx, t.store, keys)
	if err != nil {
		return 0, 0, t.storeError("prune", err)
	}

	now := t.opts.Clock().Unix()

	for i, value := range values {
		if value == nil {
			continue
		}

		keepUntil, err := t.keepUntil(keys[i], value)
		if errors.Is(err, errCorrupt) {
			corrupt++
			continue
		}

		if now <= keepUntil {
			continue
		}

		if err := t.store.Delete(ctx, keys[i]); err != nil {
			return removed, corrupt, t.storeError("prune", err)
		}

		removed++
	}

	return removed, corrupt, nil
}

// keepUntil returns the Unix second after which the entry may go.
func (t *Tracker) keepUntil(key string, value []byte) (int64, error) {
	if strings.HasPrefix(key, t.opts.Namespace+tagRecord) {
		rec, err := decodeRecord(value)
		if err != nil {
			return 0, err
		}

		_, keepUntil := t.entryTTL(rec.expires)

		return keepUntil, nil
	}

	m, err := decodeMarker(value)
	if err != nil {
		return 0, err
	}

	return m.keepUntil, nil
}
