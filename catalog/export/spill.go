package export

import (
	"bufio"
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Run files.
//
// A run file is a temporary file that holds one sorted chunk of events,
// written and read back by the same Timeline call, so it needs no header
// or version. Each event is one record:
//
//	varint  Unix seconds
//	uvarint nanoseconds
//	byte    MACB bits (m 1, a 2, c 4, b 8)
//	7 × (uvarint length, bytes): exhibit, ref, path, type, mime, sha256, known
//	varint  partition
//	uvarint inode
//	varint  size
//	byte    deleted (0 or 1)
//
// The file ends after the last record.

// maxRunString bounds a string read back from a run file, so that a
// damaged file cannot make the reader allocate without limit.
const maxRunString = 1 << 24

// sorter owns the run files of one Timeline call.
type sorter struct {
	ctx     context.Context
	tempDir string
	runs    []*os.File
	all     []*os.File // every file created, for cleanup
}

// cleanup closes and removes every run file.
func (s *sorter) cleanup() {
	for _, f := range s.all {
		f.Close()
		os.Remove(f.Name())
	}
	s.all, s.runs = nil, nil
}

// create makes a new, empty run file.
func (s *sorter) create() (*os.File, error) {
	f, err := os.CreateTemp(s.tempDir, "pangolin-timeline-*.run")
	if err != nil {
		return nil, fmt.Errorf("timeline run file: %w", err)
	}
	s.all = append(s.all, f)
	return f, nil
}

// spill writes a sorted chunk to a new run file.
func (s *sorter) spill(events []event, rows []row) error {
	f, err := s.create()
	if err != nil {
		return err
	}
	rw := newRunWriter(f)
	for i, e := range events {
		if err := checkCtx(s.ctx, i+1); err != nil {
			return err
		}
		rw.write(&rec{e.sec, e.nsec, e.macb, &rows[e.idx]})
	}
	if err := rw.finish(); err != nil {
		return err
	}
	s.runs = append(s.runs, f)
	return nil
}

// merge merges the run files and the in-memory chunk mem, calling emit
// with every event in order. While there are more than maxFanIn runs it
// first merges the oldest maxFanIn into one.
func (s *sorter) merge(mem *memCursor, emit func(*rec) error) error {
	for len(s.runs)+1 > maxFanIn {
		f, err := s.create()
		if err != nil {
			return err
		}
		rw := newRunWriter(f)
		group := s.runs[:maxFanIn]
		cursors := make([]cursor, len(group))
		for i, r := range group {
			cursors[i] = newRunReader(r)
		}
		if err := s.mergeCursors(cursors, func(r *rec) error { rw.write(r); return nil }); err != nil {
			return err
		}
		if err := rw.finish(); err != nil {
			return err
		}
		for _, r := range group {
			r.Close()
			os.Remove(r.Name())
		}
		s.runs = append(s.runs[maxFanIn:], f)
	}
	cursors := []cursor{mem}
	for _, r := range s.runs {
		cursors = append(cursors, newRunReader(r))
	}
	return s.mergeCursors(cursors, emit)
}

// cursor yields sorted events.
type cursor interface {
	// next returns the next event, or false at the end.
	next() (rec, bool, error)
}

// mergeCursors calls emit with the events of all cursors in order.
func (s *sorter) mergeCursors(cursors []cursor, emit func(*rec) error) error {
	h := &recHeap{}
	for _, c := range cursors {
		r, ok, err := c.next()
		if err != nil {
			return err
		}
		if ok {
			h.items = append(h.items, heapItem{r, c})
		}
	}
	heap.Init(h)
	n := 0
	for h.Len() > 0 {
		n++
		if err := checkCtx(s.ctx, n); err != nil {
			return err
		}
		top := &h.items[0]
		r := top.rec
		if err := emit(&r); err != nil {
			return err
		}
		nr, ok, err := top.c.next()
		if err != nil {
			return err
		}
		if ok {
			top.rec = nr
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return nil
}

// heapItem is a cursor and its current event.
type heapItem struct {
	rec rec
	c   cursor
}

// recHeap is a min-heap of cursors by their current event.
type recHeap struct{ items []heapItem }

// Len, Less, Swap, Push and Pop implement heap.Interface.
func (h *recHeap) Len() int           { return len(h.items) }
func (h *recHeap) Less(i, j int) bool { return compareRec(&h.items[i].rec, &h.items[j].rec) < 0 }
func (h *recHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *recHeap) Push(x any)         { h.items = append(h.items, x.(heapItem)) }
func (h *recHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// runWriter writes records to a run file; errors are sticky in the
// bufio.Writer and surface in finish.
type runWriter struct {
	f   *os.File
	bw  *bufio.Writer
	buf []byte
}

// newRunWriter writes records to f.
func newRunWriter(f *os.File) *runWriter {
	return &runWriter{f: f, bw: bufio.NewWriterSize(f, 64<<10)}
}

// write appends one record.
func (w *runWriter) write(r *rec) {
	b := w.buf[:0]
	b = binary.AppendVarint(b, r.sec)
	b = binary.AppendUvarint(b, uint64(r.nsec))
	b = append(b, r.macb)
	x := r.row
	for _, s := range [...]string{x.exhibit, x.ref, x.path, x.typ, x.mime, x.sha256, x.known} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendVarint(b, int64(x.partition))
	b = binary.AppendUvarint(b, x.inode)
	b = binary.AppendVarint(b, x.size)
	if x.deleted {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	w.bw.Write(b)
	w.buf = b
}

// finish flushes the records and rewinds the file for reading.
func (w *runWriter) finish() error {
	if err := w.bw.Flush(); err != nil {
		return fmt.Errorf("timeline run file: %w", err)
	}
	if _, err := w.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("timeline run file: %w", err)
	}
	return nil
}

// runReader reads a run file back.
type runReader struct {
	br *bufio.Reader
}

// newRunReader reads the records of f from its current offset.
func newRunReader(f *os.File) *runReader {
	return &runReader{br: bufio.NewReaderSize(f, 64<<10)}
}

// errRun reports a run file that does not read back as written.
var errRun = errors.New("timeline run file: damaged record")

// next reads the next record; false at the end of the file.
func (rr *runReader) next() (rec, bool, error) {
	sec, err := binary.ReadVarint(rr.br)
	if err == io.EOF {
		return rec{}, false, nil
	}
	if err != nil {
		return rec{}, false, errRun
	}
	var r rec
	var x row
	r.sec = sec
	nsec, err := binary.ReadUvarint(rr.br)
	if err != nil || nsec >= 1e9 {
		return rec{}, false, errRun
	}
	r.nsec = int32(nsec)
	if r.macb, err = rr.br.ReadByte(); err != nil {
		return rec{}, false, errRun
	}
	for _, p := range [...]*string{&x.exhibit, &x.ref, &x.path, &x.typ, &x.mime, &x.sha256, &x.known} {
		n, err := binary.ReadUvarint(rr.br)
		if err != nil || n > maxRunString {
			return rec{}, false, errRun
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(rr.br, b); err != nil {
			return rec{}, false, errRun
		}
		*p = string(b)
	}
	part, err1 := binary.ReadVarint(rr.br)
	inode, err2 := binary.ReadUvarint(rr.br)
	size, err3 := binary.ReadVarint(rr.br)
	del, err4 := rr.br.ReadByte()
	if err := errors.Join(err1, err2, err3, err4); err != nil || del > 1 {
		return rec{}, false, errRun
	}
	x.partition, x.inode, x.size, x.deleted = int(part), inode, size, del == 1
	r.row = &x
	return r, true, nil
}
