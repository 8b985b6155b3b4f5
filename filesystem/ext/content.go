package ext

import (
	"encoding/binary"
	"fmt"
	"io"
	"sort"
)

// run maps count logical blocks from logical to physical; unwritten runs
// (ext4 preallocated extents) read as zeros.
type run struct {
	logical, physical, count uint64
	unwritten                bool
}

// content is a file's data: a block map over the image, or bytes held in
// the inode (fast symlink, inline data). It implements io.ReaderAt; holes
// read as zeros, and a block outside the image is an error.
type content struct {
	fs     *FS
	size   int64
	runs   []run // sorted by logical, not overlapping
	inline []byte
	mapped uint64 // blocks mapped by runs
}

const maxExtentDepth = 5

// fileContent builds the content of an inode.
func (fs *FS) fileContent(in *inode) (*content, error) {
	c := &content{fs: fs, size: in.size}
	if in.size < 0 {
		return nil, formatErr(in.offset, "inode %d: negative size", in.num)
	}
	switch {
	case in.isFastSymlink():
		c.inline = in.blocks[:in.size]
		return c, nil
	case in.flags&flagInlineData != 0:
		data := append(append([]byte{}, in.blocks[:]...), in.inlineEA...)
		if int64(len(data)) < in.size {
			return nil, formatErr(in.offset, "inode %d: inline data holds %d of %d bytes", in.num, len(data), in.size)
		}
		c.inline = data[:in.size]
		return c, nil
	}
	nblocks := uint64((in.size + fs.blockSize - 1) / fs.blockSize)
	var err error
	if in.flags&flagExtents != 0 {
		err = c.extents(in, nblocks)
	} else {
		err = c.blockMap(in, nblocks)
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(c.runs, func(i, j int) bool { return c.runs[i].logical < c.runs[j].logical })
	for i := 1; i < len(c.runs); i++ {
		p := c.runs[i-1]
		if p.logical+p.count > c.runs[i].logical {
			return nil, formatErr(in.offset, "inode %d: extents overlap at logical block %d", in.num, c.runs[i].logical)
		}
	}
	return c, nil
}

// add appends a mapping of count blocks, merging with the previous one
// when contiguous, after checking it lies in the file system.
func (c *content) add(logical, physical, count uint64, unwritten bool, where int64) error {
	fs := c.fs
	if physical+count < physical || physical+count > fs.blocksCount || !fs.validBlock(physical+count-1) {
		return formatErr(where, "blocks %d-%d outside the file system (%d blocks)", physical, physical+count-1, fs.blocksCount)
	}
	c.mapped += count
	if c.mapped > fs.blocksCount {
		return formatErr(where, "file maps more blocks than the file system has")
	}
	if n := len(c.runs); n > 0 {
		p := &c.runs[n-1]
		if p.logical+p.count == logical && p.physical+p.count == physical && p.unwritten == unwritten {
			p.count += count
			return nil
		}
	}
	c.runs = append(c.runs, run{logical: logical, physical: physical, count: count, unwritten: unwritten})
	return nil
}

// extents walks an extent tree whose root is in i_block. Each node block
// is read once; depth must fall by one at each level.
func (c *content) extents(in *inode, nblocks uint64) error {
	seen := make(map[uint64]bool)
	return c.extentNode(in.blocks[:], in.offset+0x28, -1, nblocks, seen)
}

func (c *content) extentNode(b []byte, where int64, wantDepth int, nblocks uint64, seen map[uint64]bool) error {
	le := binary.LittleEndian
	if len(b) < 12 || le.Uint16(b) != 0xF30A {
		return formatErr(where, "no extent header magic")
	}
	entries := int(le.Uint16(b[2:]))
	depth := int(le.Uint16(b[6:]))
	if depth > maxExtentDepth || (wantDepth >= 0 && depth != wantDepth) {
		return formatErr(where, "extent node depth %d (expected %d, at most %d)", depth, wantDepth, maxExtentDepth)
	}
	if 12+entries*12 > len(b) {
		return formatErr(where, "%d extent entries overflow the node", entries)
	}
	for i := range entries {
		e := b[12+i*12:]
		at := where + int64(12+i*12)
		logical := uint64(le.Uint32(e))
		if depth == 0 {
			n := uint64(le.Uint16(e[4:]))
			unwritten := false
			if n > 32768 {
				n -= 32768
				unwritten = true
			}
			start := uint64(le.Uint16(e[6:]))<<32 | uint64(le.Uint32(e[8:]))
			if n == 0 || logical >= nblocks {
				continue
			}
			n = min(n, nblocks-logical)
			if err := c.add(logical, start, n, unwritten, at); err != nil {
				return err
			}
			continue
		}
		if logical >= nblocks {
			continue
		}
		child := uint64(le.Uint16(e[8:]))<<32 | uint64(le.Uint32(e[4:]))
		if seen[child] {
			return formatErr(at, "extent node block %d referenced twice", child)
		}
		seen[child] = true
		blk, err := c.fs.readBlock(child)
		if err != nil {
			return formatErr(at, "extent node: %v", err)
		}
		if err := c.extentNode(blk, c.fs.blockOffset(child), depth-1, nblocks, seen); err != nil {
			return err
		}
	}
	return nil
}

// blockMap follows the ext2/3 direct and indirect pointers for the first
// nblocks logical blocks.
func (c *content) blockMap(in *inode, nblocks uint64) error {
	le := binary.LittleEndian
	per := uint64(c.fs.blockSize / 4)
	var logical uint64
	for i := 0; i < 12 && logical < nblocks; i++ {
		if p := uint64(le.Uint32(in.blocks[i*4:])); p != 0 {
			if err := c.add(logical, p, 1, false, in.offset+0x28+int64(i*4)); err != nil {
				return err
			}
		}
		logical++
	}
	span := uint64(1)
	for level := 1; level <= 3 && logical < nblocks; level++ {
		span *= per
		p := uint64(le.Uint32(in.blocks[(11+level)*4:]))
		if p != 0 {
			if err := c.indirect(p, level, logical, nblocks, in.offset+0x28+int64((11+level)*4)); err != nil {
				return err
			}
		}
		logical += span
	}
	return nil
}

// indirect maps the blocks under an indirect block of the given level
// (1 single, 2 double, 3 triple) that starts at logical block first.
func (c *content) indirect(blk uint64, level int, first, nblocks uint64, where int64) error {
	b, err := c.fs.readBlock(blk)
	if err != nil {
		return formatErr(where, "indirect block: %v", err)
	}
	le := binary.LittleEndian
	per := uint64(c.fs.blockSize / 4)
	span := uint64(1)
	for range level - 1 {
		span *= per
	}
	for i := uint64(0); i < per; i++ {
		logical := first + i*span
		if logical >= nblocks {
			break
		}
		p := uint64(le.Uint32(b[i*4:]))
		if p == 0 {
			continue
		}
		at := c.fs.blockOffset(blk) + int64(i*4)
		if level == 1 {
			err = c.add(logical, p, 1, false, at)
		} else {
			// Each indirect block read counts as mapped, which bounds
			// the work on maps that point many times at one block.
			c.mapped++
			if c.mapped > c.fs.blocksCount {
				return formatErr(at, "file maps more blocks than the file system has")
			}
			err = c.indirect(p, level-1, logical, nblocks, at)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ReadAt reads file bytes at off. Holes and unwritten extents read as
// zeros.
func (c *content) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("ext: negative offset %d", off)
	}
	if off >= c.size {
		return 0, io.EOF
	}
	want := len(p)
	if int64(want) > c.size-off {
		p = p[:c.size-off]
	}
	if c.inline != nil {
		n := copy(p, c.inline[off:])
		if n < want {
			return n, io.EOF
		}
		return n, nil
	}
	bs := c.fs.blockSize
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		lb := uint64(pos / bs)
		i := sort.Search(len(c.runs), func(i int) bool { return c.runs[i].logical+c.runs[i].count > lb })
		var chunk int64
		if i == len(c.runs) || c.runs[i].logical > lb {
			// Hole up to the next run or the end.
			end := c.size
			if i < len(c.runs) {
				end = min(end, int64(c.runs[i].logical)*bs)
			}
			chunk = min(end-pos, int64(len(p)-n))
			clear(p[n : n+int(chunk)])
		} else {
			r := c.runs[i]
			end := int64(r.logical+r.count) * bs
			chunk = min(end-pos, int64(len(p)-n))
			if r.unwritten {
				clear(p[n : n+int(chunk)])
			} else {
				phys := int64(r.physical)*bs + (pos - int64(r.logical)*bs)
				if _, err := c.fs.r.ReadAt(p[n:n+int(chunk)], phys); err != nil {
					return n, fmt.Errorf("ext: read file data at %d: %w", phys, err)
				}
			}
		}
		n += int(chunk)
	}
	if n < want {
		return n, io.EOF
	}
	return n, nil
}

// physical returns the byte offset in the file system of file offset off,
// or -1 when it falls in a hole or inline data.
func (c *content) physical(off int64) int64 {
	bs := c.fs.blockSize
	lb := uint64(off / bs)
	i := sort.Search(len(c.runs), func(i int) bool { return c.runs[i].logical+c.runs[i].count > lb })
	if i == len(c.runs) || c.runs[i].logical > lb || c.runs[i].unwritten {
		return -1
	}
	r := c.runs[i]
	return int64(r.physical)*bs + (off - int64(r.logical)*bs)
}
