// Package wrap gives every kv wrapper the same method set as the store it
// wraps.
//
// A wrapper implements all of kv's optional methods on one type (Full) and
// passes it to New together with the inner store. New returns one of 32
// generated types, chosen by which of kv.TTLStore, kv.Lister,
// kv.AtomicStore, kv.BatchGetter and kv.Reclaimer the inner store
// implements. The generated type embeds only the matching method sets, so a
// type assertion on the wrapper succeeds exactly when it succeeds on the
// inner store, and the wrapper's unexposed methods are never called.
//
// Forward is a base for wrappers that pass most calls through unchanged,
// and MapKeys one for wrappers that rename every key on the way in.
package wrap

//go:generate go run ../wrapgen types_gen.go

import (
	"context"
	"iter"
	"time"

	"github.com/anykv/anykv/kv"
)

// Caps is a set of optional capabilities, one bit each.
type Caps uint8

// The capability bits, one for each optional interface of package kv.
const (
	TTL     Caps = 1 << iota // kv.TTLStore
	List                     // kv.Lister
	Atomic                   // kv.AtomicStore
	Batch                    // kv.BatchGetter
	Reclaim                  // kv.Reclaimer

	// All is every capability.
	All = TTL | List | Atomic | Batch | Reclaim
)

// CapsOf returns the capabilities that s implements.
func CapsOf(s kv.Store) Caps {
	var c Caps

	if _, ok := s.(kv.TTLStore); ok {
		c |= TTL
	}

	if _, ok := s.(kv.Lister); ok {
		c |= List
	}

	if _, ok := s.(kv.AtomicStore); ok {
		c |= Atomic
	}

	if _, ok := s.(kv.BatchGetter); ok {
		c |= Batch
	}

	if _, ok := s.(kv.Reclaimer); ok {
		c |= Reclaim
	}

	return c
}

// Base is the method set every wrapper exposes: kv.Store and Unwrap.
type Base interface {
	kv.Wrapper
}

// Full is a wrapper that implements every optional method. Its methods for
// a capability that the inner store lacks are never called through the
// value New returns.
type Full interface {
	Base
	ttlMethods
	listMethods
	atomicMethods
	batchMethods
	reclaimMethods
}

// The method sets below repeat kv's optional interfaces without kv.Store,
// so that a struct can embed several of them without ambiguous selectors.
type (
	ttlMethods interface {
		PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error
	}

	listMethods interface {
		Keys(ctx context.Context, prefix string) iter.Seq2[string, error]
	}

	atomicMethods interface {
		PutIfAbsent(ctx context.Context, key string, value []byte) (bool, error)
		PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
		CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (bool, error)
		CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error)
	}

	batchMethods interface {
		GetMany(ctx context.Context, keys []string) ([][]byte, error)
	}

	reclaimMethods interface {
		Reclaim(ctx context.Context) (int, error)
	}
)

// New returns full with exactly the capabilities of inner. It panics when
// inner or full is nil, a programming error in the calling wrapper.
func New(inner kv.Store, full Full) kv.Wrapper {
	if inner == nil {
		panic("wrap: New called with a nil inner store")
	}

	return Select(CapsOf(inner), full)
}
