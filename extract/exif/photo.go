package exif

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/pangolin-forensics/pangolin/extract"
)

// ErrNoEXIF means the file holds no EXIF data (nor an XMP position) that
// this package reads: the format is not one it knows, or the file has no
// EXIF segment, chunk or item.
var ErrNoEXIF = errors.New("no EXIF data")

// FormatError is a structure in the file that cannot be read. Offset is
// the byte offset in the file where the problem lies.
type FormatError struct {
	Offset int64
	Msg    string
	Err    error // the cause, if any; often ErrNoEXIF
}

func (e *FormatError) Error() string {
	s := fmt.Sprintf("exif: offset %d: %s", e.Offset, e.Msg)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *FormatError) Unwrap() error { return e.Err }

// Size limits for what is read from the file.
const (
	// headSize is how much of the file is read at once to start with.
	headSize = 64 << 10
	// maxTIFFRead caps the prefix of a TIFF or RAW file that is read.
	maxTIFFRead = 16 << 20
	// maxItem caps one EXIF or XMP block read from PNG, WebP or ISO BMFF.
	maxItem = 1 << 20
	// maxBlocks caps the segments, chunks or boxes walked in one file.
	maxBlocks = 1 << 16
)

// source reads the evidence file, serving reads within the head from one
// buffer.
type source struct {
	r    io.ReaderAt
	size int64
	head []byte
}

func newSource(r io.ReaderAt, size int64) (*source, error) {
	if size < 0 {
		return nil, fmt.Errorf("exif: negative size %d", size)
	}
	s := &source{r: r, size: size}
	h, err := s.readNew(0, min(size, headSize))
	if err != nil {
		return nil, err
	}
	s.head = h
	return s, nil
}

// readNew reads n bytes at off into a new buffer. The range must lie
// within the file.
func (s *source) readNew(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > s.size || n > s.size-off {
		return nil, &FormatError{Offset: off, Msg: fmt.Sprintf("%d bytes past the end of the file", n)}
	}
	b := make([]byte, n)
	got, err := s.r.ReadAt(b, off)
	if got == len(b) {
		return b, nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return nil, fmt.Errorf("exif: read %d bytes at offset %d: %w", n, off, err)
}

// read returns n bytes at off: a slice of the head when it lies there,
// else a new buffer. Callers must not modify the result.
func (s *source) read(off, n int64) ([]byte, error) {
	if off >= 0 && n >= 0 && off <= int64(len(s.head)) && n <= int64(len(s.head))-off {
		return s.head[off : off+n], nil
	}
	return s.readNew(off, n)
}

// owned returns n bytes at off in a buffer the caller may modify.
func (s *source) owned(off, n int64) ([]byte, error) {
	b, err := s.read(off, n)
	if err != nil {
		return nil, err
	}
	if off < int64(len(s.head)) {
		b = append([]byte(nil), b...)
	}
	return b, nil
}

// tiffBlock is one TIFF structure found in a container.
type tiffBlock struct {
	data []byte // private copy, starting with the TIFF header
	off  int64  // its offset in the file
	root ifdKind
}

// found is what a container reader located.
type found struct {
	tiffs []tiffBlock
	xmp   []byte
}

// Photo reads the EXIF metadata of the photo whose content r holds (size
// bytes): JPEG, TIFF and TIFF-based RAW (DNG, NEF, CR2, ARW, ORF, RW2 and
// others), PNG, WebP, HEIC/HEIF/AVIF and Canon CR3, told apart by their
// first bytes, and XMP sidecar files.
//
// It returns an error wrapping [ErrNoEXIF] when the content is none of
// those or holds no EXIF (and no XMP position), and a [*FormatError] when
// the container or the EXIF structure is broken before anything could be
// read. Damage found after some fields were read is reported as "Warning"
// fields instead. Photo is safe for concurrent use; it reads r only
// through ReadAt.
func Photo(r io.ReaderAt, size int64) (md *extract.Metadata, err error) {
	defer func() {
		if p := recover(); p != nil {
			md, err = nil, fmt.Errorf("exif: internal error: %v", p)
		}
	}()
	s, err := newSource(r, size)
	if err != nil {
		return nil, err
	}
	h := s.head
	var f found
	switch {
	case len(h) >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF:
		err = s.jpeg(&f)
	case bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n")):
		err = s.png(&f)
	case len(h) >= 12 && string(h[:4]) == "RIFF" && string(h[8:12]) == "WEBP":
		err = s.webp(&f)
	case len(h) >= 12 && string(h[4:8]) == "ftyp":
		err = s.bmff(&f)
	case isTIFF(h):
		err = s.tiff(&f)
	case isXMP(h):
		f.xmp, err = s.read(0, min(size, maxItem))
	default:
		return nil, fmt.Errorf("exif: not a photo format read here: %w", ErrNoEXIF)
	}
	if err != nil && len(f.tiffs) == 0 && f.xmp == nil {
		return nil, err
	}
	return assemble(&f, err)
}

// assemble decodes what a container reader found. cerr is an error the
// container reader met after finding something.
func assemble(f *found, cerr error) (*extract.Metadata, error) {
	d := newDecoder()
	if cerr != nil {
		d.warning(cerr.Error())
	}
	var firstErr error
	read := 0
	for _, t := range f.tiffs {
		if _, err := d.tiff(t.data, t.root, t.off); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			d.warning(err.Error())
			continue
		}
		read++
	}
	d.finish()
	_, exifGPS := d.rats[tagKey{kindGPS, 0x0002}]
	if !exifGPS {
		_, exifGPS = d.rats[tagKey{kindGPS, 0x0004}]
	}
	if f.xmp != nil {
		g, fields := xmpGPS(f.xmp)
		d.md.Fields = append(d.md.Fields, fields...)
		if !exifGPS && g != nil {
			d.md.GPS = g
		}
		if read == 0 && g != nil {
			d.md.Format = "xmp"
			return &d.md, nil
		}
	}
	if read == 0 {
		if firstErr != nil {
			return nil, firstErr
		}
		return nil, fmt.Errorf("exif: no EXIF block: %w", ErrNoEXIF)
	}
	return &d.md, nil
}

func isTIFF(h []byte) bool {
	if len(h) < 8 {
		return false
	}
	switch string(h[:4]) {
	case "II*\x00", "MM\x00*", "IIRO", "IIRS", "MMOR", "IIU\x00":
		return true
	}
	return false
}

func isXMP(h []byte) bool {
	h = bytes.TrimPrefix(h, []byte("\xef\xbb\xbf"))
	h = bytes.TrimLeft(h, " \t\r\n")
	return bytes.HasPrefix(h, []byte("<?xpacket")) || bytes.HasPrefix(h, []byte("<x:xmpmeta")) ||
		bytes.HasPrefix(h, []byte("<rdf:RDF")) || bytes.HasPrefix(h, []byte("<x:xapmeta"))
}

// jpeg walks the JPEG marker segments up to the start of scan and keeps
// the first APP1 "Exif" segment and the first APP1 XMP packet. Image data
// is never read.
func (s *source) jpeg(f *found) error {
	off := int64(2)
	for range maxBlocks {
		b, err := s.read(off, 4)
		if err != nil {
			return err
		}
		if b[0] != 0xFF {
			return &FormatError{Offset: off, Msg: "JPEG marker expected"}
		}
		m := b[1]
		switch {
		case m == 0xFF: // fill byte
			off++
			continue
		case m == 0x01 || m == 0xD8 || m >= 0xD0 && m <= 0xD7: // no length
			off += 2
			continue
		case m == 0xD9 || m == 0xDA: // end of image, start of scan
			return nil
		}
		n := int64(binary.BigEndian.Uint16(b[2:]))
		if n < 2 {
			return &FormatError{Offset: off, Msg: fmt.Sprintf("JPEG segment length %d", n)}
		}
		if m == 0xE1 && (f.tiffs == nil || f.xmp == nil) {
			p, err := s.read(off+4, n-2)
			if err != nil {
				return err
			}
			const xmpSig = "http://ns.adobe.com/xap/1.0/\x00"
			switch {
			case f.tiffs == nil && len(p) >= 6 && string(p[:4]) == "Exif" && p[4] == 0:
				f.tiffs = append(f.tiffs, tiffBlock{data: append([]byte(nil), p[6:]...), off: off + 10, root: kindIFD0})
			case f.xmp == nil && bytes.HasPrefix(p, []byte(xmpSig)):
				f.xmp = p[len(xmpSig):]
			}
		}
		off += 2 + n
	}
	return &FormatError{Offset: off, Msg: "too many JPEG segments"}
}

// tiff reads a TIFF or TIFF-based RAW file: the prefix that holds its
// first IFDs and their values, at most maxTIFFRead bytes.
func (s *source) tiff(f *found) error {
	b := s.head
	limit := min(s.size, maxTIFFRead)
	for range 8 {
		ti, err := prepareTIFF(b, kindIFD0, false)
		if ti == nil {
			return err
		}
		need := int64(min(ti.extent, uint64(limit)))
		if need <= int64(len(b)) {
			break
		}
		more, err := s.readNew(int64(len(b)), need-int64(len(b)))
		if err != nil {
			return err
		}
		b = append(b[:len(b):len(b)], more...)
	}
	if len(b) == len(s.head) {
		b = append([]byte(nil), b...)
	}
	f.tiffs = append(f.tiffs, tiffBlock{data: b, off: 0, root: kindIFD0})
	return nil
}

// png walks the PNG chunks for an eXIf chunk, a "Raw profile type exif"
// or "APP1" text chunk (as ImageMagick writes) and an XMP iTXt chunk.
// Chunk data other than those is never read.
func (s *source) png(f *found) error {
	off := int64(8)
	for range maxBlocks {
		if off+12 > s.size {
			return nil // no IEND: truncated, keep what was found
		}
		h, err := s.read(off, 8)
		if err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint32(h))
		typ := string(h[4:8])
		if n > s.size-off-12 {
			return &FormatError{Offset: off, Msg: fmt.Sprintf("PNG chunk %q of %d bytes runs past the end", typ, n)}
		}
		switch typ {
		case "IEND":
			return nil
		case "eXIf", "zTXt", "iTXt", "tEXt":
			if n > maxItem {
				break
			}
			p, err := s.read(off+8, n)
			if err != nil {
				return err
			}
			if typ == "eXIf" {
				if f.tiffs == nil {
					if bytes.HasPrefix(p, []byte("Exif\x00\x00")) {
						p = p[6:]
					}
					f.tiffs = append(f.tiffs, tiffBlock{data: append([]byte(nil), p...), off: off + 8, root: kindIFD0})
				}
				break
			}
			key, text, ok := pngText(typ, p)
			if !ok {
				break
			}
			switch key {
			case "Raw profile type exif", "Raw profile type APP1":
				if raw, ok := rawProfile(text); ok && f.tiffs == nil {
					if bytes.HasPrefix(raw, []byte("Exif\x00\x00")) {
						raw = raw[6:]
					}
					f.tiffs = append(f.tiffs, tiffBlock{data: raw, off: off + 8, root: kindIFD0})
				}
			case "XML:com.adobe.xmp":
				if f.xmp == nil {
					f.xmp = text
				}
			}
		}
		off += 12 + n
	}
	return &FormatError{Offset: off, Msg: "too many PNG chunks"}
}

// webp walks the RIFF chunks of a WebP file for the EXIF and "XMP " chunks.
func (s *source) webp(f *found) error {
	end := min(s.size, 8+int64(binary.LittleEndian.Uint32(s.head[4:8])))
	off := int64(12)
	for range maxBlocks {
		if off+8 > end {
			return nil
		}
		h, err := s.read(off, 8)
		if err != nil {
			return err
		}
		typ := string(h[:4])
		n := int64(binary.LittleEndian.Uint32(h[4:]))
		if n > end-off-8 {
			return &FormatError{Offset: off, Msg: fmt.Sprintf("RIFF chunk %q of %d bytes runs past the end", typ, n)}
		}
		if (typ == "EXIF" || typ == "XMP ") && n <= maxItem {
			p, err := s.read(off+8, n)
			if err != nil {
				return err
			}
			if typ == "EXIF" && f.tiffs == nil {
				start := off + 8
				if bytes.HasPrefix(p, []byte("Exif\x00\x00")) {
					p, start = p[6:], start+6
				}
				f.tiffs = append(f.tiffs, tiffBlock{data: append([]byte(nil), p...), off: start, root: kindIFD0})
			} else if typ == "XMP " && f.xmp == nil {
				f.xmp = p
			}
		}
		off += 8 + n + n&1
	}
	return &FormatError{Offset: off, Msg: "too many RIFF chunks"}
}
