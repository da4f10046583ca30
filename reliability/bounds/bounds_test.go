package bounds_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
	"github.com/anykv/anykv/kv/memory"
	"github.com/anykv/anykv/reliability/internal/harness"
)

// growthFactor is how much larger the last window may be than the first
// measured one. A store that reclaims nothing grows with every window, and
// the windows are enough for it to pass this factor.
const growthFactor = 3

// Slack added to each bound, so that small absolute numbers do not fail
// on noise: a garbage-collected heap varies by a few megabytes, and a
// store may keep the entries of the last two windows whatever it kept
// before.
const (
	minEntryBound = 2 // windows' worth of issues
	heapSlack     = 8 << 20
	fileSlack     = 1 << 20
)

// load is one shape of steady issue-and-expire load.
type load struct {
	name     string
	window   time.Duration // how long each window issues
	windows  int
	warmUp   int // windows before the first measured one, for entries to start expiring
	reclaim  time.Duration
	writers  int
	newIssue func(t *testing.T, store kv.Store) func(ctx context.Context) error
}

// shortLoad puts entries with a 20 ms TTL straight into the store: the
// default run, short enough for CI.
var shortLoad = load{
	name:    "20ms entries",
	window:  150 * time.Millisecond,
	windows: 26,
	warmUp:  2,
	reclaim: 20 * time.Millisecond,
	writers: 4,
	newIssue: func(t *testing.T, store kv.Store) func(ctx context.Context) error {
		var n atomic.Int64
		value := make([]byte, 100)

		return func(ctx context.Context) error {
			key := fmt.Sprint("entry-", n.Add(1))
			return store.(kv.TTLStore).PutTTL(ctx, key, value, 20*time.Millisecond)
		}
	},
}

// trackerLoad issues tokens through a Tracker whose records live one or
// two seconds: the full run.
var trackerLoad = load{
	name:    "tracker records",
	window:  time.Second,
	windows: 40,
	warmUp:  4,
	reclaim: 200 * time.Millisecond,
	writers: 4,
	newIssue: func(t *testing.T, store kv.Store) func(ctx context.Context) error {
		opts := harness.TrackerOptions(jwtrevoke.TrackAll)
		opts.AccessTTL = time.Millisecond
		opts.Margin = time.Nanosecond
		tracker := harness.NewTracker(t, store, opts)

		return func(ctx context.Context) error {
			_, _, err := tracker.Issue(ctx, "user", jwtrevoke.Access, nil)
			return err
		}
	},
}

func currentLoad() load {
	if os.Getenv("ANYKV_RELIABILITY_FULL") != "" {
		return trackerLoad
	}

	return shortLoad
}

// sample is what one window ends with.
type sample struct {
	issued  int64
	entries int64 // live and expired entries the store still keeps
	heap    uint64
	file    int64 // bytes; 0 for memory
}

// backend opens a store with reclaiming every interval and reports how
// many entries it keeps and how large its file is.
type backend struct {
	name string
	open func(t *testing.T, interval time.Duration) (store kv.Store, entries func() int64, file func() int64)
}

var backends = []backend{
	{"memory", func(t *testing.T, interval time.Duration) (kv.Store, func() int64, func() int64) {
		store := memory.New(&memory.Options{ReclaimInterval: interval})
		t.Cleanup(func() { _ = store.Close() })

		return store, func() int64 { return int64(store.Len()) }, func() int64 { return 0 }
	}},
	{"bolt", func(t *testing.T, interval time.Duration) (kv.Store, func() int64, func() int64) {
		path := filepath.Join(t.TempDir(), "bounds.db")

		store, err := bolt.Open(path, &bolt.Options{ReclaimInterval: interval})
		if err != nil {
			t.Fatalf("open bolt: %v", err)
		}

		t.Cleanup(func() { _ = store.Close() })

		return store, func() int64 { return boltEntries(t, store) }, func() int64 { return fileSize(t, path) }
	}},
}

// boltEntries counts the entries in the store's data bucket, expired ones
// not yet reclaimed included, which a listing would skip.
func boltEntries(t *testing.T, store *bolt.Store) int64 {
	var n int

	err := store.DB().View(func(tx *bbolt.Tx) error {
		data := tx.Bucket([]byte(bolt.DefaultBucket)).Bucket([]byte("data"))
		n = data.Stats().KeyN

		return nil
	})
	if err != nil {
		t.Fatalf("count bolt entries: %v", err)
	}

	return int64(n)
}

func fileSize(t *testing.T, path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}

	return info.Size()
}

// TestSteadyLoadFlat issues entries that expire at a steady rate and
// fails when the entries kept, the heap or the bbolt file keep growing.
func TestSteadyLoadFlat(t *testing.T) {
	l := currentLoad()

	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			store, entries, file := b.open(t, l.reclaim)
			issue := l.newIssue(t, store)

			samples := make([]sample, 0, l.windows)
			for range l.windows {
				issued := runWindow(t, l, issue)
				samples = append(samples, sample{issued: issued, entries: entries(), heap: heapAfterGC(), file: file()})
			}

			report(t, l, samples)
		})
	}
}

// report compares the first and the last quarter of the measured windows,
// by their means, because single windows vary with the reclaimer's
// schedule. Entries are counted in windows' worth of issues, so that a
// change in the issue rate between windows does not count as growth.
func report(t *testing.T, l load, samples []sample) {
	t.Helper()

	measured := samples[l.warmUp:]
	quarter := len(measured) / 4
	early, late := measured[:quarter], measured[len(measured)-quarter:]

	var issued int64
	for _, s := range measured {
		issued += s.issued
	}

	perWindow := float64(issued) / float64(len(measured))
	earlyEntries := mean(early, func(s sample) float64 { return float64(s.entries) }) / perWindow
	lateEntries := mean(late, func(s sample) float64 { return float64(s.entries) }) / perWindow
	earlyHeap := mean(early, func(s sample) float64 { return float64(s.heap) })
	lateHeap := mean(late, func(s sample) float64 { return float64(s.heap) })
	firstFile, lastFile := measured[0].file, measured[len(measured)-1].file

	t.Logf("%s, %d windows of %v, %.0f issues a window: entries kept %.2f then %.2f windows' worth, heap %.1f then %.1f MB, file %d then %d bytes",
		l.name, l.windows, l.window, perWindow, earlyEntries, lateEntries, earlyHeap/(1<<20), lateHeap/(1<<20), firstFile, lastFile)

	if lateEntries > max(growthFactor*earlyEntries, minEntryBound) {
		t.Errorf("entries kept grew from %.2f to %.2f windows' worth of issues, more than %dx", earlyEntries, lateEntries, growthFactor)
	}

	if lateHeap > growthFactor*earlyHeap+heapSlack {
		t.Errorf("heap grew from %.0f to %.0f bytes, more than %dx", earlyHeap, lateHeap, growthFactor)
	}

	if lastFile > growthFactor*firstFile+fileSlack {
		t.Errorf("file grew from %d to %d bytes, more than %dx", firstFile, lastFile, growthFactor)
	}
}

func mean(samples []sample, value func(sample) float64) float64 {
	var sum float64
	for _, s := range samples {
		sum += value(s)
	}

	return sum / float64(len(samples))
}

// runWindow issues from several goroutines for one window and returns
// how many issues succeeded.
func runWindow(t *testing.T, l load, issue func(ctx context.Context) error) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), l.window)
	defer cancel()

	var (
		wg     sync.WaitGroup
		issued atomic.Int64
		failed atomic.Value
	)

	for range l.writers {
		wg.Add(1)

		go func() {
			defer wg.Done()

			for ctx.Err() == nil {
				if err := issue(context.Background()); err != nil {
					failed.Store(err)
					return
				}

				issued.Add(1)
			}
		}()
	}

	wg.Wait()

	if err, ok := failed.Load().(error); ok {
		t.Fatalf("issue: %v", err)
	}

	return issued.Load()
}

func heapAfterGC() uint64 {
	runtime.GC()

	var m runtime.MemStats
	runtime.ReadMemStats(&m)

	return m.HeapAlloc
}
