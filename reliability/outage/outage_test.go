package outage_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/reliability/internal/harness"
)

func TestMain(m *testing.M) {
	// go-redis logs every failed dial of its pool, hundreds in an outage.
	goredis.SetLogger(quietLogger{})

	testserver.Main(m)
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// Sizes of one run. The full run repeats the outage several times.
const (
	checkers       = 4
	phaseChecks    = 200 // checks each phase waits for
	defaultOutages = 1
	fullOutages    = 10
)

// phaseTimeout guards against a phase that never gets its checks, such
// as when every goroutine hangs. It is not a measurement.
const phaseTimeout = 60 * time.Second

// recoveryLimit is how soon after the server serves again a check must
// succeed, without restarting the process. A second would do for
// memcached, whose client dials on demand. But once as many dials as its
// pool size failed in a row, go-redis v9.17 stops dialing for requests
// and probes the server from one goroutine once a second. So recovery
// from a Redis outage takes up to a second plus a dial and a command.
const recoveryLimit = 1500 * time.Millisecond

// server is a test server that an outage stops and starts again.
type server interface {
	// down ends the server process.
	down()
	// up starts it again on the same address.
	up(t *testing.T)
	// connections returns the number of client connections the server
	// reports, the statistics connection included.
	connections(t *testing.T) int64
	// durable reports whether acknowledged writes survive a restart.
	durable() bool
}

type redisServer struct{ *testserver.RedisServer }

func (s redisServer) down()           { s.Kill() }
func (s redisServer) up(t *testing.T) { s.Restart(t) }
func (s redisServer) durable() bool   { return true }

func (s redisServer) connections(t *testing.T) int64 {
	return harness.RedisInfo(t, s.Addr(), "clients")["connected_clients"]
}

type memcachedServer struct{ *testserver.MemcachedServer }

func (s memcachedServer) down()           { s.Stop() }
func (s memcachedServer) up(t *testing.T) { s.Restart(t) }
func (s memcachedServer) durable() bool   { return false }

func (s memcachedServer) connections(t *testing.T) int64 {
	return harness.MemcachedStats(t, s.Addr())["curr_connections"]
}

func outageCount() int {
	if os.Getenv("ANYKV_RELIABILITY_FULL") != "" {
		return fullOutages
	}

	return defaultOutages
}

// TestRedisOutage kills a Redis server that runs with the append-only
// file synced on every write, and starts it again, under a steady stream
// of checks and revocations.
func TestRedisOutage(t *testing.T) {
	srv := testserver.StartRedis(t, testserver.RedisConfig{AOF: true})
	runOutages(t, redisServer{srv}, func(tb testing.TB) kv.Store { return harness.OpenRedis(tb, srv.Addr()) })
}

// TestMemcachedOutage stops memcached and starts it again, empty, under
// a steady stream of checks and revocations.
func TestMemcachedOutage(t *testing.T) {
	srv := testserver.StartMemcached(t, testserver.MemcachedConfig{})
	runOutages(t, memcachedServer{srv}, func(tb testing.TB) kv.Store { return harness.OpenMemcache(tb, srv.Addr()) })
}

func runOutages(t *testing.T, srv server, open func(tb testing.TB) kv.Store) {
	baseConnections := srv.connections(t)
	baseGoroutines := runtime.NumGoroutine()

	// The store is closed at the end of this function, not by t.Cleanup,
	// so that the leak checks below see it closed.
	store := open(&closeLater{T: t})
	r := newRun(t, store, srv.durable())

	r.start()

	for outage := range outageCount() {
		r.waitChecks(t, "before the outage", phaseChecks)

		srv.down()
		r.downAt.Store(time.Now().UnixNano())

		r.waitOutageChecks(t, phaseChecks)

		r.restartAt.Store(time.Now().UnixNano())
		r.lastRestart.Store(time.Now().UnixNano())
		srv.up(t)
		upAt := time.Now()

		r.recoveries = append(r.recoveries, r.recover(t, upAt))
		r.downAt.Store(0)
		r.restartAt.Store(0)

		r.waitChecks(t, "after the restart", phaseChecks)

		if n := srv.connections(t); n > int64(r.maxConnections()) {
			t.Errorf("outage %d: the server has %d connections under load, want at most %d", outage, n, r.maxConnections())
		}
	}

	r.stop()
	r.verifyRevocations(t, srv.durable())

	if err := store.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}

	waitFor(t, "server connections to drop back to "+fmt.Sprint(baseConnections), func() bool {
		return srv.connections(t) <= baseConnections
	})

	waitFor(t, "goroutines to drop back to "+fmt.Sprint(baseGoroutines), func() bool {
		return runtime.NumGoroutine() <= baseGoroutines
	})

	if runtime.NumGoroutine() > baseGoroutines {
		var stacks strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&stacks, 1)
		t.Logf("goroutines left:\n%s", stacks.String())
	}

	r.report(t)
}

// closeLater is a testing.T whose Cleanup functions are dropped, for a
// store that the test closes itself.
type closeLater struct{ *testing.T }

func (c *closeLater) Cleanup(func()) {}

// waitFor polls cond until it holds, and fails t after a generous
// deadline; it measures nothing.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()

	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Errorf("timed out waiting for %s", what)
			return
		}

		time.Sleep(10 * time.Millisecond)
	}
}

// token is one issued token and the time its revocation returned.
type token struct {
	value     string
	jti       string
	tracker   *jwtrevoke.Tracker
	handler   http.Handler
	mode      jwtrevoke.Mode
	revokedAt atomic.Int64 // Unix nanoseconds; 0 while not revoked
}

// run is the stream of checks and revocations against one store.
type run struct {
	t        *testing.T
	trackers []*jwtrevoke.Tracker
	handlers []http.Handler

	mu     sync.Mutex
	tokens []*token

	// downAt is when the server was ended, and restartAt when its start
	// began. Both are 0 while it serves and since the last recovery.
	downAt    atomic.Int64
	restartAt atomic.Int64
	durable   bool
	// lastRestart is when the latest start of the server began.
	lastRestart atomic.Int64

	checks        atomic.Int64
	outageChecks  atomic.Int64
	outage503     atomic.Int64
	wrong         atomic.Int64
	revocations   atomic.Int64
	failedRevokes atomic.Int64

	recoveries []time.Duration

	done chan struct{}
	wg   sync.WaitGroup
}

func newRun(t *testing.T, store kv.Store, durable bool) *run {
	r := &run{t: t, durable: durable, done: make(chan struct{})}

	for _, mode := range []jwtrevoke.Mode{jwtrevoke.TrackAll, jwtrevoke.Denylist} {
		opts := harness.TrackerOptions(mode)
		opts.Namespace = mode.String() + ":"
		tracker := harness.NewTracker(t, store, opts)

		ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
		r.trackers = append(r.trackers, tracker)
		r.handlers = append(r.handlers, tracker.Middleware(&jwtrevoke.MiddlewareOptions{Types: []jwtrevoke.TokenType{jwtrevoke.AnyType}})(ok))
	}

	// Seed tokens so that the checkers have work from the start.
	for i := range 20 {
		if _, err := r.issue(i % 2); err != nil {
			t.Fatalf("issue a seed token: %v", err)
		}
	}

	return r
}

// maxConnections is the most connections the clients may hold under
// this load: one for each concurrent call, the statistics one, and the
// idle ones the clients keep.
func (r *run) maxConnections() int {
	return checkers + 1 + 1 + 16
}

func (r *run) issue(i int) (*token, error) {
	tracker := r.trackers[i]

	value, claims, err := tracker.Issue(context.Background(), "user", jwtrevoke.Access, nil)
	if err != nil {
		return nil, err
	}

	tok := &token{value: value, jti: claims.ID, tracker: tracker, handler: r.handlers[i], mode: jwtrevoke.Mode(i)}

	r.mu.Lock()
	r.tokens = append(r.tokens, tok)
	r.mu.Unlock()

	return tok, nil
}

func (r *run) pick() *token {
	r.mu.Lock()
	defer r.mu.Unlock()

	return r.tokens[rand.IntN(len(r.tokens))]
}

func (r *run) start() {
	for i := range checkers {
		r.wg.Add(1)

		go func() {
			defer r.wg.Done()

			for n := 0; !r.stopped(); n++ {
				r.check(r.pick(), (i+n)%2 == 0)
			}
		}()
	}

	r.wg.Add(1)

	go func() {
		defer r.wg.Done()

		for n := 0; !r.stopped(); n++ {
			r.revokeOne(n % 2)
		}
	}()
}

func (r *run) stopped() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

func (r *run) stop() {
	close(r.done)
	r.wg.Wait()
}

// inOutage reports whether a call that started at start and has just
// returned ran wholly while the server was down.
func (r *run) inOutage(start time.Time) bool {
	down := r.downAt.Load()

	return down != 0 && start.UnixNano() > down && r.restartAt.Load() == 0
}

// check checks tok through the middleware or with Check, and counts a
// wrong result: an accepted token whose revocation had returned before
// the check started, or any result but "store unavailable" while the
// server was down.
func (r *run) check(tok *token, viaMiddleware bool) {
	start := time.Now()

	var (
		accepted, unavailable bool
		answer                string
	)

	if viaMiddleware {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Authorization", "Bearer "+tok.value)
		w := httptest.NewRecorder()
		tok.handler.ServeHTTP(w, req)

		accepted = w.Code == http.StatusOK
		unavailable = w.Code == http.StatusServiceUnavailable
		answer = fmt.Sprintf("status %d", w.Code)
	} else {
		_, err := tok.tracker.Check(context.Background(), tok.value, jwtrevoke.AnyType)
		accepted = err == nil
		unavailable = errors.Is(err, jwtrevoke.ErrStoreUnavailable)
		answer = fmt.Sprint(err)
	}

	r.checks.Add(1)

	// memcached loses revocations when it restarts, which un-revokes
	// denylist tokens by design, so only later revocations count there.
	revokedAt := tok.revokedAt.Load()
	forgotten := !r.durable && tok.mode == jwtrevoke.Denylist && revokedAt < r.lastRestart.Load()

	if accepted && revokedAt != 0 && revokedAt < start.UnixNano() && !forgotten {
		r.wrongAnswer("%v check accepted a token revoked %v before the check started", tok.mode, start.Sub(time.Unix(0, revokedAt)))
	}

	if r.inOutage(start) {
		r.outageChecks.Add(1)

		if !unavailable {
			r.wrongAnswer("%v check during the outage: %s, want store unavailable", tok.mode, answer)
		} else if viaMiddleware {
			r.outage503.Add(1)
		}
	}
}

func (r *run) wrongAnswer(format string, args ...any) {
	if r.wrong.Add(1) <= 10 {
		r.t.Errorf(format, args...)
	}
}

// revokeOne issues a token in the given mode and revokes an older one.
// A revocation reported done while the server was down is wrong.
func (r *run) revokeOne(mode int) {
	_, _ = r.issue(mode)

	tok := r.pick()
	if tok.revokedAt.Load() != 0 {
		return
	}

	start := time.Now()
	err := tok.tracker.Revoke(context.Background(), tok.jti)

	if err != nil {
		r.failedRevokes.Add(1)
		return
	}

	if r.inOutage(start) {
		r.wrongAnswer("%v Revoke returned nil while the server was down", tok.mode)
	}

	tok.revokedAt.Store(time.Now().UnixNano())
	r.revocations.Add(1)
}

func (r *run) waitChecks(t *testing.T, phase string, n int64) {
	t.Helper()

	target := r.checks.Load() + n
	r.waitCount(t, phase, func() bool { return r.checks.Load() >= target })
}

func (r *run) waitOutageChecks(t *testing.T, n int64) {
	t.Helper()

	target := r.outageChecks.Load() + n
	r.waitCount(t, "during the outage", func() bool { return r.outageChecks.Load() >= target })
}

func (r *run) waitCount(t *testing.T, phase string, done func() bool) {
	t.Helper()

	deadline := time.Now().Add(phaseTimeout)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("checks %s did not arrive within %v", phase, phaseTimeout)
		}

		time.Sleep(5 * time.Millisecond)
	}
}

// recover polls with a new token until a check succeeds, and fails t
// unless that happens within recoveryLimit of the server serving again.
// A new token is needed because memcached comes back empty.
func (r *run) recover(t *testing.T, upAt time.Time) time.Duration {
	t.Helper()

	for {
		if tok, err := r.issue(int(jwtrevoke.TrackAll)); err == nil {
			if _, err := tok.tracker.Check(context.Background(), tok.value, jwtrevoke.AnyType); err == nil {
				return time.Since(upAt)
			}
		}

		if elapsed := time.Since(upAt); elapsed > recoveryLimit {
			t.Errorf("no check succeeded within %v of the restart", recoveryLimit)
			return elapsed
		}

		time.Sleep(5 * time.Millisecond)
	}
}

// verifyRevocations checks every token whose revocation returned. On a
// durable server each must fail with ErrRevoked. On memcached, which
// loses everything on restart, a track-all check must still reject.
func (r *run) verifyRevocations(t *testing.T, durable bool) {
	t.Helper()

	r.mu.Lock()
	tokens := r.tokens
	r.mu.Unlock()

	for _, tok := range tokens {
		if tok.revokedAt.Load() == 0 {
			continue
		}

		_, err := tok.tracker.Check(context.Background(), tok.value, jwtrevoke.AnyType)

		switch {
		case durable && !errors.Is(err, jwtrevoke.ErrRevoked):
			t.Errorf("%v check after the restarts of a token revoked before them = %v, want ErrRevoked", tok.mode, err)
		case !durable && tok.mode == jwtrevoke.TrackAll && err == nil:
			t.Errorf("track-all check after the restarts of a revoked token = nil, want it rejected")
		}
	}
}

func (r *run) report(t *testing.T) {
	var worst time.Duration
	for _, d := range r.recoveries {
		worst = max(worst, d)
	}

	t.Logf("%d outages: %d checks, %d during outages (%d of them 503 from the middleware), %d wrong answers; %d revocations returned, %d failed; slowest recovery %v",
		len(r.recoveries), r.checks.Load(), r.outageChecks.Load(), r.outage503.Load(), r.wrong.Load(), r.revocations.Load(), r.failedRevokes.Load(), worst.Round(time.Millisecond))
}
