package ntfs

import (
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"sync"
)

// LZNT1, as NTFS stores compressed streams ([MS-XCA] section 2.5, "LZNT1
// Algorithm Details").
//
// A compressed buffer is a series of chunks, each giving at most 4096
// bytes of output, and ends at a zero header, at the end of the input or
// when the output (a compression unit) is full.
// Each chunk starts with a little-endian 16-bit header:
//
//	bits 0-11   chunk size in bytes, header included, minus 3
//	bits 12-14  signature (3; not checked, as other readers do not)
//	bit  15     1: the data is compressed; 0: it is the output as is
//
// Compressed data is groups of a flag byte and up to eight tokens; flag
// bit i (from the least significant) says whether token i is a literal
// byte (0) or a 16-bit little-endian back-reference (1). The split of a
// back-reference between offset (high bits) and length (low bits) depends
// on how much of the chunk's output already exists: with p bytes written,
// the offset has max(4, ceil(log2 p)) bits and the length the rest; the
// copy starts offset+1 bytes back and is length+3 bytes long, and may
// overlap what it writes. A chunk that gives fewer than 4096 bytes is
// followed by zeros up to the next chunk's output.

// lzChunk is the output size of one LZNT1 chunk.
const lzChunk = 4096

// LZNT1Error is a malformed LZNT1 buffer; Offset is in the compressed
// input.
type LZNT1Error struct {
	Offset int
	Msg    string
}

func (e *LZNT1Error) Error() string {
	return fmt.Sprintf("ntfs: LZNT1 data at offset %d: %s", e.Offset, e.Msg)
}

// decompressLZNT1 decompresses src into dst, chunk k at dst[4096k:], and
// returns the end of the last chunk's output; bytes of dst it does not
// write are left as they are. It stops when dst is full, as ntfs-3g does.
// A chunk that decompresses past 4096 bytes or past dst, a back-reference
// before the start of its chunk and a chunk running past src are errors.
func decompressLZNT1(dst, src []byte) (int, error) {
	end := 0
	for in, out := 0, 0; in+2 <= len(src); out += lzChunk {
		h := int(binary.LittleEndian.Uint16(src[in:]))
		if h == 0 {
			break
		}
		size := h&0x0FFF + 1 // data bytes after the header
		if size > len(src)-in-2 {
			return end, &LZNT1Error{in, fmt.Sprintf("chunk of %d bytes runs past the %d-byte input", size, len(src))}
		}
		if out >= len(dst) {
			break // the output is full; the rest is slack
		}
		data := src[in+2 : in+2+size]
		w := dst[out:min(out+lzChunk, len(dst))]
		var n int
		if h&0x8000 == 0 {
			if size > len(w) {
				return end, &LZNT1Error{in, fmt.Sprintf("stored chunk of %d bytes, room for %d", size, len(w))}
			}
			n = copy(w, data)
		} else {
			var err error
			if n, err = decompressChunk(w, data); err != nil {
				if e, ok := err.(*LZNT1Error); ok {
					e.Offset += in + 2
				}
				return end, err
			}
		}
		end = out + n
		in += 2 + size
	}
	return end, nil
}

// decompressChunk decompresses the data of one compressed chunk into w
// (at most 4096 bytes) and returns the bytes written.
func decompressChunk(w, data []byte) (int, error) {
	p := 0
	for i := 0; i < len(data); {
		flags := data[i]
		i++
		for bit := 0; bit < 8 && i < len(data); bit++ {
			if flags&(1<<bit) == 0 {
				if p >= len(w) {
					return p, &LZNT1Error{i, "literal past the chunk's output"}
				}
				w[p] = data[i]
				p++
				i++
				continue
			}
			if i+2 > len(data) {
				return p, &LZNT1Error{i, "back-reference cut short"}
			}
			tok := int(binary.LittleEndian.Uint16(data[i:]))
			// Offset bits: 4, plus one for each doubling of the output
			// past 16 bytes.
			lenBits := 12
			for q := p - 1; q >= 0x10; q >>= 1 {
				lenBits--
			}
			back := tok>>lenBits + 1
			n := tok&(1<<lenBits-1) + 3
			if back > p {
				return p, &LZNT1Error{i, fmt.Sprintf("back-reference %d bytes back with %d written", back, p)}
			}
			if n > len(w)-p {
				return p, &LZNT1Error{i, fmt.Sprintf("back-reference of %d bytes past the chunk's output", n)}
			}
			for k := range n {
				w[p+k] = w[p-back+k]
			}
			p += n
			i += 2
		}
	}
	return p, nil
}

// Limits on compressed streams.
const (
	// maxCompUnit is the largest compression unit exponent accepted:
	// 2^4 clusters, the only unit Windows uses.
	maxCompUnit = 4
	// maxUnitSize caps the bytes of one compression unit (Windows
	// compresses only with clusters of up to 4 KiB: 64 KiB units).
	maxUnitSize = 1 << 20
	// unitCacheSize is the number of decompressed units a reader keeps.
	unitCacheSize = 4
)

// compressedStream reads an LZNT1-compressed attribute one compression
// unit at a time. A unit whose clusters are all sparse reads as zeros;
// one whose clusters are all allocated is stored as is; otherwise its
// allocated clusters (the first ones) hold LZNT1 data that decompresses to
// the unit. Bytes past the initialized size read as zeros. It is safe for
// concurrent use: decoded units are kept, read-only, in a small cache
// behind a mutex.
type compressedStream struct {
	raw         *stream // the attribute's clusters by VCN
	clusterSize int64
	unitCl      uint64 // clusters per unit
	unitSize    int64
	size        int64
	initSize    int64
	what        string

	mu    sync.Mutex
	cache [unitCacheSize]cachedUnit
	tick  uint64
}

type cachedUnit struct {
	idx  int64
	data []byte // unitSize bytes; nil: empty slot
	used uint64
}

// newCompressedStream checks the compression unit of a (compUnit, the
// exponent) and returns a reader of its decompressed data.
func newCompressedStream(r io.ReaderAt, volSize, clusterSize int64, runs []run, compUnit uint16, size, initSize int64, what string) (*compressedStream, error) {
	if compUnit > maxCompUnit {
		return nil, fmt.Errorf("ntfs: %s: compression unit of 2^%d clusters: %w", what, compUnit, ErrCompressed)
	}
	unit := clusterSize << compUnit
	if unit > maxUnitSize {
		return nil, fmt.Errorf("ntfs: %s: compression unit of %d bytes, more than %d: %w", what, unit, maxUnitSize, ErrCompressed)
	}
	var end uint64
	if len(runs) > 0 {
		end = runs[len(runs)-1].vcn + runs[len(runs)-1].length
	}
	raw, err := newStream(r, volSize, clusterSize, runs, int64(end)*clusterSize, int64(end)*clusterSize, what)
	if err != nil {
		return nil, err
	}
	if initSize > size {
		initSize = size
	}
	return &compressedStream{raw: raw, clusterSize: clusterSize, unitCl: 1 << compUnit, unitSize: unit, size: size, initSize: initSize, what: what}, nil
}

// ReadAt implements io.ReaderAt.
func (c *compressedStream) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("ntfs: %s: negative offset", c.what)
	}
	if off >= c.size {
		return 0, io.EOF
	}
	want := len(p)
	if int64(want) > c.size-off {
		p = p[:c.size-off]
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= c.initSize {
			clear(p[n:])
			n = len(p)
			break
		}
		idx := pos / c.unitSize
		in := pos - idx*c.unitSize
		chunk := p[n:min(len(p), n+int(c.unitSize-in))]
		if int64(len(chunk)) > c.initSize-pos {
			chunk = chunk[:c.initSize-pos]
		}
		data, err := c.unit(idx)
		if err != nil {
			return n, err
		}
		if data == nil {
			clear(chunk)
		} else {
			copy(chunk, data[in:])
		}
		n += len(chunk)
	}
	if n < want {
		return n, io.EOF
	}
	return n, nil
}

// unit returns the decompressed unit idx, nil when it is all zeros.
func (c *compressedStream) unit(idx int64) ([]byte, error) {
	c.mu.Lock()
	c.tick++
	for i := range c.cache {
		if e := &c.cache[i]; e.data != nil && e.idx == idx {
			e.used = c.tick
			c.mu.Unlock()
			return e.data, nil
		}
	}
	c.mu.Unlock()
	data, err := c.decode(idx)
	if err != nil || data == nil {
		return data, err
	}
	c.mu.Lock()
	old := 0
	for i := range c.cache {
		if c.cache[i].data == nil {
			old = i
			break
		}
		if c.cache[i].used < c.cache[old].used {
			old = i
		}
	}
	c.tick++
	c.cache[old] = cachedUnit{idx: idx, data: data, used: c.tick}
	c.mu.Unlock()
	return data, nil
}

// decode reads and decompresses unit idx; nil means all zeros.
func (c *compressedStream) decode(idx int64) ([]byte, error) {
	first := uint64(idx) * c.unitCl
	runs := c.raw.runs
	// The allocated clusters of the unit, in VCN order, as ranges.
	type span struct{ vcn, n uint64 }
	var spans [16]span
	ns, alloc := 0, uint64(0)
	i := sort.Search(len(runs), func(i int) bool { return runs[i].vcn+runs[i].length > first })
	for v := first; v < first+c.unitCl; {
		if i >= len(runs) || runs[i].vcn > v {
			// No run maps v: past the allocation, or a hole in the
			// runlist; such clusters count as sparse when they hold no
			// data, and are an error otherwise.
			if int64(v)*c.clusterSize < c.size {
				return nil, fmt.Errorf("ntfs: %s: no run maps cluster %d (byte %d)", c.what, v, int64(v)*c.clusterSize)
			}
			break
		}
		rn := runs[i]
		n := min(rn.vcn+rn.length, first+c.unitCl) - v
		if !rn.sparse {
			if ns > 0 && spans[ns-1].vcn+spans[ns-1].n == v {
				spans[ns-1].n += n
			} else {
				spans[ns] = span{v, n}
				ns++
			}
			alloc += n
		}
		v += n
		i++
	}
	if alloc == 0 {
		return nil, nil
	}
	out := make([]byte, c.unitSize)
	if alloc == c.unitCl {
		// Stored uncompressed.
		if err := c.readSpan(out, first, c.unitCl); err != nil {
			return nil, err
		}
		return out, nil
	}
	src := make([]byte, int64(alloc)*c.clusterSize)
	at := int64(0)
	for _, s := range spans[:ns] {
		if err := c.readSpan(src[at:at+int64(s.n)*c.clusterSize], s.vcn, s.n); err != nil {
			return nil, err
		}
		at += int64(s.n) * c.clusterSize
	}
	if _, err := decompressLZNT1(out, src); err != nil {
		return nil, fmt.Errorf("ntfs: %s: compression unit %d (byte %d): %w", c.what, idx, idx*c.unitSize, err)
	}
	return out, nil
}

// readSpan reads n clusters from VCN vcn into b.
func (c *compressedStream) readSpan(b []byte, vcn, n uint64) error {
	b = b[:int64(n)*c.clusterSize]
	_, err := c.raw.ReadAt(b, int64(vcn)*c.clusterSize)
	if err == io.EOF {
		err = fmt.Errorf("ntfs: %s: cluster %d past the runs: %w", c.what, vcn, io.ErrUnexpectedEOF)
	}
	return err
}
