package jwtrevoke

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/anykv/anykv/kv"
)

// TokenInfo is the stored state of one issued token.
type TokenInfo struct {
	ID      string
	Subject string
	Type    TokenType
	Family  string // empty for an access token issued on its own
	Issued  time.Time
	Expires time.Time

	// Revoked is set when Check rejects the token as revoked: by its jti,
	// its family, or a subject or global cutoff.
	Revoked bool

	// Used is set for a refresh token that Rotate already exchanged.
	Used bool
}

// Lookup returns the stored state of the token with id jti, or an error
// matching ErrUnknownToken when there is no record. It needs TrackAll mode
// and otherwise returns an error matching kv.ErrUnsupported.
func (t *Tracker) Lookup(ctx context.Context, jti string) (*TokenInfo, error) {
	if t.opts.Mode != TrackAll {
		return nil, fmt.Errorf("jwtrevoke: lookup needs TrackAll mode, the Tracker keeps no records in %v mode: %w", t.opts.Mode, kv.ErrUnsupported)
	}

	value, err := t.store.Get(ctx, t.recordKey(jti))
	if errors.Is(err, kv.ErrNotFound) {
		return nil, fmt.Errorf("%w: no record for jti %s", ErrUnknownToken, kv.QuoteKey(jti))
	}

	if err != nil {
		return nil, t.storeError("lookup", err)
	}

	rec, err := decodeRecord(value)
	if err != nil {
		return nil, t.storeError("lookup", fmt.Errorf("record of jti %s: %w", kv.QuoteKey(jti), err))
	}

	infos, err := t.describe(ctx, []record{rec})
	if err != nil {
		return nil, err
	}

	return &infos[0], nil
}

// ListSubject returns the tokens issued to subject that have not expired,
// revoked ones included, oldest first. It reads an index of one small
// entry per token kept under the subject's key prefix, never a scan of
// the store, in three round trips: one listing and two batched reads.
//
// It needs TrackAll mode and a store that can list keys (kv.Lister); with
// neither it returns an error matching kv.ErrUnsupported and no list.
func (t *Tracker) ListSubject(ctx context.Context, subject string) ([]TokenInfo, error) {
	if t.opts.Mode != TrackAll {
		return nil, fmt.Errorf("jwtrevoke: list subject needs TrackAll mode, the Tracker keeps no records in %v mode: %w", t.opts.Mode, kv.ErrUnsupported)
	}

	if t.lister == nil {
		return nil, fmt.Errorf("jwtrevoke: list subject needs a store that can list keys: %w", kv.ErrUnsupported)
	}

	if subject == "" {
		return nil, errors.New("jwtrevoke: list subject: subject is empty")
	}

	prefix := t.indexPrefix(subject)

	var recordKeys []string
	for key, err := range t.lister.Keys(ctx, prefix) {
		if err != nil {
			return nil, t.storeError("list subject", err)
		}

		recordKeys = append(recordKeys, t.opts.Namespace+tagRecord+strings.TrimPrefix(key, prefix))
	}

	if len(recordKeys) == 0 {
		return nil, nil
	}

	values, err := kv.GetMany(ctx, t.store, recordKeys)
	if err != nil {
		return nil, t.storeError("list subject", err)
	}

	now := t.opts.Clock()
	records := make([]record, 0, len(values))

	for i, value := range values {
		if value == nil {
			continue // the record expired or was deleted after the index entry was listed
		}

		rec, err := decodeRecord(value)
		if err != nil {
			return nil, t.storeError("list subject", fmt.Errorf("record %s: %w", kv.QuoteKey(recordKeys[i]), err))
		}

		if rec.subject != subject || time.Unix(rec.expires, 0).Add(t.opts.Leeway).Before(now) {
			continue
		}

		records = append(records, rec)
	}

	infos, err := t.describe(ctx, records)
	if err != nil {
		return nil, err
	}

	slices.SortFunc(infos, compareTokenInfo)

	return infos, nil
}

// describe reads the cutoffs, family revocations and used-token markers
// that apply to records in one batched read, and returns a TokenInfo for
// each record, in the same order.
func (t *Tracker) describe(ctx context.Context, records []record) ([]TokenInfo, error) {
	if len(records) == 0 {
		return nil, nil
	}

	keys := []string{t.globalKey()}
	position := map[string]int{}

	add := func(key string) int {
		if i, ok := position[key]; ok {
			return i
		}

		position[key] = len(keys)
		keys = append(keys, key)

		return len(keys) - 1
	}

	type lookup struct{ consumed, family, subject int }

	lookups := make([]lookup, len(records))
	for i, rec := range records {
		lookups[i] = lookup{
			consumed: -1,
			subject:  add(t.subjectKey(rec.subject)),
			family:   -1,
		}

		if rec.typ == Refresh {
			lookups[i].consumed = add(t.consumedKey(rec.jti))
		}

		if rec.family != "" {
			lookups[i].family = add(t.familyKey(rec.family))
		}
	}

	values, err := kv.GetMany(ctx, t.store, keys)
	if err != nil {
		return nil, t.storeError("lookup", err)
	}

	global, err := parseCutoff(values[0])
	if err != nil {
		return nil, t.storeError("lookup", err)
	}

	infos := make([]TokenInfo, len(records))
	for i, rec := range records {
		l := lookups[i]

		subjectCutoff, err := parseCutoff(values[l.subject])
		if err != nil {
			return nil, t.storeError("lookup", err)
		}

		cutoff := max(global, subjectCutoff)
		familyRevoked := l.family >= 0 && values[l.family] != nil

		infos[i] = TokenInfo{
			ID:      rec.jti,
			Subject: rec.subject,
			Type:    rec.typ,
			Family:  rec.family,
			Issued:  time.Unix(0, rec.issuedNano),
			Expires: time.Unix(rec.expires, 0),
			Revoked: rec.revoked || familyRevoked || (cutoff != 0 && rec.issuedNano <= cutoff),
			Used:    rec.consumed || (l.consumed >= 0 && values[l.consumed] != nil),
		}
	}

	return infos, nil
}
