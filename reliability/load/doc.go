// Package load runs issue, check, revoke, revoke-subject and rotate
// concurrently against every backend, records when each call started
// and returned, and checks the results against that history: no check
// accepts a token after its revocation returned, no check rejects a
// token that nothing revoked, and of concurrent exchanges of one refresh
// token at most one wins. The package has no exported API.
package load
