package jwtrevoke

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/anykv/anykv/kv"
)

// Check verifies token and then looks it up in the store, and returns its
// claims when it is valid and not revoked. want is Access, Refresh or
// AnyType; a token of another type fails with ErrTokenType.
//
// Verification comes first and needs no store: a token with a bad
// signature, an algorithm outside Options.Algorithms, no "exp", an "exp"
// in the past, or no "jti", "sub" or "typ" fails with ErrInvalidToken. A
// verified token then costs one batched store read, which fetches its
// record (TrackAll), its revocation, its subject's and the global cutoff,
// its family's revocation and, for a refresh token, whether it was used.
// In RefreshOnly scope an access token skips that read.
//
// A store failure returns ErrStoreUnavailable, unless FailOpen is set, in
// which case the verified claims are returned with a nil error. When ctx
// is cancelled or past its deadline, the error also matches ctx's error,
// and FailOpen does not apply.
func (t *Tracker) Check(ctx context.Context, token string, want TokenType) (*Claims, error) {
	start := time.Now()

	claims, outcome, err := t.check(ctx, token, want)
	t.opts.Observer.ObserveCheck(outcome, time.Since(start))

	return claims, err
}

func (t *Tracker) check(ctx context.Context, token string, want TokenType) (*Claims, Outcome, error) {
	claims, err := t.verifyType(token, want)
	if err != nil {
		return nil, outcomeOf(err), err
	}

	if t.opts.Scope == RefreshOnly && claims.Type == Access {
		return claims, OutcomeAccepted, nil
	}

	state, err := t.loadState(ctx, claims)
	if err != nil {
		err = t.storeError("check", err)

		// A cancelled or timed-out request is the caller's doing, not a
		// store outage, so it never passes a token even with FailOpen.
		if !t.opts.FailOpen || ctx.Err() != nil {
			return nil, OutcomeStoreUnavailable, err
		}

		t.failOpen.warn(ctx, t.opts.Logger, time.Now(), "check", err)

		return claims, OutcomeFailOpen, nil
	}

	if err := state.verdict(claims, true); err != nil {
		return nil, outcomeOf(err), err
	}

	return claims, OutcomeAccepted, nil
}

// verifyType is verify plus the type check of Check.
func (t *Tracker) verifyType(token string, want TokenType) (*Claims, error) {
	claims, err := t.verify(token)
	if err != nil {
		return nil, err
	}

	if want != AnyType && claims.Type != want {
		return nil, &tokenTypeError{msg: fmt.Sprintf("jwtrevoke: wrong token type: got a %v token, want %v", claims.Type, want)}
	}

	return claims, nil
}

// outcomeOf maps a Check error to its Outcome.
func outcomeOf(err error) Outcome {
	switch {
	case err == nil:
		return OutcomeAccepted
	case errors.Is(err, ErrTokenType):
		return OutcomeTokenType
	case errors.Is(err, ErrInvalidToken):
		return OutcomeInvalid
	case errors.Is(err, ErrReuseDetected):
		return OutcomeReuse
	case errors.Is(err, ErrRevoked):
		return OutcomeRevoked
	case errors.Is(err, ErrUnknownToken):
		return OutcomeUnknown
	default:
		return OutcomeStoreUnavailable
	}
}

// tokenState is the stored state of one token, as read by loadState.
type tokenState struct {
	trackAll      bool    // a record is required
	record        *record // nil when absent or in Denylist mode, else &stored
	stored        record  // kept here to save an allocation
	recordValue   []byte  // the stored bytes of record, for a compare-and-swap
	revoked       bool    // the record's flag in TrackAll, the marker in Denylist
	familyRevoked bool
	consumed      []byte // the used-token marker, nil when absent
	cutoff        int64  // the later of the subject and global cutoffs, 0 for none
}

// loadState reads everything that decides whether claims is revoked in
// one kv.GetMany call. An error is a store failure or a corrupt entry;
// both leave the token's state unknown.
func (t *Tracker) loadState(ctx context.Context, claims *Claims) (*tokenState, error) {
	// The keys are built in one buffer and cut from one string, which
	// costs one allocation instead of several for each key.
	buf := make([]byte, 0, 512)

	var ends [5]int
	n := 0
	next := func() {
		ends[n] = len(buf)
		n++
	}

	buf = t.appendKey(buf, tagSubject, claims.Subject)
	next()

	buf = append(buf, t.opts.Namespace...)
	buf = append(buf, keyGlobal...)
	next()

	// In TrackAll the record holds the revoked flag, and in Denylist a
	// marker entry does, so the third key is one or the other.
	trackAll := t.opts.Mode == TrackAll
	if trackAll {
		buf = t.appendKey(buf, tagRecord, claims.ID)
	} else {
		buf = t.appendKey(buf, tagRevoked, claims.ID)
	}
	next()

	familyAt, consumedAt := -1, -1

	if claims.Family != "" {
		familyAt = n
		buf = t.appendKey(buf, tagFamily, claims.Family)
		next()
	}

	if claims.Type == Refresh {
		consumedAt = n
		buf = t.appendKey(buf, tagConsumed, claims.ID)
		next()
	}

	all := string(buf)
	keys := make([]string, n)
	start := 0
	for i, end := range ends[:n] {
		keys[i] = all[start:end]
		start = end
	}

	values, err := kv.GetMany(ctx, t.store, keys)
	if err != nil {
		return nil, err
	}

	state := &tokenState{trackAll: trackAll}

	for _, value := range values[:2] {
		cutoff, err := parseCutoff(value)
		if err != nil {
			return nil, err
		}

		state.cutoff = max(state.cutoff, cutoff)
	}

	switch {
	case !trackAll:
		state.revoked = values[2] != nil
	case values[2] != nil:
		rec, err := decodeRecord(values[2])
		if err != nil {
			return nil, fmt.Errorf("record of jti %s: %w", kv.QuoteKey(claims.ID), err)
		}

		state.stored = rec
		state.record = &state.stored
		state.recordValue = values[2]
		state.revoked = rec.revoked
	}

	if familyAt >= 0 {
		state.familyRevoked = values[familyAt] != nil
	}

	if consumedAt >= 0 {
		state.consumed = values[consumedAt]
	}

	return state, nil
}

// parseCutoff decodes a stored cutoff; an absent one (nil) is 0.
func parseCutoff(value []byte) (int64, error) {
	if value == nil {
		return 0, nil
	}

	m, err := decodeMarker(value)
	if err != nil {
		return 0, fmt.Errorf("revocation cutoff: %w", err)
	}

	cutoff, err := decodeCutoff(m.payload)
	if err != nil {
		return 0, fmt.Errorf("revocation cutoff: %w", err)
	}

	return cutoff, nil
}

// verdict returns nil when the state lets claims pass. A used refresh
// token counts as revoked only when checkConsumed is set; Rotate handles
// it itself.
func (s *tokenState) verdict(claims *Claims, checkConsumed bool) error {
	jti := kv.QuoteKey(claims.ID)

	if s.trackAll && s.record == nil {
		return fmt.Errorf("%w: no record for jti %s", ErrUnknownToken, jti)
	}

	if r := s.record; r != nil && (r.subject != claims.Subject || r.typ != claims.Type || r.family != claims.Family) {
		return fmt.Errorf("%w: the record for jti %s belongs to another token", ErrUnknownToken, jti)
	}

	if s.revoked {
		return fmt.Errorf("%w: jti %s was revoked", ErrRevoked, jti)
	}

	if s.familyRevoked {
		return fmt.Errorf("%w: the rotation family of jti %s was revoked", ErrRevoked, jti)
	}

	if s.cutoff != 0 && issuedNano(claims) <= s.cutoff {
		return fmt.Errorf("%w: jti %s was issued before its subject's tokens, or all tokens, were revoked", ErrRevoked, jti)
	}

	if checkConsumed && s.used() {
		return fmt.Errorf("%w: refresh token jti %s was already used", ErrRevoked, jti)
	}

	return nil
}

// used reports whether a refresh token was already exchanged: by its
// used-token marker, or by the flag in its record, which outlasts an
// eviction of the marker.
func (s *tokenState) used() bool {
	return s.consumed != nil || (s.record != nil && s.record.consumed)
}

// issuedNano returns the token's issue time for comparing with a cutoff.
// Without "iat_ns" it takes the start of the "iat" second, and without
// "iat" the earliest time there is, so that any cutoff in doubt rejects.
func issuedNano(claims *Claims) int64 {
	if claims.IssuedNano != 0 {
		return claims.IssuedNano
	}

	if claims.IssuedAt != nil {
		return claims.IssuedAt.UnixNano()
	}

	return math.MinInt64
}
