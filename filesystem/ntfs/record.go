package ntfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"unicode/utf16"
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

// Attribute header flags.
const (
	attrFlagCompressed = 0x00FF
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

// parseRecord applies the fixups to buf (in place) and decodes the record
// header and its attributes. It returns errNoRecord, wrapped, when buf has
// no FILE signature.
func parseRecord(buf []byte, num uint64) (*record, error) {
	if len(buf) < minRecordSize || len(buf) > maxRecordSize || bits.OnesCount(uint(len(buf))) != 1 {
		return nil, formatErr(num, 0, "record size %d", len(buf))
	}
	if string(buf[:4]) != "FILE" {
		return nil, fmt.Errorf("ntfs: MFT record %d: signature %q: %w", num, buf[:4], errNoRecord)
	}
	if err := applyFixups(buf, num); err != nil {
		return nil, err
	}
	r := &record{
		num:     num,
		seq:     binary.LittleEndian.Uint16(buf[0x10:]),
		flags:   binary.LittleEndian.Uint16(buf[0x16:]),
		baseRef: binary.LittleEndian.Uint64(buf[0x20:]) & refMask,
	}
	first := int(binary.LittleEndian.Uint16(buf[0x14:]))
	used := int(binary.LittleEndian.Uint32(buf[0x18:]))
	if used > len(buf) || used < 0x18 {
		return nil, formatErr(num, 0x18, "bytes in use %d outside the %d-byte record", used, len(buf))
	}
	if first < 0x18 || first+4 > used {
		return nil, formatErr(num, 0x14, "first attribute at %#x outside the %d bytes in use", first, used)
	}
	off := first
	for {
		if off+4 > used {
			return nil, formatErr(num, off, "attribute list runs past the bytes in use (%d)", used)
		}
		typ := binary.LittleEndian.Uint32(buf[off:])
		if typ == attrEnd {
			break
		}
		if len(r.attrs) >= maxAttrsPerRecord {
			return nil, formatErr(num, off, "more than %d attributes", maxAttrsPerRecord)
		}
		if off+0x10 > used {
			return nil, formatErr(num, off, "attribute header runs past the bytes in use (%d)", used)
		}
		length := int(binary.LittleEndian.Uint32(buf[off+4:]))
		if length < 0x18 || length > used-off {
			return nil, formatErr(num, off, "attribute length %d", length)
		}
		a, err := parseAttr(buf[off:off+length], num, off)
		if err != nil {
			return nil, err
		}
		r.attrs = append(r.attrs, a)
		off += length
	}
	return r, nil
}

// parseAttr decodes one attribute from b, which holds exactly its bytes;
// off is its offset in record num, for errors.
func parseAttr(b []byte, num uint64, off int) (attr, error) {
	a := attr{
		typ:      binary.LittleEndian.Uint32(b),
		resident: b[8] == 0,
		flags:    binary.LittleEndian.Uint16(b[0x0C:]),
	}
	if n := int(b[9]); n > 0 {
		no := int(binary.LittleEndian.Uint16(b[0x0A:]))
		if no+2*n > len(b) {
			return a, formatErr(num, off+0x0A, "attribute name (%d units at %#x) outside the attribute", n, no)
		}
		a.name = decodeUTF16(b[no : no+2*n])
	}
	if a.resident {
		vl := int(binary.LittleEndian.Uint32(b[0x10:]))
		vo := int(binary.LittleEndian.Uint16(b[0x14:]))
		if vl < 0 || vo > len(b) || vl > len(b)-vo {
			return a, formatErr(num, off+0x10, "resident value (%d bytes at %#x) outside the %d-byte attribute", vl, vo, len(b))
		}
		a.value = append([]byte(nil), b[vo:vo+vl]...)
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
	runs, err := decodeRuns(b[ro:], a.startVCN)
	if err != nil {
		return a, formatErr(num, off+ro, "runlist: %v", err)
	}
	a.runs = runs
	return a, nil
}

// decodeUTF16 converts little-endian UTF-16 to a string; unpaired
// surrogates become U+FFFD.
func decodeUTF16(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}
