package jwtrevoke

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/golang-jwt/jwt/v5"
)

// MaxTokenLen is the longest token string a Tracker parses. Longer input
// is rejected with ErrInvalidToken before any decoding, so that a huge
// header value costs no work.
const MaxTokenLen = 16 << 10

// Tracker issues, verifies and revokes JWTs, keeping their state in a
// kv.Store. It is safe for concurrent use. Several Trackers, in one
// process or many, may share a store when their Options match.
type Tracker struct {
	store   kv.Store
	opts    Options
	parser  *jwt.Parser
	keyfunc jwt.Keyfunc
	method  jwt.SigningMethod // nil without a SigningKey

	ttlStore    kv.TTLStore    // nil when the store has no TTL
	atomicStore kv.AtomicStore // nil when the store has no atomic writes
	lister      kv.Lister      // nil when the store cannot list

	lastStamp atomic.Int64
	failOpen  failOpenLog
}

// New returns a Tracker that keeps its state in store. It checks opts and
// returns an error naming the first field that is invalid. The Tracker
// never closes store.
func New(store kv.Store, opts Options) (*Tracker, error) {
	if store == nil {
		return nil, errors.New("jwtrevoke: store is nil")
	}

	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}

	t := &Tracker{store: store, opts: opts}

	t.ttlStore, _ = store.(kv.TTLStore)
	t.atomicStore, _ = store.(kv.AtomicStore)
	t.lister, _ = store.(kv.Lister)

	if opts.SigningKey != nil {
		t.method = jwt.GetSigningMethod(opts.Algorithms[0])
	}

	parserOptions := []jwt.ParserOption{
		jwt.WithValidMethods(opts.Algorithms),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(opts.Leeway),
		jwt.WithTimeFunc(opts.Clock),
	}
	if opts.Issuer != "" {
		parserOptions = append(parserOptions, jwt.WithIssuer(opts.Issuer))
	}

	if opts.Audience != "" {
		parserOptions = append(parserOptions, jwt.WithAudience(opts.Audience))
	}

	t.parser = jwt.NewParser(parserOptions...)
	t.keyfunc = keyfunc(&t.opts)

	return t, nil
}

// verify checks the token's signature, algorithm, expiry and the claims
// the Tracker needs, without touching the store.
func (t *Tracker) verify(token string) (*Claims, error) {
	if len(token) > MaxTokenLen {
		return nil, fmt.Errorf("%w: token is %d bytes, the maximum is %d", ErrInvalidToken, len(token), MaxTokenLen)
	}

	claims := &Claims{}
	if _, err := t.parser.ParseWithClaims(token, claims, t.keyfunc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}

	if claims.ID == "" {
		return nil, fmt.Errorf("%w: no \"jti\" claim", ErrInvalidToken)
	}

	if claims.Subject == "" {
		return nil, fmt.Errorf("%w: no \"sub\" claim", ErrInvalidToken)
	}

	if claims.Type != Access && claims.Type != Refresh {
		return nil, fmt.Errorf("%w: no \"typ\" claim", ErrInvalidToken)
	}

	return claims, nil
}

// stamp returns the current time in Unix nanoseconds, strictly later than
// every stamp this Tracker returned before, even when the clock does not
// advance or steps back. Issue times and cutoffs both come from it, so a
// token issued after RevokeSubject returns always sorts after its cutoff.
func (t *Tracker) stamp() int64 {
	now := t.opts.Clock().UnixNano()

	for {
		last := t.lastStamp.Load()
		next := max(now, last+1)

		if t.lastStamp.CompareAndSwap(last, next) {
			return next
		}
	}
}

// newJTI returns 128 random bits as 22 base64url characters.
func newJTI() string {
	var b [16]byte
	// Since Go 1.24, crypto/rand.Read never returns an error; it crashes
	// the program instead.
	_, _ = rand.Read(b[:])

	return base64.RawURLEncoding.EncodeToString(b[:])
}

// extraTime is the Leeway plus the Margin, rounded up to whole seconds:
// how long a stored entry outlives its token's expiry.
func (t *Tracker) extraTime() time.Duration {
	return ceilSecond(t.opts.Leeway + t.opts.Margin)
}

// maxLifetime is how long an entry that covers every token issued so far
// must live: the longest token lifetime plus the extra time.
func (t *Tracker) maxLifetime() time.Duration {
	return ceilSecond(max(t.opts.AccessTTL, t.opts.RefreshTTL)) + t.extraTime()
}

func ceilSecond(d time.Duration) time.Duration {
	if rest := d % time.Second; rest != 0 {
		d += time.Second - rest
	}

	return d
}

// entryTTL returns the time to live for an entry about a token that
// expires at exp (Unix seconds), rounded up to whole seconds, and the Unix
// second after which Prune may delete it. A TTL of 0 or less means the
// token has expired beyond the leeway and needs no entry.
func (t *Tracker) entryTTL(exp int64) (ttl time.Duration, keepUntil int64) {
	keepUntil = exp + int64(t.extraTime()/time.Second)
	ttl = ceilSecond(time.Unix(keepUntil, 0).Sub(t.opts.Clock()))

	return ttl, keepUntil
}

// put writes value under key with ttl when the store has TTL, and as a
// plain entry for Prune to clean otherwise.
func (t *Tracker) put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if t.ttlStore != nil {
		return t.ttlStore.PutTTL(ctx, key, value, ttl)
	}

	return t.store.Put(ctx, key, value)
}

// putIfAbsent is put for a key that must not exist yet. The caller has
// checked that the store is an AtomicStore.
func (t *Tracker) putIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if t.ttlStore != nil {
		return t.atomicStore.PutIfAbsentTTL(ctx, key, value, ttl)
	}

	return t.atomicStore.PutIfAbsent(ctx, key, value)
}

// storeError reports err to the Observer and wraps it in
// ErrStoreUnavailable.
func (t *Tracker) storeError(op string, err error) error {
	t.opts.Observer.ObserveStoreError(op, err)

	return fmt.Errorf("%w: %s: %w", ErrStoreUnavailable, op, err)
}
