package memory

import "github.com/anykv/anykv/kv"

// keyError is an error of one operation on one key. It builds its message
// only when Error is called, so that a cache miss costs one small
// allocation.
type keyError struct {
	op  string
	key string // empty when the operation has no single key
	err error
}

func (e *keyError) Error() string {
	if e.key == "" {
		return "memory: " + e.op + ": " + e.err.Error()
	}

	return "memory: " + e.op + " " + kv.QuoteKey(e.key) + ": " + e.err.Error()
}

func (e *keyError) Unwrap() error { return e.err }
