package vmdk

import (
	"errors"
	"fmt"
)

// ErrFormat is the cause of every [FormatError]: the input is not a
// well-formed VMDK image.
var ErrFormat = errors.New("vmdk: malformed image")

// ErrUnsupported is returned for extent types and variants this package
// does not read.
var ErrUnsupported = errors.New("vmdk: unsupported image")

// ErrDifferencing is the cause of a [DifferencingError].
var ErrDifferencing = errors.New("vmdk: differencing disk")

// ErrUnsafeName is returned for a descriptor that names an extent file
// outside its own folder.
var ErrUnsafeName = errors.New("vmdk: extent file name outside the descriptor's folder")

// FormatError reports malformed structure at a byte offset of a file of
// the image.
type FormatError struct {
	File   string // descriptor or extent file name
	Offset int64  // byte offset in that file
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("vmdk: %s at offset %d: %s", e.File, e.Offset, e.Msg)
}

// Unwrap returns [ErrFormat].
func (e *FormatError) Unwrap() error { return ErrFormat }

// DifferencingError reports a child disk: it holds only the changes to its
// parent, which would be needed to read it.
type DifferencingError struct {
	Parent    string `json:"parent"`     // parentFileNameHint from the descriptor
	ParentCID string `json:"parent_cid"` // the parent's content id
}

func (e *DifferencingError) Error() string {
	return fmt.Sprintf("vmdk: differencing disk: it needs its parent %q (CID %s); consolidate the snapshot chain first", e.Parent, e.ParentCID)
}

// Unwrap returns [ErrDifferencing].
func (e *DifferencingError) Unwrap() error { return ErrDifferencing }

const (
	sector     = 512
	headerSize = 512
	gdAtEnd    = 1<<64 - 1

	flagNewlineTest = 1 << 0
	flagZeroGrain   = 1 << 2
	flagCompressed  = 1 << 16
	flagMarkers     = 1 << 17

	// maxGrainSectors bounds a grain (16 MiB).
	maxGrainSectors = 32768
	maxGTEntries    = 65536
	maxGDBytes      = 256 << 20
	maxDescriptor   = 1 << 20
	maxExtents      = 4096
	// maxSize bounds the virtual size, so offsets never overflow.
	maxSize = 1 << 62

	gtCacheSize    = 64
	grainCacheSize = 16
)

var (
	sparseMagic = []byte("KDMV")
	cowdMagic   = []byte("COWD")
)
