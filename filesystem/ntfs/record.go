package ntfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Attribute types used by the reader.
const (
	attrStandardInfo  = 0x10
	attrAttributeList = 0x20
	attrFileName      = 0x30
	attrVolumeName    = 0x60
	attrData          = 0x80
	attrIndexRoot     = 0x90
	attrEnd           = 0xFFFFFFFF
)

// Record header flags.
const (
	recordInUse = 0x0001
	recordIsDir = 0x0002
)

// Attribute header flags: the low byte is the compression method, of
// which NTFS defines one (LZNT1).
const (
	attrFlagCompressed = 0x00FF
	compressionLZNT1   = 0x0001
)

// fixupStride is the span each update sequence array entry protects. NTFS
// uses 512 bytes whatever the sector size.
const fixupStride = 512

// maxAttrsPerRecord caps attributes decoded from one record.
const maxAttrsPerRecord = 512

// errNoRecord marks a record that holds no FILE header (never used, or
// zeroed); it is not damage.
var errNoRecord = errors.New("no FILE signature")

// FormatError is a structure error in an MFT record or attribute. Offset is
// relative to the start of the record.
type FormatError struct {
	Record uint64 // MFT record number
	Offset int64  // byte offset in the record
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("ntfs: MFT record %d offset %#x: %s", e.Record, e.Offset, e.Msg)
}

func formatErr(rec uint64, off int, format string, a ...any) error {
	return &FormatError{Record: rec, Offset: int64(off), Msg: fmt.Sprintf(format, a...)}
}

// record is one decoded MFT record (FILE record).
//
// Header layout (offsets in bytes, little-endian):
//
//	0x00  4  signature "FILE" ("BAAD" marks a record a check found torn)
//	0x04  2  offset of the update sequence array
//	0x06  2  update sequence array entries (1 + record size / 512)
//	0x10  2  sequence number
//	0x14  2  offset of the first attribute
//	0x16  2  flags: 0x01 in use, 0x02 directory
//	0x18  4  bytes in use
//	0x1C  4  bytes allocated (the record size)
//	0x20  8  base record reference (0 for a base record)
type record struct {
	num     uint64
	seq     uint16
	flags   uint16
	baseRef uint64 // record number part of the base reference
	attrs   []attr
}

// attr is one decoded attribute.
//
// Common header: 0x00 type (4), 0x04 length (4), 0x08 non-resident (1),
// 0x09 name length in UTF-16 units (1), 0x0A name offset (2), 0x0C flags
// (2), 0x0E attribute id (2). Resident: 0x10 value length (4), 0x14 value
// offset (2). Non-resident: 0x10 first VCN (8), 0x18 last VCN (8), 0x20
// runlist offset (2), 0x22 compression unit (2), 0x28 allocated size (8),
// 0x30 data size (8), 0x38 initialized size (8).
type attr struct {
	typ      uint32
	name     string
	flags    uint16
	resident bool
	value    []byte // resident value (a copy)

	startVCN uint64
	runs     []run
	realSize int64
	initSize int64
	compUnit uint16
}

// size returns the attribute's data size.
func (a *attr) size() int64 {
	if a.resident {
		return int64(len(a.value))
	}
	return a.realSize
}

// applyFixups checks and undoes the update sequence array of a multi-sector
// record in place: the last two bytes of each 512-byte block must equal the
// update sequence number and are replaced by the saved bytes.
func applyFixups(buf []byte, num uint64) error {
	if len(buf) < 0x30 || len(buf)%fixupStride != 0 {
		return formatErr(num, 0, "record size %d is not a multiple of %d", len(buf), fixupStride)
	}
	usaOff := int(binary.LittleEndian.Uint16(buf[4:]))
	usaCount := int(binary.LittleEndian.Uint16(buf[6:]))
	if usaCount != len(buf)/fixupStride+1 {
		return formatErr(num, 6, "update sequence array has %d entries, want %d", usaCount, len(buf)/fixupStride+1)
	}
	if usaOff < 0x28 || usaOff%2 != 0 || usaOff+2*usaCount > fixupStride-2 {
		return formatErr(num, 4, "update sequence array at %#x does not fit", usaOff)
	}
	usn := binary.LittleEndian.Uint16(buf[usaOff:])
	for i := 1; i < usaCount; i++ {
		end := i*fixupStride - 2
		if got := binary.LittleEndian.Uint16(buf[end:]); got != usn {
			return formatErr(num, end, "update sequence number %#04x, want %#04x (torn write)", got, usn)
		}
		copy(buf[end:end+2], buf[usaOff+2*i:usaOff+2*i+2])
	}
	return nil
}

// header is the decoded header of a FILE record whose fixups were applied.
type header struct {
	seq     uint16
	flags   uint16
	baseRef uint64
	first   int // offset of the first attribute
	used    int // bytes in use
}

// parseHeader checks the signature of the record in buf, applies its
// fixups (in place) and decodes and checks its header. It returns
// errNoRecord, wrapped, when buf has no FILE signature.
func parseHeader(buf []byte, num uint64) (header, error) {
	var h header
	if len(buf) < minRecordSize || len(buf) > maxRecordSize || bits.OnesCount(uint(len(buf))) != 1 {
		return h, formatErr(num, 0, "record size %d", len(buf))
	}
	if string(buf[:4]) != "FILE" {
		return h, fmt.Errorf("ntfs: MFT record %d: signature %q: %w", num, buf[:4], errNoRecord)
	}
	if err := applyFixups(buf, num); err != nil {
		return h, err
	}
	h.seq = binary.LittleEndian.Uint16(buf[0x10:])
	h.flags = binary.LittleEndian.Uint16(buf[0x16:])
	h.baseRef = binary.LittleEndian.Uint64(buf[0x20:]) & refMask
	h.first = int(binary.LittleEndian.Uint16(buf[0x14:]))
	h.used = int(binary.LittleEndian.Uint32(buf[0x18:]))
	if h.used > len(buf) || h.used < 0x18 {
		return h, formatErr(num, 0x18, "bytes in use %d outside the %d-byte record", h.used, len(buf))
	}
	if h.first < 0x18 || h.first+4 > h.used {
		return h, formatErr(num, 0x14, "first attribute at %#x outside the %d bytes in use", h.first, h.used)
	}
	return h, nil
}

// attrIter steps through the attributes of a record whose header
// parseHeader accepted.
type attrIter struct {
	buf   []byte
	num   uint64
	off   int
	used  int
	count int
}

func newAttrIter(buf []byte, num uint64, h header) attrIter {
	return attrIter{buf: buf, num: num, off: h.first, used: h.used}
}

// next returns the next attribute, or false at the end marker.
func (it *attrIter) next() (rawAttr, bool, error) {
	off, used, num := it.off, it.used, it.num
	if off+4 > used {
		return rawAttr{}, false, formatErr(num, off, "attribute list runs past the bytes in use (%d)", used)
	}
	typ := binary.LittleEndian.Uint32(it.buf[off:])
	if typ == attrEnd {
		return rawAttr{}, false, nil
	}
	if it.count >= maxAttrsPerRecord {
		return rawAttr{}, false, formatErr(num, off, "more than %d attributes", maxAttrsPerRecord)
	}
	if off+0x10 > used {
		return rawAttr{}, false, formatErr(num, off, "attribute header runs past the bytes in use (%d)", used)
	}
	length := int(binary.LittleEndian.Uint32(it.buf[off+4:]))
	if length < 0x18 || length > used-off {
		return rawAttr{}, false, formatErr(num, off, "attribute length %d", length)
	}
	a, err := splitAttr(it.buf[off:off+length], num, off)
	if err != nil {
		return rawAttr{}, false, err
	}
	it.count++
	it.off += length
	return a, true, nil
}

// parseRecord applies the fixups to buf (in place) and decodes the record
// header and its attributes. It returns errNoRecord, wrapped, when buf has
// no FILE signature.
func parseRecord(buf []byte, num uint64) (*record, error) {
	h, err := parseHeader(buf, num)
	if err != nil {
		return nil, err
	}
	r := &record{num: num, seq: h.seq, flags: h.flags, baseRef: h.baseRef}
	it := newAttrIter(buf, num, h)
	for {
		ra, ok, err := it.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		a, err := ra.decode(num)
		if err != nil {
			return nil, err
		}
		r.attrs = append(r.attrs, a)
	}
	return r, nil
}

// rawAttr is one attribute as it stands in a record buffer, its header
// checked; its slices alias the buffer.
type rawAttr struct {
	typ      uint32
	flags    uint16
	resident bool
	off      int    // offset in the record, for errors
	name     []byte // UTF-16LE
	value    []byte // resident value

	startVCN uint64
	runOff   int    // offset of the runlist in the attribute
	runlist  []byte // mapping pairs, to the end of the attribute
	realSize int64
	initSize int64
	compUnit uint16
}

// splitAttr checks the header of the attribute in b, which holds exactly
// its bytes; off is its offset in record num, for errors.
func splitAttr(b []byte, num uint64, off int) (rawAttr, error) {
	a := rawAttr{
		typ:      binary.LittleEndian.Uint32(b),
		resident: b[8] == 0,
		flags:    binary.LittleEndian.Uint16(b[0x0C:]),
		off:      off,
	}
	if n := int(b[9]); n > 0 {
		no := int(binary.LittleEndian.Uint16(b[0x0A:]))
		if no+2*n > len(b) {
			return a, formatErr(num, off+0x0A, "attribute name (%d units at %#x) outside the attribute", n, no)
		}
		a.name = b[no : no+2*n]
	}
	if a.resident {
		vl := int(binary.LittleEndian.Uint32(b[0x10:]))
		vo := int(binary.LittleEndian.Uint16(b[0x14:]))
		if vl < 0 || vo > len(b) || vl > len(b)-vo {
			return a, formatErr(num, off+0x10, "resident value (%d bytes at %#x) outside the %d-byte attribute", vl, vo, len(b))
		}
		a.value = b[vo : vo+vl]
		return a, nil
	}
	if len(b) < 0x40 {
		return a, formatErr(num, off, "non-resident attribute header is %d bytes", len(b))
	}
	a.startVCN = binary.LittleEndian.Uint64(b[0x10:])
	lastVCN := binary.LittleEndian.Uint64(b[0x18:])
	ro := int(binary.LittleEndian.Uint16(b[0x20:]))
	a.compUnit = binary.LittleEndian.Uint16(b[0x22:])
	real := binary.LittleEndian.Uint64(b[0x30:])
	init := binary.LittleEndian.Uint64(b[0x38:])
	if real > maxStreamSize || init > maxStreamSize {
		return a, formatErr(num, off+0x30, "data size %d, initialized size %d", real, init)
	}
	a.realSize, a.initSize = int64(real), int64(init)
	if last := int64(lastVCN); a.startVCN >= maxVCN || last >= maxVCN || int64(a.startVCN) > last+1 {
		return a, formatErr(num, off+0x10, "VCN range %d-%d", a.startVCN, last)
	}
	if ro < 0x40 || ro > len(b) {
		return a, formatErr(num, off+0x20, "runlist offset %#x outside the %d-byte attribute", ro, len(b))
	}
	a.runOff, a.runlist = ro, b[ro:]
	return a, nil
}

// checkRuns decodes the runlist of a into scratch (reused) and returns
// the runs; the error is the one decode gives.
func (a *rawAttr) checkRuns(num uint64, scratch []run) ([]run, error) {
	runs, err := decodeRunsInto(scratch[:0], a.runlist, a.startVCN)
	if err != nil {
		return scratch, formatErr(num, a.off+a.runOff, "runlist: %v", err)
	}
	return runs, nil
}

// decode returns a as an attr that owns its data.
func (a *rawAttr) decode(num uint64) (attr, error) {
	d := attr{typ: a.typ, flags: a.flags, resident: a.resident, name: decodeUTF16(a.name)}
	if a.resident {
		d.value = append([]byte(nil), a.value...)
		return d, nil
	}
	d.startVCN, d.realSize, d.initSize, d.compUnit = a.startVCN, a.realSize, a.initSize, a.compUnit
	runs, err := a.checkRuns(num, nil)
	if err != nil {
		return d, err
	}
	d.runs = runs
	return d, nil
}

// decodeUTF16 converts little-endian UTF-16 to a string; unpaired
// surrogates become U+FFFD.
func decodeUTF16(b []byte) string {
	if len(b) < 2 {
		return ""
	}
	var sb strings.Builder
	sb.Grow(utf16Len(b))
	for i := 0; i+1 < len(b); {
		r, n := utf16Rune(b[i:])
		sb.WriteRune(r)
		i += n
	}
	return sb.String()
}

// appendUTF16 appends the UTF-8 form of little-endian UTF-16 b to dst, as
// decodeUTF16.
func appendUTF16(dst, b []byte) []byte {
	for i := 0; i+1 < len(b); {
		r, n := utf16Rune(b[i:])
		dst = utf8.AppendRune(dst, r)
		i += n
	}
	return dst
}

// utf16Len returns the length of the UTF-8 form of b.
func utf16Len(b []byte) int {
	n := 0
	for i := 0; i+1 < len(b); {
		r, k := utf16Rune(b[i:])
		n += utf8.RuneLen(r)
		i += k
	}
	return n
}

// utf16Rune decodes the rune at the start of b (at least 2 bytes) and
// returns it with the bytes it used (2 or 4); an unpaired surrogate is
// U+FFFD.
func utf16Rune(b []byte) (rune, int) {
	u := rune(binary.LittleEndian.Uint16(b))
	if u < 0xD800 || u > 0xDFFF {
		return u, 2
	}
	if u < 0xDC00 && len(b) >= 4 {
		if v := rune(binary.LittleEndian.Uint16(b[2:])); v >= 0xDC00 && v <= 0xDFFF {
			return utf16.DecodeRune(u, v), 4
		}
	}
	return utf8.RuneError, 2
}
