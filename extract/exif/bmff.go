package exif

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// ISO base media file format (ISO/IEC 14496-12) as used by HEIF (ISO/IEC
// 23008-12: HEIC, HEIF, AVIF) and Canon CR3.
//
// A box is a 32-bit big-endian size (including the header), a four-letter
// type, then for size 1 a 64-bit size, and for type "uuid" a 16-byte user
// type. Size 0 means "to the end of the enclosing box". A full box adds a
// version byte and 24 bits of flags.
//
// HEIF keeps EXIF as an item: the "meta" box (a full box) holds "iinf",
// whose "infe" entries give each item's ID and type ("Exif", or "mime" with
// a content type, e.g. XMP as "application/rdf+xml"), and "iloc", which
// gives each item's extents (file offsets, or offsets into the "idat"
// box). An Exif item starts with a 32-bit big-endian offset from the end of
// that field to the TIFF header (usually 6, skipping "Exif\0\0").
//
// CR3 keeps EXIF in "moov" > uuid 85c0b687-820f-11e0-8111-f4ce462b6a48,
// whose "CMT1" (IFD0), "CMT2" (Exif IFD) and "CMT4" (GPS IFD) boxes each
// hold a whole TIFF structure; its XMP is in the top-level uuid
// be7acfcb-97a9-42e8-9c71-999491e3afac.

var (
	uuidCanon = []byte("\x85\xc0\xb6\x87\x82\x0f\x11\xe0\x81\x11\xf4\xce\x46\x2b\x6a\x48")
	uuidXMP   = []byte("\xbe\x7a\xcf\xcb\x97\xa9\x42\xe8\x9c\x71\x99\x94\x91\xe3\xaf\xac")
)

// maxMeta caps the HEIF "meta" box read into memory.
const maxMeta = 4 << 20

// box is one box header, with offsets in the file.
type box struct {
	typ        string
	start, end int64 // the whole box
	data       int64 // where its payload starts (after size, type, uuid)
	uuid       []byte
}

// boxes calls fn for each box in the file range [start, end), reading only
// the headers, until fn returns false.
func (s *source) boxes(start, end int64, fn func(box) (bool, error)) error {
	off := start
	for range maxBlocks {
		if off+8 > end {
			return nil
		}
		h, err := s.read(off, min(32, end-off))
		if err != nil {
			return err
		}
		bx, err := parseBox(h, off, end)
		if err != nil {
			return err
		}
		if more, err := fn(bx); err != nil || !more {
			return err
		}
		off = bx.end
	}
	return &FormatError{Offset: off, Msg: "too many boxes"}
}

// parseBox parses the box header in h (at least 8 bytes, up to 32), which
// lies at off in a range that ends at end.
func parseBox(h []byte, off, end int64) (box, error) {
	size := int64(binary.BigEndian.Uint32(h))
	bx := box{typ: string(h[4:8]), start: off, data: off + 8}
	switch size {
	case 0:
		size = end - off
	case 1:
		if len(h) < 16 {
			return bx, &FormatError{Offset: off, Msg: "box header truncated"}
		}
		s64 := binary.BigEndian.Uint64(h[8:])
		if s64 > uint64(end-off) {
			return bx, &FormatError{Offset: off, Msg: fmt.Sprintf("box %q of %d bytes runs past its parent", bx.typ, s64)}
		}
		size = int64(s64)
		bx.data += 8
	}
	if size < bx.data-off || size > end-off {
		return bx, &FormatError{Offset: off, Msg: fmt.Sprintf("box %q size %d", bx.typ, size)}
	}
	if bx.typ == "uuid" {
		u := bx.data - off
		if size < u+16 || int64(len(h)) < u+16 {
			return bx, &FormatError{Offset: off, Msg: "uuid box truncated"}
		}
		bx.uuid = h[u : u+16]
		bx.data += 16
	}
	bx.end = off + size
	return bx, nil
}

// bmff reads the EXIF of a HEIF or CR3 file.
func (s *source) bmff(f *found) error {
	return s.boxes(0, s.size, func(bx box) (bool, error) {
		switch {
		case bx.typ == "meta":
			if err := s.heifMeta(bx, f); err != nil {
				return false, err
			}
		case bx.typ == "moov":
			if err := s.cr3(bx, f); err != nil {
				return false, err
			}
		case bx.typ == "uuid" && bytes.Equal(bx.uuid, uuidXMP) && f.xmp == nil && bx.end-bx.data <= maxItem:
			p, err := s.read(bx.data, bx.end-bx.data)
			if err != nil {
				return false, err
			}
			f.xmp = p
		}
		return true, nil
	})
}

// cr3 reads the CMT boxes of a CR3 file's Canon uuid box inside moov.
func (s *source) cr3(moov box, f *found) error {
	return s.boxes(moov.data, moov.end, func(bx box) (bool, error) {
		if bx.typ != "uuid" || !bytes.Equal(bx.uuid, uuidCanon) {
			return true, nil
		}
		err := s.boxes(bx.data, bx.end, func(c box) (bool, error) {
			var root ifdKind
			switch c.typ {
			case "CMT1":
				root = kindIFD0
			case "CMT2":
				root = kindExif
			case "CMT4":
				root = kindGPS
			default:
				return true, nil
			}
			if c.end-c.data > maxItem {
				return true, nil
			}
			p, err := s.owned(c.data, c.end-c.data)
			if err != nil {
				return false, err
			}
			f.tiffs = append(f.tiffs, tiffBlock{data: p, off: c.data, root: root})
			return true, nil
		})
		return false, err
	})
}

// cursor decodes big-endian fields from one buffer; a read past the end
// sets bad and returns zero.
type cursor struct {
	b   []byte
	pos int
	bad bool
}

func (c *cursor) take(n int) []byte {
	if c.bad || n < 0 || n > len(c.b)-c.pos {
		c.bad = true
		return nil
	}
	p := c.b[c.pos : c.pos+n]
	c.pos += n
	return p
}

func (c *cursor) u8() uint64 {
	if p := c.take(1); p != nil {
		return uint64(p[0])
	}
	return 0
}

func (c *cursor) u16() uint64 {
	if p := c.take(2); p != nil {
		return uint64(binary.BigEndian.Uint16(p))
	}
	return 0
}

func (c *cursor) u32() uint64 {
	if p := c.take(4); p != nil {
		return uint64(binary.BigEndian.Uint32(p))
	}
	return 0
}

// uN reads an n-byte field, n being 0, 4 or 8 (iloc's sizes).
func (c *cursor) uN(n uint64) uint64 {
	switch n {
	case 0:
		return 0
	case 4:
		return c.u32()
	case 8:
		if p := c.take(8); p != nil {
			return binary.BigEndian.Uint64(p)
		}
		return 0
	}
	c.bad = true
	return 0
}

// cstring reads a NUL-terminated string.
func (c *cursor) cstring() string {
	if c.bad {
		return ""
	}
	i := bytes.IndexByte(c.b[c.pos:], 0)
	if i < 0 {
		c.bad = true
		return ""
	}
	s := string(c.b[c.pos : c.pos+i])
	c.pos += i + 1
	return s
}

// extent is one piece of an item: length bytes at offset, in the file
// (method 0) or in the idat box (method 1).
type extent struct {
	method         uint64
	offset, length uint64
}

// heifMeta reads the Exif and XMP items of a HEIF meta box.
func (s *source) heifMeta(meta box, f *found) error {
	if meta.end-meta.data > maxMeta {
		return &FormatError{Offset: meta.start, Msg: fmt.Sprintf("meta box of %d bytes", meta.end-meta.data)}
	}
	m, err := s.read(meta.data, meta.end-meta.data)
	if err != nil {
		return err
	}
	if len(m) < 4 {
		return &FormatError{Offset: meta.start, Msg: "meta box truncated"}
	}
	base := meta.data
	var exifIDs, xmpIDs []uint64
	locs := map[uint64][]extent{}
	var idat []byte
	var idatOff int64
	// The children of meta, after its version and flags.
	pos := int64(4)
	for range maxBlocks {
		if pos+8 > int64(len(m)) {
			break
		}
		bx, err := parseBox(m[pos:min(pos+32, int64(len(m)))], pos, int64(len(m)))
		if err != nil {
			err.(*FormatError).Offset += base
			return err
		}
		body := m[bx.data:bx.end]
		switch bx.typ {
		case "iinf":
			exifIDs, xmpIDs = parseIinf(body)
		case "iloc":
			locs = parseIloc(body)
		case "idat":
			idat, idatOff = body, base+bx.data
		}
		pos = bx.end
	}
	get := func(id uint64) ([]byte, int64, error) {
		var out []byte
		var at int64 = -1
		for _, e := range locs[id] {
			if e.length > maxItem || uint64(len(out))+e.length > maxItem {
				return nil, 0, &FormatError{Offset: meta.start, Msg: fmt.Sprintf("item %d larger than %d bytes", id, maxItem)}
			}
			var p []byte
			var off int64
			switch e.method {
			case 0:
				if e.offset > uint64(s.size) || e.length > uint64(s.size)-e.offset {
					return nil, 0, &FormatError{Offset: meta.start, Msg: fmt.Sprintf("item %d extent at %d past the end of the file", id, e.offset)}
				}
				off = int64(e.offset)
				if p, err = s.read(off, int64(e.length)); err != nil {
					return nil, 0, err
				}
			case 1:
				if e.offset > uint64(len(idat)) || e.length > uint64(len(idat))-e.offset {
					return nil, 0, &FormatError{Offset: meta.start, Msg: fmt.Sprintf("item %d extent outside idat", id)}
				}
				off = idatOff + int64(e.offset)
				p = idat[e.offset : e.offset+e.length]
			default:
				return nil, 0, &FormatError{Offset: meta.start, Msg: fmt.Sprintf("item %d construction method %d not supported", id, e.method)}
			}
			if at < 0 {
				at = off
			}
			out = append(out, p...)
		}
		return out, at, nil
	}
	for _, id := range exifIDs {
		if len(f.tiffs) > 0 {
			break
		}
		p, at, err := get(id)
		if err != nil {
			return err
		}
		if len(p) < 4 {
			continue
		}
		skip := uint64(binary.BigEndian.Uint32(p)) + 4
		if skip > uint64(len(p)) {
			return &FormatError{Offset: at, Msg: fmt.Sprintf("Exif item TIFF header offset %d past the item's end", skip-4)}
		}
		p, at = p[skip:], at+int64(skip)
		if bytes.HasPrefix(p, []byte("Exif\x00\x00")) {
			p, at = p[6:], at+6
		}
		f.tiffs = append(f.tiffs, tiffBlock{data: p, off: at, root: kindIFD0})
	}
	for _, id := range xmpIDs {
		if f.xmp != nil {
			break
		}
		if p, _, err := get(id); err == nil && len(p) > 0 {
			f.xmp = p
		}
	}
	return nil
}

// parseIinf returns the IDs of the Exif items and of the XMP items in an
// iinf box's payload.
func parseIinf(b []byte) (exifIDs, xmpIDs []uint64) {
	c := &cursor{b: b}
	version := c.u8()
	c.take(3)
	var n uint64
	if version == 0 {
		n = c.u16()
	} else {
		n = c.u32()
	}
	for i := uint64(0); i < n && !c.bad && c.pos+8 <= len(b); i++ {
		bx, err := parseBox(b[c.pos:min(c.pos+32, len(b))], int64(c.pos), int64(len(b)))
		if err != nil {
			return
		}
		c.pos = int(bx.end)
		if bx.typ != "infe" {
			continue
		}
		e := &cursor{b: b[bx.data:bx.end]}
		v := e.u8()
		e.take(3)
		if v < 2 {
			continue
		}
		var id uint64
		if v == 2 {
			id = e.u16()
		} else {
			id = e.u32()
		}
		e.u16() // protection index
		typ := string(e.take(4))
		e.cstring() // item name
		if e.bad {
			continue
		}
		switch typ {
		case "Exif":
			exifIDs = append(exifIDs, id)
		case "mime":
			if ct := e.cstring(); ct == "application/rdf+xml" {
				xmpIDs = append(xmpIDs, id)
			}
		}
	}
	return exifIDs, xmpIDs
}

// parseIloc returns the extents of each item in an iloc box's payload.
func parseIloc(b []byte) map[uint64][]extent {
	out := map[uint64][]extent{}
	c := &cursor{b: b}
	version := c.u8()
	c.take(3)
	sizes := c.u8()
	offSize, lenSize := sizes>>4, sizes&15
	sizes = c.u8()
	baseSize, idxSize := sizes>>4, sizes&15
	if version == 0 {
		idxSize = 0
	}
	var n uint64
	if version < 2 {
		n = c.u16()
	} else {
		n = c.u32()
	}
	for i := uint64(0); i < n && !c.bad; i++ {
		var id uint64
		if version < 2 {
			id = c.u16()
		} else {
			id = c.u32()
		}
		var method uint64
		if version == 1 || version == 2 {
			method = c.u16() & 15
		}
		c.u16() // data reference index
		baseOff := c.uN(baseSize)
		count := c.u16()
		for j := uint64(0); j < count && !c.bad; j++ {
			c.uN(idxSize)
			off := c.uN(offSize)
			length := c.uN(lenSize)
			if c.bad || off+baseOff < off {
				break
			}
			if len(out[id]) < 64 {
				out[id] = append(out[id], extent{method: method, offset: baseOff + off, length: length})
			}
		}
	}
	return out
}
