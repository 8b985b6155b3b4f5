package vhd

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpen opens arbitrary files as images and reads their whole virtual
// disk (up to 64 MiB): errors are fine, panics and hangs are not.
func FuzzOpen(f *testing.F) {
	for _, typ := range []uint32{typeDynamic, typeDifferencing} {
		b, _ := buildDynamic(typ)
		f.Add(b)
	}
	b, _ := buildFixed()
	f.Add(b)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "fuzz.vhd")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		IsVHD(path)
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
	})
}
