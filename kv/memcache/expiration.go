package memcache

import (
	"fmt"
	"math"
	"time"

	"github.com/anykv/anykv/kv"
)

// maxRelativeExpiration is the largest expiry memcached reads as seconds
// from now (30 days). It reads a larger one as an absolute Unix time.
const maxRelativeExpiration = 30 * 24 * 60 * 60

// relativePadding is the number of seconds added to a relative expiry. One
// covers the lag of memcached's once-a-second clock. The second covers a
// clock update that runs late on a loaded machine, which with one second
// alone expired entries up to a tenth of a second early in our test runs.
// An entry with a whole-second TTL is then gone at most 2 s late.
//
// NOTE: a server whose clock update runs more than a second late can
// still expire an entry early, by the excess.
const relativePadding = 2

// expiration converts ttl to the expiry field of a memcached item written
// at now.
//
// The TTL is rounded up to whole seconds and relativePadding is added,
// because memcached measures a relative expiry from its own clock. That
// clock ticks once a second, so it lags real time by up to a second, and
// more when the server is busy. Up to 30 days the result is relative seconds, and
// above that it is the absolute Unix time now + ttl, rounded up, plus one
// second: memcached compares an absolute time with its lagging clock, so it
// never expires one early. A TTL that is not positive, or whose expiry does not fit the
// protocol's signed 32-bit field, fails with kv.ErrInvalidTTL.
func expiration(ttl time.Duration, now time.Time) (int32, error) {
	if err := kv.ValidateTTL(ttl); err != nil {
		return 0, err
	}

	seconds := int64(ttl / time.Second)
	if ttl%time.Second != 0 {
		seconds++
	}

	if seconds+relativePadding <= maxRelativeExpiration {
		return int32(seconds + relativePadding), nil
	}

	deadline := now.Add(ttl)

	unix := deadline.Unix()
	if deadline.Nanosecond() != 0 {
		unix++
	}

	unix++

	if unix > math.MaxInt32 {
		return 0, fmt.Errorf("%w: %v expires at %s, after memcached's 32-bit expiry limit of %s; use a shorter TTL",
			kv.ErrInvalidTTL, ttl, deadline.UTC().Format(time.RFC3339), time.Unix(math.MaxInt32, 0).UTC().Format(time.RFC3339))
	}

	return int32(unix), nil
}
