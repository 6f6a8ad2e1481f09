// Package docs holds the operator's and integrator's documents; its test keeps the threat
// model's references to tests true.
package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestThreatModelNamesRealTests fails when THREAT_MODEL.md cites a test or fuzz target that
// no test file of the module defines.
func TestThreatModelNamesRealTests(t *testing.T) {
	doc, err := os.ReadFile("THREAT_MODEL.md")
	if err != nil {
		t.Fatal(err)
	}
	cited := regexp.MustCompile("`((?:Test|Fuzz)[A-Za-z0-9_]+)`").FindAllStringSubmatch(
		string(doc), -1)
	if len(cited) < 10 {
		t.Fatalf("only %d tests cited; the pattern no longer matches the table", len(cited))
	}

	defined := map[string]bool{}
	decl := regexp.MustCompile(`(?m)^func ((?:Test|Fuzz)[A-Za-z0-9_]+)\(`)
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "data" || strings.HasPrefix(d.Name(), ".")) &&
			path != ".." {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range decl.FindAllStringSubmatch(string(src), -1) {
			defined[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range cited {
		if !defined[c[1]] {
			t.Errorf("THREAT_MODEL.md cites %s, which no test file defines", c[1])
		}
	}
}
