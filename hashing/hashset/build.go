package hashset

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// defaultRunBudget bounds the memory an import spends on unsorted digests
// and their sort keys, over all algorithms together.
const defaultRunBudget = 128 << 20

// ctxEvery is how many records pass between context checks and progress
// reports.
const ctxEvery = 1 << 16

// sortKey orders a buffered digest by its leading 64 bits; ties, almost
// always duplicates, fall back to the full digest.
type sortKey struct {
	k uint64
	i uint32
}

// run is one algorithm's share of a build: digests buffered in memory
// and the sorted runs already spilled to disk.
type run struct {
	algo  hashing.Algo
	width int
	buf   []byte
	runs  []string
	total uint64
}

// builder turns a stream of records into one table file per algorithm
// by external sort: buffered digests are sorted and spilled as runs when
// the budget is reached, and the runs are merged at the end.
type builder struct {
	dir      string
	budget   int
	buffered int
	keys     []sortKey
	algos    map[hashing.Algo]*run
}

func newBuilder(dir string, budget int) *builder {
	return &builder{dir: dir, budget: budget, algos: map[hashing.Algo]*run{}}
}

func (b *builder) add(rec Record) error {
	w := rec.Algo.Size()
	if w == 0 {
		return fmt.Errorf("unknown hash algorithm %q", rec.Algo)
	}
	if len(rec.Sum) != w {
		return fmt.Errorf("%s digest of %d bytes, want %d", rec.Algo, len(rec.Sum), w)
	}
	r := b.algos[rec.Algo]
	if r == nil {
		r = &run{algo: rec.Algo, width: w}
		b.algos[rec.Algo] = r
	}
	if r.total == maxCount {
		return fmt.Errorf("more than %d %s digests in one set", uint64(maxCount), rec.Algo)
	}
	r.buf = append(r.buf, rec.Sum...)
	r.total++
	b.buffered += w + 16
	if b.buffered >= b.budget {
		return b.spillLargest()
	}
	return nil
}

func (b *builder) spillLargest() error {
	var big *run
	for _, r := range b.algos {
		if big == nil || len(r.buf) > len(big.buf) {
			big = r
		}
	}
	return b.spill(big)
}

// sorted sorts the digests buffered in r and returns them in order,
// keeping duplicates; the writer drops those.
func (b *builder) sorted(r *run) func(yield func([]byte) bool) {
	n := len(r.buf) / r.width
	b.keys = slices.Grow(b.keys[:0], n)[:n]
	for i := range n {
		b.keys[i] = sortKey{binary.BigEndian.Uint64(r.buf[i*r.width:]), uint32(i)}
	}
	slices.SortFunc(b.keys, func(x, y sortKey) int {
		if c := cmp.Compare(x.k, y.k); c != 0 {
			return c
		}
		return bytes.Compare(r.rec(x.i), r.rec(y.i))
	})
	return func(yield func([]byte) bool) {
		for _, k := range b.keys {
			if !yield(r.rec(k.i)) {
				return
			}
		}
	}
}

func (r *run) rec(i uint32) []byte {
	o := int(i) * r.width
	return r.buf[o : o+r.width]
}

func (b *builder) spill(r *run) error {
	f, err := os.CreateTemp(b.dir, "run-"+string(r.algo)+"-*")
	if err != nil {
		return fmt.Errorf("create sorted run: %w", err)
	}
	r.runs = append(r.runs, f.Name())
	w := bufio.NewWriterSize(f, 1<<20)
	var prev []byte
	for d := range b.sorted(r) {
		if prev != nil && bytes.Equal(prev, d) {
			continue
		}
		prev = d
		if _, err := w.Write(d); err != nil {
			break
		}
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write sorted run: %w", err)
	}
	b.buffered -= len(r.buf) / r.width * (r.width + 16)
	r.buf = r.buf[:0]
	return nil
}

// finish writes one table file per algorithm into the build folder and
// returns the number of distinct digests of each.
func (b *builder) finish(ctx context.Context) (map[hashing.Algo]int64, error) {
	counts := map[hashing.Algo]int64{}
	for _, algo := range hashing.Algos {
		r := b.algos[algo]
		if r == nil {
			continue
		}
		n, err := b.finishAlgo(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("build %s table: %w", algo, err)
		}
		counts[algo] = n
	}
	return counts, nil
}

func (b *builder) finishAlgo(ctx context.Context, r *run) (int64, error) {
	tw, err := createTable(filepath.Join(b.dir, tableFile(r.algo)), r.algo, bucketBitsFor(r.total))
	if err != nil {
		return 0, err
	}
	defer tw.abort()
	if len(r.runs) == 0 {
		for d := range b.sorted(r) {
			if err := tw.add(d); err != nil {
				return 0, err
			}
		}
		r.buf = nil
	} else {
		if len(r.buf) > 0 {
			if err := b.spill(r); err != nil {
				return 0, err
			}
		}
		r.buf = nil
		if err := mergeRuns(ctx, r, tw); err != nil {
			return 0, err
		}
	}
	return tw.finish()
}

// cursor reads one sorted run a digest at a time.
type cursor struct {
	f   *os.File
	r   *bufio.Reader
	cur []byte
}

func (c *cursor) next() (bool, error) {
	if _, err := io.ReadFull(c.r, c.cur); err != nil {
		if err == io.EOF {
			return false, nil
		}
		return false, fmt.Errorf("read sorted run: %w", err)
	}
	return true, nil
}

// mergeRuns merges the sorted runs of r into tw with a binary min-heap
// of cursors, then deletes the runs.
func mergeRuns(ctx context.Context, r *run, tw *tableWriter) error {
	var h []*cursor
	defer func() {
		for _, c := range h {
			c.f.Close()
		}
		for _, p := range r.runs {
			os.Remove(p)
		}
	}()
	bufSize := max(4096, min(1<<20, (32<<20)/len(r.runs)))
	for _, p := range r.runs {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("open sorted run: %w", err)
		}
		c := &cursor{f: f, r: bufio.NewReaderSize(f, bufSize), cur: make([]byte, r.width)}
		ok, err := c.next()
		if err != nil {
			f.Close()
			return err
		}
		if !ok {
			f.Close()
			continue
		}
		h = append(h, c)
	}
	less := func(i, j int) bool { return bytes.Compare(h[i].cur, h[j].cur) < 0 }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			if rr := l + 1; rr < len(h) && less(rr, l) {
				l = rr
			}
			if !less(l, i) {
				return
			}
			h[i], h[l] = h[l], h[i]
			i = l
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for n := 0; len(h) > 0; n++ {
		if n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := tw.add(h[0].cur); err != nil {
			return err
		}
		ok, err := h[0].next()
		if err != nil {
			return err
		}
		if !ok {
			h[0].f.Close()
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(0)
	}
	return nil
}

// tableWriter writes a table file from digests given in ascending order,
// dropping duplicates. Digests go straight to their place in the file;
// the bucket table and fingerprints, which follow them, are streamed to
// side files and appended at the end, so memory stays constant.
type tableWriter struct {
	h       tableHeader
	path    string
	f       *os.File
	data    *bufio.Writer
	side    [2]*os.File // bucket table, fingerprints
	sidew   [2]*bufio.Writer
	prev    []byte
	prevK   uint64
	n       int64
	nextBkt uint64
	done    bool
}

func createTable(path string, algo hashing.Algo, bits uint) (*tableWriter, error) {
	tw := &tableWriter{
		h:    tableHeader{algo: algo, width: algo.Size(), bits: bits, hdrLen: headerSize},
		path: path,
	}
	var err error
	if tw.f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644); err != nil {
		return nil, fmt.Errorf("create table: %w", err)
	}
	if _, err := tw.f.Seek(headerSize, io.SeekStart); err != nil {
		tw.abort()
		return nil, fmt.Errorf("create table: %w", err)
	}
	tw.data = bufio.NewWriterSize(tw.f, 1<<20)
	for i := range tw.side {
		if tw.side[i], err = os.CreateTemp(filepath.Dir(path), "side-*"); err != nil {
			tw.abort()
			return nil, fmt.Errorf("create table: %w", err)
		}
		tw.sidew[i] = bufio.NewWriterSize(tw.side[i], 256<<10)
	}
	return tw, nil
}

func (tw *tableWriter) add(d []byte) error {
	k := binary.BigEndian.Uint64(d)
	switch {
	case tw.prev == nil:
		tw.prev = make([]byte, len(d))
	case k < tw.prevK:
		return errors.New("digests out of order")
	case k == tw.prevK:
		if c := bytes.Compare(tw.prev, d); c == 0 {
			return nil
		} else if c > 0 {
			return errors.New("digests out of order")
		}
	}
	copy(tw.prev, d)
	tw.prevK = k
	bkt, fp := tw.h.key(d)
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(tw.n))
	for ; tw.nextBkt <= bkt; tw.nextBkt++ {
		tw.sidew[0].Write(b[:])
	}
	binary.LittleEndian.PutUint16(b[:], fp)
	tw.sidew[1].Write(b[:2])
	tw.n++
	_, err := tw.data.Write(d)
	return err
}

// finish completes the bucket table, appends the side files, writes the
// header, syncs the file and returns the number of digests written.
func (tw *tableWriter) finish() (int64, error) {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(tw.n))
	for ; tw.nextBkt <= uint64(1)<<tw.h.bits; tw.nextBkt++ {
		tw.sidew[0].Write(b[:])
	}
	if err := tw.data.Flush(); err != nil {
		return 0, fmt.Errorf("write table: %w", err)
	}
	for i, s := range tw.side {
		if err := tw.sidew[i].Flush(); err != nil {
			return 0, fmt.Errorf("write table index: %w", err)
		}
		if _, err := s.Seek(0, io.SeekStart); err != nil {
			return 0, fmt.Errorf("write table index: %w", err)
		}
		if _, err := io.Copy(tw.f, s); err != nil {
			return 0, fmt.Errorf("write table index: %w", err)
		}
	}
	tw.h.count = tw.n
	if _, err := tw.f.WriteAt(tw.h.encode(), 0); err != nil {
		return 0, fmt.Errorf("write table header: %w", err)
	}
	if err := tw.f.Sync(); err != nil {
		return 0, fmt.Errorf("sync table: %w", err)
	}
	err := tw.f.Close()
	tw.f = nil
	if err != nil {
		return 0, fmt.Errorf("close table: %w", err)
	}
	tw.done = true
	return tw.n, nil
}

// abort closes and removes the side files, and the table itself unless
// finish succeeded.
func (tw *tableWriter) abort() {
	for _, s := range tw.side {
		if s != nil {
			s.Close()
			os.Remove(s.Name())
		}
	}
	tw.side = [2]*os.File{}
	if tw.f != nil {
		tw.f.Close()
		tw.f = nil
	}
	if !tw.done {
		os.Remove(tw.path)
	}
}
