package qcow

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
	"github.com/pangolin-forensics/pangolin/internal/vdisktest"
)

// TestCorpus reads the QCOW images of the corpus and checks the virtual
// size against TSK's img_stat and the whole-disk MD5 against independent
// references: the same disk as a raw file or an E01 set (MD5s from
// ewfverify), and qemu-img's conversion when qemu-img is installed.
func TestCorpus(t *testing.T) {
	corpus := filepath.Join(testcorpus.Dir(t), "diskimages")
	tests := []struct {
		rel, oracle string
		version     uint32
		md5         string // whole virtual disk
		twin        string // the same disk, raw, when the corpus has it
		why         string
	}{
		{"sleuthkit-test-data/image.qcow", "sleuthkit-test-data__image.qcow", 1, "a528fc1bec79f4fef062f2bf1008c045", "",
			"same bytes as plaso/image.vmdk and the first 102400 bytes of image.vhd"},
		{"plaso/image.qcow2", "plaso__image.qcow2", 2, "d73c51f10c7ee6a681b7b619ccc6f1c4", "plaso/ímynd.dd",
			"MD5 of plaso/image.E01 (ewfverify)"},
		{"dfvfs/ext2.qcow2", "dfvfs__ext2.qcow2", 3, "196066add11fb71c4c49cf1bb50d6d24", "",
			"MD5 of dfvfs/ext2.E01 (ewfverify)"},
		{"plaso/vsstest.qcow2", "plaso__vsstest.qcow2", 2, "98a745315f150ed68aff3cd6e8890312", "",
			"qemu-img convert -O raw"},
	}
	for _, tt := range tests {
		t.Run(tt.oracle, func(t *testing.T) {
			path := filepath.Join(corpus, tt.rel)
			head := make([]byte, 512)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			f.Read(head)
			f.Close()
			if !IsQCOW(head) {
				t.Fatal("IsQCOW = false")
			}
			img, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			if want := vdisktest.OracleSize(t, corpus, tt.oracle); img.Size() != want {
				t.Fatalf("Size = %d, img_stat says %d", img.Size(), want)
			}
			if v := img.Info().Version; v != tt.version {
				t.Fatalf("version %d, want %d", v, tt.version)
			}
			got := vdisktest.DiskMD5(t, img, img.Size())
			if got != tt.md5 {
				t.Fatalf("disk MD5 %s, want %s (%s)", got, tt.md5, tt.why)
			}
			if tt.twin != "" {
				if twin := vdisktest.FileMD5(t, filepath.Join(corpus, tt.twin)); twin != got {
					t.Fatalf("disk MD5 %s, raw twin %s has %s", got, tt.twin, twin)
				}
			}
			if _, err := exec.LookPath("qemu-img"); err == nil && img.Size() <= 64<<20 {
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
