package exfat

import (
	"fmt"
	"io"
	"strconv"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// run is a stretch of contiguous clusters.
type run struct {
	first uint32
	count int64
}

// chain lists the clusters holding length bytes from cluster first:
// contiguous when noFATChain is set, else following the FAT. A chain that
// ends early, loops (found with Brent's algorithm in constant memory) or
// leaves the heap is an error.
func (v *volume) chain(first uint32, length int64, noFATChain bool) ([]run, error) {
	need := (length + v.clusterSize - 1) / v.clusterSize
	if need == 0 {
		return nil, nil
	}
	if !v.valid(first) {
		return nil, fmt.Errorf("exfat: first cluster %d is outside the heap of %d clusters", first, v.clusters)
	}
	if need > int64(v.clusters) {
		return nil, fmt.Errorf("exfat: %d bytes need %d clusters, the volume has %d", length, need, v.clusters)
	}
	if noFATChain {
		if !v.valid(uint32(int64(first) + need - 1)) {
			return nil, fmt.Errorf("exfat: %d clusters from cluster %d pass the end of the heap", need, first)
		}
		return []run{{first, need}}, nil
	}
	runs := []run{{first, 1}}
	c, tortoise, power, lam := first, first, 1, 1
	for n := int64(1); n < need; n++ {
		next, err := v.fat(c)
		if err != nil {
			return nil, fmt.Errorf("exfat: FAT entry of cluster %d: %w", c, err)
		}
		if !v.valid(next) {
			return nil, fmt.Errorf("exfat: chain from cluster %d ends at cluster %d (FAT value %#x) after %d of %d clusters", first, c, next, n, need)
		}
		if next == tortoise {
			return nil, fmt.Errorf("exfat: chain from cluster %d loops at cluster %d", first, next)
		}
		if power == lam {
			tortoise, power, lam = next, power*2, 0
		}
		lam++
		if last := &runs[len(runs)-1]; int64(last.first)+last.count == int64(next) {
			last.count++
		} else {
			runs = append(runs, run{next, 1})
		}
		c = next
	}
	return runs, nil
}

// dirChain lists the clusters of the root folder, which has no length:
// the FAT chain to its end mark, at most maxDirBytes.
func (v *volume) dirChain(first uint32) ([]run, error) {
	runs := []run{{first, 1}}
	limit := maxDirBytes / v.clusterSize
	c, tortoise, power, lam := first, first, 1, 1
	for n := int64(1); ; n++ {
		next, err := v.fat(c)
		if err != nil {
			return nil, fmt.Errorf("exfat: FAT entry of cluster %d: %w", c, err)
		}
		if next == fatEnd {
			return runs, nil
		}
		if !v.valid(next) {
			v.note("root folder chain from cluster %d ends at cluster %d with FAT value %#x", first, c, next)
			return runs, nil
		}
		if next == tortoise {
			v.note("root folder chain from cluster %d loops at cluster %d: cut", first, next)
			return runs, nil
		}
		if n >= limit {
			v.note("root folder longer than %d bytes: cut", maxDirBytes)
			return runs, nil
		}
		if power == lam {
			tortoise, power, lam = next, power*2, 0
		}
		lam++
		if last := &runs[len(runs)-1]; int64(last.first)+last.count == int64(next) {
			last.count++
		} else {
			runs = append(runs, run{next, 1})
		}
		c = next
	}
}

// runReader reads the bytes of runs, with zeros from valid on.
type runReader struct {
	v     *volume
	runs  []run
	valid int64
}

// ReadAt reads file bytes at off; bytes at or past the valid data length
// read as zeros.
func (rr *runReader) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= rr.valid {
			clear(p[n:])
			return len(p), nil
		}
		want := min(int64(len(p)-n), rr.valid-pos)
		base := int64(0)
		found := false
		for _, r := range rr.runs {
			l := r.count * rr.v.clusterSize
			if pos < base+l {
				at := rr.v.clusterOffset(r.first) + pos - base
				want = min(want, base+l-pos)
				if at+want > rr.v.size {
					return n, formatErr(at, "file content past the end of the %d-byte image", rr.v.size)
				}
				m, err := rr.v.r.ReadAt(p[n:n+int(want)], at)
				n += m
				if m < int(want) {
					return n, fmt.Errorf("exfat: read at offset %d: %w", at+int64(m), err)
				}
				found = true
				break
			}
			base += l
		}
		if !found {
			return n, io.EOF
		}
	}
	return n, nil
}

// Open returns the content of e: its clusters up to its size, with zeros
// past the valid data length. A deleted file is recovered when its
// clusters are contiguous (the NoFatChain flag) or it fits in one
// cluster.
func (v *volume) Open(e *filesystem.Entry) (*io.SectionReader, error) {
	if e.Extra["virtual"] == "true" {
		return v.openVirtual(e)
	}
	if e.Type == filesystem.Other {
		return io.NewSectionReader(eofReader{}, 0, 0), nil
	}
	first, err := strconv.ParseUint(e.Extra["first_cluster"], 10, 32)
	if err != nil {
		return nil, fmt.Errorf("exfat: %s: entry has no first cluster", e.Path)
	}
	validLen := e.Size
	if s, ok := e.Extra["valid_data_length"]; ok {
		if validLen, err = strconv.ParseInt(s, 10, 64); err != nil || validLen < 0 {
			return nil, fmt.Errorf("exfat: %s: bad valid data length %q", e.Path, s)
		}
	}
	noChain := e.Extra["no_fat_chain"] == "true"
	if e.Deleted && !noChain && e.Size > v.clusterSize {
		return nil, fmt.Errorf("exfat: %s: deleted file with a FAT chain: its clusters beyond the first are unknown", e.Path)
	}
	if e.Size == 0 {
		return io.NewSectionReader(eofReader{}, 0, 0), nil
	}
	runs, err := v.chain(uint32(first), e.Size, noChain || e.Deleted)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, e.Path)
	}
	return io.NewSectionReader(&runReader{v: v, runs: runs, valid: min(validLen, e.Size)}, 0, e.Size), nil
}

// openVirtual returns the boot sector ($MBR) or a FAT copy ($FAT1,
// $FAT2).
func (v *volume) openVirtual(e *filesystem.Entry) (*io.SectionReader, error) {
	if e.Offset+e.Size > v.size {
		return nil, formatErr(e.Offset, "%s: %d bytes past the end of the %d-byte image", e.Name, e.Size, v.size)
	}
	return io.NewSectionReader(v.r, e.Offset, e.Size), nil
}

// eofReader is the content of an empty entry.
type eofReader struct{}

func (eofReader) ReadAt([]byte, int64) (int, error) { return 0, io.EOF }
