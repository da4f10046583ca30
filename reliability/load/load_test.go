package load_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anykv/anykv/internal/testserver"
	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/reliability/internal/harness"
)

func TestMain(m *testing.M) {
	testserver.Main(m)
}

// How long each backend and mode runs. The run is bounded by time, and
// nothing is asserted about how much work fits in it.
const (
	defaultDuration = 1500 * time.Millisecond
	fullDuration    = 20 * time.Second
)

// Shape of the load.
const (
	subjects       = 6 // few, so that subject revocations hit live tokens
	checkers       = 4
	rotationRacers = 3 // goroutines that exchange one refresh token at once
	maxPoolSize    = 400
)

func runDuration() time.Duration {
	if os.Getenv("ANYKV_RELIABILITY_FULL") != "" {
		return fullDuration
	}

	return defaultDuration
}

// TestLinearizable runs issue, check, revoke, revoke-subject and rotate
// concurrently on every backend, in both modes, with two Trackers on one
// store as two servers would share it. A checker fails the test when a
// check accepts a token after its revocation returned, rejects a token
// that nothing revoked, or when two exchanges of one refresh token win.
func TestLinearizable(t *testing.T) {
	for _, backend := range harness.Backends() {
		for _, mode := range []jwtrevoke.Mode{jwtrevoke.TrackAll, jwtrevoke.Denylist} {
			t.Run(backend.Name+"/"+mode.String(), func(t *testing.T) {
				store := backend.Open(t)
				h := newHistory(t, store, mode)

				h.run(runDuration())
				h.report(t)
			})
		}
	}
}

// token is an issued access token and what was done to it, in
// nanoseconds since the history began (monotonic).
type token struct {
	value      string
	jti        string
	subject    int
	family     string // "" for a token issued alone
	issueStart int64
	issueEnd   int64

	revokeStart atomic.Int64 // 0 until a Revoke starts
	revokeEnd   atomic.Int64 // 0 until that Revoke returned nil
}

// interval is one RevokeSubject call; end stays 0 until it returned nil.
type interval struct {
	start int64
	end   atomic.Int64
}

// history is the record of every operation of one run, and the checker.
type history struct {
	t        *testing.T
	trackers []*jwtrevoke.Tracker
	begin    time.Time

	mu          sync.Mutex
	tokens      []*token
	revocations [subjects][]*interval

	checks, accepted, rejected atomic.Int64
	revokes, subjectRevokes    atomic.Int64
	rotations, rotationWins    atomic.Int64
	wrong                      atomic.Int64
}

func newHistory(t *testing.T, store kv.Store, mode jwtrevoke.Mode) *history {
	h := &history{t: t, begin: time.Now()}

	for range 2 {
		h.trackers = append(h.trackers, harness.NewTracker(t, store, harness.TrackerOptions(mode)))
	}

	return h
}

func (h *history) now() int64 { return int64(time.Since(h.begin)) }

func (h *history) tracker() *jwtrevoke.Tracker { return h.trackers[rand.IntN(len(h.trackers))] }

func (h *history) wrongResult(format string, args ...any) {
	if h.wrong.Add(1) <= 10 {
		h.t.Errorf(format, args...)
	}
}

// fatal reports a failed store call. No call fails on a healthy store.
func (h *history) fatal(op string, err error) {
	h.wrongResult("%s: %v", op, err)
}

func (h *history) run(d time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()

	var wg sync.WaitGroup

	loop := func(body func()) {
		wg.Add(1)

		go func() {
			defer wg.Done()

			for ctx.Err() == nil {
				body()
			}
		}()
	}

	// Seed the pool so that checkers and revokers have work at once.
	for range 20 {
		h.issue()
	}

	loop(h.issue)
	loop(h.revoke)
	loop(h.revokeSubject)
	loop(h.rotate)

	for range checkers {
		loop(h.check)
	}

	wg.Wait()
}

func (h *history) issue() {
	subject := rand.IntN(subjects)

	start := h.now()
	value, claims, err := h.tracker().Issue(context.Background(), subjectName(subject), jwtrevoke.Access, nil)
	end := h.now()

	if err != nil {
		h.fatal("Issue", err)
		return
	}

	h.add(&token{value: value, jti: claims.ID, subject: subject, issueStart: start, issueEnd: end})
}

func subjectName(i int) string { return fmt.Sprintf("subject-%d", i) }

func (h *history) add(tok *token) {
	h.mu.Lock()
	defer h.mu.Unlock()

	// Keep the pool bounded, so that checks keep hitting recent tokens.
	if len(h.tokens) >= maxPoolSize {
		h.tokens[rand.IntN(len(h.tokens))] = tok
		return
	}

	h.tokens = append(h.tokens, tok)
}

func (h *history) pick() *token {
	h.mu.Lock()
	defer h.mu.Unlock()

	return h.tokens[rand.IntN(len(h.tokens))]
}

func (h *history) revoke() {
	tok := h.pick()
	if !tok.revokeStart.CompareAndSwap(0, h.now()) {
		return
	}

	if err := h.tracker().Revoke(context.Background(), tok.jti); err != nil {
		h.fatal("Revoke", err)
		return
	}

	tok.revokeEnd.Store(h.now())
	h.revokes.Add(1)

	// Pace the revoker, so that most tokens stay valid and the checker
	// also tests that nothing unrevoked is rejected.
	time.Sleep(time.Millisecond)
}

func (h *history) revokeSubject() {
	subject := rand.IntN(subjects)
	call := &interval{start: h.now()}

	h.mu.Lock()
	h.revocations[subject] = append(h.revocations[subject], call)
	h.mu.Unlock()

	if err := h.tracker().RevokeSubject(context.Background(), subjectName(subject)); err != nil {
		h.fatal("RevokeSubject", err)
		return
	}

	call.end.Store(h.now())
	h.subjectRevokes.Add(1)

	time.Sleep(20 * time.Millisecond)
}

// rotate logs in and has several goroutines exchange the one refresh
// token at once: at most one may win. The winner's access token joins the
// pool, and the used refresh token must then fail every check.
func (h *history) rotate() {
	ctx := context.Background()
	subject := rand.IntN(subjects)

	pair, err := h.tracker().IssuePair(ctx, subjectName(subject), nil)
	if err != nil {
		h.fatal("IssuePair", err)
		return
	}

	var (
		wg      sync.WaitGroup
		winners atomic.Int64
		won     atomic.Pointer[jwtrevoke.Pair]
	)

	for range rotationRacers {
		wg.Add(1)

		go func() {
			defer wg.Done()

			next, err := h.tracker().Rotate(ctx, pair.Refresh)

			switch {
			case err == nil:
				winners.Add(1)
				won.Store(next)
			case errors.Is(err, jwtrevoke.ErrRevoked):
			default:
				h.fatal("Rotate", err)
			}
		}()
	}

	wg.Wait()
	h.rotations.Add(1)

	if n := winners.Load(); n > 1 {
		h.wrongResult("%d of %d concurrent exchanges of one refresh token won, want at most 1", n, rotationRacers)
	}

	if winners.Load() == 1 {
		h.rotationWins.Add(1)
	}

	if _, err := h.tracker().Check(ctx, pair.Refresh, jwtrevoke.Refresh); !errors.Is(err, jwtrevoke.ErrRevoked) {
		h.wrongResult("Check of a refresh token after its exchange returned = %v, want ErrRevoked", err)
	}

	if next := won.Load(); next != nil {
		h.add(&token{value: next.Access, jti: next.AccessClaims.ID, subject: subject, family: next.AccessClaims.Family, issueStart: h.now(), issueEnd: h.now()})
	}
}

// check checks a token and compares the result with the history.
func (h *history) check() {
	tok := h.pick()

	start := h.now()
	_, err := h.tracker().Check(context.Background(), tok.value, jwtrevoke.Access)
	end := h.now()

	h.checks.Add(1)

	if err == nil {
		h.accepted.Add(1)

		if why := h.mustReject(tok, start); why != "" {
			h.wrongResult("Check accepted a token %s", why)
		}

		return
	}

	h.rejected.Add(1)

	if !errors.Is(err, jwtrevoke.ErrRevoked) && !errors.Is(err, jwtrevoke.ErrUnknownToken) {
		h.fatal("Check", err)
		return
	}

	if h.mustAccept(tok, end) {
		h.wrongResult("Check rejected a token that nothing revoked: %v", err)
	}
}

// mustReject returns why a check that started at start must reject tok,
// or "" when it may accept it.
func (h *history) mustReject(tok *token, start int64) string {
	if end := tok.revokeEnd.Load(); end != 0 && end < start {
		return fmt.Sprintf("%v after its Revoke returned", time.Duration(start-end))
	}

	h.mu.Lock()
	defer h.mu.Unlock()

	for _, call := range h.revocations[tok.subject] {
		end := call.end.Load()
		if end != 0 && end < start && tok.issueEnd < call.start {
			return fmt.Sprintf("issued before a RevokeSubject of its subject, %v after that returned", time.Duration(start-end))
		}
	}

	return ""
}

// mustAccept reports whether a check that returned at end must have
// accepted tok. That holds when tok was issued alone, outside a rotation
// family that reuse detection may revoke, and no Revoke of it had
// started. Each RevokeSubject of its subject must also have returned
// before the token was issued or started after the check.
func (h *history) mustAccept(tok *token, end int64) bool {
	if tok.family != "" {
		return false
	}

	if start := tok.revokeStart.Load(); start != 0 && start <= end {
		return false
	}

	h.mu.Lock()
	defer h.mu.Unlock()

	for _, call := range h.revocations[tok.subject] {
		callEnd := call.end.Load()
		before := callEnd != 0 && callEnd < tok.issueStart
		after := call.start > end

		if !before && !after {
			return false
		}
	}

	return true
}

func (h *history) report(t *testing.T) {
	t.Logf("%d checks (%d accepted, %d rejected), %d revocations, %d subject revocations, %d rotation races (%d with a winner), %d wrong results",
		h.checks.Load(), h.accepted.Load(), h.rejected.Load(), h.revokes.Load(), h.subjectRevokes.Load(), h.rotations.Load(), h.rotationWins.Load(), h.wrong.Load())
}
