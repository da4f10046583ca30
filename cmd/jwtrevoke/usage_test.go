package main

import (
	"strings"
	"testing"
)

func TestHelpForEveryCommand(t *testing.T) {
	dir := t.TempDir()

	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		r := runCommand(t, dir, args...)
		wantExit(t, r, exitOK)

		for _, want := range []string{"Usage: jwtrevoke COMMAND", "bolt://tokens.db", "Exit codes:", "3  token not found"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%q output lacks %q:\n%s", args, want, r.stdout)
			}
		}
	}

	for _, c := range commands {
		for _, args := range [][]string{{c.name, "--help"}, {"help", c.name}} {
			r := runCommand(t, dir, args...)
			wantExit(t, r, exitOK)

			wants := []string{
				"Usage: jwtrevoke " + c.name,
				"-store URL", "default \"bolt://tokens.db\"", "demo server's file",
				"-namespace", "-mode", "-checks",
				"-access-ttl duration", "Go duration such as 15m",
				"-json", "Exit codes:",
			}
			if c.name == "list" {
				wants = append(wants, "-subject subject")
			}

			for _, want := range wants {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("%q output lacks %q:\n%s", args, want, r.stdout)
				}
			}
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	dir := t.TempDir()

	cases := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no command", nil, "Usage: jwtrevoke"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"help for unknown command", []string{"help", "frobnicate"}, `unknown command "frobnicate"`},
		{"unknown flag", []string{"list", "--colour"}, "flag provided but not defined: -colour"},
		{"missing jti", []string{"revoke"}, "revoke takes 1 argument(s) (JTI), got 0"},
		{"extra argument", []string{"show", "a", "b"}, "got 2"},
		{"argument to list", []string{"list", "alice"}, "list takes 0 argument(s)"},
		{"empty jti", []string{"revoke", ""}, "must not be empty"},
		{"bad mode", []string{"stats", "--mode", "allow"}, `invalid --mode "allow"`},
		{"bad checks", []string{"stats", "--checks", "some"}, `invalid --checks "some"`},
		{"bad duration", []string{"stats", "--access-ttl", "15"}, "invalid value"},
		{"zero lifetime", []string{"stats", "--refresh-ttl", "0s"}, "must be greater than 0"},
	}

	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			r := runCommand(t, dir, c.args...)
			wantExit(t, r, exitUsage)

			if !strings.Contains(r.stderr, c.stderr) {
				t.Errorf("stderr lacks %q:\n%s", c.stderr, r.stderr)
			}

			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing on a usage error", r.stdout)
			}
		})
	}
}

func TestBadStoreURLExit2(t *testing.T) {
	// The bolt case needs the file, because a missing file is reported
	// before the URL's options are checked.
	file, _ := prepareBolt(t)
	dir := file.dir
	const password = "hunter2-secret"

	cases := []struct {
		name   string
		url    string
		stderr string
	}{
		{"unknown scheme", "ftp://admin:" + password + "@127.0.0.1/tokens", `"ftp"`},
		{"redis option", "redis://admin:" + password + "@127.0.0.1:6379/0?no_such_option=1", "redis://admin:"},
		{"bolt option", "bolt://tokens.db?cache=big", "unknown query option \"cache\""},
		{"memcache user", "memcache://admin:" + password + "@127.0.0.1:11211", "memcache://admin:"},
		{"no scheme", "tokens.db", "no scheme"},
	}

	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			r := runCommand(t, dir, "list", "--store", c.url)
			wantExit(t, r, exitUsage)

			if !strings.Contains(r.stderr, c.stderr) {
				t.Errorf("stderr lacks %q:\n%s", c.stderr, r.stderr)
			}

			if strings.Contains(r.stderr, password) {
				t.Errorf("stderr prints the password:\n%s", r.stderr)
			}
		})
	}
}
