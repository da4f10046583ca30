// Package eviction removes what a jwtrevoke Tracker stored, by hand on
// every backend and by real eviction on Redis (each maxmemory-policy) and
// memcached. It measures what each mode does then: track-all rejects a
// token it lost, and denylist accepts a revoked token again. The package
// has no exported API.
package eviction
