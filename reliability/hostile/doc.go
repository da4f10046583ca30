// Package hostile is a catalogue of bad input: keys that break the key
// rule, TTLs out of range, forged and malformed tokens, hostile
// Authorization headers and bad store URLs. Each input gets the exact
// error it must get, matched with errors.Is against the exported
// variables. The tests also check that nothing reached a store, through a
// counting wrapper around jwtrevoke's store, an empty listing on memory
// and bbolt, and the command counters of the Redis and memcached servers.
// The package has no exported API.
package hostile
