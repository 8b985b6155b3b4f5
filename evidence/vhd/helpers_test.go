package vhd

import (
	"bytes"
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
	"unicode/utf16"
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

// footer returns a footer for a disk of the given type and size.
func footer(typ uint32, size uint64, dataOff uint64) []byte {
	f := make([]byte, footerSize)
	be := binary.BigEndian
	copy(f, footerCookie)
	be.PutUint32(f[8:], 2)
	be.PutUint32(f[12:], 0x00010000)
	be.PutUint64(f[16:], dataOff)
	be.PutUint32(f[24:], 800000000)
	copy(f[28:], "test")
	be.PutUint32(f[32:], 0x00010002)
	copy(f[36:], "Wi2k")
	be.PutUint64(f[40:], size)
	be.PutUint64(f[48:], size)
	be.PutUint32(f[56:], 0x00140410)
	be.PutUint32(f[60:], typ)
	copy(f[68:], "0123456789abcdef")
	be.PutUint32(f[64:], checksum(f, 64))
	return f
}

// Hand-built dynamic disk: 4 KiB blocks (one 512-byte bitmap sector each),
// 5 blocks, blocks 0 and 3 allocated, block 3 before block 0 in the file.
//
//	0      footer copy
//	512    dynamic header
//	1536   BAT (5 entries)
//	2048   block 3: bitmap, data
//	6656   block 0: bitmap, data
//	11264  footer
const (
	hbBlock   = 4096
	hbSize    = 5 * hbBlock
	hbHeader  = 512
	hbBAT     = 1536
	hbBlock3  = 2048
	hbBlock0  = hbBlock3 + 512 + hbBlock
	hbFooter  = hbBlock0 + 512 + hbBlock
	hbFileLen = hbFooter + footerSize
)

func buildDynamic(typ uint32) (image, disk []byte) {
	img := make([]byte, hbFileLen)
	disk = make([]byte, hbSize)
	be := binary.BigEndian
	f := footer(typ, hbSize, hbHeader)
	copy(img, f)
	copy(img[hbFooter:], f)
	h := img[hbHeader : hbHeader+dynHeaderSize]
	copy(h, dynCookie)
	be.PutUint64(h[8:], 1<<64-1)
	be.PutUint64(h[16:], hbBAT)
	be.PutUint32(h[24:], 0x00010000)
	be.PutUint32(h[28:], 5)
	be.PutUint32(h[32:], hbBlock)
	if typ == typeDifferencing {
		copy(h[40:], "parent-uuid-0001")
		for i, c := range utf16.Encode([]rune("Pärent disk.vhd")) {
			be.PutUint16(h[64+2*i:], c)
		}
	}
	be.PutUint32(h[36:], checksum(h, 36))
	for i := range 5 {
		be.PutUint32(img[hbBAT+4*i:], unallocated)
	}
	be.PutUint32(img[hbBAT:], hbBlock0/512)
	be.PutUint32(img[hbBAT+12:], hbBlock3/512)
	for _, b := range []struct{ idx, at int }{{0, hbBlock0}, {3, hbBlock3}} {
		for i := range img[b.at : b.at+512] {
			img[b.at+i] = 0xff
		}
		data := bytes.Repeat(fmt.Appendf(nil, "block %d data. ", b.idx), hbBlock)[:hbBlock]
		copy(img[b.at+512:], data)
		copy(disk[b.idx*hbBlock:], data)
	}
	return img, disk
}

func buildFixed() (image, disk []byte) {
	disk = source(10*512, 5)
	return append(append([]byte(nil), disk...), footer(typeFixed, uint64(len(disk)), 1<<64-1)...), disk
}
