package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/auth"
	"github.com/finintelli/auth/internal/web"
)

// TestBodyFormats registers and logs in with each accepted body format, with the same field
// names, and with fields the server does not use.
func TestBodyFormats(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})

		for _, format := range []string{"json", "form", "multipart"} {
			t.Run(format, func(t *testing.T) {
				t.Parallel()
				b := e.browser().on(t)
				name := "fmt_" + format
				email := name + "@example.com"

				ct, body := encode(t, format, map[string]string{"username": name,
					"email": email, "password": strongPassword,
					"confirmPassword": strongPassword, "terms": "on"})
				r := b.post("/auth/register", ct, body)
				wantStatus(t, r, http.StatusCreated)
				if got := userOf(t, r)["username"]; got != name {
					t.Errorf("registered username: got %v, want %q", got, name)
				}

				logins := []map[string]string{
					{"username": strings.ToUpper(name), "password": strongPassword, "x": "1"},
					{"email": email, "password": strongPassword},
				}
				for _, f := range logins {
					ct, body = encode(t, format, f)
					wantStatus(t, b.post("/auth/login", ct, body), http.StatusOK)
				}

				ct, body = encode(t, format,
					map[string]string{"username": name, "password": "not the password 9"})
				wantError(t, b.post("/auth/login", ct, body), http.StatusUnauthorized)
			})
		}
	})
}

// TestRefreshLogoutWithoutBody checks that refresh and logout need neither a body nor a
// Content-Type, and accept an empty JSON object too.
func TestRefreshLogoutWithoutBody(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(t *testing.T) auth.Store) {
		t.Parallel()
		e := newEnv(t, open(t), options{})
		b := e.browser()
		wantStatus(t, b.register("nobody", "nobody@example.com", strongPassword),
			http.StatusCreated)

		wantStatus(t, b.post("/auth/refresh", "", ""), http.StatusOK)
		wantStatus(t, b.post("/auth/refresh", "application/json", "{}"), http.StatusOK)
		wantStatus(t, b.post("/auth/logout", "", ""), http.StatusOK)
		wantStatus(t, b.post("/auth/logout", "application/json", "{}"), http.StatusOK)
	})
}

// TestBadBodies sends bodies that are too large, of the wrong type, or malformed: each gets
// its 4xx status and a JSON error.
func TestBadBodies(t *testing.T) {
	e := sqliteEnv(t, options{})

	over := strings.Repeat("a", web.MaxBodyBytes+1)
	bigJSON := `{"username":"x","password":"` + over + `"}`
	bigForm := "username=x&password=" + over
	bigMultipartCT, bigMultipart := multipartOf(t, "password", over)
	paddedJSON := `{"username":"x","password":"y"}` + strings.Repeat(" ", web.MaxBodyBytes)

	tests := []struct {
		name    string
		path    string
		ct      string
		body    string
		chunked bool
		want    int
	}{
		{"json over limit", "/auth/login", "application/json", bigJSON, false, 413},
		{"json over limit chunked", "/auth/login", "application/json", bigJSON, true, 413},
		{"form over limit", "/auth/login", formCT, bigForm, false, 413},
		{"form over limit chunked", "/auth/login", formCT, bigForm, true, 413},
		{"multipart over limit", "/auth/login", bigMultipartCT, bigMultipart, false, 413},
		{"multipart over limit chunked", "/auth/login", bigMultipartCT, bigMultipart, true,
			413},
		{"register over limit chunked", "/auth/register", "application/json", bigJSON, true,
			413},
		{"refresh over limit", "/auth/refresh", "application/json", bigJSON, false, 413},
		{"logout over limit chunked", "/auth/logout", formCT, bigForm, true, 413},
		{"json padded past limit chunked", "/auth/login", "application/json", paddedJSON,
			true, 413},

		{"text/plain", "/auth/login", "text/plain", "username=x&password=y", false, 415},
		{"application/xml", "/auth/login", "application/xml", "<login/>", false, 415},
		{"xml on register", "/auth/register", "application/xml", "<r/>", false, 415},
		{"text/plain on refresh", "/auth/refresh", "text/plain", "x", false, 415},
		{"unparsable media type", "/auth/login", "json;;=", `{}`, false, 415},

		{"truncated json", "/auth/login", "application/json", `{"username":`, false, 400},
		{"not json", "/auth/login", "application/json", `username=x`, false, 400},
		{"json array", "/auth/login", "application/json", `[1,2]`, false, 400},
		{"json string", "/auth/login", "application/json", `"x"`, false, 400},
		{"empty json body", "/auth/login", "application/json", ``, false, 400},
		{"two json values", "/auth/login", "application/json",
			`{"username":"x","password":"y"} {}`, false, 400},
		{"stray closing brace", "/auth/login", "application/json",
			`{"username":"x","password":"y"}}`, false, 400},
		{"stray closing bracket", "/auth/login", "application/json",
			`{"username":"x","password":"y"}]`, false, 400},
		{"malformed json on refresh", "/auth/refresh", "application/json", `{`, false, 400},
		{"bad form escape", "/auth/login", formCT, "username=%zz&password=y", false, 400},
		{"multipart without boundary", "/auth/login", "multipart/form-data", "x", false,
			400},

		{"number field", "/auth/login", "application/json",
			`{"username":5,"password":"y"}`, false, 400},
		{"bool field", "/auth/login", "application/json",
			`{"username":"x","password":true}`, false, 400},
		{"array field", "/auth/register", "application/json",
			`{"username":"x","email":["a"],"password":"y"}`, false, 400},
		{"object field", "/auth/register", "application/json",
			`{"username":{"a":1},"email":"a@example.com","password":"y"}`, false, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := e.browser().on(t)
			var r response
			if tt.chunked {
				r = b.sendChunked(tt.path, tt.ct, tt.body, nil)
			} else {
				r = b.post(tt.path, tt.ct, tt.body)
			}
			wantError(t, r, tt.want)
		})
	}
}

// formCT is the Content-Type of a URL-encoded form.
const formCT = "application/x-www-form-urlencoded"

// multipartOf returns a multipart form with one field, and its Content-Type.
func multipartOf(t *testing.T, name, value string) (ct, body string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("username", "x"); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteField(name, value); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.String()
}

// TestUnroutable checks the JSON answers to wrong methods and unknown paths.
func TestUnroutable(t *testing.T) {
	e := sqliteEnv(t, options{})

	tests := []struct {
		method, path string
		want         int
		allow        string // a method the Allow header must list, for 405
	}{
		{"GET", "/auth/login", 405, "POST"},
		{"GET", "/auth/register", 405, "POST"},
		{"PUT", "/auth/refresh", 405, "POST"},
		{"DELETE", "/api/me", 405, "GET"},
		{"POST", "/login", 405, "GET"},
		{"GET", "/nope", 404, ""},
		{"POST", "/nope", 404, ""},
		{"GET", "/auth", 404, ""},
		{"GET", "/api/", 404, ""},
		{"GET", "/static/js/none.js", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			b := e.browser().on(t)
			r := b.do(tt.method, tt.path, "", "", nil)
			wantError(t, r, tt.want)

			allow := r.Header.Get("Allow")
			if tt.allow != "" && !strings.Contains(allow, tt.allow) {
				t.Errorf("Allow: got %q, want it to list %s", allow, tt.allow)
			}
			if tt.allow == "" && allow != "" {
				t.Errorf("Allow on a %d: got %q, want none", tt.want, allow)
			}
		})
	}
}

// TestDuplicateJSONKeys: a JSON body naming a field twice is refused, since parsers
// disagree on which value wins.
func TestDuplicateJSONKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t, backends["sqlite"](t), options{})
	b := e.browser()
	r := b.post("/auth/register", "application/json",
		`{"username":"twice","username":"evil","email":"twice@example.com",`+
			`"password":"`+strongPassword+`"}`)
	wantStatus(t, r, http.StatusBadRequest)
	if d := r.detail(t); !strings.Contains(d, "username") {
		t.Fatalf("detail %q does not name the field", d)
	}
	// Keys inside nested values are not top-level fields.
	r = b.post("/auth/register", "application/json",
		`{"username":"once","email":"once@example.com","password":"`+strongPassword+`",`+
			`"extra":{"a":1,"a":2}}`)
	wantStatus(t, r, http.StatusCreated)
}
