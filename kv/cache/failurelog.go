package cache

import (
	"log/slog"
	"sync"
	"time"

	"github.com/anykv/anykv/kv"
)

// failureLogInterval is the minimum time between two log lines about
// fast-store failures.
const failureLogInterval = 10 * time.Second

// failureLog logs fast-store failures, at most one line each
// failureLogInterval, counting the ones it does not log.
type failureLog struct {
	logger *slog.Logger

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

func (l *failureLog) failed(op, key string, err error) {
	l.mu.Lock()

	now := time.Now()
	if now.Sub(l.last) < failureLogInterval {
		l.suppressed++
		l.mu.Unlock()

		return
	}

	suppressed := l.suppressed
	l.last = now
	l.suppressed = 0
	l.mu.Unlock()

	l.logger.Warn("kv cache: fast store call failed, so reads of the key use the slow store until the fast store works",
		"op", op, "key", kv.QuoteKey(key), "error", err, "failures_not_logged", suppressed)
}
