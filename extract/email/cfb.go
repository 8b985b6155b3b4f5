package email

import (
	"encoding/binary"
	"fmt"
	"io"
	"unicode/utf16"
)

// A compound file (MS-CFB, "OLE2") is a small FAT file system inside one
// file. Layout, little-endian:
//
//	header (512 bytes, padded to one sector in version 4):
//	  0   8  signature D0 CF 11 E0 A1 B1 1A E1
//	  24  2  minor version, 26 2 major version (3: 512-byte sectors, 4: 4096)
//	  28  2  byte order FFFE
//	  30  2  sector shift (9 or 12), 32 2 mini sector shift (6)
//	  40  4  directory sectors (0 in version 3)
//	  44  4  FAT sectors
//	  48  4  first directory sector
//	  56  4  mini stream cutoff (4096)
//	  60  4  first miniFAT sector, 64 4 miniFAT sectors
//	  68  4  first DIFAT sector, 72 4 DIFAT sectors
//	  76  436 the first 109 DIFAT entries (FAT sector numbers)
//	sector n is at (n+1) << sector shift.
//	FAT: one uint32 per sector, the next sector of its chain, or
//	  FFFFFFFE end of chain, FFFFFFFF free, FFFFFFFD FAT, FFFFFFFC DIFAT.
//	DIFAT sectors: (sector size/4 - 1) FAT sector numbers, then the next
//	  DIFAT sector.
//	directory entries, 128 bytes: 0 64 name (UTF-16LE), 64 2 name length
//	  in bytes with the terminator, 66 1 type (1 storage, 2 stream, 5
//	  root), 68 4 left sibling, 72 4 right sibling, 76 4 child (FFFFFFFF
//	  none), 116 4 start sector, 120 8 size (version 3: low 32 bits).
//	Streams shorter than the cutoff live in the mini stream (the root
//	  entry's stream) in 64-byte mini sectors chained by the miniFAT.
//
// Readers must ignore fields they do not use; this reader also accepts
// sector shifts 7 to 16 and stream sizes whose high bits are set in
// version 3 files, as Windows does.

const (
	maxRegSect = 0xFFFFFFFA
	endOfChain = 0xFFFFFFFE
	noStream   = 0xFFFFFFFF
)

var cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

type dirEntry struct {
	name               string
	typ                byte
	left, right, child uint32
	start              uint32
	size               uint64
	offset             int64 // of the entry in the file
}

type cfb struct {
	r        io.ReaderAt
	size     int64
	secShift uint
	secSize  int64
	nSect    uint32 // sectors the file can hold after the header
	fat      []uint32
	minifat  []uint32
	dir      []dirEntry
	mini     *chainReader
	cutoff   uint64
}

// chainReader reads a stream whose sectors are scattered in the file.
type chainReader struct {
	r       io.ReaderAt
	offs    []int64 // file offset of each sector of the stream
	secSize int64
	size    int64
}

func (c *chainReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("negative offset")
	}
	n := 0
	for len(p) > 0 {
		if off >= c.size {
			return n, io.EOF
		}
		idx := off / c.secSize
		if idx >= int64(len(c.offs)) {
			return n, io.ErrUnexpectedEOF
		}
		within := off % c.secSize
		k := min(int64(len(p)), c.secSize-within, c.size-off)
		m, err := c.r.ReadAt(p[:k], c.offs[idx]+within)
		n += m
		if m < int(k) {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n, err
		}
		p = p[k:]
		off += k
	}
	return n, nil
}

func (c *chainReader) fileOffset() int64 {
	if len(c.offs) == 0 {
		return -1
	}
	return c.offs[0]
}

func openCFB(r io.ReaderAt, size int64) (*cfb, error) {
	if size < 512 {
		return nil, formatErr(0, "compound file shorter than its header")
	}
	h := make([]byte, 512)
	if _, err := r.ReadAt(h, 0); err != nil {
		return nil, fmt.Errorf("email: read compound file header: %w", err)
	}
	if string(h[:8]) != string(cfbMagic) {
		return nil, formatErr(0, "not a compound file (no D0CF11E0 signature)")
	}
	le := binary.LittleEndian
	c := &cfb{r: r, size: size}
	shift := le.Uint16(h[30:])
	if shift < 7 || shift > 16 {
		return nil, formatErr(30, "sector shift %d out of range", shift)
	}
	c.secShift = uint(shift)
	c.secSize = 1 << shift
	if size <= c.secSize {
		return nil, formatErr(0, "compound file holds no sector")
	}
	c.nSect = uint32(min((size-c.secSize+c.secSize-1)/c.secSize, maxRegSect))
	c.cutoff = uint64(le.Uint32(h[56:]))
	if c.cutoff > 1<<20 {
		return nil, formatErr(56, "mini stream cutoff %d out of range", c.cutoff)
	}
	major := le.Uint16(h[26:])

	// FAT sector numbers: 109 in the header, the rest in the DIFAT chain.
	nFAT := le.Uint32(h[44:])
	if nFAT > c.nSect {
		return nil, formatErr(44, "%d FAT sectors in a file of %d sectors", nFAT, c.nSect)
	}
	fatSecs := make([]uint32, 0, nFAT)
	for i := 0; i < 109 && uint32(len(fatSecs)) < nFAT; i++ {
		fatSecs = append(fatSecs, le.Uint32(h[76+4*i:]))
	}
	per := c.secSize/4 - 1
	next := le.Uint32(h[68:])
	for steps := uint32(0); uint32(len(fatSecs)) < nFAT && next < maxRegSect; steps++ {
		if steps >= c.nSect || next >= c.nSect {
			return nil, formatErr(68, "DIFAT chain loops or leaves the file (sector %d)", next)
		}
		b, err := c.sector(next)
		if err != nil {
			return nil, err
		}
		for i := int64(0); i < per && uint32(len(fatSecs)) < nFAT; i++ {
			fatSecs = append(fatSecs, le.Uint32(b[4*i:]))
		}
		next = le.Uint32(b[4*per:])
	}
	c.fat = make([]uint32, 0, int64(len(fatSecs))*(c.secSize/4))
	for _, s := range fatSecs {
		if s >= c.nSect {
			return nil, formatErr(76, "FAT sector %d out of range", s)
		}
		b, err := c.sector(s)
		if err != nil {
			return nil, err
		}
		for i := int64(0); i < c.secSize/4; i++ {
			c.fat = append(c.fat, le.Uint32(b[4*i:]))
		}
	}

	// Directory.
	dirSecs, err := c.chain(le.Uint32(h[48:]), int64(c.nSect), c.fat)
	if err != nil {
		return nil, fmt.Errorf("email: directory chain: %w", err)
	}
	for _, s := range dirSecs {
		b, err := c.sector(s)
		if err != nil {
			return nil, err
		}
		for i := int64(0); i+128 <= c.secSize; i += 128 {
			e := b[i : i+128]
			n := int(le.Uint16(e[64:]))
			if n > 64 {
				n = 64
			}
			u := make([]uint16, 0, 32)
			for j := 0; j+1 < n; j += 2 {
				if v := le.Uint16(e[j:]); v != 0 {
					u = append(u, v)
				}
			}
			d := dirEntry{
				name:   string(utf16.Decode(u)),
				typ:    e[66],
				left:   le.Uint32(e[68:]),
				right:  le.Uint32(e[72:]),
				child:  le.Uint32(e[76:]),
				start:  le.Uint32(e[116:]),
				size:   le.Uint64(e[120:]),
				offset: c.sectorOffset(s) + i,
			}
			if major == 3 {
				d.size &= 0xFFFFFFFF
			}
			c.dir = append(c.dir, d)
		}
	}
	if len(c.dir) == 0 || c.dir[0].typ != 5 {
		return nil, formatErr(c.sectorOffset(le.Uint32(h[48:])), "no root directory entry")
	}

	// Mini stream and miniFAT.
	root := c.dir[0]
	if root.size > 0 && root.start < maxRegSect {
		ms, err := c.regular(root)
		if err != nil {
			return nil, fmt.Errorf("email: mini stream: %w", err)
		}
		c.mini = ms
	}
	nMini := le.Uint32(h[64:])
	if nMini > c.nSect {
		return nil, formatErr(64, "%d miniFAT sectors in a file of %d sectors", nMini, c.nSect)
	}
	miniSecs, err := c.chain(le.Uint32(h[60:]), int64(nMini), c.fat)
	if err != nil {
		return nil, fmt.Errorf("email: miniFAT chain: %w", err)
	}
	for _, s := range miniSecs {
		b, err := c.sector(s)
		if err != nil {
			return nil, err
		}
		for i := int64(0); i < c.secSize/4; i++ {
			c.minifat = append(c.minifat, le.Uint32(b[4*i:]))
		}
	}
	return c, nil
}

func (c *cfb) sectorOffset(s uint32) int64 { return (int64(s) + 1) << c.secShift }

func (c *cfb) sector(s uint32) ([]byte, error) {
	if s >= c.nSect {
		return nil, formatErr(0, "sector %d out of range", s)
	}
	b := make([]byte, c.secSize)
	off := c.sectorOffset(s)
	n, err := c.r.ReadAt(b, off)
	if n < len(b) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, &FormatError{Offset: off, Msg: fmt.Sprintf("read sector %d", s), Err: err}
	}
	return b, nil
}

// chain follows a FAT (or miniFAT) chain from start and returns at most
// max sectors. It fails on an index outside the table and on a sector
// seen twice (a loop).
func (c *cfb) chain(start uint32, max int64, table []uint32) ([]uint32, error) {
	var out []uint32
	seen := map[uint32]bool{}
	for s := start; s != endOfChain && s != noStream; s = table[s] {
		if int64(len(out)) >= max {
			break
		}
		if int64(s) >= int64(len(table)) {
			return nil, fmt.Errorf("sector %d out of range", s)
		}
		if seen[s] {
			return nil, fmt.Errorf("sector chain from %d loops at %d", start, s)
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}

// regular maps a stream kept in ordinary sectors.
func (c *cfb) regular(e dirEntry) (*chainReader, error) {
	if e.size > uint64(c.size) {
		return nil, fmt.Errorf("stream %q of %d bytes in a file of %d", e.name, e.size, c.size)
	}
	need := (int64(e.size) + c.secSize - 1) / c.secSize
	secs, err := c.chain(e.start, need, c.fat)
	if err != nil {
		return nil, err
	}
	if int64(len(secs)) < need {
		return nil, fmt.Errorf("stream %q: chain of %d sectors for %d bytes", e.name, len(secs), e.size)
	}
	offs := make([]int64, len(secs))
	for i, s := range secs {
		if s >= c.nSect {
			return nil, fmt.Errorf("stream %q: sector %d out of range", e.name, s)
		}
		offs[i] = c.sectorOffset(s)
	}
	return &chainReader{r: c.r, offs: offs, secSize: c.secSize, size: int64(e.size)}, nil
}

// stream maps a stream entry, from the mini stream when it is short.
func (c *cfb) stream(idx int) (*chainReader, error) {
	e := c.dir[idx]
	if e.typ != 2 {
		return nil, fmt.Errorf("entry %q is not a stream", e.name)
	}
	if e.size >= c.cutoff {
		return c.regular(e)
	}
	if e.size == 0 {
		return &chainReader{r: c.r, secSize: 64}, nil
	}
	if c.mini == nil {
		return nil, fmt.Errorf("stream %q in a missing mini stream", e.name)
	}
	need := (int64(e.size) + 63) / 64
	secs, err := c.chain(e.start, need, c.minifat)
	if err != nil {
		return nil, err
	}
	if int64(len(secs)) < need {
		return nil, fmt.Errorf("stream %q: mini chain of %d sectors for %d bytes", e.name, len(secs), e.size)
	}
	offs := make([]int64, len(secs))
	for i, s := range secs {
		mo := int64(s) * 64
		if mo >= c.mini.size {
			return nil, fmt.Errorf("stream %q: mini sector %d outside the mini stream", e.name, s)
		}
		idx := mo / c.mini.secSize
		if idx >= int64(len(c.mini.offs)) {
			return nil, fmt.Errorf("stream %q: mini sector %d outside the mini stream", e.name, s)
		}
		offs[i] = c.mini.offs[idx] + mo%c.mini.secSize
	}
	return &chainReader{r: c.r, offs: offs, secSize: 64, size: int64(e.size)}, nil
}

// children lists the entries of a storage, walking its sibling tree with
// a visited set so that cycles end.
func (c *cfb) children(idx int) []int {
	var out []int
	seen := map[uint32]bool{}
	stack := []uint32{c.dir[idx].child}
	for len(stack) > 0 && len(out) < len(c.dir) {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s == noStream || int64(s) >= int64(len(c.dir)) || seen[s] {
			continue
		}
		seen[s] = true
		e := c.dir[s]
		out = append(out, int(s))
		stack = append(stack, e.left, e.right)
	}
	return out
}

// read reads a whole stream of at most max bytes; longer streams are cut
// and reported.
func (c *cfb) read(idx int, max int64) ([]byte, bool, error) {
	cr, err := c.stream(idx)
	if err != nil {
		return nil, false, err
	}
	n := cr.size
	cut := false
	if n > max {
		n, cut = max, true
	}
	b := make([]byte, n)
	if _, err := cr.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, false, err
	}
	return b, cut, nil
}
