package vhd

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/pangolin-forensics/pangolin/evidence"
)

// Geometry is the disk's CHS geometry from the footer.
type Geometry struct {
	Cylinders       uint16 `json:"cylinders"`
	Heads           uint8  `json:"heads"`
	SectorsPerTrack uint8  `json:"sectors_per_track"`
}

// Info is an image's footer and header metadata, for `image info`.
type Info struct {
	Format       string `json:"format"`  // "vhd"
	Variant      string `json:"variant"` // "fixed" or "dynamic"
	VirtualSize  int64  `json:"virtual_size"`
	OriginalSize int64  `json:"original_size"`
	FileSize     int64  `json:"file_size"`
	// BlockSize and AllocatedBlocks describe a dynamic disk.
	BlockSize       int64     `json:"block_size,omitempty"`
	AllocatedBlocks int64     `json:"allocated_blocks,omitempty"`
	UUID            string    `json:"uuid"`
	Created         time.Time `json:"created,omitzero"`
	CreatorApp      string    `json:"creator_app"`
	CreatorVersion  string    `json:"creator_version"`
	CreatorHostOS   string    `json:"creator_host_os"`
	Geometry        Geometry  `json:"geometry"`
	SavedState      bool      `json:"saved_state"`
	// FooterOffset is where the footer the reader used lies.
	FooterOffset int64 `json:"footer_offset"`
	// Anomalies lists damage the reader tolerated, such as a missing
	// footer replaced by its copy at offset 0.
	Anomalies []string `json:"anomalies,omitempty"`
}

// Image is the virtual disk stored in a VHD image. Its methods are safe for
// concurrent use: the image holds no mutable state after opening.
type Image struct {
	r         io.ReaderAt
	fileSize  int64
	closer    io.Closer
	info      Info
	size      int64
	dynamic   bool
	blockSize int64
	bitmap    int64 // bytes of sector bitmap before each block's data
	bat       []uint32
}

// IsFooter reports whether b starts with a VHD footer's cookie. The footer
// is the last 512 bytes of every VHD file; dynamic and differencing disks
// also keep a copy at offset 0, so IsFooter(head) recognises those.
func IsFooter(b []byte) bool {
	return len(b) >= len(footerCookie) && bytes.Equal(b[:len(footerCookie)], footerCookie)
}

// IsVHD reports whether the file at path is a VHD image: whether its last
// 512 bytes, or its first (a dynamic disk's footer copy), hold a footer
// cookie. A fixed disk is recognised only by its end.
func IsVHD(path string) bool {
	f, err := evidence.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() < footerSize {
		return false
	}
	b := make([]byte, footerSize)
	for _, off := range []int64{st.Size() - footerSize, 0} {
		if _, err := f.ReadAt(b, off); err == nil && IsFooter(b) {
			return true
		}
	}
	return false
}

// Open opens the image file at path read-only. Close the image when done.
func Open(path string) (*Image, error) {
	f, err := evidence.Open(path)
	if err != nil {
		return nil, fmt.Errorf("vhd: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("vhd: %w", err)
	}
	img, err := NewImage(f, st.Size())
	if err != nil {
		f.Close()
		return nil, err
	}
	img.closer = f
	return img, nil
}

// NewImage reads the image held in r, a file of size bytes.
func NewImage(r io.ReaderAt, size int64) (*Image, error) {
	if r == nil || size < 0 {
		return nil, errors.New("vhd: no reader or negative size")
	}
	img := &Image{r: r, fileSize: size}
	img.info = Info{Format: "vhd", FileSize: size}
	if size < footerSize {
		return nil, errorf(0, "file of %d bytes is too short for a footer", size)
	}
	footOff := size - footerSize
	foot, err := img.read(footOff, footerSize)
	if err != nil {
		return nil, err
	}
	if !IsFooter(foot) {
		head, err := img.read(0, footerSize)
		if err != nil {
			return nil, err
		}
		if !IsFooter(head) {
			return nil, errorf(footOff, "no VHD footer (cookie \"conectix\") at the end or start of the file")
		}
		img.info.Anomalies = append(img.info.Anomalies, fmt.Sprintf("no footer at offset %d: used the copy at offset 0", footOff))
		foot, footOff = head, 0
	}
	img.info.FooterOffset = footOff
	if got, want := binary.BigEndian.Uint32(foot[64:]), checksum(foot, 64); got != want {
		return nil, errorf(footOff+64, "footer checksum %#08x, computed %#08x", got, want)
	}
	be := binary.BigEndian
	dataOff := be.Uint64(foot[16:])
	img.info.Created = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(be.Uint32(foot[24:])) * time.Second)
	img.info.CreatorApp = printable(foot[28:32])
	img.info.CreatorVersion = fmt.Sprintf("%d.%d", be.Uint16(foot[32:]), be.Uint16(foot[34:]))
	img.info.CreatorHostOS = printable(foot[36:40])
	orig, cur := be.Uint64(foot[40:]), be.Uint64(foot[48:])
	img.info.Geometry = Geometry{Cylinders: be.Uint16(foot[56:]), Heads: foot[58], SectorsPerTrack: foot[59]}
	typ := be.Uint32(foot[60:])
	img.info.UUID = formatUUID(foot[68:84])
	img.info.SavedState = foot[84] != 0
	if orig <= maxSize {
		img.info.OriginalSize = int64(orig)
	}
	if cur > maxSize {
		return nil, errorf(footOff+48, "current size %d out of range", cur)
	}
	img.size = int64(cur)
	img.info.VirtualSize = img.size
	switch typ {
	case typeFixed:
		img.info.Variant = "fixed"
		if footOff != size-footerSize {
			return nil, errorf(footOff, "fixed disk without a footer at its end")
		}
		if img.size > footOff {
			return nil, errorf(footOff+48, "current size %d is more than the %d bytes of data in the file", img.size, footOff)
		}
		return img, nil
	case typeDynamic, typeDifferencing:
	default:
		return nil, fmt.Errorf("%w: disk type %d", ErrUnsupported, typ)
	}
	img.info.Variant = "dynamic"
	if dataOff < footerSize || dataOff > uint64(size) {
		return nil, errorf(footOff+16, "dynamic header offset %d out of range", dataOff)
	}
	if err := img.parseDynamic(int64(dataOff), typ == typeDifferencing); err != nil {
		return nil, err
	}
	return img, nil
}

func (img *Image) parseDynamic(off int64, differencing bool) error {
	h, err := img.read(off, dynHeaderSize)
	if err != nil {
		return fmt.Errorf("vhd: dynamic header: %w", err)
	}
	if !bytes.Equal(h[:8], dynCookie) {
		return errorf(off, "no dynamic header (cookie \"cxsparse\")")
	}
	be := binary.BigEndian
	if got, want := be.Uint32(h[36:]), checksum(h, 36); got != want {
		img.info.Anomalies = append(img.info.Anomalies, fmt.Sprintf("dynamic header checksum %#08x, computed %#08x", got, want))
	}
	if differencing {
		return &DifferencingError{Parent: utf16BE(h[64:576]), ParentUUID: formatUUID(h[40:56])}
	}
	batOff := be.Uint64(h[16:])
	entries := int64(be.Uint32(h[28:]))
	bs := int64(be.Uint32(h[32:]))
	if bs < minBlockSize || bs > maxBlockSize || bs&(bs-1) != 0 {
		return errorf(off+32, "block size %d is not a power of two from 512 bytes to 256 MiB", bs)
	}
	img.dynamic, img.blockSize = true, bs
	img.info.BlockSize = bs
	img.bitmap = (bs/sectorSize/8 + sectorSize - 1) / sectorSize * sectorSize
	need := (img.size + bs - 1) / bs
	if entries < need {
		return errorf(off+28, "BAT of %d entries, the virtual size needs %d", entries, need)
	}
	if need*4 > maxBATBytes {
		return errorf(off+28, "BAT of %d entries is over the %d MiB limit", need, maxBATBytes>>20)
	}
	if batOff < footerSize || batOff > uint64(img.fileSize) {
		return errorf(off+16, "BAT offset %d out of range", batOff)
	}
	b, err := img.read(int64(batOff), need*4)
	if err != nil {
		return fmt.Errorf("vhd: BAT: %w", err)
	}
	img.bat = make([]uint32, need)
	for i := range img.bat {
		img.bat[i] = be.Uint32(b[4*i:])
		if img.bat[i] != unallocated {
			img.info.AllocatedBlocks++
		}
	}
	return nil
}

// read returns n bytes at off, after checking they lie inside the file.
func (img *Image) read(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > img.fileSize || n > img.fileSize-off {
		return nil, errorf(off, "%d bytes run past the end of the file (%d bytes)", n, img.fileSize)
	}
	b := make([]byte, n)
	if err := img.readInto(b, off); err != nil {
		return nil, err
	}
	return b, nil
}

func (img *Image) readInto(b []byte, off int64) error {
	if off < 0 || off > img.fileSize || int64(len(b)) > img.fileSize-off {
		return errorf(off, "%d bytes run past the end of the file (%d bytes)", len(b), img.fileSize)
	}
	if _, err := img.r.ReadAt(b, off); err != nil && !(err == io.EOF && len(b) > 0) {
		return fmt.Errorf("vhd: read %d bytes at %d: %w", len(b), off, err)
	}
	return nil
}

// Size returns the virtual disk size in bytes.
func (img *Image) Size() int64 { return img.size }

// Info returns the image's metadata.
func (img *Image) Info() Info {
	info := img.info
	info.Anomalies = append([]string(nil), img.info.Anomalies...)
	return info
}

// Close closes the file opened by [Open]. It does nothing for an image made
// by [NewImage].
func (img *Image) Close() error {
	if img.closer == nil {
		return nil
	}
	err := img.closer.Close()
	img.closer = nil
	return err
}

// ReadAt reads virtual disk bytes at off. Reading at or past [Image.Size]
// returns io.EOF; a block that lies outside the file yields a
// [FormatError].
func (img *Image) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("vhd: read at negative offset %d", off)
	}
	if !img.dynamic {
		if off >= img.size {
			if len(p) == 0 {
				return 0, nil
			}
			return 0, io.EOF
		}
		n := int(min(int64(len(p)), img.size-off))
		if err := img.readInto(p[:n], off); err != nil {
			return 0, err
		}
		if n < len(p) {
			return n, io.EOF
		}
		return n, nil
	}
	n := 0
	for n < len(p) && off < img.size {
		i := off / img.blockSize
		in := off - i*img.blockSize
		k := int(min(int64(len(p)-n), img.blockSize-in, img.size-off))
		if err := img.readBlock(p[n:n+k], i, in); err != nil {
			return n, fmt.Errorf("read virtual offset %d: %w", off, err)
		}
		n += k
		off += int64(k)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (img *Image) readBlock(dst []byte, i, in int64) error {
	e := img.bat[i]
	if e == unallocated {
		clear(dst)
		return nil
	}
	start := int64(e) * sectorSize
	if start < footerSize || start+img.bitmap > img.fileSize {
		return errorf(start, "block %d starts at offset %d, outside the file's data (%d bytes)", i, start, img.fileSize)
	}
	return img.readInto(dst, start+img.bitmap+in)
}

// printable returns a four-character code with NULs and control
// characters dropped.
func printable(b []byte) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return -1
		}
		return r
	}, string(b))
}

// formatUUID formats 16 bytes in RFC 4122 order.
func formatUUID(b []byte) string {
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// utf16BE decodes a NUL-terminated UTF-16BE string.
func utf16BE(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.BigEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}
