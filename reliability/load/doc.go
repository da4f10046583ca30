// Package load runs issue, check, revoke, revoke-subject and rotate
// concurrently against every backend and records when each call started
// and returned. A checker compares the results with that history. No
// check may accept a token after its revocation returned or reject a
// token that nothing revoked, and of concurrent exchanges of one refresh
// token at most one may win. The package has no exported API.
package load
