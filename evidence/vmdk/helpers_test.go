package vmdk

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/pangolin-forensics/pangolin/internal/vdisktest"
)

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
	flat := vdisktest.Source(8*sector+100, 3)
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
