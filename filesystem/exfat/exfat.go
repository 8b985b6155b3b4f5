package exfat

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// Limits on what the reader allocates.
const (
	maxDirBytes = 32 << 20 // a folder is read up to 1,048,576 entries
)

// fatEnd is the FAT value that ends a chain.
const fatEnd = 0xFFFFFFFF

// FormatError reports a malformed structure at a byte offset of the file
// system (see [filesystem.FormatError]).
type FormatError = filesystem.FormatError

func notFS(off int64, format string, args ...any) error {
	return filesystem.NotFS("exfat", off, format, args...)
}

func formatErr(off int64, format string, args ...any) error {
	return filesystem.Malformed("exfat", off, format, args...)
}

// volume is an opened exFAT file system. Its methods are safe for
// concurrent use.
type volume struct {
	r    io.ReaderAt
	size int64

	bps         int64 // bytes per sector
	clusterSize int64
	sectors     int64 // VolumeLength
	fatOffset   int64 // byte offset of the active FAT
	fatFirst    int64 // byte offset of the first FAT
	fatBytes    int64 // bytes of one FAT
	numFATs     int64
	heapSector  int64 // ClusterHeapOffset, TSK's first data sector
	clusters    uint32
	rootCluster uint32
	maxInode    uint64 // highest directory-entry inode
	label       string

	anomalies filesystem.Anomalies
}

// Open reads the boot sector of the exFAT file system in r (size bytes).
// The error wraps [filesystem.ErrNotFS] when the data is not exFAT or its
// geometry is impossible.
func Open(r io.ReaderAt, size int64) (filesystem.FS, error) {
	if size < 512 {
		return nil, notFS(0, "image of %d bytes is smaller than a boot sector", size)
	}
	b := make([]byte, 512)
	if n, err := r.ReadAt(b, 0); n < len(b) {
		return nil, fmt.Errorf("exfat: read boot sector: %w", err)
	}
	v, err := parseBoot(b, size)
	if err != nil {
		return nil, err
	}
	v.r = r
	if v.sectors*v.bps > size {
		v.note("image is %d bytes, shorter than the %d bytes the boot sector gives", size, v.sectors*v.bps)
	}
	v.checkBootChecksum()
	if _, err := v.fat(v.rootCluster); err != nil {
		return nil, fmt.Errorf("exfat: read FAT entry of root cluster %d: %w", v.rootCluster, err)
	}
	root, err := v.readFull(v.clusterOffset(v.rootCluster), v.clusterSize)
	if err != nil {
		return nil, fmt.Errorf("exfat: read root folder: %w", err)
	}
	v.label = findLabel(root)
	return v, nil
}

// findLabel returns the text of the first in-use volume label entry in
// the first cluster of the root folder b, before its end marker.
func findLabel(b []byte) string {
	for i := 0; i+32 <= len(b) && b[i] != 0; i += 32 {
		if b[i] == typeLabel {
			return decode(b[i+2 : i+2+2*min(int(b[i+1]), 15)])
		}
	}
	return ""
}

// parseBoot checks and decodes the boot sector b.
func parseBoot(b []byte, size int64) (*volume, error) {
	le := binary.LittleEndian
	if string(b[3:11]) != "EXFAT   " {
		return nil, notFS(3, "file system name %q is not \"EXFAT   \"", b[3:11])
	}
	if b[510] != 0x55 || b[511] != 0xAA {
		return nil, notFS(510, "no 0x55AA signature")
	}
	for i := 11; i < 64; i++ {
		if b[i] != 0 {
			return nil, notFS(int64(i), "byte %#x in the must-be-zero field", b[i])
		}
	}
	bpsShift, spcShift := uint(b[108]), uint(b[109])
	if bpsShift < 9 || bpsShift > 12 {
		return nil, notFS(108, "bytes per sector shift %d", bpsShift)
	}
	if bpsShift+spcShift > 25 {
		return nil, notFS(109, "sectors per cluster shift %d", spcShift)
	}
	v := &volume{size: size, bps: 1 << bpsShift}
	v.clusterSize = v.bps << spcShift
	v.numFATs = int64(b[110])
	if v.numFATs != 1 && v.numFATs != 2 {
		return nil, notFS(110, "FAT count %d", v.numFATs)
	}
	length := le.Uint64(b[72:])
	if length < 1<<20/uint64(v.bps) || length > 1<<50 {
		return nil, notFS(72, "volume length %d sectors", length)
	}
	v.sectors = int64(length)
	fatOff, fatLen := int64(le.Uint32(b[80:])), int64(le.Uint32(b[84:]))
	heap, count := int64(le.Uint32(b[88:])), le.Uint32(b[92:])
	if fatOff < 24 || fatLen == 0 || fatOff+fatLen*v.numFATs > heap {
		return nil, notFS(80, "FAT at sector %d, %d sectors, %d copies, before the cluster heap at sector %d", fatOff, fatLen, v.numFATs, heap)
	}
	if count == 0 || count > 0xFFFFFFF5 {
		return nil, notFS(92, "cluster count %d", count)
	}
	if heap+int64(count)<<spcShift > v.sectors {
		return nil, notFS(92, "%d clusters from sector %d pass the volume's %d sectors", count, heap, v.sectors)
	}
	if fatLen*v.bps < (int64(count)+2)*4 {
		return nil, notFS(84, "FAT of %d sectors is too small for %d clusters", fatLen, count)
	}
	v.clusters, v.heapSector, v.fatBytes = count, heap, fatLen*v.bps
	v.rootCluster = le.Uint32(b[96:])
	if !v.valid(v.rootCluster) {
		return nil, notFS(96, "root cluster %d", v.rootCluster)
	}
	active := int64(0)
	if v.numFATs == 2 && le.Uint16(b[106:])&1 != 0 {
		active = 1
	}
	v.fatFirst = fatOff * v.bps
	v.fatOffset = (fatOff + active*fatLen) * v.bps
	// TSK numbers 32-byte slots from the cluster heap to the last sector
	// of the volume, or of the image when it is shorter.
	last := min(v.sectors, size/v.bps)
	v.maxInode = uint64(max(last-heap, 0))*uint64(v.bps/32) + 2
	return v, nil
}

// checkBootChecksum compares the checksum of the 11 boot-region sectors
// with sector 11, noting a mismatch or an unreadable region.
func (v *volume) checkBootChecksum() {
	b, err := v.readFull(0, 12*v.bps)
	if err != nil {
		v.note("boot checksum not checked: %v", err)
		return
	}
	var sum uint32
	for i, c := range b[:11*v.bps] {
		if i == 106 || i == 107 || i == 112 {
			continue
		}
		sum = (sum<<31 | sum>>1) + uint32(c)
	}
	for off := 11 * v.bps; off < 12*v.bps; off += 4 {
		if got := binary.LittleEndian.Uint32(b[off:]); got != sum {
			v.note("boot checksum at offset %d is %#08x, computed %#08x", off, got, sum)
			return
		}
	}
}

// note records an anomaly.
func (v *volume) note(format string, args ...any) {
	v.anomalies.Add(format, args...)
}

func (v *volume) Type() string  { return "exfat" }
func (v *volume) Label() string { return v.label }

func (v *volume) Anomalies() []string {
	return v.anomalies.List()
}

// readFull reads n bytes at off, failing on a short read.
func (v *volume) readFull(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > v.size || n > v.size-off {
		return nil, formatErr(off, "%d bytes past the end of the %d-byte image", n, v.size)
	}
	b := make([]byte, n)
	if m, err := v.r.ReadAt(b, off); int64(m) < n {
		return nil, fmt.Errorf("exfat: read %d bytes at offset %d: %w", n, off, err)
	}
	return b, nil
}

// valid says whether c names a cluster of the heap.
func (v *volume) valid(c uint32) bool {
	return c >= 2 && uint64(c) <= uint64(v.clusters)+1
}

// clusterOffset is the byte offset of cluster c.
func (v *volume) clusterOffset(c uint32) int64 {
	return v.heapSector*v.bps + int64(c-2)*v.clusterSize
}

// fat returns the FAT entry of cluster c.
func (v *volume) fat(c uint32) (uint32, error) {
	b, err := v.readFull(v.fatOffset+int64(c)*4, 4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}
