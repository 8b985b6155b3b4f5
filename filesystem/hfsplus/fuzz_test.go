package hfsplus

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// FuzzOpen requires that no input panics or hangs: Open returns a nil FS
// with an error, or an FS whose Walk and Open of every entry finish,
// reading at most 64 KiB of each. Seeds: a small built image and the
// first 128 KiB of the corpus image.
func FuzzOpen(f *testing.F) {
	b := newBuilder()
	b.folder(cnidRoot, cnidRootParent, "V", 0o755, tTime)
	b.folder(16, cnidRoot, "d", 0o755, tTime)
	b.file(tFile{cnid: 17, parent: 16, name: "f", mode: modeRegular | 0o644, data: []byte("x"), rsrc: []byte("r")})
	b.xattr(17, "user.x", []byte("v"))
	b.file(tFile{cnid: 18, parent: cnidRoot, name: "frag", mode: modeRegular | 0o644, data: tFrag[:5000], maxRun: 1})
	b.file(tFile{cnid: 19, parent: cnidRoot, name: "z3", mode: modeRegular | 0o644, ownerFlags: ufCompressed})
	b.xattr(19, decmpfsXattr, append(decmpfsHeader(3, uint64(len(tZ3))), zlibBytes(tZ3)...))
	b.file(tFile{cnid: 20, parent: cnidRoot, name: "z4", mode: modeRegular | 0o644, ownerFlags: ufCompressed, rsrc: compressedRsrc(tZ3)})
	b.xattr(20, decmpfsXattr, decmpfsHeader(4, uint64(len(tZ3))))
	b.file(tFile{cnid: 21, parent: cnidRoot, name: "ln", mode: modeSymlink | 0o755, data: []byte("d/f")})
	f.Add(b.finish())
	if corpus, ok := testcorpus.Find(); ok {
		// The header, extents and attributes files; the catalog lies
		// beyond, so Open fails.
		if img, err := os.ReadFile(filepath.Join(corpus, "diskimages", "dfvfs", "hfsplus.raw")); err == nil && len(img) > 128<<10 {
			f.Add(img[:128<<10])
		}
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
		err = fs.Walk(context.Background(), func(e *filesystem.Entry) error {
			if n++; n > 2000 {
				return io.EOF
			}
			if r, err := fs.Open(e); err == nil {
				io.CopyN(io.Discard, r, 64<<10)
			}
			return nil
		})
		if err != nil && !errors.Is(err, io.EOF) {
			t.Fatalf("Walk: %v", err)
		}
		fs.Label()
		fs.Anomalies()
	})
}

// TestMutations runs FuzzOpen's checks on seeded random mutations of the
// built image (byte changes, truncation), a cheap complement to fuzzing.
func TestMutations(t *testing.T) {
	img := standardImage(nil)
	rng := rand.New(rand.NewSource(1))
	for i := range 2000 {
		d := bytes.Clone(img)
		for range 1 + rng.Intn(8) {
			d[rng.Intn(len(d))] = byte(rng.Intn(256))
		}
		if i%10 == 0 {
			d = d[:rng.Intn(len(d))]
		}
		fs, err := Open(bytes.NewReader(d), int64(len(d)))
		if err != nil {
			continue
		}
		_ = fs.Walk(context.Background(), func(e *filesystem.Entry) error {
			if r, err := fs.Open(e); err == nil {
				io.CopyN(io.Discard, r, 64<<10)
			}
			return nil
		})
	}
}
