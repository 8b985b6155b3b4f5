package exif

import (
	"encoding/binary"
	"fmt"
)

// ifdKind names the IFDs this package reads.
type ifdKind uint8

const (
	kindIFD0 ifdKind = iota
	kindIFD1
	kindExif
	kindGPS
	kindInterop
)

func (k ifdKind) String() string {
	switch k {
	case kindIFD0:
		return "IFD0"
	case kindIFD1:
		return "IFD1"
	case kindExif:
		return "ExifIFD"
	case kindGPS:
		return "GPS"
	case kindInterop:
		return "InteropIFD"
	}
	return "IFD?"
}

// TIFF tag numbers used by the walker and by [decode].
const (
	tagExifIFD     = 0x8769
	tagGPSIFD      = 0x8825
	tagInteropIFD  = 0xA005
	tagThumbOffset = 0x0201
	tagThumbLength = 0x0202
)

// Limits on what one TIFF structure may make us do.
const (
	// maxValueBytes is the largest value that is decoded to text; longer
	// values are shown as "(Binary data N bytes)".
	maxValueBytes = 64 << 10
	// maxThumbnail is the largest thumbnail kept.
	maxThumbnail = 64 << 10
	// maxWarnings caps the Warning fields one file can add.
	maxWarnings = 16
)

// typeSize returns the size in bytes of one unit of a TIFF field type, or 0
// for a type go-exif does not decode (it skips such entries).
func typeSize(typ uint16) uint64 {
	switch typ {
	case 1, 2, 7: // BYTE, ASCII, UNDEFINED
		return 1
	case 3: // SHORT
		return 2
	case 4, 9, 11: // LONG, SLONG, FLOAT
		return 4
	case 5, 10, 12: // RATIONAL, SRATIONAL, DOUBLE
		return 8
	}
	return 0
}

// rawEntry is one IFD entry as stored: 12 bytes at Offset within the TIFF
// structure.
type rawEntry struct {
	Kind   ifdKind
	Tag    uint16
	Type   uint16
	Count  uint32
	Value  uint32 // the value/offset field, in the structure's byte order
	Offset uint32 // where the entry starts
	Size   uint64 // Count * the type's size
}

// tiffInfo is what [prepareTIFF] learnt about a TIFF structure.
type tiffInfo struct {
	order    binary.ByteOrder
	first    uint32 // offset of the root IFD
	entries  []rawEntry
	warnings []string
	// extent is the end of the furthest IFD or value (of at most
	// maxValueBytes) that the walked IFDs refer to; a TIFF file's prefix
	// of that length holds everything decode needs.
	extent uint64
	// thumbOff and thumbLen locate IFD1's JPEG thumbnail (both zero when
	// there is none).
	thumbOff, thumbLen uint32
	thumbFound         bool
}

func (ti *tiffInfo) warn(format string, args ...any) {
	if len(ti.warnings) < maxWarnings {
		ti.warnings = append(ti.warnings, fmt.Sprintf(format, args...))
	}
}

// tiffHeader checks the 8-byte TIFF header at the start of b and returns the
// byte order and the root IFD offset. Olympus ORF ("IIRO", "IIRS", "MMOR")
// and Panasonic RW2 ("IIU\0") magic numbers are accepted too.
func tiffHeader(b []byte) (binary.ByteOrder, uint32, error) {
	if len(b) < 8 {
		return nil, 0, &FormatError{Offset: 0, Msg: "TIFF header truncated", Err: ErrNoEXIF}
	}
	var order binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return nil, 0, &FormatError{Offset: 0, Msg: "no TIFF byte-order mark", Err: ErrNoEXIF}
	}
	switch magic := order.Uint16(b[2:4]); magic {
	case 42, 0x4f52, 0x5352, 0x55: // TIFF, ORF "RO"/"RS", RW2
	case 43:
		return nil, 0, &FormatError{Offset: 2, Msg: "BigTIFF is not supported", Err: ErrNoEXIF}
	default:
		return nil, 0, &FormatError{Offset: 2, Msg: fmt.Sprintf("TIFF magic number %#x", magic), Err: ErrNoEXIF}
	}
	return order, order.Uint32(b[4:8]), nil
}

// prepareTIFF walks the TIFF structure in b (which starts with the TIFF
// header) from its root IFD, which is of kind root: IFD0 and the IFD1 that
// follows it, and the Exif, GPS and Interoperability IFDs they point to.
//
// It then rewrites b in place so that go-exif, which trusts the structure,
// stays within bounded time and memory:
//
//   - an IFD whose entries run past the end of b has its entry count cut to
//     the entries that fit (with room for the next-IFD link);
//   - next-IFD links are cut to zero, except IFD0's link to IFD1, so an IFD
//     chain can neither loop nor run on;
//   - a pointer to a child IFD that is out of bounds, already visited, a
//     duplicate, or in IFD1 is disabled, so each IFD is read at most once;
//   - an entry whose value lies outside b is disabled;
//   - IFD1's thumbnail tags are disabled (go-exif would allocate the length
//     they claim); this package reads the thumbnail itself.
//
// An entry is disabled by setting its type field to 0, which go-exif skips.
// Every repair adds a warning. b must be the caller's own copy.
//
// With modify false, b is only read (and may be shared): prepareTIFF then
// serves to learn extent, which also counts the IFDs and values that lie
// beyond b, so that a TIFF file's reader knows how much of it to read. On
// an error, the tiffInfo is still returned when the header was valid.
func prepareTIFF(b []byte, root ifdKind, modify bool) (*tiffInfo, error) {
	order, first, err := tiffHeader(b)
	if err != nil {
		return nil, err
	}
	put16 := func(off uint64, v uint16) {
		if modify {
			order.PutUint16(b[off:], v)
		}
	}
	put32 := func(off uint64, v uint32) {
		if modify {
			order.PutUint32(b[off:], v)
		}
	}
	if magic := order.Uint16(b[2:4]); magic != 42 {
		put16(2, 42) // go-exif knows only the TIFF magic
	}
	ti := &tiffInfo{order: order, first: first, extent: max(8, uint64(first)+6)}
	n := uint64(len(b))
	if !ifdFits(first, n) {
		return ti, &FormatError{Offset: int64(first), Msg: "root IFD outside the data", Err: ErrNoEXIF}
	}

	queue := []queuedIFD{{first, root}}
	var visited []uint32
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		visited = append(visited, q.off)
		off := uint64(q.off)
		count := uint64(order.Uint16(b[off:]))
		fit := (n - off - 6) / 12
		ti.extent = max(ti.extent, off+2+12*count+4)
		if count > fit {
			ti.warn("%s at offset %d: %d entries, only %d fit in the data", q.kind, off, count, fit)
			count = fit
			put16(off, uint16(count))
		}
		end := off + 2 + 12*count + 4
		ti.extent = max(ti.extent, end)
		haveChild := map[uint16]bool{}
		for i := range count {
			eo := off + 2 + 12*i
			e := rawEntry{
				Kind:   q.kind,
				Tag:    order.Uint16(b[eo:]),
				Type:   order.Uint16(b[eo+2:]),
				Count:  order.Uint32(b[eo+4:]),
				Value:  order.Uint32(b[eo+8:]),
				Offset: uint32(eo),
			}
			e.Size = uint64(e.Count) * typeSize(e.Type)
			disable := func(why string) {
				ti.warn("%s tag %#04x at offset %d: %s", q.kind, e.Tag, eo, why)
				put16(eo+2, 0)
				e.Type = 0
			}
			if e.Size > 4 && e.Size <= maxValueBytes {
				ti.extent = max(ti.extent, uint64(e.Value)+e.Size)
			}
			if e.Size > 4 && uint64(e.Value)+e.Size > n {
				disable(fmt.Sprintf("value of %d bytes at offset %d lies outside the data", e.Size, e.Value))
			}
			if q.kind == kindIFD1 && (e.Tag == tagThumbOffset || e.Tag == tagThumbLength) {
				if e.Type == 4 && e.Count == 1 || e.Type == 3 && e.Count == 1 {
					v := e.Value
					if e.Type == 3 {
						v = uint32(order.Uint16(b[eo+8:]))
					}
					if e.Tag == tagThumbOffset {
						ti.thumbOff = v
					} else {
						ti.thumbLen = v
					}
					ti.thumbFound = true
				}
				put16(eo+2, 0) // read here, not by go-exif
			}
			if child, ok := childKind(q.kind, e.Tag); ok && e.Type != 0 {
				if e.Type == 13 && e.Count == 1 { // IFD, as TIFF-EP allows
					put16(eo+2, 4) // go-exif expects LONG
					e.Type = 4
				}
				switch {
				case q.kind == kindIFD1:
					disable("IFD pointer in IFD1 not followed")
				case e.Type != 4 || e.Count != 1:
					disable("IFD pointer of the wrong type")
				case haveChild[e.Tag]:
					disable("second pointer to the same IFD")
				case !ifdFits(e.Value, n):
					ti.extent = max(ti.extent, uint64(e.Value)+6)
					disable(fmt.Sprintf("IFD at offset %d lies outside the data", e.Value))
				case contains(visited, e.Value) || queuedAt(queue, e.Value):
					disable(fmt.Sprintf("IFD at offset %d already read", e.Value))
				default:
					haveChild[e.Tag] = true
					queue = append(queue, queuedIFD{e.Value, child})
				}
			}
			ti.entries = append(ti.entries, e)
		}
		// The next-IFD link.
		lo := off + 2 + 12*count
		next := order.Uint32(b[lo:])
		keep := false
		if q.kind == kindIFD0 && root == kindIFD0 && next != 0 {
			switch {
			case !ifdFits(next, n):
				ti.extent = max(ti.extent, uint64(next)+6)
				ti.warn("IFD1 at offset %d lies outside the data", next)
			case contains(visited, next) || queuedAt(queue, next):
				ti.warn("IFD1 at offset %d already read", next)
			default:
				keep = true
				queue = append(queue, queuedIFD{next, kindIFD1})
			}
		}
		if !keep && next != 0 {
			put32(lo, 0)
		}
	}
	if ti.thumbFound && ti.thumbLen > 0 && ti.thumbLen <= maxThumbnail {
		ti.extent = max(ti.extent, uint64(ti.thumbOff)+uint64(ti.thumbLen))
	}
	return ti, nil
}

// ifdFits reports whether an IFD's entry count and next-IFD link (6 bytes)
// at off lie within n bytes, after the 8-byte header.
func ifdFits(off uint32, n uint64) bool {
	return off >= 8 && uint64(off)+6 <= n
}

// childKind returns the kind of IFD that tag points to from an IFD of kind
// k, following go-exif's standard IFD mapping.
func childKind(k ifdKind, tag uint16) (ifdKind, bool) {
	switch {
	case (k == kindIFD0 || k == kindIFD1) && tag == tagExifIFD:
		return kindExif, true
	case (k == kindIFD0 || k == kindIFD1) && tag == tagGPSIFD:
		return kindGPS, true
	case k == kindExif && tag == tagInteropIFD:
		return kindInterop, true
	}
	return 0, false
}

func contains(s []uint32, v uint32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// queuedIFD is an IFD waiting to be walked.
type queuedIFD struct {
	off  uint32
	kind ifdKind
}

func queuedAt(q []queuedIFD, off uint32) bool {
	for _, x := range q {
		if x.off == off {
			return true
		}
	}
	return false
}
