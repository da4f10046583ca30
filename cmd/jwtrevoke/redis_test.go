package main

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/jwtrevoke"
	kvredis "github.com/anykv/anykv/kv/redis"
)

var redisNamespaces atomic.Int64

// prepareRedis writes the fixture to the shared test Redis in a
// namespace of its own. It returns the server's Tracker, the fixture, and
// the --store and --namespace flags for the command.
func prepareRedis(t *testing.T) (*jwtrevoke.Tracker, fixture, []string) {
	t.Helper()

	url := "redis://" + testserver.Redis(t) + "/0"

	store, err := kvredis.OpenURL(context.Background(), url)
	if err != nil {
		t.Fatalf("open redis store: %v", err)
	}

	t.Cleanup(func() { _ = store.Close() })

	namespace := "admin-cmd-test-" + strconv.FormatInt(redisNamespaces.Add(1), 10) + ":"
	tracker := newServerTracker(t, store, namespace, nil)

	return tracker, issueFixture(t, tracker), []string{"--store", url, "--namespace", namespace}
}

func TestRedisCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tracker, f, flags := prepareRedis(t)

	tokens := listJSON(t, dir, flags...)
	if len(tokens) != 3 {
		t.Fatalf("list --json returned %d tokens, want 3: %+v", len(tokens), tokens)
	}

	if token := showJSON(t, dir, f.bobClaim.ID, flags...); token.Subject != "bob" || token.Type != "access" {
		t.Errorf("show = %+v, want bob's access token", token)
	}

	wantExit(t, runCommand(t, dir, append([]string{"revoke", f.bobClaim.ID}, flags...)...), exitOK)

	if _, err := tracker.Check(ctx, f.bob, jwtrevoke.AnyType); !errors.Is(err, jwtrevoke.ErrRevoked) {
		t.Errorf("server Check after revoke = %v, want ErrRevoked", err)
	}

	wantExit(t, runCommand(t, dir, append([]string{"unrevoke", f.bobClaim.ID}, flags...)...), exitOK)

	if _, err := tracker.Check(ctx, f.bob, jwtrevoke.AnyType); err != nil {
		t.Errorf("server Check after unrevoke = %v, want nil", err)
	}

	wantExit(t, runCommand(t, dir, append([]string{"show", "no-such-jti"}, flags...)...), exitNotFound)
	wantExit(t, runCommand(t, dir, append([]string{"revoke-subject", "alice"}, flags...)...), exitOK)

	if _, err := tracker.Check(ctx, f.pair.Refresh, jwtrevoke.Refresh); !errors.Is(err, jwtrevoke.ErrRevoked) {
		t.Errorf("server Check of alice's token after revoke-subject = %v, want ErrRevoked", err)
	}

	stats := statsJSON(t, dir, flags...)
	wantCount(t, stats, "records", 3)
	wantCount(t, stats, "subject_cutoffs", 1)
	wantCount(t, stats, "other_keys", 0)

	r := runCommand(t, dir, append([]string{"prune"}, flags...)...)
	wantExit(t, r, exitOK)

	if !strings.Contains(r.stdout, "nothing to prune") {
		t.Errorf("prune on Redis: stdout %q does not say there is nothing to prune", r.stdout)
	}
}

func TestRedisUnreachable(t *testing.T) {
	// Port 1 on loopback has no server, so the first command fails.
	r := runCommand(t, t.TempDir(), "list", "--store", "redis://:hunter2-secret@127.0.0.1:1/0?dial_timeout=200ms&max_retries=-1")
	wantExit(t, r, exitFailed)

	if strings.Contains(r.stderr, "hunter2-secret") {
		t.Errorf("stderr prints the password:\n%s", r.stderr)
	}
}
