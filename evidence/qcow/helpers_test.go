package qcow

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"testing"
)

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
