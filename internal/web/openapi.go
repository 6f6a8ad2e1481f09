package web

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3.1 description of every route, written by hand. A test fails when
// it and the routes registered in routes() disagree.
//
//go:embed openapi.json
var openAPI []byte

// serveOpenAPI answers GET /openapi.json with the description of the API.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(openAPI)
}
