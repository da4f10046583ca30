package jwtrevoke

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Outcome is the result of one Check or Rotate, suitable as a metric
// label.
type Outcome string

// Outcomes reported to Observer.ObserveCheck.
const (
	OutcomeAccepted         Outcome = "accepted"
	OutcomeFailOpen         Outcome = "fail_open"         // accepted because the store failed and FailOpen is set
	OutcomeInvalid          Outcome = "invalid"           // ErrInvalidToken
	OutcomeTokenType        Outcome = "wrong_type"        // ErrTokenType
	OutcomeUnknown          Outcome = "unknown"           // ErrUnknownToken
	OutcomeRevoked          Outcome = "revoked"           // ErrRevoked
	OutcomeReuse            Outcome = "reuse"             // ErrReuseDetected
	OutcomeStoreUnavailable Outcome = "store_unavailable" // ErrStoreUnavailable
)

// Observer receives events for metrics. A Tracker calls it synchronously
// from the goroutine doing the work, so implementations must be fast and
// safe for concurrent use. Embed NopObserver to implement only some
// methods and to keep compiling when methods are added.
type Observer interface {
	// ObserveCheck reports the outcome and duration of one Check or
	// Rotate, store round trip included.
	ObserveCheck(outcome Outcome, latency time.Duration)

	// ObserveStoreError reports a failed store operation. op names the
	// Tracker method, such as "check", "issue" or "revoke".
	ObserveStoreError(op string, err error)

	// ObserveReuse reports a used refresh token presented again, which
	// revoked its family.
	ObserveReuse()

	// ObservePrune reports how many expired entries one Prune removed.
	ObservePrune(removed int)
}

// NopObserver ignores every event.
type NopObserver struct{}

func (NopObserver) ObserveCheck(Outcome, time.Duration) {}
func (NopObserver) ObserveStoreError(string, error)     {}
func (NopObserver) ObserveReuse()                       {}
func (NopObserver) ObservePrune(int)                    {}

// failOpenLogInterval is the minimum time between two fail-open warnings.
const failOpenLogInterval = 10 * time.Second

// failOpenLog rate-limits the warnings for fail-open passes, so that a
// store outage under load yields one line every failOpenLogInterval with a
// count, not one line per request.
type failOpenLog struct {
	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// warn logs err unless a warning went out within failOpenLogInterval, in
// which case it only counts the pass.
func (f *failOpenLog) warn(ctx context.Context, logger *slog.Logger, now time.Time, op string, err error) {
	f.mu.Lock()

	if !f.last.IsZero() && now.Sub(f.last) < failOpenLogInterval {
		f.suppressed++
		f.mu.Unlock()

		return
	}

	suppressed := f.suppressed
	f.suppressed = 0
	f.last = now
	f.mu.Unlock()

	logger.WarnContext(ctx, "jwtrevoke: store failed, token accepted because FailOpen is set",
		slog.String("op", op),
		slog.Any("error", err),
		slog.Int("passes_since_last_warning", suppressed))
}
