package jwtrevoke

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/anykv/anykv/kv"
)

// Stats counts the entries a Tracker keeps under its namespace, as Stats
// reads them. Every count includes entries that have expired but are
// still stored, which Expired counts again.
type Stats struct {
	// Records is the number of token records (TrackAll mode), and Access
	// and Refresh split it by token type.
	Records, Access, Refresh int

	// RevokedRecords is the number of records with the revoked flag, the
	// tokens revoked by jti in TrackAll mode.
	RevokedRecords int

	// UsedRecords is the number of refresh token records with the used
	// flag.
	UsedRecords int

	// RevokedMarkers is the number of revocation markers, the tokens
	// revoked by jti in Denylist mode.
	RevokedMarkers int

	// UsedMarkers is the number of used-refresh-token markers that Rotate
	// writes.
	UsedMarkers int

	// RevokedFamilies is the number of revoked rotation families.
	RevokedFamilies int

	// SubjectCutoffs is the number of subjects revoked with RevokeSubject.
	SubjectCutoffs int

	// GlobalCutoff is set when RevokeAll was called and its cutoff is
	// still stored.
	GlobalCutoff bool

	// IndexEntries is the number of entries of the per-subject index that
	// ListSubject reads, one per tracked token on a store that can list.
	IndexEntries int

	// Expired is the number of entries past the time after which Prune may
	// delete them. On a store with TTL the store removes them itself and
	// this is 0 or close to it. Cutoffs are never counted, because Prune
	// keeps them.
	Expired int

	// Corrupt is the number of entries that could not be decoded. Other
	// counts leave them out.
	Corrupt int

	// Other is the number of keys under the namespace that this package
	// does not write.
	Other int
}

// Stats reads every entry under Options.Namespace and counts them by
// kind. It needs a store that can list keys (kv.Lister), and otherwise
// returns an error matching kv.ErrUnsupported. Its cost grows with the
// number of entries: one listing and one kv.GetMany per 256 keys.
func (t *Tracker) Stats(ctx context.Context) (*Stats, error) {
	if t.lister == nil {
		return nil, fmt.Errorf("jwtrevoke: stats needs a store that can list keys: %w", kv.ErrUnsupported)
	}

	stats := &Stats{}
	now := t.opts.Clock().Unix()

	err := t.readBatches(ctx, t.opts.Namespace, "stats", func(keys []string, values [][]byte) error {
		for i, value := range values {
			if value == nil {
				continue
			}

			if err := t.countEntry(keys[i], value, now, stats); errors.Is(err, errCorrupt) {
				stats.Corrupt++
			}
		}

		return nil
	})
	if err != nil {
		return nil, err
	}

	return stats, nil
}

// countEntry adds the entry key with value to stats. It returns an error
// matching errCorrupt, and counts nothing, when value cannot be decoded.
func (t *Tracker) countEntry(key string, value []byte, now int64, stats *Stats) error {
	tail := strings.TrimPrefix(key, t.opts.Namespace)

	if tail == keyGlobal || strings.HasPrefix(tail, tagSubject) {
		if _, err := parseCutoff(value); err != nil {
			return err
		}

		if tail == keyGlobal {
			stats.GlobalCutoff = true
		} else {
			stats.SubjectCutoffs++
		}

		return nil
	}

	if strings.HasPrefix(tail, tagRecord) {
		rec, err := decodeRecord(value)
		if err != nil {
			return err
		}

		countRecord(rec, stats)

		if _, keepUntil := t.entryTTL(rec.expires); now > keepUntil {
			stats.Expired++
		}

		return nil
	}

	counter := markerCounter(tail, stats)
	if counter == nil {
		stats.Other++

		return nil
	}

	m, err := decodeMarker(value)
	if err != nil {
		return err
	}

	*counter++

	if now > m.keepUntil {
		stats.Expired++
	}

	return nil
}

// countRecord adds one token record to stats.
func countRecord(rec record, stats *Stats) {
	stats.Records++

	if rec.typ == Access {
		stats.Access++
	} else {
		stats.Refresh++
	}

	if rec.revoked {
		stats.RevokedRecords++
	}

	if rec.consumed {
		stats.UsedRecords++
	}
}

// markerCounter returns the field of stats that counts the markers whose
// keys, after the namespace, start like tail, or nil for a key of
// another kind.
func markerCounter(tail string, stats *Stats) *int {
	switch {
	case strings.HasPrefix(tail, tagRevoked):
		return &stats.RevokedMarkers
	case strings.HasPrefix(tail, tagConsumed):
		return &stats.UsedMarkers
	case strings.HasPrefix(tail, tagFamily):
		return &stats.RevokedFamilies
	case strings.HasPrefix(tail, tagIndex):
		return &stats.IndexEntries
	default:
		return nil
	}
}
