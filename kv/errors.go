package kv

import "errors"

// Errors returned by stores. Callers test for them with errors.Is, because
// stores wrap them with the key, size or cause involved.
var (
	// ErrNotFound means the key is absent or its TTL has passed. No other
	// failure is reported as ErrNotFound.
	ErrNotFound = errors.New("kv: key not found")

	// ErrInvalidKey means a key breaks the key rule; see ValidateKey.
	ErrInvalidKey = errors.New("kv: invalid key")

	// ErrInvalidTTL means a TTL is zero, negative or beyond what the backend
	// can represent.
	ErrInvalidTTL = errors.New("kv: invalid TTL")

	// ErrValueTooLarge means a value exceeds the backend's size limit.
	ErrValueTooLarge = errors.New("kv: value too large")

	// ErrClosed means the store was closed.
	ErrClosed = errors.New("kv: store closed")

	// ErrUnsupported means the store lacks the capability a call needs. It
	// matches errors.ErrUnsupported.
	ErrUnsupported = unsupportedError{}
)

type unsupportedError struct{}

func (unsupportedError) Error() string { return "kv: operation not supported by this store" }

func (unsupportedError) Is(target error) bool { return target == errors.ErrUnsupported }
