package jwtrevoke_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/anykv/anykv/jwtrevoke"
)

func TestParseBearer(t *testing.T) {
	cases := []struct {
		value string
		token string
		err   error // nil, ErrNoToken or ErrInvalidToken
	}{
		{"Bearer abc.def.ghi", "abc.def.ghi", nil},
		{"bearer abc", "abc", nil},
		{"BEARER abc", "abc", nil},
		{"bEaReR abc", "abc", nil},
		{"Bearer   abc", "abc", nil},
		{" \tBearer abc \t", "abc", nil},
		{"Bearer a-b.c_d~e+f/g==", "a-b.c_d~e+f/g==", nil},
		{"Bearer 0123456789", "0123456789", nil},

		{"", "", jwtrevoke.ErrNoToken},
		{"   ", "", jwtrevoke.ErrNoToken},
		{"Basic dXNlcjpwYXNz", "", jwtrevoke.ErrNoToken},
		{"Bearerabc", "", jwtrevoke.ErrNoToken},
		{"Bearer\tabc", "", jwtrevoke.ErrNoToken},
		{"Token abc", "", jwtrevoke.ErrNoToken},

		{"Bearer", "", jwtrevoke.ErrInvalidToken},
		{"Bearer ", "", jwtrevoke.ErrInvalidToken},
		{"Bearer abc def", "", jwtrevoke.ErrInvalidToken},
		{"Bearer abc\tdef", "", jwtrevoke.ErrInvalidToken},
		{"Bearer abc,def", "", jwtrevoke.ErrInvalidToken},
		{`Bearer "abc"`, "", jwtrevoke.ErrInvalidToken},
		{"Bearer ab=c", "", jwtrevoke.ErrInvalidToken},
		{"Bearer ==", "", jwtrevoke.ErrInvalidToken},
		{"Bearer abc\n", "", jwtrevoke.ErrInvalidToken},
		{"Bearer abc\x00", "", jwtrevoke.ErrInvalidToken},
		{"Bearer ab\xffc", "", jwtrevoke.ErrInvalidToken},
		{"Bearer ab\u00e9c", "", jwtrevoke.ErrInvalidToken},
	}

	for _, tc := range cases {
		token, err := jwtrevoke.ParseBearer(tc.value)

		if tc.err == nil {
			if err != nil || token != tc.token {
				t.Errorf("ParseBearer(%q) = %q, %v; want %q, nil", tc.value, token, err, tc.token)
			}

			continue
		}

		if !errors.Is(err, tc.err) || token != "" {
			t.Errorf("ParseBearer(%q) = %q, %v; want an error matching %v", tc.value, token, err, tc.err)
		}

		if tc.err == jwtrevoke.ErrNoToken && errors.Is(err, jwtrevoke.ErrInvalidToken) {
			t.Errorf("ParseBearer(%q) error %v matches ErrInvalidToken; a request without a bearer token is not an invalid token", tc.value, err)
		}
	}
}

func TestParseBearerErrorOmitsToken(t *testing.T) {
	for _, value := range []string{"Bearer secret-part extra", "Bearer secret-part\"", "Bearer secret-part\x01"} {
		_, err := jwtrevoke.ParseBearer(value)
		if err == nil {
			t.Fatalf("ParseBearer(%q) succeeded, want an error", value)
		}

		if strings.Contains(err.Error(), "secret-part") {
			t.Errorf("ParseBearer(%q) error %q repeats the token", value, err)
		}
	}
}

func TestBearerTokenCap(t *testing.T) {
	request := func(values ...string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, v := range values {
			r.Header.Add("Authorization", v)
		}

		return r
	}

	atCap := "Bearer " + strings.Repeat("A", jwtrevoke.DefaultMaxHeaderBytes-len("Bearer "))
	if token, err := jwtrevoke.BearerToken(request(atCap)); err != nil || len(token) != jwtrevoke.DefaultMaxHeaderBytes-len("Bearer ") {
		t.Errorf("BearerToken of a header of exactly %d bytes: token of %d bytes, %v; want the token", jwtrevoke.DefaultMaxHeaderBytes, len(token), err)
	}

	if _, err := jwtrevoke.BearerToken(request(atCap + "A")); !errors.Is(err, jwtrevoke.ErrInvalidToken) {
		t.Errorf("BearerToken of a header one byte over the cap = %v, want ErrInvalidToken", err)
	}

	if _, err := jwtrevoke.BearerToken(request()); !errors.Is(err, jwtrevoke.ErrNoToken) {
		t.Errorf("BearerToken without a header = %v, want ErrNoToken", err)
	}

	if _, err := jwtrevoke.BearerToken(request("Bearer a", "Bearer b")); !errors.Is(err, jwtrevoke.ErrInvalidToken) {
		t.Errorf("BearerToken with two headers = %v, want ErrInvalidToken", err)
	}
}

// FuzzParseBearer checks that ParseBearer never panics, and that every
// token it returns is a non-empty b64token found in the input, which
// parses back to itself.
func FuzzParseBearer(f *testing.F) {
	for _, seed := range []string{"Bearer abc.def.ghi", "bearer a=", "Basic x", "Bearer a b", "Bearer ==", " Bearer  x "} {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, value string) {
		token, err := jwtrevoke.ParseBearer(value)
		if err != nil {
			if token != "" {
				t.Fatalf("ParseBearer(%q) returned token %q with error %v", value, token, err)
			}

			if !errors.Is(err, jwtrevoke.ErrNoToken) && !errors.Is(err, jwtrevoke.ErrInvalidToken) {
				t.Fatalf("ParseBearer(%q) error %v matches neither ErrNoToken nor ErrInvalidToken", value, err)
			}

			return
		}

		if token == "" || !strings.Contains(value, token) {
			t.Fatalf("ParseBearer(%q) = %q, want a non-empty part of the input", value, token)
		}

		body := strings.TrimRight(token, "=")
		if body == "" || strings.Trim(body, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/") != "" {
			t.Fatalf("ParseBearer(%q) = %q, which is not a b64token", value, token)
		}

		again, err := jwtrevoke.ParseBearer("Bearer " + token)
		if err != nil || again != token {
			t.Fatalf("ParseBearer(\"Bearer %s\") = %q, %v; want the same token", token, again, err)
		}
	})
}
