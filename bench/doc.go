// Package bench measures anykv against the clients it is built on and
// against other Go key-value libraries, in one process and one run, so that
// the ratios between them are comparable even on a noisy machine.
//
// Everything lives in the package's tests and benchmarks; this file only
// documents them. Benchmark names are built from key=value parts, such as
// BenchmarkKV/backend=redis/op=get-hit/value=64/impl=anykv, so that
// benchstat can put the implementations side by side with -col /impl:
//
//   - impl=raw is the floor: the underlying client doing the same work
//     (a map behind a sync.RWMutex that copies values, bbolt Update and
//     View, go-redis GET and SET, gomemcache Get and Set).
//   - impl=anykv is this project's store for the backend.
//   - impl=gokv and impl=gofiber are other libraries' stores for the same
//     backend, given a codec that only copies bytes, so that what is
//     measured is the store and not JSON.
//
// The Redis and memcached benchmarks start their own servers on free
// 127.0.0.1 ports and skip when redis-server or memcached is not installed.
// The scale measurements (a million tracked tokens) run only when the
// environment variable ANYKV_BENCH_SCALE is set; see scale_test.go.
// scripts/bench.sh in the repository root runs everything and writes
// BENCHMARKS.md.
package bench
