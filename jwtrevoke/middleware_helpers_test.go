package jwtrevoke_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
	"github.com/anykv/anykv/kv/memory"
)

// httpSecret is the HS256 key of the middleware tests.
var httpSecret = []byte("middleware-test-secret-32-bytes!")

// countingStore passes every call to a real store and counts the calls,
// so that a test can prove a request was rejected without a store read.
// It offers TTL and batched reads, as both test backends do.
type countingStore struct {
	inner interface {
		kv.TTLStore
		kv.BatchGetter
	}
	calls atomic.Int64
}

func (s *countingStore) Get(ctx context.Context, key string) ([]byte, error) {
	s.calls.Add(1)
	return s.inner.Get(ctx, key)
}

func (s *countingStore) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	s.calls.Add(1)
	return s.inner.GetMany(ctx, keys)
}

func (s *countingStore) Put(ctx context.Context, key string, value []byte) error {
	s.calls.Add(1)
	return s.inner.Put(ctx, key, value)
}

func (s *countingStore) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	s.calls.Add(1)
	return s.inner.PutTTL(ctx, key, value, ttl)
}

func (s *countingStore) Delete(ctx context.Context, key string) error {
	s.calls.Add(1)
	return s.inner.Delete(ctx, key)
}

func (s *countingStore) Close() error { return s.inner.Close() }

// httpBackends are the stores the middleware tests run on. Each opens a
// fresh store that the test closes at its end.
var httpBackends = []struct {
	name string
	open func(t *testing.T) *countingStore
}{
	{"memory", func(t *testing.T) *countingStore {
		s := memory.New(nil)
		t.Cleanup(func() { _ = s.Close() })

		return &countingStore{inner: s}
	}},
	{"bolt", func(t *testing.T) *countingStore {
		s, err := bolt.Open(filepath.Join(t.TempDir(), "tokens.db"), nil)
		if err != nil {
			t.Fatalf("open bolt store: %v", err)
		}

		t.Cleanup(func() { _ = s.Close() })

		return &countingStore{inner: s}
	}},
}

// onHTTPBackends runs test once for each store in httpBackends.
func onHTTPBackends(t *testing.T, test func(t *testing.T, store *countingStore)) {
	t.Helper()

	for _, backend := range httpBackends {
		t.Run(backend.name, func(t *testing.T) {
			test(t, backend.open(t))
		})
	}
}

// newHTTPTracker returns an HS256 Tracker on store, after applying change
// to its options.
func newHTTPTracker(t *testing.T, store kv.Store, change func(*jwtrevoke.Options)) *jwtrevoke.Tracker {
	t.Helper()

	opts := jwtrevoke.Options{
		Algorithms: []string{"HS256"},
		SigningKey: httpSecret,
	}
	if change != nil {
		change(&opts)
	}

	tracker, err := jwtrevoke.New(store, opts)
	if err != nil {
		t.Fatalf("jwtrevoke.New: %v", err)
	}

	return tracker
}

// issue returns a new token of type typ for subject.
func issue(t *testing.T, tracker *jwtrevoke.Tracker, subject string, typ jwtrevoke.TokenType) (string, *jwtrevoke.Claims) {
	t.Helper()

	token, claims, err := tracker.Issue(context.Background(), subject, typ, nil)
	if err != nil {
		t.Fatalf("Issue %v token: %v", typ, err)
	}

	return token, claims
}

// protectedHandler responds 200 with the subject of the verified claims,
// and counts its calls.
type protectedHandler struct {
	calls atomic.Int64
}

func (h *protectedHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.calls.Add(1)

	claims, ok := jwtrevoke.ClaimsFromContext(r.Context())
	if !ok {
		http.Error(w, "no claims in context", http.StatusInternalServerError)
		return
	}

	_, _ = w.Write([]byte("hello " + claims.Subject))
}

// serve sends a GET request with the given Authorization header values
// (none when empty) through h and returns the recorded response.
func serve(h http.Handler, authorization ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/protected", nil)
	for _, value := range authorization {
		r.Header.Add("Authorization", value)
	}

	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)

	return w
}

// settableClock is a clock for Options.Clock that tests move forward.
type settableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *settableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.now
}

func (c *settableClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.now = c.now.Add(d)
}

// testRSAKey is generated once, because a 2048-bit key takes a while to
// generate under the race detector.
var testRSAKey = sync.OnceValue(func() *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("generate RSA test key: " + err.Error())
	}

	return key
})
