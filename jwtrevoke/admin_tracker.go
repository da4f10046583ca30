package jwtrevoke

import (
	"errors"

	"github.com/anykv/anykv/kv"
	"github.com/golang-jwt/jwt/v5"
)

// errNoKeys is the error of the key lookup of a Tracker from NewAdmin, so
// that every token it is given fails verification.
var errNoKeys = errors.New("the Tracker was built by NewAdmin and has no verification keys")

// NewAdmin returns a Tracker for maintenance work on a store that a
// server's Tracker writes, without that server's keys: Revoke, Unrevoke,
// RevokeSubject, RevokeAll, Lookup, ListSubject, List, Stats and Prune.
//
// opts must match the server's Options in every field that shapes what
// is stored: Namespace, Mode, Scope, Leeway, Margin, AccessTTL and
// RefreshTTL. Cutoffs and revocation markers live for the lifetimes these
// give, so a shorter lifetime here than on the server lets a revocation
// expire before the tokens it covers. opts must not set Algorithms,
// SigningKey, VerificationKeys or Keyfunc.
//
// Without keys the Tracker verifies no token: Check, RevokeToken and
// Rotate fail with ErrInvalidToken, and Issue and IssuePair fail because
// there is no signing key.
func NewAdmin(store kv.Store, opts Options) (*Tracker, error) {
	if len(opts.Algorithms) != 0 || opts.SigningKey != nil || len(opts.VerificationKeys) != 0 || opts.Keyfunc != nil {
		return nil, errors.New("jwtrevoke: NewAdmin takes no keys; leave Options.Algorithms, SigningKey, VerificationKeys and Keyfunc empty, or use New")
	}

	// New needs an algorithm and a key source. A Keyfunc that always
	// fails meets both and rejects every token.
	opts.Algorithms = []string{"EdDSA"}
	opts.Keyfunc = func(*jwt.Token) (any, error) { return nil, errNoKeys }

	return New(store, opts)
}
