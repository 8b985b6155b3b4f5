package ewf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"io"
)

// ErrFormat is the cause of every [FormatError]: the input is not a
// well-formed EWF segment set.
var ErrFormat = errors.New("ewf: malformed file")

// ErrUnsupported is returned for EWF variants this package does not read,
// such as EWF2 (.Ex01) files.
var ErrUnsupported = errors.New("ewf: unsupported format")

// ErrCorrupt is the cause of every [ChunkError]: a chunk's stored data fails
// its checksum or does not decode to the chunk's size.
var ErrCorrupt = errors.New("ewf: corrupt chunk")

// FormatError reports malformed structure at a byte offset of a segment
// file.
type FormatError struct {
	Segment string // segment file name
	Offset  int64  // byte offset in the segment file
	Msg     string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("ewf: %s at offset %d: %s", e.Segment, e.Offset, e.Msg)
}

// Unwrap returns [ErrFormat].
func (e *FormatError) Unwrap() error { return ErrFormat }

// ChunkError reports a chunk whose data is corrupt.
type ChunkError struct {
	Index   int64  `json:"index"`   // chunk number, from 0
	Offset  int64  `json:"offset"`  // media offset of the chunk's first byte
	Problem string `json:"problem"` // what is wrong
}

func (e *ChunkError) Error() string {
	return fmt.Sprintf("ewf: chunk %d at media offset %d: %s", e.Index, e.Offset, e.Problem)
}

// Unwrap returns [ErrCorrupt].
func (e *ChunkError) Unwrap() error { return ErrCorrupt }

const (
	fileHeaderSize  = 13
	descriptorSize  = 76
	volumeSize      = 1052
	tableHeaderSize = 24
	hashSize        = 36
	digestSize      = 80
	compressedBit   = 0x80000000

	// maxChunkSize bounds sectors per chunk times bytes per sector.
	maxChunkSize = 64 << 20
	// maxHeaderSize bounds a decompressed header or header2 section.
	maxHeaderSize = 1 << 20
	// maxTableEntries is the most entries the writer puts in one table,
	// the EnCase limit.
	maxTableEntries = 16375
	// maxRelOffset is the largest chunk offset a table entry can hold.
	maxRelOffset = compressedBit - 1
)

var (
	evfSignature  = []byte("EVF\x09\x0d\x0a\xff\x00")
	evf2Signature = []byte("EVF2\x0d\x0a\x81\x00")
	lvfSignature  = []byte("LVF\x09\x0d\x0a\xff\x00")
)

// section is a parsed section descriptor.
type section struct {
	typ  string
	off  int64 // offset of the descriptor in the segment file
	next int64
	size int64
}

// segment is one opened segment file.
type segment struct {
	r    io.ReaderAt
	size int64
	name string
}

func (s *segment) errorf(off int64, format string, args ...any) error {
	return &FormatError{Segment: s.name, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// read returns n bytes at off, after checking they lie inside the segment.
func (s *segment) read(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > s.size || n > s.size-off {
		return nil, s.errorf(off, "%d bytes run past the end of the file (%d bytes)", n, s.size)
	}
	b := make([]byte, n)
	if _, err := s.r.ReadAt(b, off); err != nil && !(err == io.EOF && len(b) > 0) {
		return nil, fmt.Errorf("ewf: %s: read %d bytes at %d: %w", s.name, n, off, err)
	}
	return b, nil
}

// readSection parses the descriptor at off.
func (s *segment) readSection(off int64) (section, error) {
	b, err := s.read(off, descriptorSize)
	if err != nil {
		return section{}, err
	}
	if sum := binary.LittleEndian.Uint32(b[72:]); sum != adler32.Checksum(b[:72]) {
		return section{}, s.errorf(off, "section descriptor checksum mismatch")
	}
	typ := b[:16]
	for i, c := range typ {
		if c == 0 {
			typ = typ[:i]
			break
		}
	}
	next := binary.LittleEndian.Uint64(b[16:])
	size := binary.LittleEndian.Uint64(b[24:])
	if next > uint64(s.size) || size > uint64(s.size) {
		return section{}, s.errorf(off, "section %q points past the end of the file", typ)
	}
	return section{typ: string(typ), off: off, next: int64(next), size: int64(size)}, nil
}

// data returns the bytes of sec after its descriptor.
func (s *segment) data(sec section) ([]byte, error) {
	if sec.size < descriptorSize {
		return nil, s.errorf(sec.off, "section %q is %d bytes, shorter than its descriptor", sec.typ, sec.size)
	}
	return s.read(sec.off+descriptorSize, sec.size-descriptorSize)
}

// putDescriptor encodes a section descriptor into b[:descriptorSize].
func putDescriptor(b []byte, typ string, next, size int64) {
	clear(b[:descriptorSize])
	copy(b[:16], typ)
	binary.LittleEndian.PutUint64(b[16:], uint64(next))
	binary.LittleEndian.PutUint64(b[24:], uint64(size))
	binary.LittleEndian.PutUint32(b[72:], adler32.Checksum(b[:72]))
}

// checksumOK reports whether the last 4 bytes of b are the Adler-32 of the
// rest.
func checksumOK(b []byte) bool {
	n := len(b) - 4
	return n >= 0 && binary.LittleEndian.Uint32(b[n:]) == adler32.Checksum(b[:n])
}

// appendChecksum appends the Adler-32 of b to b.
func appendChecksum(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, adler32.Checksum(b))
}

// IsEWF reports whether head, the first bytes of a file, start with an
// EWF segment signature (E01, EWF2 Ex01, or logical L01), so that callers
// can route the file here instead of reading it as raw.
func IsEWF(head []byte) bool {
	for _, sig := range [][]byte{evfSignature, evf2Signature, lvfSignature} {
		if bytes.HasPrefix(head, sig) {
			return true
		}
	}
	return false
}
