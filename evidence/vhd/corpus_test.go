package vhd

import (
	"crypto/md5"
	"encoding/hex"
	"io"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
	"github.com/pangolin-forensics/pangolin/internal/vdisktest"
)

// TestCorpus reads the VHD image of the corpus and checks the virtual size
// against TSK's img_stat and the whole-disk MD5 against references: the
// same disk as QCOW (sleuthkit-test-data/image.qcow, also plaso/image.vmdk)
// followed by the zeros of the geometry padding, and qemu-img's conversion
// when qemu-img is installed.
func TestCorpus(t *testing.T) {
	corpus := filepath.Join(testcorpus.Dir(t), "diskimages")
	tests := []struct {
		rel, oracle string
		variant     string
		md5         string // whole virtual disk
		prefixLen   int64  // bytes that are the same disk as another image
		prefixMD5   string
	}{
		{"sleuthkit-test-data/image.vhd", "sleuthkit-test-data__image.vhd", "dynamic",
			"f2b1200fa8a3422e70ff8d1c985471d9", 102400, "a528fc1bec79f4fef062f2bf1008c045"},
	}
	for _, tt := range tests {
		t.Run(tt.oracle, func(t *testing.T) {
			path := filepath.Join(corpus, tt.rel)
			if !IsVHD(path) {
				t.Fatal("IsVHD = false")
			}
			img, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			if want := vdisktest.OracleSize(t, corpus, tt.oracle); img.Size() != want {
				t.Fatalf("Size = %d, img_stat says %d", img.Size(), want)
			}
			if v := img.Info().Variant; v != tt.variant {
				t.Fatalf("variant %s, want %s", v, tt.variant)
			}
			got := vdisktest.DiskMD5(t, img, img.Size())
			if got != tt.md5 {
				t.Fatalf("disk MD5 %s, want %s", got, tt.md5)
			}
			h := md5.New()
			io.Copy(h, io.NewSectionReader(img, 0, tt.prefixLen))
			if p := hex.EncodeToString(h.Sum(nil)); p != tt.prefixMD5 {
				t.Fatalf("MD5 of the first %d bytes %s, want %s", tt.prefixLen, p, tt.prefixMD5)
			}
			tail := make([]byte, img.Size()-tt.prefixLen)
			img.ReadAt(tail, tt.prefixLen)
			for _, c := range tail {
				if c != 0 {
					t.Fatal("geometry padding is not zero")
				}
			}
			if _, err := exec.LookPath("qemu-img"); err == nil {
				raw := filepath.Join(t.TempDir(), "disk.raw")
				vdisktest.Run(t, "qemu-img", "convert", "-O", "raw", path, raw)
				if q := vdisktest.FileMD5(t, raw); q != got {
					t.Fatalf("disk MD5 %s, qemu-img says %s", got, q)
				}
			}
			t.Logf("%s: %d bytes, md5 %s, %+v", tt.rel, img.Size(), got, img.Info())
		})
	}
}
