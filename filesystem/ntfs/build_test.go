package ntfs

import (
	"encoding/binary"
	"unicode/utf16"
)

// This file builds small NTFS volumes in memory for tests, from the same
// published layout the reader decodes: enough of a boot sector, MFT
// records with fixups, resident and non-resident attributes.

// tAttr describes one attribute to write.
type tAttr struct {
	typ      uint32
	name     string
	value    []byte // resident value; nil with runs set means non-resident
	runs     []tRun
	startVCN uint64
	lastVCN  uint64
	size     int64
	flags    uint16 // attribute flags (compression method)
	compUnit uint16 // compression unit exponent
}

// tRun is a run of n clusters at lcn; lcn < 0 is sparse.
type tRun struct{ n, lcn int64 }

// tRecord describes one MFT record to write.
type tRecord struct {
	num   uint64
	seq   uint16
	flags uint16
	base  uint64 // record number of the base record; 0 for a base record
	attrs []tAttr
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

// encodeRunlist writes runs as mapping pairs with 8-byte fields.
func encodeRunlist(runs []tRun) []byte {
	var b []byte
	var prev int64
	for _, r := range runs {
		if r.lcn < 0 {
			b = append(b, 0x08)
			b = binary.LittleEndian.AppendUint64(b, uint64(r.n))
			continue
		}
		b = append(b, 0x88)
		b = binary.LittleEndian.AppendUint64(b, uint64(r.n))
		b = binary.LittleEndian.AppendUint64(b, uint64(r.lcn-prev))
		prev = r.lcn
	}
	return append(b, 0)
}

func pad8(b []byte) []byte {
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// encodeAttr writes one attribute with attribute id id.
func encodeAttr(a tAttr, id uint16) []byte {
	name := utf16le(a.name)
	if a.runs == nil {
		h := make([]byte, 0x18)
		binary.LittleEndian.PutUint32(h, a.typ)
		h[9] = byte(len(name) / 2)
		binary.LittleEndian.PutUint16(h[0x0A:], 0x18)
		binary.LittleEndian.PutUint16(h[0x0E:], id)
		h = pad8(append(h, name...))
		binary.LittleEndian.PutUint32(h[0x10:], uint32(len(a.value)))
		binary.LittleEndian.PutUint16(h[0x14:], uint16(len(h)))
		h = pad8(append(h, a.value...))
		binary.LittleEndian.PutUint32(h[4:], uint32(len(h)))
		return h
	}
	h := make([]byte, 0x40)
	binary.LittleEndian.PutUint32(h, a.typ)
	h[8] = 1
	h[9] = byte(len(name) / 2)
	binary.LittleEndian.PutUint16(h[0x0A:], 0x40)
	binary.LittleEndian.PutUint16(h[0x0C:], a.flags)
	binary.LittleEndian.PutUint16(h[0x0E:], id)
	binary.LittleEndian.PutUint16(h[0x22:], a.compUnit)
	binary.LittleEndian.PutUint64(h[0x10:], a.startVCN)
	binary.LittleEndian.PutUint64(h[0x18:], a.lastVCN)
	binary.LittleEndian.PutUint64(h[0x28:], uint64(a.size))
	binary.LittleEndian.PutUint64(h[0x30:], uint64(a.size))
	binary.LittleEndian.PutUint64(h[0x38:], uint64(a.size))
	h = pad8(append(h, name...))
	binary.LittleEndian.PutUint16(h[0x20:], uint16(len(h)))
	h = pad8(append(h, encodeRunlist(a.runs)...))
	binary.LittleEndian.PutUint32(h[4:], uint32(len(h)))
	return h
}

// encodeRecord writes a record of size bytes with its fixups applied.
func encodeRecord(r tRecord, size int) []byte {
	b := make([]byte, size)
	copy(b, "FILE")
	usaCount := size/fixupStride + 1
	binary.LittleEndian.PutUint16(b[4:], 0x30)
	binary.LittleEndian.PutUint16(b[6:], uint16(usaCount))
	binary.LittleEndian.PutUint16(b[0x10:], r.seq)
	binary.LittleEndian.PutUint16(b[0x12:], 1)
	first := (0x30 + 2*usaCount + 7) &^ 7
	binary.LittleEndian.PutUint16(b[0x14:], uint16(first))
	binary.LittleEndian.PutUint16(b[0x16:], r.flags)
	binary.LittleEndian.PutUint32(b[0x1C:], uint32(size))
	binary.LittleEndian.PutUint64(b[0x20:], r.base|1<<48)
	off := first
	for i, a := range r.attrs {
		off += copy(b[off:], encodeAttr(a, uint16(i)))
	}
	binary.LittleEndian.PutUint32(b[off:], attrEnd)
	off += 8
	binary.LittleEndian.PutUint32(b[0x18:], uint32(off))
	binary.LittleEndian.PutUint32(b[0x2C:], uint32(r.num))
	// Update sequence number 0x0001; save each block's last two bytes.
	binary.LittleEndian.PutUint16(b[0x30:], 1)
	for i := 1; i < usaCount; i++ {
		end := i*fixupStride - 2
		copy(b[0x30+2*i:], b[end:end+2])
		binary.LittleEndian.PutUint16(b[end:], 1)
	}
	return b
}

// siValue is a $STANDARD_INFORMATION value with all four times ft.
func siValue(ft uint64) []byte {
	b := make([]byte, 0x48)
	for i := range 4 {
		binary.LittleEndian.PutUint64(b[8*i:], ft)
	}
	return b
}

// fnValue is a $FILE_NAME value with all four times ft.
func fnValue(parent uint64, pseq uint16, name string, ns byte, ft uint64) []byte {
	b := make([]byte, 0x42)
	binary.LittleEndian.PutUint64(b, parent|uint64(pseq)<<48)
	for i := range 4 {
		binary.LittleEndian.PutUint64(b[8+8*i:], ft)
	}
	u := utf16le(name)
	b[0x40] = byte(len(u) / 2)
	b[0x41] = ns
	return append(b, u...)
}

// attrListEntry is one $ATTRIBUTE_LIST entry naming an attribute of type
// typ starting at vcn in record ref.
func attrListEntry(typ uint32, vcn uint64, ref uint64) []byte {
	b := make([]byte, 0x20)
	binary.LittleEndian.PutUint32(b, typ)
	binary.LittleEndian.PutUint16(b[4:], 0x20)
	b[7] = 0x1A
	binary.LittleEndian.PutUint64(b[8:], vcn)
	binary.LittleEndian.PutUint64(b[0x10:], ref|1<<48)
	return b
}

// tVolume describes a volume to build: 512-byte clusters, sectors and
// records, the MFT at cluster mftLCN.
type tVolume struct {
	clusters int64
	mftLCN   int64
	nrec     int
	records  []tRecord
	data     map[int64][]byte // cluster contents by LCN
}

const (
	tCluster = 512
	tRecSize = 512
)

// build writes the volume; record 0 ($MFT) is added from nrec.
func (v tVolume) build() []byte {
	img := make([]byte, v.clusters*tCluster)
	copy(img[3:], "NTFS    ")
	binary.LittleEndian.PutUint16(img[0x0B:], 512)
	img[0x0D] = 1
	binary.LittleEndian.PutUint64(img[0x28:], uint64(v.clusters))
	binary.LittleEndian.PutUint64(img[0x30:], uint64(v.mftLCN))
	binary.LittleEndian.PutUint64(img[0x38:], 2)
	img[0x40] = 1
	img[0x44] = 8
	binary.LittleEndian.PutUint64(img[0x48:], 0x1234ABCD)
	img[0x1FE], img[0x1FF] = 0x55, 0xAA
	mftClusters := int64(v.nrec) * tRecSize / tCluster
	recs := append([]tRecord{{num: 0, seq: 1, flags: recordInUse, attrs: []tAttr{
		{typ: attrStandardInfo, value: siValue(testTime)},
		{typ: attrFileName, value: fnValue(5, 5, "$MFT", 3, fnTime)},
		{typ: attrData, runs: []tRun{{mftClusters, v.mftLCN}}, lastVCN: uint64(mftClusters - 1), size: int64(v.nrec) * tRecSize},
	}}}, v.records...)
	for _, r := range recs {
		copy(img[v.mftLCN*tCluster+int64(r.num)*tRecSize:], encodeRecord(r, tRecSize))
	}
	for lcn, d := range v.data {
		copy(img[lcn*tCluster:], d)
	}
	return img
}

// testTime is 2020-01-02T03:04:05.1234567Z as a FILETIME; fnTime is an
// hour earlier.
const (
	testTime = 132224078451234567
	fnTime   = testTime - 3600*1e7
)
