package bench

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/bolt"
	kvredis "github.com/anykv/anykv/kv/redis"
	goredis "github.com/redis/go-redis/v9"
	"go.etcd.io/bbolt"
)

// The scale test tracks many tokens in bbolt and Redis and measures what
// that costs. It runs only when ANYKV_BENCH_SCALE is set to the number of
// tokens (at least 10000), because a million tokens take minutes to issue.
// With ANYKV_BENCH_OUT set to a folder it also writes scale.json there,
// which scripts/bench.sh turns into a chart.

const (
	// scaleChecks is how many checks of random tracked tokens each
	// latency measurement times.
	scaleChecks = 20_000

	// scaleIssuers is how many goroutines issue tokens at once, so that
	// bbolt shares its disk syncs among them.
	scaleIssuers = 64

	// redisExpiryTimeout bounds the wait for Redis to expire the
	// short-lived entries by itself.
	redisExpiryTimeout = 2 * time.Minute
)

// latencyPoint is the check latency with a number of tokens tracked.
type latencyPoint struct {
	Tokens int     `json:"tokens"`
	MeanNs float64 `json:"mean_ns"`
	P50Ns  float64 `json:"p50_ns"`
	P99Ns  float64 `json:"p99_ns"`
	MaxNs  float64 `json:"max_ns"`
}

// scaleResult is what the scale test measured on one backend.
type scaleResult struct {
	Backend       string         `json:"backend"`
	Tokens        int            `json:"tokens"`
	IssueSeconds  float64        `json:"issue_seconds"`
	BytesPerToken float64        `json:"bytes_per_token"`
	BytesSource   string         `json:"bytes_source"`
	KeyBytes      map[string]int `json:"key_bytes,omitempty"`
	Latency       []latencyPoint `json:"latency"`

	// UsedBytesPerToken counts only the bytes in use inside bbolt's
	// pages, without free space, for bbolt.
	UsedBytesPerToken float64 `json:"used_bytes_per_token,omitempty"`

	// Expired is how many expired entries reclaiming removed, and
	// ExpiredLeft how many it left when it stopped.
	Expired          int     `json:"expired"`
	ExpiredLeft      int     `json:"expired_left"`
	ReclaimSeconds   float64 `json:"reclaim_seconds"`
	ReclaimMethod    string  `json:"reclaim_method"`
	MaxReaderStallMs float64 `json:"max_reader_stall_ms"`
	ReaderChecks     int     `json:"reader_checks"`

	// ControlStallMs is the longest check of the same reader running as
	// long again with nothing else on the store.
	ControlStallMs float64 `json:"control_stall_ms"`
	ControlChecks  int     `json:"control_checks"`
}

func scaleTokens(t *testing.T) int {
	value := os.Getenv("ANYKV_BENCH_SCALE")
	if value == "" {
		t.Skip("set ANYKV_BENCH_SCALE to a number of tokens, such as 1000000, to run the scale test")
	}

	n, err := strconv.Atoi(value)
	if err != nil || n < 10_000 {
		t.Fatalf("ANYKV_BENCH_SCALE=%q: want a number of tokens of at least 10000", value)
	}

	return n
}

// scaleBackend is a store to fill, with ways to measure its size and to
// get rid of expired entries.
type scaleBackend struct {
	name  string
	store kv.Store

	// size returns the bytes the store uses and where that number comes
	// from.
	size func(t *testing.T) (int64, string)

	// keyBytes returns the server's own size of sample keys, or nil.
	keyBytes func(t *testing.T, keys map[string]string) map[string]int

	// waitExpiry is how long to wait after the last write of a
	// short-lived token before reclaiming starts.
	waitExpiry time.Duration

	// usedBytes returns the bytes the store's data takes inside its
	// file, or is nil where size is the only measure.
	usedBytes func(t *testing.T) int64

	// reclaim gets rid of the expired entries, all of them or as many as
	// the backend removes in reasonable time, with live entries left. It
	// returns how many it removed, how many expired ones are left, and
	// the method's name.
	reclaim func(t *testing.T, live, expired int) (removed, left int, method string)
}

func TestScale(t *testing.T) {
	n := scaleTokens(t)

	var results []scaleResult
	for _, open := range []func(t *testing.T) scaleBackend{openScaleBolt, openScaleRedis} {
		results = append(results, runScale(t, open(t), n))
	}

	out := os.Getenv("ANYKV_BENCH_OUT")
	if out == "" {
		return
	}

	data, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		t.Fatalf("encode scale results: %v", err)
	}

	if err := os.WriteFile(filepath.Join(out, "scale.json"), data, 0o644); err != nil {
		t.Fatalf("write scale results: %v", err)
	}
}

func openScaleBolt(t *testing.T) scaleBackend {
	path := filepath.Join(t.TempDir(), "tokens.db")

	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatalf("open bbolt: %v", err)
	}
	closeOnCleanup(t, "bbolt", db.Close)

	store, err := bolt.New(db, &bolt.Options{ReclaimInterval: -1})
	if err != nil {
		t.Fatalf("open bolt store: %v", err)
	}
	closeOnCleanup(t, "bolt store", store.Close)

	return scaleBackend{
		name:  "bolt",
		store: store,
		size: func(t *testing.T) (int64, string) {
			info, err := os.Stat(path)
			if err != nil {
				t.Fatalf("stat %s: %v", path, err)
			}

			return info.Size(), "file size"
		},
		usedBytes: func(t *testing.T) int64 {
			var used int64
			err := db.View(func(tx *bbolt.Tx) error {
				stats := tx.Bucket([]byte(bolt.DefaultBucket)).Stats()
				used = int64(stats.BranchInuse + stats.LeafInuse)

				return nil
			})
			if err != nil {
				t.Fatalf("read bbolt bucket stats: %v", err)
			}

			return used
		},
		// Each entry of a short-lived token lives 2 s at most; wait that
		// long, plus what the store adds for its commit delay.
		waitExpiry: 3 * time.Second,
		reclaim: func(t *testing.T, _, expired int) (int, int, string) {
			removed, err := store.Reclaim(context.Background())
			if err != nil {
				t.Fatalf("reclaim: %v", err)
			}

			// Reclaim leaves entries whose deadline falls within the
			// store's measured commit delay of its start.
			return removed, max(expired-removed, 0), "Store.Reclaim"
		},
	}
}

func openScaleRedis(t *testing.T) scaleBackend {
	client := openRedisClient(t)
	ctx := context.Background()

	store, err := kvredis.NewFromClient(client, nil)
	if err != nil {
		t.Fatalf("open redis store: %v", err)
	}
	closeOnCleanup(t, "redis store", store.Close)

	baseline := redisUsedMemory(t, client)

	return scaleBackend{
		name:  "redis",
		store: store,
		size: func(t *testing.T) (int64, string) {
			return redisUsedMemory(t, client) - baseline, "INFO memory used_memory, less the empty server's"
		},
		keyBytes: func(t *testing.T, keys map[string]string) map[string]int {
			sizes := make(map[string]int)
			for name, key := range keys {
				n, err := client.MemoryUsage(ctx, key).Result()
				if errors.Is(err, goredis.Nil) {
					t.Errorf("redis MEMORY USAGE %s: no such key; has jwtrevoke's key layout changed?", key)
					continue
				}

				if err != nil {
					t.Fatalf("redis MEMORY USAGE %s: %v", key, err)
				}

				sizes[name] = int(n)
			}

			return sizes
		},
		reclaim: func(t *testing.T, live, expired int) (int, int, string) {
			removed, left := waitRedisExpiry(t, client, live, expired)
			return removed, left, "the server's active expiry"
		},
	}
}

func redisUsedMemory(t *testing.T, client *goredis.Client) int64 {
	info, err := client.Info(context.Background(), "memory").Result()
	if err != nil {
		t.Fatalf("redis INFO memory: %v", err)
	}

	for line := range strings.Lines(info) {
		if value, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				t.Fatalf("parse used_memory %q: %v", value, err)
			}

			return n
		}
	}

	t.Fatalf("redis INFO memory has no used_memory")

	return 0
}

// waitRedisExpiry starts right after the last write of a short-lived
// entry, which expires 1 to 2 s later. It polls DBSIZE until at most a tenth of the expired keys
// are left, or redisExpiryTimeout passes, and returns how many keys went
// away and how many expired ones are left. Redis finds expired keys by
// sampling keys with a TTL, and slows down once few of the sampled keys
// have expired, so the last ones can linger for minutes until read.
func waitRedisExpiry(t *testing.T, client *goredis.Client, live, expired int) (removed, left int) {
	ctx := context.Background()

	start, err := client.DBSize(ctx).Result()
	if err != nil {
		t.Fatalf("redis DBSIZE: %v", err)
	}

	deadline := time.Now().Add(redisExpiryTimeout)
	for {
		size, err := client.DBSize(ctx).Result()
		if err != nil {
			t.Fatalf("redis DBSIZE: %v", err)
		}

		left = int(size) - live
		if left <= expired/10 || time.Now().After(deadline) {
			return int(start - size), left
		}

		time.Sleep(10 * time.Millisecond)
	}
}

func runScale(t *testing.T, b scaleBackend, n int) scaleResult {
	sg := newSigners(t)[0]
	result := scaleResult{Backend: b.name, Tokens: n}

	// Live tokens, measured at each checkpoint on the way to n.
	tracker := newTracker(t, b.store, sg, jwtrevoke.TrackAll)
	var tokens []string
	issueStart := time.Now()

	for _, checkpoint := range checkpoints(n) {
		issueStart := time.Now()
		count := checkpoint - len(tokens)
		tokens = append(tokens, issueMany(t, tracker, count)...)
		t.Logf("%s: %d tokens tracked, the last %d issued in %v", b.name, len(tokens), count, time.Since(issueStart).Round(time.Millisecond))

		point := measureChecks(t, tracker, tokens)
		result.Latency = append(result.Latency, point)
		t.Logf("%s: check with %d tokens: mean %.0f ns, p50 %.0f ns, p99 %.0f ns, max %.0f ns", b.name, point.Tokens, point.MeanNs, point.P50Ns, point.P99Ns, point.MaxNs)
	}

	result.IssueSeconds = time.Since(issueStart).Seconds()

	size, source := b.size(t)
	result.BytesPerToken = float64(size) / float64(n)
	result.BytesSource = source

	if b.keyBytes != nil {
		result.KeyBytes = b.keyBytes(t, tokenKeys(t, tracker, tokens[0]))
	}

	if b.usedBytes != nil {
		result.UsedBytesPerToken = float64(b.usedBytes(t)) / float64(n)
	}

	t.Logf("%s: %.1f bytes per tracked token (%s), %.1f in use in pages, per key %v", b.name, result.BytesPerToken, source, result.UsedBytesPerToken, result.KeyBytes)

	// Short-lived tokens, then the time to get rid of them while a reader
	// keeps checking live tokens. Each token has two entries.
	shortLived, err := jwtrevoke.New(b.store, jwtrevoke.Options{
		Algorithms: []string{sg.alg},
		SigningKey: sg.sign,
		AccessTTL:  time.Second,
		Margin:     time.Nanosecond,
	})
	if err != nil {
		t.Fatalf("new short-lived tracker: %v", err)
	}

	expiredStart := time.Now()
	issueMany(t, shortLived, n)
	t.Logf("%s: %d short-lived tokens issued in %v", b.name, n, time.Since(expiredStart).Round(time.Millisecond))

	time.Sleep(b.waitExpiry)

	stop := make(chan struct{})
	stall, checks := startReader(t, tracker, tokens, stop)

	reclaimStart := time.Now()
	removed, left, method := b.reclaim(t, 2*n, 2*n)
	result.ReclaimSeconds = time.Since(reclaimStart).Seconds()
	close(stop)

	result.Expired = removed
	result.ExpiredLeft = left
	result.ReclaimMethod = method
	result.MaxReaderStallMs = float64(stall()) / float64(time.Millisecond)
	result.ReaderChecks = checks()

	// The same reader for as long again with nothing else running on the
	// store shows what the machine alone costs.
	stop = make(chan struct{})
	stall, checks = startReader(t, tracker, tokens, stop)
	time.Sleep(time.Duration(result.ReclaimSeconds * float64(time.Second)))
	close(stop)

	result.ControlStallMs = float64(stall()) / float64(time.Millisecond)
	result.ControlChecks = checks()

	t.Logf("%s: %s removed %d expired entries in %.2f s and left %d; the longest check a concurrent reader saw took %.2f ms (of %d checks), and %.2f ms (of %d) over as long with nothing else running",
		b.name, method, removed, result.ReclaimSeconds, left, result.MaxReaderStallMs, result.ReaderChecks, result.ControlStallMs, result.ControlChecks)

	return result
}

// checkpoints returns the token counts to measure at: 10k, 100k, ... and n.
func checkpoints(n int) []int {
	var points []int
	for c := 10_000; c < n; c *= 10 {
		points = append(points, c)
	}

	return append(points, n)
}

// issueMany issues n access tokens with scaleIssuers goroutines and
// returns them.
func issueMany(t *testing.T, tracker *jwtrevoke.Tracker, n int) []string {
	tokens := make([]string, n)

	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		issueErr error
	)

	for worker := range scaleIssuers {
		wg.Add(1)
		go func() {
			defer wg.Done()

			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}

				// Many subjects, as in a real deployment.
				subject := makeKey("sub:", worker*1_000_000+i%1000)

				token, _, err := tracker.Issue(context.Background(), subject, jwtrevoke.Access, nil)
				if err != nil {
					errOnce.Do(func() { issueErr = err })
					return
				}

				tokens[i] = token
			}
		}()
	}

	wg.Wait()

	if issueErr != nil {
		t.Fatalf("issue: %v", issueErr)
	}

	return tokens
}

// measureChecks times scaleChecks checks of random tokens, one at a time.
func measureChecks(t *testing.T, tracker *jwtrevoke.Tracker, tokens []string) latencyPoint {
	ctx := context.Background()
	durations := make([]time.Duration, scaleChecks)
	var total time.Duration

	for i := range durations {
		token := tokens[rand.IntN(len(tokens))]

		start := time.Now()
		_, err := tracker.Check(ctx, token, jwtrevoke.Access)
		durations[i] = time.Since(start)

		if err != nil {
			t.Fatalf("check: %v", err)
		}

		total += durations[i]
	}

	slices.Sort(durations)

	return latencyPoint{
		Tokens: len(tokens),
		MeanNs: float64(total) / float64(len(durations)),
		P50Ns:  float64(durations[len(durations)/2]),
		P99Ns:  float64(durations[len(durations)*99/100]),
		MaxNs:  float64(durations[len(durations)-1]),
	}
}

// startReader checks random live tokens in a loop until stop is closed,
// and returns functions that report the longest check and the count.
func startReader(t *testing.T, tracker *jwtrevoke.Tracker, tokens []string, stop <-chan struct{}) (longest func() time.Duration, count func() int) {
	var (
		maxNs  atomic.Int64
		checks atomic.Int64
		done   = make(chan struct{})
	)

	go func() {
		defer close(done)

		ctx := context.Background()
		for {
			select {
			case <-stop:
				return
			default:
			}

			start := time.Now()
			_, err := tracker.Check(ctx, tokens[rand.IntN(len(tokens))], jwtrevoke.Access)
			elapsed := time.Since(start)

			if err != nil {
				t.Errorf("check during reclaim: %v", err)
				return
			}

			checks.Add(1)
			if int64(elapsed) > maxNs.Load() {
				maxNs.Store(int64(elapsed))
			}
		}
	}()

	longest = func() time.Duration {
		<-done
		return time.Duration(maxNs.Load())
	}
	count = func() int {
		<-done
		return int(checks.Load())
	}

	return longest, count
}

// tokenKeys returns the store keys of one token, its record and its
// index entry, built as jwtrevoke documents them: the namespace, a tag and
// the ids in unpadded base64url.
func tokenKeys(t *testing.T, tracker *jwtrevoke.Tracker, token string) map[string]string {
	claims, err := tracker.Check(context.Background(), token, jwtrevoke.Access)
	if err != nil {
		t.Fatalf("check: %v", err)
	}

	encode := base64.RawURLEncoding.EncodeToString
	ns := jwtrevoke.DefaultNamespace

	return map[string]string{
		"record": ns + "t:" + encode([]byte(claims.ID)),
		"index":  ns + "i:" + encode([]byte(claims.Subject)) + "." + encode([]byte(claims.ID)),
	}
}
