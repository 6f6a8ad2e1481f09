package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/clientip"
	"github.com/finintelli/auth/internal/csrf"
	"github.com/finintelli/auth/internal/password"
	"github.com/finintelli/auth/internal/store/sqlite"
	"github.com/finintelli/auth/internal/token"
	"github.com/finintelli/auth/internal/web"
)

// fuzzRoutes are the cookie routes that read a request body; the fuzzer picks one by index.
var fuzzRoutes = []string{"/auth/login", "/auth/register", "/auth/refresh", "/auth/logout"}

// fuzzUser is the account that exists before the fuzzer starts, so that logins can succeed.
const (
	fuzzUser     = "fuzz_user"
	fuzzPassword = "fuzz password that passes 7"
)

// FuzzAuthBodies sends arbitrary bodies, content types and cookies to the cookie routes
// through the whole handler, and checks that every answer is a JSON error or a token
// response, never a 5xx (a panic would show as one through the recovery middleware).
//
// The X-CSRF-Token header always carries a valid token. An empty xsrf argument puts the same
// token in the cookie, so that the request passes the CSRF check and reaches the body
// parser; any other value goes into the cookie as is.
func FuzzAuthBodies(f *testing.F) {
	h := fuzzHandler(f)
	tok := fuzzCSRF(f, h)
	refresh := fuzzRefresh(f, h, tok)

	for _, s := range fuzzSeeds(refresh) {
		f.Add(s.route, s.ct, []byte(s.body), s.refresh, s.xsrf, s.streamed)
	}

	f.Fuzz(func(t *testing.T, route uint8, ct string, body []byte, refresh, xsrf string,
		streamed bool) {
		path := fuzzRoutes[int(route)%len(fuzzRoutes)]
		if xsrf == "" {
			xsrf = tok
		}
		r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		if streamed {
			r.ContentLength = -1 // as if sent chunked: only the body reader enforces the limit
		}
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		r.Header.Set(csrf.HeaderName, tok)
		r.Header.Set("Cookie", csrf.CookieName+"="+xsrf+"; "+web.RefreshCookie+"="+refresh)

		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)

		if err := fuzzAnswerOK(w); err != "" {
			t.Fatalf("POST %s (Content-Type %q, %d bytes): %s; body %q", path, ct, len(body),
				err, w.Body.Bytes())
		}
	})
}

// fuzzAnswerOK returns what is wrong with an answer of a cookie route, or "".
func fuzzAnswerOK(w *httptest.ResponseRecorder) string {
	if w.Code >= 500 {
		return "server error " + http.StatusText(w.Code)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		return "Content-Type " + ct + ", want application/json"
	}

	var body struct {
		Detail      *string `json:"detail"`
		AccessToken *string `json:"access_token"`
		TokenType   string  `json:"token_type"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		return "body is not a JSON object: " + err.Error()
	}
	switch {
	case body.Detail != nil && *body.Detail != "":
		return ""
	case body.AccessToken != nil && *body.AccessToken != "" && body.TokenType == "bearer":
		if w.Code != http.StatusOK && w.Code != http.StatusCreated {
			return "token response with status " + http.StatusText(w.Code)
		}
		return ""
	}
	return "neither a detail nor a token response"
}

// fuzzSeed is one starting input of FuzzAuthBodies.
type fuzzSeed struct {
	route         uint8
	ct, body      string
	refresh, xsrf string
	streamed      bool
}

const fuzzBoundary = "fuzzboundary"

// fuzzSeeds returns inputs that reach each branch of the body parser with a valid CSRF pair,
// and a few with broken cookies. refresh is a live refresh token.
func fuzzSeeds(refresh string) []fuzzSeed {
	const (
		login, register, refreshRoute, logout = 0, 1, 2, 3
		form                                  = "application/x-www-form-urlencoded"
		multi                                 = "multipart/form-data; boundary=" + fuzzBoundary
	)
	loginJSON := `{"username":"` + fuzzUser + `","password":"` + fuzzPassword + `"}`
	part := func(name, value string) string {
		return "--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"" + name +
			"\"\r\n\r\n" + value + "\r\n"
	}
	multiLogin := part("username", fuzzUser) + part("password", fuzzPassword) +
		"--" + fuzzBoundary + "--\r\n"

	return []fuzzSeed{
		{route: login, ct: "application/json", body: loginJSON},
		{route: login, ct: "application/json; charset=utf-8", body: `{"email":"a@b.c",` +
			`"password":"x","username":null}`},
		{route: login, ct: form, body: "username=" + fuzzUser + "&password=fuzz+password+" +
			"that+passes+7"},
		{route: login, ct: multi, body: multiLogin},
		{route: login, ct: "multipart/form-data", body: multiLogin},
		{route: login, ct: "multipart/form-data; boundary=\"\"", body: "--\r\n"},
		{route: login, ct: "text/plain", body: "username=x"},
		{route: login, ct: "json;;=", body: "{}"},
		{route: login, ct: "", body: "\x00\xff garbage"},
		{route: login, ct: "application/json", body: `{"username":5}`},
		{route: login, ct: "application/json", body: `{"username":"x"} {}`},
		{route: login, ct: "application/json", body: `[{"username":"x"}]`, streamed: true},
		{route: login, ct: form, body: "username=%zz&password=y"},
		{route: register, ct: "application/json", body: `{"username":"new_fuzz",` +
			`"email":"new_fuzz@example.com","password":"another fine password 8"}`},
		{route: register, ct: form, body: "username=%C3%A9cole&email=e%40example.com&" +
			"password=long+enough+password+9"},
		{route: register, ct: multi, body: part("username", "ＡＬＩＣＥ") +
			part("email", "x@example.com") + "--" + fuzzBoundary + "--\r\n"},
		{route: refreshRoute, refresh: refresh},
		{route: refreshRoute, ct: "application/json", body: "{}", refresh: refresh},
		{route: refreshRoute, refresh: refresh + "; refresh_token=" + refresh},
		{route: refreshRoute, refresh: "\"quoted\""},
		{route: refreshRoute, refresh: "a;b=c", xsrf: "short"},
		{route: logout, refresh: refresh},
		{route: logout, ct: form, body: "a=b", refresh: "x", streamed: true},
		{route: logout, xsrf: "XSRF-TOKEN=; =;;"},
	}
}

// fuzzHandler builds the server's handler on a fresh SQLite store with fuzzUser registered.
// Unlike newEnv it serves no TCP port: the fuzzer calls the handler directly.
func fuzzHandler(f *testing.F) http.Handler {
	f.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatalf("open sqlite: %v", err)
	}
	f.Cleanup(func() { store.Close() })

	issuer, err := token.NewIssuer(token.Config{Alg: "HS256", Secret: testSecret,
		Issuer: "finintelli", TTL: 15 * time.Minute})
	if err != nil {
		f.Fatal(err)
	}
	protector, err := csrf.New(csrf.Config{Key: testSecret})
	if err != nil {
		f.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := auth.NewService(auth.Deps{
		Store:         store,
		Passwords:     password.New(password.Config{Cost: 4}),
		AccessTokens:  issuer,
		RefreshTokens: token.NewRefresher(testSecret),
		Logger:        log,
	}, auth.Config{})

	return web.New(svc, web.Config{
		Cookies: web.Cookies{SameSite: http.SameSiteLaxMode, RefreshTTL: 24 * time.Hour},
		CSRF:    protector,
		IPs:     clientip.New(nil),
		Logger:  log,
		Ready:   store.Ping,
	})
}

// fuzzCSRF fetches a CSRF token through GET /auth/csrf.
func fuzzCSRF(f *testing.F, h http.Handler) string {
	f.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/auth/csrf", nil))
	for _, c := range w.Result().Cookies() {
		if c.Name == csrf.CookieName && c.Value != "" {
			return c.Value
		}
	}
	f.Fatalf("GET /auth/csrf: got status %d and no %s cookie", w.Code, csrf.CookieName)
	return ""
}

// fuzzRefresh registers fuzzUser and returns the refresh token of that session.
func fuzzRefresh(f *testing.F, h http.Handler, tok string) string {
	f.Helper()
	body, _ := json.Marshal(map[string]string{"username": fuzzUser,
		"email": fuzzUser + "@example.com", "password": fuzzPassword})
	r := httptest.NewRequest(http.MethodPost, "/auth/register", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(csrf.HeaderName, tok)
	r.AddCookie(&http.Cookie{Name: csrf.CookieName, Value: tok})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)

	for _, c := range w.Result().Cookies() {
		if c.Name == web.RefreshCookie && c.Value != "" {
			return c.Value
		}
	}
	f.Fatalf("register %s: got status %d and no refresh cookie; body %s", fuzzUser, w.Code,
		w.Body.Bytes())
	return ""
}
