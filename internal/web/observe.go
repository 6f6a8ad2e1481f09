package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/finintelli/auth/internal/csrf"
)

// UnmatchedRoute is the route of requests that matched no pattern (404 and 405 answers).
const UnmatchedRoute = "unmatched"

// Reasons of a CSRF rejection, as given to Observer.CSRFRejected.
const (
	CSRFCrossOrigin = "cross_origin" // the browser said the request came from another origin
	CSRFToken       = "token"        // the double-submit token was missing or wrong
)

// Observer is told about requests, for metrics. Its methods must be quick and safe for
// concurrent use; they are called on the request path.
type Observer interface {
	// Request is called once a request has been answered. route is the pattern that
	// matched ("POST /auth/login"), never the raw path, or UnmatchedRoute.
	Request(route string, status int, d time.Duration)

	// CSRFRejected is called for each request refused by the CSRF check.
	CSRFRejected(reason string)
}

// withObserver reports each request's route, status and duration to obs.
func withObserver(obs Observer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}

		next.ServeHTTP(sw, r)

		// The ServeMux sets r.Pattern on the request it is given, which is r itself: no
		// middleware between here and the mux replaces the request.
		route := r.Pattern
		if route == "" {
			route = UnmatchedRoute
		}
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		obs.Request(route, status, time.Since(start))
	})
}

// CSRFDenied returns the handler for requests the CSRF check refuses (csrf.Config.Deny): a
// 403 with a JSON error, reported to obs with its reason. obs may be nil.
func CSRFDenied(obs Observer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if obs != nil {
			reason := CSRFToken
			if errors.Is(csrf.Reason(r), csrf.ErrCrossOrigin) {
				reason = CSRFCrossOrigin
			}
			obs.CSRFRejected(reason)
		}
		writeDetail(w, http.StatusForbidden, "CSRF token missing or invalid")
	})
}
