package vmdk

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpen opens arbitrary files as images (a sparse extent, or a
// descriptor beside the hand-built extent files) and reads their whole
// virtual disk (up to 64 MiB): errors are fine, panics and hangs are not.
func FuzzOpen(f *testing.F) {
	b, _ := buildMonolithic()
	f.Add(b)
	b, _ = buildStream()
	f.Add(b)
	dir := f.TempDir()
	desc, _ := buildDescriptorSet(f, dir)
	b, err := os.ReadFile(desc)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		// The extent files of the seed descriptor stay beside the input.
		path := filepath.Join(dir, "fuzz.vmdk")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		IsVMDK(b[:min(len(b), 512)])
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
