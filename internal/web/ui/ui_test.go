package ui_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/web/ui"
)

// pageSpec says what each page must contain.
type pageSpec struct {
	page    string
	title   string
	scripts []string
	// inputs maps each input's id to its autocomplete value.
	inputs map[string]string
	// labels maps each input's id to its label text.
	labels map[string]string
	// hasErrorRegion is true for pages with the shared #form-error alert.
	hasErrorRegion bool
	// contains lists further fragments the page must include.
	contains []string
}

var pageSpecs = []pageSpec{
	{
		page:  "home",
		title: "<title>Welcome · fin_intelli</title>",
		contains: []string{
			`href="/login"`,
			`href="/register"`,
		},
	},
	{
		page:  "login",
		title: "<title>Log in · fin_intelli</title>",
		scripts: []string{
			"/static/js/auth/token.js", "/static/js/form.js", "/static/js/login.js",
		},
		inputs:         map[string]string{"username": "username", "password": "current-password"},
		labels:         map[string]string{"username": "Username or e-mail", "password": "Password"},
		hasErrorRegion: true,
		contains:       []string{`<form id="login-form"`, `method="post"`},
	},
	{
		page:  "register",
		title: "<title>Create an account · fin_intelli</title>",
		scripts: []string{
			"/static/js/auth/token.js", "/static/js/form.js", "/static/js/register.js",
		},
		inputs: map[string]string{
			"username":        "username",
			"email":           "email",
			"password":        "new-password",
			"confirmPassword": "new-password",
		},
		labels: map[string]string{
			"username":        "Username",
			"email":           "E-mail",
			"password":        "Password",
			"confirmPassword": "Confirm password",
		},
		hasErrorRegion: true,
		contains:       []string{`<form id="register-form"`},
	},
	{
		page:  "dashboard",
		title: "<title>Dashboard · fin_intelli</title>",
		scripts: []string{
			"/static/js/auth/token.js", "/static/js/logout.js", "/static/js/risk.js",
			"/static/js/dashboard.js",
		},
		hasErrorRegion: true,
		contains: []string{
			`<button type="button" id="logout"`,
			`id="revoke-others"`,
			`<section id="sessions"`,
			`<section id="activity"`,
			`<section id="risk-feed" class="panel panel-wide" aria-labelledby="risk-title" hidden>`,
			`<tbody id="risk-rows"></tbody>`,
			`<a href="https://db-ip.com">IP Geolocation by DB-IP</a>`,
		},
	},
}

// layoutParts is what every page gets from the shared layout.
var layoutParts = []string{
	`<!doctype html>`,
	`<html lang="en">`,
	`<meta name="viewport" content="width=device-width, initial-scale=1">`,
	`<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">`,
	`<link rel="stylesheet" href="/static/css/app.css">`,
	`<a class="skip-link" href="#main">`,
	`<header class="site-header">`,
	`<nav class="site-nav" aria-label="Main">`,
	`<main id="main"`,
	`<footer class="site-footer">`,
}

func render(t *testing.T, page string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := ui.Render(&buf, page, ui.Page{}); err != nil {
		t.Fatalf("Render(%q): %v", page, err)
	}
	return buf.String()
}

func TestRender(t *testing.T) {
	for _, spec := range pageSpecs {
		t.Run(spec.page, func(t *testing.T) {
			got := render(t, spec.page)

			for _, want := range append(append([]string{spec.title}, layoutParts...),
				spec.contains...) {
				if !strings.Contains(got, want) {
					t.Errorf("page lacks %q", want)
				}
			}

			gotScripts := scriptSources(got)
			if strings.Join(gotScripts, " ") != strings.Join(spec.scripts, " ") {
				t.Errorf("got scripts %q, want %q", gotScripts, spec.scripts)
			}
			for _, src := range spec.scripts {
				tag := fmt.Sprintf(`<script src="%s" defer></script>`, src)
				if !strings.Contains(got, tag) {
					t.Errorf("page lacks %s", tag)
				}
			}

			checkInputs(t, got, spec)
			checkErrorRegion(t, got, spec.hasErrorRegion)
		})
	}
}

func checkInputs(t *testing.T, page string, spec pageSpec) {
	t.Helper()

	inputs := inputTags(page)
	if len(inputs) != len(spec.inputs) {
		t.Errorf("got %d inputs, want %d", len(inputs), len(spec.inputs))
	}
	for _, in := range inputs {
		id := in["id"]
		want, ok := spec.inputs[id]
		if !ok {
			t.Errorf("unexpected input id %q", id)
			continue
		}
		if got := in["autocomplete"]; got != want {
			t.Errorf("input %s: got autocomplete %q, want %q", id, got, want)
		}
		if in["name"] != id {
			t.Errorf("input %s: got name %q, want %q", id, in["name"], id)
		}
		label := fmt.Sprintf(`<label for="%s">%s</label>`, id, spec.labels[id])
		if !strings.Contains(page, label) {
			t.Errorf("input %s: page lacks %s", id, label)
		}
	}
}

func checkErrorRegion(t *testing.T, page string, want bool) {
	t.Helper()
	const region = `<div id="form-error" class="alert" role="alert" aria-live="assertive" hidden>` +
		`</div>`
	if got := strings.Contains(page, region); got != want {
		t.Errorf("got error region %v, want %v", got, want)
	}
}

func TestRenderTitle(t *testing.T) {
	var buf bytes.Buffer
	err := ui.Render(&buf, "home", ui.Page{Title: "Hi <you>", AppName: "Acme & Co"})
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	want := "<title>Hi &lt;you&gt; · Acme &amp; Co</title>"
	if !strings.Contains(buf.String(), want) {
		t.Errorf("page lacks %q", want)
	}
}

func TestRenderUnknownPage(t *testing.T) {
	for _, page := range []string{"", "admin", "layout", "../ui", "Home"} {
		t.Run(page, func(t *testing.T) {
			var buf bytes.Buffer
			err := ui.Render(&buf, page, ui.Page{})
			if !errors.Is(err, ui.ErrUnknownPage) {
				t.Errorf("got error %v, want ErrUnknownPage", err)
			}
			if buf.Len() != 0 {
				t.Errorf("got %d bytes written, want 0", buf.Len())
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRenderWriteError(t *testing.T) {
	err := ui.Render(failWriter{}, "login", ui.Page{})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("got error %v, want the write error", err)
	}
}

// The CSP allows only same-origin script files: no inline code, handlers or styles.
var (
	scriptTag   = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script\s*>`)
	eventAttr   = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	styleAttr   = regexp.MustCompile(`(?i)\sstyle\s*=`)
	styleTag    = regexp.MustCompile(`(?i)<style\b`)
	jsURL       = regexp.MustCompile(`(?i)javascript:`)
	externalURL = regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//`)
	srcAttr     = regexp.MustCompile(`\bsrc="([^"]+)"`)
	inputTag    = regexp.MustCompile(`(?is)<input\b[^>]*>`)
	attr        = regexp.MustCompile(`([a-zA-Z-]+)="([^"]*)"`)
	scriptOpen  = regexp.MustCompile(`(?i)<script\b`)
)

func TestNoInlineCode(t *testing.T) {
	docs := map[string]string{}
	files, err := filepath.Glob(filepath.Join("templates", "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[f] = string(b)
	}
	for _, spec := range pageSpecs {
		docs["rendered "+spec.page] = render(t, spec.page)
	}

	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			checkNoInline(t, doc)
		})
	}
}

func checkNoInline(t *testing.T, doc string) {
	t.Helper()

	tags := scriptTag.FindAllStringSubmatch(doc, -1)
	if got, want := len(tags), len(scriptOpen.FindAllString(doc, -1)); got != want {
		t.Errorf("got %d closed script elements, want %d", got, want)
	}
	for _, m := range tags {
		if !srcAttr.MatchString(m[1]) || strings.TrimSpace(m[2]) != "" {
			t.Errorf("inline script: %s", m[0])
		}
	}

	for _, check := range []struct {
		name string
		re   *regexp.Regexp
	}{
		{"event handler attribute", eventAttr},
		{"style attribute", styleAttr},
		{"style element", styleTag},
		{"javascript: URL", jsURL},
	} {
		if loc := check.re.FindStringIndex(doc); loc != nil {
			t.Errorf("found %s near %q", check.name, excerpt(doc, loc[0]))
		}
	}

	// Only the DB-IP attribution may point off-site, and only as a link.
	for _, loc := range externalURL.FindAllStringIndex(doc, -1) {
		if !strings.HasPrefix(doc[loc[0]:], `href="https://db-ip.com"`) {
			t.Errorf("external reference near %q", excerpt(doc, loc[0]))
		}
	}
}

// TestScriptsAvoidHTMLSinks keeps server data out of HTML parsing and the token out of
// long-lived storage.
func TestScriptsAvoidHTMLSinks(t *testing.T) {
	forbidden := []*regexp.Regexp{
		regexp.MustCompile(`\b(inner|outer)HTML\b`),
		regexp.MustCompile(`\binsertAdjacentHTML\b`),
		regexp.MustCompile(`\bdocument\.write`),
		regexp.MustCompile(`\beval\s*\(`),
		regexp.MustCompile(`\bnew\s+Function\b`),
		regexp.MustCompile(`\blocalStorage\s*(\.\w|\[)`),
		regexp.MustCompile(`\bdocument\.cookie\s*=[^=]`),
	}
	files, err := filepath.Glob(filepath.Join("static", "js", "*", "*.js"))
	if err != nil {
		t.Fatal(err)
	}
	top, err := filepath.Glob(filepath.Join("static", "js", "*.js"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, top...)
	if len(files) < 6 {
		t.Fatalf("got %d script files, want at least 6", len(files))
	}

	for _, f := range files {
		t.Run(filepath.ToSlash(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, re := range forbidden {
				if loc := re.FindIndex(b); loc != nil {
					t.Errorf("script matches %s near %q", re, excerpt(string(b), loc[0]))
				}
			}
		})
	}
}

func scriptSources(page string) []string {
	var out []string
	for _, m := range scriptTag.FindAllStringSubmatch(page, -1) {
		if s := srcAttr.FindStringSubmatch(m[1]); s != nil {
			out = append(out, s[1])
		}
	}
	return out
}

func inputTags(page string) []map[string]string {
	var out []map[string]string
	for _, tag := range inputTag.FindAllString(page, -1) {
		attrs := map[string]string{}
		for _, m := range attr.FindAllStringSubmatch(tag, -1) {
			attrs[m[1]] = m[2]
		}
		out = append(out, attrs)
	}
	return out
}

func excerpt(s string, at int) string {
	start, end := max(at-30, 0), min(at+50, len(s))
	return s[start:end]
}

// TestStylesheetIsSelfContained keeps fonts and images on the same origin, as the CSP needs.
func TestStylesheetIsSelfContained(t *testing.T) {
	css, err := os.ReadFile(filepath.Join("static", "css", "app.css"))
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)@import`),
		regexp.MustCompile(`(?i)@font-face`),
		regexp.MustCompile(`(?i)url\(\s*["']?(https?:)?//`),
	} {
		if loc := re.FindIndex(css); loc != nil {
			t.Errorf("stylesheet matches %s near %q", re, excerpt(string(css), loc[0]))
		}
	}
}
