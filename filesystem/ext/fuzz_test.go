package ext

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// fuzzSeeds returns small generated images: ext2 with a deleted file and
// ext4 with extents, made with mke2fs and debugfs when installed, and a
// bare superblock otherwise.
func fuzzSeeds(f *testing.F) [][]byte {
	sb := make([]byte, 2048)
	binary.LittleEndian.PutUint32(sb[1024+0x00:], 16)
	binary.LittleEndian.PutUint32(sb[1024+0x04:], 2)
	binary.LittleEndian.PutUint32(sb[1024+0x20:], 8192)
	binary.LittleEndian.PutUint32(sb[1024+0x28:], 16)
	binary.LittleEndian.PutUint16(sb[1024+0x38:], 0xEF53)
	seeds := [][]byte{sb}
	mke2fs, err := exec.LookPath("mke2fs")
	if err != nil {
		return seeds
	}
	src := filepath.Join(f.TempDir(), "src")
	if err := os.MkdirAll(filepath.Join(src, "d"), 0o755); err != nil {
		f.Fatal(err)
	}
	for name, size := range map[string]int{"a": 10, "d/b": 3000, "d/c": 20} {
		if err := os.WriteFile(filepath.Join(src, name), bytes.Repeat([]byte{'x'}, size), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	if err := os.Symlink("a", filepath.Join(src, "l")); err != nil {
		f.Fatal(err)
	}
	for i, opts := range [][]string{
		{"-t", "ext2", "-b", "1024", "-N", "16", "-I", "128"},
		{"-t", "ext4", "-b", "1024", "-N", "16", "-O", "^has_journal,^resize_inode"},
	} {
		img := filepath.Join(f.TempDir(), "seed"+string(rune('0'+i)))
		args := append(append([]string{"-q", "-F", "-d", src}, opts...), img, "96k")
		if out, err := exec.Command(mke2fs, args...).CombinedOutput(); err != nil {
			f.Fatalf("mke2fs: %v\n%s", err, out)
		}
		if p, err := exec.LookPath("debugfs"); err == nil {
			exec.Command(p, "-w", "-R", "rm d/c", img).Run()
		}
		b, err := os.ReadFile(img)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return seeds
}

// FuzzOpen requires that no input panics or hangs: Open returns a nil FS
// with an error, or an FS whose Walk and Open of every entry finish.
func FuzzOpen(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fs, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if fs != nil {
				t.Fatal("non-nil FS with an error")
			}
			return
		}
		n := 0
		_ = fs.Walk(context.Background(), func(e *filesystem.Entry) error {
			n++
			if n > 1000 {
				return io.EOF
			}
			if r, err := fs.Open(e); err == nil {
				if _, err := io.CopyN(io.Discard, r, 64<<10); err != nil && err != io.EOF {
					return nil
				}
			}
			return nil
		})
		fs.Anomalies()
	})
}
