package qcow

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/internal/lru"
)

// Info is an image's header metadata, for `image info`.
type Info struct {
	Format      string `json:"format"`  // "qcow" (version 1) or "qcow2"
	Version     uint32 `json:"version"` // 1, 2 or 3
	VirtualSize int64  `json:"virtual_size"`
	FileSize    int64  `json:"file_size"`
	ClusterSize int64  `json:"cluster_size"`
	// Compression names the algorithm of compressed clusters: "deflate".
	Compression string `json:"compression"`
	// ModTime is the QCOW1 header's modification time, if set.
	ModTime      time.Time `json:"mod_time,omitzero"`
	Snapshots    uint32    `json:"snapshots"`
	RefcountBits uint32    `json:"refcount_bits,omitempty"`
	// IncompatibleFeatures, CompatibleFeatures and AutoclearFeatures are
	// the QCOW2 version 3 feature bit fields.
	IncompatibleFeatures uint64 `json:"incompatible_features"`
	CompatibleFeatures   uint64 `json:"compatible_features"`
	AutoclearFeatures    uint64 `json:"autoclear_features"`
	Dirty                bool   `json:"dirty"`
	// Anomalies lists oddities the reader tolerated, such as the corrupt
	// bit or an unreadable header extension.
	Anomalies []string `json:"anomalies,omitempty"`
}

// Image is the virtual disk stored in a QCOW image. Its methods are safe
// for concurrent use.
type Image struct {
	r           io.ReaderAt
	fileSize    int64
	closer      io.Closer
	info        Info
	version     uint32
	size        int64
	clusterBits uint
	clusterSize int64
	l2Bits      uint
	l1          []uint64
	headerEnd   int64 // tables and clusters may not start below this

	// Compressed cluster descriptors: the byte count (QCOW1) or extra
	// sector count (QCOW2) lies above csizeShift.
	csizeShift uint

	mu       sync.Mutex
	l2cache  lru.Cache[[]uint64]
	clusters lru.Cache[[]byte]
}

// IsQCOW reports whether head, the first bytes of a file, starts like a
// QCOW image of any version.
func IsQCOW(head []byte) bool {
	return len(head) >= 8 && bytes.Equal(head[:4], magic) && binary.BigEndian.Uint32(head[4:]) >= 1 && binary.BigEndian.Uint32(head[4:]) <= 3
}

// Open opens the image file at path read-only. Close the image when done.
func Open(path string) (*Image, error) {
	f, err := evidence.Open(path)
	if err != nil {
		return nil, fmt.Errorf("qcow: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("qcow: %w", err)
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
		return nil, errors.New("qcow: no reader or negative size")
	}
	img := &Image{r: r, fileSize: size}
	img.l2cache.Max = l2CacheSize
	img.clusters.Max = clusterCacheSize
	h, err := img.read(0, 8)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(h[:4], magic) {
		return nil, errorf(0, "no QCOW signature")
	}
	img.version = binary.BigEndian.Uint32(h[4:])
	img.info = Info{Version: img.version, FileSize: size, Compression: "deflate"}
	switch img.version {
	case 1:
		err = img.parseV1()
	case 2, 3:
		err = img.parseV2()
	default:
		return nil, fmt.Errorf("%w: version %d", ErrUnsupported, img.version)
	}
	if err != nil {
		return nil, err
	}
	img.info.VirtualSize = img.size
	img.info.ClusterSize = img.clusterSize
	return img, nil
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
		return fmt.Errorf("qcow: read %d bytes at %d: %w", len(b), off, err)
	}
	return nil
}

// backing reads the backing file name and returns it as a BackingError.
func (img *Image) backing(off int64, n uint32) error {
	if n > maxBackingName {
		return errorf(16, "backing file name of %d bytes", n)
	}
	name, err := img.read(off, int64(n))
	if err != nil {
		return err
	}
	return &BackingError{File: string(name)}
}

func (img *Image) parseV1() error {
	h, err := img.read(0, v1HeaderSize)
	if err != nil {
		return err
	}
	img.info.Format = "qcow"
	backOff, backLen := binary.BigEndian.Uint64(h[8:]), binary.BigEndian.Uint32(h[16:])
	if mtime := binary.BigEndian.Uint32(h[20:]); mtime != 0 {
		img.info.ModTime = time.Unix(int64(mtime), 0).UTC()
	}
	size := binary.BigEndian.Uint64(h[24:])
	cb, l2b := uint(h[32]), uint(h[33])
	crypt := binary.BigEndian.Uint32(h[36:])
	l1Off := binary.BigEndian.Uint64(h[40:])
	if backOff != 0 && backLen != 0 {
		if backOff > maxSize {
			return errorf(8, "backing file name offset %d out of range", backOff)
		}
		return img.backing(int64(backOff), backLen)
	}
	if crypt != 0 {
		return fmt.Errorf("%w (method %d)", ErrEncrypted, crypt)
	}
	if cb < 9 || cb > 16 {
		return errorf(32, "cluster bits %d out of range 9-16", cb)
	}
	if l2b < 6 || l2b > 13 {
		return errorf(33, "L2 bits %d out of range 6-13", l2b)
	}
	if size > maxSize {
		return errorf(24, "virtual size %d out of range", size)
	}
	img.size = int64(size)
	img.clusterBits, img.clusterSize, img.l2Bits = cb, 1<<cb, l2b
	img.csizeShift = 63 - cb
	img.headerEnd = v1HeaderSize
	shift := cb + l2b
	need := (img.size + 1<<shift - 1) >> shift
	return img.readL1(l1Off, need, 40)
}

// readL1 reads the need entries of the L1 table at off, described at
// header offset field.
func (img *Image) readL1(off uint64, need int64, field int64) error {
	if need*8 > maxL1Bytes {
		return errorf(field, "L1 table of %d entries is over the %d MiB limit", need, maxL1Bytes>>20)
	}
	if need == 0 {
		return nil
	}
	if off < uint64(img.headerEnd) || off > uint64(img.fileSize) {
		return errorf(field, "L1 table offset %d out of range", off)
	}
	b, err := img.read(int64(off), need*8)
	if err != nil {
		return fmt.Errorf("qcow: L1 table: %w", err)
	}
	img.l1 = make([]uint64, need)
	for i := range img.l1 {
		img.l1[i] = binary.BigEndian.Uint64(b[8*i:])
	}
	return nil
}

func (img *Image) parseV2() error {
	h, err := img.read(0, v2HeaderSize)
	if err != nil {
		return err
	}
	img.info.Format = "qcow2"
	backOff, backLen := binary.BigEndian.Uint64(h[8:]), binary.BigEndian.Uint32(h[16:])
	cb := binary.BigEndian.Uint32(h[20:])
	size := binary.BigEndian.Uint64(h[24:])
	crypt := binary.BigEndian.Uint32(h[32:])
	l1Size := binary.BigEndian.Uint32(h[36:])
	l1Off := binary.BigEndian.Uint64(h[40:])
	img.info.Snapshots = binary.BigEndian.Uint32(h[60:])
	img.info.RefcountBits = 16
	if cb < 9 || cb > 21 {
		return errorf(20, "cluster bits %d out of range 9-21", cb)
	}
	img.clusterBits, img.clusterSize, img.l2Bits = uint(cb), 1<<cb, uint(cb)-3
	img.csizeShift = 62 - (uint(cb) - 8)
	img.headerEnd = img.clusterSize
	headerLen := int64(v2HeaderSize)
	var compression byte
	if img.version == 3 {
		h3, err := img.read(v2HeaderSize, v3HeaderSize-v2HeaderSize)
		if err != nil {
			return err
		}
		incompat := binary.BigEndian.Uint64(h3[0:])
		img.info.IncompatibleFeatures = incompat
		img.info.CompatibleFeatures = binary.BigEndian.Uint64(h3[8:])
		img.info.AutoclearFeatures = binary.BigEndian.Uint64(h3[16:])
		order := binary.BigEndian.Uint32(h3[24:])
		if order > 6 {
			return errorf(96, "refcount order %d out of range 0-6", order)
		}
		img.info.RefcountBits = 1 << order
		headerLen = int64(binary.BigEndian.Uint32(h3[28:]))
		if headerLen < v3HeaderSize || headerLen > img.clusterSize {
			return errorf(100, "header length %d out of range", headerLen)
		}
		if headerLen > v3HeaderSize {
			b, err := img.read(v3HeaderSize, 1)
			if err != nil {
				return err
			}
			compression = b[0]
		}
		img.info.Dirty = incompat&featDirty != 0
		switch {
		case incompat&^knownFeatures != 0:
			return fmt.Errorf("%w: unknown incompatible features %#x", ErrUnsupported, incompat&^knownFeatures)
		case incompat&featExternalData != 0:
			return fmt.Errorf("%w: guest data is in an external data file", ErrUnsupported)
		case incompat&featExtendedL2 != 0:
			return fmt.Errorf("%w: extended L2 entries (subclusters)", ErrUnsupported)
		case incompat&featCompression == 0 && compression != 0:
			return errorf(104, "compression type %d without its feature bit", compression)
		}
		if incompat&featCorrupt != 0 {
			img.info.Anomalies = append(img.info.Anomalies, "image is marked corrupt (incompatible feature bit 1)")
		}
	}
	switch compression {
	case 0:
	case 1:
		return fmt.Errorf("%w: zstd-compressed clusters", ErrUnsupported)
	default:
		return fmt.Errorf("%w: compression type %d", ErrUnsupported, compression)
	}
	if backOff != 0 && backLen != 0 {
		if backOff > maxSize {
			return errorf(8, "backing file name offset %d out of range", backOff)
		}
		return img.backing(int64(backOff), backLen)
	}
	if crypt != 0 {
		return fmt.Errorf("%w (method %d)", ErrEncrypted, crypt)
	}
	if size > maxSize {
		return errorf(24, "virtual size %d out of range", size)
	}
	img.size = int64(size)
	img.extensions(headerLen)
	shift := img.clusterBits + img.l2Bits
	need := (img.size + 1<<shift - 1) >> shift
	if int64(l1Size) < need {
		return errorf(36, "L1 table of %d entries, the virtual size needs %d", l1Size, need)
	}
	if int64(l1Size)*8 > maxL1Bytes {
		return errorf(36, "L1 table of %d entries is over the %d MiB limit", l1Size, maxL1Bytes>>20)
	}
	return img.readL1(l1Off, need, 40)
}

// extensions walks the header extensions from off to the end of the
// first cluster, recording damage as anomalies: none of them changes how
// guest data is read once the feature bits are checked.
func (img *Image) extensions(off int64) {
	end := min(img.clusterSize, img.fileSize)
	for i := 0; i < maxExtensions && off+8 <= end; i++ {
		h, err := img.read(off, 8)
		if err != nil {
			break
		}
		typ, n := binary.BigEndian.Uint32(h), int64(binary.BigEndian.Uint32(h[4:]))
		if typ == extEnd {
			return
		}
		if n > end-off-8 {
			img.info.Anomalies = append(img.info.Anomalies, fmt.Sprintf("header extension %#08x at offset %d runs past the first cluster", typ, off))
			return
		}
		off += 8 + (n+7)&^7
	}
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
// returns io.EOF; damaged tables or clusters in the range yield a
// [FormatError].
func (img *Image) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("qcow: read at negative offset %d", off)
	}
	n := 0
	for n < len(p) && off < img.size {
		in := off & (img.clusterSize - 1)
		k := int(min(int64(len(p)-n), img.clusterSize-in, img.size-off))
		if err := img.readCluster(p[n:n+k], off>>img.clusterBits, in); err != nil {
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

// Cluster kinds.
const (
	kindZero = iota
	kindData
	kindCompressed
)

type mapping struct {
	kind  int
	off   int64 // file offset of the cluster or its compressed data
	csize int64 // compressed byte count
}

// readCluster fills dst from virtual cluster idx, starting at byte in.
func (img *Image) readCluster(dst []byte, idx, in int64) error {
	m, err := img.lookup(idx)
	if err != nil {
		return err
	}
	switch m.kind {
	case kindZero:
		clear(dst)
	case kindData:
		return img.readInto(dst, m.off+in)
	case kindCompressed:
		c, err := img.compressed(m)
		if err != nil {
			return err
		}
		copy(dst, c[in:])
	}
	return nil
}

// lookup maps virtual cluster idx to where its data is.
func (img *Image) lookup(idx int64) (mapping, error) {
	l1i := idx >> img.l2Bits
	if l1i < 0 || l1i >= int64(len(img.l1)) {
		return mapping{}, errorf(0, "cluster %d is beyond the L1 table", idx)
	}
	l2off := int64(img.l1[l1i])
	if img.version > 1 {
		l2off &= offsetMask
	}
	if l2off == 0 {
		return mapping{kind: kindZero}, nil
	}
	table, err := img.l2Table(l2off)
	if err != nil {
		return mapping{}, err
	}
	e := table[idx&(1<<img.l2Bits-1)]
	entryOff := l2off + 8*(idx&(1<<img.l2Bits-1))
	if img.version == 1 {
		if e&(1<<63) != 0 {
			off := int64(e & (1<<img.csizeShift - 1))
			n := int64(e>>img.csizeShift) & (img.clusterSize - 1)
			return img.checkCompressed(entryOff, off, n)
		}
		if e == 0 {
			return mapping{kind: kindZero}, nil
		}
		return img.checkData(entryOff, int64(e))
	}
	if e&flagCompressed != 0 {
		off := int64(e & (1<<img.csizeShift - 1))
		sectors := int64(e>>img.csizeShift)&(1<<(img.clusterBits-8)-1) + 1
		n := sectors*512 - off&511
		// The last compressed cluster may end before its last sector.
		if off < img.fileSize {
			n = min(n, img.fileSize-off)
		}
		return img.checkCompressed(entryOff, off, n)
	}
	if img.version >= 3 && e&flagZero != 0 {
		return mapping{kind: kindZero}, nil
	}
	off := int64(e & offsetMask)
	if off == 0 {
		return mapping{kind: kindZero}, nil
	}
	if off&(img.clusterSize-1) != 0 {
		return mapping{}, errorf(entryOff, "L2 entry points to unaligned offset %d", off)
	}
	return img.checkData(entryOff, off)
}

func (img *Image) checkData(entryOff, off int64) (mapping, error) {
	if off < img.headerEnd {
		return mapping{}, errorf(entryOff, "L2 entry points into the header (offset %d)", off)
	}
	if off >= img.fileSize {
		return mapping{}, errorf(entryOff, "L2 entry points to offset %d, past the end of the file (%d bytes)", off, img.fileSize)
	}
	return mapping{kind: kindData, off: off}, nil
}

func (img *Image) checkCompressed(entryOff, off, n int64) (mapping, error) {
	switch {
	case off < img.headerEnd:
		return mapping{}, errorf(entryOff, "compressed cluster in the header (offset %d)", off)
	case n <= 0 || off >= img.fileSize || n > img.fileSize-off:
		return mapping{}, errorf(entryOff, "compressed cluster of %d bytes at offset %d is outside the file", n, off)
	}
	return mapping{kind: kindCompressed, off: off, csize: n}, nil
}

// l2Table returns the L2 table at file offset off, from the cache or the
// file.
func (img *Image) l2Table(off int64) ([]uint64, error) {
	img.mu.Lock()
	t, ok := img.l2cache.Get(off)
	img.mu.Unlock()
	if ok {
		return t, nil
	}
	n := int64(8) << img.l2Bits
	switch {
	case off < img.headerEnd:
		return nil, errorf(off, "L2 table in the header")
	case img.version > 1 && off&(img.clusterSize-1) != 0:
		return nil, errorf(off, "L2 table at unaligned offset")
	}
	b, err := img.read(off, n)
	if err != nil {
		return nil, fmt.Errorf("L2 table: %w", err)
	}
	t = make([]uint64, n/8)
	for i := range t {
		t[i] = binary.BigEndian.Uint64(b[8*i:])
	}
	img.mu.Lock()
	img.l2cache.Put(off, t)
	img.mu.Unlock()
	return t, nil
}

var flateReaders sync.Pool

// compressed returns the decompressed cluster m describes.
func (img *Image) compressed(m mapping) ([]byte, error) {
	img.mu.Lock()
	c, ok := img.clusters.Get(m.off)
	img.mu.Unlock()
	if ok {
		return c, nil
	}
	stored, err := img.read(m.off, m.csize)
	if err != nil {
		return nil, err
	}
	c, err = inflate(stored, img.clusterSize)
	if err != nil {
		return nil, errorf(m.off, "compressed cluster: %v", err)
	}
	img.mu.Lock()
	img.clusters.Put(m.off, c)
	img.mu.Unlock()
	return c, nil
}

// inflate decompresses a raw deflate stream that must hold exactly n bytes.
func inflate(stored []byte, n int64) ([]byte, error) {
	br := bytes.NewReader(stored)
	var fr io.ReadCloser
	if v := flateReaders.Get(); v != nil {
		fr = v.(io.ReadCloser)
		if err := fr.(flate.Resetter).Reset(br, nil); err != nil {
			return nil, err
		}
	} else {
		fr = flate.NewReader(br)
	}
	defer flateReaders.Put(fr)
	out := make([]byte, n+1)
	k, err := io.ReadFull(io.LimitReader(fr, n+1), out)
	switch {
	case int64(k) > n:
		return nil, fmt.Errorf("inflates to more than the cluster size %d", n)
	case err == io.ErrUnexpectedEOF && int64(k) == n:
		return out[:n], nil
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return nil, fmt.Errorf("inflates to %d bytes, expected %d", k, n)
	default:
		return nil, fmt.Errorf("inflate: %w", err)
	}
}
