package vhd

import (
	"errors"
	"fmt"
)

// ErrFormat is the cause of every [FormatError]: the input is not a
// well-formed VHD image.
var ErrFormat = errors.New("vhd: malformed image")

// ErrUnsupported is returned for disk types this package does not read.
var ErrUnsupported = errors.New("vhd: unsupported image")

// ErrDifferencing is the cause of a [DifferencingError].
var ErrDifferencing = errors.New("vhd: differencing disk")

// FormatError reports malformed structure at a byte offset of the image
// file.
type FormatError struct {
	Offset int64 // byte offset in the image file
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("vhd: at offset %d: %s", e.Offset, e.Msg)
}

// Unwrap returns [ErrFormat].
func (e *FormatError) Unwrap() error { return ErrFormat }

// DifferencingError reports a differencing disk: it holds only the changes
// to its parent, which would be needed to read it.
type DifferencingError struct {
	Parent     string `json:"parent"`      // parent's file name, from the dynamic header
	ParentUUID string `json:"parent_uuid"` // parent's unique id
}

func (e *DifferencingError) Error() string {
	return fmt.Sprintf("vhd: differencing disk: it needs its parent %q (unique id %s); merge the chain first", e.Parent, e.ParentUUID)
}

// Unwrap returns [ErrDifferencing].
func (e *DifferencingError) Unwrap() error { return ErrDifferencing }

func errorf(off int64, format string, args ...any) error {
	return &FormatError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

const (
	footerSize    = 512
	dynHeaderSize = 1024
	sectorSize    = 512

	typeFixed        = 2
	typeDynamic      = 3
	typeDifferencing = 4

	unallocated = 0xFFFFFFFF

	minBlockSize = 512
	maxBlockSize = 256 << 20
	// maxBATBytes bounds the part of the BAT that is read.
	maxBATBytes = 256 << 20
	// maxSize bounds the virtual size, so offsets never overflow.
	maxSize = 1 << 62
)

var (
	footerCookie = []byte("conectix")
	dynCookie    = []byte("cxsparse")
)

// checksum returns the one's complement of the byte sum of b, with the
// four bytes at at taken as zero.
func checksum(b []byte, at int) uint32 {
	var sum uint32
	for i, c := range b {
		if i < at || i >= at+4 {
			sum += uint32(c)
		}
	}
	return ^sum
}
