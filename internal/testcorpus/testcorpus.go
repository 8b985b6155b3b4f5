// Package testcorpus finds the shared corpus of real test data for tests:
// ../shared/corpus beside the repository root. Tests that use it skip when
// it is absent, so the project's tests pass without it.
package testcorpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Find returns the corpus folder and whether it is there.
func Find() (string, bool) {
	d, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", false
		}
		d = parent
	}
	c := filepath.Join(d, "..", "shared", "corpus")
	_, err = os.Stat(filepath.Join(c, "MANIFEST.tsv"))
	return c, err == nil
}

// Dir returns the corpus folder, or skips the test with a message saying
// so.
func Dir(t testing.TB) string {
	t.Helper()
	c, ok := Find()
	if !ok {
		t.Skipf("test corpus not found (../shared/corpus beside the repository): skipping")
	}
	return c
}
