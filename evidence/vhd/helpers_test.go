package vhd

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unicode/utf16"

	"github.com/pangolin-forensics/pangolin/internal/vdisktest"
)

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
	disk = vdisktest.Source(10*512, 5)
	return append(append([]byte(nil), disk...), footer(typeFixed, uint64(len(disk)), 1<<64-1)...), disk
}
