package dir

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

func TestDir(t *testing.T) {
	root := t.TempDir()
	for name, content := range map[string]string{"DCIM/IMG_1.jpg": "jpeg", "notes.txt": "ivory", "DCIM/sub/a": ""} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if runtime.GOOS != "windows" {
		if err := os.Symlink("/etc/passwd", filepath.Join(root, "link")); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	entries := map[string]*filesystem.Entry{}
	if err := d.Walk(context.Background(), func(e *filesystem.Entry) error {
		paths = append(paths, e.Path)
		entries[e.Path] = e
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{"/DCIM", "/DCIM/IMG_1.jpg", "/DCIM/sub", "/DCIM/sub/a", "/link", "/notes.txt"}
	if runtime.GOOS == "windows" {
		want = slices.DeleteFunc(want, func(s string) bool { return s == "/link" })
	}
	if !slices.Equal(paths, want) {
		t.Fatalf("paths %v, want %v", paths, want)
	}
	if e := entries["/notes.txt"]; e.Type != filesystem.File || e.Size != 5 || e.Deleted {
		t.Fatalf("notes.txt: %+v", e)
	}
	r, err := d.Open(entries["/notes.txt"])
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(r); string(b) != "ivory" {
		t.Fatalf("content %q", b)
	}
	if l := entries["/link"]; l != nil {
		if l.Type != filesystem.Symlink || l.Extra["link_target"] != "/etc/passwd" {
			t.Fatalf("link: %+v", l)
		}
		if _, err := d.Open(l); err == nil {
			t.Fatal("a symbolic link was followed")
		}
	}
	if _, err := Open(filepath.Join(root, "notes.txt")); err == nil {
		t.Fatal("a file opened as a folder")
	}
}
