package metrics

import (
	"errors"
	"maps"
	"sync"
	"time"

	"github.com/anykv/anykv/kv"
)

// Stats are the totals for one operation.
type Stats struct {
	// Calls is the number of completed calls, failed ones included.
	Calls int64

	// NotFound is the number of calls that returned an error matching
	// kv.ErrNotFound: a normal outcome of Get, so not counted in Errors.
	NotFound int64

	// Errors is the number of calls that returned any other error.
	Errors int64

	// Total is the summed latency of all calls.
	Total time.Duration

	// Max is the highest latency of one call.
	Max time.Duration
}

// Mean returns the average latency, or 0 before the first call.
func (s Stats) Mean() time.Duration {
	if s.Calls == 0 {
		return 0
	}

	return s.Total / time.Duration(s.Calls)
}

// Counter is an Observer that keeps Stats for each operation in memory.
// The zero value is ready to use, and a Counter is safe for concurrent use.
type Counter struct {
	mu    sync.Mutex
	stats map[Op]Stats
}

// Observe adds one call to the totals of op.
func (c *Counter) Observe(op Op, d time.Duration, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()

	if c.stats == nil {
		c.stats = make(map[Op]Stats)
	}

	s := c.stats[op]
	s.Calls++
	s.Total += d
	s.Max = max(s.Max, d)

	switch {
	case err == nil:
	case errors.Is(err, kv.ErrNotFound):
		s.NotFound++
	default:
		s.Errors++
	}

	c.stats[op] = s
}

// Stats returns the totals of op so far.
func (c *Counter) Stats(op Op) Stats {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.stats[op]
}

// Snapshot returns the totals of every operation observed so far. The map
// is a copy that the caller owns.
func (c *Counter) Snapshot() map[Op]Stats {
	c.mu.Lock()
	defer c.mu.Unlock()

	return maps.Clone(c.stats)
}

// Reset sets every total back to zero.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()

	clear(c.stats)
}
