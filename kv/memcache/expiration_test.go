package memcache_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
	"github.com/anykv/anykv/kv/memcache"
)

const day = 24 * time.Hour

func TestExpirationTable(t *testing.T) {
	// A fixed clock in 2027, on a whole second and half-way through one.
	whole := time.Unix(1_800_000_000, 0)
	half := time.Unix(1_800_000_000, 500_000_000)

	tests := []struct {
		name string
		ttl  time.Duration
		now  time.Time
		want int32
	}{
		{"1ns rounds up to 1s plus 2", time.Nanosecond, whole, 3},
		{"999ms rounds up to 1s plus 2", 999 * time.Millisecond, whole, 3},
		{"1s plus 2", time.Second, whole, 3},
		{"1.5s rounds up to 2s plus 2", 1500 * time.Millisecond, whole, 4},
		{"largest relative", 30*day - 2*time.Second, whole, 30 * 24 * 60 * 60},
		{"one past the largest relative is absolute", 30*day - time.Second, whole, 1_800_000_000 + 30*24*60*60},
		{"30 days is absolute", 30 * day, whole, 1_800_000_000 + 30*24*60*60 + 1},
		{"30 days plus 1s", 30*day + time.Second, whole, 1_800_000_000 + 30*24*60*60 + 2},
		{"31 days", 31 * day, whole, 1_800_000_000 + 31*24*60*60 + 1},
		{"31 days from half a second", 31 * day, half, 1_800_000_000 + 31*24*60*60 + 2},
		{"last representable", time.Duration(math.MaxInt32-1_800_000_001) * time.Second, whole, math.MaxInt32},
	}

	for _, tt := range tests {
		got, err := memcache.Expiration(tt.ttl, tt.now)
		if err != nil {
			t.Errorf("%s: Expiration(%v) error: %v", tt.name, tt.ttl, err)
			continue
		}

		if got != tt.want {
			t.Errorf("%s: Expiration(%v) = %d, want %d", tt.name, tt.ttl, got, tt.want)
		}
	}
}

func TestExpirationRejects(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)

	tests := []struct {
		name string
		ttl  time.Duration
	}{
		{"zero", 0},
		{"negative", -time.Second},
		{"one past int32", time.Duration(math.MaxInt32-1_800_000_000) * time.Second},
		{"100 years", 100 * 365 * day},
		{"max duration", time.Duration(math.MaxInt64)},
	}

	for _, tt := range tests {
		got, err := memcache.Expiration(tt.ttl, now)
		if !errors.Is(err, kv.ErrInvalidTTL) {
			t.Errorf("%s: Expiration(%v) = %d, %v; want ErrInvalidTTL", tt.name, tt.ttl, got, err)
			continue
		}

		if !strings.Contains(err.Error(), tt.ttl.String()) {
			t.Errorf("%s: error %q does not name the TTL %v", tt.name, err, tt.ttl)
		}
	}
}

func TestExpirationNeverEarlyOrLate(t *testing.T) {
	// For relative TTLs the expiry must cover the TTL plus the second the
	// server's clock lags plus a second of slack, and stay under the TTL
	// plus 3 s: under 2 s late once rounded up to whole seconds.
	now := time.Unix(1_800_000_000, 0)

	for ttl := time.Millisecond; ttl <= 10*time.Second; ttl += 7 * time.Millisecond {
		got, err := memcache.Expiration(ttl, now)
		if err != nil {
			t.Fatalf("Expiration(%v): %v", ttl, err)
		}

		expiry := time.Duration(got) * time.Second
		if expiry < ttl+2*time.Second {
			t.Errorf("Expiration(%v) = %d s, less than the TTL plus 2 s", ttl, got)
		}

		if expiry >= ttl+3*time.Second {
			t.Errorf("Expiration(%v) = %d s, not under the TTL plus 3 s", ttl, got)
		}
	}
}
