package acquire

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestDirectWriter writes in pieces of odd sizes with syncs at aligned and
// unaligned points, and checks the file holds exactly what was written.
func TestDirectWriter(t *testing.T) {
	src := make([]byte, 3*directBuf+12345)
	rand.NewChaCha8([32]byte{4}).Read(src)
	for _, syncAt := range [][]int{nil, {directBuf}, {1 << 20, 3 << 20}, {5000}, {directBuf + 1}} {
		path := filepath.Join(t.TempDir(), "img")
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		w := newDirectWriter(f, 0)
		t.Logf("direct I/O in use: %v", w.direct)
		rng := rand.New(rand.NewPCG(1, 1))
		off := 0
		for off < len(src) {
			n := min(len(src)-off, 1+rng.IntN(3<<20))
			for _, s := range syncAt {
				if off < s && off+n > s {
					n = s - off
				}
			}
			if _, err := w.Write(src[off : off+n]); err != nil {
				t.Fatal(err)
			}
			off += n
			for _, s := range syncAt {
				if off == s {
					if err := w.Sync(); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, src) {
			t.Fatalf("syncs at %v: file differs from what was written (%d bytes, want %d)", syncAt, len(got), len(src))
		}
	}
}
