package hfsplus

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"sort"
	"unicode/utf16"
)

// This file builds small HFS+ images for tests: a volume header, the
// catalog, extents overflow and attributes B-trees, and file data, with
// hooks to damage them.

const (
	tBlock    = 512
	tNodeSize = 1024
	tTime     = 3725000000 // 2022-01-14 in HFS+ seconds
)

type tRec struct{ key, data []byte }

type imgBuilder struct {
	img      []byte
	catalog  []tRec
	extents  []tRec
	attrs    []tRec
	nodeSize int
	// damage hooks, applied to each tree's bytes after building
	damage func(tree string, b []byte)
}

func newBuilder() *imgBuilder {
	return &imgBuilder{img: make([]byte, 4096), nodeSize: tNodeSize}
}

// alloc stores data in new blocks and returns its extents split into
// runs of at most maxRun blocks, with a free block between runs so that
// they are not contiguous.
func (b *imgBuilder) alloc(data []byte, maxRun int) []extent {
	var exts []extent
	for len(data) > 0 || exts == nil {
		n := min(len(data), maxRun*tBlock)
		blocks := max((n+tBlock-1)/tBlock, 1)
		start := len(b.img) / tBlock
		chunk := make([]byte, blocks*tBlock)
		copy(chunk, data[:n])
		b.img = append(b.img, chunk...)
		b.img = append(b.img, make([]byte, tBlock)...) // gap
		exts = append(exts, extent{uint32(start), uint32(blocks)})
		data = data[n:]
		if n == 0 {
			break
		}
	}
	return exts
}

func u16be(v []uint16) []byte {
	out := make([]byte, 2*len(v))
	for i, u := range v {
		binary.BigEndian.PutUint16(out[2*i:], u)
	}
	return out
}

func catKeyBytes(parent uint32, name string) []byte {
	u := u16be(utf16.Encode([]rune(name)))
	k := make([]byte, 8, 8+len(u))
	binary.BigEndian.PutUint16(k, uint16(6+len(u)))
	binary.BigEndian.PutUint32(k[2:], parent)
	binary.BigEndian.PutUint16(k[6:], uint16(len(u)/2))
	return append(k, u...)
}

func forkBytes(size uint64, exts []extent) []byte {
	b := make([]byte, 80)
	binary.BigEndian.PutUint64(b, size)
	var total uint32
	for i, e := range exts {
		if i < 8 {
			binary.BigEndian.PutUint32(b[16+8*i:], e.start)
			binary.BigEndian.PutUint32(b[20+8*i:], e.count)
		}
		total += e.count
	}
	binary.BigEndian.PutUint32(b[12:], total)
	return b
}

func (b *imgBuilder) thread(cnid, parent uint32, name string, folder bool) {
	u := u16be(utf16.Encode([]rune(name)))
	d := make([]byte, 10, 10+len(u))
	typ := uint16(recFileThread)
	if folder {
		typ = recFolderThread
	}
	binary.BigEndian.PutUint16(d, typ)
	binary.BigEndian.PutUint32(d[4:], parent)
	binary.BigEndian.PutUint16(d[8:], uint16(len(u)/2))
	b.catalog = append(b.catalog, tRec{catKeyBytes(cnid, ""), append(d, u...)})
}

// folder adds a folder record and its thread.
func (b *imgBuilder) folder(cnid, parent uint32, name string, mode uint16, crtime uint32) {
	d := make([]byte, folderRecSize)
	binary.BigEndian.PutUint16(d, recFolder)
	binary.BigEndian.PutUint32(d[8:], cnid)
	for i := range 4 {
		binary.BigEndian.PutUint32(d[12+4*i:], crtime+uint32(i))
	}
	binary.BigEndian.PutUint32(d[32:], 501)
	binary.BigEndian.PutUint32(d[36:], 20)
	binary.BigEndian.PutUint16(d[42:], modeDir|mode)
	b.catalog = append(b.catalog, tRec{catKeyBytes(parent, name), d})
	b.thread(cnid, parent, name, true)
}

type tFile struct {
	cnid, parent uint32
	name         string
	mode         uint16
	typ, creator string
	crtime       uint32
	special      uint32
	ownerFlags   uint8
	data, rsrc   []byte
	dataExt      []extent // explicit extents (data not stored)
	dataSize     uint64
	maxRun       int
}

func (b *imgBuilder) file(f tFile) {
	d := make([]byte, fileRecSize)
	binary.BigEndian.PutUint16(d, recFile)
	binary.BigEndian.PutUint32(d[8:], f.cnid)
	if f.crtime == 0 {
		f.crtime = tTime
	}
	for i := range 4 {
		binary.BigEndian.PutUint32(d[12+4*i:], f.crtime+uint32(i))
	}
	binary.BigEndian.PutUint32(d[32:], 501)
	binary.BigEndian.PutUint32(d[36:], 20)
	d[41] = f.ownerFlags
	binary.BigEndian.PutUint16(d[42:], f.mode)
	binary.BigEndian.PutUint32(d[44:], f.special)
	copy(d[48:52], f.typ)
	copy(d[52:56], f.creator)
	if f.maxRun == 0 {
		f.maxRun = 1 << 20
	}
	if f.dataExt != nil {
		copy(d[88:], forkBytes(f.dataSize, f.dataExt))
	} else if len(f.data) > 0 {
		exts := b.alloc(f.data, f.maxRun)
		copy(d[88:], forkBytes(uint64(len(f.data)), exts))
		for i := 8; i < len(exts); i += 8 {
			b.overflow(f.cnid, forkData, exts[:i], exts[i:min(i+8, len(exts))])
		}
	}
	if len(f.rsrc) > 0 {
		copy(d[168:], forkBytes(uint64(len(f.rsrc)), b.alloc(f.rsrc, 1<<20)))
	}
	b.catalog = append(b.catalog, tRec{catKeyBytes(f.parent, f.name), d})
	b.thread(f.cnid, f.parent, f.name, false)
}

// overflow adds an extents overflow record for the extents after before.
func (b *imgBuilder) overflow(cnid uint32, forkType uint8, before, exts []extent) {
	var start uint32
	for _, e := range before {
		start += e.count
	}
	k := make([]byte, 12)
	binary.BigEndian.PutUint16(k, 10)
	k[2] = forkType
	binary.BigEndian.PutUint32(k[4:], cnid)
	binary.BigEndian.PutUint32(k[8:], start)
	d := make([]byte, 64)
	for i, e := range exts {
		binary.BigEndian.PutUint32(d[8*i:], e.start)
		binary.BigEndian.PutUint32(d[8*i+4:], e.count)
	}
	b.extents = append(b.extents, tRec{k, d})
}

// xattr adds an inline extended attribute.
func (b *imgBuilder) xattr(cnid uint32, name string, val []byte) {
	u := u16be(utf16.Encode([]rune(name)))
	k := make([]byte, 14, 14+len(u))
	binary.BigEndian.PutUint16(k, uint16(12+len(u)))
	binary.BigEndian.PutUint32(k[4:], cnid)
	binary.BigEndian.PutUint16(k[12:], uint16(len(u)/2))
	k = append(k, u...)
	d := make([]byte, 16, 16+len(val)+1)
	binary.BigEndian.PutUint32(d, attrInline)
	binary.BigEndian.PutUint32(d[12:], uint32(len(val)))
	d = append(d, val...)
	if len(d)%2 == 1 {
		d = append(d, 0)
	}
	b.attrs = append(b.attrs, tRec{k, d})
}

// sortKey orders records: catalog by (parent, name), attributes by
// (fileID, name), extents by (fileID, forkType, startBlock).
func sortKey(tree string, k []byte) string {
	switch tree {
	case "extents":
		return string(k[4:8]) + string(k[2:3]) + string(k[8:12])
	case "attributes":
		return string(k[4:8]) + string(k[14:])
	}
	return string(k[2:6]) + string(k[8:])
}

// tree builds a B-tree of the records: a header node, leaves, and an
// index node when there is more than one leaf.
func (b *imgBuilder) tree(name string, recs []tRec, maxKey uint16, attrs uint32) []byte {
	ns := b.nodeSize
	sort.SliceStable(recs, func(i, j int) bool { return sortKey(name, recs[i].key) < sortKey(name, recs[j].key) })
	var leaves [][]tRec
	var cur []tRec
	used := nodeDescSize + 2
	for _, r := range recs {
		n := len(r.key) + len(r.data) + 2
		if used+n > ns && len(cur) > 0 {
			leaves = append(leaves, cur)
			cur, used = nil, nodeDescSize+2
		}
		cur = append(cur, r)
		used += n
	}
	if len(cur) > 0 {
		leaves = append(leaves, cur)
	}
	nodes := [][]byte{nil}
	for i, l := range leaves {
		next := uint32(0)
		if i+1 < len(leaves) {
			next = uint32(i + 2)
		}
		nodes = append(nodes, buildNode(ns, next, kindLeaf, 1, l))
	}
	root, depth := uint32(0), uint16(0)
	if len(leaves) == 1 {
		root, depth = 1, 1
	} else if len(leaves) > 1 {
		var idx []tRec
		for i, l := range leaves {
			p := make([]byte, 4)
			binary.BigEndian.PutUint32(p, uint32(i+1))
			idx = append(idx, tRec{l[0].key, p})
		}
		nodes = append(nodes, buildNode(ns, 0, kindIndex, 2, idx))
		root, depth = uint32(len(nodes)-1), 2
	}
	h := buildNode(ns, 0, kindHeader, 0, []tRec{{make([]byte, 106), nil}})
	binary.BigEndian.PutUint16(h[14:], depth)
	binary.BigEndian.PutUint32(h[16:], root)
	binary.BigEndian.PutUint32(h[20:], uint32(len(recs)))
	if len(leaves) > 0 {
		binary.BigEndian.PutUint32(h[24:], 1)
		binary.BigEndian.PutUint32(h[28:], uint32(len(leaves)))
	}
	binary.BigEndian.PutUint16(h[32:], uint16(ns))
	binary.BigEndian.PutUint16(h[34:], maxKey)
	binary.BigEndian.PutUint32(h[36:], uint32(len(nodes)))
	h[51] = 0xCF
	binary.BigEndian.PutUint32(h[52:], attrs)
	nodes[0] = h
	out := bytes.Join(nodes, nil)
	if b.damage != nil {
		b.damage(name, out)
	}
	return out
}

func buildNode(ns int, fLink uint32, kind int8, height uint8, recs []tRec) []byte {
	n := make([]byte, ns)
	binary.BigEndian.PutUint32(n, fLink)
	n[8] = byte(kind)
	n[9] = height
	binary.BigEndian.PutUint16(n[10:], uint16(len(recs)))
	off := nodeDescSize
	for i, r := range recs {
		binary.BigEndian.PutUint16(n[ns-2*(i+1):], uint16(off))
		off += copy(n[off:], r.key)
		off += copy(n[off:], r.data)
	}
	binary.BigEndian.PutUint16(n[ns-2*(len(recs)+1):], uint16(off))
	return n
}

// finish lays out the trees and writes the volume header.
func (b *imgBuilder) finish() []byte {
	alloc := b.alloc(make([]byte, tBlock), 1)
	ext := b.tree("extents", b.extents, 10, attrBigKeys)
	extExt := b.alloc(ext, 1<<20)
	cat := b.tree("catalog", b.catalog, 516, attrBigKeys|attrVariableIndexKeys)
	catExt := b.alloc(cat, 1<<20)
	at := b.tree("attributes", b.attrs, 266, attrBigKeys|attrVariableIndexKeys)
	atExt := b.alloc(at, 1<<20)
	b.img = append(b.img, make([]byte, tBlock)...) // room for the alternate header
	h := b.img[headerOffset:]
	copy(h, "H+")
	binary.BigEndian.PutUint16(h[2:], 4)
	binary.BigEndian.PutUint32(h[16:], tTime)
	binary.BigEndian.PutUint32(h[40:], tBlock)
	binary.BigEndian.PutUint32(h[44:], uint32(len(b.img)/tBlock))
	copy(h[112:], forkBytes(tBlock, alloc))
	copy(h[192:], forkBytes(uint64(len(ext)), extExt))
	copy(h[272:], forkBytes(uint64(len(cat)), catExt))
	copy(h[352:], forkBytes(uint64(len(at)), atExt))
	return b.img
}

func zlibBytes(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func decmpfsHeader(typ uint32, size uint64) []byte {
	h := make([]byte, 16)
	copy(h, decmpfsMagic)
	binary.LittleEndian.PutUint32(h[4:], typ)
	binary.LittleEndian.PutUint64(h[8:], size)
	return h
}

// compressedRsrc builds the resource fork of a type 4 compressed file.
func compressedRsrc(data []byte) []byte {
	var blocks [][]byte
	for i := 0; i < len(data); i += decmpfsBlock {
		chunk := data[i:min(i+decmpfsBlock, len(data))]
		if i == 0 {
			blocks = append(blocks, zlibBytes(chunk))
		} else {
			blocks = append(blocks, append([]byte{0xFF}, chunk...)) // stored
		}
	}
	table := make([]byte, 4+8*len(blocks))
	binary.LittleEndian.PutUint32(table, uint32(len(blocks)))
	off := len(table)
	var body []byte
	for i, bl := range blocks {
		binary.LittleEndian.PutUint32(table[4+8*i:], uint32(off))
		binary.LittleEndian.PutUint32(table[8+8*i:], uint32(len(bl)))
		off += len(bl)
		body = append(body, bl...)
	}
	payload := append(table, body...)
	out := make([]byte, 256)
	binary.BigEndian.PutUint32(out, 256)
	lenField := make([]byte, 4)
	binary.BigEndian.PutUint32(lenField, uint32(len(payload)))
	out = append(out, lenField...)
	return append(out, payload...)
}

// Contents of the standard test image.
var (
	tHello = []byte("hello, world\n")
	tFrag  = bytes.Repeat([]byte("0123456789abcdef"), 700) // 11200 bytes, 22 blocks
	tZ3    = bytes.Repeat([]byte("compressed inline "), 100)
	tZ4    = func() []byte {
		b := make([]byte, 100000)
		for i := range b {
			b[i] = byte(i * 7 / 13)
		}
		return b
	}()
)

// standardImage builds a volume "TestVol" holding:
//
//	/dir (16)             folder
//	/dir/a.txt (17)       tHello, xattr user.note
//	/frag.bin (18)        tFrag in 22 one-block extents (overflow records)
//	/ln (19)              symlink to dir/a.txt
//	/z3.txt (20)          tZ3, decmpfs type 3
//	/z4.bin (21)          tZ4, decmpfs type 4
//	/lzvn (22)            decmpfs type 7
//	/\0\0\0\0HFS+ Private Data (23), its iNode24 (24)
//	/hl (25)              hard link to 24
//	/rf (26)              resource fork only
func standardImage(damage func(string, []byte)) []byte {
	b := newBuilder()
	b.damage = damage
	b.folder(cnidRoot, cnidRootParent, "TestVol", 0o755, tTime)
	b.folder(16, cnidRoot, "dir", 0o755, tTime+10)
	b.file(tFile{cnid: 17, parent: 16, name: "a.txt", mode: modeRegular | 0o644, data: tHello})
	b.xattr(17, "user.note", []byte("a note"))
	b.file(tFile{cnid: 18, parent: cnidRoot, name: "frag.bin", mode: modeRegular | 0o600, data: tFrag, maxRun: 1})
	b.file(tFile{cnid: 19, parent: cnidRoot, name: "ln", mode: modeSymlink | 0o755, typ: "slnk", creator: "rhap", data: []byte("dir/a.txt")})
	b.file(tFile{cnid: 20, parent: cnidRoot, name: "z3.txt", mode: modeRegular | 0o644, ownerFlags: ufCompressed})
	b.xattr(20, decmpfsXattr, append(decmpfsHeader(3, uint64(len(tZ3))), zlibBytes(tZ3)...))
	b.file(tFile{cnid: 21, parent: cnidRoot, name: "z4.bin", mode: modeRegular | 0o644, ownerFlags: ufCompressed, rsrc: compressedRsrc(tZ4)})
	b.xattr(21, decmpfsXattr, decmpfsHeader(4, uint64(len(tZ4))))
	b.file(tFile{cnid: 22, parent: cnidRoot, name: "lzvn", mode: modeRegular | 0o644, ownerFlags: ufCompressed})
	b.xattr(22, decmpfsXattr, append(decmpfsHeader(7, 5), 0x06, 'a', 'b', 'c', 'd', 'e'))
	b.folder(23, cnidRoot, privateFileDir, 0, tTime+100)
	b.file(tFile{cnid: 24, parent: 23, name: "iNode24", mode: modeRegular | 0o640, data: []byte("linked content\n")})
	b.file(tFile{cnid: 25, parent: cnidRoot, name: "hl", typ: "hlnk", creator: "hfs+", crtime: tTime + 100, special: 24})
	b.file(tFile{cnid: 26, parent: cnidRoot, name: "rf", mode: modeRegular | 0o644, rsrc: []byte("resource data")})
	return b.finish()
}
