package chain

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/pangolin-forensics/pangolin/internal/buildinfo"
)

// Files in a case's custody folder.
const (
	LedgerFile      = "ledger.jsonl"
	CheckpointsFile = "checkpoints"
	lockFile        = "ledger.lock"
	cacheFile       = "tree.cache"
	DamagedDir      = "damaged"
)

// ErrDamaged is returned by [Ledger.Append] when the ledger's tail is not in
// the state a completed append leaves (a torn line, a missing checkpoint, a
// truncated file). Nothing more is appended until `custody repair` has run.
var ErrDamaged = errors.New("custody ledger is damaged")

// Ledger is a case's custody ledger: the append-only entries file, the
// signed checkpoints file beside it, and the lock that serialises writers
// across processes.
//
// Methods may be called from several goroutines and processes at once:
// appends and repairs take an exclusive file lock, readers a shared one.
type Ledger struct {
	dir    string
	origin string
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// noSync skips fsync; only benchmarks that build large ledgers set it.
	noSync bool
}

// Open returns the ledger kept in dir (a case's custody folder) for the case
// caseID. It creates dir if needed but reads nothing yet.
func Open(dir, caseID string) (*Ledger, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("custody folder: %w", err)
	}
	return &Ledger{dir: dir, origin: Origin(caseID), Now: time.Now}, nil
}

// Path returns the path of the ledger's entries file.
func (l *Ledger) Path() string { return filepath.Join(l.dir, LedgerFile) }

func (l *Ledger) checkpointsPath() string { return filepath.Join(l.dir, CheckpointsFile) }

// lock takes the ledger's file lock, exclusive or shared, waiting for other
// processes until ctx ends. gofrs/flock uses flock(2) on Unix and
// LockFileEx on Windows.
func (l *Ledger) lock(ctx context.Context, exclusive bool) (unlock func(), err error) {
	fl := flock.New(filepath.Join(l.dir, lockFile))
	var ok bool
	if exclusive {
		ok, err = fl.TryLockContext(ctx, 5*time.Millisecond)
	} else {
		ok, err = fl.TryRLockContext(ctx, 5*time.Millisecond)
	}
	if err != nil {
		return nil, fmt.Errorf("lock custody ledger: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("lock custody ledger: %w", ctx.Err())
	}
	return func() { fl.Unlock(); fl.Close() }, nil
}

// Append signs e as examiner id, appends it and a new signed checkpoint, and
// returns the entry as written with that checkpoint. Append fills in Seq,
// Time, Zone, Actor, Tool, Host, Prev and Sig; the caller sets Action,
// Exhibit, Inputs, Outputs, Note and Attrs. Both lines are synced to disk
// before Append returns.
func (l *Ledger) Append(ctx context.Context, id *Identity, e Entry) (*Entry, *Checkpoint, error) {
	unlock, err := l.lock(ctx, true)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	return l.appendLocked(ctx, id, e)
}

func (l *Ledger) appendLocked(ctx context.Context, id *Identity, e Entry) (*Entry, *Checkpoint, error) {
	if id.private == nil {
		return nil, nil, errors.New("append: examiner identity has no private key")
	}
	st, err := l.tail(ctx)
	if err != nil {
		return nil, nil, err
	}
	now := l.Now()
	bi := buildinfo.Get()
	host, _ := os.Hostname()
	e.Seq = st.tree.size + 1
	e.Time = now.UTC().Format(time.RFC3339Nano)
	e.Zone = zone(now)
	e.Actor = id.Actor
	e.Tool = Tool{Name: "pangolin", Version: bi.Version, Go: bi.Go, OS: bi.OS}
	e.Host = host
	e.Prev = st.lastHash
	line, err := e.sign(id.private)
	if err != nil {
		return nil, nil, fmt.Errorf("append: %w", err)
	}
	st.tree.add(tlog.RecordHash(line))
	cp, err := signCheckpoint(id, l.origin, st.tree.size, st.tree.root(), now)
	if err != nil {
		return nil, nil, err
	}
	cpLine, err := encodeCheckpointLine(cp)
	if err != nil {
		return nil, nil, err
	}
	if err := appendLine(l.Path(), line, !l.noSync); err != nil {
		return nil, nil, fmt.Errorf("append to %s: %w", l.Path(), err)
	}
	if err := appendLine(l.checkpointsPath(), cpLine, !l.noSync); err != nil {
		return nil, nil, fmt.Errorf("append to %s: %w", l.checkpointsPath(), err)
	}
	l.writeCache(&st.tree)
	return &e, cp, nil
}

// zone describes the examiner machine's time zone at t: abbreviation and
// UTC offset, for example "EAT +03:00".
func zone(t time.Time) string {
	name, _ := t.Zone()
	return name + " " + t.Format("-07:00")
}

// appendLine writes line and a newline in one write and syncs the file.
func appendLine(path string, line []byte, sync bool) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	buf := make([]byte, 0, len(line)+1)
	buf = append(append(buf, line...), '\n')
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return err
	}
	if sync {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// tailState is what an append needs to know: the tree so far and the hash of
// the last line.
type tailState struct {
	tree     frontier
	lastHash string
}

// tail reads the ends of the ledger and checkpoints files and checks that
// they agree, in time independent of the ledger's length (the tree comes
// from the cache, checked against the last signed root; a stale cache is
// rebuilt by one pass over the ledger).
func (l *Ledger) tail(ctx context.Context) (*tailState, error) {
	last, err := lastLine(l.Path())
	if err != nil {
		return nil, err
	}
	lastCP, err := lastLine(l.checkpointsPath())
	if err != nil {
		return nil, err
	}
	st := &tailState{lastHash: GenesisPrev}
	if last == nil {
		if lastCP != nil {
			return nil, fmt.Errorf("%w: checkpoints exist but the ledger is empty", ErrDamaged)
		}
		return st, nil
	}
	e, err := ParseEntry(last)
	if err != nil {
		return nil, fmt.Errorf("%w: last entry: %v", ErrDamaged, err)
	}
	st.lastHash = LineHash(last)
	if lastCP == nil {
		return nil, fmt.Errorf("%w: entry %d has no checkpoint", ErrDamaged, e.Seq)
	}
	cp, err := peekCheckpoint(lastCP)
	if err != nil {
		return nil, fmt.Errorf("%w: last checkpoint: %v", ErrDamaged, err)
	}
	if cp.Size != e.Seq {
		return nil, fmt.Errorf("%w: last checkpoint covers %d entries but the last entry is %d", ErrDamaged, cp.Size, e.Seq)
	}
	if cache, ok := l.readCache(); ok && cache.size == e.Seq && cache.root() == cp.Root {
		st.tree = *cache
		return st, nil
	}
	var f frontier
	for line, err := range l.lines(ctx, -1) {
		if err != nil {
			return nil, err
		}
		f.add(tlog.RecordHash(line))
	}
	if f.size != e.Seq || f.root() != cp.Root {
		return nil, fmt.Errorf("%w: the ledger does not match its last checkpoint", ErrDamaged)
	}
	st.tree = f
	return st, nil
}

// peekCheckpoint parses a checkpoints-file line without checking signatures
// (Verify does that); enough for an append to know the signed tree head.
func peekCheckpoint(line []byte) (*Checkpoint, error) {
	msg, err := decodeCheckpointLine(line)
	if err != nil {
		return nil, err
	}
	text, _, ok := bytes.Cut(msg, []byte("\n\n"))
	if !ok {
		return nil, fmt.Errorf("%w: no signature block", ErrCheckpoint)
	}
	return parseCheckpointText(string(text) + "\n")
}

// cache is the on-disk form of the tree frontier. It is derived data: never
// trusted beyond being checked against the last signed root.
type cache struct {
	Size  int64       `json:"size"`
	Roots []tlog.Hash `json:"roots"`
}

func (l *Ledger) readCache() (*frontier, bool) {
	b, err := os.ReadFile(filepath.Join(l.dir, cacheFile))
	if err != nil {
		return nil, false
	}
	var c cache
	if json.Unmarshal(b, &c) != nil || len(c.Roots) > 64 {
		return nil, false
	}
	return &frontier{size: c.Size, roots: c.Roots}, true
}

// writeCache saves the frontier; a failure only costs the next append a
// rebuild, so it is not reported.
func (l *Ledger) writeCache(f *frontier) {
	b, err := json.Marshal(cache{Size: f.size, Roots: f.roots})
	if err == nil {
		_ = os.WriteFile(filepath.Join(l.dir, cacheFile), b, 0o644)
	}
}

// lastLine returns the last newline-terminated line of path (nil for an
// empty or missing file), or ErrDamaged when the file does not end in a
// newline.
func lastLine(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	if size == 0 {
		return nil, nil
	}
	var lastb [1]byte
	if _, err := f.ReadAt(lastb[:], size-1); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if lastb[0] != '\n' {
		return nil, fmt.Errorf("%w: %s ends in a torn line (no end of line)", ErrDamaged, filepath.Base(path))
	}
	// Read back from the end in blocks until the previous newline.
	const block = 4096
	var buf []byte
	end := size - 1
	for {
		start := max(end-block, 0)
		chunk := make([]byte, end-start)
		if _, err := f.ReadAt(chunk, start); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		buf = append(chunk, buf...)
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			return buf[i+1:], nil
		}
		if start == 0 {
			return buf, nil
		}
		if len(buf) > MaxLineSize {
			return nil, fmt.Errorf("%w: %s: last line longer than %d bytes", ErrDamaged, filepath.Base(path), MaxLineSize)
		}
		end = start
	}
}

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// lines yields the complete lines of the ledger (without newlines) up to
// limit bytes (all with limit < 0). A final line without a newline is not
// yielded; [Ledger.Verify] reports it. The slices are valid only until the
// next iteration.
func (l *Ledger) lines(ctx context.Context, limit int64) iter.Seq2[[]byte, error] {
	return fileLines(ctx, l.Path(), limit)
}

func fileLines(ctx context.Context, path string, limit int64) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			return
		}
		if err != nil {
			yield(nil, err)
			return
		}
		defer f.Close()
		var r io.Reader = f
		if limit >= 0 {
			r = io.LimitReader(f, limit)
		}
		br := bufio.NewReaderSize(r, 1<<16)
		for n := 0; ; n++ {
			if n%1024 == 0 && ctx.Err() != nil {
				yield(nil, ctx.Err())
				return
			}
			line, err := readLine(br)
			if err == io.EOF {
				return
			}
			var long *LongLineError
			if errors.As(err, &long) {
				// Reported, then skipped: the next line is still read.
				if !yield(nil, long) {
					return
				}
				continue
			}
			if err != nil {
				yield(nil, fmt.Errorf("%s: %w", path, err))
				return
			}
			if line == nil { // torn tail
				return
			}
			if !yield(line, nil) {
				return
			}
		}
	}
}

// LongLineError reports a line over MaxLineSize, which is skipped without
// being held in memory.
type LongLineError struct {
	Size int64 // bytes in the line, without its newline
}

func (e *LongLineError) Error() string {
	return fmt.Sprintf("%v: line of %d bytes exceeds %d", ErrMalformed, e.Size, MaxLineSize)
}

func (e *LongLineError) Unwrap() error { return ErrMalformed }

// readLine returns the next newline-terminated line without its newline;
// nil, nil for trailing bytes without a newline; io.EOF at the end; a
// *LongLineError, having skipped past its newline, for a line longer than
// MaxLineSize. It never holds more than MaxLineSize bytes.
func readLine(br *bufio.Reader) ([]byte, error) {
	var long []byte
	var skipped int64
	for {
		frag, err := br.ReadSlice('\n')
		switch {
		case err == nil && skipped > 0:
			return nil, &LongLineError{Size: skipped + int64(len(frag)) - 1}
		case err == nil && long == nil:
			return frag[:len(frag)-1], nil
		case err == nil:
			long = append(long, frag[:len(frag)-1]...)
			if len(long) > MaxLineSize {
				return nil, &LongLineError{Size: int64(len(long))}
			}
			return long, nil
		case errors.Is(err, bufio.ErrBufferFull):
			if skipped > 0 {
				skipped += int64(len(frag))
				continue
			}
			long = append(long, frag...)
			if len(long) > MaxLineSize {
				skipped, long = int64(len(long)), nil
			}
		case err == io.EOF:
			if len(frag) == 0 && long == nil && skipped == 0 {
				return nil, io.EOF
			}
			return nil, nil
		default:
			return nil, err
		}
	}
}

// Entries yields the ledger's entries in order, parsed but not verified (use
// [Ledger.Verify] for that). It stops with an error at a malformed line.
func (l *Ledger) Entries(ctx context.Context) iter.Seq2[*Entry, error] {
	return func(yield func(*Entry, error) bool) {
		unlock, err := l.lock(ctx, false)
		if err != nil {
			yield(nil, err)
			return
		}
		defer unlock()
		n := int64(0)
		for line, err := range l.lines(ctx, -1) {
			n++
			if err != nil {
				yield(nil, err)
				return
			}
			e, err := ParseEntry(line)
			if err != nil {
				yield(nil, fmt.Errorf("%s line %d: %w", LedgerFile, n, err))
				return
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

// Head returns the latest checkpoint, its signature checked against the
// roster; nil for an empty ledger.
func (l *Ledger) Head(ctx context.Context, roster []Actor) (*Checkpoint, error) {
	unlock, err := l.lock(ctx, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	line, err := lastLine(l.checkpointsPath())
	if err != nil || line == nil {
		return nil, err
	}
	msg, err := decodeCheckpointLine(line)
	if err != nil {
		return nil, err
	}
	return OpenCheckpoint(msg, roster)
}
