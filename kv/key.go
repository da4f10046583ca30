package kv

import (
	"fmt"
	"strconv"
	"time"
)

// MaxKeyLen is the maximum length of a key in bytes. It is memcached's
// limit, so that every backend accepts the same keys.
const MaxKeyLen = 250

// maxQuotedKey is how many bytes of an invalid key an error message shows.
const maxQuotedKey = 64

// ValidateKey returns nil when key is 1 to MaxKeyLen bytes of printable
// ASCII from '!' (0x21) to '~' (0x7E). Otherwise it returns an error that
// matches ErrInvalidKey, quotes the key (cut after 64 bytes) and says which
// rule it breaks.
func ValidateKey(key string) error {
	if len(key) == 0 {
		return fmt.Errorf("%w: empty key", ErrInvalidKey)
	}

	if len(key) > MaxKeyLen {
		return fmt.Errorf("%w %s: %d bytes, the maximum is %d", ErrInvalidKey, QuoteKey(key), len(key), MaxKeyLen)
	}

	for i := 0; i < len(key); i++ {
		if c := key[i]; c < '!' || c > '~' {
			return fmt.Errorf("%w %s: byte 0x%02x at offset %d is not printable ASCII ('!' to '~')", ErrInvalidKey, QuoteKey(key), c, i)
		}
	}

	return nil
}

// QuoteKey returns key as a Go-quoted string for error messages, cut after
// 64 bytes with the full length noted, so that a huge or binary key cannot
// flood a log line.
func QuoteKey(key string) string {
	if len(key) <= maxQuotedKey {
		return strconv.Quote(key)
	}

	return strconv.Quote(key[:maxQuotedKey]) + "... (" + strconv.Itoa(len(key)) + " bytes)"
}

// ValidateTTL returns nil when ttl is greater than zero, and otherwise an
// error matching ErrInvalidTTL. Stores call it before they write anything.
func ValidateTTL(ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("%w: %v, a TTL must be greater than zero", ErrInvalidTTL, ttl)
	}

	return nil
}

// ValidatePrefix returns nil when prefix is empty or a valid key, the rule
// for listing prefixes, so that no prefix can match what no key can be.
func ValidatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}

	return ValidateKey(prefix)
}
