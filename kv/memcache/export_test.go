package memcache

// Expiration exposes expiration to the external tests.
var Expiration = expiration
