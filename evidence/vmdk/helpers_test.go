package vmdk

import (
	"bytes"
	"compress/zlib"
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

// sparseHeader returns a sparse extent header.
func sparseHeader(flags uint32, capacity, grain, descOff, descLen uint64, gtEntries uint32, gdOff uint64) []byte {
	h := make([]byte, headerSize)
	le := binary.LittleEndian
	copy(h, sparseMagic)
	le.PutUint32(h[4:], 1)
	le.PutUint32(h[8:], flags)
	le.PutUint64(h[12:], capacity)
	le.PutUint64(h[20:], grain)
	le.PutUint64(h[28:], descOff)
	le.PutUint64(h[36:], descLen)
	le.PutUint32(h[44:], gtEntries)
	le.PutUint64(h[56:], gdOff)
	copy(h[73:], "\n \r\n")
	if flags&flagCompressed != 0 {
		le.PutUint16(h[77:], 1)
		le.PutUint32(h[4:], 3)
	}
	return h
}

const handDescriptor = `# Disk DescriptorFile
version=1
CID=1234abcd
parentCID=ffffffff
createType="monolithicSparse"

# Extent description
RW 20 SPARSE "hand.vmdk"

ddb.virtualHWVersion = "4"
ddb.uuid.image = "6b8c7a3e-1d2f-4e5a-9b0c-0d1e2f3a4b5c"
ddb.adapterType = "ide"
`

// Hand-built monolithicSparse extent, in sectors: 2-sector (1 KiB)
// grains, 4 entries per grain table (4 KiB each), capacity 20 sectors.
//
//	0      header (flags: newline test, zero grains)
//	1-2    embedded descriptor
//	3      grain directory [4, 5, 0]
//	4      grain table 0 [6, 0, 1 (zero grain), 8]
//	5      grain table 1 [0, 0, 10, 0]
//	6-11   grains 0, 3, 6
const (
	msGD        = 3
	msGT0       = 4
	msGT1       = 5
	msGrainSect = 2
)

func buildMonolithic() (image, disk []byte) {
	img := make([]byte, 12*sector)
	disk = make([]byte, 20*sector)
	le := binary.LittleEndian
	copy(img, sparseHeader(flagNewlineTest|flagZeroGrain, 20, msGrainSect, 1, 2, 4, msGD))
	copy(img[sector:], handDescriptor)
	le.PutUint32(img[msGD*sector:], msGT0)
	le.PutUint32(img[msGD*sector+4:], msGT1)
	for i, v := range []uint32{6, 0, 1, 8} {
		le.PutUint32(img[msGT0*sector+4*i:], v)
	}
	le.PutUint32(img[msGT1*sector+8:], 10)
	for _, g := range []struct{ grain, at int }{{0, 6}, {3, 8}, {6, 10}} {
		data := bytes.Repeat(fmt.Appendf(nil, "grain %d. ", g.grain), 1024)[:1024]
		copy(img[g.at*sector:], data)
		copy(disk[g.grain*1024:], data)
	}
	return img, disk
}

func zlibOf(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// Hand-built streamOptimized extent, in sectors: 2-sector grains, 4
// entries per grain table, capacity 9 sectors (the last grain holds one).
//
//	0   header, GD offset "at end"
//	1   grain 0: marker (LBA 0, size), zlib data
//	2   grain 4: marker (LBA 8, size), zlib data of one sector
//	3   grain table marker
//	4   grain table 0 [1, 0, 0, 0]
//	5   grain table 1 [2, 0, 0, 0]
//	6   grain directory marker
//	7   grain directory [4, 5]
//	8   footer marker
//	9   footer: the header with GD offset 7
//	10  end-of-stream marker
const (
	soGrain0 = 1
	soGrain4 = 2
	soGD     = 7
)

func buildStream() (image, disk []byte) {
	img := make([]byte, 11*sector)
	disk = make([]byte, 9*sector)
	le := binary.LittleEndian
	flags := uint32(flagNewlineTest | flagCompressed | flagMarkers)
	copy(img, sparseHeader(flags, 9, 2, 0, 0, 4, gdAtEnd))
	for _, g := range []struct {
		grain, at, n int
	}{{0, soGrain0, 1024}, {4, soGrain4, 512}} {
		data := bytes.Repeat(fmt.Appendf(nil, "stream grain %d. ", g.grain), 100)[:g.n]
		z := zlibOf(data)
		le.PutUint64(img[g.at*sector:], uint64(g.grain*2))
		le.PutUint32(img[g.at*sector+8:], uint32(len(z)))
		copy(img[g.at*sector+12:], z)
		copy(disk[g.grain*1024:], data)
	}
	le.PutUint64(img[3*sector:], 1)
	le.PutUint32(img[3*sector+12:], 1) // grain table marker
	le.PutUint32(img[4*sector:], soGrain0)
	le.PutUint32(img[5*sector:], soGrain4)
	le.PutUint64(img[6*sector:], 1)
	le.PutUint32(img[6*sector+12:], 2) // grain directory marker
	le.PutUint32(img[soGD*sector:], 4)
	le.PutUint32(img[soGD*sector+4:], 5)
	le.PutUint64(img[8*sector:], 1)
	le.PutUint32(img[8*sector+12:], 3) // footer marker
	copy(img[9*sector:], sparseHeader(flags, 9, 2, 0, 0, 4, soGD))
	return img, disk
}

// buildDescriptorSet writes a descriptor with a flat, a zero and a sparse
// extent (the hand-built monolithic one) into dir and returns its path and
// the virtual disk.
func buildDescriptorSet(t testing.TB, dir string) (string, []byte) {
	flat := source(8*sector+100, 3)
	if err := os.WriteFile(filepath.Join(dir, "disk-flat.vmdk"), flat, 0o644); err != nil {
		t.Fatal(err)
	}
	sp, spDisk := buildMonolithic()
	if err := os.WriteFile(filepath.Join(dir, "disk-s001.vmdk"), sp, 0o644); err != nil {
		t.Fatal(err)
	}
	desc := `# Disk DescriptorFile
version=1
CID=fffffffe
parentCID=ffffffff
createType="twoGbMaxExtentSparse"

RW 6 FLAT "disk-flat.vmdk" 2
RDONLY 3 ZERO
RW 20 SPARSE "disk-s001.vmdk"
`
	p := filepath.Join(dir, "disk.vmdk")
	if err := os.WriteFile(p, []byte(desc), 0o644); err != nil {
		t.Fatal(err)
	}
	disk := append(append(append([]byte(nil), flat[2*sector:8*sector]...), make([]byte, 3*sector)...), spDisk...)
	return p, disk
}
