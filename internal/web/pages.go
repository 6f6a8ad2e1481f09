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

// staticFiles serves the embedded stylesheet, scripts and images.
func staticFiles() http.Handler {
	return http.StripPrefix("/static/", ui.Static())
}
