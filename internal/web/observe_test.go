package web_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/csrf"
	"github.com/finintelli/auth/internal/password"
	"github.com/finintelli/auth/internal/store/sqlite"
	"github.com/finintelli/auth/internal/token"
	"github.com/finintelli/auth/internal/web"
)

// seen is a web.Observer that remembers what it was told.
type seen struct {
	mu         sync.Mutex
	requests   []string // "route status text"
	csrf       []string
	unmeasured int // requests reported with a duration of zero or less
}

func (o *seen) Request(route string, status int, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if d <= 0 {
		o.unmeasured++
	}
	o.requests = append(o.requests, route+" "+http.StatusText(status))
}

func (o *seen) CSRFRejected(reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.csrf = append(o.csrf, reason)
}

func (o *seen) take() (requests, csrf []string, unmeasured int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	requests, csrf, unmeasured = o.requests, o.csrf, o.unmeasured
	o.requests, o.csrf, o.unmeasured = nil, nil, 0
	return requests, csrf, unmeasured
}

// observedServer runs the web layer on SQLite with obs as its observer and the CSRF
// rejections answered by web.CSRFDenied(obs).
func observedServer(t *testing.T, obs *seen) *httptest.Server {
	t.Helper()
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	issuer, err := token.NewIssuer(token.Config{Alg: "HS256", Secret: testSecret,
		Issuer: "finintelli", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	protector, err := csrf.New(csrf.Config{Key: testSecret, Deny: web.CSRFDenied(obs)})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := auth.NewService(auth.Deps{Store: store,
		Passwords:    password.New(password.Config{Cost: 4}),
		AccessTokens: issuer, RefreshTokens: token.NewRefresher(testSecret), Logger: log,
	}, auth.Config{})
	srv := httptest.NewServer(web.New(svc, web.Config{CSRF: protector, Logger: log,
		Observer: obs}))
	t.Cleanup(srv.Close)
	return srv
}

// TestObserver checks the route, status and CSRF reason reported for each request: the
// route is the pattern that matched, never the path.
func TestObserver(t *testing.T) {
	obs := &seen{}
	srv := observedServer(t, obs)

	tests := []struct {
		method, path string
		header       map[string]string
		wantRequest  string
		wantCSRF     string
	}{
		{"GET", "/healthz", nil, "GET /healthz OK", ""},
		{"GET", "/static/favicon.svg?v=1", nil, "GET /static/ OK", ""},
		{"GET", "/no/such/page", nil, "unmatched Not Found", ""},
		{"DELETE", "/healthz", nil, "unmatched Method Not Allowed", ""},
		{"DELETE", "/api/sessions/abc123", nil, "DELETE /api/sessions/{id} Unauthorized", ""},
		{"POST", "/auth/login", nil, "POST /auth/login Forbidden", web.CSRFToken},
		{"POST", "/auth/login", map[string]string{"Sec-Fetch-Site": "cross-site"},
			"POST /auth/login Forbidden", web.CSRFCrossOrigin},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body struct{ Detail string }
			decodeErr := json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()

			requests, rejections, unmeasured := obs.take()
			if want := []string{tt.wantRequest}; !slices.Equal(requests, want) {
				t.Errorf("requests: got %q, want %q", requests, want)
			}
			if unmeasured != 0 {
				t.Errorf("requests without a duration: got %d, want 0", unmeasured)
			}
			var wantCSRF []string
			if tt.wantCSRF != "" {
				wantCSRF = []string{tt.wantCSRF}
				if decodeErr != nil || body.Detail != "CSRF token missing or invalid" {
					t.Errorf("rejection body: got %q (%v), want the CSRF detail",
						body.Detail, decodeErr)
				}
			}
			if !slices.Equal(rejections, wantCSRF) {
				t.Errorf("CSRF rejections: got %q, want %q", rejections, wantCSRF)
			}
		})
	}
}
