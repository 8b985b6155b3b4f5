package ext

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"time"
)

// Inode mode types and flags.
const (
	modeTypeMask = 0xF000
	modeDir      = 0x4000
	modeReg      = 0x8000
	modeSymlink  = 0xA000

	flagExtents    = 0x80000
	flagInlineData = 0x10000000
)

// inode is the part of an on-disk inode this package uses.
type inode struct {
	num       uint32
	offset    int64 // byte offset in the file system
	allocated bool
	mode      uint16
	uid, gid  uint32
	size      int64
	links     uint16
	flags     uint32
	blocks    [60]byte // i_block: block map, extent root, symlink or inline data
	atime     time.Time
	ctime     time.Time
	mtime     time.Time
	dtime     time.Time
	crtime    time.Time
	ctimeRaw  uint32
	inlineEA  []byte // system.data extended attribute (inline data past i_block)
}

// readInode reads inode n and its allocation bit.
func (fs *FS) readInode(n uint32) (*inode, error) {
	if n == 0 || n > fs.inodesCount {
		return nil, fmt.Errorf("inode %d out of range 1-%d", n, fs.inodesCount)
	}
	g := (n - 1) / fs.inodesPerGroup
	idx := (n - 1) % fs.inodesPerGroup
	if g >= uint32(len(fs.groups)) {
		return nil, fmt.Errorf("inode %d: group %d has no descriptor", n, g)
	}
	gr := fs.groups[g]
	tableBytes := int64(fs.inodesPerGroup) * fs.inodeSize
	tableBlocks := uint64((tableBytes + fs.blockSize - 1) / fs.blockSize)
	if !fs.validBlock(gr.inodeTable) || !fs.validBlock(gr.inodeTable+tableBlocks-1) {
		return nil, formatErr(fs.blockOffset(gr.inodeTable), "inode table of group %d at block %d is outside the file system", g, gr.inodeTable)
	}
	tableStart := fs.blockOffset(gr.inodeTable)
	off := tableStart + int64(idx)*fs.inodeSize
	buf := make([]byte, fs.inodeSize)
	if err := fs.tableChunk.read(fs.r, buf, off, tableStart, tableStart+tableBytes); err != nil {
		return nil, fmt.Errorf("read inode %d at %d: %w", n, off, err)
	}
	alloc, err := fs.inodeAllocated(n)
	if err != nil {
		return nil, err
	}
	return fs.parseInode(n, off, alloc, buf), nil
}

// parseInode decodes an inode record of fs.inodeSize bytes.
func (fs *FS) parseInode(n uint32, off int64, alloc bool, b []byte) *inode {
	le := binary.LittleEndian
	in := &inode{
		num:       n,
		offset:    off,
		allocated: alloc,
		mode:      le.Uint16(b[0x00:]),
		uid:       uint32(le.Uint16(b[0x02:])) | uint32(le.Uint16(b[0x78:]))<<16,
		gid:       uint32(le.Uint16(b[0x18:])) | uint32(le.Uint16(b[0x7A:]))<<16,
		size:      int64(le.Uint32(b[0x04:])),
		links:     le.Uint16(b[0x1A:]),
		flags:     le.Uint32(b[0x20:]),
		ctimeRaw:  le.Uint32(b[0x0C:]),
	}
	copy(in.blocks[:], b[0x28:0x28+60])
	typ := in.mode & modeTypeMask
	if typ == modeReg || (typ == modeDir && fs.incompat&incompatLargeDir != 0) || typ == modeSymlink {
		in.size |= int64(le.Uint32(b[0x6C:])&0x7FFFFFFF) << 32
	}
	extra := 0
	if fs.inodeSize > 128 {
		extra = int(le.Uint16(b[0x80:]))
		if 128+int64(extra) > fs.inodeSize {
			extra = 0
		}
	}
	has := func(field int) bool { return 128+extra >= field+4 }
	stamp := func(secOff, extraOff int) time.Time {
		sec := int64(int32(le.Uint32(b[secOff:])))
		var nsec int64
		if extraOff > 0 && has(extraOff) {
			x := le.Uint32(b[extraOff:])
			sec += int64(x&3) << 32
			nsec = int64(x >> 2)
			if nsec > 999999999 {
				nsec = 0
			}
		}
		if sec == 0 && nsec == 0 {
			return time.Time{}
		}
		return time.Unix(sec, nsec).UTC()
	}
	in.atime = stamp(0x08, 0x8C)
	in.ctime = stamp(0x0C, 0x84)
	in.mtime = stamp(0x10, 0x88)
	in.dtime = stamp(0x14, 0)
	if has(0x90) {
		in.crtime = stamp(0x90, 0x94)
	}
	if in.flags&flagInlineData != 0 {
		in.inlineEA = inlineXattr(b[128+extra:])
	}
	return in
}

// inlineXattr returns the value of the in-inode extended attribute
// "system.data" (index 7, name "data"), which holds inline data past the
// first 60 bytes, or nil. The region starts with magic 0xEA020000, then
// entries: name length [1], index [1], value offset [2] (from the first
// entry), value inode [4], value size [4], hash [4], name.
func inlineXattr(b []byte) []byte {
	le := binary.LittleEndian
	if len(b) < 4 || le.Uint32(b) != 0xEA020000 {
		return nil
	}
	ents := b[4:]
	for p := 0; p+16 <= len(ents); {
		nameLen := int(ents[p])
		if nameLen == 0 && ents[p+1] == 0 {
			break
		}
		idx := ents[p+1]
		valOff := int(le.Uint16(ents[p+2:]))
		valSize := int(le.Uint32(ents[p+8:]))
		if p+16+nameLen > len(ents) {
			break
		}
		name := string(ents[p+16 : p+16+nameLen])
		if idx == 7 && name == "data" {
			if valOff+valSize > len(ents) || valSize < 0 {
				return nil
			}
			return ents[valOff : valOff+valSize]
		}
		p += (16 + nameLen + 3) &^ 3
	}
	return nil
}

// inodeAllocated reads the inode's bit in its group's inode bitmap. Groups
// flagged INODE_UNINIT have no used inodes.
func (fs *FS) inodeAllocated(n uint32) (bool, error) {
	g := (n - 1) / fs.inodesPerGroup
	bit := (n - 1) % fs.inodesPerGroup
	gr := fs.groups[g]
	if gr.flags&bgInodeUninit != 0 && fs.hasGroupCsum() {
		return false, nil
	}
	bm, err := fs.bitmap(g)
	if err != nil {
		return false, err
	}
	return bm[bit/8]&(1<<(bit%8)) != 0, nil
}

// hasGroupCsum reports uninit_bg (gdt_csum) or metadata_csum, the features
// under which group flags are valid.
func (fs *FS) hasGroupCsum() bool {
	const roCompatGdtCsum = 0x10
	return fs.roCompat&(roCompatGdtCsum|roCompatMetadataCsum) != 0
}

// chunkCache holds the piece of an inode table read last: a directory's
// files mostly have neighbouring inodes, so one read of 64 KiB serves
// hundreds of them instead of one read each.
type chunkCache struct {
	mu   sync.Mutex
	off  int64
	data []byte
}

const tableChunk = 64 << 10

// read copies len(p) bytes at off, inside the table [start, end), through
// the cache.
func (c *chunkCache) read(r io.ReaderAt, p []byte, off, start, end int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if off < c.off || off+int64(len(p)) > c.off+int64(len(c.data)) {
		from := max(start, off-(off-start)%tableChunk)
		to := min(end, from+tableChunk)
		if off+int64(len(p)) > to {
			to = off + int64(len(p))
		}
		if cap(c.data) < int(to-from) {
			c.data = make([]byte, to-from)
		}
		c.data = c.data[:to-from]
		if _, err := r.ReadAt(c.data, from); err != nil {
			c.data = c.data[:0]
			return err
		}
		c.off = from
	}
	copy(p, c.data[off-c.off:])
	return nil
}

// bitmapCache holds inode bitmaps already read, one block per group.
type bitmapCache struct {
	mu sync.Mutex
	m  map[uint32][]byte
}

func (fs *FS) bitmap(g uint32) ([]byte, error) {
	fs.bitmaps.mu.Lock()
	defer fs.bitmaps.mu.Unlock()
	if b, ok := fs.bitmaps.m[g]; ok {
		return b, nil
	}
	b, err := fs.readBlock(fs.groups[g].inodeBitmap)
	if err != nil {
		return nil, fmt.Errorf("inode bitmap of group %d: %w", g, err)
	}
	if fs.bitmaps.m == nil {
		fs.bitmaps.m = make(map[uint32][]byte)
	}
	fs.bitmaps.m[g] = b
	return b, nil
}

// isFastSymlink reports a symlink whose target is stored in i_block.
func (in *inode) isFastSymlink() bool {
	return in.mode&modeTypeMask == modeSymlink && in.size > 0 && in.size < 60 &&
		in.flags&(flagExtents|flagInlineData) == 0
}
