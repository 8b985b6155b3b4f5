package acquire

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVerifyLogical(t *testing.T) {
	src := t.TempDir()
	for name, content := range map[string]string{"DCIM/a.txt": "ivory", "b.txt": "pangolin scales", "empty": ""} {
		p := filepath.Join(src, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "EX.tar")
	res, err := AcquireLogical(context.Background(), src, out, LogicalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(filepath.Dir(out), filepath.Base(res.Manifest.Path))
	check, err := VerifyLogical(context.Background(), out, manifest)
	if err != nil {
		t.Fatal(err)
	}
	if !check.OK || check.Files != 3 {
		t.Fatalf("untouched container: %+v", check)
	}
	b, _ := os.ReadFile(out)
	i := strings.Index(string(b), "pangolin scales")
	b[i] = 'P'
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	check, err = VerifyLogical(context.Background(), out, manifest)
	if err != nil {
		t.Fatal(err)
	}
	if check.OK || len(check.Problems) != 4 || !strings.Contains(check.Problems[0], "b.txt") {
		t.Fatalf("altered member: %+v", check)
	}
}
