// Package ui renders the server-side HTML pages of fin_intelli and serves the static files
// (stylesheet, scripts, icon) that the browser client runs on.
//
// The pages carry no inline script or style, so they work under a Content-Security-Policy of
// default-src 'self' with script-src 'self'. All behaviour lives in static/js.
package ui

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
)

// DefaultAppName is the product name Render uses when Page.AppName is empty.
const DefaultAppName = "fin_intelli"

// Limits of the registration policy, shown as form hints and HTML constraints. They mirror
// the constants of package auth (limits_test.go checks that they agree); the server's checks
// are the ones that count. Keeping a copy here leaves ui free of the domain package.
const (
	usernameMinLen = 3
	usernameMaxLen = 64
	passwordMinLen = 8
	emailMaxLen    = 254
)

// ErrUnknownPage is returned (wrapped) by Render for a page name it does not know.
var ErrUnknownPage = errors.New("ui: unknown page")

// Page is the data every page template receives.
type Page struct {
	Title   string // the page's own title; empty means the page's default title
	AppName string // the product name in the header and <title>; empty means DefaultAppName
}

//go:embed templates/*.html
var templateFS embed.FS

// defaultTitles lists the pages Render knows, with the title each gets when Page.Title is
// empty.
var defaultTitles = map[string]string{
	"home":      "Welcome",
	"login":     "Log in",
	"register":  "Create an account",
	"dashboard": "Dashboard",
}

// pages holds one parsed template set per page: the shared layout plus the page's blocks.
// The templates are embedded, so a parse error is a build mistake and panics at start-up
// (and in the tests) rather than on a request.
var pages = parsePages()

// Render writes the named page ("home", "login", "register" or "dashboard") to w. The page
// is rendered into memory first, so w receives nothing when rendering fails.
func Render(w io.Writer, page string, data Page) error {
	t, ok := pages[page]
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownPage, page)
	}
	if data.Title == "" {
		data.Title = defaultTitles[page]
	}
	if data.AppName == "" {
		data.AppName = DefaultAppName
	}

	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("ui: render %s: %w", page, err)
	}

	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("ui: write %s: %w", page, err)
	}
	return nil
}

func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"usernameMin": func() int { return usernameMinLen },
		"usernameMax": func() int { return usernameMaxLen },
		"passwordMin": func() int { return passwordMinLen },
		"emailMax":    func() int { return emailMaxLen },
	}
	layout := template.Must(template.New("layout.html").Funcs(funcs).
		ParseFS(templateFS, "templates/layout.html"))

	out := make(map[string]*template.Template, len(defaultTitles))
	for name := range defaultTitles {
		t := template.Must(layout.Clone())
		out[name] = template.Must(t.ParseFS(templateFS, "templates/"+name+".html"))
	}
	return out
}
