package jwtrevoke_test

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
	"github.com/anykv/anykv/kv/memory"
)

// fullStore is a store with every optional capability, as kv/memory and
// kv/bolt have.
type fullStore interface {
	kv.TTLStore
	kv.Lister
	kv.AtomicStore
	kv.BatchGetter
}

// errStoreDown is what failingStore returns for the calls it fails.
var errStoreDown = errors.New("store down for the test")

// failingStore passes every call to a real store, except that it fails
// reads while failReads is set and writes while failWrites is set.
type failingStore struct {
	inner      fullStore
	failReads  atomic.Bool
	failWrites atomic.Bool
}

func (s *failingStore) read() error {
	if s.failReads.Load() {
		return errStoreDown
	}

	return nil
}

func (s *failingStore) write() error {
	if s.failWrites.Load() {
		return errStoreDown
	}

	return nil
}

func (s *failingStore) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.read(); err != nil {
		return nil, err
	}

	return s.inner.Get(ctx, key)
}

func (s *failingStore) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	if err := s.read(); err != nil {
		return nil, err
	}

	return s.inner.GetMany(ctx, keys)
}

func (s *failingStore) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	if err := s.read(); err != nil {
		return func(yield func(string, error) bool) { yield("", err) }
	}

	return s.inner.Keys(ctx, prefix)
}

func (s *failingStore) Put(ctx context.Context, key string, value []byte) error {
	if err := s.write(); err != nil {
		return err
	}

	return s.inner.Put(ctx, key, value)
}

func (s *failingStore) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.write(); err != nil {
		return err
	}

	return s.inner.PutTTL(ctx, key, value, ttl)
}

func (s *failingStore) Delete(ctx context.Context, key string) error {
	if err := s.write(); err != nil {
		return err
	}

	return s.inner.Delete(ctx, key)
}

func (s *failingStore) PutIfAbsent(ctx context.Context, key string, value []byte) (bool, error) {
	if err := s.write(); err != nil {
		return false, err
	}

	return s.inner.PutIfAbsent(ctx, key, value)
}

func (s *failingStore) PutIfAbsentTTL(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := s.write(); err != nil {
		return false, err
	}

	return s.inner.PutIfAbsentTTL(ctx, key, value, ttl)
}

func (s *failingStore) CompareAndSwap(ctx context.Context, key string, oldValue, newValue []byte) (bool, error) {
	if err := s.write(); err != nil {
		return false, err
	}

	return s.inner.CompareAndSwap(ctx, key, oldValue, newValue)
}

func (s *failingStore) CompareAndSwapTTL(ctx context.Context, key string, oldValue, newValue []byte, ttl time.Duration) (bool, error) {
	if err := s.write(); err != nil {
		return false, err
	}

	return s.inner.CompareAndSwapTTL(ctx, key, oldValue, newValue, ttl)
}

func (s *failingStore) Close() error { return nil }

// onEndpointBackends runs test once on kv/memory and once on kv/bolt, each
// behind a failingStore that does not fail until the test sets failReads
// or failWrites.
func onEndpointBackends(t *testing.T, test func(t *testing.T, store *failingStore)) {
	t.Helper()

	backends := []struct {
		name string
		open func(t *testing.T) fullStore
	}{
		{"memory", func(t *testing.T) fullStore { return memory.New(nil) }},
		{"bolt", func(t *testing.T) fullStore {
			s, err := bolt.Open(filepath.Join(t.TempDir(), "tokens.db"), nil)
			if err != nil {
				t.Fatalf("open bolt store: %v", err)
			}

			return s
		}},
	}

	for _, backend := range backends {
		t.Run(backend.name, func(t *testing.T) {
			inner := backend.open(t)
			t.Cleanup(func() { _ = inner.Close() })

			test(t, &failingStore{inner: inner})
		})
	}
}

// testClientSecret is the password that allowClient accepts for client
// "app" with HTTP Basic authentication.
const testClientSecret = "app-secret"

// allowClient accepts requests from client "app" with its secret.
func allowClient(r *http.Request) error {
	id, secret, ok := r.BasicAuth()
	if !ok || id != "app" || secret != testClientSecret {
		return errors.New("unknown client or wrong secret")
	}

	return nil
}

// postForm sends form to h as an authenticated client and returns the
// response.
func postForm(h http.Handler, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/endpoint", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.SetBasicAuth("app", testClientSecret)

	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)

	return w
}

// postToken sends a request for token, with hint unless it is empty.
func postToken(h http.Handler, token, hint string) *httptest.ResponseRecorder {
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}

	return postForm(h, form)
}

// checkNoStore fails t unless the response forbids caching.
func checkNoStore(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()

	if got := w.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
}

// checkOAuthError fails t unless w is an RFC 6749 error response with
// status and code.
func checkOAuthError(t *testing.T, w *httptest.ResponseRecorder, status int, code string) {
	t.Helper()

	if w.Code != status {
		t.Errorf("status = %d, want %d; body %s", w.Code, status, w.Body)
	}

	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body %q is not JSON: %v", w.Body, err)
	}

	if body.Error != code {
		t.Errorf("error = %q, want %q", body.Error, code)
	}

	if body.Description == "" {
		t.Error("error_description is empty")
	}

	checkNoStore(t, w)
}

// checkInactive fails t unless w reports the token inactive with nothing
// but the active member.
func checkInactive(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()

	if w.Code != http.StatusOK {
		t.Errorf("status = %d, want 200; body %s", w.Code, w.Body)
	}

	if got := strings.TrimSpace(w.Body.String()); got != `{"active":false}` {
		t.Errorf("body = %s, want exactly {\"active\":false}", got)
	}

	checkNoStore(t, w)
}

// checkRevoked fails t unless Check rejects token as revoked.
func checkRevoked(t *testing.T, tracker *jwtrevoke.Tracker, token string) {
	t.Helper()

	_, err := tracker.Check(context.Background(), token, jwtrevoke.AnyType)
	if !errors.Is(err, jwtrevoke.ErrRevoked) {
		t.Errorf("Check after revocation: err = %v, want ErrRevoked", err)
	}
}

// newMemoryStore returns a kv/memory store that is closed when the test
// ends.
func newMemoryStore(t *testing.T) *memory.Store {
	s := memory.New(nil)
	t.Cleanup(func() { _ = s.Close() })

	return s
}

// discardLogger returns a logger that writes nothing, for tests that make
// a Tracker log on purpose.
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
