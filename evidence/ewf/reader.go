package ewf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pangolin-forensics/pangolin/evidence"
)

// Segment is one segment file of an image: its content, size and name (used
// in errors and [Info]).
type Segment struct {
	R    io.ReaderAt
	Size int64
	Name string
}

// SectorRange is a run of sectors, as listed in an error2 section.
type SectorRange struct {
	FirstSector uint32 `json:"first_sector"`
	Count       uint32 `json:"count"`
}

// Info is an image's acquisition metadata, from its header2 (preferred)
// and header sections and its volume, hash and digest sections. Header
// dates written as local time without a zone are reported as UTC.
type Info struct {
	CaseNumber        string        `json:"case_number"`
	EvidenceNumber    string        `json:"evidence_number"`
	Examiner          string        `json:"examiner_name"`
	Description       string        `json:"description"`
	Notes             string        `json:"notes"`
	Model             string        `json:"model,omitempty"`
	SerialNumber      string        `json:"serial_number,omitempty"`
	AcquisitionDate   time.Time     `json:"acquisition_date,omitzero"`
	SystemDate        time.Time     `json:"system_date,omitzero"`
	SoftwareVersion   string        `json:"software_version"`
	OS                string        `json:"os"`
	BytesPerSector    uint32        `json:"bytes_per_sector"`
	SectorCount       uint64        `json:"sector_count"`
	SectorsPerChunk   uint32        `json:"sectors_per_chunk"`
	ChunkCount        int64         `json:"chunk_count"`
	MediaSize         int64         `json:"media_size"`
	Compression       string        `json:"compression"`
	MediaType         string        `json:"media_type"`
	Physical          bool          `json:"physical"`
	SetIdentifier     string        `json:"set_identifier,omitempty"`
	MD5               string        `json:"md5,omitempty"`
	SHA1              string        `json:"sha1,omitempty"`
	AcquisitionErrors []SectorRange `json:"acquisition_errors,omitempty"`
	Segments          []string      `json:"segments"`
	// Anomalies lists damage the reader worked around, such as a table
	// replaced by its table2 copy.
	Anomalies []string `json:"anomalies,omitempty"`
}

// Image is the media stored in a set of EWF segment files. Its methods are
// safe for concurrent use.
type Image struct {
	segs      []segment
	closers   []io.Closer
	tables    []table
	chunkSize int64
	size      int64
	nchunks   int64
	info      Info

	mu    sync.Mutex
	cache []cachedChunk // most recently used last
}

// table is one table section: where its chunks lie in a segment.
type table struct {
	seg     int
	first   int64 // number of the table's first chunk
	base    int64
	entries []uint32
	end     int64 // end of the last chunk's data
}

type cachedChunk struct {
	index int64
	data  []byte
}

const (
	cacheSize = 16
	// maxStoredSlack is how much larger than the chunk size a stored chunk
	// may be (zlib framing of incompressible data, the Adler-32).
	maxStoredSlack = 4096
	maxSegments    = 99 + 22*26*26 // E01-E99, then EAA to ZZZ
	maxBadChunks   = 1000
)

// Open opens the segment set whose first file is path (name.E01 or
// name.e01) read-only, finding the others (.E02 … .E99, .EAA …) by name.
// Close the image when done.
func Open(path string) (*Image, error) {
	ext := filepath.Ext(path)
	switch strings.ToLower(ext) {
	case ".e01":
	case ".ex01", ".lx01", ".l01", ".s01":
		return nil, fmt.Errorf("%w: %s", ErrUnsupported, path)
	default:
		return nil, fmt.Errorf("ewf: %s: name does not end in .E01", path)
	}
	prefix, lower := path[:len(path)-len(ext)], ext[1] == 'e'
	var segs []Segment
	var closers []io.Closer
	closeAll := func() {
		for _, c := range closers {
			c.Close()
		}
	}
	for i := 1; i <= maxSegments; i++ {
		name := prefix + segmentExt(i, lower)
		f, err := evidence.Open(name)
		if i > 1 && errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("ewf: open segment: %w", err)
		}
		closers = append(closers, f)
		st, err := f.Stat()
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("ewf: stat segment: %w", err)
		}
		segs = append(segs, Segment{R: f, Size: st.Size(), Name: name})
	}
	img, err := NewImage(segs)
	if err != nil {
		closeAll()
		return nil, err
	}
	img.closers = closers
	return img, nil
}

// segmentExt returns the extension of segment i (from 1): .E01 to .E99,
// then .EAA, .EAB … .ZZZ.
func segmentExt(i int, lower bool) string {
	var ext string
	if i <= 99 {
		ext = fmt.Sprintf(".E%02d", i)
	} else {
		j := i - 100
		ext = string([]byte{'.', byte('E' + j/676), byte('A' + j/26%26), byte('A' + j%26)})
	}
	if lower {
		ext = strings.ToLower(ext)
	}
	return ext
}

// NewImage reads the image stored in segs, given in order (segment 1
// first).
func NewImage(segs []Segment) (*Image, error) {
	if len(segs) == 0 {
		return nil, fmt.Errorf("%w: no segment files", ErrFormat)
	}
	img := &Image{}
	p := &parser{img: img}
	for i, s := range segs {
		if s.R == nil || s.Size < 0 {
			return nil, fmt.Errorf("ewf: segment %d: no reader or negative size", i+1)
		}
		img.segs = append(img.segs, segment{r: s.R, size: s.Size, name: s.Name})
		img.info.Segments = append(img.info.Segments, s.Name)
		if err := p.parseSegment(i); err != nil {
			return nil, err
		}
	}
	if !p.haveVolume {
		return nil, img.segs[0].errorf(0, "no volume section")
	}
	var listed int64
	for _, t := range img.tables {
		listed += int64(len(t.entries))
	}
	if listed < img.nchunks {
		last := &img.segs[len(img.segs)-1]
		return nil, last.errorf(last.size, "tables list %d chunks, media needs %d (missing segment files?)", listed, img.nchunks)
	}
	return img, nil
}

// parser holds the state carried from section to section.
type parser struct {
	img         *Image
	haveVolume  bool
	haveHeader2 bool
	haveHeader  bool
	nextChunk   int64
}

// Table states between a table and its table2 copy.
const (
	tableNone = iota
	tableGood
	tableBad
)

func (p *parser) parseSegment(idx int) error {
	img := p.img
	s := &img.segs[idx]
	b, err := s.read(0, fileHeaderSize)
	if err != nil {
		return err
	}
	switch {
	case bytes.Equal(b[:8], evf2Signature):
		return fmt.Errorf("%w: %s is an EWF2 (Ex01) file", ErrUnsupported, s.name)
	case bytes.Equal(b[:8], lvfSignature):
		return fmt.Errorf("%w: %s is a logical evidence (L01) file", ErrUnsupported, s.name)
	case !bytes.Equal(b[:8], evfSignature):
		return s.errorf(0, "not an EWF segment file")
	}
	if n := binary.LittleEndian.Uint16(b[9:]); int(n) != idx+1 {
		return s.errorf(9, "segment number %d, expected %d", n, idx+1)
	}
	var sectors *section
	tableState := tableNone
	for off := int64(fileHeaderSize); ; {
		sec, err := s.readSection(off)
		if err != nil {
			return err
		}
		switch sec.typ {
		case "header2", "header":
			p.parseHeader(s, sec)
		case "volume", "disk", "data":
			if !p.haveVolume {
				if err := p.parseVolume(s, sec); err != nil {
					return err
				}
			}
		case "sectors":
			if sec.size < descriptorSize || sec.size > s.size-sec.off {
				return s.errorf(sec.off, "sectors section size %d out of range", sec.size)
			}
			sectors = &sec
		case "table":
			t, err := p.parseTable(idx, sec, sectors)
			if err != nil {
				img.info.Anomalies = append(img.info.Anomalies, err.Error())
				tableState = tableBad
				break
			}
			p.addTable(t)
			tableState = tableGood
		case "table2":
			if tableState != tableGood {
				t, err := p.parseTable(idx, sec, sectors)
				if err != nil {
					return err
				}
				if tableState == tableBad {
					img.info.Anomalies = append(img.info.Anomalies, fmt.Sprintf("%s: used table2 at offset %d", s.name, sec.off))
				}
				p.addTable(t)
			}
			tableState = tableNone
		case "hash":
			if d, ok := p.small(s, sec, hashSize); ok {
				p.setHash(&img.info.MD5, d[:16])
			}
		case "digest":
			if d, ok := p.small(s, sec, digestSize); ok {
				p.setHash(&img.info.MD5, d[:16])
				p.setHash(&img.info.SHA1, d[16:36])
			}
		case "error2":
			if err := p.parseErrors(s, sec); err != nil {
				img.info.Anomalies = append(img.info.Anomalies, err.Error())
			}
		case "next", "done":
			if tableState == tableBad {
				return s.errorf(sec.off, "table damaged and no table2 copy")
			}
			return nil
		}
		if sec.next <= off {
			return s.errorf(off, "section %q: next section offset %d does not move forward", sec.typ, sec.next)
		}
		off = sec.next
	}
}

// small returns the first n bytes of a fixed-size section's data when they
// pass their checksum, recording an anomaly otherwise.
func (p *parser) small(s *segment, sec section, n int64) ([]byte, bool) {
	if sec.size < descriptorSize+n {
		p.img.info.Anomalies = append(p.img.info.Anomalies, s.errorf(sec.off, "%s section too short", sec.typ).Error())
		return nil, false
	}
	d, err := s.read(sec.off+descriptorSize, n)
	if err == nil && !checksumOK(d) {
		err = s.errorf(sec.off, "%s section checksum mismatch", sec.typ)
	}
	if err != nil {
		p.img.info.Anomalies = append(p.img.info.Anomalies, err.Error())
		return nil, false
	}
	return d, true
}

func (p *parser) setHash(dst *string, b []byte) {
	if *dst == "" && !bytes.Equal(b, make([]byte, len(b))) {
		*dst = hex.EncodeToString(b)
	}
}

func (p *parser) parseHeader(s *segment, sec section) {
	wide := sec.typ == "header2"
	if (wide && p.haveHeader2) || (!wide && p.haveHeader) {
		return
	}
	if sec.size > descriptorSize+maxHeaderSize {
		p.img.info.Anomalies = append(p.img.info.Anomalies, s.errorf(sec.off, "%s section too large", sec.typ).Error())
		return
	}
	d, err := s.data(sec)
	if err == nil {
		d, err = inflateHeader(d)
		if err != nil {
			err = s.errorf(sec.off, "%s: %v", sec.typ, err)
		}
	}
	if err != nil {
		p.img.info.Anomalies = append(p.img.info.Anomalies, err.Error())
		return
	}
	if wide {
		p.haveHeader2 = true
	} else {
		p.haveHeader = true
	}
	applyHeader(&p.img.info, parseHeaderValues(decodeHeaderText(d, wide)))
}

func (p *parser) parseVolume(s *segment, sec section) error {
	img := p.img
	n := sec.size - descriptorSize
	var spc, bps uint32
	var sectors, chunks uint64
	switch {
	case n >= volumeSize:
		d, err := s.read(sec.off+descriptorSize, volumeSize)
		if err != nil {
			return err
		}
		if !checksumOK(d) {
			img.info.Anomalies = append(img.info.Anomalies, s.errorf(sec.off, "volume section checksum mismatch").Error())
		}
		img.info.MediaType = mediaTypeName(d[0])
		chunks = uint64(binary.LittleEndian.Uint32(d[4:]))
		spc = binary.LittleEndian.Uint32(d[8:])
		bps = binary.LittleEndian.Uint32(d[12:])
		sectors = binary.LittleEndian.Uint64(d[16:])
		img.info.Physical = d[36]&0x02 != 0
		img.info.Compression = compressionName(d[52])
		if id := d[64:80]; !bytes.Equal(id, make([]byte, 16)) {
			img.info.SetIdentifier = formatGUID(id)
		}
	case n >= 94:
		// SMART (EWF-S01) layout, as written by some old E01 tools.
		d, err := s.read(sec.off+descriptorSize, 94)
		if err != nil {
			return err
		}
		chunks = uint64(binary.LittleEndian.Uint32(d[4:]))
		spc = binary.LittleEndian.Uint32(d[8:])
		bps = binary.LittleEndian.Uint32(d[12:])
		sectors = uint64(binary.LittleEndian.Uint32(d[16:]))
		img.info.MediaType = "unknown"
		img.info.Compression = "unknown"
	default:
		return s.errorf(sec.off, "volume section too short (%d bytes)", n)
	}
	if spc == 0 || bps == 0 || uint64(spc)*uint64(bps) > maxChunkSize {
		return s.errorf(sec.off, "chunk of %d sectors of %d bytes out of range", spc, bps)
	}
	if sectors > (1<<62)/uint64(bps) {
		return s.errorf(sec.off, "sector count %d out of range", sectors)
	}
	p.haveVolume = true
	img.chunkSize = int64(spc) * int64(bps)
	img.size = int64(sectors) * int64(bps)
	img.nchunks = (img.size + img.chunkSize - 1) / img.chunkSize
	if chunks != uint64(img.nchunks) {
		img.info.Anomalies = append(img.info.Anomalies, fmt.Sprintf("volume section lists %d chunks, media size needs %d", chunks, img.nchunks))
	}
	img.info.BytesPerSector = bps
	img.info.SectorsPerChunk = spc
	img.info.SectorCount = sectors
	img.info.ChunkCount = img.nchunks
	img.info.MediaSize = img.size
	return nil
}

func mediaTypeName(b byte) string {
	switch b {
	case 0x00:
		return "removable"
	case 0x01:
		return "fixed"
	case 0x03:
		return "optical"
	case 0x0e:
		return "logical"
	case 0x10:
		return "memory"
	}
	return fmt.Sprintf("unknown (0x%02x)", b)
}

func compressionName(b byte) string {
	switch b {
	case 0:
		return "none"
	case 1:
		return "fast"
	case 2:
		return "best"
	}
	return fmt.Sprintf("unknown (%d)", b)
}

// formatGUID formats a little-endian GUID as ewfinfo does.
func formatGUID(b []byte) string {
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x",
		binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint16(b[4:]), binary.LittleEndian.Uint16(b[6:]), b[8:10], b[10:16])
}

// parseTable reads a table or table2 section of segment idx; sectors is the
// segment's latest sectors section, where the table's last chunk ends.
func (p *parser) parseTable(idx int, sec section, sectors *section) (table, error) {
	s := &p.img.segs[idx]
	if sec.size < descriptorSize+tableHeaderSize {
		return table{}, s.errorf(sec.off, "%s section too short", sec.typ)
	}
	h, err := s.read(sec.off+descriptorSize, tableHeaderSize)
	if err != nil {
		return table{}, err
	}
	if !checksumOK(h) {
		return table{}, s.errorf(sec.off, "%s header checksum mismatch", sec.typ)
	}
	n := int64(binary.LittleEndian.Uint32(h))
	base := int64(binary.LittleEndian.Uint64(h[8:]))
	room := sec.size - descriptorSize - tableHeaderSize
	if n == 0 || n > room/4 {
		return table{}, s.errorf(sec.off, "%s claims %d entries, room for %d", sec.typ, n, room/4)
	}
	if base < 0 || base >= s.size {
		return table{}, s.errorf(sec.off, "%s base offset %d out of range", sec.typ, base)
	}
	withSum := n*4+4 <= room
	m := n * 4
	if withSum {
		m += 4
	}
	d, err := s.read(sec.off+descriptorSize+tableHeaderSize, m)
	if err != nil {
		return table{}, err
	}
	if withSum && !checksumOK(d) {
		return table{}, s.errorf(sec.off, "%s entries checksum mismatch", sec.typ)
	}
	t := table{seg: idx, base: base, entries: make([]uint32, n)}
	for i := range t.entries {
		t.entries[i] = binary.LittleEndian.Uint32(d[4*i:])
	}
	last := base + int64(t.entries[n-1]&maxRelOffset)
	switch {
	case sectors != nil && last >= sectors.off+descriptorSize && last < sectors.off+sectors.size:
		t.end = sectors.off + sectors.size
	case last < sec.off:
		t.end = sec.off
	default:
		return table{}, s.errorf(sec.off, "%s: cannot find the end of the last chunk", sec.typ)
	}
	return t, nil
}

func (p *parser) addTable(t table) {
	t.first = p.nextChunk
	p.nextChunk += int64(len(t.entries))
	p.img.tables = append(p.img.tables, t)
}

func (p *parser) parseErrors(s *segment, sec section) error {
	const head = 520
	if sec.size < descriptorSize+head {
		return s.errorf(sec.off, "error2 section too short")
	}
	h, err := s.read(sec.off+descriptorSize, head)
	if err != nil {
		return err
	}
	if !checksumOK(h) {
		return s.errorf(sec.off, "error2 header checksum mismatch")
	}
	n := int64(binary.LittleEndian.Uint32(h))
	if n > (sec.size-descriptorSize-head-4)/8 {
		return s.errorf(sec.off, "error2 claims %d entries, too many for its size", n)
	}
	d, err := s.read(sec.off+descriptorSize+head, n*8+4)
	if err != nil {
		return err
	}
	if !checksumOK(d) {
		return s.errorf(sec.off, "error2 entries checksum mismatch")
	}
	for i := int64(0); i < n; i++ {
		p.img.info.AcquisitionErrors = append(p.img.info.AcquisitionErrors, SectorRange{
			FirstSector: binary.LittleEndian.Uint32(d[8*i:]),
			Count:       binary.LittleEndian.Uint32(d[8*i+4:]),
		})
	}
	return nil
}

// Size returns the media size in bytes.
func (img *Image) Size() int64 { return img.size }

// Info returns the image's metadata.
func (img *Image) Info() Info {
	info := img.info
	info.Segments = append([]string(nil), img.info.Segments...)
	info.AcquisitionErrors = append([]SectorRange(nil), img.info.AcquisitionErrors...)
	info.Anomalies = append([]string(nil), img.info.Anomalies...)
	return info
}

// Close closes the segment files opened by [Open]. It does nothing for an
// image made by [NewImage].
func (img *Image) Close() error {
	var errs []error
	for _, c := range img.closers {
		errs = append(errs, c.Close())
	}
	img.closers = nil
	return errors.Join(errs...)
}

// ReadAt reads media bytes at off. A corrupt chunk in the range yields a
// [ChunkError].
func (img *Image) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("ewf: read at negative offset %d", off)
	}
	n := 0
	for n < len(p) && off < img.size {
		i := off / img.chunkSize
		data, err := img.cachedChunk(i)
		if err != nil {
			return n, err
		}
		k := copy(p[n:], data[off-i*img.chunkSize:])
		n += k
		off += int64(k)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (img *Image) cachedChunk(i int64) ([]byte, error) {
	img.mu.Lock()
	for k, c := range img.cache {
		if c.index == i {
			copy(img.cache[k:], img.cache[k+1:])
			img.cache[len(img.cache)-1] = c
			img.mu.Unlock()
			return c.data, nil
		}
	}
	img.mu.Unlock()
	data, err := img.decode(i, make([]byte, img.chunkSize))
	if err != nil {
		return nil, err
	}
	img.mu.Lock()
	if len(img.cache) == cacheSize {
		img.cache = append(img.cache[:0], img.cache[1:]...)
	}
	img.cache = append(img.cache, cachedChunk{index: i, data: data})
	img.mu.Unlock()
	return data, nil
}

var zlibReaders sync.Pool

// decode decodes chunk i into out (at least a chunk long) and returns the
// chunk's media bytes. Corruption is reported as a [*ChunkError].
func (img *Image) decode(i int64, out []byte) ([]byte, error) {
	mediaOff := i * img.chunkSize
	want := min(img.chunkSize, img.size-mediaOff)
	bad := func(format string, args ...any) error {
		return &ChunkError{Index: i, Offset: mediaOff, Problem: fmt.Sprintf(format, args...)}
	}
	k := sort.Search(len(img.tables), func(k int) bool { return img.tables[k].first > i }) - 1
	if k < 0 || i < 0 || i >= img.nchunks {
		return nil, bad("not listed in any table")
	}
	t := &img.tables[k]
	j := i - t.first
	e := t.entries[j]
	off := t.base + int64(e&maxRelOffset)
	end := t.end
	if j+1 < int64(len(t.entries)) {
		end = t.base + int64(t.entries[j+1]&maxRelOffset)
	}
	s := &img.segs[t.seg]
	n := end - off
	if n <= 0 || n > img.chunkSize+maxStoredSlack {
		return nil, bad("stored size %d out of range (%s offset %d)", n, s.name, off)
	}
	if off+n > s.size {
		return nil, bad("stored data runs past the end of %s", s.name)
	}
	stored := make([]byte, n)
	if _, err := s.r.ReadAt(stored, off); err != nil && !(err == io.EOF && len(stored) > 0) {
		return nil, fmt.Errorf("ewf: chunk %d: read %s at %d: %w", i, s.name, off, err)
	}
	var got int
	if e&compressedBit != 0 {
		var err error
		got, err = inflateChunk(stored, out[:img.chunkSize])
		if err != nil {
			return nil, bad("%v", err)
		}
	} else {
		if n < 4 {
			return nil, bad("stored size %d too short for its checksum", n)
		}
		if !checksumOK(stored) {
			return nil, bad("Adler-32 mismatch")
		}
		if n-4 > img.chunkSize {
			return nil, bad("holds %d bytes, more than the chunk size %d", n-4, img.chunkSize)
		}
		got = copy(out, stored[:n-4])
	}
	// The last chunk may hold the tail of a partial sector (ewfacquire
	// writes one for sources that are not whole sectors).
	if int64(got) < want || (int64(got) > want && i != img.nchunks-1) {
		return nil, bad("holds %d bytes, expected %d", got, want)
	}
	return out[:want], nil
}

// inflateChunk decompresses a zlib chunk into out, which it must fit
// exactly, and returns the number of bytes.
func inflateChunk(stored, out []byte) (int, error) {
	br := bytes.NewReader(stored)
	var zr io.ReadCloser
	if v := zlibReaders.Get(); v != nil {
		zr = v.(io.ReadCloser)
		if err := zr.(zlib.Resetter).Reset(br, nil); err != nil {
			return 0, fmt.Errorf("inflate: %w", err)
		}
	} else {
		var err error
		if zr, err = zlib.NewReader(br); err != nil {
			return 0, fmt.Errorf("inflate: %w", err)
		}
	}
	defer zlibReaders.Put(zr)
	n, err := io.ReadFull(zr, out)
	switch err {
	case nil:
		var one [1]byte
		switch _, err := io.ReadFull(zr, one[:]); err {
		case nil:
			return 0, fmt.Errorf("inflates to more than the chunk size %d", len(out))
		case io.EOF:
		default:
			return 0, fmt.Errorf("inflate: %w", err)
		}
	case io.EOF, io.ErrUnexpectedEOF:
	default:
		return 0, fmt.Errorf("inflate: %w", err)
	}
	return n, nil
}
