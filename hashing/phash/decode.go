package phash

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// DefaultMaxPixels is the pixel cap [Decode] applies: 100 megapixels, above
// the 12 to 50 megapixels of phone cameras but below the 200 megapixel mode
// of a few; raise [DecodeOptions.MaxPixels] for those.
const DefaultMaxPixels = 100_000_000

// Errors returned (wrapped) by [Decode] and [DecodeWith].
var (
	// ErrFormat means the data is not an image in a supported format, or
	// is malformed, truncated or uses a feature the decoder lacks.
	ErrFormat = errors.New("phash: unsupported or malformed image")
	// ErrTooLarge means the image has more pixels than the cap.
	ErrTooLarge = errors.New("phash: image over the pixel cap")
)

// DecodeOptions tunes [DecodeWith]. The zero value gives [Decode]'s
// behaviour.
type DecodeOptions struct {
	// MaxPixels caps width times height; 0 means DefaultMaxPixels.
	MaxPixels int64
	// Orientation, 1 to 8, overrides the EXIF orientation, for callers who
	// read it elsewhere; 0 reads it with ReadOrientation and takes an
	// unreadable or absent tag as 1 (upright).
	Orientation int
}

// format is one image format this package decodes.
type format struct {
	name   string
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

var (
	jpegFormat = format{"jpeg", jpeg.DecodeConfig, jpeg.Decode}
	pngFormat  = format{"png", png.DecodeConfig, png.Decode}
	gifFormat  = format{"gif", gif.DecodeConfig, gif.Decode}
	webpFormat = format{"webp", webp.DecodeConfig, webp.Decode}
	bmpFormat  = format{"bmp", bmp.DecodeConfig, bmp.Decode}
	tiffFormat = format{"tiff", tiff.DecodeConfig, tiff.Decode}
)

// sniff identifies the format from the first bytes (up to 16), or returns
// nil.
func sniff(head []byte) *format {
	switch {
	case bytes.HasPrefix(head, []byte("\xff\xd8")):
		return &jpegFormat
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return &pngFormat
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return &gifFormat
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return &webpFormat
	case bytes.HasPrefix(head, []byte("BM")):
		return &bmpFormat
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return &tiffFormat
	}
	return nil
}

// Decode decodes the image in r, which holds size bytes, turns it upright
// by its EXIF orientation and returns its perceptual hash. It is
// DecodeWith with the zero [DecodeOptions]; see the package documentation
// for the formats and the limits.
func Decode(r io.ReaderAt, size int64) (Hash, error) {
	return DecodeWith(r, size, DecodeOptions{})
}

// DecodeWith is [Decode] with options. Errors wrap [ErrFormat] or
// [ErrTooLarge]; reading errors from r are wrapped as they are.
func DecodeWith(r io.ReaderAt, size int64, opts DecodeOptions) (Hash, error) {
	img, o, err := decode(r, size, opts)
	if err != nil {
		return 0, err
	}
	return fromImage(img, o), nil
}

// decode checks and decodes the image and returns it with the orientation
// to apply.
func decode(r io.ReaderAt, size int64, opts DecodeOptions) (image.Image, int, error) {
	if size < 0 {
		return nil, 0, fmt.Errorf("%w: negative size %d", ErrFormat, size)
	}
	limit := opts.MaxPixels
	if limit <= 0 {
		limit = DefaultMaxPixels
	}
	head := make([]byte, min(size, 16))
	if n, err := r.ReadAt(head, 0); n < len(head) {
		return nil, 0, fmt.Errorf("phash: read header: %w", err)
	}
	f := sniff(head)
	if f == nil {
		return nil, 0, fmt.Errorf("%w: unknown format", ErrFormat)
	}
	cfg, err := guard(func() (image.Config, error) {
		return f.config(io.NewSectionReader(r, 0, size))
	})
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s header: %w", ErrFormat, f.name, err)
	}
	w, h := int64(cfg.Width), int64(cfg.Height)
	if w <= 0 || h <= 0 {
		return nil, 0, fmt.Errorf("%w: %s of %dx%d pixels", ErrFormat, f.name, w, h)
	}
	if w > limit/h {
		return nil, 0, fmt.Errorf("%w: %s of %dx%d pixels, cap %d", ErrTooLarge, f.name, w, h, limit)
	}
	if f == &bmpFormat {
		if err := checkBMPSize(r, size, w, h); err != nil {
			return nil, 0, err
		}
	}
	img, err := guard(func() (image.Image, error) {
		return f.decode(io.NewSectionReader(r, 0, size))
	})
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s: %w", ErrFormat, f.name, err)
	}
	o := opts.Orientation
	if o == 0 {
		// A broken Exif block does not stop the photo being hashed.
		o, _ = ReadOrientation(r, size)
	}
	return img, o, nil
}

// guard runs a decoder and turns a panic in it into an error.
func guard[T any](f func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("decoder panic: %v", p)
		}
	}()
	return f()
}

// checkBMPSize refuses a BMP whose pixel rows do not fit in the file, which
// the decoder would only find after allocating the whole image. The BMP
// header (BITMAPFILEHEADER, then BITMAPINFOHEADER) holds the pixel data
// offset at byte 10 and the bits per pixel at byte 28, little-endian; rows
// are padded to 4 bytes. The decoder reads only uncompressed BMPs.
func checkBMPSize(r io.ReaderAt, size, w, h int64) error {
	var p [30]byte
	if err := readAt(r, size, 0, p[:]); err != nil {
		return fmt.Errorf("%w: bmp header: %w", ErrFormat, err)
	}
	off := int64(binary.LittleEndian.Uint32(p[10:14]))
	bpp := int64(binary.LittleEndian.Uint16(p[28:30]))
	need := off + (bpp*w+31)/32*4*h
	if need > size {
		return fmt.Errorf("%w: bmp of %dx%d at %d bits needs %d bytes, file has %d", ErrFormat, w, h, bpp, need, size)
	}
	return nil
}
