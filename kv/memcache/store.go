package memcache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/anykv/anykv/kv"
	gomemcache "github.com/bradfitz/gomemcache/memcache"
)

// Store is a kv store on memcached. Create one with New or NewFromClient.
type Store struct {
	client       *gomemcache.Client
	ownsClient   bool
	namespace    string
	maxValueSize int

	// mu is held for reading by every call in flight and for writing by
	// Close, so that Close waits for those calls before it closes the
	// client's connections.
	mu     sync.RWMutex
	closed bool
}

var (
	_ kv.TTLStore    = (*Store)(nil)
	_ kv.AtomicStore = (*Store)(nil)
	_ kv.BatchGetter = (*Store)(nil)
)

// New returns a Store on the memcached servers at the given addresses,
// each "host:port" or the path of a Unix socket. It resolves host names
// but does not connect, so an unreachable server shows up as an error of
// the first call that needs it. Call Ping to check the servers at
// start-up. Close closes the client that New creates.
func New(servers []string, opts *Options) (*Store, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}

	if len(servers) == 0 {
		return nil, errors.New("memcache: no servers given")
	}

	selector := new(gomemcache.ServerList)
	if err := selector.SetServers(servers...); err != nil {
		return nil, fmt.Errorf("memcache: resolve servers %q: %w", servers, err)
	}

	client := gomemcache.NewFromSelector(selector)
	client.Timeout = o.Timeout
	client.MaxIdleConns = o.MaxIdleConns

	return newStore(client, true, o), nil
}

// NewFromClient returns a Store that uses client, whose own Timeout and
// MaxIdleConns apply. Only the Namespace and MaxItemSize fields of opts
// are used. Close leaves client open, so the caller can keep using it.
func NewFromClient(client *gomemcache.Client, opts *Options) (*Store, error) {
	if client == nil {
		return nil, errors.New("memcache: NewFromClient needs a non-nil client")
	}

	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}

	return newStore(client, false, o), nil
}

func newStore(client *gomemcache.Client, ownsClient bool, o Options) *Store {
	return &Store{
		client:       client,
		ownsClient:   ownsClient,
		namespace:    o.Namespace,
		maxValueSize: maxValueSize(o.MaxItemSize),
	}
}

// MaxValueSize returns the largest value in bytes that Put, PutTTL and the
// atomic writes accept: Options.MaxItemSize minus 309 bytes for the item
// header and the longest key.
func (s *Store) MaxValueSize() int {
	return s.maxValueSize
}

// Get returns a copy of the value stored under key, or an error matching
// kv.ErrNotFound when the key is absent, expired or evicted.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	serverKey, err := s.serverKey("get", key)
	if err != nil {
		return nil, err
	}

	var item *gomemcache.Item

	err = s.do(ctx, func(client *gomemcache.Client) error {
		var err error
		item, err = client.Get(serverKey)

		return err
	})
	if err != nil {
		return nil, keyError("get", key, err)
	}

	// gomemcache reads each value into a new slice, so it is the caller's.
	if item.Value == nil {
		return []byte{}, nil
	}

	return item.Value, nil
}

// Put stores value under key without expiry, replacing any value and TTL
// the key had. memcached may still evict it.
func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	return s.set(ctx, "put", key, value, 0)
}

// PutTTL stores value under key for ttl, which must be greater than zero.
// See the package documentation for how the TTL is rounded.
func (s *Store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	expiry, err := expiration(ttl, time.Now())
	if err != nil {
		return fmt.Errorf("memcache: put with TTL on key %s: %w", kv.QuoteKey(key), err)
	}

	return s.set(ctx, "put with TTL", key, value, expiry)
}

func (s *Store) set(ctx context.Context, op, key string, value []byte, expiry int32) error {
	item, err := s.newItem(ctx, op, key, value, expiry)
	if err != nil {
		return err
	}

	err = s.do(ctx, func(client *gomemcache.Client) error {
		return client.Set(item)
	})
	if err != nil {
		return keyError(op, key, err)
	}

	return nil
}

// Delete removes key. Deleting an absent key succeeds.
func (s *Store) Delete(ctx context.Context, key string) error {
	serverKey, err := s.serverKey("delete", key)
	if err != nil {
		return err
	}

	err = s.do(ctx, func(client *gomemcache.Client) error {
		return client.Delete(serverKey)
	})
	if err != nil && !errors.Is(err, gomemcache.ErrCacheMiss) {
		return keyError("delete", key, err)
	}

	return nil
}

// Ping checks that every server responds, and returns the first failure.
func (s *Store) Ping(ctx context.Context) error {
	err := s.do(ctx, func(client *gomemcache.Client) error {
		return client.Ping()
	})
	if err != nil {
		return fmt.Errorf("memcache: ping: %w", err)
	}

	return nil
}

// Close waits for the calls in flight, then closes the idle connections of
// the client that New created; a client passed to NewFromClient stays
// open. Later calls return kv.ErrClosed. Closing twice is safe.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.closed {
		return nil
	}

	s.closed = true

	if !s.ownsClient {
		return nil
	}

	if err := s.client.Close(); err != nil {
		return fmt.Errorf("memcache: close connections: %w", err)
	}

	return nil
}

// do runs call on the client unless ctx is done or the store is closed.
//
// gomemcache takes no context, so when ctx can be cancelled, call runs in
// its own goroutine and do returns ctx's error as soon as ctx is done. The
// goroutine then runs on until call completes or the client's timeout
// ends it, and it holds s.mu for reading until then, so that Close does not
// close connections under it.
func (s *Store) do(ctx context.Context, call func(*gomemcache.Client) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}

	s.mu.RLock()

	if s.closed {
		s.mu.RUnlock()
		return kv.ErrClosed
	}

	if ctx.Done() == nil {
		defer s.mu.RUnlock()
		return call(s.client)
	}

	result := make(chan error, 1)

	go func() {
		defer s.mu.RUnlock()
		result <- call(s.client)
	}()

	select {
	case err := <-result:
		return err
	case <-ctx.Done():
		// Prefer the call's own result when both are ready, so that a
		// write that completed is not reported as cancelled.
		select {
		case err := <-result:
			return err
		default:
			return ctx.Err()
		}
	}
}

// serverKey checks key and returns it with the namespace prepended.
func (s *Store) serverKey(op, key string) (string, error) {
	if err := kv.ValidateKey(key); err != nil {
		return "", fmt.Errorf("memcache: %s: %w", op, err)
	}

	if len(s.namespace)+len(key) > kv.MaxKeyLen {
		return "", fmt.Errorf("memcache: %s: %w %s: %d bytes, and with the %d-byte namespace %s it exceeds memcached's %d-byte key limit",
			op, kv.ErrInvalidKey, kv.QuoteKey(key), len(key), len(s.namespace), kv.QuoteKey(s.namespace), kv.MaxKeyLen)
	}

	return s.namespace + key, nil
}

// newItem checks key and value and returns the item to write. It copies
// value when ctx can be cancelled, because the write may then still be
// reading it after the call returned to the caller.
func (s *Store) newItem(ctx context.Context, op, key string, value []byte, expiry int32) (*gomemcache.Item, error) {
	serverKey, err := s.serverKey(op, key)
	if err != nil {
		return nil, err
	}

	if len(value) > s.maxValueSize {
		return nil, fmt.Errorf("memcache: %s %s: value of %d bytes exceeds the limit of %d bytes (MaxItemSize minus %d bytes of item header and key): %w",
			op, kv.QuoteKey(key), len(value), s.maxValueSize, kv.MaxKeyLen+itemHeaderLen, kv.ErrValueTooLarge)
	}

	if ctx.Done() != nil {
		value = bytes.Clone(value)
	}

	return &gomemcache.Item{Key: serverKey, Value: value, Expiration: expiry}, nil
}

// keyError wraps the error of op on key, translating gomemcache's errors to
// the kv ones.
func keyError(op, key string, err error) error {
	switch {
	case errors.Is(err, gomemcache.ErrCacheMiss):
		return fmt.Errorf("memcache: %s %s: %w", op, kv.QuoteKey(key), kv.ErrNotFound)
	case isTooLarge(err):
		// NOTE: memcached deletes the key's old value when it rejects a
		// set as too large. The size check in newItem prevents that unless
		// MaxItemSize is set above the servers' -I.
		return fmt.Errorf("memcache: %s %s: the server rejected the value as too large for its item size limit (-I); set Options.MaxItemSize to match: %w: %w",
			op, kv.QuoteKey(key), kv.ErrValueTooLarge, err)
	default:
		return fmt.Errorf("memcache: %s %s: %w", op, kv.QuoteKey(key), err)
	}
}

// isTooLarge reports whether err is memcached's reply to an item above its
// size limit, which gomemcache passes on only as text.
func isTooLarge(err error) bool {
	return strings.Contains(err.Error(), "SERVER_ERROR object too large")
}
