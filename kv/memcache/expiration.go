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

// expiration converts ttl to the expiry field of a memcached item written
// at now.
//
// The TTL is rounded up to whole seconds and one second is added, because
// memcached's clock ticks once a second and an item could otherwise expire
// up to a second early. Up to 30 days the result is relative seconds, and
// above that it is the absolute Unix time now + ttl, rounded up, plus one
// second. A TTL that is not positive, or whose expiry does not fit the
// protocol's signed 32-bit field, fails with kv.ErrInvalidTTL.
func expiration(ttl time.Duration, now time.Time) (int32, error) {
	if err := kv.ValidateTTL(ttl); err != nil {
		return 0, err
	}

	seconds := int64(ttl / time.Second)
	if ttl%time.Second != 0 {
		seconds++
	}

	// NOTE: the padding second assumes memcached's clock timer fires on
	// time. A server too busy to run it lets its clock lag further, and
	// items written during that lag can expire early by the extra lag.
	seconds++

	if seconds <= maxRelativeExpiration {
		return int32(seconds), nil
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
