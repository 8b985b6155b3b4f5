// Package vdisktest holds what the tests of the virtual-disk readers
// (evidence/vhd, vmdk, qcow) share: test disks, whole-disk digests read
// through ReadAt, qemu-img runs and the corpus oracles' sizes.
package vdisktest

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// NeedQemuImg skips the test when qemu-img is not installed.
func NeedQemuImg(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img not installed (apt-get install qemu-utils): skipping interop test")
	}
}

// Run runs a tool and fails the test when it fails.
func Run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
}

// Source returns a test disk of n bytes: text, random and zero runs, so
// that images hold compressible, incompressible and unallocated clusters.
func Source(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 7))
	for off := 0; off < n; {
		k := min(n-off, 512*(1+r.IntN(300)))
		switch r.IntN(3) {
		case 0:
			var buf bytes.Buffer
			for i := 0; buf.Len() < k; i++ {
				fmt.Fprintf(&buf, "sector %d line %d: invoice %x\n", off/512, i, r.Uint32())
			}
			copy(b[off:off+k], buf.Bytes())
		case 1:
			for i := off; i < off+k; i++ {
				b[i] = byte(r.Uint32())
			}
		}
		off += k
	}
	return b
}

// DiskMD5 reads the whole virtual disk through ReadAt in odd-sized pieces
// and returns its MD5.
func DiskMD5(t testing.TB, r io.ReaderAt, size int64) string {
	t.Helper()
	h := md5.New()
	buf := make([]byte, 1<<20+512+3)
	for off := int64(0); off < size; {
		n, err := r.ReadAt(buf, off)
		if err != nil && !(err == io.EOF && off+int64(n) == size) {
			t.Fatalf("ReadAt(%d): %d, %v", off, n, err)
		}
		h.Write(buf[:n])
		off += int64(n)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// MD5Of returns the MD5 of b in hex.
func MD5Of(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// FileMD5 returns the MD5 of a file in hex.
func FileMD5(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

var imgStatSize = regexp.MustCompile(`(?m)^Size (?:of data )?in bytes:\s+(\d+)`)

// OracleSize returns the image size from an oracle's img_stat.txt.
func OracleSize(t *testing.T, corpus, oracle string) int64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpus, "_oracle", oracle, "img_stat.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m := imgStatSize.FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s: no size in img_stat.txt", oracle)
	}
	n, err := strconv.ParseInt(string(m[1]), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// WriteTemp writes b to a file in a temporary folder and returns its path.
func WriteTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
