package kvtest

import "time"

// SetHangTimeout changes how long the suite waits for a call that may
// deadlock, so that kvtest's own tests of a deadlocking store end quickly.
func SetHangTimeout(d time.Duration) {
	hangTimeout = d
}
