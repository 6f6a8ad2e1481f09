package web_test

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/finintelli/auth/internal/web"
)

// httpMethods are the keys of an OpenAPI path item that name operations.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// openAPIOperation is the part of an operation that the tests read.
type openAPIOperation struct {
	OperationID string                     `json:"operationId"`
	Parameters  []map[string]any           `json:"parameters"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

// readOpenAPI parses openapi.json into its raw form and its operations keyed by
// "METHOD /path".
func readOpenAPI(t *testing.T) (map[string]any, map[string]openAPIOperation) {
	t.Helper()
	data, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("openapi.json paths: %v", err)
	}

	ops := map[string]openAPIOperation{}
	for path, item := range doc.Paths {
		for key, v := range item {
			if !slices.Contains(httpMethods, key) {
				continue
			}
			var op openAPIOperation
			if err := json.Unmarshal(v, &op); err != nil {
				t.Fatalf("%s %s: %v", key, path, err)
			}
			ops[strings.ToUpper(key)+" "+path] = op
		}
	}
	return raw, ops
}

// describedAs returns the "METHOD /path" under which the description lists a ServeMux
// pattern: "/{$}" is "/", a subtree such as "/static/" is "/static/{path}", and a
// wildcard "{name...}" is "{name}".
func describedAs(t *testing.T, pattern string) string {
	t.Helper()
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || !strings.HasPrefix(path, "/") {
		t.Fatalf("pattern %q: want METHOD /path", pattern)
	}
	switch {
	case strings.HasSuffix(path, "/{$}"):
		path = strings.TrimSuffix(path, "{$}")
	case strings.HasSuffix(path, "/"):
		path += "{path}"
	}
	return method + " " + strings.ReplaceAll(path, "...}", "}")
}

// TestOpenAPIMatchesRoutes fails when a route is registered but not described in
// openapi.json, or described but not registered.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	_, ops := readOpenAPI(t)
	registered := map[string]bool{}
	for _, p := range web.RoutePatterns() {
		registered[describedAs(t, p)] = true
	}
	if len(registered) < 20 {
		t.Fatalf("got %d registered routes, want the whole API: %v", len(registered),
			registered)
	}

	for route := range registered {
		if _, ok := ops[route]; !ok {
			t.Errorf("route %s is registered but not described in openapi.json", route)
		}
	}
	for route := range ops {
		if !registered[route] {
			t.Errorf("openapi.json describes %s, which is not registered", route)
		}
	}
}

// pathParam matches a parameter in an OpenAPI path.
var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// TestOpenAPIOperations checks each operation: a unique operationId, at least one response,
// and a declared path parameter for each one in its path.
func TestOpenAPIOperations(t *testing.T) {
	raw, ops := readOpenAPI(t)
	if v, _ := raw["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi: got %q, want 3.1.x", v)
	}

	ids := map[string]string{}
	for route, op := range ops {
		if op.OperationID == "" {
			t.Errorf("%s: no operationId", route)
		} else if other, dup := ids[op.OperationID]; dup {
			t.Errorf("%s and %s share the operationId %q", route, other, op.OperationID)
		}
		ids[op.OperationID] = route
		if len(op.Responses) == 0 {
			t.Errorf("%s: no responses", route)
		}

		_, path, _ := strings.Cut(route, " ")
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			if !declaresPathParam(op, m[1]) {
				t.Errorf("%s: path parameter %q is not declared", route, m[1])
			}
		}
	}
}

func declaresPathParam(op openAPIOperation, name string) bool {
	for _, p := range op.Parameters {
		if p["in"] == "path" && p["name"] == name && p["required"] == true {
			return true
		}
	}
	return false
}

// TestOpenAPIRefs checks that every $ref points at something in the document.
func TestOpenAPIRefs(t *testing.T) {
	raw, _ := readOpenAPI(t)
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				if ref, ok := child.(string); ok && k == "$ref" {
					if !resolves(raw, ref) {
						t.Errorf("%s: $ref %q points at nothing", at, ref)
					}
					continue
				}
				walk(at+"/"+k, child)
			}
		case []any:
			for _, child := range v {
				walk(at+"[]", child)
			}
		}
	}
	walk("#", raw)
}

// resolves reports whether ref, a local JSON pointer such as "#/components/schemas/User",
// names a value in doc.
func resolves(doc map[string]any, ref string) bool {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	var cur any = doc
	for _, part := range strings.Split(rest, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// TestOpenAPIServed checks that GET /openapi.json serves the file as JSON, with the security
// headers of every response.
func TestOpenAPIServed(t *testing.T) {
	e := sqliteEnv(t, options{})
	r := e.browser().do("GET", "/openapi.json", "", "", nil)

	wantStatus(t, r, 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type: got %q, want application/json", ct)
	}
	checkSecurityHeaders(t, r)
	want, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.body, want) {
		t.Errorf("body: got %d bytes that differ from openapi.json (%d bytes)", len(r.body),
			len(want))
	}
	if !json.Valid(r.body) {
		t.Errorf("body is not valid JSON")
	}
}
