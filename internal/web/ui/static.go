package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded static file, read once at start-up.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// contentTypes fixes the types of the files the client uses, so that they do not depend on
// the machine's mime tables (which differ, notably for .ico).
var contentTypes = map[string]string{
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
	".ico":  "image/x-icon",
	".png":  "image/png",
	".json": "application/json",
	".txt":  "text/plain; charset=utf-8",
}

// assets maps a path below static/ ("css/app.css") to its file. Folders are not keys, so a
// request for one is a 404 and there is no directory listing.
var assets = loadAssets()

// Static returns a handler that serves the embedded static files. It expects the path with
// its mount prefix removed, for example:
//
//	mux.Handle("GET /static/", http.StripPrefix("/static/", ui.Static()))
//
// Only GET and HEAD are allowed. Responses carry a strong ETag and "Cache-Control: no-cache",
// so browsers revalidate cheaply (304) and never run a stale script after a deploy.
func Static() http.Handler {
	return http.HandlerFunc(serveStatic)
}

func serveStatic(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}

	name := strings.TrimPrefix(r.URL.Path, "/")
	a, ok := assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}

	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", a.etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}

func loadAssets() map[string]asset {
	root, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic("ui: static files: " + err.Error())
	}

	out := make(map[string]asset)
	err = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		out[name] = asset{
			body:        body,
			contentType: contentType(name),
			etag:        `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`,
		}
		return nil
	})
	if err != nil {
		panic("ui: static files: " + err.Error())
	}
	return out
}

func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}
