package export

import (
	"errors"
	"iter"
	"os/exec"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/catalog"
)

// seq yields the artefacts in order.
func seq(arts ...*catalog.Artefact) iter.Seq2[*catalog.Artefact, error] {
	return func(yield func(*catalog.Artefact, error) bool) {
		for _, a := range arts {
			if !yield(a, nil) {
				return
			}
		}
	}
}

var errBoom = errors.New("boom")

// failAfter yields the artefacts, then errBoom.
func failAfter(arts ...*catalog.Artefact) iter.Seq2[*catalog.Artefact, error] {
	return func(yield func(*catalog.Artefact, error) bool) {
		for _, a := range arts {
			if !yield(a, nil) {
				return
			}
		}
		yield(nil, errBoom)
	}
}

// ts parses an RFC 3339 time, failing the test on error.
func ts(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// run runs a command with extra environment and returns its stdout.
func run(t *testing.T, env []string, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(cmd.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("%s %v: %v\n%s", name, args, err, ee.Stderr)
		}
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return out
}
