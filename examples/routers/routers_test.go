package routers

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv/memory"
)

func TestMiddlewareUnderRouters(t *testing.T) {
	routers := map[string]func(func(http.Handler) http.Handler) http.Handler{
		"ServeMux": ServeMux,
		"chi":      Chi,
		"gorilla":  Gorilla,
	}

	for name, build := range routers {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()

			store := memory.New(nil)
			t.Cleanup(func() { store.Close() })

			tracker, err := jwtrevoke.New(store, jwtrevoke.Options{
				Algorithms: []string{"HS256"},
				SigningKey: []byte("routers-test-secret-of-32-bytes!"),
			})
			if err != nil {
				t.Fatal(err)
			}

			server := httptest.NewServer(build(tracker.Middleware(nil)))
			t.Cleanup(server.Close)

			token, claims, err := tracker.Issue(ctx, "alice", jwtrevoke.Access, nil)
			if err != nil {
				t.Fatal(err)
			}

			status, challenge, body := get(t, server.URL+"/hello", "")
			if status != http.StatusUnauthorized || challenge != "Bearer" {
				t.Errorf("no token: %d %q, want 401 with a bare Bearer challenge", status, challenge)
			}

			status, _, body = get(t, server.URL+"/hello", token)
			if status != http.StatusOK || body != "hello alice" {
				t.Errorf("valid token: %d %q, want 200 \"hello alice\"", status, body)
			}

			if err := tracker.Revoke(ctx, claims.ID); err != nil {
				t.Fatal(err)
			}

			status, challenge, _ = get(t, server.URL+"/hello", token)
			want := `Bearer error="invalid_token", error_description="token revoked"`
			if status != http.StatusUnauthorized || challenge != want {
				t.Errorf("revoked token: %d %q, want 401 %q", status, challenge, want)
			}
		})
	}
}

// get sends GET url with token as a bearer token when it is not empty, and
// returns the status, the WWW-Authenticate header and the body.
func get(t *testing.T, url, token string) (int, string, string) {
	t.Helper()

	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}

	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}

	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(body)
}
