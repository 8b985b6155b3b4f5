package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Sentinel errors. A [FormatError] unwraps to one of them.
var (
	// ErrNotMedia means the file has neither an ftyp box nor a moov box
	// among its top-level boxes: it is not an ISO base media or QuickTime
	// file, and another extractor should be tried.
	ErrNotMedia = errors.New("not an ISO base media or QuickTime file")
	// ErrTruncated means a box the metadata lies in runs past the end of
	// the file, or the reader returned fewer bytes than the size promised.
	ErrTruncated = errors.New("truncated file")
	// ErrMalformed means a box structure that no valid file has: a box
	// smaller than its header, larger than its parent, nested too deep,
	// or more boxes than the parser is willing to visit.
	ErrMalformed = errors.New("malformed box structure")
)

// Limits on hostile input. The parser visits at most maxBoxes box headers
// in all, descends at most maxDepth containers, and reads the payload of a
// metadata box only when it is at most maxPayload bytes (and inside the
// file); sample data (mdat) and sample tables (stbl) are never read.
const (
	maxDepth   = 16
	maxBoxes   = 100000
	maxPayload = 16 << 20
	maxText    = 1 << 20 // one text value
	maxKeys    = 1 << 16 // entries of a keys box
)

// FormatError reports a structural problem at a byte offset of the file.
type FormatError struct {
	// Offset is the byte offset of the box header at fault.
	Offset int64
	// Path names the box and its ancestors, e.g. "moov/udta/©xyz".
	Path string
	// Msg says what is wrong.
	Msg string
	// Err is the cause: ErrNotMedia, ErrTruncated, ErrMalformed or an I/O
	// error from the reader.
	Err error
}

func (e *FormatError) Error() string {
	where := fmt.Sprintf("offset %d", e.Offset)
	if e.Path != "" {
		where = fmt.Sprintf("%s at offset %d", e.Path, e.Offset)
	}
	return fmt.Sprintf("media: %s: %s", where, e.Msg)
}

func (e *FormatError) Unwrap() error { return e.Err }

// box is one box header (ISO/IEC 14496-12 §4.2):
//
//	0  size (4, big-endian): whole box including header; 1 = a 64-bit
//	   size follows the type, 0 = the box runs to the end of its parent
//	   (the file, at top level)
//	4  type (4), four characters, often starting with 0xA9 ('©')
//	8  largesize (8, big-endian), only when size is 1
//
// A "uuid" box has a 16-byte extended type after that, which belongs to its
// payload here.
type box struct {
	typ  string
	off  int64 // offset of the header
	hdr  int64 // header length, 8 or 16
	size int64 // whole box, header included
}

func (b box) dataOff() int64 { return b.off + b.hdr }
func (b box) dataLen() int64 { return b.size - b.hdr }
func (b box) end() int64     { return b.off + b.size }

// reader reads boxes from a file of known size, counting every header it
// reads against maxBoxes.
type reader struct {
	r     io.ReaderAt
	size  int64
	boxes int
}

// readAt reads exactly n bytes at off, which must lie inside the file.
// Callers check n against their cap before calling.
func (rd *reader) readAt(off, n int64, path string) ([]byte, error) {
	if off < 0 || n < 0 || off > rd.size || n > rd.size-off {
		return nil, &FormatError{Offset: off, Path: path, Msg: fmt.Sprintf("%d bytes at offset %d lie past the end of the file (%d bytes)", n, off, rd.size), Err: ErrTruncated}
	}
	buf := make([]byte, n)
	got, err := rd.r.ReadAt(buf, off)
	if int64(got) == n {
		return buf, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = ErrTruncated
	}
	return nil, &FormatError{Offset: off, Path: path, Msg: fmt.Sprintf("short read: %d of %d bytes", got, n), Err: err}
}

// payload reads a box's payload, refusing boxes larger than limit.
func (rd *reader) payload(b box, path string, limit int64) ([]byte, error) {
	if b.dataLen() > limit {
		return nil, &FormatError{Offset: b.off, Path: path, Msg: fmt.Sprintf("box of %d bytes exceeds the %d-byte limit for metadata", b.size, limit), Err: ErrMalformed}
	}
	return rd.readAt(b.dataOff(), b.dataLen(), path)
}

// errBoxPastEnd is returned by next for a box that runs past end when end
// is the end of the file; the top-level walk decides what that means.
type pastEndError struct {
	b    box
	want int64 // bytes missing
}

func (e *pastEndError) Error() string { return "box runs past the end of the file" }

// next reads the box header at off, which must lie before end (the end of
// the parent, or of the file). It checks the box against end: a box larger
// than its parent is an ErrMalformed error, except that a box running past
// the end of the file is reported as *pastEndError so the caller can choose
// between an error and a warning.
func (rd *reader) next(off, end int64, path string) (box, error) {
	rd.boxes++
	if rd.boxes > maxBoxes {
		return box{}, &FormatError{Offset: off, Path: path, Msg: fmt.Sprintf("more than %d boxes", maxBoxes), Err: ErrMalformed}
	}
	if end-off < 8 {
		return box{}, &FormatError{Offset: off, Path: path, Msg: fmt.Sprintf("box header needs 8 bytes, %d left in parent", end-off), Err: ErrMalformed}
	}
	h, err := rd.readAt(off, 8, path)
	if err != nil {
		return box{}, err
	}
	b := box{typ: string(h[4:8]), off: off, hdr: 8}
	bpath := join(path, b.typ)
	size := uint64(binary.BigEndian.Uint32(h))
	switch size {
	case 0:
		size = uint64(end - off)
	case 1:
		if end-off < 16 {
			return box{}, &FormatError{Offset: off, Path: bpath, Msg: "64-bit box size runs past the parent", Err: ErrMalformed}
		}
		l, err := rd.readAt(off+8, 8, bpath)
		if err != nil {
			return box{}, err
		}
		size = binary.BigEndian.Uint64(l)
		b.hdr = 16
		if size > math.MaxInt64 {
			return box{}, &FormatError{Offset: off, Path: bpath, Msg: fmt.Sprintf("64-bit box size %d out of range", size), Err: ErrMalformed}
		}
	}
	if size < uint64(b.hdr) {
		return box{}, &FormatError{Offset: off, Path: bpath, Msg: fmt.Sprintf("box size %d smaller than its %d-byte header", size, b.hdr), Err: ErrMalformed}
	}
	b.size = int64(size)
	if b.size > end-off {
		if end == rd.size {
			return b, &pastEndError{b: b, want: b.size - (end - off)}
		}
		return box{}, &FormatError{Offset: off, Path: bpath, Msg: fmt.Sprintf("box size %d runs past its parent (%d bytes left)", b.size, end-off), Err: ErrMalformed}
	}
	return b, nil
}

// children calls fn for each box inside [start, end), the payload of the
// container at path, which lies depth levels below the file. Fewer than 8
// bytes left over at the end are tolerated when they are zero: QuickTime
// ends user data lists with a 32-bit zero.
func (rd *reader) children(start, end int64, depth int, path string, fn func(b box) error) error {
	if depth > maxDepth {
		return &FormatError{Offset: start, Path: path, Msg: fmt.Sprintf("boxes nested deeper than %d levels", maxDepth), Err: ErrMalformed}
	}
	for off := start; off < end; {
		if end-off < 8 {
			tail, err := rd.readAt(off, end-off, path)
			if err != nil {
				return err
			}
			for _, c := range tail {
				if c != 0 {
					return &FormatError{Offset: off, Path: path, Msg: fmt.Sprintf("%d stray bytes at the end of the box", end-off), Err: ErrMalformed}
				}
			}
			return nil
		}
		b, err := rd.next(off, end, path)
		if pe, ok := err.(*pastEndError); ok {
			return &FormatError{Offset: off, Path: join(path, pe.b.typ), Msg: fmt.Sprintf("box size %d runs past the end of the file (%d bytes missing)", pe.b.size, pe.want), Err: ErrTruncated}
		}
		if err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
		off = b.end()
	}
	return nil
}

// join appends a box type to a path, showing 0xA9 as '©' and other
// non-printable bytes as escapes.
func join(path, typ string) string {
	name := printable(typ)
	if path == "" {
		return name
	}
	return path + "/" + name
}

func printable(typ string) string {
	var out []rune
	for i := 0; i < len(typ); i++ {
		c := typ[i]
		switch {
		case c == 0xA9:
			out = append(out, '©')
		case c >= 0x20 && c < 0x7F:
			out = append(out, rune(c))
		default:
			out = append(out, []rune(fmt.Sprintf("\\x%02x", c))...)
		}
	}
	return string(out)
}

// cursor decodes big-endian fields from one buffer (zip's readBuf). Reads
// past the end set bad and return zero; callers check bad (or ok) before
// using what they read.
type cursor struct {
	b   []byte
	bad bool
}

func (c *cursor) take(n int) []byte {
	if c.bad || n < 0 || n > len(c.b) {
		c.bad = true
		return nil
	}
	v := c.b[:n]
	c.b = c.b[n:]
	return v
}

func (c *cursor) u8() uint8 {
	if v := c.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (c *cursor) u16() uint16 {
	if v := c.take(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (c *cursor) u32() uint32 {
	if v := c.take(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (c *cursor) u64() uint64 {
	if v := c.take(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}
