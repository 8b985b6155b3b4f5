package vmdk

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/internal/lru"
)

// ExtentInfo describes one extent of the virtual disk.
type ExtentInfo struct {
	Type     string `json:"type"`   // FLAT, SPARSE or ZERO
	Access   string `json:"access"` // RW or RDONLY
	File     string `json:"file,omitempty"`
	Start    int64  `json:"start"` // virtual byte offset
	Size     int64  `json:"size"`  // bytes
	Offset   int64  `json:"offset,omitempty"`
	FileSize int64  `json:"file_size,omitempty"`
	// Version, GrainSize, Compressed and Markers describe a sparse extent.
	Version    uint32 `json:"version,omitempty"`
	GrainSize  int64  `json:"grain_size,omitempty"`
	Compressed bool   `json:"compressed,omitempty"`
	Markers    bool   `json:"markers,omitempty"`
}

// Info is an image's descriptor metadata, for `image info`.
type Info struct {
	Format          string       `json:"format"`      // "vmdk"
	CreateType      string       `json:"create_type"` // e.g. monolithicSparse, streamOptimized
	VirtualSize     int64        `json:"virtual_size"`
	CID             string       `json:"cid,omitempty"`
	ParentCID       string       `json:"parent_cid,omitempty"`
	UUID            string       `json:"uuid,omitempty"` // ddb.uuid.image
	AdapterType     string       `json:"adapter_type,omitempty"`
	HardwareVersion string       `json:"hardware_version,omitempty"`
	Extents         []ExtentInfo `json:"extents"`
	// Anomalies lists oddities the reader tolerated, such as an unreadable
	// embedded descriptor.
	Anomalies []string `json:"anomalies,omitempty"`
}

// Extent kinds.
const (
	kindZero = iota
	kindFlat
	kindSparse
)

type extent struct {
	kind     int
	start    int64 // virtual byte offset
	size     int64 // bytes
	r        io.ReaderAt
	fileSize int64
	name     string
	flatOff  int64 // byte offset of a flat extent in its file
	sp       *sparse
}

// sparse is a parsed hosted sparse extent header.
type sparse struct {
	version    uint32
	flags      uint32
	capacity   int64 // bytes
	grainSize  int64 // bytes
	gtEntries  int64
	gd         []uint32
	compressed bool
	markers    bool
	descOff    int64 // embedded descriptor, bytes
	descLen    int64
}

// Image is a VMDK virtual disk. Its methods are safe for concurrent use.
type Image struct {
	extents []extent
	size    int64
	closers []io.Closer
	info    Info

	mu     sync.Mutex
	gts    lru.Cache[[]uint32]
	grains lru.Cache[[]byte]
}

// IsVMDK reports whether head, the first bytes of a file, starts like a
// VMDK: a sparse extent ("KDMV"), an ESX sparse extent ("COWD", which
// [Open] refuses) or a text descriptor ("# Disk DescriptorFile").
func IsVMDK(head []byte) bool {
	return bytes.HasPrefix(head, sparseMagic) || bytes.HasPrefix(head, cowdMagic) || isDescriptor(head)
}

// Open opens the VMDK at path read-only: a sparse extent file with its
// embedded descriptor, or a descriptor file and the extent files it names
// in its folder. Close the image when done.
func Open(path string) (*Image, error) {
	f, size, err := openFile(path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, min(size, headerSize))
	if _, err := f.ReadAt(head, 0); err != nil && err != io.EOF {
		f.Close()
		return nil, fmt.Errorf("vmdk: read %s: %w", path, err)
	}
	name := filepath.Base(path)
	switch {
	case bytes.HasPrefix(head, sparseMagic):
		img, err := newSparseImage(f, size, name)
		if err != nil {
			f.Close()
			return nil, err
		}
		img.closers = []io.Closer{f}
		img.info.Extents[0].File = name
		return img, nil
	case bytes.HasPrefix(head, cowdMagic):
		f.Close()
		return nil, fmt.Errorf("%w: ESX sparse extent (COWD)", ErrUnsupported)
	case !isDescriptor(head):
		f.Close()
		return nil, &FormatError{File: name, Msg: "neither a sparse extent nor a descriptor file"}
	}
	defer f.Close()
	if size > maxDescriptor {
		return nil, &FormatError{File: name, Msg: fmt.Sprintf("descriptor file of %d bytes is over the %d KiB limit", size, maxDescriptor>>10)}
	}
	text := make([]byte, size)
	if _, err := f.ReadAt(text, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("vmdk: read %s: %w", path, err)
	}
	d, err := parseDescriptor(text, name)
	if err != nil {
		return nil, err
	}
	return openDescriptor(d, name, filepath.Dir(path))
}

func openFile(path string) (*os.File, int64, error) {
	f, err := evidence.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("vmdk: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("vmdk: %w", err)
	}
	return f, st.Size(), nil
}

func newImage() *Image {
	img := &Image{info: Info{Format: "vmdk"}}
	img.gts.Max = gtCacheSize
	img.grains.Max = grainCacheSize
	return img
}

func (img *Image) setKeys(d *descriptor) {
	img.info.CreateType = d.keys["createtype"]
	img.info.CID = d.keys["cid"]
	img.info.ParentCID = d.keys["parentcid"]
	img.info.UUID = d.keys["ddb.uuid.image"]
	img.info.AdapterType = d.keys["ddb.adaptertype"]
	img.info.HardwareVersion = d.keys["ddb.virtualhwversion"]
}

// openDescriptor opens the extents d lists, in folder dir.
func openDescriptor(d *descriptor, name, dir string) (*Image, error) {
	if err := d.differencing(); err != nil {
		return nil, err
	}
	if len(d.extents) == 0 {
		return nil, &FormatError{File: name, Msg: "descriptor lists no extents"}
	}
	img := newImage()
	img.setKeys(d)
	ok := false
	defer func() {
		if !ok {
			img.Close()
		}
	}()
	for _, el := range d.extents {
		e := extent{kind: kindZero, start: img.size, size: el.sectors * sector, name: el.file}
		if e.size > maxSize-img.size {
			return nil, &FormatError{File: name, Msg: fmt.Sprintf("line %d: extents add up to more than %d bytes", el.line, int64(maxSize))}
		}
		if el.access == "NOACCESS" {
			return nil, fmt.Errorf("%w: NOACCESS extent (line %d)", ErrUnsupported, el.line)
		}
		info := ExtentInfo{Type: el.typ, Access: el.access, File: el.file, Start: e.start, Size: e.size}
		switch el.typ {
		case "ZERO":
		case "FLAT", "VMFS", "SPARSE":
			path, err := safeName(dir, el.file)
			if err != nil {
				return nil, fmt.Errorf("%s line %d: %w", name, el.line, err)
			}
			f, size, err := openFile(path)
			if err != nil {
				return nil, fmt.Errorf("extent of line %d: %w", el.line, err)
			}
			img.closers = append(img.closers, f)
			e.r, e.fileSize = f, size
			info.FileSize = size
			if el.typ != "SPARSE" {
				e.kind, e.flatOff = kindFlat, el.offset*sector
				info.Type, info.Offset = "FLAT", e.flatOff
				if e.flatOff > size || e.size > size-e.flatOff {
					return nil, &FormatError{File: el.file, Offset: size, Msg: fmt.Sprintf("flat extent of %d bytes at offset %d runs past the end of the file (%d bytes)", e.size, e.flatOff, size)}
				}
				break
			}
			sp, err := parseSparse(f, size, el.file, &img.info)
			if err != nil {
				return nil, err
			}
			if sp.capacity < e.size {
				return nil, &FormatError{File: el.file, Offset: 12, Msg: fmt.Sprintf("capacity %d bytes, the descriptor lists %d", sp.capacity, e.size)}
			}
			e.kind, e.sp = kindSparse, sp
			info.Version, info.GrainSize, info.Compressed, info.Markers = sp.version, sp.grainSize, sp.compressed, sp.markers
		default:
			return nil, fmt.Errorf("%w: %s extent (line %d)", ErrUnsupported, el.typ, el.line)
		}
		img.extents = append(img.extents, e)
		img.info.Extents = append(img.info.Extents, info)
		img.size += e.size
	}
	img.info.VirtualSize = img.size
	ok = true
	return img, nil
}

// NewImage reads one sparse extent file held in r, of size bytes: a
// monolithicSparse or streamOptimized disk.
func NewImage(r io.ReaderAt, size int64) (*Image, error) {
	if r == nil || size < 0 {
		return nil, errors.New("vmdk: no reader or negative size")
	}
	return newSparseImage(r, size, "extent")
}

// newSparseImage reads the sparse extent file name held in r.
func newSparseImage(r io.ReaderAt, size int64, name string) (*Image, error) {
	img := newImage()
	sp, err := parseSparse(r, size, name, &img.info)
	if err != nil {
		return nil, err
	}
	if sp.descLen > 0 {
		text, err := readAt(r, size, name, sp.descOff, sp.descLen)
		var d *descriptor
		if err == nil {
			d, err = parseDescriptor(text, name)
		}
		if err != nil {
			img.info.Anomalies = append(img.info.Anomalies, fmt.Sprintf("embedded descriptor: %v", err))
		} else {
			if err := d.differencing(); err != nil {
				return nil, err
			}
			img.setKeys(d)
		}
	}
	if img.info.CreateType == "" {
		img.info.CreateType = "monolithicSparse"
		if sp.compressed && sp.markers {
			img.info.CreateType = "streamOptimized"
		}
	}
	img.size = sp.capacity
	img.extents = []extent{{kind: kindSparse, size: sp.capacity, r: r, fileSize: size, name: name, sp: sp}}
	img.info.Extents = []ExtentInfo{{Type: "SPARSE", Access: "RW", Size: sp.capacity, FileSize: size,
		Version: sp.version, GrainSize: sp.grainSize, Compressed: sp.compressed, Markers: sp.markers}}
	img.info.VirtualSize = img.size
	return img, nil
}

// readAt returns n bytes at off of a file, after checking they lie inside
// it.
func readAt(r io.ReaderAt, size int64, name string, off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > size || n > size-off {
		return nil, &FormatError{File: name, Offset: off, Msg: fmt.Sprintf("%d bytes run past the end of the file (%d bytes)", n, size)}
	}
	b := make([]byte, n)
	if err := readInto(r, size, name, b, off); err != nil {
		return nil, err
	}
	return b, nil
}

func readInto(r io.ReaderAt, size int64, name string, b []byte, off int64) error {
	if off < 0 || off > size || int64(len(b)) > size-off {
		return &FormatError{File: name, Offset: off, Msg: fmt.Sprintf("%d bytes run past the end of the file (%d bytes)", len(b), size)}
	}
	if _, err := r.ReadAt(b, off); err != nil && !(err == io.EOF && len(b) > 0) {
		return fmt.Errorf("vmdk: %s: read %d bytes at %d: %w", name, len(b), off, err)
	}
	return nil
}

// parseSparse reads a hosted sparse extent's header and grain directory.
func parseSparse(r io.ReaderAt, size int64, name string, info *Info) (*sparse, error) {
	ferr := func(off int64, format string, args ...any) error {
		return &FormatError{File: name, Offset: off, Msg: fmt.Sprintf(format, args...)}
	}
	h, err := readAt(r, size, name, 0, headerSize)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(h, cowdMagic) {
		return nil, fmt.Errorf("%w: %s is an ESX sparse extent (COWD)", ErrUnsupported, name)
	}
	if !bytes.HasPrefix(h, sparseMagic) {
		return nil, ferr(0, "no sparse extent signature (KDMV)")
	}
	le := binary.LittleEndian
	if le.Uint64(h[56:]) == gdAtEnd {
		// Stream-optimized: the footer holds a copy of the header with
		// the grain directory's offset.
		if size < 3*headerSize {
			return nil, ferr(56, "grain directory in a footer, but the file is too short for one")
		}
		foot, err := readAt(r, size, name, size-2*headerSize, headerSize)
		if err != nil {
			return nil, err
		}
		if !bytes.HasPrefix(foot, sparseMagic) || le.Uint64(foot[56:]) == gdAtEnd {
			return nil, ferr(size-2*headerSize, "no footer with the grain directory offset")
		}
		h = foot
	}
	sp := &sparse{version: le.Uint32(h[4:]), flags: le.Uint32(h[8:])}
	capacity, grain := le.Uint64(h[12:]), le.Uint64(h[20:])
	descOff, descLen := le.Uint64(h[28:]), le.Uint64(h[36:])
	gtEntries := le.Uint32(h[44:])
	gdOff := le.Uint64(h[56:])
	algo := le.Uint16(h[77:])
	switch {
	case sp.version < 1 || sp.version > 3:
		return nil, fmt.Errorf("%w: %s: sparse extent version %d", ErrUnsupported, name, sp.version)
	case sp.flags&flagNewlineTest != 0 && !bytes.Equal(h[73:77], []byte("\n \r\n")):
		return nil, ferr(73, "newline test bytes damaged (file transferred in text mode?)")
	case capacity > maxSize/sector:
		return nil, ferr(12, "capacity of %d sectors out of range", capacity)
	case grain == 0 || grain > maxGrainSectors:
		return nil, ferr(20, "grain of %d sectors out of range 1-%d", grain, maxGrainSectors)
	case gtEntries == 0 || gtEntries > maxGTEntries:
		return nil, ferr(44, "%d grain table entries out of range 1-%d", gtEntries, maxGTEntries)
	}
	sp.capacity, sp.grainSize, sp.gtEntries = int64(capacity)*sector, int64(grain)*sector, int64(gtEntries)
	sp.compressed, sp.markers = sp.flags&flagCompressed != 0, sp.flags&flagMarkers != 0
	if sp.compressed && algo != 1 {
		return nil, fmt.Errorf("%w: %s: compression algorithm %d", ErrUnsupported, name, algo)
	}
	if descLen > 0 {
		if descOff < 1 || descOff > uint64(size)/sector || descLen > maxDescriptor/sector {
			info.Anomalies = append(info.Anomalies, fmt.Sprintf("%s: embedded descriptor at sector %d (%d sectors) out of range", name, descOff, descLen))
		} else {
			sp.descOff, sp.descLen = int64(descOff)*sector, int64(descLen)*sector
		}
	}
	perGT := int64(grain) * int64(gtEntries) * sector // bytes one grain table maps
	need := (sp.capacity + perGT - 1) / perGT
	if need*4 > maxGDBytes {
		return nil, ferr(12, "grain directory of %d entries is over the %d MiB limit", need, maxGDBytes>>20)
	}
	if need == 0 {
		return sp, nil
	}
	if gdOff < 1 || gdOff > uint64(size)/sector {
		return nil, ferr(56, "grain directory at sector %d out of range", gdOff)
	}
	b, err := readAt(r, size, name, int64(gdOff)*sector, need*4)
	if err != nil {
		return nil, fmt.Errorf("grain directory: %w", err)
	}
	sp.gd = make([]uint32, need)
	for i := range sp.gd {
		sp.gd[i] = le.Uint32(b[4*i:])
	}
	return sp, nil
}

// Size returns the virtual disk size in bytes.
func (img *Image) Size() int64 { return img.size }

// Info returns the image's metadata.
func (img *Image) Info() Info {
	info := img.info
	info.Extents = append([]ExtentInfo(nil), img.info.Extents...)
	info.Anomalies = append([]string(nil), img.info.Anomalies...)
	return info
}

// Close closes the files opened by [Open]. It does nothing for an image
// made by [NewImage].
func (img *Image) Close() error {
	var errs []error
	for _, c := range img.closers {
		errs = append(errs, c.Close())
	}
	img.closers = nil
	return errors.Join(errs...)
}

// ReadAt reads virtual disk bytes at off. Reading at or past [Image.Size]
// returns io.EOF; damaged tables or grains in the range yield a
// [FormatError].
func (img *Image) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("vmdk: read at negative offset %d", off)
	}
	n := 0
	for n < len(p) && off < img.size {
		i := sort.Search(len(img.extents), func(i int) bool { return img.extents[i].start > off }) - 1
		if i < 0 {
			return n, fmt.Errorf("vmdk: no extent at virtual offset %d", off)
		}
		e := &img.extents[i]
		in := off - e.start
		k := int(min(int64(len(p)-n), e.size-in))
		var err error
		switch e.kind {
		case kindZero:
			clear(p[n : n+k])
		case kindFlat:
			err = readInto(e.r, e.fileSize, e.name, p[n:n+k], e.flatOff+in)
		case kindSparse:
			k, err = img.readSparse(i, p[n:n+k], in)
		}
		if err != nil {
			return n, fmt.Errorf("read virtual offset %d: %w", off, err)
		}
		n += k
		off += int64(k)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// readSparse reads from sparse extent i at byte in, at most to the end of
// the grain, and returns the count.
func (img *Image) readSparse(i int, dst []byte, in int64) (int, error) {
	e := &img.extents[i]
	sp := e.sp
	g := in / sp.grainSize
	within := in - g*sp.grainSize
	dst = dst[:min(int64(len(dst)), sp.grainSize-within)]
	gdi := g / sp.gtEntries
	if gdi >= int64(len(sp.gd)) {
		return 0, &FormatError{File: e.name, Msg: fmt.Sprintf("grain %d is beyond the grain directory", g)}
	}
	gtSector := sp.gd[gdi]
	if gtSector == 0 {
		clear(dst)
		return len(dst), nil
	}
	gt, err := img.grainTable(i, gtSector)
	if err != nil {
		return 0, err
	}
	gte := gt[g%sp.gtEntries]
	entryOff := int64(gtSector)*sector + 4*(g%sp.gtEntries)
	switch {
	case gte == 0, gte == 1 && sp.flags&flagZeroGrain != 0:
		clear(dst)
		return len(dst), nil
	case !sp.compressed:
		return len(dst), readInto(e.r, e.fileSize, e.name, dst, int64(gte)*sector+within)
	}
	// The part of the grain inside the extent, which it must inflate to.
	need := min(sp.grainSize, sp.capacity-g*sp.grainSize)
	data, err := img.compressedGrain(i, gte, entryOff, need)
	if err != nil {
		return 0, err
	}
	return copy(dst, data[within:]), nil
}

func (img *Image) grainTable(i int, gtSector uint32) ([]uint32, error) {
	key := int64(i)<<32 | int64(gtSector)
	img.mu.Lock()
	gt, ok := img.gts.Get(key)
	img.mu.Unlock()
	if ok {
		return gt, nil
	}
	e := &img.extents[i]
	b, err := readAt(e.r, e.fileSize, e.name, int64(gtSector)*sector, e.sp.gtEntries*4)
	if err != nil {
		return nil, fmt.Errorf("grain table: %w", err)
	}
	gt = make([]uint32, e.sp.gtEntries)
	for k := range gt {
		gt[k] = binary.LittleEndian.Uint32(b[4*k:])
	}
	img.mu.Lock()
	img.gts.Put(key, gt)
	img.mu.Unlock()
	return gt, nil
}

var zlibReaders sync.Pool

// compressedGrain returns the grain stored compressed at sector gte of
// extent i, inflated to need bytes.
func (img *Image) compressedGrain(i int, gte uint32, entryOff, need int64) ([]byte, error) {
	key := int64(i)<<32 | int64(gte)
	img.mu.Lock()
	g, ok := img.grains.Get(key)
	img.mu.Unlock()
	if ok && int64(len(g)) >= need {
		return g, nil
	}
	e := &img.extents[i]
	sp := e.sp
	off := int64(gte) * sector
	if off >= e.fileSize {
		return nil, &FormatError{File: e.name, Offset: entryOff, Msg: fmt.Sprintf("grain at offset %d is past the end of the file (%d bytes)", off, e.fileSize)}
	}
	// A stored grain may be a little larger than the grain (zlib framing
	// of incompressible data).
	limit := 2*sp.grainSize + 4096
	var n int64
	if sp.markers {
		m, err := readAt(e.r, e.fileSize, e.name, off, 12)
		if err != nil {
			return nil, err
		}
		n = int64(binary.LittleEndian.Uint32(m[8:]))
		if n == 0 || n > limit {
			return nil, &FormatError{File: e.name, Offset: off, Msg: fmt.Sprintf("grain marker with %d bytes of data", n)}
		}
		off += 12
	} else {
		n = min(limit, e.fileSize-off)
	}
	stored, err := readAt(e.r, e.fileSize, e.name, off, n)
	if err != nil {
		return nil, err
	}
	g, err = inflate(stored, sp.grainSize, need)
	if err != nil {
		return nil, &FormatError{File: e.name, Offset: off, Msg: "compressed grain: " + err.Error()}
	}
	img.mu.Lock()
	img.grains.Put(key, g)
	img.mu.Unlock()
	return g, nil
}

// inflate decompresses a zlib stream of at least need and at most max
// bytes.
func inflate(stored []byte, max, need int64) ([]byte, error) {
	br := bytes.NewReader(stored)
	var zr io.ReadCloser
	if v := zlibReaders.Get(); v != nil {
		zr = v.(io.ReadCloser)
		if err := zr.(zlib.Resetter).Reset(br, nil); err != nil {
			return nil, fmt.Errorf("inflate: %w", err)
		}
	} else {
		var err error
		if zr, err = zlib.NewReader(br); err != nil {
			return nil, fmt.Errorf("inflate: %w", err)
		}
	}
	defer zlibReaders.Put(zr)
	out := make([]byte, max+1)
	k, err := io.ReadFull(io.LimitReader(zr, max+1), out)
	switch {
	case int64(k) > max:
		return nil, fmt.Errorf("inflates to more than the grain size %d", max)
	case err != nil && err != io.ErrUnexpectedEOF && err != io.EOF:
		return nil, fmt.Errorf("inflate: %w", err)
	case int64(k) < need:
		return nil, fmt.Errorf("inflates to %d bytes, expected %d", k, need)
	}
	return out[:max], nil
}
