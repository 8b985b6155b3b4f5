package hashset

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// Table file layout, version 1. See the package documentation.
const (
	tableMagic    = "PGHSET\r\n"
	tableVersion  = 1
	headerSize    = 64
	maxHeaderSize = 4096
	fpBits        = 16
	maxBucketBits = 32
	maxCount      = 1<<32 - 1
	// targetBucket is the mean number of digests per bucket a writer aims
	// for: 4 bytes of bucket table per 16 digests.
	targetBucket = 16
)

// ErrFormat reports a table file that is not in the format this package
// reads: bad magic, unknown version, or sizes that do not add up.
var ErrFormat = errors.New("not a valid hash set table")

// tableHeader is the decoded fixed header of a table file.
type tableHeader struct {
	algo   hashing.Algo
	width  int
	count  int64
	bits   uint
	hdrLen int64
}

// bucketBitsFor returns the bucket bits a writer uses for n digests:
// floor(log2(n/targetBucket)), at most maxBucketBits.
func bucketBitsFor(n uint64) uint {
	var b uint
	for n/targetBucket >= 2 && b < maxBucketBits {
		n /= 2
		b++
	}
	return b
}

func (h tableHeader) dataOff() int64    { return h.hdrLen }
func (h tableHeader) bucketsOff() int64 { return h.hdrLen + h.count*int64(h.width) }
func (h tableHeader) fpsOff() int64     { return h.bucketsOff() + 4*(int64(1)<<h.bits+1) }
func (h tableHeader) size() int64       { return h.fpsOff() + 2*h.count }

func (h tableHeader) encode() []byte {
	b := make([]byte, headerSize)
	copy(b[0:8], tableMagic)
	binary.LittleEndian.PutUint16(b[8:], tableVersion)
	binary.LittleEndian.PutUint16(b[10:], headerSize)
	binary.LittleEndian.PutUint32(b[12:], uint32(h.width))
	binary.LittleEndian.PutUint64(b[16:], uint64(h.count))
	b[24] = byte(h.bits)
	b[25] = fpBits
	copy(b[32:48], h.algo)
	return b
}

// parseTableHeader decodes and checks the header of a table of size bytes
// that should hold digests of algo.
func parseTableHeader(r io.ReaderAt, size int64, algo hashing.Algo) (tableHeader, error) {
	var h tableHeader
	if size < headerSize {
		return h, fmt.Errorf("%w: %d bytes is shorter than the header", ErrFormat, size)
	}
	b := make([]byte, headerSize)
	if _, err := r.ReadAt(b, 0); err != nil {
		return h, fmt.Errorf("read header: %w", err)
	}
	if string(b[0:8]) != tableMagic {
		return h, fmt.Errorf("%w: bad magic", ErrFormat)
	}
	if v := binary.LittleEndian.Uint16(b[8:]); v != tableVersion {
		return h, fmt.Errorf("%w: version %d, this reader knows version %d", ErrFormat, v, tableVersion)
	}
	h.hdrLen = int64(binary.LittleEndian.Uint16(b[10:]))
	if h.hdrLen < headerSize || h.hdrLen > maxHeaderSize {
		return h, fmt.Errorf("%w: header length %d", ErrFormat, h.hdrLen)
	}
	h.width = int(binary.LittleEndian.Uint32(b[12:]))
	count := binary.LittleEndian.Uint64(b[16:])
	h.bits = uint(b[24])
	name := hashing.Algo(bytes.TrimRight(b[32:48], "\x00"))
	switch {
	case name != algo:
		return h, fmt.Errorf("%w: holds %q digests, want %q", ErrFormat, name, algo)
	case h.width != algo.Size() || h.width < 8:
		return h, fmt.Errorf("%w: digest width %d for %s", ErrFormat, h.width, algo)
	case count > maxCount:
		return h, fmt.Errorf("%w: count %d", ErrFormat, count)
	case h.bits > maxBucketBits:
		return h, fmt.Errorf("%w: %d bucket bits", ErrFormat, h.bits)
	case b[25] != fpBits:
		return h, fmt.Errorf("%w: %d fingerprint bits", ErrFormat, b[25])
	}
	h.algo = algo
	h.count = int64(count)
	if want := h.size(); size != want {
		return h, fmt.Errorf("%w: size %d, header implies %d", ErrFormat, size, want)
	}
	return h, nil
}

// table answers membership queries against one table file. The bucket
// table and fingerprints are read into memory on first use; digests are
// read with ReadAt, one per candidate.
type table struct {
	r io.ReaderAt
	h tableHeader

	once    sync.Once
	err     error
	buckets []uint32
	fps     []uint16
}

// newTable checks the header of the table in r (size bytes long) and
// returns a table whose index is loaded on first lookup.
func newTable(r io.ReaderAt, size int64, algo hashing.Algo) (*table, error) {
	h, err := parseTableHeader(r, size, algo)
	if err != nil {
		return nil, err
	}
	return &table{r: r, h: h}, nil
}

// load reads the bucket table and fingerprints once and checks that they
// are consistent: buckets ascend from 0 to count and fingerprints ascend
// inside each bucket.
func (t *table) load() error {
	t.once.Do(func() { t.err = t.loadIndex() })
	return t.err
}

func (t *table) loadIndex() error {
	nb := int64(1)<<t.h.bits + 1
	raw := make([]byte, 4*nb)
	if _, err := t.r.ReadAt(raw, t.h.bucketsOff()); err != nil {
		return fmt.Errorf("read bucket table: %w", err)
	}
	buckets := make([]uint32, nb)
	for i := range buckets {
		buckets[i] = binary.LittleEndian.Uint32(raw[4*i:])
	}
	raw = nil
	if buckets[0] != 0 || int64(buckets[nb-1]) != t.h.count {
		return fmt.Errorf("%w: bucket table does not span the digests", ErrFormat)
	}
	fps := make([]uint16, t.h.count)
	const chunk = 1 << 20
	buf := make([]byte, min(2*t.h.count, chunk))
	for i := int64(0); i < t.h.count; {
		n := min(t.h.count-i, chunk/2)
		if _, err := t.r.ReadAt(buf[:2*n], t.h.fpsOff()+2*i); err != nil {
			return fmt.Errorf("read fingerprints: %w", err)
		}
		for j := range n {
			fps[i+j] = binary.LittleEndian.Uint16(buf[2*j:])
		}
		i += n
	}
	for i := 1; i < len(buckets); i++ {
		lo, hi := buckets[i-1], buckets[i]
		if hi < lo {
			return fmt.Errorf("%w: bucket %d ends before it starts", ErrFormat, i-1)
		}
		if !slices.IsSorted(fps[lo:hi]) {
			return fmt.Errorf("%w: fingerprints of bucket %d out of order", ErrFormat, i-1)
		}
	}
	t.buckets, t.fps = buckets, fps
	return nil
}

// key returns the bucket and fingerprint of a digest.
func (h tableHeader) key(sum []byte) (bucket uint64, fp uint16) {
	k := binary.BigEndian.Uint64(sum)
	return k >> (64 - h.bits), uint16(k >> (64 - fpBits - h.bits))
}

// contains reports whether sum, a digest of the table's algorithm, is in
// the table. It is safe for concurrent use.
func (t *table) contains(sum []byte) (bool, error) {
	if err := t.load(); err != nil {
		return false, err
	}
	bucket, fp := t.h.key(sum)
	lo, hi := int(t.buckets[bucket]), int(t.buckets[bucket+1])
	i, found := slices.BinarySearch(t.fps[lo:hi], fp)
	if !found {
		return false, nil
	}
	w := int64(t.h.width)
	buf := make([]byte, w)
	for j := lo + i; j < hi && t.fps[j] == fp; j++ {
		if _, err := t.r.ReadAt(buf, t.h.dataOff()+int64(j)*w); err != nil {
			return false, fmt.Errorf("read digest %d: %w", j, err)
		}
		switch bytes.Compare(buf, sum) {
		case 0:
			return true, nil
		case 1:
			return false, nil
		}
	}
	return false, nil
}
