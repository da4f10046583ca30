// Package outage stops and restarts Redis and memcached servers under a
// steady stream of jwtrevoke checks and revocations. It checks that no
// check passes a token while the store is down and that checks recover
// without a process restart. It also checks that revocations survive a
// Redis restart with the append-only file on, and that no goroutine or
// connection leaks. The package has no exported API.
package outage
