// Package kvtest is the conformance suite for kv.Store implementations.
//
// Every backend in this module passes it, and a third party checks its own
// store with one call from a test file:
//
//	package mystore_test
//
//	import (
//		"testing"
//
//		"github.com/anykv/anykv/kv"
//		"github.com/anykv/anykv/kv/kvtest"
//		"example.com/mystore"
//	)
//
//	func TestConformance(t *testing.T) {
//		kvtest.RunWithOptions(t, func(t *testing.T) kv.Store {
//			s, err := mystore.Open(t.TempDir())
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		}, kvtest.Options{MaxValueSize: 1 << 20})
//	}
//
// Run it with the race detector (go test -race), because several subtests
// call the store from many goroutines at once.
//
// # What it checks
//
// The suite checks the rules the kv package documents:
//
//   - Keys: every printable ASCII byte is accepted. Every other key fails
//     with kv.ErrInvalidKey in every operation, and nothing is written.
//   - Values: empty, binary and large values round-trip, Put overwrites,
//     and no slice is aliased. kv.ErrNotFound and kv.ErrValueTooLarge are
//     returned where they belong.
//   - Contexts, Close and concurrent use from many goroutines.
//
// It then checks each optional capability the store implements:
//
//   - kv.TTLStore: never early, gone soon after, removed by a plain Put.
//   - kv.Lister: exact prefixes, in which pattern bytes such as '*' and '['
//     are plain bytes, each key once, and deleting inside the loop.
//   - kv.AtomicStore: exactly one winner among concurrent writers.
//   - kv.BatchGetter, kv.Reclaimer and kv.Wrapper.
//
// Subtests for a capability the store lacks skip with a message naming
// the interface.
//
// # Stores, keys and cleanup
//
// The suite calls newStore once in each subtest that needs a store and
// closes that store when the subtest ends, so newStore must return a new,
// open store every time. Stores may share one database: each subtest puts
// a random prefix such as "kvtest-0123456789abcdef/" on every key it
// uses, deletes only keys it wrote, and lists only under its prefix (the
// check of the empty prefix ignores keys outside it). No key is longer than
// Options.MaxKeyLen. Subtests run one after another.
//
// # Time
//
// The TTL subtests use TTLs of 200 ms, or Options.TTLGranularity when that
// is longer, and poll instead of sleeping for a fixed time. An entry must
// be readable by every Get that starts before its TTL has passed since the
// put returned. Afterwards the suite logs how late the entry expired and
// fails only when it is still there 5 s after its TTL plus the granularity,
// so that a loaded CI machine does not fail a correct store.
//
// Measured with go test -race on a shared 2-core machine, the suite takes
// about 2.5 s on an in-memory store and about 27 s on one local memcached
// server with a granularity of 2 s.
package kvtest
