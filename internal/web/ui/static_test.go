package ui_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/web/ui"
)

// staticServer mounts ui.Static the way the server does.
func staticServer() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/static/", http.StripPrefix("/static/", ui.Static()))
	return mux
}

func get(h http.Handler, method, target string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestStatic(t *testing.T) {
	tests := []struct {
		target     string
		wantStatus int
		wantType   string
		wantFile   string
	}{
		{"/static/js/auth/token.js", 200, "text/javascript; charset=utf-8",
			"static/js/auth/token.js"},
		{"/static/js/dashboard.js", 200, "text/javascript; charset=utf-8",
			"static/js/dashboard.js"},
		{"/static/css/app.css", 200, "text/css; charset=utf-8", "static/css/app.css"},
		{"/static/favicon.svg", 200, "image/svg+xml", "static/favicon.svg"},
		{"/static/", 404, "", ""},
		{"/static/js", 404, "", ""},
		{"/static/js/", 404, "", ""},
		{"/static/js/auth/", 404, "", ""},
		{"/static/css/", 404, "", ""},
		{"/static/missing.js", 404, "", ""},
		{"/static/js/auth/token.js/", 404, "", ""},
		{"/static/%2e%2e/ui.go", 404, "", ""},
		{"/static/js/..%2f..%2fui.go", 404, "", ""},
	}

	h := staticServer()
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := get(h, http.MethodGet, tt.target, nil)

			if rec.Code != tt.wantStatus {
				t.Fatalf("got status %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantStatus != http.StatusOK {
				if strings.Contains(rec.Body.String(), "<a href") {
					t.Errorf("got a directory listing: %q", rec.Body.String())
				}
				return
			}

			if got := rec.Header().Get("Content-Type"); got != tt.wantType {
				t.Errorf("got Content-Type %q, want %q", got, tt.wantType)
			}
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("got X-Content-Type-Options %q, want nosniff", got)
			}
			want, err := os.ReadFile(tt.wantFile)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(rec.Body.Bytes(), want) {
				t.Errorf("got %d bytes, want the %d bytes of %s",
					rec.Body.Len(), len(want), tt.wantFile)
			}
		})
	}
}

func TestStaticMethods(t *testing.T) {
	h := staticServer()

	head := get(h, http.MethodHead, "/static/css/app.css", nil)
	if head.Code != http.StatusOK || head.Body.Len() != 0 {
		t.Errorf("HEAD: got status %d with %d bytes, want 200 with 0", head.Code, head.Body.Len())
	}

	post := get(h, http.MethodPost, "/static/css/app.css", nil)
	if post.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: got status %d, want 405", post.Code)
	}
	if got := post.Header().Get("Allow"); got != "GET, HEAD" {
		t.Errorf("POST: got Allow %q, want %q", got, "GET, HEAD")
	}
}

func TestStaticRevalidation(t *testing.T) {
	h := staticServer()

	first := get(h, http.MethodGet, "/static/js/login.js", nil)
	etag := first.Header().Get("Etag")
	if etag == "" {
		t.Fatal("got no ETag")
	}
	if got := first.Header().Get("Cache-Control"); got != "no-cache" {
		t.Errorf("got Cache-Control %q, want no-cache", got)
	}

	again := get(h, http.MethodGet, "/static/js/login.js", http.Header{"If-None-Match": {etag}})
	if again.Code != http.StatusNotModified {
		t.Errorf("got status %d, want 304", again.Code)
	}

	other := get(h, http.MethodGet, "/static/js/logout.js", nil)
	if other.Header().Get("Etag") == etag {
		t.Errorf("two files share ETag %s", etag)
	}
}

// TestPagesReferenceServedFiles checks every /static/ URL on every page resolves.
func TestPagesReferenceServedFiles(t *testing.T) {
	ref := regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`)
	h := staticServer()

	for _, spec := range pageSpecs {
		page := render(t, spec.page)
		refs := ref.FindAllStringSubmatch(page, -1)
		if len(refs) == 0 {
			t.Errorf("%s: got no /static/ references", spec.page)
		}
		for _, m := range refs {
			if rec := get(h, http.MethodGet, m[1], nil); rec.Code != http.StatusOK {
				t.Errorf("%s: %s: got status %d, want 200", spec.page, m[1], rec.Code)
			}
		}
	}
}
