package jwtrevoke

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Pair is an access token and a refresh token of one rotation family.
type Pair struct {
	Access        string
	Refresh       string
	AccessClaims  *Claims
	RefreshClaims *Claims
}

// Issue signs a new token of type typ (Access or Refresh) for subject and
// records it, in one call: it returns no token whose record failed to
// write. extra adds claims; their names may not be registered JWT claim
// names or "typ", "fam" and "iat_ns". A refresh token issued here starts a
// new rotation family.
func (t *Tracker) Issue(ctx context.Context, subject string, typ TokenType, extra map[string]any) (string, *Claims, error) {
	if typ != Access && typ != Refresh {
		return "", nil, fmt.Errorf("jwtrevoke: issue: token type %v, want Access or Refresh", typ)
	}

	if err := t.checkIssue(ctx, subject, extra); err != nil {
		return "", nil, err
	}

	jti := newJTI()
	family := ""
	if typ == Refresh {
		family = jti
	}

	claims := t.newClaims(jti, subject, typ, family, t.stamp(), extra)

	token, err := t.sign(claims)
	if err != nil {
		return "", nil, err
	}

	if err := t.writeRecords(ctx, claims); err != nil {
		return "", nil, err
	}

	return token, claims, nil
}

// IssuePair signs and records an access token and a refresh token for
// subject that start a new rotation family, as at login. extra follows
// the rules of Issue and goes into both tokens, and Rotate carries it on.
func (t *Tracker) IssuePair(ctx context.Context, subject string, extra map[string]any) (*Pair, error) {
	if err := t.checkIssue(ctx, subject, extra); err != nil {
		return nil, err
	}

	refreshJTI := newJTI()
	next := successor{accessJTI: newJTI(), refreshJTI: refreshJTI, issuedNano: t.stamp()}

	next.accessExp = t.expiry(next.issuedNano, Access)
	next.refreshExp = t.expiry(next.issuedNano, Refresh)

	pair, err := t.signPair(next, subject, refreshJTI, extra)
	if err != nil {
		return nil, err
	}

	if err := t.writeRecords(ctx, pair.AccessClaims, pair.RefreshClaims); err != nil {
		return nil, err
	}

	return pair, nil
}

// checkIssue returns an error when the Tracker cannot sign or the
// arguments common to every issuing method are invalid.
func (t *Tracker) checkIssue(ctx context.Context, subject string, extra map[string]any) error {
	if t.method == nil {
		return errNoSigningKey
	}

	if subject == "" {
		return errors.New("jwtrevoke: issue: subject is empty")
	}

	for name := range extra {
		if reservedClaims[name] {
			return fmt.Errorf("jwtrevoke: issue: extra claim %q is reserved; rename it", name)
		}
	}

	return ctx.Err()
}

// expiry returns the "exp" of a token of type typ issued at issuedNano, in
// Unix seconds. "exp" has whole seconds only, so it rounds down.
func (t *Tracker) expiry(issuedNano int64, typ TokenType) int64 {
	ttl := t.opts.AccessTTL
	if typ == Refresh {
		ttl = t.opts.RefreshTTL
	}

	return time.Unix(0, issuedNano).Add(ttl).Unix()
}

// newClaims builds the claims of a token issued at issuedNano with the
// expiry the Options give its type.
func (t *Tracker) newClaims(jti, subject string, typ TokenType, family string, issuedNano int64, extra map[string]any) *Claims {
	return t.claimsAt(jti, subject, typ, family, issuedNano, t.expiry(issuedNano, typ), extra)
}

// claimsAt builds the claims of a token with a given expiry, which lets
// Rotate re-sign a stored successor exactly.
func (t *Tracker) claimsAt(jti, subject string, typ TokenType, family string, issuedNano, exp int64, extra map[string]any) *Claims {
	claims := &Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			ID:        jti,
			Subject:   subject,
			Issuer:    t.opts.Issuer,
			IssuedAt:  jwt.NewNumericDate(time.Unix(0, issuedNano)),
			ExpiresAt: jwt.NewNumericDate(time.Unix(exp, 0)),
		},
		Type:       typ,
		Family:     family,
		IssuedNano: issuedNano,
		Extra:      maps.Clone(extra),
	}

	if t.opts.Audience != "" {
		claims.Audience = jwt.ClaimStrings{t.opts.Audience}
	}

	return claims
}

// signPair builds and signs the pair described by next in family.
func (t *Tracker) signPair(next successor, subject, family string, extra map[string]any) (*Pair, error) {
	pair := &Pair{
		AccessClaims:  t.claimsAt(next.accessJTI, subject, Access, family, next.issuedNano, next.accessExp, extra),
		RefreshClaims: t.claimsAt(next.refreshJTI, subject, Refresh, family, next.issuedNano, next.refreshExp, extra),
	}

	var err error
	if pair.Access, err = t.sign(pair.AccessClaims); err != nil {
		return nil, err
	}

	if pair.Refresh, err = t.sign(pair.RefreshClaims); err != nil {
		return nil, err
	}

	return pair, nil
}

func (t *Tracker) sign(claims *Claims) (string, error) {
	token, err := jwt.NewWithClaims(t.method, claims).SignedString(t.opts.SigningKey)
	if err != nil {
		return "", fmt.Errorf("jwtrevoke: sign token: %w", err)
	}

	return token, nil
}

// writeRecords stores the record of each token, and its index entry when
// the store can list, in TrackAll mode. The index entry goes first, so a
// failure can leave an entry without a record, which ListSubject skips,
// but never a record that ListSubject misses.
func (t *Tracker) writeRecords(ctx context.Context, tokens ...*Claims) error {
	if t.opts.Mode != TrackAll {
		return nil
	}

	for _, claims := range tokens {
		exp := claims.ExpiresAt.Unix()
		ttl, keepUntil := t.entryTTL(exp)

		// "exp" rounds down to the second, so a token issued with a TTL
		// under a second may already be past it. Its record still needs a
		// valid TTL for as long as the leeway and margin last.
		ttl = max(ttl, time.Second)

		if t.lister != nil {
			index := encodeMarker(keepUntil, nil)
			if err := t.put(ctx, t.indexKey(claims.Subject, claims.ID), index, ttl); err != nil {
				return t.storeError("issue", err)
			}
		}

		rec := encodeRecord(record{
			jti:        claims.ID,
			subject:    claims.Subject,
			family:     claims.Family,
			typ:        claims.Type,
			issuedNano: claims.IssuedNano,
			expires:    exp,
		})
		if err := t.put(ctx, t.recordKey(claims.ID), rec, ttl); err != nil {
			return t.storeError("issue", err)
		}
	}

	return nil
}

// deleteRecords removes records that writeRecords wrote for tokens that
// were never handed out. It is best effort, because a leftover record
// belongs to a token no client holds, and it expires with that token.
func (t *Tracker) deleteRecords(ctx context.Context, tokens ...*Claims) {
	if t.opts.Mode != TrackAll {
		return
	}

	for _, claims := range tokens {
		err := errors.Join(
			t.store.Delete(ctx, t.recordKey(claims.ID)),
			t.store.Delete(ctx, t.indexKey(claims.Subject, claims.ID)),
		)
		if err != nil {
			t.opts.Logger.WarnContext(ctx, "jwtrevoke: could not delete the record of a token that was never handed out; it expires with the token",
				"jti", claims.ID, "error", err)
		}
	}
}
