package kv_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/anykv/anykv/kv"
)

func TestOpenUnknownScheme(t *testing.T) {
	_, err := kv.Open(context.Background(), "nosuchscheme://x")
	if !errors.Is(err, kv.ErrUnknownScheme) {
		t.Fatalf("Open = %v, want ErrUnknownScheme", err)
	}
}

func TestOpenHidesPassword(t *testing.T) {
	_, err := kv.Open(context.Background(), "nosuchscheme://user:hunter2@127.0.0.1:1/")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("Open error %v shows the password", err)
	}

	_, err = kv.Open(context.Background(), "redis://user:hunter2@127.0.0.1:bad port/")
	if !errors.Is(err, kv.ErrInvalidURL) {
		t.Fatalf("Open of unparsable URL = %v, want ErrInvalidURL", err)
	}

	if strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("Open error %v shows the password", err)
	}
}

func TestOpenNoScheme(t *testing.T) {
	_, err := kv.Open(context.Background(), "/tmp/file.db")
	if !errors.Is(err, kv.ErrInvalidURL) {
		t.Fatalf("Open = %v, want ErrInvalidURL", err)
	}
}

func TestRegisterAndOpen(t *testing.T) {
	var got *url.URL

	kv.Register("kvtestscheme", func(ctx context.Context, u *url.URL) (kv.Store, error) {
		got = u
		return nil, errors.New("opened")
	})

	_, err := kv.Open(context.Background(), "KVTESTSCHEME://host/path?x=1")
	if err == nil || err.Error() != "opened" {
		t.Fatalf("Open = %v, want the opener's error", err)
	}

	if got == nil || got.Host != "host" || got.Query().Get("x") != "1" {
		t.Fatalf("opener got URL %v", got)
	}

	defer func() {
		if recover() == nil {
			t.Error("second Register of one scheme did not panic")
		}
	}()

	kv.Register("kvtestscheme", func(ctx context.Context, u *url.URL) (kv.Store, error) { return nil, nil })
}
