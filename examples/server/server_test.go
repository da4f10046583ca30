package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anykv/anykv/internal/testserver"
)

// processTimeout bounds how long the tests wait for the server to start
// or to stop. It is generous because CI machines are shared.
const processTimeout = 30 * time.Second

// buildDir is the temporary folder of the server binary, which TestMain
// removes after the tests.
var buildDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "anykv-demo-server-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "create build folder: %v\n", err)
		os.Exit(1)
	}

	buildDir = dir
	code := m.Run()

	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// serverBinary builds the server once for the test binary and returns its
// path, so that the tests run the program as a user does.
var serverBinary = sync.OnceValues(func() (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("find the go command: %w", err)
	}

	binary := filepath.Join(buildDir, "server")

	out, err := exec.Command(goTool, "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}

	return binary, nil
})

// lockedBuffer is a bytes.Buffer safe for one writer and many readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()

	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()

	return b.buf.String()
}

// serverProcess is a running demo server.
type serverProcess struct {
	cmd    *exec.Cmd
	url    string
	log    *lockedBuffer
	exited chan error
}

// startServer runs the server with args plus -addr 127.0.0.1:0, waits
// until it prints its address, and stops it when the test ends.
func startServer(t *testing.T, args ...string) *serverProcess {
	t.Helper()

	binary, err := serverBinary()
	if err != nil {
		t.Fatal(err)
	}

	p := &serverProcess{
		cmd:    exec.Command(binary, append(args, "-addr", "127.0.0.1:0")...),
		log:    &lockedBuffer{},
		exited: make(chan error, 1),
	}
	p.cmd.Stderr = p.log

	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("stdout pipe: %v", err)
	}

	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start server: %v", err)
	}

	// Read the address line, then drain stdout so that the server never
	// blocks on a full pipe. The pipe must be drained before Wait.
	addr := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			if url, ok := strings.CutPrefix(scanner.Text(), "listening on "); ok {
				addr <- url
				break
			}
		}

		_, _ = io.Copy(io.Discard, stdout)
		p.exited <- p.cmd.Wait()
	}()

	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})

	select {
	case p.url = <-addr:
		return p
	case err := <-p.exited:
		t.Fatalf("server exited before listening: %v\nlog:\n%s", err, p.log)
	case <-time.After(processTimeout):
		t.Fatalf("server printed no address within %v\nlog:\n%s", processTimeout, p.log)
	}

	return nil
}

// stop sends SIGTERM and fails t unless the server shuts down cleanly.
func (p *serverProcess) stop(t *testing.T) {
	t.Helper()

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("send SIGTERM: %v", err)
	}

	select {
	case err := <-p.exited:
		if err != nil {
			t.Fatalf("server exited with %v after SIGTERM\nlog:\n%s", err, p.log)
		}
	case <-time.After(processTimeout):
		t.Fatalf("server still running %v after SIGTERM\nlog:\n%s", processTimeout, p.log)
	}

	if !strings.Contains(p.log.String(), `msg="server stopped"`) {
		t.Errorf("log lacks the stop line:\n%s", p.log)
	}
}

// response is what call returns.
type response struct {
	status int
	header http.Header
	body   map[string]any
}

var client = &http.Client{Timeout: 10 * time.Second}

// call sends a request to the server with token as bearer token (none when
// empty) and body as JSON (none when nil).
func (p *serverProcess) call(t *testing.T, method, path, token string, body any) response {
	t.Helper()

	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("encode request body: %v", err)
		}

		reader = bytes.NewReader(data)
	}

	req, err := http.NewRequest(method, p.url+path, reader)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}

	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}

	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()

	out := response{status: resp.StatusCode, header: resp.Header}
	if err := json.NewDecoder(resp.Body).Decode(&out.body); err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("%s %s: decode response body: %v", method, path, err)
	}

	return out
}

// expect fails t unless got has status want.
func expect(t *testing.T, request string, got response, want int) {
	t.Helper()

	if got.status != want {
		t.Fatalf("%s: status %d, want %d; body %v", request, got.status, want, got.body)
	}
}

// expectInvalidToken fails t unless got is 401 with an invalid_token
// challenge.
func expectInvalidToken(t *testing.T, request string, got response) {
	t.Helper()

	expect(t, request, got, http.StatusUnauthorized)

	if challenge := got.header.Get("WWW-Authenticate"); !strings.HasPrefix(challenge, `Bearer error="invalid_token"`) {
		t.Errorf("%s: WWW-Authenticate = %q, want an invalid_token challenge", request, challenge)
	}
}

// login logs user in with the demo password and returns the two tokens.
func (p *serverProcess) login(t *testing.T, user string) (access, refresh string) {
	t.Helper()

	resp := p.call(t, http.MethodPost, "/login", "", map[string]string{"username": user, "password": user})
	expect(t, "login "+user, resp, http.StatusOK)

	return tokenField(t, resp, "access_token"), tokenField(t, resp, "refresh_token")
}

// tokenField returns the string field name of a token response.
func tokenField(t *testing.T, resp response, name string) string {
	t.Helper()

	token, _ := resp.body[name].(string)
	if token == "" {
		t.Fatalf("response has no %s: %v", name, resp.body)
	}

	return token
}

// jtiOf returns the "jti" claim of token, read without verification.
func jtiOf(t *testing.T, token string) string {
	t.Helper()

	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}

	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decode token payload: %v", err)
	}

	var claims struct {
		JTI string `json:"jti"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.JTI == "" {
		t.Fatalf("token payload %s has no jti: %v", payload, err)
	}

	return claims.JTI
}

func TestDemoLogoutSurvivesRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "tokens.db")
	server := startServer(t, "-db", db)

	bad := server.call(t, http.MethodPost, "/login", "", map[string]string{"username": "test", "password": "wrong"})
	expect(t, "login with a wrong password", bad, http.StatusUnauthorized)

	access, refresh := server.login(t, "test")

	resp := server.call(t, http.MethodGet, "/protected", access, nil)
	expect(t, "protected with a fresh access token", resp, http.StatusOK)

	if resp.body["logged_in_as"] != "test" {
		t.Errorf("protected body = %v, want logged_in_as test", resp.body)
	}

	expect(t, "logout", server.call(t, http.MethodDelete, "/logout", access, nil), http.StatusOK)
	expectInvalidToken(t, "protected after logout", server.call(t, http.MethodGet, "/protected", access, nil))

	server.stop(t)
	firstLog := server.log.String()
	server = startServer(t, "-db", db)

	expectInvalidToken(t, "protected after logout and restart", server.call(t, http.MethodGet, "/protected", access, nil))

	resp = server.call(t, http.MethodPost, "/refresh", refresh, nil)
	expect(t, "refresh after restart", resp, http.StatusOK)

	newAccess, newRefresh := tokenField(t, resp, "access_token"), tokenField(t, resp, "refresh_token")
	expect(t, "protected with the refreshed access token", server.call(t, http.MethodGet, "/protected", newAccess, nil), http.StatusOK)

	expect(t, "logout of the refresh token", server.call(t, http.MethodDelete, "/logout/refresh", newRefresh, nil), http.StatusOK)
	expectInvalidToken(t, "refresh with a revoked refresh token", server.call(t, http.MethodPost, "/refresh", newRefresh, nil))
	expectInvalidToken(t, "refresh with a used refresh token", server.call(t, http.MethodPost, "/refresh", refresh, nil))

	server.stop(t)

	log := firstLog + server.log.String()
	for _, want := range []string{`msg="server started"`, "store=\"bolt " + db + "\"", `msg="token revoked" jti=` + jtiOf(t, access) + " sub=test", `msg="token revoked" jti=` + jtiOf(t, newRefresh)} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}

	for _, token := range []string{access, refresh, newAccess, newRefresh} {
		if strings.Contains(log, token) {
			t.Errorf("log contains a token:\n%s", log)
		}
	}
}

func TestDemoRouteTypes(t *testing.T) {
	server := startServer(t, "-store", "memory://")
	access, refresh := server.login(t, "test")

	expect(t, "protected without a token", server.call(t, http.MethodGet, "/protected", "", nil), http.StatusUnauthorized)
	expectInvalidToken(t, "protected with a refresh token", server.call(t, http.MethodGet, "/protected", refresh, nil))
	expectInvalidToken(t, "refresh with an access token", server.call(t, http.MethodPost, "/refresh", access, nil))
	expectInvalidToken(t, "logout/refresh with an access token", server.call(t, http.MethodDelete, "/logout/refresh", access, nil))
	expectInvalidToken(t, "protected with a garbage token", server.call(t, http.MethodGet, "/protected", "not.a.token", nil))

	resp := server.call(t, http.MethodGet, "/protected", "", nil)
	if challenge := resp.header.Get("WWW-Authenticate"); challenge != "Bearer" {
		t.Errorf("protected without a token: WWW-Authenticate = %q, want Bearer", challenge)
	}
}

func TestDemoTokenList(t *testing.T) {
	server := startServer(t, "-db", filepath.Join(t.TempDir(), "tokens.db"))
	access, refresh := server.login(t, "test")
	guestAccess, _ := server.login(t, "guest")

	resp := server.call(t, http.MethodGet, "/tokens", access, nil)
	expect(t, "list tokens", resp, http.StatusOK)

	tokens, _ := resp.body["tokens"].([]any)
	listed := map[string]map[string]any{}
	for _, item := range tokens {
		token, _ := item.(map[string]any)
		jti, _ := token["jti"].(string)
		listed[jti] = token
	}

	if len(listed) != 2 || listed[jtiOf(t, access)]["type"] != "access" || listed[jtiOf(t, refresh)]["type"] != "refresh" {
		t.Fatalf("tokens of test = %v, want its access and refresh token only", resp.body)
	}

	if listed[jtiOf(t, refresh)]["revoked"] != false {
		t.Errorf("fresh refresh token listed as revoked: %v", listed[jtiOf(t, refresh)])
	}

	if _, err := time.Parse(time.RFC3339, fmt.Sprint(listed[jtiOf(t, access)]["expires_at"])); err != nil {
		t.Errorf("expires_at is not an RFC 3339 time: %v", err)
	}

	refreshPath := "/tokens/" + jtiOf(t, refresh)
	expect(t, "revoke own refresh token", server.call(t, http.MethodPut, refreshPath+"/revoke", access, nil), http.StatusOK)
	expectInvalidToken(t, "refresh with the revoked token", server.call(t, http.MethodPost, "/refresh", refresh, nil))

	resp = server.call(t, http.MethodGet, "/tokens", access, nil)
	if !strings.Contains(fmt.Sprint(resp.body), "revoked:true") {
		t.Errorf("tokens after revoke = %v, want one revoked", resp.body)
	}

	expect(t, "unrevoke own refresh token", server.call(t, http.MethodPut, refreshPath+"/unrevoke", access, nil), http.StatusOK)
	expect(t, "refresh after unrevoke", server.call(t, http.MethodPost, "/refresh", refresh, nil), http.StatusOK)

	guestPath := "/tokens/" + jtiOf(t, guestAccess)
	expect(t, "revoke another user's token", server.call(t, http.MethodPut, guestPath+"/revoke", access, nil), http.StatusNotFound)
	expect(t, "unrevoke another user's token", server.call(t, http.MethodPut, guestPath+"/unrevoke", access, nil), http.StatusNotFound)
	expect(t, "revoke an unknown jti", server.call(t, http.MethodPut, "/tokens/no-such-jti/revoke", access, nil), http.StatusNotFound)
	expect(t, "guest's token after test's attempt", server.call(t, http.MethodGet, "/protected", guestAccess, nil), http.StatusOK)
}

func TestDemoRefreshOnlyChecks(t *testing.T) {
	server := startServer(t, "-store", "memory://", "-checks", "refresh")
	access, refresh := server.login(t, "test")

	expect(t, "logout of an unchecked access token", server.call(t, http.MethodDelete, "/logout", access, nil), http.StatusBadRequest)
	expect(t, "protected after the refused logout", server.call(t, http.MethodGet, "/protected", access, nil), http.StatusOK)

	expect(t, "logout of the refresh token", server.call(t, http.MethodDelete, "/logout/refresh", refresh, nil), http.StatusOK)
	expectInvalidToken(t, "refresh after its logout", server.call(t, http.MethodPost, "/refresh", refresh, nil))
}

func TestDemoStoreDown(t *testing.T) {
	redis := testserver.StartRedis(t, testserver.RedisConfig{AOF: true})
	server := startServer(t, "-store", "redis://"+redis.Addr()+"?dial_timeout=500ms&max_retries=-1")
	access, _ := server.login(t, "test")

	redis.Stop()

	resp := server.call(t, http.MethodGet, "/protected", access, nil)
	expect(t, "protected with the store down", resp, http.StatusServiceUnavailable)

	if got := resp.header.Get("Retry-After"); got == "" {
		t.Errorf("503 without Retry-After")
	}

	if got := resp.header.Get("WWW-Authenticate"); got != "" {
		t.Errorf("503 with WWW-Authenticate %q, want none", got)
	}

	expect(t, "login with the store down", server.call(t, http.MethodPost, "/login", "", map[string]string{"username": "test", "password": "test"}), http.StatusServiceUnavailable)

	redis.Restart(t)

	expect(t, "protected once the store is back", server.call(t, http.MethodGet, "/protected", access, nil), http.StatusOK)

	if !strings.Contains(server.log.String(), `msg="token store failed"`) {
		t.Errorf("log lacks the store failure:\n%s", server.log)
	}
}

func TestDemoInvalidFlag(t *testing.T) {
	binary, err := serverBinary()
	if err != nil {
		t.Fatal(err)
	}

	out, err := exec.Command(binary, "-checks", "sometimes", "-store", "memory://").CombinedOutput()

	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("server with -checks sometimes: %v, want exit status 1; output:\n%s", err, out)
	}

	if !strings.Contains(string(out), `invalid -checks \"sometimes\"`) {
		t.Errorf("output does not name the invalid flag:\n%s", out)
	}
}

func TestDemoMemoryStoreForgetsTokens(t *testing.T) {
	server := startServer(t, "-store", "memory://")
	access, refresh := server.login(t, "test")
	server.stop(t)

	// The new process generates a new signing key, so the old tokens
	// fail verification.
	server = startServer(t, "-store", "memory://")

	resp := server.call(t, http.MethodGet, "/protected", access, nil)
	expectInvalidToken(t, "protected after a restart on memory://", resp)

	if resp.body["error_description"] != "token invalid" {
		t.Errorf("protected after a restart on memory://: body %v, want a verification failure", resp.body)
	}

	expectInvalidToken(t, "refresh after a restart on memory://", server.call(t, http.MethodPost, "/refresh", refresh, nil))
}

func TestDemoLockedFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "tokens.db")
	startServer(t, "-db", db)

	binary, err := serverBinary()
	if err != nil {
		t.Fatal(err)
	}

	out, err := exec.Command(binary, "-db", db, "-addr", "127.0.0.1:0").CombinedOutput()

	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("second server on a file in use: %v, want exit status 1; output:\n%s", err, out)
	}

	if !strings.Contains(string(out), "database file locked") {
		t.Errorf("output does not say the file is locked:\n%s", out)
	}
}

func TestDemoOnMemcached(t *testing.T) {
	memcached := testserver.StartMemcached(t, testserver.MemcachedConfig{})
	server := startServer(t, "-store", "memcache://"+memcached.Addr())
	access, refresh := server.login(t, "test")

	expect(t, "protected", server.call(t, http.MethodGet, "/protected", access, nil), http.StatusOK)
	expect(t, "logout", server.call(t, http.MethodDelete, "/logout", access, nil), http.StatusOK)
	expectInvalidToken(t, "protected after logout", server.call(t, http.MethodGet, "/protected", access, nil))
	expect(t, "refresh", server.call(t, http.MethodPost, "/refresh", refresh, nil), http.StatusOK)

	newAccess, _ := server.login(t, "test")
	expect(t, "list tokens on a store that cannot list", server.call(t, http.MethodGet, "/tokens", newAccess, nil), http.StatusNotImplemented)
}
