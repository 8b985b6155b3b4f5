package qcow

import (
	"bytes"
	"compress/flate"
	"crypto/md5"
	"encoding/binary"
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

// needQemuImg skips the test when qemu-img is not installed.
func needQemuImg(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img not installed (apt-get install qemu-utils): skipping interop test")
	}
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
}

// source returns a test disk of n bytes: text, random and zero runs, so
// that images hold compressible, incompressible and unallocated clusters.
func source(n int, seed uint64) []byte {
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

// diskMD5 reads the whole virtual disk through ReadAt in odd-sized pieces
// and returns its MD5.
func diskMD5(t testing.TB, r io.ReaderAt, size int64) string {
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

func md5Of(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func fileMD5(t *testing.T, path string) string {
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

// oracleSize returns the image size from an oracle's img_stat.txt.
func oracleSize(t *testing.T, corpus, oracle string) int64 {
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

func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func deflate(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// Hand-built QCOW2 version 3 image, 512-byte clusters (64 L2 entries, an
// L2 table maps 32 KiB):
//
//	cluster 0   header (header length 112), extension end
//	cluster 1   L1 (4 entries)
//	cluster 2   L2 for L1[0]: data, compressed, zero, zero-preallocated
//	cluster 3   L2 for L1[2]: its last entry (virtual cluster 191) data
//	cluster 4   data of virtual cluster 0
//	cluster 5+7 compressed data of virtual cluster 1 (unaligned start)
//	cluster 7   preallocated zero cluster holding stale bytes
//	cluster 8   data of virtual cluster 191
const (
	hbCluster   = 512
	hbSize      = 3*32768 + 1000
	hbL1        = 1 * hbCluster
	hbL2a       = 2 * hbCluster
	hbL2b       = 3 * hbCluster
	hbData      = 4 * hbCluster
	hbComp      = 5*hbCluster + 7
	hbStale     = 7 * hbCluster
	hbData2     = 8 * hbCluster
	hbFileSize  = 9 * hbCluster
	hbCompEntry = hbL2a + 8
)

// buildQCOW2 returns the hand-built image and the virtual disk it holds.
func buildQCOW2(t testing.TB) (image, disk []byte) {
	img := make([]byte, hbFileSize)
	disk = make([]byte, hbSize)
	be := binary.BigEndian
	copy(img, magic)
	be.PutUint32(img[4:], 3)
	be.PutUint32(img[20:], 9)
	be.PutUint64(img[24:], hbSize)
	be.PutUint32(img[36:], 4)
	be.PutUint64(img[40:], hbL1)
	be.PutUint32(img[96:], 4)
	be.PutUint32(img[100:], 112)
	be.PutUint64(img[hbL1:], hbL2a|flagCopied)
	be.PutUint64(img[hbL1+16:], hbL2b|flagCopied)

	c0 := bytes.Repeat([]byte("cluster zero is stored plainly. "), 16)
	copy(img[hbData:], c0)
	copy(disk, c0)
	be.PutUint64(img[hbL2a:], hbData|flagCopied)

	c1 := bytes.Repeat([]byte("cluster one is compressed!! "), 20)[:hbCluster]
	z := deflate(t, c1)
	copy(img[hbComp:], z)
	copy(disk[hbCluster:], c1)
	sectors := (hbComp%512 + len(z) + 511) / 512
	shift := 62 - (9 - 8)
	be.PutUint64(img[hbCompEntry:], flagCompressed|uint64(sectors-1)<<shift|hbComp)

	be.PutUint64(img[hbL2a+16:], flagZero)
	copy(img[hbStale:], bytes.Repeat([]byte{0xee}, hbCluster))
	be.PutUint64(img[hbL2a+24:], hbStale|flagZero|flagCopied)

	c191 := bytes.Repeat([]byte{0x5a, 0xa5}, hbCluster/2)
	copy(img[hbData2:], c191)
	copy(disk[(128+63)*hbCluster:], c191)
	be.PutUint64(img[hbL2b+63*8:], hbData2|flagCopied)
	return img, disk
}

// buildQCOW1 returns a hand-built QCOW version 1 image (512-byte clusters,
// 64-entry L2 tables) and its virtual disk: cluster 0 stored, cluster 2
// compressed, the rest unallocated.
func buildQCOW1(t testing.TB) (image, disk []byte) {
	const size = 100000 // 4 L1 entries of 32 KiB
	img := make([]byte, 4*512)
	disk = make([]byte, size)
	be := binary.BigEndian
	copy(img, magic)
	be.PutUint32(img[4:], 1)
	be.PutUint32(img[20:], 1700000000)
	be.PutUint64(img[24:], size)
	img[32], img[33] = 9, 6
	be.PutUint64(img[40:], 48)
	be.PutUint64(img[48:], 512) // L1[0] -> L2 at 512
	c0 := bytes.Repeat([]byte("qcow one "), 57)[:512]
	copy(img[1024:], c0)
	copy(disk, c0)
	be.PutUint64(img[512:], 1024)
	c2 := bytes.Repeat([]byte("deflated "), 57)[:512]
	z := deflate(t, c2)
	copy(img[1536:], z)
	copy(disk[1024:], c2)
	be.PutUint64(img[512+16:], 1<<63|uint64(len(z))<<(63-9)|1536)
	return img, disk
}
