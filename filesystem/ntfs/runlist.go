package ntfs

import (
	"errors"
	"fmt"
	"io"
	"sort"
)

// Limits on non-resident data.
const (
	// refMask keeps the record number of a file reference (the low 48
	// bits; the high 16 are the sequence number).
	refMask = 1<<48 - 1
	// maxVCN bounds virtual cluster numbers.
	maxVCN = 1 << 48
	// maxStreamSize bounds the sizes an attribute may claim.
	maxStreamSize = 1 << 60
	// maxRuns caps the runs of one attribute, over all its fragments.
	maxRuns = 1 << 20
)

// run maps length clusters from virtual cluster vcn to logical cluster lcn;
// a sparse run has no clusters on disk and reads as zeros.
type run struct {
	vcn    uint64
	lcn    uint64
	length uint64
	sparse bool
}

// decodeRuns decodes a runlist ("mapping pairs") starting at virtual
// cluster startVCN. Each run starts with a header byte whose low nibble is
// the size of the run length field and whose high nibble is the size of the
// LCN offset field (0: a sparse run); the offset is signed and relative to
// the previous run's LCN. A zero header byte ends the list.
func decodeRuns(b []byte, startVCN uint64) ([]run, error) {
	return decodeRunsInto(nil, b, startVCN)
}

// decodeRunsInto is decodeRuns appending to runs.
func decodeRunsInto(runs []run, b []byte, startVCN uint64) ([]run, error) {
	base := len(runs)
	vcn := startVCN
	var lcn int64
	for i := 0; ; {
		if i >= len(b) {
			return nil, errors.New("no terminator")
		}
		h := b[i]
		if h == 0 {
			return runs, nil
		}
		ls, os := int(h&0x0F), int(h>>4)
		if ls == 0 || ls > 8 || os > 8 {
			return nil, fmt.Errorf("run header %#02x at %d", h, i)
		}
		if i+1+ls+os > len(b) {
			return nil, fmt.Errorf("run at %d runs past the attribute", i)
		}
		length := leUint(b[i+1 : i+1+ls])
		if length == 0 || length >= maxVCN || vcn+length > maxVCN {
			return nil, fmt.Errorf("run at %d: length %d", i, length)
		}
		r := run{vcn: vcn, length: length, sparse: os == 0}
		if os > 0 {
			lcn += leInt(b[i+1+ls : i+1+ls+os])
			if lcn < 0 || lcn >= maxVCN {
				return nil, fmt.Errorf("run at %d: LCN %d", i, lcn)
			}
			r.lcn = uint64(lcn)
		}
		if len(runs)-base >= maxRuns {
			return nil, fmt.Errorf("more than %d runs", maxRuns)
		}
		runs = append(runs, r)
		vcn += length
		i += 1 + ls + os
	}
}

// leUint decodes an unsigned little-endian integer of up to 8 bytes.
func leUint(b []byte) uint64 {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// leInt decodes a signed little-endian integer of up to 8 bytes.
func leInt(b []byte) int64 {
	v := leUint(b)
	if n := uint(len(b)) * 8; n < 64 && v&(1<<(n-1)) != 0 {
		v |= ^uint64(0) << n
	}
	return int64(v)
}

// stream reads non-resident data through its runs: sparse runs and bytes
// past the initialized size read as zeros; a VCN no run covers, or a
// cluster outside the volume, is an error.
type stream struct {
	r           io.ReaderAt
	volSize     int64
	clusterSize int64
	runs        []run // sorted by vcn, not overlapping
	size        int64
	initSize    int64
	what        string // for errors: "MFT record 12 $DATA"
}

// ReadAt implements io.ReaderAt.
func (s *stream) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("ntfs: %s: negative offset", s.what)
	}
	if off >= s.size {
		return 0, io.EOF
	}
	want := len(p)
	if int64(want) > s.size-off {
		p = p[:s.size-off]
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= s.initSize {
			clear(p[n:])
			n = len(p)
			break
		}
		chunk := p[n:]
		if int64(len(chunk)) > s.initSize-pos {
			chunk = chunk[:s.initSize-pos]
		}
		vcn := uint64(pos / s.clusterSize)
		i := sort.Search(len(s.runs), func(i int) bool { return s.runs[i].vcn+s.runs[i].length > vcn })
		if i == len(s.runs) || s.runs[i].vcn > vcn {
			return n, fmt.Errorf("ntfs: %s: no run maps cluster %d (byte %d)", s.what, vcn, pos)
		}
		rn := s.runs[i]
		runEnd := int64(rn.vcn+rn.length) * s.clusterSize
		if int64(len(chunk)) > runEnd-pos {
			chunk = chunk[:runEnd-pos]
		}
		if rn.sparse {
			clear(chunk)
		} else {
			if rn.lcn >= uint64(s.volSize/s.clusterSize) {
				return n, fmt.Errorf("ntfs: %s: cluster %d is outside the %d-byte volume: %w", s.what, rn.lcn, s.volSize, io.ErrUnexpectedEOF)
			}
			phys := int64(rn.lcn)*s.clusterSize + (pos - int64(rn.vcn)*s.clusterSize)
			if phys+int64(len(chunk)) > s.volSize {
				return n, fmt.Errorf("ntfs: %s: cluster %d at byte %d is outside the %d-byte volume: %w", s.what, rn.lcn, phys, s.volSize, io.ErrUnexpectedEOF)
			}
			if _, err := s.r.ReadAt(chunk, phys); err != nil {
				return n, fmt.Errorf("ntfs: %s: read %d bytes at %d: %w", s.what, len(chunk), phys, err)
			}
		}
		n += len(chunk)
	}
	if n < want {
		return n, io.EOF
	}
	return n, nil
}

// physical returns the byte offset in the volume of byte off of the
// stream, or false when it is sparse or unmapped.
func (s *stream) physical(off int64) (int64, bool) {
	vcn := uint64(off / s.clusterSize)
	i := sort.Search(len(s.runs), func(i int) bool { return s.runs[i].vcn+s.runs[i].length > vcn })
	if i == len(s.runs) || s.runs[i].vcn > vcn || s.runs[i].sparse || s.runs[i].lcn >= uint64(s.volSize/s.clusterSize) {
		return 0, false
	}
	rn := s.runs[i]
	return int64(rn.lcn)*s.clusterSize + off - int64(rn.vcn)*s.clusterSize, true
}

// newStream checks runs (sorted by VCN, not overlapping, every byte
// offset representable) and returns a stream over them.
func newStream(r io.ReaderAt, volSize, clusterSize int64, runs []run, size, initSize int64, what string) (*stream, error) {
	limit := uint64(maxStreamSize / clusterSize)
	var next uint64
	for i, rn := range runs {
		if rn.vcn < next {
			return nil, fmt.Errorf("ntfs: %s: run %d at VCN %d overlaps the previous run", what, i, rn.vcn)
		}
		if rn.vcn+rn.length > limit {
			return nil, fmt.Errorf("ntfs: %s: run %d ends at VCN %d, past the largest stream", what, i, rn.vcn+rn.length)
		}
		next = rn.vcn + rn.length
	}
	if initSize > size {
		initSize = size
	}
	return &stream{r: r, volSize: volSize, clusterSize: clusterSize, runs: runs, size: size, initSize: initSize, what: what}, nil
}
