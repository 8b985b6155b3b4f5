package ext

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// ErrNotRecoverable is returned by [FS.Open] for a deleted file whose
// content cannot be located any more (ext3 and ext4 clear the block map of
// a deleted inode), or a deleted name that kept no inode number.
var ErrNotRecoverable = errors.New("content not recoverable")

// FormatError reports a malformed structure at a byte offset of the file
// system (see [filesystem.FormatError]).
type FormatError = filesystem.FormatError

func notFS(off int64, format string, args ...any) error {
	return filesystem.NotFS("ext", off, format, args...)
}

func formatErr(off int64, format string, args ...any) error {
	return filesystem.Malformed("ext", off, format, args...)
}

// Feature flags (superblock).
const (
	compatHasJournal = 0x4

	incompatFiletype   = 0x2
	incompatRecover    = 0x4
	incompatJournalDev = 0x8
	incompatMetaBG     = 0x10
	incompatExtents    = 0x40
	incompat64Bit      = 0x80
	incompatMMP        = 0x100
	incompatFlexBG     = 0x200
	incompatEAInode    = 0x400
	incompatDirData    = 0x1000
	incompatCsumSeed   = 0x2000
	incompatLargeDir   = 0x4000
	incompatInlineData = 0x8000
	incompatEncrypt    = 0x10000
	incompatCasefold   = 0x20000

	roCompatMetadataCsum = 0x400
)

const knownIncompat = incompatFiletype | incompatRecover | incompatMetaBG |
	incompatExtents | incompat64Bit | incompatMMP | incompatFlexBG |
	incompatEAInode | incompatDirData | incompatCsumSeed | incompatLargeDir |
	incompatInlineData | incompatEncrypt | incompatCasefold

const (
	superOffset = 1024
	superSize   = 1024
	rootInode   = 2
	// maxGroups caps the number of block groups (a 1 EiB file system with
	// 128 MiB groups has 2^33; real images stay far below this cap).
	maxGroups = 1 << 24
)

// FS is an opened ext2/3/4 file system. It is safe for concurrent use:
// the bitmap cache and the anomaly list are guarded.
type FS struct {
	r    io.ReaderAt
	size int64

	blockSize      int64
	blocksCount    uint64
	inodesCount    uint32
	firstDataBlock uint32
	blocksPerGroup uint32
	inodesPerGroup uint32
	inodeSize      int64
	firstIno       uint32
	descSize       int64
	groupCount     uint32
	firstMetaBG    uint32
	compat         uint32
	incompat       uint32
	roCompat       uint32
	typ            string
	label          string

	groups     []group
	bitmaps    bitmapCache
	tableChunk chunkCache

	anomalies filesystem.Anomalies
}

type group struct {
	inodeBitmap uint64
	inodeTable  uint64
	flags       uint16
}

const bgInodeUninit = 0x1

// Open reads the superblock and group descriptors of the ext file system
// that fills r (size bytes). It returns an error wrapping
// [filesystem.ErrNotFS] when the bytes are not ext2/3/4.
func Open(r io.ReaderAt, size int64) (filesystem.FS, error) {
	fs, err := NewFS(r, size)
	if err != nil {
		return nil, err
	}
	return fs, nil
}

// NewFS is [Open] with the concrete type, for callers that want
// ext-specific facts.
func NewFS(r io.ReaderAt, size int64) (*FS, error) {
	if size < superOffset+superSize {
		return nil, notFS(0, "image of %d bytes is too small for a superblock", size)
	}
	sb := make([]byte, superSize)
	if _, err := r.ReadAt(sb, superOffset); err != nil {
		return nil, fmt.Errorf("ext: read superblock at %d: %w", superOffset, err)
	}
	le := binary.LittleEndian
	if le.Uint16(sb[0x38:]) != 0xEF53 {
		return nil, notFS(superOffset+0x38, "no ext magic 0xEF53")
	}
	fs := &FS{r: r, size: size}
	logBS := le.Uint32(sb[0x18:])
	if logBS > 6 {
		return nil, notFS(superOffset+0x18, "block size 2^(10+%d) out of range", logBS)
	}
	fs.blockSize = 1024 << logBS
	fs.inodesCount = le.Uint32(sb[0x00:])
	fs.blocksCount = uint64(le.Uint32(sb[0x04:]))
	fs.firstDataBlock = le.Uint32(sb[0x14:])
	fs.blocksPerGroup = le.Uint32(sb[0x20:])
	fs.inodesPerGroup = le.Uint32(sb[0x28:])
	rev := le.Uint32(sb[0x4C:])
	fs.inodeSize = 128
	fs.firstIno = 11
	if rev >= 1 {
		fs.inodeSize = int64(le.Uint16(sb[0x58:]))
		fs.firstIno = le.Uint32(sb[0x54:])
		fs.compat = le.Uint32(sb[0x5C:])
		fs.incompat = le.Uint32(sb[0x60:])
		fs.roCompat = le.Uint32(sb[0x64:])
	}
	fs.descSize = 32
	if fs.incompat&incompat64Bit != 0 {
		fs.blocksCount |= uint64(le.Uint32(sb[0x150:])) << 32
		fs.descSize = int64(le.Uint16(sb[0xFE:]))
		if fs.descSize < 32 || fs.descSize > 1024 || fs.descSize&(fs.descSize-1) != 0 {
			return nil, notFS(superOffset+0xFE, "group descriptor size %d", fs.descSize)
		}
	}
	fs.firstMetaBG = le.Uint32(sb[0x104:])
	switch {
	case fs.incompat&incompatJournalDev != 0:
		return nil, notFS(superOffset+0x60, "external journal device, not a file system")
	case fs.inodeSize < 128 || fs.inodeSize > fs.blockSize || fs.inodeSize&(fs.inodeSize-1) != 0:
		return nil, notFS(superOffset+0x58, "inode size %d", fs.inodeSize)
	case fs.blocksPerGroup == 0 || fs.inodesPerGroup == 0 || fs.inodesCount == 0 || fs.blocksCount == 0:
		return nil, notFS(superOffset, "zero blocks, inodes or group sizes")
	case uint64(fs.blocksPerGroup) > uint64(fs.blockSize)*8 || uint64(fs.inodesPerGroup) > uint64(fs.blockSize)*8:
		return nil, notFS(superOffset+0x20, "group of %d blocks, %d inodes does not fit one bitmap block", fs.blocksPerGroup, fs.inodesPerGroup)
	case uint64(fs.firstDataBlock) >= fs.blocksCount:
		return nil, notFS(superOffset+0x14, "first data block %d beyond block count %d", fs.firstDataBlock, fs.blocksCount)
	case fs.inodesCount < rootInode:
		return nil, notFS(superOffset, "%d inodes", fs.inodesCount)
	case uint64(fs.inodesCount)*uint64(fs.inodeSize)/uint64(fs.blockSize) > fs.blocksCount:
		return nil, notFS(superOffset, "%d inode tables cannot fit %d blocks", fs.inodesCount, fs.blocksCount)
	}
	groups := (fs.blocksCount - uint64(fs.firstDataBlock) + uint64(fs.blocksPerGroup) - 1) / uint64(fs.blocksPerGroup)
	if groups == 0 || groups > maxGroups {
		return nil, notFS(superOffset+0x20, "%d block groups", groups)
	}
	fs.groupCount = uint32(groups)
	if uint64(fs.inodesCount) > groups*uint64(fs.inodesPerGroup) {
		return nil, notFS(superOffset, "%d inodes do not fit %d groups of %d", fs.inodesCount, groups, fs.inodesPerGroup)
	}
	fs.label = cString(sb[0x78 : 0x78+16])

	switch {
	case fs.incompat&(incompatExtents|incompat64Bit) != 0:
		fs.typ = "ext4"
	case fs.compat&compatHasJournal != 0:
		fs.typ = "ext3"
	default:
		fs.typ = "ext2"
	}
	if unk := fs.incompat &^ knownIncompat; unk != 0 {
		fs.anomalies.Add("superblock: unknown incompatible features 0x%x", unk)
	}
	if fs.roCompat&roCompatMetadataCsum != 0 {
		want := le.Uint32(sb[0x3FC:])
		if got := ^crc32.Checksum(sb[:0x3FC], crc32.MakeTable(crc32.Castagnoli)); got != want {
			fs.anomalies.Add("superblock at %d: checksum 0x%08x, computed 0x%08x", superOffset, want, got)
		}
	}
	if err := fs.readGroups(); err != nil {
		return nil, err
	}
	return fs, nil
}

// cString returns b up to its first NUL, as valid UTF-8.
func cString(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// readGroups reads the group descriptor table (or, with meta_bg, the
// descriptor block of each meta group).
func (fs *FS) readGroups() error {
	perBlock := uint64(fs.blockSize / fs.descSize)
	fs.groups = make([]group, 0, min(uint64(fs.groupCount), uint64(fs.size/fs.descSize)+1))
	var blk []byte
	blkNo := ^uint64(0)
	for g := uint64(0); g < uint64(fs.groupCount); g++ {
		var b uint64
		if fs.incompat&incompatMetaBG != 0 && g/perBlock >= uint64(fs.firstMetaBG) {
			first := g / perBlock * perBlock
			b = uint64(fs.firstDataBlock) + first*uint64(fs.blocksPerGroup)
			if fs.groupHasSuper(first) {
				b++
			}
		} else {
			b = uint64(fs.firstDataBlock) + 1 + g/perBlock
		}
		if b != blkNo {
			var err error
			if blk, err = fs.readBlock(b); err != nil {
				return notFS(fs.blockOffset(b), "group descriptor block for group %d: %v", g, err)
			}
			blkNo = b
		}
		d := blk[int64(g%perBlock)*fs.descSize:]
		le := binary.LittleEndian
		gr := group{
			inodeBitmap: uint64(le.Uint32(d[0x04:])),
			inodeTable:  uint64(le.Uint32(d[0x08:])),
			flags:       le.Uint16(d[0x12:]),
		}
		if fs.descSize >= 64 {
			gr.inodeBitmap |= uint64(le.Uint32(d[0x24:])) << 32
			gr.inodeTable |= uint64(le.Uint32(d[0x28:])) << 32
		}
		fs.groups = append(fs.groups, gr)
	}
	return nil
}

// groupHasSuper reports whether group g holds a superblock backup (and so
// descriptor copies), under the sparse_super rule: groups 0, 1 and powers
// of 3, 5 and 7.
func (fs *FS) groupHasSuper(g uint64) bool {
	const roCompatSparseSuper = 0x1
	if g <= 1 || fs.roCompat&roCompatSparseSuper == 0 {
		return true
	}
	for _, p := range []uint64{3, 5, 7} {
		n := p
		for n < g {
			n *= p
		}
		if n == g {
			return true
		}
	}
	return false
}

// blockOffset returns the byte offset of block b (no range check).
func (fs *FS) blockOffset(b uint64) int64 { return int64(b) * fs.blockSize }

// validBlock reports whether block b lies in the file system and image.
func (fs *FS) validBlock(b uint64) bool {
	return b < fs.blocksCount && b < uint64(fs.size/fs.blockSize)
}

// readBlock reads one block, checked against the block count and size.
func (fs *FS) readBlock(b uint64) ([]byte, error) {
	if !fs.validBlock(b) {
		return nil, fmt.Errorf("block %d outside the file system (%d blocks, image %d bytes)", b, fs.blocksCount, fs.size)
	}
	buf := make([]byte, fs.blockSize)
	if _, err := fs.r.ReadAt(buf, fs.blockOffset(b)); err != nil {
		return nil, fmt.Errorf("read block %d: %w", b, err)
	}
	return buf, nil
}

// Type returns "ext2", "ext3" or "ext4", decided by features as The Sleuth
// Kit decides: extents or 64bit make ext4, a journal ext3.
func (fs *FS) Type() string { return fs.typ }

// Label returns the volume name.
func (fs *FS) Label() string { return fs.label }

// BlockSize returns the block size in bytes.
func (fs *FS) BlockSize() int64 { return fs.blockSize }

// InodeCount returns the number of inodes; $OrphanFiles has this plus one.
func (fs *FS) InodeCount() uint32 { return fs.inodesCount }

// Anomalies lists damage met so far by Open, Walk and Open of entries.
func (fs *FS) Anomalies() []string { return fs.anomalies.List() }
