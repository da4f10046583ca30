package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/metrics"
)

// progressInterval is how often prune prints a progress line. Tests
// shorten it.
var progressInterval = time.Second

// runPrune removes expired entries in the way the store allows, and
// prints progress to stderr every progressInterval while it runs.
//
//   - A store that reclaims space on demand (kv.Reclaimer, such as bolt)
//     removes its expired entries itself. This covers every namespace in
//     the store, which is safe because expired entries are never read.
//   - Any other store with TTL (redis, memcache) expires entries itself,
//     so there is nothing to do.
//   - A store without TTL gets Tracker.Prune, whose deletes are counted
//     with a kv/metrics wrapper that keeps every capability of the store,
//     because Prune reports its total only at the end.
func runPrune(ctx context.Context, env *environment, _ []string) error {
	if reclaimer, ok := env.store.(kv.Reclaimer); ok {
		removed, err := withProgress(env, nil, func() (int, error) { return reclaimer.Reclaim(ctx) })
		if err != nil {
			return fmt.Errorf("reclaim expired entries: %w", err)
		}

		return writePruneResult(env, removed, "")
	}

	if _, hasTTL := env.store.(kv.TTLStore); hasTTL {
		return writePruneResult(env, 0, "the store expires entries by TTL itself, so there is nothing to prune")
	}

	var deleted atomic.Int64

	counted := metrics.New(env.store, metrics.ObserverFunc(func(op metrics.Op, _ time.Duration, err error) {
		if op == metrics.OpDelete && err == nil {
			deleted.Add(1)
		}
	}))

	opts, err := env.trackerOptions()
	if err != nil {
		return err
	}

	tracker, err := jwtrevoke.NewAdmin(counted, opts)
	if err != nil {
		return err
	}

	removed, err := withProgress(env, &deleted, func() (int, error) { return tracker.Prune(ctx) })
	if err != nil {
		return fmt.Errorf("prune stopped after deleting %d expired entries: %w", removed, err)
	}

	return writePruneResult(env, removed, "")
}

// withProgress runs work while reportProgress prints progress lines, and
// returns what work returns.
func withProgress(env *environment, deleted *atomic.Int64, work func() (int, error)) (int, error) {
	done := make(chan struct{})
	stopped := make(chan struct{})

	go func() {
		defer close(stopped)
		reportProgress(env, deleted, done)
	}()

	removed, err := work()
	close(done)
	<-stopped

	return removed, err
}

// reportProgress prints a line to stderr every progressInterval until
// done is closed, with the count of deleted entries unless deleted is nil.
func reportProgress(env *environment, deleted *atomic.Int64, done <-chan struct{}) {
	start := time.Now()
	ticker := time.NewTicker(progressInterval)
	defer ticker.Stop()

	for {
		select {
		case <-done:
			return
		case now := <-ticker.C:
			elapsed := now.Sub(start).Round(time.Second)
			if deleted == nil {
				fmt.Fprintf(env.stderr, "prune: still removing expired entries after %s\n", elapsed)
			} else {
				fmt.Fprintf(env.stderr, "prune: %d expired entries deleted after %s\n", deleted.Load(), elapsed)
			}
		}
	}
}

// writePruneResult prints how many entries prune deleted, with note when
// it is not empty.
func writePruneResult(env *environment, removed int, note string) error {
	if env.json {
		result := map[string]any{"deleted": removed}
		if note != "" {
			result["note"] = note
		}

		return writeJSON(env.stdout, result)
	}

	if note != "" {
		_, err := fmt.Fprintf(env.stdout, "deleted 0 entries: %s\n", note)

		return err
	}

	_, err := fmt.Fprintf(env.stdout, "deleted %d expired entries\n", removed)

	return err
}
