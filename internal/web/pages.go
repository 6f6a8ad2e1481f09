package web

import (
	"bytes"
	"net/http"

	"github.com/finintelli/auth/internal/web/ui"
)

// page serves a server-rendered page and makes sure the browser holds a CSRF token.
func (s *Server) page(name, title string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		if err := ui.Render(&buf, name, ui.Page{Title: title, AppName: "fin_intelli"}); err != nil {
			s.fail(w, r, err)
			return
		}
		s.csrf.Ensure(w, r)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(buf.Bytes())
	}
}

// staticFiles serves the embedded stylesheet, scripts and images; a missing file gets the
// same JSON 404 as any other unknown path.
func staticFiles() http.Handler {
	files := http.StripPrefix("/static/", ui.Static())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		files.ServeHTTP(&notFoundWriter{ResponseWriter: w}, r)
	})
}

// notFoundWriter replaces a plain-text 404 body with the JSON error body.
type notFoundWriter struct {
	http.ResponseWriter
	notFound bool
}

func (w *notFoundWriter) WriteHeader(status int) {
	if status != http.StatusNotFound {
		w.ResponseWriter.WriteHeader(status)
		return
	}
	w.notFound = true
	writeDetail(w.ResponseWriter, http.StatusNotFound, "Not found")
}

func (w *notFoundWriter) Write(b []byte) (int, error) {
	if w.notFound {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}
