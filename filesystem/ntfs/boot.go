package ntfs

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// bootSize is the part of the boot sector the reader decodes.
const bootSize = 512

// boot holds the geometry from the NTFS boot sector.
//
// Layout (offsets in bytes, little-endian):
//
//	0x03  8  OEM ID "NTFS    "
//	0x0B  2  bytes per sector
//	0x0D  1  sectors per cluster (values above 0x80 mean 2^(256-v))
//	0x28  8  total sectors
//	0x30  8  LCN of $MFT
//	0x38  8  LCN of $MFTMirr
//	0x40  1  clusters per MFT record (negative: 2^-v bytes)
//	0x44  1  clusters per index record (same encoding)
//	0x48  8  volume serial number
//	0x1FE 2  signature 0x55 0xAA
type boot struct {
	clusterSize int64
	totalSize   int64 // total sectors × sector size
	mftLCN      int64
	recordSize  int64
	serial      uint64
}

// Limits on geometry.
const (
	maxClusterSize = 2 << 20
	minRecordSize  = 256
	maxRecordSize  = 64 << 10
)

// parseBoot decodes and checks the boot sector b of a volume of size bytes.
// Errors wrap [filesystem.ErrNotFS].
func parseBoot(b []byte, size int64) (boot, error) {
	var bt boot
	if len(b) < bootSize {
		return bt, fmt.Errorf("ntfs: boot sector: %d bytes: %w", len(b), filesystem.ErrNotFS)
	}
	if string(b[3:11]) != "NTFS    " {
		return bt, fmt.Errorf("ntfs: boot sector: OEM ID %q: %w", b[3:11], filesystem.ErrNotFS)
	}
	if b[0x1FE] != 0x55 || b[0x1FF] != 0xAA {
		return bt, fmt.Errorf("ntfs: boot sector: no 0x55AA signature at offset 510: %w", filesystem.ErrNotFS)
	}
	bps := int64(binary.LittleEndian.Uint16(b[0x0B:]))
	if bps < 256 || bps > 4096 || bits.OnesCount64(uint64(bps)) != 1 {
		return bt, fmt.Errorf("ntfs: boot sector: %d bytes per sector: %w", bps, filesystem.ErrNotFS)
	}
	spc := int64(b[0x0D])
	if spc > 0x80 {
		shift := 256 - spc
		if shift > 12 {
			return bt, fmt.Errorf("ntfs: boot sector: sectors per cluster 2^%d: %w", shift, filesystem.ErrNotFS)
		}
		spc = 1 << shift
	}
	if spc == 0 || bits.OnesCount64(uint64(spc)) != 1 {
		return bt, fmt.Errorf("ntfs: boot sector: %d sectors per cluster: %w", spc, filesystem.ErrNotFS)
	}
	bt.clusterSize = bps * spc
	if bt.clusterSize > maxClusterSize {
		return bt, fmt.Errorf("ntfs: boot sector: cluster size %d: %w", bt.clusterSize, filesystem.ErrNotFS)
	}
	total := binary.LittleEndian.Uint64(b[0x28:])
	if total == 0 || total > uint64(1<<62)/uint64(bps) {
		return bt, fmt.Errorf("ntfs: boot sector: %d total sectors: %w", total, filesystem.ErrNotFS)
	}
	bt.totalSize = int64(total) * bps
	rs, err := unitSize(int8(b[0x40]), bt.clusterSize)
	if err != nil || rs < minRecordSize || rs > maxRecordSize || bits.OnesCount64(uint64(rs)) != 1 {
		return bt, fmt.Errorf("ntfs: boot sector: MFT record size code %#x: %w", b[0x40], filesystem.ErrNotFS)
	}
	bt.recordSize = rs
	mft := binary.LittleEndian.Uint64(b[0x30:])
	if mft == 0 || mft >= uint64(bt.totalSize/bt.clusterSize) || int64(mft)*bt.clusterSize+rs > size {
		return bt, fmt.Errorf("ntfs: boot sector: $MFT at cluster %d outside the volume (%d bytes): %w", mft, size, filesystem.ErrNotFS)
	}
	bt.mftLCN = int64(mft)
	bt.serial = binary.LittleEndian.Uint64(b[0x48:])
	return bt, nil
}

// unitSize decodes the "clusters per record" encoding: a positive value
// counts clusters, a negative value v means 2^-v bytes.
func unitSize(v int8, clusterSize int64) (int64, error) {
	switch {
	case v > 0:
		return int64(v) * clusterSize, nil
	case v < 0 && v >= -31:
		return 1 << uint(-v), nil
	}
	return 0, fmt.Errorf("size code %d", v)
}
