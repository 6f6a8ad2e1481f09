package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/finintelli/auth/internal/auth"
)

// statusOf maps each error code of the service to its HTTP status. This map and fail are the
// one place where errors become statuses.
var statusOf = map[auth.Code]int{
	auth.EINVALID:      http.StatusBadRequest,
	auth.ECONFLICT:     http.StatusConflict,
	auth.EUNAUTHORIZED: http.StatusUnauthorized,
	auth.EFORBIDDEN:    http.StatusForbidden,
	auth.ENOTFOUND:     http.StatusNotFound,
	auth.ERATELIMITED:  http.StatusTooManyRequests,
	auth.EUNAVAILABLE:  http.StatusServiceUnavailable,
	auth.EINTERNAL:     http.StatusInternalServerError,
	auth.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	auth.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
}

// fail writes err as a JSON error. Internal errors are logged and shown as a generic
// message; the messages of other codes are written for people and safe to show.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *auth.Error
	if !errors.As(err, &e) {
		e = &auth.Error{Code: auth.EINTERNAL, Err: err}
	}
	if e.Code == auth.EINTERNAL && r.Context().Err() != nil {
		// The client went away and took the request's context with it: nothing failed on
		// our side, and nobody reads the answer.
		e = &auth.Error{Code: auth.EUNAVAILABLE, Message: "Request cancelled", Err: err}
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}

	msg := e.Message
	switch {
	case status >= 500 && status != http.StatusServiceUnavailable:
		s.log.Error("request failed", "request_id", requestID(r.Context()),
			"path", r.URL.Path, "err", err)
		msg = "Internal server error"
	case status == http.StatusServiceUnavailable:
		s.log.Warn("service unavailable", "request_id", requestID(r.Context()),
			"path", r.URL.Path, "err", err)
	}
	if msg == "" {
		msg = http.StatusText(status)
	}

	if e.RetryAfter > 0 {
		secs := int((e.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	if status == http.StatusUnauthorized && strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("WWW-Authenticate", `Bearer realm="finintelli"`)
	}
	writeDetail(w, status, msg)
}

// writeDetail writes the JSON error body {"detail": msg}.
func writeDetail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"detail": msg})
}

// writeJSON writes v as the JSON body of a response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		slog.Error("encode response", "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"detail":"Internal server error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
