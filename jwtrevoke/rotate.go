package jwtrevoke

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/anykv/anykv/kv"
)

// Rotate exchanges a refresh token for a new access token and a new
// refresh token in the same family, and uses up the old refresh token.
//
// The old token is checked like Check does, then used up with one
// put-if-absent of a used-token marker, so that of concurrent calls with
// one token exactly one wins. Every other call, and any later one, is
// reuse: it revokes the whole family, the winner's new tokens included,
// and returns an error matching ErrReuseDetected (and ErrRevoked).
//
// With Options.RotationGrace set, a reuse within the grace returns the
// same new pair instead, as long as that pair is unused and not revoked.
// The marker stores the new pair's ids and times, never a signed token, so
// the pair is signed again.
//
// The new tokens carry the old token's extra claims. Their records are
// written before the old token is used up, so Rotate hands out no token
// without a record. A call that loses the race deletes the records it
// wrote.
//
// Rotate needs a store with atomic writes (kv.AtomicStore) and returns an
// error matching kv.ErrUnsupported without one. FailOpen does not apply: a
// store failure returns ErrStoreUnavailable.
func (t *Tracker) Rotate(ctx context.Context, refreshToken string) (*Pair, error) {
	start := time.Now()

	pair, err := t.rotate(ctx, refreshToken)
	t.opts.Observer.ObserveCheck(outcomeOf(err), time.Since(start))

	return pair, err
}

func (t *Tracker) rotate(ctx context.Context, refreshToken string) (*Pair, error) {
	if t.atomicStore == nil {
		return nil, fmt.Errorf("jwtrevoke: rotate needs a store with atomic writes: %w", kv.ErrUnsupported)
	}

	if t.method == nil {
		return nil, errNoSigningKey
	}

	old, err := t.verifyType(refreshToken, Refresh)
	if err != nil {
		return nil, err
	}

	if old.Family == "" {
		return nil, fmt.Errorf("%w: refresh token has no \"fam\" claim", ErrInvalidToken)
	}

	state, err := t.loadState(ctx, old)
	if err != nil {
		return nil, t.storeError("rotate", err)
	}

	if err := state.verdict(old, false); err != nil {
		return nil, err
	}

	if state.consumed != nil {
		return t.replay(ctx, old, state.consumed)
	}

	// The flag without the marker: either the marker was evicted, or the
	// batched read saw the record after and the marker before a
	// concurrent rotation, which happens when the two keys live on
	// different Redis Cluster nodes. Reading the marker again decides.
	if state.used() {
		return t.replayStored(ctx, old)
	}

	next := successor{accessJTI: newJTI(), refreshJTI: newJTI(), issuedNano: t.stamp()}
	next.accessExp = t.expiry(next.issuedNano, Access)
	next.refreshExp = t.expiry(next.issuedNano, Refresh)

	pair, err := t.signPair(next, old.Subject, old.Family, old.Extra)
	if err != nil {
		return nil, err
	}

	if err := t.writeRecords(ctx, pair.AccessClaims, pair.RefreshClaims); err != nil {
		return nil, err
	}

	stored, err := t.markUsed(ctx, old, next)

	// A failed write may still have landed, and then a retry within the
	// grace re-sends this pair, so its records stay. They expire with it.
	if err != nil {
		return nil, t.storeError("rotate", err)
	}

	if !stored {
		t.deleteRecords(context.WithoutCancel(ctx), pair.AccessClaims, pair.RefreshClaims)

		return t.replayStored(ctx, old)
	}

	t.flagUsed(ctx, old.ID, state.recordValue)

	return pair, nil
}

// markUsed writes the used-token marker of old unless one exists, and
// reports whether it wrote it.
func (t *Tracker) markUsed(ctx context.Context, old *Claims, next successor) (bool, error) {
	ttl, keepUntil := t.entryTTL(old.ExpiresAt.Unix())

	// The marker must outlast any use of old, so it never gets a TTL under
	// one second, even for a token in the last moment of its leeway.
	ttl = max(ttl, time.Second)

	var grace *successor
	if t.opts.RotationGrace > 0 {
		grace = &next
	}

	value := encodeMarker(keepUntil, encodeConsumed(next.issuedNano, grace))

	return t.putIfAbsent(ctx, t.consumedKey(old.ID), value, ttl)
}

// flagUsed sets the consumed flag in the record of a refresh token that
// this call used up, so that the use survives an eviction of the marker.
// The marker already decided the race, so a failure here only logs: the
// new pair is valid, and withholding it would make the client's retry
// count as reuse.
func (t *Tracker) flagUsed(ctx context.Context, jti string, current []byte) {
	if t.opts.Mode != TrackAll {
		return
	}

	err := t.updateRecord(ctx, jti, current, "rotate", func(rec *record) error {
		if rec.consumed {
			return errUnchanged
		}

		rec.consumed = true

		return nil
	})
	if err != nil {
		t.opts.Logger.WarnContext(ctx, "jwtrevoke: failed to set the used flag in a refresh token's record; its used-token marker remains in force",
			"jti", jti, "error", err)
	}
}

// replayStored reads the used-token marker of old and handles the call as
// a replay. A marker that is gone, evicted or expired, counts as reuse.
func (t *Tracker) replayStored(ctx context.Context, old *Claims) (*Pair, error) {
	value, err := t.store.Get(ctx, t.consumedKey(old.ID))
	if errors.Is(err, kv.ErrNotFound) {
		return t.replay(ctx, old, nil)
	}

	if err != nil {
		return nil, t.storeError("rotate", err)
	}

	return t.replay(ctx, old, value)
}

// replay handles a refresh token that was already used: it returns the
// stored successor pair within the grace, and otherwise revokes the
// family.
func (t *Tracker) replay(ctx context.Context, old *Claims, consumed []byte) (*Pair, error) {
	if consumed == nil {
		// Only the record's flag remains, so the successor is unknown and
		// the grace cannot apply.
		return nil, t.reuse(ctx, old)
	}

	m, err := decodeMarker(consumed)
	if err != nil {
		return nil, t.storeError("rotate", fmt.Errorf("used-token marker of jti %s: %w", kv.QuoteKey(old.ID), err))
	}

	usedNano, next, err := decodeConsumed(m.payload)
	if err != nil {
		return nil, t.storeError("rotate", fmt.Errorf("used-token marker of jti %s: %w", kv.QuoteKey(old.ID), err))
	}

	withinGrace := next != nil && t.opts.RotationGrace > 0 &&
		t.opts.Clock().Sub(time.Unix(0, usedNano)) <= t.opts.RotationGrace

	if withinGrace {
		pair, err := t.resend(ctx, old, *next)
		if pair != nil || err != nil {
			return pair, err
		}
	}

	return nil, t.reuse(ctx, old)
}

// reuse revokes the family of old, a refresh token used twice, and
// returns the error that reports it.
func (t *Tracker) reuse(ctx context.Context, old *Claims) error {
	if err := t.revokeFamily(ctx, old.Family, "rotate"); err != nil {
		return fmt.Errorf("refresh token reuse detected, but revoking its family failed: %w", err)
	}

	t.opts.Observer.ObserveReuse()

	return &reuseError{msg: fmt.Sprintf("jwtrevoke: refresh token reuse detected: jti %s was already used; its family %s is revoked", kv.QuoteKey(old.ID), kv.QuoteKey(old.Family))}
}

// rejectedIn reports whether value, the record (TrackAll) or the
// revocation marker (Denylist) of a token, rules the token out for a
// re-send: a missing, revoked or used record does.
func (t *Tracker) rejectedIn(value []byte) (bool, error) {
	if t.opts.Mode != TrackAll {
		return value != nil, nil
	}

	if value == nil {
		return true, nil
	}

	rec, err := decodeRecord(value)
	if err != nil {
		return false, err
	}

	return rec.revoked || rec.consumed, nil
}

// resend signs the stored successor pair again when nothing has revoked
// it since: its refresh token is unused, neither of its jtis nor its
// family is revoked, and no cutoff covers it. It returns a nil pair and a
// nil error when the grace no longer applies.
func (t *Tracker) resend(ctx context.Context, old *Claims, next successor) (*Pair, error) {
	keys := []string{
		t.subjectKey(old.Subject),
		t.globalKey(),
		t.consumedKey(next.refreshJTI),
		t.familyKey(old.Family),
	}

	trackAll := t.opts.Mode == TrackAll
	for _, jti := range []string{next.accessJTI, next.refreshJTI} {
		if trackAll {
			keys = append(keys, t.recordKey(jti))
		} else {
			keys = append(keys, t.revokedKey(jti))
		}
	}

	values, err := kv.GetMany(ctx, t.store, keys)
	if err != nil {
		return nil, t.storeError("rotate", err)
	}

	for _, value := range values[:2] {
		cutoff, err := parseCutoff(value)
		if err != nil {
			return nil, t.storeError("rotate", err)
		}

		if cutoff != 0 && next.issuedNano <= cutoff {
			return nil, nil
		}
	}

	if values[2] != nil || values[3] != nil {
		return nil, nil
	}

	for _, value := range values[4:] {
		revoked, err := t.rejectedIn(value)
		if err != nil {
			return nil, t.storeError("rotate", err)
		}

		if revoked {
			return nil, nil
		}
	}

	return t.signPair(next, old.Subject, old.Family, old.Extra)
}
