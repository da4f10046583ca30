package testserver

import (
	"os"
	"sync"
	"sync/atomic"
	"testing"
)

// stops holds what Main must undo when the tests end: one function for each
// shared server started by this process, run in reverse order of
// registration.
var (
	stopsMu sync.Mutex
	stops   []func()
)

// mainCalled records that the test binary runs through Main, so that the
// shared servers, which outlive any one test, are sure to be stopped.
var mainCalled atomic.Bool

// Main runs the tests of a package and then stops every server that the
// shared helpers (Redis, RedisCluster and the memcached helpers) started,
// removes their temporary folders, and exits with the tests' exit code. Call
// it from TestMain:
//
//	func TestMain(m *testing.M) { testserver.Main(m) }
//
// Main is safe to use in a package whose tests start no server.
func Main(m *testing.M) {
	mainCalled.Store(true)

	code := m.Run()

	stopAll()

	os.Exit(code)
}

// register adds stop to the functions Main runs after the tests. A shared
// server registers its shutdown and the removal of its folder here.
func register(stop func()) {
	stopsMu.Lock()
	defer stopsMu.Unlock()

	stops = append(stops, stop)
}

// stopAll runs the registered functions, newest first, and clears the list.
func stopAll() {
	stopsMu.Lock()
	pending := stops
	stops = nil
	stopsMu.Unlock()

	for i := len(pending) - 1; i >= 0; i-- {
		pending[i]()
	}
}

// requireMain fails tb unless the test binary runs through Main, because a
// shared server started without it would keep running after the tests.
func requireMain(tb testing.TB, helper string) {
	tb.Helper()

	if !mainCalled.Load() {
		tb.Fatalf("testserver.%s starts a server shared by the whole test binary; call testserver.Main(m) from TestMain so that it is stopped after the tests", helper)
	}
}
