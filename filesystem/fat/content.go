package fat

import (
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// run is a stretch of contiguous bytes of the image.
type run struct{ off, n int64 }

// runReader reads a file's runs as one stream.
type runReader struct {
	r      io.ReaderAt
	runs   []run
	starts []int64 // position in the stream of each run
}

func newRunReader(r io.ReaderAt, runs []run) *runReader {
	rr := &runReader{r: r, runs: runs, starts: make([]int64, len(runs))}
	pos := int64(0)
	for i, x := range runs {
		rr.starts[i] = pos
		pos += x.n
	}
	return rr
}

func (rr *runReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("fat: negative offset")
	}
	done := 0
	i := sort.Search(len(rr.starts), func(i int) bool { return rr.starts[i] > off }) - 1
	for ; i >= 0 && i < len(rr.runs) && done < len(p); i++ {
		x := rr.runs[i]
		in := off + int64(done) - rr.starts[i]
		k := min(int64(len(p)-done), x.n-in)
		n, err := rr.r.ReadAt(p[done:done+int(k)], x.off+in)
		done += n
		if n < int(k) {
			if err == nil || errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return done, err
		}
	}
	if done < len(p) {
		return done, io.EOF
	}
	return done, nil
}

// addCluster appends cluster c to runs, merging it with the last run when
// contiguous.
func (v *volume) addCluster(runs []run, c uint32) []run {
	off := v.clusterOffset(c)
	if k := len(runs) - 1; k >= 0 && runs[k].off+runs[k].n == off {
		runs[k].n += v.clusterSize
		return runs
	}
	return append(runs, run{off, v.clusterSize})
}

// Open returns the content of an entry Walk gave. The entry's directory
// record is read again from the image, so a changed Entry cannot point
// the reader elsewhere. Allocated files and folders follow their cluster
// chain; deleted ones are recovered as the package doc describes, and an
// error says when that is impossible.
func (v *volume) Open(e *filesystem.Entry) (*io.SectionReader, error) {
	if e == nil {
		return nil, errors.New("fat: open: nil entry")
	}
	if e.Extra["virtual"] == "true" {
		return v.openVirtual(e)
	}
	off := e.Offset
	if off%32 != 0 || off < v.dataSect*v.bps || off >= v.total*v.bps || v.inode(off) != e.Inode {
		return nil, fmt.Errorf("fat: open %q: offset %d does not hold entry %d", e.Path, off, e.Inode)
	}
	b, err := v.readFull(off, 32)
	if err != nil {
		return nil, fmt.Errorf("fat: open %q: %w", e.Path, err)
	}
	d, ok := v.shortEntry(b, off, false)
	if !ok || d.label {
		return nil, fmt.Errorf("fat: open %q: no file entry at offset %d", e.Path, off)
	}
	d.deleted = d.deleted || e.Deleted
	size := int64(d.size)
	if d.attr&attrDir != 0 {
		size = v.dirSize(d)
	}
	if size == 0 {
		return io.NewSectionReader(newRunReader(v.r, nil), 0, 0), nil
	}
	if d.start < 2 || d.start > v.maxCluster {
		return nil, fmt.Errorf("fat: open %q: first cluster %d outside 2-%d", e.Path, d.start, v.maxCluster)
	}
	need := (size + v.clusterSize - 1) / v.clusterSize
	var runs []run
	if d.deleted {
		runs, err = v.recover(d.start, need)
	} else {
		var got int64
		v.chain(d.start, int(min(need, int64(v.maxCluster))), func(c uint32) {
			runs = v.addCluster(runs, c)
			got++
		})
		if got < need {
			v.note("%q: cluster chain from %d has %d of the %d clusters its size needs", e.Path, d.start, got, need)
			err = fmt.Errorf("cluster chain from %d has %d of %d clusters", d.start, got, need)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("fat: open %q: %w", e.Path, err)
	}
	if last := runs[len(runs)-1]; last.off+last.n > v.size {
		return nil, fmt.Errorf("fat: open %q: content ends at offset %d, past the %d-byte image", e.Path, last.off+last.n, v.size)
	}
	return io.NewSectionReader(newRunReader(v.r, runs), 0, size), nil
}

// recover finds the clusters of a deleted file: from start, which must be
// free, the free clusters in ascending order until need are found.
func (v *volume) recover(start uint32, need int64) ([]run, error) {
	used, err := v.allocated(start)
	if err != nil {
		return nil, err
	}
	if used {
		return nil, fmt.Errorf("first cluster %d is in use again: content overwritten", start)
	}
	var runs []run
	got := int64(0)
	for c := start; got < need && c <= v.maxCluster; c++ {
		used, err := v.allocated(c)
		if err != nil {
			return nil, err
		}
		if !used {
			runs = v.addCluster(runs, c)
			got++
		}
	}
	if got < need {
		return nil, fmt.Errorf("only %d of the %d free clusters needed follow cluster %d", got, need, start)
	}
	return runs, nil
}

// openVirtual gives the content of $MBR, $FAT1 or $FAT2.
func (v *volume) openVirtual(e *filesystem.Entry) (*io.SectionReader, error) {
	base := v.firstVirtual()
	switch {
	case e.Inode == base:
		return io.NewSectionReader(v.r, 0, min(512, v.size)), nil
	case e.Inode > base && e.Inode <= base+uint64(min(v.numFATs, 2)):
		i := int64(e.Inode - base - 1)
		off := (v.reserved + i*v.fatSectors) * v.bps
		if off+v.fatBytes > v.size {
			return nil, fmt.Errorf("fat: open %q: FAT ends past the %d-byte image", e.Path, v.size)
		}
		return io.NewSectionReader(v.r, off, v.fatBytes), nil
	}
	return nil, fmt.Errorf("fat: open %q: no virtual file %d", e.Path, e.Inode)
}
