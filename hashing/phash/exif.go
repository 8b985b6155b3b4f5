package phash

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// Bounds on the orientation reader's work, whatever the input claims.
const (
	maxJPEGSegments = 4096    // markers and fill bytes before the scan
	maxChunks       = 4096    // PNG chunks before IDAT, WebP chunks
	maxIFDEntries   = 1 << 12 // entries read from IFD0
)

// ExifError reports malformed Exif or container data met while looking
// for the orientation, at a byte offset from the start of the input.
type ExifError struct {
	Offset int64
	Reason string
}

func (e *ExifError) Error() string {
	return fmt.Sprintf("phash: exif at offset %d: %s", e.Offset, e.Reason)
}

// ReadOrientation returns the EXIF orientation (1 to 8, TIFF tag 0x0112 in
// IFD0) of the image in r, which holds size bytes. It finds the Exif block
// in a JPEG (the first APP1 segment starting "Exif\x00\x00", before the
// scan), a PNG (the eXIf chunk before the image data), a WebP (the EXIF
// chunk) or a TIFF (IFD0 of the file itself). It returns 1, the upright
// orientation, with a nil error when the image has no orientation tag or
// is of another format, and an [*ExifError] when the containers or the
// Exif block are malformed or the value is out of range.
//
// ReadOrientation reads at most a few kilobytes outside the Exif block,
// bounds every count and checks every offset against size before reading.
func ReadOrientation(r io.ReaderAt, size int64) (int, error) {
	var head [16]byte
	n := int64(len(head))
	if size < n {
		n = max(size, 0)
	}
	if err := readAt(r, size, 0, head[:n]); err != nil {
		return 1, err
	}
	var exif *io.SectionReader
	var base int64
	var err error
	switch sniff(head[:n]) {
	case &jpegFormat:
		exif, base, err = jpegExif(r, size)
	case &pngFormat:
		exif, base, err = pngExif(r, size)
	case &webpFormat:
		exif, base, err = webpExif(r, size)
	case &tiffFormat:
		exif, base = io.NewSectionReader(r, 0, size), 0
	}
	if err != nil || exif == nil {
		return 1, err
	}
	return tiffOrientation(exif, base)
}

// readAt fills p from r at off, checking the range against size first so
// that a short read is an error and never a silent zero. The error's offset
// is kept within the input.
func readAt(r io.ReaderAt, size, off int64, p []byte) error {
	if off < 0 || off > size || int64(len(p)) > size-off {
		return &ExifError{min(max(off, 0), size), fmt.Sprintf("%d bytes needed at offset %d, input ends at %d", len(p), off, size)}
	}
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	return &ExifError{off + int64(n), fmt.Sprintf("read: %v", err)}
}

// exifHeader prefixes the TIFF data in a JPEG APP1 segment, and sometimes,
// against the specifications, in PNG and WebP too.
var exifHeader = []byte("Exif\x00\x00")

// exifSection returns the TIFF data of an Exif block of n bytes at off,
// skipping an "Exif\x00\x00" prefix when there is one.
func exifSection(r io.ReaderAt, size, off, n int64) (*io.SectionReader, int64, error) {
	if off < 0 || n < 0 || off > size || n > size-off {
		return nil, 0, &ExifError{min(max(off, 0), size), fmt.Sprintf("exif block of %d bytes at offset %d overruns input of %d", n, off, size)}
	}
	if n >= int64(len(exifHeader)) {
		var p [6]byte
		if err := readAt(r, size, off, p[:]); err != nil {
			return nil, 0, err
		}
		if bytes.Equal(p[:], exifHeader) {
			off, n = off+6, n-6
		}
	}
	return io.NewSectionReader(r, off, n), off, nil
}

// jpegExif walks the JPEG segments before the scan and returns the TIFF
// data of the first Exif APP1 segment, or nil when there is none.
// Segment layout (ITU T.81 B.1.1.4): 0xFF, marker, 2-byte big-endian
// length counting itself, payload. Markers 0xD0-0xD8 and 0x01 stand alone;
// extra 0xFF bytes before a marker are fill.
func jpegExif(r io.ReaderAt, size int64) (*io.SectionReader, int64, error) {
	off := int64(2) // after SOI
	var p [10]byte
	for range maxJPEGSegments {
		if err := readAt(r, size, off, p[:2]); err != nil {
			return nil, 0, err
		}
		if p[0] != 0xff {
			return nil, 0, &ExifError{off, fmt.Sprintf("byte %#02x where a marker should be", p[0])}
		}
		m := p[1]
		switch {
		case m == 0xff:
			off++
			continue
		case m == 0x01 || (m >= 0xd0 && m <= 0xd8):
			off += 2
			continue
		case m == 0xda || m == 0xd9:
			return nil, 0, nil // start of scan or end of image: no Exif
		}
		if err := readAt(r, size, off+2, p[2:4]); err != nil {
			return nil, 0, err
		}
		n := int64(binary.BigEndian.Uint16(p[2:4]))
		if n < 2 {
			return nil, 0, &ExifError{off + 2, fmt.Sprintf("segment length %d", n)}
		}
		if m == 0xe1 && n >= 2+int64(len(exifHeader)) {
			if err := readAt(r, size, off+4, p[4:10]); err != nil {
				return nil, 0, err
			}
			if bytes.Equal(p[4:10], exifHeader) {
				return exifSection(r, size, off+4, n-2)
			}
		}
		off += 2 + n
	}
	return nil, 0, &ExifError{off, fmt.Sprintf("more than %d segments before the scan", maxJPEGSegments)}
}

// pngExif walks the PNG chunks before the image data and returns the data
// of the eXIf chunk, or nil when there is none. Chunk layout (PNG third
// edition, 5.3): 4-byte big-endian data length, 4-byte type, data, CRC.
func pngExif(r io.ReaderAt, size int64) (*io.SectionReader, int64, error) {
	off := int64(8) // after the signature
	var p [8]byte
	for range maxChunks {
		if err := readAt(r, size, off, p[:]); err != nil {
			return nil, 0, err
		}
		n := int64(binary.BigEndian.Uint32(p[:4]))
		switch string(p[4:8]) {
		case "eXIf":
			return exifSection(r, size, off+8, n)
		case "IDAT", "IEND":
			return nil, 0, nil
		}
		off += 12 + n
	}
	return nil, 0, &ExifError{off, fmt.Sprintf("more than %d chunks before the image data", maxChunks)}
}

// webpExif walks the RIFF chunks of a WebP and returns the data of the
// EXIF chunk, or nil when there is none. Chunk layout (RFC 9649, 2.4):
// four-character code, 4-byte little-endian data length, data padded to an
// even length.
func webpExif(r io.ReaderAt, size int64) (*io.SectionReader, int64, error) {
	off := int64(12) // after "RIFF", the RIFF length and "WEBP"
	var p [8]byte
	for range maxChunks {
		if off >= size {
			return nil, 0, nil
		}
		if err := readAt(r, size, off, p[:]); err != nil {
			return nil, 0, err
		}
		n := int64(binary.LittleEndian.Uint32(p[4:8]))
		if string(p[:4]) == "EXIF" {
			return exifSection(r, size, off+8, n)
		}
		off += 8 + n + n&1
	}
	return nil, 0, &ExifError{off, fmt.Sprintf("more than %d chunks", maxChunks)}
}

// tiffOrientation reads tag 0x0112 from IFD0 of the TIFF data in t, which
// starts at offset base of the input (used for error offsets only).
// Layout (TIFF 6.0, section 2): "II" (little-endian) or "MM" (big-endian),
// the number 42, the 4-byte offset of IFD0; an IFD is a 2-byte entry count
// and 12-byte entries: tag, type, count, and the value when it fits in
// 4 bytes. Orientation is a SHORT (type 3); a LONG (type 4) is accepted too.
func tiffOrientation(t *io.SectionReader, base int64) (int, error) {
	size := t.Size()
	var h [8]byte
	if err := readAt(t, size, 0, h[:]); err != nil {
		return 1, rebase(err, base)
	}
	var bo binary.ByteOrder
	switch string(h[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1, &ExifError{base, fmt.Sprintf("byte order %q", h[:2])}
	}
	if bo.Uint16(h[2:4]) != 42 {
		return 1, &ExifError{base + 2, fmt.Sprintf("TIFF magic %d, want 42", bo.Uint16(h[2:4]))}
	}
	ifd := int64(bo.Uint32(h[4:8]))
	var c [2]byte
	if err := readAt(t, size, ifd, c[:]); err != nil {
		return 1, rebase(err, base)
	}
	count := int64(bo.Uint16(c[:]))
	if count > maxIFDEntries {
		return 1, &ExifError{base + ifd, fmt.Sprintf("IFD0 claims %d entries", count)}
	}
	entries := make([]byte, 12*count)
	if err := readAt(t, size, ifd+2, entries); err != nil {
		return 1, rebase(err, base)
	}
	for i := int64(0); i < count; i++ {
		e := entries[12*i : 12*i+12]
		if bo.Uint16(e[0:2]) != 0x0112 {
			continue
		}
		at := base + ifd + 2 + 12*i
		typ, n := bo.Uint16(e[2:4]), bo.Uint32(e[4:8])
		var v uint32
		switch {
		case n < 1:
			return 1, &ExifError{at, "orientation tag without a value"}
		case typ == 3:
			v = uint32(bo.Uint16(e[8:10]))
		case typ == 4:
			v = bo.Uint32(e[8:12])
		default:
			return 1, &ExifError{at, fmt.Sprintf("orientation tag of type %d", typ)}
		}
		if v < 1 || v > 8 {
			return 1, &ExifError{at + 8, fmt.Sprintf("orientation %d out of range 1-8", v)}
		}
		return int(v), nil
	}
	return 1, nil
}

// rebase shifts the offset of an [*ExifError] from a section to the input.
func rebase(err error, base int64) error {
	if e, ok := err.(*ExifError); ok {
		return &ExifError{e.Offset + base, e.Reason}
	}
	return err
}
