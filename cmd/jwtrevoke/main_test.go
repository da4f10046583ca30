package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
)

// binaryPath is the command built by TestMain.
var binaryPath string

// TestMain builds the command next to the test binary, in the folder
// that "go test" removes after the run, because testserver.Main exits
// the process and leaves no place for a cleanup of our own.
func TestMain(m *testing.M) {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "find the test binary: %v\n", err)
		os.Exit(1)
	}

	binaryPath = filepath.Join(filepath.Dir(exe), "jwtrevoke-under-test")

	build := exec.Command("go", "build", "-o", binaryPath, ".")
	build.Stderr = os.Stderr

	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build the jwtrevoke command: %v\n", err)
		os.Exit(1)
	}

	testserver.Main(m)
}

// result is the outcome of one run of the command.
type result struct {
	stdout string
	stderr string
	code   int
}

// runCommand runs the built command with args in dir.
func runCommand(t *testing.T, dir string, args ...string) result {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	cmd := exec.CommandContext(ctx, binaryPath, args...)
	cmd.Dir = dir

	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr

	err := cmd.Run()

	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run jwtrevoke %q: %v", args, err)
	}

	return result{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
}

// wantExit fails t unless r ended with code.
func wantExit(t *testing.T, r result, code int) {
	t.Helper()

	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
}

// decodeJSON decodes the stdout of r into v.
func decodeJSON(t *testing.T, r result, v any) {
	t.Helper()

	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		t.Fatalf("stdout is not the expected JSON: %v\n%s", err, r.stdout)
	}
}

// testSecret is the HS256 key of the server Trackers in these tests.
var testSecret = []byte("admin-command-test-secret-32byte")

// newServerTracker returns a Tracker with the demo server's options on
// store, in namespace, after applying change.
func newServerTracker(t *testing.T, store kv.Store, namespace string, change func(*jwtrevoke.Options)) *jwtrevoke.Tracker {
	t.Helper()

	opts := jwtrevoke.Options{Algorithms: []string{"HS256"}, SigningKey: testSecret, Namespace: namespace}
	if change != nil {
		change(&opts)
	}

	tracker, err := jwtrevoke.New(store, opts)
	if err != nil {
		t.Fatalf("jwtrevoke.New: %v", err)
	}

	return tracker
}

// fixture is a store prepared with tokens of two subjects: a pair of
// alice and an access token of bob.
type fixture struct {
	pair     *jwtrevoke.Pair
	bob      string
	bobClaim *jwtrevoke.Claims
}

func issueFixture(t *testing.T, tracker *jwtrevoke.Tracker) fixture {
	t.Helper()

	ctx := context.Background()

	pair, err := tracker.IssuePair(ctx, "alice", nil)
	if err != nil {
		t.Fatalf("IssuePair: %v", err)
	}

	bob, bobClaims, err := tracker.Issue(ctx, "bob", jwtrevoke.Access, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	return fixture{pair: pair, bob: bob, bobClaim: bobClaims}
}

// boltFile is a bbolt file in its own folder, as the demo server leaves
// it: tokens.db with the default namespace.
type boltFile struct {
	dir  string
	path string
}

// prepareBolt writes the fixture to dir/tokens.db and closes the file.
func prepareBolt(t *testing.T) (boltFile, fixture) {
	t.Helper()

	dir := t.TempDir()
	file := boltFile{dir: dir, path: filepath.Join(dir, "tokens.db")}

	store, err := bolt.Open(file.path, nil)
	if err != nil {
		t.Fatalf("open bolt file: %v", err)
	}

	f := issueFixture(t, newServerTracker(t, store, "", nil))

	if err := store.Close(); err != nil {
		t.Fatalf("close bolt file: %v", err)
	}

	return file, f
}

// check opens file and runs Check on token, as the server would after a
// restart.
func (file boltFile) check(t *testing.T, token string) error {
	t.Helper()

	store, err := bolt.Open(file.path, nil)
	if err != nil {
		t.Fatalf("open bolt file: %v", err)
	}
	defer store.Close()

	_, err = newServerTracker(t, store, "", nil).Check(context.Background(), token, jwtrevoke.AnyType)

	return err
}

// tokenJSON is one token of the --json output of list and show.
type tokenJSON struct {
	ID      string    `json:"jti"`
	Subject string    `json:"subject"`
	Type    string    `json:"type"`
	Family  string    `json:"family"`
	Issued  time.Time `json:"issued_at"`
	Expires time.Time `json:"expires_at"`
	Revoked bool      `json:"revoked"`
	Used    bool      `json:"used"`
}

// listJSON runs list --json with extra arguments and returns the tokens.
func listJSON(t *testing.T, dir string, args ...string) []tokenJSON {
	t.Helper()

	r := runCommand(t, dir, append([]string{"list", "--json"}, args...)...)
	wantExit(t, r, exitOK)

	var tokens []tokenJSON
	decodeJSON(t, r, &tokens)

	return tokens
}

// showJSON runs show --json for jti with extra arguments.
func showJSON(t *testing.T, dir, jti string, args ...string) tokenJSON {
	t.Helper()

	r := runCommand(t, dir, append([]string{"show", jti, "--json"}, args...)...)
	wantExit(t, r, exitOK)

	var token tokenJSON
	decodeJSON(t, r, &token)

	return token
}

// statsJSON runs stats --json with extra arguments.
func statsJSON(t *testing.T, dir string, args ...string) map[string]any {
	t.Helper()

	r := runCommand(t, dir, append([]string{"stats", "--json"}, args...)...)
	wantExit(t, r, exitOK)

	var stats map[string]any
	decodeJSON(t, r, &stats)

	return stats
}

// wantCount fails t unless stats[name] is the JSON number want.
func wantCount(t *testing.T, stats map[string]any, name string, want int) {
	t.Helper()

	if got, ok := stats[name].(float64); !ok || int(got) != want {
		t.Errorf("stats %s = %v, want %d", name, stats[name], want)
	}
}
