package bolt

import (
	"fmt"
	"math"
	"time"

	"github.com/anykv/anykv/kv"
)

// deadline returns now plus ttl in unix nanoseconds, saturated at the
// largest int64 (the year 2262).
func deadline(now time.Time, ttl time.Duration) int64 {
	n := now.UnixNano()
	if int64(ttl) > math.MaxInt64-n {
		return math.MaxInt64
	}

	return n + int64(ttl)
}

// validateTTL checks ttl with kv.ValidateTTL and also rejects a TTL whose
// deadline does not fit in int64 unix nanoseconds.
func validateTTL(ttl time.Duration) error {
	if err := kv.ValidateTTL(ttl); err != nil {
		return err
	}

	if int64(ttl) > math.MaxInt64-time.Now().UnixNano() {
		return fmt.Errorf("%w: %v ends after the year 2262, beyond an int64 of unix nanoseconds", kv.ErrInvalidTTL, ttl)
	}

	return nil
}

// expiryFor returns the deadline of a put at now with ttl, or 0 for no
// TTL.
func expiryFor(now time.Time, ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}

	return deadline(now, ttl)
}

// cutoff returns the latest deadline, in unix nanoseconds, that counts as
// passed at now.
//
// A deadline is computed inside the write transaction, and the put returns
// only after the commit and its fsync, so the deadline alone would end an
// entry's life up to one commit early. cutoff therefore lags now by the
// longest such delay this store has measured, which keeps every entry it
// wrote readable for its whole TTL after its put returned. Entries expire
// late by the same amount.
//
// NOTE: The measured delay starts at zero when a store opens, so a store
// that reads entries another handle wrote may see them expire up to that
// handle's commit delay early.
func (s *Store) cutoff(now time.Time) int64 {
	return now.UnixNano() - s.expiryGrace.Load()
}

// noteCommitDelay records the time from applied, when a write computed its
// deadline, to now, when the write returns, if it is the longest so far.
func (s *Store) noteCommitDelay(applied time.Time) {
	delay := int64(time.Since(applied))

	for {
		longest := s.expiryGrace.Load()
		if delay <= longest || s.expiryGrace.CompareAndSwap(longest, delay) {
			return
		}
	}
}
