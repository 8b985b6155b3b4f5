package acquire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync/atomic"
	"time"

	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/hashing"
)

// Source is what Acquire reads: a medium of Size bytes whose reads fail in
// units of SectorSize bytes. *evidence.Source implements it. ReadAt must
// be safe to call while an earlier call of an abandoned acquisition is
// still blocked in it.
type Source interface {
	io.ReaderAt
	Size() int64
	SectorSize() int
}

// Options tunes [Acquire]. The zero value is usable.
type Options struct {
	// Algos are the media hashes to compute, among md5, sha1, sha256,
	// sha512 and blake3; by default md5, sha1 and sha256.
	Algos []hashing.Algo
	// BlockSize is the size of each read, rounded down to whole sectors
	// and capped at 16 MiB; by default 1 MiB.
	BlockSize int
	// Retries is how many times a failed read is tried again, first for
	// the whole block, then for each of its sectors; 0 means 2, a negative
	// value means no retries.
	Retries int
	// Progress, if set, is called from Acquire's goroutine at most a few
	// times a second and once at the end.
	Progress func(Progress)
	// StatePath, if set, is where Acquire saves its progress (a small JSON
	// [State]) every CheckpointEvery bytes and when ctx is cancelled, after
	// making the sink durable; the sink must then be a [ResumableSink] and
	// every algorithm resumable (see [Resumable]). States are saved only at
	// block boundaries (offsets that are multiples of BlockSize), so a
	// sink that buffers whole chunks (E01: 32 KiB by default) needs a
	// BlockSize that is a multiple of its chunk size. The file is removed
	// when the acquisition completes.
	StatePath string
	// CheckpointEvery is the number of bytes between saves of the state;
	// by default 256 MiB (each save costs two fsyncs).
	CheckpointEvery int64
	// Resume, if set, continues the acquisition that saved it: the sink
	// must have been reopened at Resume.Sink (for raw sinks, with
	// [ResumeRawSink]) and the source must be the same.
	Resume *State
}

// Progress reports how far an acquisition or verification is.
type Progress struct {
	Done  int64 `json:"done"`
	Total int64 `json:"total"`
	// Bad is the number of unreadable bytes so far, zero-filled.
	Bad int64 `json:"bad"`
	// Rate is in bytes per second over this run.
	Rate    float64       `json:"rate"`
	Elapsed time.Duration `json:"elapsed"`
}

// Range is a run of unreadable bytes of the source, zero-filled in the
// image, with the error the last read attempt returned.
type Range struct {
	Offset int64  `json:"offset"`
	Length int64  `json:"length"`
	Err    string `json:"error"`
}

// Result describes a completed acquisition.
type Result struct {
	Size int64
	// Sums are the hashes of the image: the source with its unreadable
	// sectors zero-filled.
	Sums      hashing.Sums
	BadRanges []Range
	BadBytes  int64
	// Start is when the acquisition began (for a resumed one, the first
	// run); End is when it completed.
	Start, End time.Time
	// Segments are the files the sink wrote, with their own SHA-256.
	Segments []chain.Ref
	// Resumed reports that the acquisition continued a saved state.
	Resumed bool
}

const (
	defaultBlockSize  = 1 << 20
	maxBlockSize      = 16 << 20
	defaultCheckpoint = 256 << 20
	// bufferBytes bounds the memory of the block buffers in flight.
	bufferBytes = 16 << 20
	minBuffers  = 3
	maxBuffers  = 8
)

// ErrInterrupted is wrapped by the error Acquire returns when ctx is
// cancelled; with Options.StatePath set, the acquisition can be resumed.
var ErrInterrupted = errors.New("acquisition interrupted")

// block is one read of the source on its way to the hashers and the sink;
// the last of them to finish returns it to the free list.
type block struct {
	buf  []byte // full capacity
	data []byte
	off  int64
	bad  []Range
	refs atomic.Int32
	free chan *block
}

func (b *block) release() {
	if b.refs.Add(-1) == 0 {
		b.free <- b
	}
}

// Acquire images src into sink in one read pass. A reader goroutine reads
// blocks into a bounded set of buffers; each block goes to one goroutine
// per hash algorithm and to the sink, so that reading, hashing and writing
// overlap, and memory stays bounded whatever the source size.
//
// A read that fails is retried; if it still fails, the block is read
// sector by sector, each with retries, and the sectors that cannot be read
// are zero-filled and recorded in Result.BadRanges. Read errors never end
// an acquisition; sink errors and cancellation do. ctx is checked for
// every block and every sector retried; on cancellation Acquire saves its
// state (see Options.StatePath), closes the sink with nil sums and returns
// an error wrapping [ErrInterrupted] and ctx.Err(), without waiting for a
// read that the device never returns from.
func Acquire(ctx context.Context, src Source, sink Sink, opts Options) (*Result, error) {
	e, err := newEngine(src, sink, opts)
	if err != nil {
		return nil, err
	}
	return e.run(ctx)
}

// engine is the state of one acquisition.
type engine struct {
	src        Source
	sink       Sink
	opts       Options
	size       int64
	sectorSize int
	blockSize  int
	retries    int
	hashers    []*hasher

	done    int64
	bad     []Range
	badN    int64
	start   time.Time
	runFrom time.Time
	runAt   int64 // offset this run started at
}

func newEngine(src Source, sink Sink, opts Options) (*engine, error) {
	e := &engine{src: src, sink: sink, opts: opts, size: src.Size(), sectorSize: src.SectorSize(), retries: opts.Retries}
	if e.size < 0 {
		return nil, fmt.Errorf("acquire: negative source size %d", e.size)
	}
	if e.sectorSize <= 0 {
		e.sectorSize = 512
	}
	if e.retries == 0 {
		e.retries = 2
	} else if e.retries < 0 {
		e.retries = 0
	}
	bs := opts.BlockSize
	if bs <= 0 {
		bs = defaultBlockSize
	}
	bs = min(bs, maxBlockSize)
	e.blockSize = max(bs/e.sectorSize, 1) * e.sectorSize
	if e.opts.CheckpointEvery <= 0 {
		e.opts.CheckpointEvery = defaultCheckpoint
	}
	algos := opts.Algos
	if len(algos) == 0 {
		algos = []hashing.Algo{hashing.MD5, hashing.SHA1, hashing.SHA256}
	}
	if opts.StatePath != "" {
		if _, ok := sink.(ResumableSink); !ok {
			return nil, errors.New("acquire: saving state needs a resumable sink")
		}
		if err := Resumable(algos); err != nil {
			return nil, err
		}
	}
	if rs, ok := sink.(*RawSink); ok && opts.Resume == nil && slices.Contains(algos, hashing.SHA256) {
		rs.reuseMediaSHA256()
	}
	for _, a := range algos {
		h, err := newHasher(a)
		if err != nil {
			return nil, err
		}
		e.hashers = append(e.hashers, h)
	}
	e.start = time.Now()
	if st := opts.Resume; st != nil {
		if err := e.restore(st); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func (e *engine) run(ctx context.Context) (*Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	nbuf := min(max(bufferBytes/e.blockSize, minBuffers), maxBuffers)
	free := make(chan *block, nbuf)
	for range nbuf {
		free <- &block{buf: make([]byte, e.blockSize), free: free}
	}
	filled := make(chan *block, nbuf)
	go e.read(ctx, free, filled)
	for _, h := range e.hashers {
		h.start(nbuf)
	}
	defer func() {
		for _, h := range e.hashers {
			h.stop()
		}
	}()

	e.runFrom, e.runAt = time.Now(), e.done
	lastSave, lastProgress := e.done, time.Time{}
	for {
		var b *block
		var ok bool
		select {
		case <-ctx.Done():
			return nil, e.interrupt(ctx)
		case b, ok = <-filled:
		}
		if !ok {
			break
		}
		b.refs.Store(int32(len(e.hashers) + 1))
		for _, h := range e.hashers {
			h.in <- hashJob{b: b}
		}
		_, err := e.sink.Write(b.data)
		e.done += int64(len(b.data))
		e.addBad(b.bad)
		b.release()
		if err != nil {
			e.sink.Close(nil)
			return nil, fmt.Errorf("acquire: write at offset %d: %w", b.off, err)
		}
		if now := time.Now(); e.opts.Progress != nil && now.Sub(lastProgress) >= 200*time.Millisecond {
			lastProgress = now
			e.opts.Progress(e.progress(now))
		}
		if e.opts.StatePath != "" && e.done-lastSave >= e.opts.CheckpointEvery && e.aligned() {
			if err := e.checkpoint(); err != nil {
				e.sink.Close(nil)
				return nil, err
			}
			lastSave = e.done
		}
	}

	for _, h := range e.hashers {
		h.sync()
	}
	sums := hashing.Sums{}
	for _, h := range e.hashers {
		sums[h.algo] = h.sum()
	}
	if err := e.sink.Close(sums); err != nil {
		return nil, fmt.Errorf("acquire: close sink: %w", err)
	}
	end := time.Now()
	if e.opts.Progress != nil {
		e.opts.Progress(e.progress(end))
	}
	refs, err := segmentRefs(ctx, e.sink)
	if err != nil {
		return nil, err
	}
	if e.opts.StatePath != "" {
		if err := os.Remove(e.opts.StatePath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("acquire: remove state: %w", err)
		}
	}
	return &Result{
		Size: e.size, Sums: sums, BadRanges: e.bad, BadBytes: e.badN,
		Start: e.start, End: end, Segments: refs, Resumed: e.opts.Resume != nil,
	}, nil
}

// interrupt ends a cancelled acquisition: it saves the state at the last
// block written, closes the sink unfinished and returns the error to
// report.
func (e *engine) interrupt(ctx context.Context) error {
	err := fmt.Errorf("acquire: %w at offset %d: %w", ErrInterrupted, e.done, context.Cause(ctx))
	if e.opts.StatePath != "" && e.aligned() {
		if serr := e.checkpoint(); serr != nil {
			err = fmt.Errorf("%w; %w", err, serr)
		}
	}
	if cerr := e.sink.Close(nil); cerr != nil {
		err = fmt.Errorf("%w; close sink: %w", err, cerr)
	}
	return err
}

// aligned reports whether the bytes done end on a block boundary, the
// only places where Acquire saves its state: a sink that works in chunks
// (E01) can then always save all it was given, provided the block size is
// a multiple of its chunk size. The end of a source that is not a whole
// number of blocks is not such a place.
func (e *engine) aligned() bool { return e.done%int64(e.blockSize) == 0 }

// read is the reader goroutine: it fills blocks in order from e.done to
// the end of the source, and closes filled when done. It stops when ctx
// is cancelled.
func (e *engine) read(ctx context.Context, free <-chan *block, filled chan<- *block) {
	for off := e.done; off < e.size; {
		var b *block
		select {
		case <-ctx.Done():
			return
		case b = <-free:
		}
		n := int(min(int64(e.blockSize), e.size-off))
		b.data, b.off, b.bad = b.buf[:n], off, b.bad[:0]
		if err := e.readBlock(ctx, b); err != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case filled <- b:
		}
		off += int64(n)
	}
	close(filled)
}

// readBlock fills b.data from the source, retrying, then narrowing a
// failure down to the sectors that cannot be read, which it zero-fills
// and records in b.bad. It fails only if ctx is cancelled.
func (e *engine) readBlock(ctx context.Context, b *block) error {
	if e.readRetry(ctx, b.data, b.off) == nil {
		return nil
	}
	for s := 0; s < len(b.data); s += e.sectorSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := b.data[s:min(s+e.sectorSize, len(b.data))]
		err := e.readRetry(ctx, p, b.off+int64(s))
		if err == nil {
			continue
		}
		clear(p)
		b.bad = appendRange(b.bad, Range{Offset: b.off + int64(s), Length: int64(len(p)), Err: err.Error()})
	}
	return ctx.Err()
}

// readRetry reads len(p) bytes at off, trying again up to e.retries times.
func (e *engine) readRetry(ctx context.Context, p []byte, off int64) error {
	var err error
	for range e.retries + 1 {
		n, rerr := e.src.ReadAt(p, off)
		if n == len(p) {
			return nil
		}
		err = rerr
		if err == nil || err == io.EOF {
			err = fmt.Errorf("short read: %d of %d bytes: %w", n, len(p), io.ErrUnexpectedEOF)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return err
}

// appendRange adds r to rs, merging it with the last range if they touch
// and have the same error.
func appendRange(rs []Range, r Range) []Range {
	if k := len(rs) - 1; k >= 0 && rs[k].Offset+rs[k].Length == r.Offset && rs[k].Err == r.Err {
		rs[k].Length += r.Length
		return rs
	}
	return append(rs, r)
}

func (e *engine) addBad(rs []Range) {
	for _, r := range rs {
		e.bad = appendRange(e.bad, r)
		e.badN += r.Length
	}
}

func (e *engine) progress(now time.Time) Progress {
	el := now.Sub(e.runFrom)
	p := Progress{Done: e.done, Total: e.size, Bad: e.badN, Elapsed: el}
	if s := el.Seconds(); s > 0 {
		p.Rate = float64(e.done-e.runAt) / s
	}
	return p
}

// segmentRefs returns the sink's segments with their SHA-256, from the
// sink if it hashed them as it wrote, else by reading them back.
func segmentRefs(ctx context.Context, sink Sink) ([]chain.Ref, error) {
	if sh, ok := sink.(SegmentHasher); ok {
		return sh.SegmentRefs(), nil
	}
	var refs []chain.Ref
	for _, p := range sink.Segments() {
		r, err := hashFile(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("acquire: hash segment: %w", err)
		}
		refs = append(refs, r)
	}
	return refs, nil
}
