package jwtrevoke

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"time"
)

// ClientAuthFunc authenticates the OAuth client that calls
// RevocationHandler or IntrospectionHandler. It returns nil to let the
// request through and an error to reject it with 401 invalid_client.
//
// It runs after the form body was parsed, so it may read client_id and
// client_secret from r.PostForm as well as the Authorization header (see
// r.BasicAuth). The handlers never send its error to the client, so the
// error may name the reason for the server's own logging.
type ClientAuthFunc func(r *http.Request) error

// Values of the token_type_hint parameter, from the OAuth Token Type Hints
// registry of RFC 7009 section 4.1.2.
const (
	HintAccessToken  = "access_token"
	HintRefreshToken = "refresh_token"
)

// MaxEndpointBodyBytes caps the form body that RevocationHandler and
// IntrospectionHandler read: 64 KiB, room for a token of MaxTokenLen bytes
// after form encoding and for client credentials. A longer body gets 413.
const MaxEndpointBodyBytes = 64 << 10

// clientRealm is the realm of the Basic challenge sent with 401
// invalid_client.
const clientRealm = "jwtrevoke"

// endpointRequest is the parsed form of a revocation or introspection
// request.
type endpointRequest struct {
	token string
	hint  string // empty when the client sent none
}

// knownHint reports whether hint is empty or one of the two values this
// package understands.
func (r endpointRequest) knownHint() bool {
	return r.hint == "" || r.hint == HintAccessToken || r.hint == HintRefreshToken
}

// readEndpointRequest checks the method and content type, parses the form
// body, authenticates the client with auth and reads the token. On any
// failure it writes the error response itself and returns false.
func readEndpointRequest(w http.ResponseWriter, r *http.Request, auth ClientAuthFunc) (endpointRequest, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "method not allowed, use POST")

		return endpointRequest{}, false
	}

	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/x-www-form-urlencoded" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "content type must be application/x-www-form-urlencoded")

		return endpointRequest{}, false
	}

	// A token in the URL ends up in access logs and proxies, so only the
	// body may carry it, as RFC 7009 and RFC 7662 specify.
	if query := r.URL.Query(); query.Has("token") {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "send the token in the request body, not in the URL")

		return endpointRequest{}, false
	}

	r.Body = http.MaxBytesReader(w, r.Body, MaxEndpointBodyBytes)
	if err := r.ParseForm(); err != nil {
		if maxErr := (*http.MaxBytesError)(nil); errors.As(err, &maxErr) {
			writeOAuthError(w, http.StatusRequestEntityTooLarge, "invalid_request", "request body too large")
		} else {
			writeOAuthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		}

		return endpointRequest{}, false
	}

	if err := auth(r); err != nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+clientRealm+`"`)
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")

		return endpointRequest{}, false
	}

	// RFC 6749 section 3.1 forbids repeating a parameter, and taking the
	// first of two tokens would act on one the client may not have meant.
	for _, name := range []string{"token", "token_type_hint"} {
		if len(r.PostForm[name]) > 1 {
			writeOAuthError(w, http.StatusBadRequest, "invalid_request", "parameter "+name+" given more than once")

			return endpointRequest{}, false
		}
	}

	req := endpointRequest{token: r.PostForm.Get("token"), hint: r.PostForm.Get("token_type_hint")}
	if req.token == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "missing token parameter")

		return endpointRequest{}, false
	}

	return req, true
}

// setNoStore marks a response as not cacheable, as RFC 6749 section 5.1
// requires for responses that carry token information.
func setNoStore(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
}

// writeOAuthError writes an error response in the form of RFC 6749
// section 5.2. description must be a fixed phrase: it never carries the
// token or an error's text.
func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	h := w.Header()
	setNoStore(h)

	if status == http.StatusServiceUnavailable {
		h.Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
	}

	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// writeJSON writes body as the JSON response with status.
func writeJSON(w http.ResponseWriter, status int, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"error":"server_error","error_description":"internal error"}`)
	}

	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)

	_, _ = w.Write(append(data, '\n'))
}
