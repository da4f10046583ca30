package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
)

func runList(ctx context.Context, env *environment, _ []string) error {
	var (
		infos []jwtrevoke.TokenInfo
		err   error
	)

	if env.subject != "" {
		infos, err = env.tracker.ListSubject(ctx, env.subject)

		// ListSubject orders by issue time alone, which leaves the two
		// tokens of a pair in any order. Put them in the order of List.
		slices.SortStableFunc(infos, func(a, b jwtrevoke.TokenInfo) int {
			return cmp.Or(a.Issued.Compare(b.Issued), cmp.Compare(a.Type, b.Type), strings.Compare(a.ID, b.ID))
		})
	} else {
		infos, err = env.tracker.List(ctx)
	}

	if err != nil {
		return explainUnsupported(err, "list")
	}

	tokens := make([]tokenView, len(infos))
	for i, info := range infos {
		tokens[i] = newTokenView(info)
	}

	if env.json {
		return writeJSON(env.stdout, tokens)
	}

	return writeTokenTable(env.stdout, tokens)
}

func runShow(ctx context.Context, env *environment, args []string) error {
	info, err := env.tracker.Lookup(ctx, args[0])
	if err != nil {
		return explainUnsupported(err, "show")
	}

	token := newTokenView(*info)

	if env.json {
		return writeJSON(env.stdout, token)
	}

	return writeTokenDetails(env.stdout, token)
}

func runRevoke(ctx context.Context, env *environment, args []string) error {
	return changeRevoked(ctx, env, args[0], true)
}

func runUnrevoke(ctx context.Context, env *environment, args []string) error {
	return changeRevoked(ctx, env, args[0], false)
}

// changeRevoked revokes or unrevokes the token jti and reports it.
func changeRevoked(ctx context.Context, env *environment, jti string, revoke bool) error {
	change, done := env.tracker.Unrevoke, "unrevoked"
	if revoke {
		change, done = env.tracker.Revoke, "revoked"
	}

	if err := change(ctx, jti); err != nil {
		return err
	}

	if env.json {
		return writeJSON(env.stdout, map[string]any{"jti": jti, "revoked": revoke})
	}

	_, err := fmt.Fprintf(env.stdout, "%s token %s\n", done, kv.QuoteKey(jti))

	return err
}

func runRevokeSubject(ctx context.Context, env *environment, args []string) error {
	subject := args[0]

	if err := env.tracker.RevokeSubject(ctx, subject); err != nil {
		return err
	}

	// RevokeSubject has returned, so every token issued up to now is
	// covered.
	before := time.Now().UTC()

	if env.json {
		return writeJSON(env.stdout, map[string]any{"subject": subject, "revoked_before": before.Format(time.RFC3339Nano)})
	}

	_, err := fmt.Fprintf(env.stdout, "revoked every token of subject %s issued before %s\n", kv.QuoteKey(subject), before.Format(time.RFC3339))

	return err
}

func runStats(ctx context.Context, env *environment, _ []string) error {
	stats, err := env.tracker.Stats(ctx)
	if err != nil {
		return explainUnsupported(err, "stats")
	}

	view := newStatsView(stats)

	if env.json {
		return writeJSON(env.stdout, view)
	}

	return writeStats(env.stdout, view)
}

// explainUnsupported adds to an error matching kv.ErrUnsupported what the
// user can change, because the library's message names the Go API.
func explainUnsupported(err error, name string) error {
	if !errors.Is(err, kv.ErrUnsupported) {
		return err
	}

	return fmt.Errorf("%s is not available with this store or mode (list, show and stats need a store that can list keys, such as bolt or redis, and list and show need --mode track-all): %w", name, err)
}
