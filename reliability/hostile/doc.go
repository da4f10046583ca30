// Package hostile is a catalogue of bad input: keys that break the key
// rule, TTLs out of range, forged and malformed tokens, hostile
// Authorization headers and bad store URLs. Each gets the exact error it
// must get, matched with errors.Is against the exported variables, and
// the tests check that nothing reached a store: by a counting wrapper
// around jwtrevoke's store, by an empty listing for memory and bbolt,
// and by the command counters of the Redis and memcached servers. The
// package has no exported API.
package hostile
