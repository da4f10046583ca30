package jwtrevoke

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/anykv/anykv/kv"
)

// listBatch is how many records List reads with one kv.GetMany call.
const listBatch = 256

// List returns every tracked token that has not expired, of every
// subject, revoked ones included. They come oldest first, and the access
// token of a pair before its refresh token. List reads each record under
// Options.Namespace, in batches of 256 after one listing, so its cost
// grows with the number of live tokens, and it holds the whole result in
// memory. Use ListSubject for one subject.
//
// It needs TrackAll mode and a store that can list keys (kv.Lister). With
// either missing it returns an error matching kv.ErrUnsupported and no
// list. A record that cannot be decoded fails the call with
// ErrStoreUnavailable.
func (t *Tracker) List(ctx context.Context) ([]TokenInfo, error) {
	if t.opts.Mode != TrackAll {
		return nil, fmt.Errorf("jwtrevoke: list needs TrackAll mode, the Tracker keeps no records in %v mode: %w", t.opts.Mode, kv.ErrUnsupported)
	}

	if t.lister == nil {
		return nil, fmt.Errorf("jwtrevoke: list needs a store that can list keys: %w", kv.ErrUnsupported)
	}

	var infos []TokenInfo

	err := t.readBatches(ctx, t.opts.Namespace+tagRecord, "list", func(keys []string, values [][]byte) error {
		found, err := t.describeRecords(ctx, keys, values)
		infos = append(infos, found...)

		return err
	})
	if err != nil {
		return nil, err
	}

	slices.SortFunc(infos, compareTokenInfo)

	return infos, nil
}

// compareTokenInfo orders tokens by issue time, and the two tokens of a
// pair, which share it, access first. The jti breaks any other tie, so
// the order does not depend on the store's listing order.
func compareTokenInfo(a, b TokenInfo) int {
	if c := a.Issued.Compare(b.Issued); c != 0 {
		return c
	}

	if a.Type != b.Type {
		return int(a.Type) - int(b.Type)
	}

	return strings.Compare(a.ID, b.ID)
}

// readBatches lists the keys under prefix and reads their values in
// batches of listBatch keys, one kv.GetMany call each, and passes each
// batch to process. A value is nil when its entry expired or was deleted
// after the listing. Store errors are wrapped in ErrStoreUnavailable with
// op.
func (t *Tracker) readBatches(ctx context.Context, prefix, op string, process func(keys []string, values [][]byte) error) error {
	batch := make([]string, 0, listBatch)

	flush := func() error {
		if len(batch) == 0 {
			return nil
		}

		values, err := kv.GetMany(ctx, t.store, batch)
		if err != nil {
			return t.storeError(op, err)
		}

		err = process(batch, values)
		batch = batch[:0]

		return err
	}

	for key, err := range t.lister.Keys(ctx, prefix) {
		if err != nil {
			return t.storeError(op, err)
		}

		batch = append(batch, key)
		if len(batch) == listBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}

	return flush()
}

// describeRecords decodes the records in values, stored under keys, and
// describes those whose tokens have not expired.
func (t *Tracker) describeRecords(ctx context.Context, keys []string, values [][]byte) ([]TokenInfo, error) {
	now := t.opts.Clock()
	records := make([]record, 0, len(values))

	for i, value := range values {
		if value == nil {
			continue
		}

		rec, err := decodeRecord(value)
		if err != nil {
			return nil, t.storeError("list", fmt.Errorf("record %s: %w", kv.QuoteKey(keys[i]), err))
		}

		if time.Unix(rec.expires, 0).Add(t.opts.Leeway).Before(now) {
			continue
		}

		records = append(records, rec)
	}

	return t.describe(ctx, records)
}
