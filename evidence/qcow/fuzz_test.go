package qcow

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpen opens arbitrary files as images and reads their whole virtual
// disk (up to 64 MiB): errors are fine, panics and hangs are not.
func FuzzOpen(f *testing.F) {
	for _, build := range []func(testing.TB) ([]byte, []byte){buildQCOW2, buildQCOW1} {
		b, _ := build(f)
		f.Add(b)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "fuzz.qcow")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		head := b[:min(len(b), 512)]
		IsQCOW(head)
		img, err := Open(path)
		if err != nil {
			if img != nil {
				t.Fatal("non-nil image with an error")
			}
			return
		}
		defer img.Close()
		img.Info()
		buf := make([]byte, 1<<16)
		for off := int64(0); off < min(img.Size(), 64<<20); off += int64(len(buf)) {
			img.ReadAt(buf, off)
		}
		if img.Size() > 0 {
			img.ReadAt(buf[:10], img.Size()-1)
		}
		if bytes.Equal(b, nil) {
			t.Fatal("opened an empty file")
		}
	})
}
