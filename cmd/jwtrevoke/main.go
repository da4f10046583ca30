// Command jwtrevoke inspects and revokes the tokens that a jwtrevoke
// Tracker keeps in a store, without the server's signing keys:
//
//	go run ./cmd/jwtrevoke list --subject alice
//	go run ./cmd/jwtrevoke revoke JTI
//	go run ./cmd/jwtrevoke revoke-subject alice --store redis://127.0.0.1:6379/0
//
// Every subcommand takes --store, a store URL that defaults to
// bolt://tokens.db, the file the demo server in examples/server writes by
// default, and the Tracker options that must match the server's:
// --namespace, --mode, --checks and the token lifetimes. Output is for
// people unless --json is set, in which case stdout carries one JSON
// value and messages go to stderr.
//
// A bbolt file can be open in one process at a time. While the server
// runs, the command waits for the file lock (1 s by default, or the
// timeout option of the bolt URL) and then exits 1 with a message that
// the file is locked by another process.
//
// Exit codes: 0 success, 1 the operation failed (store error, locked
// file, unsupported by the store or mode), 2 usage error (unknown
// command or flag, missing argument, invalid store URL), 3 token not
// found.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
)

// Exit codes that scripts can rely on.
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitNotFound = 3
)

// command is one subcommand.
type command struct {
	name    string
	args    string // the positional arguments, for the usage line
	nargs   int    // how many positional arguments it takes
	summary string
	details string // more help text, or empty
	run     func(ctx context.Context, env *environment, args []string) error
}

// commands lists the subcommands in the order the help shows them.
var commands = []*command{
	{
		name: "list", summary: "list the live tokens, of every subject or of one",
		details: "Lists the tokens that have not expired, revoked ones included, oldest first.\n" +
			"Needs --mode track-all and a store that can list keys (bolt, memory, redis; not memcache).",
		run: runList,
	},
	{
		name: "show", args: "JTI", nargs: 1, summary: "show the stored state of one token",
		details: "Exits 3 when the store has no record of JTI. Needs --mode track-all.",
		run:     runShow,
	},
	{
		name: "revoke", args: "JTI", nargs: 1, summary: "revoke one token by its jti",
		details: "Every later check of the token fails. In track-all mode an unknown JTI exits 3;\n" +
			"in denylist mode the revocation is stored whether or not the token exists.",
		run: runRevoke,
	},
	{
		name: "unrevoke", args: "JTI", nargs: 1, summary: "undo the revocation of one token",
		details: "Undoes only a revocation by jti, not revoke-subject, a revoked rotation family\n" +
			"or a used refresh token. In track-all mode an unknown JTI exits 3.",
		run: runUnrevoke,
	},
	{
		name: "revoke-subject", args: "SUBJECT", nargs: 1, summary: "revoke every token of a subject (log out everywhere)",
		details: "Revokes every token of SUBJECT issued before the command returns, with one store write.\n" +
			"Tokens issued afterwards are accepted.",
		run: runRevokeSubject,
	},
	{
		name: "prune", summary: "delete the entries of expired tokens",
		details: "Only a store without TTL needs it (none of the bundled backends: bolt, memory and redis\n" +
			"expire entries themselves, so prune deletes nothing there). Prints progress to stderr\n" +
			"every second while it runs.",
		run: runPrune,
	},
	{
		name: "stats", summary: "count the stored entries by kind",
		details: "Counts token records by type, revoked and used flags, revocation markers, revoked\n" +
			"rotation families, cutoffs, and entries that have expired but are still stored.\n" +
			"Reads every entry under the namespace. Needs a store that can list keys.",
		run: runStats,
	},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()

	os.Exit(code)
}

// run executes the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)

		return exitUsage
	}

	name := args[0]

	switch name {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && name == "help" {
			return runHelp(args[1], stdout, stderr)
		}

		printUsage(stdout)

		return exitOK
	}

	i := slices.IndexFunc(commands, func(c *command) bool { return c.name == name })
	if i < 0 {
		fmt.Fprintf(stderr, "jwtrevoke: unknown command %q\n\n", name)
		printUsage(stderr)

		return exitUsage
	}

	return commands[i].execute(ctx, args[1:], stdout, stderr)
}

// runHelp prints the help of the named subcommand.
func runHelp(name string, stdout, stderr io.Writer) int {
	i := slices.IndexFunc(commands, func(c *command) bool { return c.name == name })
	if i < 0 {
		fmt.Fprintf(stderr, "jwtrevoke: unknown command %q\n\n", name)
		printUsage(stderr)

		return exitUsage
	}

	fs, _ := commands[i].flagSet(stderr)
	commands[i].printHelp(fs, stdout)

	return exitOK
}

// printUsage prints the help of the whole command.
func printUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: jwtrevoke COMMAND [flags] [arguments]

Inspects and revokes the tokens that a jwtrevoke Tracker keeps in a store,
without the server's signing keys.

Commands:
`)

	for _, c := range commands {
		usage := c.name
		if c.args != "" {
			usage += " " + c.args
		}

		fmt.Fprintf(w, "  %-24s %s\n", usage, c.summary)
	}

	fmt.Fprint(w, `
Every command takes --store URL (default bolt://tokens.db, the demo server's
default file) and the Tracker options that must match the server's:
--namespace, --mode, --checks, --access-ttl, --refresh-ttl, --leeway and
--margin. --json prints one JSON value on stdout instead of text.
Run "jwtrevoke help COMMAND" or "jwtrevoke COMMAND --help" for its flags.

A bbolt file is locked while the server has it open: stop the server first.

Exit codes:
  0  success
  1  the operation failed: store error, file locked by another process,
     or not supported by the store or mode
  2  usage error: unknown command or flag, missing argument, invalid URL
  3  token not found (show, revoke, unrevoke in track-all mode)
`)
}
