package kv_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/anykv/anykv/kv"
)

func TestValidateKeyAccepts(t *testing.T) {
	valid := []string{
		"a",
		"!",
		"~",
		strings.Repeat("k", kv.MaxKeyLen),
		"a*b?c[d]e\\f/g:h",
		"user:42/session",
	}

	for _, key := range valid {
		if err := kv.ValidateKey(key); err != nil {
			t.Errorf("ValidateKey(%q) = %v, want nil", key, err)
		}
	}
}

func TestValidateKeyRejects(t *testing.T) {
	invalid := map[string]string{
		"empty":            "",
		"too long":         strings.Repeat("k", kv.MaxKeyLen+1),
		"space":            "a b",
		"newline":          "a\n",
		"tab":              "\ta",
		"NUL":              "a\x00",
		"DEL":              "a\x7f",
		"non-ASCII":        "caf\xc3\xa9",
		"high byte":        "\xff",
		"trailing newline": "key\n",
	}

	for name, key := range invalid {
		err := kv.ValidateKey(key)
		if !errors.Is(err, kv.ErrInvalidKey) {
			t.Errorf("%s: ValidateKey(%q) = %v, want ErrInvalidKey", name, key, err)
		}
	}
}

func TestValidateKeyMessageQuotesAndCuts(t *testing.T) {
	err := kv.ValidateKey("bad key")
	if err == nil || !strings.Contains(err.Error(), `"bad key"`) {
		t.Fatalf("error %v does not quote the key", err)
	}

	long := strings.Repeat("x", 10_000) + " "
	err = kv.ValidateKey(long)
	if err == nil {
		t.Fatal("a 10001-byte key was accepted")
	}

	if len(err.Error()) > 300 {
		t.Errorf("error message is %d bytes, want it cut", len(err.Error()))
	}

	if !strings.Contains(err.Error(), "10001 bytes") {
		t.Errorf("error %q does not give the key length", err)
	}
}

func TestValidateTTL(t *testing.T) {
	for _, ttl := range []time.Duration{0, -1, -time.Hour} {
		if err := kv.ValidateTTL(ttl); !errors.Is(err, kv.ErrInvalidTTL) {
			t.Errorf("ValidateTTL(%v) = %v, want ErrInvalidTTL", ttl, err)
		}
	}

	if err := kv.ValidateTTL(time.Nanosecond); err != nil {
		t.Errorf("ValidateTTL(1ns) = %v, want nil", err)
	}
}

func TestValidatePrefix(t *testing.T) {
	if err := kv.ValidatePrefix(""); err != nil {
		t.Errorf("empty prefix: %v", err)
	}

	if err := kv.ValidatePrefix("a b"); !errors.Is(err, kv.ErrInvalidKey) {
		t.Errorf("prefix with space: %v, want ErrInvalidKey", err)
	}
}

func TestErrUnsupportedMatchesStandard(t *testing.T) {
	if !errors.Is(kv.ErrUnsupported, errors.ErrUnsupported) {
		t.Fatal("kv.ErrUnsupported does not match errors.ErrUnsupported")
	}
}
