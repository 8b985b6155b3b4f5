// Package testtool finds the reference tools that interop tests run
// (ewfverify, fls, hashdeep, pdftotext, chromium...). A test whose tool is
// not installed skips, naming it; CI installs them all (.ci/run), so
// there they always run.
package testtool

import (
	"os/exec"
	"testing"
)

// Need returns the path of the first of names that is on PATH, or skips
// the test naming them.
func Need(t testing.TB, names ...string) string {
	t.Helper()
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skipf("%v not installed: skipping this interop test (.ci/run installs it)", names)
	return ""
}
