package ui_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDashboardScriptFindsItsElements checks that every element the dashboard scripts look
// up by id is on the dashboard page, so that a renamed id cannot break the page quietly.
func TestDashboardScriptFindsItsElements(t *testing.T) {
	page := render(t, "dashboard")
	lookup := regexp.MustCompile(`getElementById\("([^"]+)"\)`)

	for _, script := range []string{"dashboard.js", "logout.js"} {
		src, err := os.ReadFile(filepath.Join("static", "js", script))
		if err != nil {
			t.Fatal(err)
		}
		ids := lookup.FindAllStringSubmatch(string(src), -1)
		if len(ids) == 0 {
			t.Fatalf("%s: found no getElementById calls", script)
		}
		for _, m := range ids {
			if !strings.Contains(page, `id="`+m[1]+`"`) {
				t.Errorf("%s looks up #%s, which the dashboard lacks", script, m[1])
			}
		}
	}
}

// TestDashboardCallsTheAPI pins the API requests the dashboard makes, which the web
// package's tests serve.
func TestDashboardCallsTheAPI(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("static", "js", "dashboard.js"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`api("/api/me")`,
		`api("/api/sessions")`,
		`api("/api/sessions/" + encodeURIComponent(id), { method: "DELETE" })`,
		`api("/api/sessions/revoke-others", { method: "POST" })`,
		`api("/api/activity?limit=20")`,
		`"/api/admin/activity?min_risk=0.5&limit=50"`,
		`user.is_admin === true`,
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("dashboard.js lacks %s", want)
		}
	}
}
