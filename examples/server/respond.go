package main

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/anykv/anykv/jwtrevoke"
	"github.com/anykv/anykv/kv"
)

// maxBodyBytes caps a request body. The largest one this API reads, a
// login, is well under 1 KiB.
const maxBodyBytes = 4 << 10

// message is the body of responses that carry only a text, in the
// {"msg": ...} form of the flask-jwt-extended examples.
type message struct {
	Msg string `json:"msg"`
}

// writeJSON writes v as the JSON body of a response with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)

	// The response has started, so an encoding error can only be dropped.
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes the response for err from the Tracker: 401 with a
// WWW-Authenticate challenge for token errors, 503 with Retry-After when
// the store failed, 501 when the store lacks a capability, and 500 for
// anything else. Failures that are not the client's doing are logged.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, kv.ErrUnsupported):
		a.logger.Warn("request needs a store capability", "method", r.Method, "path", r.URL.Path, "error", err)
		writeJSON(w, http.StatusNotImplemented, message{"The store cannot do this: " + err.Error()})

		return
	case errors.Is(err, jwtrevoke.ErrStoreUnavailable):
		a.logger.Warn("token store failed", "method", r.Method, "path", r.URL.Path, "error", err)
	case jwtrevoke.StatusCode(err) == http.StatusInternalServerError:
		a.logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}

	jwtrevoke.WriteError(w, r, err)
}

// decodeBody decodes the JSON request body into v, and writes a 400
// response and returns false when the body is missing, too large or not
// valid JSON.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	decoder := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))

	if err := decoder.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, message{"Invalid JSON body: " + err.Error()})
		return false
	}

	return true
}
