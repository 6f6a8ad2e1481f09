package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/csrf"
	"github.com/finintelli/auth/internal/store/sqlite"
)

// on returns a copy of b that reports its failures to t, so that a browser made from a
// shared env can be used in a subtest.
func (b *browser) on(t *testing.T) *browser {
	c := *b
	c.t = t
	return &c
}

// sqliteEnv returns a test server on a fresh SQLite store, for rules that the web layer
// enforces before the store is reached.
func sqliteEnv(t *testing.T, o options) *env {
	t.Helper()
	return newEnv(t, backends["sqlite"](t), o)
}

// sendChunked posts body without a Content-Length, so that the client sends it chunked.
// The request carries the browser's CSRF token unless hdr says otherwise.
func (b *browser) sendChunked(path, contentType, body string, hdr map[string]string) response {
	b.t.Helper()
	tok := b.csrf()
	req, err := http.NewRequest("POST", b.env.srv.URL+path,
		io.MultiReader(strings.NewReader(body)))
	if err != nil {
		b.t.Fatal(err)
	}
	if req.ContentLength != 0 {
		b.t.Fatalf("request has a Content-Length of %d; it would not be chunked",
			req.ContentLength)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Forwarded-For", b.ip)
	req.Header.Set(csrf.HeaderName, tok)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return b.send(req)
}

// setCSRFCookie puts an XSRF-TOKEN cookie with the given value in the browser's jar.
func (b *browser) setCSRFCookie(value string) {
	u, _ := url.Parse(b.env.srv.URL + "/")
	b.http.Jar.SetCookies(u, []*http.Cookie{{Name: csrf.CookieName, Value: value, Path: "/"}})
}

// setCookieNamed returns the cookie of that name the response sets, or nil.
func setCookieNamed(r response, name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// wantError checks that r is a JSON error {"detail": "..."} with the given status, and
// returns the detail.
func wantError(t *testing.T, r response, status int) string {
	t.Helper()
	wantStatus(t, r, status)
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: got Content-Type %q, want application/json", r.Request.Method,
			r.Request.URL.Path, ct)
	}
	d := r.detail(t)
	if d == "" {
		t.Errorf("%s %s: got body %s, want a non-empty detail", r.Request.Method,
			r.Request.URL.Path, r.body)
	}
	return d
}

// userOf returns the "user" object of a token response.
func userOf(t *testing.T, r response) map[string]any {
	t.Helper()
	u, ok := r.json(t)["user"].(map[string]any)
	if !ok {
		t.Fatalf("no user object in %d response: %s", r.StatusCode, r.body)
	}
	return u
}

// encode returns fields in one of the body formats register and login accept ("json",
// "form" or "multipart"), with the matching Content-Type.
func encode(t *testing.T, format string, fields map[string]string) (ct, body string) {
	t.Helper()
	switch format {
	case "json":
		b, err := json.Marshal(fields)
		if err != nil {
			t.Fatal(err)
		}
		return "application/json", string(b)
	case "form":
		v := url.Values{}
		for k, x := range fields {
			v.Set(k, x)
		}
		return "application/x-www-form-urlencoded", v.Encode()
	case "multipart":
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, x := range fields {
			if err := w.WriteField(k, x); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return w.FormDataContentType(), buf.String()
	}
	t.Fatalf("unknown body format %q", format)
	return "", ""
}

// createUser inserts a user directly into the store, bypassing the service's policy.
func createUser(t *testing.T, s auth.Store, u auth.User) auth.User {
	t.Helper()
	u.UsernameKey, u.EmailKey = auth.UsernameKey(u.Username), auth.EmailKey(u.Email)
	err := s.InTx(context.Background(), func(tx auth.Tx) error {
		return tx.CreateUser(context.Background(), &u)
	})
	if err != nil {
		t.Fatalf("create user %q: %v", u.Username, err)
	}
	return u
}

// storedHash returns the password hash the store holds for a login.
func storedHash(t *testing.T, s auth.Store, login string) string {
	t.Helper()
	var u auth.User
	err := s.InTx(context.Background(), func(tx auth.Tx) (err error) {
		u, err = tx.UserByLogin(context.Background(), auth.LoginKey(login))
		return err
	})
	if err != nil {
		t.Fatalf("user %q: %v", login, err)
	}
	return u.HashedPassword
}

// activityReader is implemented by the concrete stores, which can read the log back.
type activityReader interface {
	ActivityByID(ctx context.Context, id int64) (auth.Activity, error)
}

var _ activityReader = (*sqlite.Store)(nil)

// activities returns the whole activity log of a fresh store, read row by row from id 1.
func activities(t *testing.T, s auth.Store) []auth.Activity {
	t.Helper()
	r, ok := s.(activityReader)
	if !ok {
		t.Fatalf("store %T cannot read the activity log", s)
	}
	var out []auth.Activity
	for id := int64(1); id < 10_000; id++ {
		a, err := r.ActivityByID(context.Background(), id)
		if errors.Is(err, auth.ErrNotFound) {
			return out
		}
		if err != nil {
			t.Fatalf("activity %d: %v", id, err)
		}
		out = append(out, a)
	}
	return out
}

// refreshPathCovers reports whether a cookie with that Path is sent to the request path p
// (RFC 6265, section 5.1.4).
func refreshPathCovers(cookiePath, p string) bool {
	if cookiePath == p {
		return true
	}
	if !strings.HasPrefix(p, cookiePath) {
		return false
	}
	return strings.HasSuffix(cookiePath, "/") || p[len(cookiePath)] == '/'
}

// safeCookieValue reports whether v is made only of [A-Za-z0-9_-], so that a script can
// use it without decoding.
func safeCookieValue(v string) bool {
	for _, r := range v {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '_' || r == '-'
		if !ok {
			return false
		}
	}
	return v != ""
}
