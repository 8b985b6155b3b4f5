package hfsplus

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// decmpfs (HFS+ compression) keeps a file's data in its
// com.apple.decmpfs extended attribute or in its resource fork, and
// leaves the data fork empty. Apple documents it only in the xnu sources
// (bsd/sys/decmpfs.h); the layout is:
//
//	header        = magic [4] "fpmc" (0x636d7066 little-endian),
//	                compression type [4] LE @4, uncompressed size [8] LE
//	                @8, then, for the attribute types, the data @16
//	types         = 3 zlib in the attribute, 4 zlib in the resource fork,
//	                7/8 LZVN, 11/12 LZFSE (attribute/resource fork)
//	attribute     = a zlib stream, or 0xFF (a first byte whose low four
//	                bits are set) followed by the data stored as is
//	resource fork = resource fork header: data offset [4] BE @0; at the
//	                data offset: length [4] BE, then the block table:
//	                count [4] LE, count x (offset [4] LE, size [4] LE),
//	                offsets from the start of the table; each block holds
//	                64 KiB of the file (the last one less), compressed like
//	                the attribute's data
const (
	decmpfsHeaderSize = 16
	decmpfsMagic      = "fpmc"
	decmpfsBlock      = 64 << 10
	// maxInline bounds the decompressed size of an attribute-held file,
	// which is read whole into memory.
	maxInline = 64 << 20
	// maxBlockIn bounds the compressed size of one 64 KiB block.
	maxBlockIn = 2 * decmpfsBlock
)

type decmpfsInfo struct {
	typ  uint32
	size int64
}

func parseDecmpfs(b []byte) (decmpfsInfo, error) {
	if len(b) < decmpfsHeaderSize {
		return decmpfsInfo{}, errors.New("no com.apple.decmpfs attribute header")
	}
	if string(b[:4]) != decmpfsMagic {
		return decmpfsInfo{}, fmt.Errorf("com.apple.decmpfs magic %q", b[:4])
	}
	le := func(b []byte) uint64 {
		var v uint64
		for i := len(b) - 1; i >= 0; i-- {
			v = v<<8 | uint64(b[i])
		}
		return v
	}
	size := le(b[8:16])
	if size > 1<<62 {
		return decmpfsInfo{}, fmt.Errorf("com.apple.decmpfs uncompressed size %d", size)
	}
	return decmpfsInfo{typ: uint32(le(b[4:8])), size: int64(size)}, nil
}

// inResourceFork says whether the compressed data is the resource fork.
func (d decmpfsInfo) inResourceFork() bool {
	switch d.typ {
	case 4, 8, 10, 12:
		return true
	}
	return false
}

// method names the compression type.
func (d decmpfsInfo) method() string {
	switch d.typ {
	case 1:
		return "decmpfs-1 (stored, attribute)"
	case 3:
		return "zlib (attribute)"
	case 4:
		return "zlib (resource fork)"
	case 5:
		return "decmpfs-5 (sparse)"
	case 7:
		return "lzvn (attribute)"
	case 8:
		return "lzvn (resource fork)"
	case 9:
		return "decmpfs-9 (stored, attribute)"
	case 10:
		return "decmpfs-10 (stored, resource fork)"
	case 11:
		return "lzfse (attribute)"
	case 12:
		return "lzfse (resource fork)"
	}
	return fmt.Sprintf("decmpfs-%d", d.typ)
}

// decompressed returns the content of a compressed file (record data at
// at).
func (fs *FS) decompressed(cnid uint32, data []byte, at int64) (*io.SectionReader, error) {
	attr, err := fs.xattrValue(cnid, decmpfsXattr)
	if err != nil {
		return nil, fmt.Errorf("compressed file: %w", err)
	}
	info, err := parseDecmpfs(attr)
	if err != nil {
		return nil, err
	}
	switch info.typ {
	case 3:
		if info.size > maxInline {
			return nil, fmt.Errorf("compressed file of %d bytes in its attribute, more than %d", info.size, maxInline)
		}
		b, err := decodeChunk(attr[decmpfsHeaderSize:], info.size)
		if err != nil {
			return nil, fmt.Errorf("decmpfs attribute: %w", err)
		}
		return io.NewSectionReader(bytes.NewReader(b), 0, info.size), nil
	case 4:
		rsrc, err := fs.forkStream(cnid, forkResource, parseFork(data[168:]), at+168, true)
		if err != nil {
			return nil, fmt.Errorf("compressed file: resource fork: %w", err)
		}
		z, err := newBlockReader(rsrc, info.size, at+168)
		if err != nil {
			return nil, err
		}
		return io.NewSectionReader(z, 0, info.size), nil
	}
	return nil, fmt.Errorf("compression %s: %w", info.method(), ErrCompressed)
}

// decodeChunk decodes compressed data of a decmpfs attribute or block
// holding want bytes: stored as is after a 0xFF-like marker, or zlib.
func decodeChunk(in []byte, want int64) ([]byte, error) {
	if want == 0 {
		return nil, nil
	}
	if len(in) == 0 {
		return nil, errors.New("no compressed data")
	}
	if in[0]&0x0F == 0x0F {
		if int64(len(in)-1) < want {
			return nil, fmt.Errorf("stored data of %d bytes, want %d", len(in)-1, want)
		}
		return in[1 : 1+want], nil
	}
	zr, err := zlib.NewReader(bytes.NewReader(in))
	if err != nil {
		return nil, fmt.Errorf("zlib: %w", err)
	}
	var out bytes.Buffer
	n, err := io.Copy(&out, io.LimitReader(zr, want))
	if err != nil {
		return nil, fmt.Errorf("zlib: %w", err)
	}
	if n != want {
		return nil, fmt.Errorf("zlib data decodes to %d bytes, want %d", n, want)
	}
	return out.Bytes(), nil
}

// blockReader reads a file compressed into its resource fork, decoding
// one 64 KiB block at a time and keeping the last one decoded.
type blockReader struct {
	rsrc   io.ReaderAt
	base   int64 // fork offset block offsets are relative to
	blocks [][2]uint32
	size   int64

	mu     sync.Mutex
	last   int
	cached []byte
}

// newBlockReader reads the block table of the resource fork rsrc.
func newBlockReader(rsrc *extentReader, size int64, at int64) (*blockReader, error) {
	var h [4]byte
	if _, err := rsrc.ReadAt(h[:], 0); err != nil {
		return nil, fmt.Errorf("compressed resource fork header: %w", err)
	}
	dataOff := int64(be.Uint32(h[:]))
	base := dataOff + 4
	if base+4 > rsrc.size {
		return nil, filesystem.Malformed(fsName, at, "compressed resource fork: data offset %d beyond its %d bytes", dataOff, rsrc.size)
	}
	if _, err := rsrc.ReadAt(h[:], base); err != nil {
		return nil, fmt.Errorf("compressed resource fork block count: %w", err)
	}
	count := int64(h[0]) | int64(h[1])<<8 | int64(h[2])<<16 | int64(h[3])<<24
	want := (size + decmpfsBlock - 1) / decmpfsBlock
	if count < want || base+4+8*count > rsrc.size {
		return nil, filesystem.Malformed(fsName, at, "compressed resource fork: %d blocks for %d bytes (fork of %d bytes)", count, size, rsrc.size)
	}
	tbl := make([]byte, 8*want)
	if _, err := rsrc.ReadAt(tbl, base+4); err != nil {
		return nil, fmt.Errorf("compressed resource fork block table: %w", err)
	}
	z := &blockReader{rsrc: rsrc, base: base, size: size, last: -1, blocks: make([][2]uint32, want)}
	for i := range z.blocks {
		b := tbl[8*i:]
		off := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
		n := uint32(b[4]) | uint32(b[5])<<8 | uint32(b[6])<<16 | uint32(b[7])<<24
		if n > maxBlockIn || base+int64(off)+int64(n) > rsrc.size {
			return nil, filesystem.Malformed(fsName, at, "compressed resource fork: block %d at %d+%d beyond its %d bytes", i, off, n, rsrc.size)
		}
		z.blocks[i] = [2]uint32{off, n}
	}
	return z, nil
}

func (z *blockReader) block(i int) ([]byte, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if i == z.last {
		return z.cached, nil
	}
	in := make([]byte, z.blocks[i][1])
	if _, err := z.rsrc.ReadAt(in, z.base+int64(z.blocks[i][0])); err != nil {
		return nil, fmt.Errorf("hfsplus: compressed block %d: %w", i, err)
	}
	want := min(int64(decmpfsBlock), z.size-int64(i)*decmpfsBlock)
	out, err := decodeChunk(in, want)
	if err != nil {
		return nil, fmt.Errorf("hfsplus: compressed block %d: %w", i, err)
	}
	z.last, z.cached = i, out
	return out, nil
}

func (z *blockReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("hfsplus: negative offset")
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= z.size {
			return n, io.EOF
		}
		i := int(pos / decmpfsBlock)
		b, err := z.block(i)
		if err != nil {
			return n, err
		}
		n += copy(p[n:], b[pos-int64(i)*decmpfsBlock:])
	}
	return n, nil
}
