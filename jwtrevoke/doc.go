// Package jwtrevoke tracks the JWTs an application issues in a kv.Store,
// so that a server can revoke them before they expire.
//
// A [Tracker] signs tokens with github.com/golang-jwt/jwt/v5 and records
// them ([Tracker.Issue], [Tracker.IssuePair]). It verifies tokens and looks
// them up ([Tracker.Check]). It revokes one token, one subject's tokens or
// all tokens ([Tracker.Revoke], [Tracker.RevokeToken],
// [Tracker.RevokeSubject], [Tracker.RevokeAll]). It rotates refresh
// tokens with reuse detection ([Tracker.Rotate]) and lists the tokens of a
// subject ([Tracker.ListSubject], [Tracker.Lookup]).
//
// # Verification comes first
//
// Check verifies a token before it reads the store, so a forged or
// expired token costs no store work. A token passes verification only
// when one of the verification keys signed it with an algorithm from
// Options.Algorithms. It also needs an "exp" that has not passed (with
// Options.Leeway), an "iat" not in the future, a "jti", a "sub", and a
// "typ" of "access" or "refresh". When Options set an issuer and an
// audience, the token must match them. "none" cannot be configured, and neither can a list
// that mixes HMAC with asymmetric algorithms, so a public key is never
// used as an HMAC secret. Any failure returns [ErrInvalidToken].
//
// # What is stored
//
// All keys start with Options.Namespace, and ids (jti, subject, family)
// go into keys as base64url, or as a tagged SHA-256 when longer than 48
// bytes. So a jti or subject of any content (binary, newlines, spaces or
// pattern characters such as '*') yields a valid key of at most 195 bytes
// that no other id maps to. It cannot reach another key or inject a
// command into a backend's protocol.
//
//   - A record for each token, in TrackAll mode: jti, subject, type,
//     family, revoked and used flags, issue time in nanoseconds and
//     expiry, in a binary format with a version byte. With a 22-byte jti
//     and family (the form this package generates) and a 36-byte subject
//     it takes 98 bytes, and its key about 42 bytes with the default
//     namespace.
//   - An index entry for each token, in TrackAll mode on a store that can
//     list keys: a 9-byte value under a key made of the subject and jti,
//     which ListSubject lists by prefix.
//   - A marker for each revoked jti (Denylist mode only), used refresh
//     token and revoked rotation family, and one cutoff for each subject
//     revoked as a whole and for RevokeAll. Revocation markers take 9
//     bytes and cutoffs 17.
//     A used-token marker takes 17 bytes, or 87 with RotationGrace set,
//     because it then holds the ids and times of the new pair.
//
// Every entry lives as long as the tokens it is about can pass: the
// token's remaining lifetime plus Options.Leeway plus Options.Margin,
// rounded up to whole seconds. Cutoffs and family markers cover every
// token issued before them, so they live for the longer of AccessTTL and
// RefreshTTL plus the same extra time. On a store without TTL
// (kv.TTLStore), entries get no expiry and [Tracker.Prune] deletes them
// once expired; it needs a store that can list keys.
//
// # Revocation
//
// In TrackAll mode, Revoke sets the revoked flag in the token's record
// with a compare-and-swap, so no concurrent write undoes it, and a store
// that loses the record rejects the token rather than forgetting that it
// was revoked. On a store without atomic writes it reads the record and
// puts it back, which is safe because the flag is the only field of a
// record that changes. In Denylist mode a revocation is a marker entry
// written with one Put. Each revoke method returns an error unless the
// write succeeded. Once Revoke returns nil, every later Check of the
// token against the same store, from any process, fails with
// [ErrRevoked].
//
// RevokeSubject and RevokeAll write a single cutoff, whatever the number
// of tokens, on every backend. Tokens carry their issue time in
// nanoseconds (claim "iat_ns", also kept in the record), a Tracker's issue
// times strictly increase, and a token passes only when it was issued
// after the cutoff. So a token issued before the call returned fails and
// one issued after it passes, within one second too. Across servers the
// boundary moves by the skew between their clocks. When subject and global
// cutoffs both exist, the later one applies, and on a store with atomic
// writes concurrent calls for one subject keep the latest cutoff.
//
// # Modes
//
// In [TrackAll] mode (the default) every issued token has a record and a
// token without one fails with [ErrUnknownToken]. A store that loses
// records then fails closed: tokens it forgot stop working, a token
// revoked by jti cannot come back, and a used refresh token stays used.
// Cutoffs and family revocations are entries of their own in both modes,
// because one write must cover many tokens. A store that evicts one of
// them while keeping the records un-revokes the tokens it covered.
//
// In [Denylist] mode only revocations are stored and
// a token the store knows nothing about passes, so one store write and no
// record per token suffice. But a store that evicts entries or forgets
// them on restart un-revokes tokens in this mode.
//
// With Scope [RefreshOnly], access tokens skip the store entirely and
// stay valid until they expire, whatever is revoked; keep AccessTTL
// short. Refresh tokens and Rotate are always checked.
//
// # Backends
//
//   - kv/memory: everything is lost on restart. Fine for tests and for a
//     single process whose tokens may all become invalid (TrackAll) or all
//     un-revoked (Denylist) when it restarts.
//   - kv/bolt: durable once a write returns; safe in both modes for the
//     processes that share the file.
//   - kv/redis: as safe as the server's persistence (RDB, AOF and its
//     fsync policy) and maxmemory-policy allow. Use "noeviction": every
//     entry a Tracker writes has a TTL, so the volatile-* policies may
//     evict any of them, cutoffs included.
//   - kv/memcache: it evicts under memory pressure and forgets everything
//     on restart. A restart loses the records too, so in TrackAll mode it
//     logs every user out, which is safe. An eviction can drop a cutoff or
//     family marker alone, so logout everywhere and reuse detection hold
//     only while memcached has memory to spare. In Denylist mode any
//     eviction or restart un-revokes tokens, so do not use it there.
//     memcached cannot list keys, so ListSubject and Prune are not
//     available, and entries always expire by TTL.
//
// # Refresh rotation
//
// Rotate uses up a refresh token with one put-if-absent of a used-token
// marker, so of concurrent rotations of one token exactly one wins. In
// TrackAll mode the winner then also sets the used flag in the token's
// record, so the use outlives an eviction of the marker. A used token presented again
// revokes its whole family, every access and refresh token rotated from
// the same login, and returns [ErrReuseDetected]. Options.RotationGrace
// turns a retry shortly after a rotation into a repeat of that rotation's
// answer instead. Rotate needs a store with atomic writes (kv.AtomicStore)
// and returns an error matching kv.ErrUnsupported without one; the other
// methods work on any store, with the limits stated on each.
//
// # Store failures
//
// When the store fails during a check, the token is rejected with
// [ErrStoreUnavailable], which is distinct from ErrRevoked so that an HTTP
// server can answer 503 rather than 401. Options.FailOpen makes Check
// accept verified tokens instead, logs that with log/slog at warn level
// (rate-limited, never the token), and reports it to the Observer.
//
// # HTTP
//
// [Tracker.Middleware] wraps a net/http handler: it reads the
// "Authorization: Bearer" header (capped at [DefaultMaxHeaderBytes] unless
// set otherwise), checks the token with Check, and puts the verified claims
// in the request context, where [ClaimsFromContext] finds them. A request
// without a token gets 401 with a bare "WWW-Authenticate: Bearer"
// challenge; a bad, expired or revoked token gets 401 with
// error="invalid_token"; a store failure gets 503 with Retry-After.
// [WriteError] and [StatusCode] give handlers of their own (a refresh
// route, for one) the same answers. The middleware is a plain
// func(http.Handler) http.Handler, so it works with http.ServeMux and with
// routers such as chi and gorilla/mux that accept that form.
//
// [Tracker.RevocationHandler] (RFC 7009) and [Tracker.IntrospectionHandler]
// (RFC 7662) are opt-in endpoints, each behind a [ClientAuthFunc] the caller
// supplies. Revocation answers 200 for a token that is unknown, invalid,
// expired or already revoked, as RFC 7009 requires, and 503 when the store
// write fails, never 200. Introspection answers exactly {"active":false}
// for every token Check rejects.
//
// # Administration
//
// [NewAdmin] builds a Tracker without keys for tools that list, revoke and
// prune but never verify: it rejects every token. [Tracker.List] and
// [Tracker.Stats] walk the whole namespace and need a store that can list
// keys.
//
// # Concurrency
//
// A Tracker is safe for concurrent use, and several Trackers in one or
// many processes may share a store when their Options (algorithms, keys,
// namespace, mode and lifetimes) match. Each Check reads the store with
// one kv.GetMany call: one round trip on a store that batches reads
// (kv.BatchGetter), and one Get for each of up to six keys on one that
// does not.
package jwtrevoke
