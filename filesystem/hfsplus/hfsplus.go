package hfsplus

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"
	"unicode/utf16"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// FormatError reports a malformed structure at a byte offset of the file
// system (see [filesystem.FormatError]).
type FormatError = filesystem.FormatError

// ErrCompressed is wrapped by [FS.Open] when a file is compressed with a
// method this package does not decode (LZVN, LZFSE, unknown types).
var ErrCompressed = errors.New("unsupported HFS+ compression")

const (
	fsName       = "hfsplus"
	headerOffset = 1024
	headerSize   = 512

	// Catalog node IDs of the special files and folders (TN1150).
	cnidRootParent = 1
	cnidRoot       = 2
	cnidExtents    = 3
	cnidCatalog    = 4
	cnidBadBlocks  = 5
	cnidAllocation = 6
	cnidStartup    = 7
	cnidAttributes = 8
	firstUserCNID  = 16

	forkData     = 0x00
	forkResource = 0xFF

	// hfsEpochDelta is the number of seconds from 1904-01-01 to
	// 1970-01-01.
	hfsEpochDelta = 2082844800

	// maxExtents bounds the extents of one fork (inline and overflow).
	maxExtents = 1 << 20
)

var be = binary.BigEndian

// extent is an HFSPlusExtentDescriptor: a run of allocation blocks.
type extent struct {
	start, count uint32
}

// fork is an HFSPlusForkData: the size and first eight extents of a
// fork.
type fork struct {
	logicalSize uint64
	totalBlocks uint32
	extents     [8]extent
}

// parseFork decodes the 80-byte HFSPlusForkData at b.
func parseFork(b []byte) fork {
	f := fork{logicalSize: be.Uint64(b[0:]), totalBlocks: be.Uint32(b[12:])}
	for i := range f.extents {
		f.extents[i] = extent{be.Uint32(b[16+8*i:]), be.Uint32(b[20+8*i:])}
	}
	return f
}

// FS is an opened HFS+ or HFSX file system. It is safe for concurrent
// use: it holds no state that Walk or Open change, other than the
// anomalies, which are locked.
type FS struct {
	r         io.ReaderAt
	size      int64
	hfsx      bool
	version   uint16
	blockSize int64
	blocks    uint32 // total allocation blocks
	created   time.Time
	label     string

	allocation, extentsFork, catalogFork, attributesFork, startupFork fork

	extents    *btree // extents overflow file; nil when absent
	catalog    *btree
	attributes *btree // nil when absent
	caseFold   bool   // catalog names compare case-insensitively

	anomalies filesystem.Anomalies
}

// Open reads the volume header of the HFS+ or HFSX file system that
// fills r (size bytes) and opens its catalog. It returns an error
// wrapping [filesystem.ErrNotFS] when the volume header is not there.
func Open(r io.ReaderAt, size int64) (filesystem.FS, error) {
	fs, err := NewFS(r, size)
	if err != nil {
		return nil, err
	}
	return fs, nil
}

// NewFS is [Open] with the concrete type.
func NewFS(r io.ReaderAt, size int64) (*FS, error) {
	if size < headerOffset+headerSize {
		return nil, filesystem.NotFS(fsName, headerOffset, "image of %d bytes too small for a volume header", size)
	}
	h := make([]byte, headerSize)
	if _, err := r.ReadAt(h, headerOffset); err != nil {
		return nil, fmt.Errorf("hfsplus: read volume header: %w", err)
	}
	sig, version := string(h[0:2]), be.Uint16(h[2:])
	fs := &FS{r: r, size: size, version: version}
	switch {
	case sig == "H+" && version == 4:
	case sig == "HX" && version == 5:
		fs.hfsx = true
	case sig == "BD":
		return nil, filesystem.NotFS(fsName, headerOffset, "HFS (standard) volume or HFS wrapper, not read")
	default:
		return nil, filesystem.NotFS(fsName, headerOffset, "signature %q version %d", sig, version)
	}
	fs.blockSize = int64(be.Uint32(h[40:]))
	fs.blocks = be.Uint32(h[44:])
	if fs.blockSize < 512 || fs.blockSize > 1<<26 || fs.blockSize&(fs.blockSize-1) != 0 {
		return nil, filesystem.NotFS(fsName, headerOffset+40, "allocation block size %d", fs.blockSize)
	}
	if fs.blocks == 0 {
		return nil, filesystem.NotFS(fsName, headerOffset+44, "no allocation blocks")
	}
	if int64(fs.blocks)*fs.blockSize > size {
		fs.anomaly("volume of %d blocks of %d bytes is larger than the image (%d bytes): image truncated?", fs.blocks, fs.blockSize, size)
	}
	// The volume header's creation date is local time (TN1150); it is
	// kept as read.
	fs.created = hfsTime(be.Uint32(h[16:]))
	fs.allocation = parseFork(h[112:])
	fs.extentsFork = parseFork(h[192:])
	fs.catalogFork = parseFork(h[272:])
	fs.attributesFork = parseFork(h[352:])
	fs.startupFork = parseFork(h[432:])

	if fs.extentsFork.logicalSize > 0 {
		st, err := fs.forkStream(cnidExtents, forkData, fs.extentsFork, headerOffset+192, false)
		if err != nil {
			return nil, fmt.Errorf("hfsplus: extents overflow file: %w", err)
		}
		if fs.extents, err = fs.openBTree(st, "extents overflow file"); err != nil {
			return nil, err
		}
	}
	st, err := fs.forkStream(cnidCatalog, forkData, fs.catalogFork, headerOffset+272, true)
	if err != nil {
		return nil, fmt.Errorf("hfsplus: catalog file: %w", err)
	}
	if fs.catalog, err = fs.openBTree(st, "catalog file"); err != nil {
		return nil, err
	}
	fs.caseFold = !fs.hfsx || fs.catalog.compareType != 0xBC
	if fs.attributesFork.logicalSize > 0 {
		st, err := fs.forkStream(cnidAttributes, forkData, fs.attributesFork, headerOffset+352, true)
		if err == nil {
			fs.attributes, err = fs.openBTree(st, "attributes file")
		}
		if err != nil {
			fs.anomaly("attributes file not read (extended attributes and compressed files unavailable): %v", err)
			fs.attributes = nil
		}
	}
	// The volume name is the name in the root folder's thread record.
	if th, err := fs.thread(cnidRoot); err != nil {
		fs.anomaly("root folder thread record: %v", err)
	} else {
		fs.label = th.name
	}
	return fs, nil
}

func (fs *FS) anomaly(format string, args ...any) {
	fs.anomalies.Add(format, args...)
}

// Type returns "hfsplus" or "hfsx".
func (fs *FS) Type() string {
	if fs.hfsx {
		return "hfsx"
	}
	return "hfsplus"
}

// Label returns the volume name: the name of the root folder.
func (fs *FS) Label() string { return fs.label }

// Created returns the volume header's creation date. HFS+ stores it in
// local time, whose zone the volume does not record, so it is returned
// as if it were UTC.
func (fs *FS) Created() time.Time { return fs.created }

// Anomalies lists damage met so far.
func (fs *FS) Anomalies() []string { return fs.anomalies.List() }

// hfsTime converts an HFS+ date (seconds since 1904-01-01 UTC) to a time;
// 0 means not set.
func hfsTime(v uint32) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(int64(v)-hfsEpochDelta, 0).UTC()
}

// decodeName converts an HFSUniStr255 (UTF-16BE) to UTF-8. Names stay
// as stored: decomposed, with any NUL or control character kept. A '/'
// (which the BSD layer shows as ':') becomes ':' so that paths split.
func decodeName(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = be.Uint16(b[2*i:])
		if u[i] == '/' {
			u[i] = ':'
		}
	}
	return string(utf16.Decode(u))
}

// run maps part of a fork onto the volume.
type run struct {
	logical, physical, length int64
}

// extentReader reads a fork through its runs; it implements io.ReaderAt
// for offsets within the fork's logical size.
type extentReader struct {
	r    io.ReaderAt
	runs []run
	size int64
}

func (x *extentReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("hfsplus: negative offset")
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= x.size {
			return n, io.EOF
		}
		i := sort.Search(len(x.runs), func(i int) bool { return x.runs[i].logical+x.runs[i].length > pos })
		if i == len(x.runs) {
			return n, io.EOF
		}
		rn := x.runs[i]
		k := min(int64(len(p)-n), rn.logical+rn.length-pos, x.size-pos)
		m, err := x.r.ReadAt(p[n:n+int(k)], rn.physical+pos-rn.logical)
		n += m
		if err != nil && !(errors.Is(err, io.EOF) && int64(m) == k) {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return n, err
		}
	}
	return n, nil
}

// physical returns the volume offset of a fork offset, or -1.
func (x *extentReader) physical(off int64) int64 {
	i := sort.Search(len(x.runs), func(i int) bool { return x.runs[i].logical+x.runs[i].length > off })
	if i == len(x.runs) || off < 0 {
		return -1
	}
	return x.runs[i].physical + off - x.runs[i].logical
}

// logical returns the fork offset of a volume offset, or -1.
func (x *extentReader) logical(phys int64) int64 {
	for _, rn := range x.runs {
		if phys >= rn.physical && phys < rn.physical+rn.length {
			return rn.logical + phys - rn.physical
		}
	}
	return -1
}

// forkStream returns a reader of a fork's logicalSize bytes, from its
// eight inline extents and, when they do not cover the fork and overflow
// is true, the records of the extents overflow file for (cnid, forkType).
// at is where the fork data was read, for errors.
func (fs *FS) forkStream(cnid uint32, forkType uint8, f fork, at int64, overflow bool) (*extentReader, error) {
	if f.logicalSize > uint64(fs.blocks)*uint64(fs.blockSize) {
		return nil, filesystem.Malformed(fsName, at, "fork of %d bytes is larger than the volume", f.logicalSize)
	}
	need := (int64(f.logicalSize) + fs.blockSize - 1) / fs.blockSize
	x := &extentReader{r: fs.r, size: int64(f.logicalSize)}
	var have int64
	add := func(exts []extent, at int64) error {
		for _, e := range exts {
			if e.count == 0 || have >= need {
				return nil
			}
			if uint64(e.start)+uint64(e.count) > uint64(fs.blocks) {
				return filesystem.Malformed(fsName, at, "extent %d+%d beyond the volume's %d blocks", e.start, e.count, fs.blocks)
			}
			phys, n := int64(e.start)*fs.blockSize, int64(e.count)*fs.blockSize
			if phys+min(n, (need-have)*fs.blockSize) > fs.size {
				return filesystem.Malformed(fsName, at, "extent %d+%d beyond the image (%d bytes)", e.start, e.count, fs.size)
			}
			if len(x.runs) >= maxExtents {
				return filesystem.Malformed(fsName, at, "more than %d extents", maxExtents)
			}
			x.runs = append(x.runs, run{logical: have * fs.blockSize, physical: phys, length: n})
			have += int64(e.count)
		}
		return nil
	}
	if err := add(f.extents[:], at); err != nil {
		return nil, err
	}
	for have < need {
		if !overflow || fs.extents == nil {
			return nil, filesystem.Malformed(fsName, at, "fork of %d bytes: extents cover %d blocks of %d", f.logicalSize, have, need)
		}
		exts, recAt, err := fs.overflowRecord(cnid, forkType, uint32(have))
		if err != nil {
			return nil, fmt.Errorf("fork of CNID %d: %w", cnid, err)
		}
		before := have
		if err := add(exts, recAt); err != nil {
			return nil, err
		}
		if have == before {
			return nil, filesystem.Malformed(fsName, recAt, "empty extents overflow record for CNID %d", cnid)
		}
	}
	return x, nil
}

// overflowRecord returns the extents of the extents overflow record with
// key (forkType, cnid, startBlock) and the record's volume offset.
func (fs *FS) overflowRecord(cnid uint32, forkType uint8, startBlock uint32) ([]extent, int64, error) {
	target := [3]uint32{cnid, uint32(forkType), startBlock}
	var exts []extent
	var at int64
	found := false
	err := fs.extents.scan(func(key []byte) int {
		if len(key) < 10 {
			return -1
		}
		return cmp3([3]uint32{be.Uint32(key[4:]), uint32(key[2]), be.Uint32(key[8:])}, target)
	}, func(key, data []byte, off int64) (bool, error) {
		if len(key) < 10 || be.Uint32(key[4:]) != cnid || key[2] != forkType || be.Uint32(key[8:]) != startBlock {
			return false, nil
		}
		if len(data) < 64 {
			return false, filesystem.Malformed(fsName, off, "short extents overflow record")
		}
		for i := range 8 {
			exts = append(exts, extent{be.Uint32(data[8*i:]), be.Uint32(data[8*i+4:])})
		}
		at, found = off, true
		return false, nil
	})
	if err != nil {
		return nil, 0, err
	}
	if !found {
		return nil, 0, fmt.Errorf("no extents overflow record for start block %d: %w", startBlock, errNotFound)
	}
	return exts, at, nil
}

func cmp3(a, b [3]uint32) int {
	for i := range a {
		switch {
		case a[i] < b[i]:
			return -1
		case a[i] > b[i]:
			return 1
		}
	}
	return 0
}
