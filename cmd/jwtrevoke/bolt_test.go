package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv/bolt"
)

func TestBoltListDefaultStore(t *testing.T) {
	file, f := prepareBolt(t)

	// No --store: the command reads tokens.db in its working folder.
	r := runCommand(t, file.dir, "list")
	wantExit(t, r, exitOK)

	for _, want := range []string{f.pair.AccessClaims.ID, f.pair.RefreshClaims.ID, f.bobClaim.ID, "alice", "bob", "3 token(s)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("list output lacks %q:\n%s", want, r.stdout)
		}
	}

	tokens := listJSON(t, file.dir)
	if len(tokens) != 3 {
		t.Fatalf("list --json returned %d tokens, want 3: %+v", len(tokens), tokens)
	}

	wantIDs := []string{f.pair.AccessClaims.ID, f.pair.RefreshClaims.ID, f.bobClaim.ID}
	for i, id := range wantIDs {
		if tokens[i].ID != id {
			t.Errorf("token %d is %q, want %q (oldest first)", i, tokens[i].ID, id)
		}
	}

	if tokens[1].Type != "refresh" || tokens[1].Subject != "alice" || tokens[1].Family != f.pair.RefreshClaims.ID {
		t.Errorf("token 1 = %+v, want alice's refresh token of its own family", tokens[1])
	}

	bob := listJSON(t, file.dir, "--subject", "bob")
	if len(bob) != 1 || bob[0].ID != f.bobClaim.ID {
		t.Errorf("list --subject bob = %+v, want only bob's token", bob)
	}

	alice := listJSON(t, file.dir, "--subject", "alice")
	if len(alice) != 2 || alice[0].ID != f.pair.AccessClaims.ID || alice[1].ID != f.pair.RefreshClaims.ID {
		t.Errorf("list --subject alice = %+v, want her access token, then her refresh token", alice)
	}

	if none := listJSON(t, file.dir, "--subject", "nobody"); len(none) != 0 {
		t.Errorf("list --subject nobody = %+v, want none", none)
	}
}

func TestBoltRevokeAndUnrevoke(t *testing.T) {
	file, f := prepareBolt(t)
	jti := f.bobClaim.ID

	// Flags after the argument work too.
	r := runCommand(t, file.dir, "revoke", jti, "--json")
	wantExit(t, r, exitOK)

	var revoked struct {
		ID      string `json:"jti"`
		Revoked bool   `json:"revoked"`
	}
	decodeJSON(t, r, &revoked)

	if revoked.ID != jti || !revoked.Revoked {
		t.Errorf("revoke --json = %+v, want jti %q revoked", revoked, jti)
	}

	if err := file.check(t, f.bob); !errors.Is(err, jwtrevoke.ErrRevoked) {
		t.Errorf("server Check after revoke = %v, want ErrRevoked", err)
	}

	if token := showJSON(t, file.dir, jti); !token.Revoked || token.Subject != "bob" {
		t.Errorf("show after revoke = %+v, want bob's token, revoked", token)
	}

	r = runCommand(t, file.dir, "unrevoke", jti)
	wantExit(t, r, exitOK)

	if !strings.Contains(r.stdout, "unrevoked") {
		t.Errorf("unrevoke output %q does not say it unrevoked", r.stdout)
	}

	if err := file.check(t, f.bob); err != nil {
		t.Errorf("server Check after unrevoke = %v, want nil", err)
	}

	if token := showJSON(t, file.dir, jti); token.Revoked {
		t.Errorf("show after unrevoke = %+v, want not revoked", token)
	}
}

func TestBoltShowText(t *testing.T) {
	file, f := prepareBolt(t)

	r := runCommand(t, file.dir, "show", f.pair.RefreshClaims.ID)
	wantExit(t, r, exitOK)

	for _, want := range []string{"subject: alice", "type:    refresh", "state:   active", f.pair.RefreshClaims.ID} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show output lacks %q:\n%s", want, r.stdout)
		}
	}

	token := showJSON(t, file.dir, f.pair.RefreshClaims.ID)
	if !token.Expires.Equal(f.pair.RefreshClaims.ExpiresAt.Time) {
		t.Errorf("show expires_at = %v, want %v", token.Expires, f.pair.RefreshClaims.ExpiresAt.Time)
	}
}

func TestBoltUnknownJTIExits3(t *testing.T) {
	file, _ := prepareBolt(t)

	for _, command := range []string{"show", "revoke", "unrevoke"} {
		t.Run(command, func(t *testing.T) {
			r := runCommand(t, file.dir, command, "no-such-jti")
			wantExit(t, r, exitNotFound)

			if !strings.Contains(r.stderr, "no-such-jti") {
				t.Errorf("stderr %q does not name the jti", r.stderr)
			}
		})
	}
}

func TestBoltRevokeSubject(t *testing.T) {
	file, f := prepareBolt(t)

	r := runCommand(t, file.dir, "revoke-subject", "alice", "--json")
	wantExit(t, r, exitOK)

	var out struct {
		Subject string    `json:"subject"`
		Before  time.Time `json:"revoked_before"`
	}
	decodeJSON(t, r, &out)

	if out.Subject != "alice" || !out.Before.After(f.pair.AccessClaims.Issued()) {
		t.Errorf("revoke-subject --json = %+v, want alice revoked after her tokens were issued", out)
	}

	for _, token := range []string{f.pair.Access, f.pair.Refresh} {
		if err := file.check(t, token); !errors.Is(err, jwtrevoke.ErrRevoked) {
			t.Errorf("server Check of alice's token after revoke-subject = %v, want ErrRevoked", err)
		}
	}

	if err := file.check(t, f.bob); err != nil {
		t.Errorf("server Check of bob's token after revoke-subject alice = %v, want nil", err)
	}

	stats := statsJSON(t, file.dir)
	wantCount(t, stats, "subject_cutoffs", 1)
}

func TestBoltStats(t *testing.T) {
	file, f := prepareBolt(t)

	wantExit(t, runCommand(t, file.dir, "revoke", f.bobClaim.ID), exitOK)

	stats := statsJSON(t, file.dir)
	wantCount(t, stats, "records", 3)
	wantCount(t, stats, "access_records", 2)
	wantCount(t, stats, "refresh_records", 1)
	wantCount(t, stats, "revoked_records", 1)
	wantCount(t, stats, "index_entries", 3)
	wantCount(t, stats, "expired_not_pruned", 0)
	wantCount(t, stats, "corrupt", 0)

	r := runCommand(t, file.dir, "stats")
	wantExit(t, r, exitOK)

	if !strings.Contains(r.stdout, "(access 2, refresh 1)") {
		t.Errorf("stats output lacks the split by type:\n%s", r.stdout)
	}
}

func TestBoltPrune(t *testing.T) {
	file, _ := prepareBolt(t)

	r := runCommand(t, file.dir, "prune", "--json")
	wantExit(t, r, exitOK)

	var out struct {
		Deleted *int `json:"deleted"`
	}
	decodeJSON(t, r, &out)

	// Nothing has expired, so bbolt's reclaim finds nothing.
	if out.Deleted == nil || *out.Deleted != 0 {
		t.Errorf("prune --json = %s, want deleted 0", r.stdout)
	}

	if tokens := listJSON(t, file.dir); len(tokens) != 3 {
		t.Errorf("%d tokens after prune, want 3", len(tokens))
	}
}

func TestBoltMissingFile(t *testing.T) {
	dir := t.TempDir()

	r := runCommand(t, dir, "list", "--store", "bolt://missing.db")
	wantExit(t, r, exitFailed)

	if !strings.Contains(r.stderr, "does not exist") {
		t.Errorf("stderr %q does not say the file is missing", r.stderr)
	}

	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the command created missing.db: %v", err)
	}
}

func TestBoltLockedByServer(t *testing.T) {
	file, _ := prepareBolt(t)

	// This process opens the file as the running server does, which
	// keeps it locked.
	server, err := bolt.Open(file.path, nil)
	if err != nil {
		t.Fatalf("open bolt file: %v", err)
	}
	defer server.Close()

	for _, command := range [][]string{{"list"}, {"revoke", "some-jti"}} {
		r := runCommand(t, file.dir, append(command, "--store", "bolt://tokens.db?timeout=200ms")...)
		wantExit(t, r, exitFailed)

		if !strings.Contains(r.stderr, "locked by another process") {
			t.Errorf("%s: stderr %q does not say the file is locked by another process", command[0], r.stderr)
		}
	}
}

func TestDenylistModeCommands(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tokens.db")

	store, err := bolt.Open(path, nil)
	if err != nil {
		t.Fatalf("open bolt file: %v", err)
	}

	tracker := newServerTracker(t, store, "", func(o *jwtrevoke.Options) { o.Mode = jwtrevoke.Denylist })
	f := issueFixture(t, tracker)
	_ = store.Close()

	r := runCommand(t, dir, "show", f.bobClaim.ID, "--mode", "denylist")
	wantExit(t, r, exitFailed)

	if !strings.Contains(r.stderr, "track-all") {
		t.Errorf("show in denylist mode: stderr %q does not point to --mode track-all", r.stderr)
	}

	wantExit(t, runCommand(t, dir, "revoke", f.bobClaim.ID, "--mode", "denylist"), exitOK)

	file := boltFile{dir: dir, path: path}
	store, err = bolt.Open(path, nil)
	if err != nil {
		t.Fatalf("open bolt file: %v", err)
	}

	_, err = newServerTracker(t, store, "", func(o *jwtrevoke.Options) { o.Mode = jwtrevoke.Denylist }).
		Check(t.Context(), f.bob, jwtrevoke.AnyType)
	_ = store.Close()

	if !errors.Is(err, jwtrevoke.ErrRevoked) {
		t.Errorf("server Check after revoke in denylist mode = %v, want ErrRevoked", err)
	}

	stats := statsJSON(t, file.dir, "--mode", "denylist")
	wantCount(t, stats, "revoked_markers", 1)
	wantCount(t, stats, "records", 0)
}
