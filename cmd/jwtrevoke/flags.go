package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
)

// defaultStoreURL is the demo server's default file, so that the command
// run beside it needs no flags.
const defaultStoreURL = "bolt://tokens.db"

// settings holds the flags every subcommand takes.
type settings struct {
	store      string
	namespace  string
	mode       string
	checks     string
	accessTTL  time.Duration
	refreshTTL time.Duration
	leeway     time.Duration
	margin     time.Duration
	json       bool
	subject    string // list only
}

// environment is the state a subcommand runs with: its parsed flags, an
// open store, the Tracker on it, and the output streams.
type environment struct {
	settings

	store   kv.Store
	tracker *jwtrevoke.Tracker
	stdout  io.Writer
	stderr  io.Writer
}

// usageError is an error in the command line, which exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// flagSet returns the flags of c, bound to the returned settings. Flag
// errors go to out.
func (c *command) flagSet(out io.Writer) (*flag.FlagSet, *settings) {
	s := &settings{}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(out)

	fs.StringVar(&s.store, "store", defaultStoreURL, "store `URL`: bolt://PATH (the default is the demo server's file; add ?timeout=5s to wait longer for its lock),\nredis://[user:password@]HOST:PORT[/DB], rediss://, redis+cluster://, redis+sentinel://, memcache://HOST:PORT[,HOST:PORT]")
	fs.StringVar(&s.namespace, "namespace", jwtrevoke.DefaultNamespace, "key `prefix` of the Tracker's entries; must match the server's Options.Namespace")
	fs.StringVar(&s.mode, "mode", "track-all", "`mode` of the server's Tracker: track-all (a record for every token) or denylist (only revocations are stored)")
	fs.StringVar(&s.checks, "checks", "all", "which tokens the server checks against the store: all, or refresh (access tokens then cannot be revoked); as the demo server's -checks")
	fs.DurationVar(&s.accessTTL, "access-ttl", jwtrevoke.DefaultAccessTTL, "access token lifetime, a Go `duration` such as 15m; must match the server's, because revocations live as long as the tokens they cover")
	fs.DurationVar(&s.refreshTTL, "refresh-ttl", jwtrevoke.DefaultRefreshTTL, "refresh token lifetime, a Go `duration` such as 168h; must match the server's")
	fs.DurationVar(&s.leeway, "leeway", 0, "clock skew the server allows when it checks expiry, a Go `duration`; must match the server's")
	fs.DurationVar(&s.margin, "margin", jwtrevoke.DefaultMargin, "extra lifetime of stored entries beyond their token's expiry, a Go `duration`; must match the server's")
	fs.BoolVar(&s.json, "json", false, "print one JSON value on stdout instead of text")

	if c.name == "list" {
		fs.StringVar(&s.subject, "subject", "", "list only the tokens of this `subject`; all subjects when empty")
	}

	// execute prints the help itself, to stdout for --help and as a hint
	// after a flag error, so flag's own usage output is turned off.
	fs.Usage = func() {}

	return fs, s
}

// printHelp writes the help of c, with the flags of fs, to w.
func (c *command) printHelp(fs *flag.FlagSet, w io.Writer) {
	usage := "jwtrevoke " + c.name + " [flags]"
	if c.args != "" {
		usage += " " + c.args
	}

	fmt.Fprintf(w, "Usage: %s\n\n%s.\n", usage, upperFirst(c.summary))

	if c.details != "" {
		fmt.Fprintf(w, "\n%s\n", c.details)
	}

	fmt.Fprint(w, "\nFlags (write -flag or --flag):\n")

	fs.SetOutput(w)
	fs.PrintDefaults()

	fmt.Fprint(w, "\nExit codes: 0 success, 1 operation failed, 2 usage error, 3 token not found.\n")
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}

	return strings.ToUpper(s[:1]) + s[1:]
}

// parse reads args into the flags of fs and returns the positional
// arguments. Unlike fs.Parse alone it accepts flags after positional
// arguments, as in "revoke JTI --json", and "--" ends the flags.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string

	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}

		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}

		// flag stops at "--" and drops it, so whatever follows it is
		// positional.
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}

		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// trackerOptions returns the Options of the admin Tracker.
func (s *settings) trackerOptions() (jwtrevoke.Options, error) {
	opts := jwtrevoke.Options{
		Namespace:  s.namespace,
		AccessTTL:  s.accessTTL,
		RefreshTTL: s.refreshTTL,
		Leeway:     s.leeway,
		Margin:     s.margin,
	}

	switch s.mode {
	case "track-all":
		opts.Mode = jwtrevoke.TrackAll
	case "denylist":
		opts.Mode = jwtrevoke.Denylist
	default:
		return opts, &usageError{fmt.Sprintf("invalid --mode %q: use track-all or denylist", s.mode)}
	}

	switch s.checks {
	case "all":
		opts.Scope = jwtrevoke.AllTokens
	case "refresh":
		opts.Scope = jwtrevoke.RefreshOnly
	default:
		return opts, &usageError{fmt.Sprintf("invalid --checks %q: use all or refresh", s.checks)}
	}

	for name, d := range map[string]time.Duration{"access-ttl": s.accessTTL, "refresh-ttl": s.refreshTTL, "margin": s.margin} {
		if d <= 0 {
			return opts, &usageError{fmt.Sprintf("invalid --%s %v: must be greater than 0", name, d)}
		}
	}

	if s.leeway < 0 {
		return opts, &usageError{fmt.Sprintf("invalid --leeway %v: must be 0 or more", s.leeway)}
	}

	return opts, nil
}

// execute parses the command line of c, opens the store, runs c and
// returns the exit code.
func (c *command) execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, s := c.flagSet(stderr)

	positional, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		c.printHelp(fs, stdout)

		return exitOK
	}

	if err != nil {
		// flag has printed the error already.
		fmt.Fprintf(stderr, "Run \"jwtrevoke %s --help\" for usage.\n", c.name)

		return exitUsage
	}

	if len(positional) != c.nargs {
		return c.usageFailure(stderr, fmt.Sprintf("%s takes %d argument(s) (%s), got %d", c.name, c.nargs, strings.TrimSpace(c.args+" "), len(positional)))
	}

	for _, arg := range positional {
		if arg == "" {
			return c.usageFailure(stderr, fmt.Sprintf("%s: %s must not be empty", c.name, c.args))
		}
	}

	env := &environment{settings: *s, stdout: stdout, stderr: stderr}

	code := env.open(ctx, c.name)
	if code != exitOK {
		return code
	}

	defer env.close()

	return exitCode(stderr, c.name, c.run(ctx, env, positional))
}

// usageFailure prints msg and a hint to stderr and returns exitUsage.
func (c *command) usageFailure(stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "jwtrevoke: %s\nRun \"jwtrevoke %s --help\" for usage.\n", msg, c.name)

	return exitUsage
}

// exitCode prints err, if any, and maps it to an exit code.
func exitCode(stderr io.Writer, name string, err error) int {
	if err == nil {
		return exitOK
	}

	// Library errors start with "jwtrevoke: " too, which would repeat.
	fmt.Fprintf(stderr, "jwtrevoke %s: %s\n", name, strings.TrimPrefix(err.Error(), "jwtrevoke: "))

	var usage *usageError

	switch {
	case errors.As(err, &usage):
		return exitUsage
	case errors.Is(err, jwtrevoke.ErrUnknownToken):
		return exitNotFound
	default:
		return exitFailed
	}
}
