package redis

import (
	"context"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/anykv/anykv/internal/testserver"
)

func TestHashSlotMatchesServer(t *testing.T) {
	addrs := testserver.RedisCluster(t)
	client := goredis.NewClient(&goredis.Options{Addr: addrs[0]})
	t.Cleanup(func() { client.Close() })

	keys := []string{
		"a", "foo", "123456789", "app:user:42", "{user1000}.following",
		"{user1000}.followers", "foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}",
		"{", "}", "{}", "a{b", "a}b{c}", `a\*?[]`,
	}
	for _, key := range keys {
		want, err := client.ClusterKeySlot(context.Background(), key).Result()
		if err != nil {
			t.Fatalf("CLUSTER KEYSLOT %q: %v", key, err)
		}

		if got := hashSlot(key); int64(got) != want {
			t.Errorf("hashSlot(%q) = %d, want %d as the server computes it", key, got, want)
		}
	}
}

func TestEscapePattern(t *testing.T) {
	cases := map[string]string{
		"":          "",
		"plain:key": "plain:key",
		"a*":        `a\*`,
		"a?b":       `a\?b`,
		"[x]":       `\[x\]`,
		`back\`:     `back\\`,
		"^-!":       "^-!",
	}
	for text, want := range cases {
		if got := escapePattern(text); got != want {
			t.Errorf("escapePattern(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestPXMillisecondsPadsAndRoundsUp(t *testing.T) {
	padding := int64(ttlPadding / time.Millisecond)
	cases := map[int64]int64{1: 1, 999_999: 1, 1_000_000: 1, 1_000_001: 2, 1_500_000_000: 1500}
	for nanoseconds, want := range cases {
		if got := pxMilliseconds(time.Duration(nanoseconds)); got != want+padding {
			t.Errorf("pxMilliseconds(%dns) = %d, want %d", nanoseconds, got, want+padding)
		}
	}
}
