package bench

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
	"github.com/golang-jwt/jwt/v5"
)

// subjectID is a 36-byte subject, the length of a UUID.
const subjectID = "123e4567-e89b-12d3-a456-426614174000"

// signer is one signing algorithm and its keys.
type signer struct {
	alg    string
	method jwt.SigningMethod
	sign   any // the key that signs
	verify any // the key that verifies
}

func newSigners(tb testing.TB) []signer {
	tb.Helper()

	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		tb.Fatalf("make an HMAC secret: %v", err)
	}

	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatalf("make an ECDSA key: %v", err)
	}

	return []signer{
		{"HS256", jwt.SigningMethodHS256, secret, secret},
		{"ES256", jwt.SigningMethodES256, ecKey, &ecKey.PublicKey},
	}
}

// storeOpener opens an empty anykv store of one backend.
type storeOpener struct {
	backend string
	open    func(tb testing.TB) kv.Store
	raw     func(tb testing.TB) subject
}

var storeOpeners = []storeOpener{
	{"memory", openAnykvMemory, func(tb testing.TB) subject { return newMapStore() }},
	{"bolt", openAnykvBolt, func(tb testing.TB) subject { return openRawBolt(tb) }},
	{"redis", openAnykvRedis, func(tb testing.TB) subject { return rawRedis{openRedisClient(tb)} }},
	{"memcached", openAnykvMemcache, func(tb testing.TB) subject { return rawMemcache{openMemcacheClient(tb)} }},
}

func newTracker(tb testing.TB, store kv.Store, sg signer, mode jwtrevoke.Mode) *jwtrevoke.Tracker {
	tb.Helper()

	tracker, err := jwtrevoke.New(store, jwtrevoke.Options{
		Algorithms: []string{sg.alg},
		SigningKey: sg.sign,
		Mode:       mode,
		AccessTTL:  time.Hour,
	})
	if err != nil {
		tb.Fatalf("new tracker: %v", err)
	}

	return tracker
}

// baselineClaims are the claims of a jwtrevoke token, decoded by
// golang-jwt alone.
type baselineClaims struct {
	jwt.RegisteredClaims
	Type       string `json:"typ"`
	Family     string `json:"fam,omitempty"`
	IssuedNano int64  `json:"iat_ns"`
}

// baselineParser is what a server that trusts every signed token runs:
// golang-jwt's parse and verify with the algorithm pinned and exp
// required.
type baselineParser struct {
	parser *jwt.Parser
	key    any
}

func newBaselineParser(sg signer) baselineParser {
	return baselineParser{
		parser: jwt.NewParser(jwt.WithValidMethods([]string{sg.alg}), jwt.WithExpirationRequired(), jwt.WithIssuedAt()),
		key:    sg.verify,
	}
}

func (p baselineParser) parse(token string) (*baselineClaims, error) {
	claims := &baselineClaims{}
	_, err := p.parser.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return p.key, nil })
	if err != nil {
		return nil, err
	}

	if claims.ID == "" || claims.Subject == "" {
		return nil, fmt.Errorf("token without jti or sub")
	}

	return claims, nil
}

// BenchmarkJWTCheck measures one check of a valid access token. The
// baselines are golang-jwt's parse and verify alone (impl=golang-jwt),
// and the same followed by one read of a record-sized value with the raw
// client (impl=golang-jwt+get), the least a revocation check can cost on
// the backend.
func BenchmarkJWTCheck(b *testing.B) {
	for _, sg := range newSigners(b) {
		for _, so := range storeOpeners {
			b.Run("alg="+sg.alg+"/backend="+so.backend, func(b *testing.B) {
				token := issueToken(b, newTracker(b, openAnykvMemory(b), sg, jwtrevoke.Denylist))
				baseline := newBaselineParser(sg)

				b.Run("impl=golang-jwt", func(b *testing.B) {
					b.ReportAllocs()

					for b.Loop() {
						if _, err := baseline.parse(token); err != nil {
							b.Fatalf("parse: %v", err)
						}
					}
				})

				b.Run("impl=golang-jwt+get", func(b *testing.B) {
					ctx := context.Background()
					raw := so.raw(b)
					recordKey := makeKey("rec:", 1)
					fill(b, raw, []string{recordKey}, makeValue(recordLen))

					b.ReportAllocs()
					b.ResetTimer()

					for b.Loop() {
						if _, err := baseline.parse(token); err != nil {
							b.Fatalf("parse: %v", err)
						}

						if _, found, err := raw.get(ctx, recordKey); err != nil || !found {
							b.Fatalf("get record: found %v, error %v", found, err)
						}
					}
				})

				for _, mode := range []jwtrevoke.Mode{jwtrevoke.TrackAll, jwtrevoke.Denylist} {
					b.Run("impl=anykv-"+mode.String(), func(b *testing.B) {
						ctx := context.Background()
						tracker := newTracker(b, so.open(b), sg, mode)
						token := issueToken(b, tracker)

						b.ReportAllocs()
						b.ResetTimer()

						for b.Loop() {
							if _, err := tracker.Check(ctx, token, jwtrevoke.Access); err != nil {
								b.Fatalf("check: %v", err)
							}
						}
					})
				}
			})
		}
	}
}

func issueToken(tb testing.TB, tracker *jwtrevoke.Tracker) string {
	tb.Helper()

	token, _, err := tracker.Issue(context.Background(), subjectID, jwtrevoke.Access, nil)
	if err != nil {
		tb.Fatalf("issue: %v", err)
	}

	return token
}

// BenchmarkJWTIssue measures signing and recording one access token,
// against golang-jwt signing the same claims alone.
func BenchmarkJWTIssue(b *testing.B) {
	for _, sg := range newSigners(b) {
		for _, so := range storeOpeners {
			b.Run("alg="+sg.alg+"/backend="+so.backend, func(b *testing.B) {
				b.Run("impl=golang-jwt", func(b *testing.B) {
					b.ReportAllocs()

					for b.Loop() {
						now := time.Now()
						claims := baselineClaims{
							RegisteredClaims: jwt.RegisteredClaims{
								ID:        rand.Text(),
								Subject:   subjectID,
								IssuedAt:  jwt.NewNumericDate(now),
								ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
							},
							Type:       "access",
							IssuedNano: now.UnixNano(),
						}

						if _, err := jwt.NewWithClaims(sg.method, claims).SignedString(sg.sign); err != nil {
							b.Fatalf("sign: %v", err)
						}
					}
				})

				for _, mode := range []jwtrevoke.Mode{jwtrevoke.TrackAll, jwtrevoke.Denylist} {
					b.Run("impl=anykv-"+mode.String(), func(b *testing.B) {
						ctx := context.Background()
						tracker := newTracker(b, so.open(b), sg, mode)

						b.ReportAllocs()

						for b.Loop() {
							if _, _, err := tracker.Issue(ctx, subjectID, jwtrevoke.Access, nil); err != nil {
								b.Fatalf("issue: %v", err)
							}
						}
					})
				}
			})
		}
	}
}

// issueTokens issues n access tokens with writers goroutines, so that a
// backend that syncs each write to disk shares the syncs, and returns
// their ids. Revoking a token twice costs less than once, so each
// revocation benchmark needs fresh tokens.
func issueTokens(tb testing.TB, tracker *jwtrevoke.Tracker, n int) []string {
	tb.Helper()

	ids := make([]string, n)
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		issueErr error
	)

	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()

			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}

				_, claims, err := tracker.Issue(context.Background(), subjectID, jwtrevoke.Access, nil)
				if err != nil {
					errOnce.Do(func() { issueErr = err })
					return
				}

				ids[i] = claims.ID
			}
		}()
	}

	wg.Wait()

	if issueErr != nil {
		tb.Fatalf("issue: %v", issueErr)
	}

	return ids
}

// recordLen is the length of the record jwtrevoke stores for a tracked
// token with a 36-byte subject, as TestTrackedTokenBytes logs it.
const recordLen = 74

// revokeMarkerLen is the length of a revocation marker's value.
const revokeMarkerLen = 9

// BenchmarkJWTRevoke measures Revoke by jti and RevokeSubject (logout
// everywhere). The floor, impl=raw-put, is one raw write of a marker with
// a TTL, which is what either call must at least do.
func BenchmarkJWTRevoke(b *testing.B) {
	sg := newSigners(b)[0]

	for _, so := range storeOpeners {
		b.Run("backend="+so.backend, func(b *testing.B) {
			b.Run("op=revoke/impl=raw-put", func(b *testing.B) { benchRawMarkerPut(b, so.raw(b)) })

			for _, mode := range []jwtrevoke.Mode{jwtrevoke.TrackAll, jwtrevoke.Denylist} {
				b.Run("op=revoke/impl=anykv-"+mode.String(), func(b *testing.B) {
					ctx := context.Background()
					tracker := newTracker(b, so.open(b), sg, mode)

					ids := issueTokens(b, tracker, b.N)

					b.ReportAllocs()
					b.ResetTimer()

					for i := range b.N {
						if err := tracker.Revoke(ctx, ids[i]); err != nil {
							b.Fatalf("revoke: %v", err)
						}
					}
				})
			}

			b.Run("op=revoke-subject/impl=raw-put", func(b *testing.B) { benchRawMarkerPut(b, so.raw(b)) })

			b.Run("op=revoke-subject/impl=anykv", func(b *testing.B) {
				ctx := context.Background()
				tracker := newTracker(b, so.open(b), sg, jwtrevoke.TrackAll)
				issueToken(b, tracker)

				b.ReportAllocs()
				b.ResetTimer()

				for b.Loop() {
					if err := tracker.RevokeSubject(ctx, subjectID); err != nil {
						b.Fatalf("revoke subject: %v", err)
					}
				}
			})
		})
	}
}

func benchRawMarkerPut(b *testing.B, raw subject) {
	ctx := context.Background()
	key := makeKey("rev:", 1)
	marker := makeValue(revokeMarkerLen)

	put := raw.put
	if t, ok := raw.(ttlPutter); ok {
		put = func(ctx context.Context, key string, value []byte) error {
			return t.putTTL(ctx, key, value, time.Hour)
		}
	}

	b.ReportAllocs()

	for b.Loop() {
		if err := put(ctx, key, marker); err != nil {
			b.Fatalf("put marker: %v", err)
		}
	}
}
