package jwtrevoke

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/anykv/anykv/kv"
)

// maxCASAttempts bounds the compare-and-swap loops that merge cutoffs and
// update records. Each failed attempt means another writer changed the
// entry in between, so running out takes sustained contention on one key.
const maxCASAttempts = 16

// maxClockWait bounds how long RevokeSubject and RevokeAll wait for the
// clock to pass the cutoff they wrote.
const maxClockWait = 10 * time.Millisecond

// Revoke revokes the token with id jti: every later Check of it, in any
// process that shares the store, fails with ErrRevoked. It returns an
// error matching ErrStoreUnavailable unless the write succeeded.
//
// In TrackAll mode Revoke sets the revoked flag in the token's record, so
// a store that evicts the record rejects the token as unknown instead of
// forgetting the revocation. It uses a compare-and-swap when the store
// has atomic writes. Without them it reads the record and puts it back,
// which is safe because Revoke and Unrevoke write the only field of a
// record that changes, and whichever returns last decides. An unknown jti
// returns ErrUnknownToken, and a token already expired needs no write.
//
// In Denylist mode Revoke writes a marker entry with one Put. The marker
// lives as long as the longest token this Tracker issues. A token issued
// with a longer lifetime needs RevokeToken, which reads the expiry from
// the token.
//
// In RefreshOnly scope, revoking an access token returns ErrTokenType in
// TrackAll mode, because Check never looks access tokens up.
func (t *Tracker) Revoke(ctx context.Context, jti string) error {
	if jti == "" {
		return errors.New("jwtrevoke: revoke: jti is empty")
	}

	if t.opts.Mode == TrackAll {
		return t.setRevoked(ctx, jti, true, "revoke")
	}

	ttl := t.maxLifetime()

	return t.writeRevoked(ctx, jti, ttl, t.opts.Clock().Add(ttl).Unix())
}

// RevokeToken verifies token and revokes it as Revoke does. In Denylist
// mode its marker lives exactly as long as the token can pass. For a
// refresh token it also revokes the token's rotation family, so every
// access and refresh token rotated from the same login fails too, as RFC
// 7009 section 2.1 recommends; Unrevoke does not undo that part.
//
// A token that fails verification, expired ones included, returns
// ErrInvalidToken. In TrackAll mode a token without a record returns nil,
// because Check already rejects it.
func (t *Tracker) RevokeToken(ctx context.Context, token string) error {
	claims, err := t.verify(token)
	if err != nil {
		return err
	}

	if t.opts.Scope == RefreshOnly && claims.Type == Access {
		return errAccessNotChecked(claims.ID)
	}

	if t.opts.Mode == TrackAll {
		err = t.setRevoked(ctx, claims.ID, true, "revoke")
		if errors.Is(err, ErrUnknownToken) {
			err = nil
		}
	} else {
		ttl, keepUntil := t.entryTTL(claims.ExpiresAt.Unix())
		err = t.writeRevoked(ctx, claims.ID, ttl, keepUntil)
	}

	if err != nil {
		return err
	}

	if claims.Type == Refresh && claims.Family != "" {
		return t.revokeFamily(ctx, claims.Family, "revoke")
	}

	return nil
}

// Unrevoke undoes Revoke of jti. It does not undo a subject or global
// cutoff, the revocation of a rotation family, or the use of a refresh
// token, which stay in force until they expire. In TrackAll mode an
// unknown jti returns ErrUnknownToken.
func (t *Tracker) Unrevoke(ctx context.Context, jti string) error {
	if jti == "" {
		return errors.New("jwtrevoke: unrevoke: jti is empty")
	}

	if t.opts.Mode == TrackAll {
		return t.setRevoked(ctx, jti, false, "unrevoke")
	}

	if err := t.store.Delete(ctx, t.revokedKey(jti)); err != nil {
		return t.storeError("unrevoke", err)
	}

	return nil
}

func errAccessNotChecked(jti string) error {
	return &tokenTypeError{msg: fmt.Sprintf("jwtrevoke: cannot revoke access token jti %s: in RefreshOnly scope access tokens are not checked against the store and stay valid until they expire", kv.QuoteKey(jti))}
}

// setRevoked sets the revoked flag in the record of jti.
func (t *Tracker) setRevoked(ctx context.Context, jti string, revoked bool, op string) error {
	return t.updateRecord(ctx, jti, nil, op, func(rec *record) error {
		if revoked && t.opts.Scope == RefreshOnly && rec.typ == Access {
			return errAccessNotChecked(jti)
		}

		if rec.revoked == revoked {
			return errUnchanged
		}

		rec.revoked = revoked

		return nil
	})
}

// errUnchanged is returned by an updateRecord change that needs no write.
var errUnchanged = errors.New("record unchanged")

// updateRecord applies change to the record of jti and writes it back,
// with a compare-and-swap loop on a store with atomic writes and a plain
// put otherwise. current is the stored record when the caller has just
// read it, or nil. A record whose token has expired beyond the leeway is
// left alone.
func (t *Tracker) updateRecord(ctx context.Context, jti string, current []byte, op string, change func(*record) error) error {
	key := t.recordKey(jti)

	for range maxCASAttempts {
		if current == nil {
			value, err := t.store.Get(ctx, key)
			if errors.Is(err, kv.ErrNotFound) {
				return fmt.Errorf("%w: %s: no record for jti %s", ErrUnknownToken, op, kv.QuoteKey(jti))
			}

			if err != nil {
				return t.storeError(op, err)
			}

			current = value
		}

		rec, err := decodeRecord(current)
		if err != nil {
			return t.storeError(op, fmt.Errorf("record of jti %s: %w", kv.QuoteKey(jti), err))
		}

		if err := change(&rec); errors.Is(err, errUnchanged) {
			return nil
		} else if err != nil {
			return err
		}

		ttl, _ := t.entryTTL(rec.expires)
		if ttl <= 0 {
			return nil
		}

		updated := encodeRecord(rec)

		if t.atomicStore == nil {
			if err := t.put(ctx, key, updated, ttl); err != nil {
				return t.storeError(op, err)
			}

			return nil
		}

		// A record deleted or expired since the read shows up as
		// ErrNotFound, which the next read reports.
		swapped, err := t.compareAndSwap(ctx, key, current, updated, ttl)
		if err != nil && !errors.Is(err, kv.ErrNotFound) {
			return t.storeError(op, err)
		}

		if swapped {
			return nil
		}

		current = nil
	}

	return t.storeError(op, fmt.Errorf("record of jti %s changed under %d concurrent writes; retry", kv.QuoteKey(jti), maxCASAttempts))
}

// writeRevoked writes the Denylist marker of jti.
func (t *Tracker) writeRevoked(ctx context.Context, jti string, ttl time.Duration, keepUntil int64) error {
	if err := t.put(ctx, t.revokedKey(jti), encodeMarker(keepUntil, nil), ttl); err != nil {
		return t.storeError("revoke", err)
	}

	return nil
}

// revokeFamily writes the family marker for as long as any token of the
// family can live: no token joins a revoked family, and those issued
// before expire within maxLifetime.
func (t *Tracker) revokeFamily(ctx context.Context, family, op string) error {
	ttl := t.maxLifetime()
	keepUntil := t.opts.Clock().Add(ttl).Unix()

	if err := t.put(ctx, t.familyKey(family), encodeMarker(keepUntil, nil), ttl); err != nil {
		return t.storeError(op, err)
	}

	return nil
}

// RevokeSubject revokes every token of subject issued before the call
// returns, with one store write whatever the number of tokens. A token
// issued after it returns passes, even within the same second, because
// tokens carry their issue time in nanoseconds ("iat_ns") and this
// Tracker's issue times are strictly increasing. Across servers the
// boundary moves by the skew between their clocks.
//
// On a store with atomic writes, concurrent calls keep the latest cutoff.
// Without them the write is a plain Put, and of two calls racing for one
// subject the earlier cutoff may win.
func (t *Tracker) RevokeSubject(ctx context.Context, subject string) error {
	if subject == "" {
		return errors.New("jwtrevoke: revoke subject: subject is empty")
	}

	return t.writeCutoff(ctx, t.subjectKey(subject), "revoke subject")
}

// RevokeAll revokes every token issued before the call returns, for every
// subject, with one store write. Its boundary is exact as RevokeSubject's.
func (t *Tracker) RevokeAll(ctx context.Context) error {
	return t.writeCutoff(ctx, t.globalKey(), "revoke all")
}

// writeCutoff stores the current stamp under key unless a later cutoff is
// already there.
func (t *Tracker) writeCutoff(ctx context.Context, key, op string) error {
	if err := ctx.Err(); err != nil {
		return err
	}

	cutoff := t.stamp()
	ttl := t.maxLifetime()
	value := encodeMarker(time.Unix(0, cutoff).Add(ttl).Unix(), encodeCutoff(cutoff))

	var err error
	if t.atomicStore == nil {
		err = t.put(ctx, key, value, ttl)
	} else {
		err = t.mergeCutoff(ctx, key, cutoff, value, ttl)
	}

	if err != nil {
		return t.storeError(op, err)
	}

	t.waitPast(cutoff)

	return nil
}

// mergeCutoff writes value under key unless the stored cutoff is already
// at or after cutoff, with put-if-absent and compare-and-swap so that no
// concurrent writer's later cutoff is overwritten.
func (t *Tracker) mergeCutoff(ctx context.Context, key string, cutoff int64, value []byte, ttl time.Duration) error {
	for range maxCASAttempts {
		current, err := t.store.Get(ctx, key)
		if errors.Is(err, kv.ErrNotFound) {
			stored, err := t.putIfAbsent(ctx, key, value, ttl)
			if err != nil || stored {
				return err
			}

			continue
		}

		if err != nil {
			return err
		}

		// A corrupt cutoff is replaced: the new one is the safe value.
		if stored, err := parseCutoff(current); err == nil && stored >= cutoff {
			return nil
		}

		swapped, err := t.compareAndSwap(ctx, key, current, value, ttl)
		if err != nil && !errors.Is(err, kv.ErrNotFound) {
			return err
		}

		if swapped {
			return nil
		}
	}

	return fmt.Errorf("cutoff %s changed under %d concurrent writes; retry", kv.QuoteKey(key), maxCASAttempts)
}

func (t *Tracker) compareAndSwap(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	if t.ttlStore != nil {
		return t.atomicStore.CompareAndSwapTTL(ctx, key, oldValue, newValue, ttl)
	}

	return t.atomicStore.CompareAndSwap(ctx, key, oldValue, newValue)
}

// waitPast waits, at most maxClockWait, until the clock reads later than
// cutoff, so that another Tracker on a clock in step with this one also
// stamps later tokens after the cutoff. Within this Tracker, stamp already
// guarantees it.
func (t *Tracker) waitPast(cutoff int64) {
	deadline := time.Now().Add(maxClockWait)

	for t.opts.Clock().UnixNano() <= cutoff && time.Now().Before(deadline) {
		time.Sleep(50 * time.Microsecond)
	}
}
