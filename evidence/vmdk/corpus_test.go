package vmdk

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
	"github.com/pangolin-forensics/pangolin/internal/vdisktest"
)

// TestCorpus reads the VMDK images of the corpus and checks the virtual
// size against TSK's img_stat and the whole-disk MD5 against independent
// references (the same disk as an E01 set, MD5 from ewfverify, or as QCOW)
// and qemu-img's conversion when qemu-img is installed.
func TestCorpus(t *testing.T) {
	corpus := filepath.Join(testcorpus.Dir(t), "diskimages")
	tests := []struct {
		rel, oracle string
		createType  string
		md5         string
		why         string
	}{
		{"plaso/image.vmdk", "plaso__image.vmdk", "monolithicSparse", "a528fc1bec79f4fef062f2bf1008c045",
			"same bytes as sleuthkit-test-data/image.qcow"},
		{"dfvfs/ext2.vmdk", "dfvfs__ext2.vmdk", "monolithicSparse", "196066add11fb71c4c49cf1bb50d6d24",
			"MD5 of dfvfs/ext2.E01 (ewfverify) and dfvfs/ext2.qcow2"},
	}
	for _, tt := range tests {
		t.Run(tt.oracle, func(t *testing.T) {
			path := filepath.Join(corpus, tt.rel)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !IsVMDK(b[:512]) {
				t.Fatal("IsVMDK = false")
			}
			img, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			if want := vdisktest.OracleSize(t, corpus, tt.oracle); img.Size() != want {
				t.Fatalf("Size = %d, img_stat says %d", img.Size(), want)
			}
			if ct := img.Info().CreateType; ct != tt.createType {
				t.Fatalf("create type %q, want %q", ct, tt.createType)
			}
			got := vdisktest.DiskMD5(t, img, img.Size())
			if got != tt.md5 {
				t.Fatalf("disk MD5 %s, want %s (%s)", got, tt.md5, tt.why)
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
