package qcow

import (
	"errors"
	"fmt"
)

// ErrFormat is the cause of every [FormatError]: the input is not a
// well-formed QCOW image.
var ErrFormat = errors.New("qcow: malformed image")

// ErrUnsupported is returned for images this package does not read, such
// as those with an external data file, subclusters or zstd compression.
var ErrUnsupported = errors.New("qcow: unsupported image")

// ErrBacking is the cause of a [BackingError]: the image stores only the
// changes to a backing file, which would be needed to read it.
var ErrBacking = errors.New("qcow: image has a backing file")

// ErrEncrypted is returned for encrypted images.
var ErrEncrypted = errors.New("qcow: image is encrypted")

// FormatError reports malformed structure at a byte offset of the image
// file.
type FormatError struct {
	Offset int64 // byte offset in the image file
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("qcow: at offset %d: %s", e.Offset, e.Msg)
}

// Unwrap returns [ErrFormat].
func (e *FormatError) Unwrap() error { return ErrFormat }

// BackingError names the backing file of an image that has one.
type BackingError struct {
	File string // backing file name as stored in the image
}

func (e *BackingError) Error() string {
	return fmt.Sprintf("qcow: image has a backing file %q: open the backing chain with a tool that merges it (qemu-img convert)", e.File)
}

// Unwrap returns [ErrBacking].
func (e *BackingError) Unwrap() error { return ErrBacking }

func errorf(off int64, format string, args ...any) error {
	return &FormatError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

var magic = []byte("QFI\xfb")

const (
	v1HeaderSize = 48
	v2HeaderSize = 72
	v3HeaderSize = 104

	// maxL1Bytes bounds the L1 table, as qemu does (QCOW_MAX_L1_SIZE).
	maxL1Bytes = 32 << 20
	// maxBackingName bounds a backing file name (qemu allows 1023 bytes).
	maxBackingName = 1023
	// maxExtensions bounds the header extensions walked.
	maxExtensions = 1024
	// maxSize bounds the virtual size, so offsets never overflow.
	maxSize = 1 << 62

	l2CacheSize      = 32
	clusterCacheSize = 16

	flagCopied     = 1 << 63
	flagCompressed = 1 << 62
	flagZero       = 1
	offsetMask     = 0x00fffffffffffe00

	// Incompatible feature bits.
	featDirty        = 1 << 0
	featCorrupt      = 1 << 1
	featExternalData = 1 << 2
	featCompression  = 1 << 3
	featExtendedL2   = 1 << 4
	knownFeatures    = featDirty | featCorrupt | featExternalData | featCompression | featExtendedL2

	extEnd          = 0x00000000
	extBackingFmt   = 0xe2792aca
	extFeatureNames = 0x6803f857
	extBitmaps      = 0x23852875
	extEncryption   = 0x0537be77
	extDataFile     = 0x44415441
)
