package redis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/kv"
)

// Compile-time checks that Store has every capability it documents.
var (
	_ kv.TTLStore    = (*Store)(nil)
	_ kv.Lister      = (*Store)(nil)
	_ kv.AtomicStore = (*Store)(nil)
	_ kv.BatchGetter = (*Store)(nil)
)

// Store is a kv.Store on a Redis server, a Sentinel-managed master, a
// Redis Cluster or a Ring. It is safe for concurrent use.
type Store struct {
	client goredis.UniversalClient

	// cluster is client as a Cluster client, or nil, for the operations
	// that must reach every master or group keys by slot.
	cluster *goredis.ClusterClient

	// ring is client as a Ring, or nil. A Ring shards keys over servers on
	// the client side, so listing must reach every shard and a batch read
	// must let the Ring route each key.
	ring *goredis.Ring

	// ownsClient is true when New opened the client, so Close closes it.
	ownsClient bool

	settings settings
	closed   atomic.Bool
}

// New opens a go-redis client from opts.Client and returns a Store on it.
// Close closes that client. The client connects on first use, so New
// fails only on invalid options and an unreachable server shows up as an
// error of the first operation.
func New(opts *Options) (*Store, error) {
	settings, err := opts.settings()
	if err != nil {
		return nil, err
	}

	clientOptions := &goredis.UniversalOptions{}
	if opts != nil && opts.Client != nil {
		clientOptions = opts.Client
	}

	return newStore(goredis.NewUniversalClient(clientOptions), true, settings), nil
}

// NewFromClient returns a Store on a client the caller opened: a
// *goredis.Client, a failover client, a *goredis.ClusterClient or a
// *goredis.Ring. Close
// leaves the client open, so the caller may keep using it and must close
// it. opts.Client is ignored.
func NewFromClient(client goredis.UniversalClient, opts *Options) (*Store, error) {
	if client == nil {
		return nil, errNilClient
	}

	settings, err := opts.settings()
	if err != nil {
		return nil, err
	}

	return newStore(client, false, settings), nil
}

func newStore(client goredis.UniversalClient, ownsClient bool, settings settings) *Store {
	cluster, _ := client.(*goredis.ClusterClient)
	ring, _ := client.(*goredis.Ring)

	return &Store{
		client:     client,
		cluster:    cluster,
		ring:       ring,
		ownsClient: ownsClient,
		settings:   settings,
	}
}

// Client returns the go-redis client the store uses, for commands the
// store does not offer. Keys written through it bypass the namespace.
func (s *Store) Client() goredis.UniversalClient {
	return s.client
}

// Get returns the value stored under key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.begin(ctx, key); err != nil {
		return nil, err
	}

	var value []byte
	err := run(ctx, func() error {
		var err error
		value, err = s.client.Get(ctx, s.serverKey(key)).Bytes()
		return err
	})
	if err != nil {
		return nil, s.wrapError("get", key, err)
	}

	// go-redis returns an empty value as a slice that may be nil, and an
	// empty value must read back as non-nil.
	if value == nil {
		value = []byte{}
	}

	return value, nil
}

// Put stores value under key with no TTL, removing any TTL the key had.
func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	if err := s.beginWrite(ctx, "put", key, value); err != nil {
		return err
	}

	err := run(ctx, func() error {
		return s.client.Do(ctx, "set", s.serverKey(key), value).Err()
	})
	if err != nil {
		return s.wrapError("put", key, err)
	}

	return nil
}

// PutTTL stores value under key for ttl, which is padded, rounded up to
// whole milliseconds and sent in the same SET command as the value.
func (s *Store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.beginWrite(ctx, "put", key, value); err != nil {
		return err
	}

	if err := validateTTL(ttl); err != nil {
		return fmt.Errorf("redis: put %s: %w", kv.QuoteKey(key), err)
	}

	err := run(ctx, func() error {
		return s.client.Do(ctx, "set", s.serverKey(key), value, "px", pxMilliseconds(ttl)).Err()
	})
	if err != nil {
		return s.wrapError("put", key, err)
	}

	return nil
}

// Delete removes key. Deleting an absent key succeeds.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.begin(ctx, key); err != nil {
		return err
	}

	err := run(ctx, func() error {
		return s.client.Del(ctx, s.serverKey(key)).Err()
	})
	if err != nil {
		return s.wrapError("delete", key, err)
	}

	return nil
}

// Close marks the store closed and, when New opened the client, closes it.
// Calls already running may still complete. Close is safe to call more
// than once, and later calls return nil.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}

	if !s.ownsClient {
		return nil
	}

	if err := s.client.Close(); err != nil {
		return fmt.Errorf("redis: close the client: %w", err)
	}

	return nil
}

// serverKey returns the key as stored on the server, inside the namespace.
func (s *Store) serverKey(key string) string {
	return s.settings.namespace + key
}

// begin checks, in this order, that the store is open, that ctx is not
// done and that key is valid, so that no command is sent otherwise.
func (s *Store) begin(ctx context.Context, key string) error {
	if s.closed.Load() {
		return kv.ErrClosed
	}

	if err := ctx.Err(); err != nil {
		return err
	}

	return kv.ValidateKey(key)
}

// beginWrite is begin for a write of value, which must also fit within
// MaxValueSize.
func (s *Store) beginWrite(ctx context.Context, op, key string, value []byte) error {
	if err := s.begin(ctx, key); err != nil {
		return err
	}

	return s.checkSize(op, key, value)
}

func (s *Store) checkSize(op, key string, value []byte) error {
	if len(value) > s.settings.maxValueSize {
		return fmt.Errorf("redis: %s %s: %w: %d bytes, the limit is %d bytes", op, kv.QuoteKey(key), kv.ErrValueTooLarge, len(value), s.settings.maxValueSize)
	}

	return nil
}

// wrapError turns an error of go-redis into the store's error for op on
// key: a missing key matches kv.ErrNotFound and a closed client
// kv.ErrClosed. Any other error, a connection failure for one, keeps its
// cause.
func (s *Store) wrapError(op, key string, err error) error {
	quoted := kv.QuoteKey(key)

	switch {
	case errors.Is(err, goredis.Nil):
		return fmt.Errorf("redis: %s %s: %w", op, quoted, kv.ErrNotFound)
	case errors.Is(err, goredis.ErrClosed):
		return fmt.Errorf("redis: %s %s: %w", op, quoted, kv.ErrClosed)
	default:
		return fmt.Errorf("redis: %s %s: %w", op, quoted, err)
	}
}

// ttlPadding is added to every TTL sent to the server. Redis starts the
// TTL when it applies the SET, before its reply reaches the caller, so
// without padding an entry would expire that trip's duration before "TTL
// after the write returned".
//
// NOTE: a reply delayed by more than ttlPadding (a loaded machine, a slow
// network) still lets an entry expire early by the excess; 5 ms is an
// estimate for a local network.
const ttlPadding = 5 * time.Millisecond

// maxTTL is the longest TTL whose PX argument does not overflow int64
// once ttlPadding and the rounding are added.
const maxTTL = time.Duration(math.MaxInt64) - ttlPadding - time.Millisecond

// validateTTL is kv.ValidateTTL plus the upper bound maxTTL, so that a
// huge TTL fails with kv.ErrInvalidTTL instead of wrapping around to a
// negative PX, which the server rejects with a generic error.
func validateTTL(ttl time.Duration) error {
	if ttl > maxTTL {
		return fmt.Errorf("%w: %v, the maximum is %v", kv.ErrInvalidTTL, ttl, maxTTL)
	}

	return kv.ValidateTTL(ttl)
}

// pxMilliseconds returns the PX argument for ttl: ttl plus ttlPadding in
// whole milliseconds, rounded up so that an entry never expires before its
// TTL for rounding's sake.
func pxMilliseconds(ttl time.Duration) int64 {
	return int64((ttl + ttlPadding + time.Millisecond - 1) / time.Millisecond)
}

// run calls fn and returns its error, or returns ctx's error as soon as ctx
// is done. go-redis ends a blocked read at its ReadTimeout, not on
// cancellation. So after a cancellation fn keeps running in the background
// until the server replies or the timeout passes, and its command may
// still take effect.
func run(ctx context.Context, fn func() error) error {
	if ctx.Done() == nil {
		return fn()
	}

	done := make(chan error, 1)
	go func() {
		done <- fn()
	}()

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
