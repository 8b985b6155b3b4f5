package ewf

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/adler32"
	"io/fs"
	"os"
	"runtime"
	"time"

	// klauspost's zlib writes the same format as compress/zlib, 1.3x
	// faster on text and 6x on incompressible data at BestSpeed.
	"github.com/klauspost/compress/zlib"
)

// Compression selects how chunks are compressed.
type Compression int

// Compression levels; the zero value stores chunks uncompressed.
const (
	None Compression = iota // store every chunk with its Adler-32
	Fast                    // zlib, best speed
	Best                    // zlib, best compression
)

// DefaultSegmentSize is the segment file size limit when
// [WriterOptions.SegmentSize] is 0: 1500 MiB, as ewfacquire's "1.4 GiB".
const DefaultSegmentSize = 1500 << 20

// minSegmentSize is the smallest segment size limit accepted, as ewfacquire.
const minSegmentSize = 1 << 20

// WriterOptions describe the image [Create] writes.
type WriterOptions struct {
	CaseNumber     string
	EvidenceNumber string
	Examiner       string
	Description    string
	Notes          string
	// AcquiredAt and SystemAt default to the time of [Create]. The header
	// section records them in their own time zone, header2 as Unix time.
	AcquiredAt time.Time
	SystemAt   time.Time
	Software   string // acquiry software and version, e.g. "pangolin 0.1"
	OS         string // operating system used
	// BytesPerSector is a power of two from 512 to 65536; default 512.
	BytesPerSector int
	// SectorsPerChunk is a power of two from 16 to 32768; default 64.
	SectorsPerChunk int
	// MediaSize is the number of bytes that will be written, a multiple
	// of BytesPerSector.
	MediaSize   int64
	Compression Compression
	// SegmentSize bounds each segment file; 0 means DefaultSegmentSize. A
	// new segment starts when the next chunk would not fit.
	SegmentSize int64
	// Workers is the number of compressing goroutines; 0 means one per
	// CPU. The output does not depend on it.
	Workers int
	// SetIdentifier is the GUID recorded in the volume section; zero by
	// default, as ewfacquire writes it.
	SetIdentifier [16]byte
}

// Writer writes an EWF image in EnCase 6 layout. It is not safe for
// concurrent use.
type Writer struct {
	o         WriterOptions
	base      string
	chunkSize int
	nchunks   int64
	zlevel    int
	header2   []byte // compressed section data
	header    []byte
	volume    []byte

	names     []string
	f         *os.File
	off       int64 // end of the current segment file
	segChunks int   // chunks in the current segment
	grpOff    int64 // offset of the open sectors section, or -1
	entries   []uint32
	chunks    int64 // chunks on disk

	buf      []byte // partial chunk
	accepted int64  // media bytes passed to Write
	jobs     chan *job
	pending  []*job // submitted chunks, in order
	bufs     chan []byte
	err      error
	closed   bool
}

// job is one chunk on its way through a compressing goroutine.
type job struct {
	data       []byte // media bytes; capacity chunkSize+4
	out        []byte // bytes to store
	spare      []byte // buffer to return with data
	compressed bool
	done       chan struct{}
}

// Create starts writing the image base+".E01", base+".E02", …; it refuses
// to overwrite an existing segment file.
func Create(base string, opts WriterOptions) (*Writer, error) {
	if opts.AcquiredAt.IsZero() {
		opts.AcquiredAt = time.Now()
	}
	if opts.SystemAt.IsZero() {
		opts.SystemAt = opts.AcquiredAt
	}
	w, err := newWriter(base, opts)
	if err != nil {
		return nil, err
	}
	if err := w.openSegment(); err != nil {
		return nil, err
	}
	w.start()
	return w, nil
}

// newWriter checks opts and prepares the sections that do not depend on
// the media bytes.
func newWriter(base string, o WriterOptions) (*Writer, error) {
	if o.BytesPerSector == 0 {
		o.BytesPerSector = 512
	}
	if o.SectorsPerChunk == 0 {
		o.SectorsPerChunk = 64
	}
	if o.SegmentSize == 0 {
		o.SegmentSize = DefaultSegmentSize
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	pow2 := func(n, lo, hi int) bool { return n >= lo && n <= hi && n&(n-1) == 0 }
	switch {
	case !pow2(o.BytesPerSector, 512, 65536):
		return nil, fmt.Errorf("ewf: bytes per sector %d: not a power of two from 512 to 65536", o.BytesPerSector)
	case !pow2(o.SectorsPerChunk, 16, 32768):
		return nil, fmt.Errorf("ewf: sectors per chunk %d: not a power of two from 16 to 32768", o.SectorsPerChunk)
	case o.BytesPerSector*o.SectorsPerChunk > maxChunkSize:
		return nil, fmt.Errorf("ewf: chunk size %d exceeds %d", o.BytesPerSector*o.SectorsPerChunk, maxChunkSize)
	case o.MediaSize <= 0 || o.MediaSize%int64(o.BytesPerSector) != 0:
		return nil, fmt.Errorf("ewf: media size %d: not a positive multiple of %d bytes per sector", o.MediaSize, o.BytesPerSector)
	case o.SegmentSize < minSegmentSize:
		return nil, fmt.Errorf("ewf: segment size %d below the minimum %d", o.SegmentSize, minSegmentSize)
	case o.Compression < None || o.Compression > Best:
		return nil, fmt.Errorf("ewf: unknown compression %d", o.Compression)
	}
	w := &Writer{o: o, base: base, chunkSize: o.BytesPerSector * o.SectorsPerChunk, grpOff: -1}
	w.nchunks = (o.MediaSize + int64(w.chunkSize) - 1) / int64(w.chunkSize)
	if w.nchunks > 1<<32-1 {
		return nil, fmt.Errorf("ewf: %d chunks exceed the volume section's limit", w.nchunks)
	}
	w.zlevel = map[Compression]int{Fast: zlib.BestSpeed, Best: zlib.BestCompression}[o.Compression]
	var err error
	if w.header2, err = deflate(buildHeader2(&o)); err != nil {
		return nil, err
	}
	if w.header, err = deflate(buildHeader(&o)); err != nil {
		return nil, err
	}
	v := make([]byte, volumeSize-4, volumeSize)
	v[0] = 0x01 // fixed disk
	binary.LittleEndian.PutUint32(v[4:], uint32(w.nchunks))
	binary.LittleEndian.PutUint32(v[8:], uint32(o.SectorsPerChunk))
	binary.LittleEndian.PutUint32(v[12:], uint32(o.BytesPerSector))
	binary.LittleEndian.PutUint64(v[16:], uint64(o.MediaSize/int64(o.BytesPerSector)))
	v[36] = 0x03 // image, physical
	v[52] = byte(o.Compression)
	binary.LittleEndian.PutUint32(v[56:], uint32(o.SectorsPerChunk))
	copy(v[64:80], o.SetIdentifier[:])
	w.volume = appendChecksum(v)
	return w, nil
}

func deflate(b []byte) ([]byte, error) {
	var bb bytes.Buffer
	zw := zlib.NewWriter(&bb)
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("ewf: compress header: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("ewf: compress header: %w", err)
	}
	return bb.Bytes(), nil
}

// start launches the compressing goroutines.
func (w *Writer) start() {
	w.jobs = make(chan *job, w.o.Workers)
	w.bufs = make(chan []byte, 4*w.o.Workers+4)
	for range w.o.Workers {
		go w.compressor()
	}
}

func (w *Writer) compressor() {
	var zw *zlib.Writer
	for j := range w.jobs {
		n := len(j.data)
		if w.o.Compression != None {
			bb := bytes.NewBuffer(j.spare[:0])
			if zw == nil {
				zw, _ = zlib.NewWriterLevel(bb, w.zlevel) // the level is valid
			} else {
				zw.Reset(bb)
			}
			zw.Write(j.data) // writes to a bytes.Buffer do not fail
			zw.Close()
			if bb.Len() < n {
				j.out, j.compressed = bb.Bytes(), true
			}
		}
		if !j.compressed {
			j.out = binary.LittleEndian.AppendUint32(j.data, adler32.Checksum(j.data))
		}
		close(j.done)
	}
}

func (w *Writer) getBuf() []byte {
	select {
	case b := <-w.bufs:
		return b[:0]
	default:
		return make([]byte, 0, w.chunkSize+w.chunkSize/16+1024)
	}
}

func (w *Writer) putBuf(b []byte) {
	select {
	case w.bufs <- b:
	default:
	}
}

// Write adds media bytes to the image, in order. Writing more than
// MediaSize bytes in all is an error.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.closed {
		return 0, errors.New("ewf: write after close")
	}
	if int64(len(p)) > w.o.MediaSize-w.accepted {
		return 0, fmt.Errorf("ewf: write of %d bytes at %d passes the media size %d", len(p), w.accepted, w.o.MediaSize)
	}
	n := len(p)
	for len(p) > 0 {
		if w.buf == nil {
			w.buf = w.getBuf()
		}
		k := copy(w.buf[len(w.buf):w.chunkSize], p)
		w.buf = w.buf[:len(w.buf)+k]
		p = p[k:]
		w.accepted += int64(k)
		if len(w.buf) == w.chunkSize {
			if err := w.submit(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

// submit hands the buffered chunk to the compressors and writes out the
// oldest ones once enough are in flight.
func (w *Writer) submit() error {
	j := &job{data: w.buf, spare: w.getBuf(), done: make(chan struct{})}
	w.buf = nil
	w.jobs <- j
	w.pending = append(w.pending, j)
	for len(w.pending) > 2*w.o.Workers {
		if err := w.flushOne(); err != nil {
			return err
		}
	}
	return nil
}

func (w *Writer) flushOne() error {
	j := w.pending[0]
	w.pending = w.pending[1:]
	<-j.done
	err := w.writeChunk(j.out, j.compressed)
	w.putBuf(j.data)
	w.putBuf(j.spare)
	if err != nil {
		w.err = err
	}
	return err
}

// drain writes out every submitted chunk.
func (w *Writer) drain() error {
	for len(w.pending) > 0 {
		if err := w.flushOne(); err != nil {
			return err
		}
	}
	return nil
}

// tableSectionSize is the size of a table section with n entries.
func tableSectionSize(n int) int64 {
	return descriptorSize + tableHeaderSize + 4*int64(n) + 4
}

// endReserve is the room kept in every segment for its closing sections.
const endReserve = 3*descriptorSize + digestSize + hashSize

func (w *Writer) writeChunk(stored []byte, compressed bool) error {
	sz := int64(len(stored))
	if w.grpOff >= 0 && (len(w.entries) == maxTableEntries || w.off-w.grpOff > maxRelOffset) {
		if err := w.closeGroup(); err != nil {
			return err
		}
	}
	need := sz + 2*tableSectionSize(len(w.entries)+1) + endReserve
	if w.grpOff < 0 {
		need += descriptorSize
	}
	if w.segChunks > 0 && w.off+need > w.o.SegmentSize {
		if err := w.closeGroup(); err != nil {
			return err
		}
		if err := w.endSegment(); err != nil {
			return err
		}
		if err := w.openSegment(); err != nil {
			return err
		}
	}
	if w.grpOff < 0 {
		w.grpOff = w.off
		if err := w.writeAt(make([]byte, descriptorSize)); err != nil {
			return err
		}
	}
	e := uint32(w.off - w.grpOff)
	if compressed {
		e |= compressedBit
	}
	if err := w.writeAt(stored); err != nil {
		return err
	}
	w.entries = append(w.entries, e)
	w.chunks++
	w.segChunks++
	return nil
}

// writeAt writes b at the end of the current segment.
func (w *Writer) writeAt(b []byte) error {
	if _, err := w.f.WriteAt(b, w.off); err != nil {
		return fmt.Errorf("ewf: write %s: %w", w.f.Name(), err)
	}
	w.off += int64(len(b))
	return nil
}

// writeSection writes a section whose data is body.
func (w *Writer) writeSection(typ string, body []byte) error {
	b := make([]byte, descriptorSize, descriptorSize+len(body))
	size := int64(descriptorSize + len(body))
	if len(body) == 0 {
		putDescriptor(b, typ, w.off, 0) // next and done point to themselves
	} else {
		putDescriptor(b, typ, w.off+size, size)
	}
	return w.writeAt(append(b, body...))
}

// closeGroup completes the open sectors section and writes its table and
// table2.
func (w *Writer) closeGroup() error {
	if w.grpOff < 0 {
		return nil
	}
	d := make([]byte, descriptorSize)
	putDescriptor(d, "sectors", w.off, w.off-w.grpOff)
	if _, err := w.f.WriteAt(d, w.grpOff); err != nil {
		return fmt.Errorf("ewf: write %s: %w", w.f.Name(), err)
	}
	t := make([]byte, tableHeaderSize-4, tableHeaderSize+4*len(w.entries)+4)
	binary.LittleEndian.PutUint32(t, uint32(len(w.entries)))
	binary.LittleEndian.PutUint64(t[8:], uint64(w.grpOff))
	t = appendChecksum(t)
	start := len(t)
	for _, e := range w.entries {
		t = binary.LittleEndian.AppendUint32(t, e)
	}
	t = binary.LittleEndian.AppendUint32(t, adler32.Checksum(t[start:]))
	if err := w.writeSection("table", t); err != nil {
		return err
	}
	if err := w.writeSection("table2", t); err != nil {
		return err
	}
	w.grpOff = -1
	w.entries = w.entries[:0]
	return nil
}

// segmentName returns the file name of segment i, from 1.
func (w *Writer) segmentName(i int) string { return w.base + segmentExt(i, false) }

// openSegment creates the next segment file and writes its leading
// sections.
func (w *Writer) openSegment() error {
	i := len(w.names) + 1
	if i > maxSegments {
		return fmt.Errorf("ewf: more than %d segment files", maxSegments)
	}
	name := w.segmentName(i)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("ewf: create segment: %w", err)
	}
	w.f, w.off, w.segChunks = f, 0, 0
	w.names = append(w.names, name)
	h := append([]byte(nil), evfSignature...)
	h = append(h, 1)
	h = binary.LittleEndian.AppendUint16(h, uint16(i))
	h = append(h, 0, 0)
	if err := w.writeAt(h); err != nil {
		return err
	}
	if i > 1 {
		return w.writeSection("data", w.volume)
	}
	for _, s := range []struct {
		typ  string
		body []byte
	}{{"header2", w.header2}, {"header2", w.header2}, {"header", w.header}, {"volume", w.volume}} {
		if err := w.writeSection(s.typ, s.body); err != nil {
			return err
		}
	}
	return nil
}

// endSegment closes a segment that is not the last.
func (w *Writer) endSegment() error {
	if err := w.writeSection("next", nil); err != nil {
		return err
	}
	return w.closeFile()
}

func (w *Writer) closeFile() error {
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	if err != nil {
		return fmt.Errorf("ewf: close segment: %w", err)
	}
	return nil
}

// Close writes the remaining chunks and the closing sections: hash (when
// md5 is given) and digest (when md5 or sha1 is given) with the digests the
// caller computed over the media, then done. It fails if fewer than
// MediaSize bytes were written.
func (w *Writer) Close(md5, sha1 []byte) error {
	if w.closed {
		return errors.New("ewf: close of a closed writer")
	}
	w.closed = true
	err := w.finish(md5, sha1)
	close(w.jobs)
	if w.f != nil {
		if cerr := w.closeFile(); err == nil {
			err = cerr
		}
	}
	return err
}

func (w *Writer) finish(md5, sha1 []byte) error {
	if w.err != nil {
		return w.err
	}
	if (md5 != nil && len(md5) != 16) || (sha1 != nil && len(sha1) != 20) {
		return fmt.Errorf("ewf: close: digests of %d and %d bytes, want 16 and 20", len(md5), len(sha1))
	}
	if len(w.buf) > 0 {
		if err := w.submit(); err != nil {
			return err
		}
	}
	if err := w.drain(); err != nil {
		return err
	}
	if w.accepted != w.o.MediaSize {
		return fmt.Errorf("ewf: close: %d of %d media bytes written", w.accepted, w.o.MediaSize)
	}
	if err := w.closeGroup(); err != nil {
		return err
	}
	if md5 != nil || sha1 != nil {
		d := make([]byte, digestSize-4)
		copy(d, md5)
		copy(d[16:], sha1)
		if err := w.writeSection("digest", appendChecksum(d)); err != nil {
			return err
		}
	}
	if md5 != nil {
		h := make([]byte, hashSize-4)
		copy(h, md5)
		if err := w.writeSection("hash", appendChecksum(h)); err != nil {
			return err
		}
	}
	return w.writeSection("done", nil)
}

// Segments returns the names of the segment files written so far.
func (w *Writer) Segments() []string { return append([]string(nil), w.names...) }

// State is what [Resume] needs to continue an interrupted write. It is
// small and JSON-serialisable; Table grows to at most 16375 entries.
type State struct {
	Version       int       `json:"version"`
	Fingerprint   string    `json:"fingerprint"` // of the options that shape the output
	AcquiredAt    time.Time `json:"acquired_at"`
	SystemAt      time.Time `json:"system_at"`
	Segment       int       `json:"segment"` // number of the open segment, from 1
	Offset        int64     `json:"offset"`  // its length
	SegmentChunks int       `json:"segment_chunks"`
	SectorsOffset int64     `json:"sectors_offset"` // open sectors section, or -1
	Table         []uint32  `json:"table"`          // its entries so far
	Chunks        int64     `json:"chunks"`
	// MediaOffset is where the caller must restart feeding media bytes
	// after [Resume]: the end of the last chunk on disk.
	MediaOffset int64 `json:"media_offset"`
}

const stateVersion = 1

// State writes out every complete chunk given so far, flushes the open
// segment to stable storage and returns the state to save. Bytes of a
// partial chunk stay buffered and are not covered: after [Resume], the
// caller feeds the media again from State.MediaOffset.
func (w *Writer) State() (State, error) {
	if w.err != nil {
		return State{}, w.err
	}
	if w.closed {
		return State{}, errors.New("ewf: state of a closed writer")
	}
	if err := w.drain(); err != nil {
		return State{}, err
	}
	if err := w.f.Sync(); err != nil {
		return State{}, fmt.Errorf("ewf: state: sync %s: %w", w.f.Name(), err)
	}
	return State{
		Version:       stateVersion,
		Fingerprint:   w.fingerprint(),
		AcquiredAt:    w.o.AcquiredAt,
		SystemAt:      w.o.SystemAt,
		Segment:       len(w.names),
		Offset:        w.off,
		SegmentChunks: w.segChunks,
		SectorsOffset: w.grpOff,
		Table:         append([]uint32{}, w.entries...),
		Chunks:        w.chunks,
		MediaOffset:   w.chunks * int64(w.chunkSize),
	}, nil
}

// fingerprint identifies everything in the options that shapes the bytes
// written.
func (w *Writer) fingerprint() string {
	h := sha256.New()
	for _, b := range [][]byte{w.header2, w.header, w.volume} {
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(b))))
		h.Write(b)
	}
	fmt.Fprintf(h, "%d %d", w.o.SegmentSize, w.o.Compression)
	return hex.EncodeToString(h.Sum(nil))
}

// Resume continues the write that produced st, for the image base with
// the same options (zero dates are taken from st). It truncates the open
// segment back to the state, removes later segments, and expects media
// bytes from st.MediaOffset on. The result is the same files an
// uninterrupted write would have produced.
func Resume(base string, st State, opts WriterOptions) (*Writer, error) {
	if opts.AcquiredAt.IsZero() {
		opts.AcquiredAt = st.AcquiredAt
	}
	if opts.SystemAt.IsZero() {
		opts.SystemAt = st.SystemAt
	}
	w, err := newWriter(base, opts)
	if err != nil {
		return nil, err
	}
	switch {
	case st.Version != stateVersion:
		return nil, fmt.Errorf("ewf: resume: state version %d, want %d", st.Version, stateVersion)
	case st.Fingerprint != w.fingerprint():
		return nil, errors.New("ewf: resume: options differ from those of the interrupted write")
	case st.Segment < 1 || st.Segment > maxSegments || st.Offset < fileHeaderSize || st.Chunks < 0 ||
		st.Chunks > w.nchunks || st.MediaOffset != st.Chunks*int64(w.chunkSize) ||
		len(st.Table) > maxTableEntries || st.SectorsOffset >= st.Offset ||
		(st.SectorsOffset < 0) != (len(st.Table) == 0) || st.SegmentChunks < 0:
		return nil, errors.New("ewf: resume: inconsistent state")
	}
	for i := 1; i < st.Segment; i++ {
		name := w.segmentName(i)
		if _, err := os.Stat(name); err != nil {
			return nil, fmt.Errorf("ewf: resume: %w", err)
		}
		w.names = append(w.names, name)
	}
	for i := st.Segment + 1; i <= maxSegments; i++ {
		err := os.Remove(w.segmentName(i))
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("ewf: resume: %w", err)
		}
	}
	name := w.segmentName(st.Segment)
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("ewf: resume: %w", err)
	}
	if fi, err := f.Stat(); err != nil || fi.Size() < st.Offset {
		f.Close()
		return nil, fmt.Errorf("ewf: resume: %s is shorter than the saved state", name)
	}
	if err := f.Truncate(st.Offset); err != nil {
		f.Close()
		return nil, fmt.Errorf("ewf: resume: %w", err)
	}
	w.names = append(w.names, name)
	w.f, w.off, w.segChunks = f, st.Offset, st.SegmentChunks
	w.grpOff, w.entries = st.SectorsOffset, append([]uint32(nil), st.Table...)
	w.chunks, w.accepted = st.Chunks, st.MediaOffset
	w.start()
	return w, nil
}
