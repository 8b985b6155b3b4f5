package acquire

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/internal/buildinfo"
)

// maxDepth bounds how deep AcquireLogical descends, against loops of bind
// mounts and hostile trees.
const maxDepth = 256

// LogicalOptions tunes [AcquireLogical]. The zero value is usable.
type LogicalOptions struct {
	// Algos are the hashes of each file; by default md5, sha1 and sha256.
	Algos []hashing.Algo
	// ManifestPath is where the manifest goes; by default the container's
	// path with ".manifest.json" appended.
	ManifestPath string
	// Progress, if set, is called after each file.
	Progress func(LogicalProgress)
}

// LogicalProgress reports how far a logical acquisition is.
type LogicalProgress struct {
	Entries int64  `json:"entries"`
	Bytes   int64  `json:"bytes"`
	Errors  int64  `json:"errors"`
	Path    string `json:"path"`
}

// Entry is the manifest line of one file, folder, link or other object
// found in the tree.
type Entry struct {
	// Path is the entry's name in the container: slash-separated, relative
	// to the acquired folder.
	Path string `json:"path"`
	// RawPath holds the name's bytes (base64 in JSON) when they are not
	// UTF-8, which Path, being JSON text, cannot carry exactly.
	RawPath []byte `json:"raw_path,omitempty"`
	// Type is "file", "dir", "symlink" or "other" (devices, pipes,
	// sockets, recorded but not read).
	Type string `json:"type"`
	Size int64  `json:"size"`
	// Mode is the permission and type bits as Go's fs.FileMode prints
	// them ("-rw-r--r--").
	Mode string `json:"mode"`
	// MTime, ATime and CTime are UTC, RFC 3339 with nanoseconds, as the
	// operating system reported them before the file was read; ATime and
	// CTime are empty where the platform does not give them.
	MTime string `json:"mtime"`
	ATime string `json:"atime,omitempty"`
	CTime string `json:"ctime,omitempty"`
	// Link is a symbolic link's target, which is recorded, not followed.
	Link string `json:"link,omitempty"`
	// Hashes are the hashes of the bytes stored in the container.
	Hashes hashing.Sums `json:"hashes,omitempty"`
	// Stored reports that the entry is in the container.
	Stored bool `json:"stored"`
	// Err says what could not be read. A file that failed part way is
	// stored with its unread remainder zero-filled, and its hashes cover
	// the stored bytes.
	Err string `json:"error,omitempty"`
}

// Manifest is the JSON document AcquireLogical writes beside the
// container, in this field order:
//
//	{"version": 1, "root": "/media/usb", "tool": {…}, "start": "…",
//	 "entries": [{"path": "DCIM/IMG_0001.JPG", …}, …],
//	 "end": "…", "entry_count": 1234, "bytes": 5678, "error_count": 0,
//	 "container": {"path": "EX-002.tar", "size": …, "sha256": "…"}}
//
// The entries come first so that the manifest streams to disk; the
// container's own size and SHA-256 come last.
type Manifest struct {
	Version    int            `json:"version"`
	Root       string         `json:"root"`
	Tool       buildinfo.Info `json:"tool"`
	Start      string         `json:"start"`
	Entries    []Entry        `json:"entries"`
	End        string         `json:"end"`
	EntryCount int64          `json:"entry_count"`
	Bytes      int64          `json:"bytes"`
	ErrorCount int64          `json:"error_count"`
	Container  chain.Ref      `json:"container"`
}

// LogicalResult describes a completed logical acquisition.
type LogicalResult struct {
	// Container is the tar file with its size and SHA-256.
	Container chain.Ref
	// Manifest is the manifest file with its size and SHA-256.
	Manifest   chain.Ref
	EntryCount int64
	// Bytes is the number of file bytes stored.
	Bytes      int64
	ErrorCount int64
	Start, End time.Time
}

// AcquireLogical collects the tree under dir, file by file, into a POSIX
// (PAX) tar at out, which must not exist and must not be inside dir, and
// writes a [Manifest] beside it. Each file is opened read-only (see
// evidence.Open) and read once; the same bytes go into the tar and through
// the hashes. PAX headers keep long and non-ASCII names and times to the
// nanosecond. Symbolic links are stored as links, never followed; devices,
// pipes and sockets are listed but not read. A file that cannot be read
// is listed with its error, not fatal. Memory does not grow with the
// number of files. Reading a symbolic link may update the link's own
// access time, which the kernel offers no way to avoid; the manifest
// keeps the time from before.
//
// On error or cancellation the partial container and manifest are
// removed.
func AcquireLogical(ctx context.Context, dir, out string, opts LogicalOptions) (*LogicalResult, error) {
	return acquireLogical(ctx, dir, out, opts, func(p string) (io.ReadCloser, error) { return evidence.Open(p) })
}

// logical is the state of one logical acquisition.
type logical struct {
	ctx      context.Context
	root     string
	open     func(string) (io.ReadCloser, error)
	algos    []hashing.Algo
	tw       *tar.Writer
	manifest *bufio.Writer
	first    bool
	progress func(LogicalProgress)
	res      LogicalResult
}

func acquireLogical(ctx context.Context, dir, out string, opts LogicalOptions, open func(string) (io.ReadCloser, error)) (res *LogicalResult, err error) {
	algos := opts.Algos
	if len(algos) == 0 {
		algos = []hashing.Algo{hashing.MD5, hashing.SHA1, hashing.SHA256}
	}
	if _, err := hashing.NewMulti(algos...); err != nil {
		return nil, fmt.Errorf("acquire logical: %w", err)
	}
	manifestPath := opts.ManifestPath
	if manifestPath == "" {
		manifestPath = out + ".manifest.json"
	}
	if err := outsideTree(dir, out); err != nil {
		return nil, err
	}
	if err := outsideTree(dir, manifestPath); err != nil {
		return nil, err
	}
	if _, err := os.Lstat(manifestPath); err == nil {
		return nil, fmt.Errorf("acquire logical: %s: %w", manifestPath, os.ErrExist)
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("acquire logical: %w", err)
	}
	mf, err := os.CreateTemp(filepath.Dir(manifestPath), "."+filepath.Base(manifestPath)+".tmp*")
	if err != nil {
		f.Close()
		os.Remove(out)
		return nil, fmt.Errorf("acquire logical: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			mf.Close()
			os.Remove(out)
			os.Remove(mf.Name())
		}
	}()

	l := &logical{ctx: ctx, root: dir, open: open, algos: algos, first: true, progress: opts.Progress}
	l.res.Start = time.Now()
	ch := &countHash{h: sha256.New()}
	bw := bufio.NewWriterSize(io.MultiWriter(f, ch), 1<<20)
	l.tw = tar.NewWriter(containerWriter{bw})
	mh := &countHash{h: sha256.New()}
	l.manifest = bufio.NewWriter(io.MultiWriter(mf, mh))
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("acquire logical: %w", err)
	}
	fmt.Fprintf(l.manifest, "{\n\"version\": 1,\n\"root\": %s,\n\"tool\": %s,\n\"start\": %q,\n\"entries\": [",
		mustJSON(abs), mustJSON(buildinfo.Get()), formatTime(l.res.Start))

	if err := l.walk(dir, "", 0); err != nil {
		return nil, err
	}
	if err := l.tw.Close(); err != nil {
		return nil, fmt.Errorf("acquire logical: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("acquire logical: %w", err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("acquire logical: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("acquire logical: %w", err)
	}
	l.res.End = time.Now()
	l.res.Container = chain.Ref{Path: out, Size: ch.n, SHA256: hex.EncodeToString(ch.h.Sum(nil))}
	fmt.Fprintf(l.manifest, "\n],\n\"end\": %q,\n\"entry_count\": %d,\n\"bytes\": %d,\n\"error_count\": %d,\n\"container\": %s\n}\n",
		formatTime(l.res.End), l.res.EntryCount, l.res.Bytes, l.res.ErrorCount, mustJSON(chain.Ref{
			Path: filepath.Base(out), Size: ch.n, SHA256: l.res.Container.SHA256}))
	if err := l.manifest.Flush(); err != nil {
		return nil, fmt.Errorf("acquire logical: manifest: %w", err)
	}
	if err := mf.Sync(); err != nil {
		return nil, fmt.Errorf("acquire logical: manifest: %w", err)
	}
	if err := mf.Close(); err != nil {
		return nil, fmt.Errorf("acquire logical: manifest: %w", err)
	}
	if err := os.Rename(mf.Name(), manifestPath); err != nil {
		return nil, fmt.Errorf("acquire logical: manifest: %w", err)
	}
	l.res.Manifest = chain.Ref{Path: manifestPath, Size: mh.n, SHA256: hex.EncodeToString(mh.h.Sum(nil))}
	return &l.res, nil
}

// outsideTree fails if p is dir or inside it: nothing is written into the
// evidence.
func outsideTree(dir, p string) error {
	d, err := filepath.Abs(dir)
	if err == nil {
		d, err = filepath.EvalSymlinks(d)
	}
	if err != nil {
		return fmt.Errorf("acquire logical: %w", err)
	}
	o, err := filepath.Abs(p)
	if err == nil {
		var parent string
		parent, err = filepath.EvalSymlinks(filepath.Dir(o))
		o = filepath.Join(parent, filepath.Base(o))
	}
	if err != nil {
		return fmt.Errorf("acquire logical: %w", err)
	}
	if rel, err := filepath.Rel(d, o); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("acquire logical: %s is inside the acquired folder %s", p, dir)
	}
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with values that always marshal
	}
	return b
}

// countHash hashes and counts what is written through it.
type countHash struct {
	h hash.Hash
	n int64
}

func (c *countHash) Write(p []byte) (int, error) {
	c.h.Write(p)
	c.n += int64(len(p))
	return len(p), nil
}

// walk stores the entries of the folder at fsPath, whose name in the
// container is name ("" for the root), in name order.
func (l *logical) walk(fsPath, name string, depth int) error {
	if err := l.ctx.Err(); err != nil {
		return fmt.Errorf("acquire logical: %w", err)
	}
	list, err := readDirNames(fsPath)
	if err != nil {
		if name == "" {
			return fmt.Errorf("acquire logical: %w", err)
		}
		l.record(Entry{Path: name + "/", Type: "dir", Err: err.Error()})
		return nil
	}
	for _, n := range list {
		p := filepath.Join(fsPath, n)
		tn := path.Join(name, n)
		fi, err := os.Lstat(p)
		if err != nil {
			l.record(Entry{Path: tn, Err: err.Error()})
			continue
		}
		if fi.IsDir() && depth+1 >= maxDepth {
			l.record(Entry{Path: tn + "/", Type: "dir", Mode: fi.Mode().String(), MTime: formatTime(fi.ModTime()),
				Err: fmt.Sprintf("deeper than %d folders: not stored", maxDepth)})
			continue
		}
		if err := l.store(p, tn, fi); err != nil {
			return err
		}
		if fi.IsDir() {
			if err := l.walk(p, tn, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// readDirNames lists a folder, opened read-only so that its access time is
// kept, sorted by name.
func readDirNames(p string) ([]string, error) {
	d, err := evidence.Open(p)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	return names, nil
}

// store writes one entry to the tar and the manifest.
func (l *logical) store(p, name string, fi fs.FileInfo) error {
	e := Entry{Path: name, Mode: fi.Mode().String(), MTime: formatTime(fi.ModTime())}
	var link string
	switch {
	case fi.Mode().IsRegular():
		e.Type, e.Size = "file", fi.Size()
	case fi.IsDir():
		e.Type, e.Path = "dir", name+"/"
	case fi.Mode()&fs.ModeSymlink != 0:
		e.Type = "symlink"
		t, err := os.Readlink(p)
		if err != nil {
			e.Err = err.Error()
			l.record(e)
			return nil
		}
		e.Link, link = t, t
	default:
		e.Type = "other"
		l.record(e)
		return nil
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		e.Err = err.Error()
		l.record(e)
		return nil
	}
	hdr.Name, hdr.Format = e.Path, tar.FormatPAX
	if !hdr.AccessTime.IsZero() {
		e.ATime = formatTime(hdr.AccessTime)
	}
	if !hdr.ChangeTime.IsZero() {
		e.CTime = formatTime(hdr.ChangeTime)
	}
	if e.Type != "file" {
		if err := l.writeHeader(hdr, &e); err != nil {
			return err
		}
		l.record(e)
		return nil
	}
	f, err := l.open(p)
	if err != nil {
		e.Err = err.Error()
		l.record(e)
		return nil
	}
	defer f.Close()
	if err := l.writeHeader(hdr, &e); err != nil || !e.Stored {
		return err
	}
	m, _ := hashing.NewMulti(l.algos...)
	w := io.MultiWriter(l.tw, m)
	n, err := io.CopyN(w, evidenceReader{l.ctx, f}, hdr.Size)
	var rerr *readError
	switch {
	case l.ctx.Err() != nil:
		m.Sums()
		return fmt.Errorf("acquire logical: %w", l.ctx.Err())
	case errors.As(err, &rerr) || err == io.EOF:
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		e.Err = fmt.Sprintf("read at offset %d: %v; the remaining %d bytes are zero-filled", n, err, hdr.Size-n)
		if _, err := io.CopyN(w, zeroReader{}, hdr.Size-n); err != nil {
			m.Sums()
			return fmt.Errorf("acquire logical: %s: %w", name, err)
		}
	case err != nil:
		m.Sums()
		return fmt.Errorf("acquire logical: %s: %w", name, err)
	}
	e.Hashes = m.Sums()
	l.res.Bytes += hdr.Size
	l.record(e)
	return nil
}

// writeHeader writes hdr to the tar and marks e stored. A header the tar
// format cannot encode is an error of the entry, recorded in e; a write
// error of the container is returned.
func (l *logical) writeHeader(hdr *tar.Header, e *Entry) error {
	err := l.tw.WriteHeader(hdr)
	var werr *writeError
	switch {
	case errors.As(err, &werr):
		return fmt.Errorf("acquire logical: %s: %w", e.Path, err)
	case err != nil:
		e.Err = err.Error()
	default:
		e.Stored = true
	}
	return nil
}

// writeError is an error writing the container.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// containerWriter marks its writer's errors as [writeError]s.
type containerWriter struct{ w io.Writer }

func (c containerWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil {
		err = &writeError{err}
	}
	return n, err
}

// readError is an error reading the evidence.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// evidenceReader marks its reader's errors other than io.EOF as
// [readError]s, and fails once ctx is cancelled.
type evidenceReader struct {
	ctx context.Context
	r   io.Reader
}

func (r evidenceReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = &readError{err}
	}
	return n, err
}

// zeroReader yields zeros.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// record appends e to the manifest; write errors surface when the
// manifest is flushed.
func (l *logical) record(e Entry) {
	if !utf8.ValidString(e.Path) {
		e.RawPath = []byte(e.Path)
	}
	sep := ","
	if l.first {
		sep, l.first = "", false
	}
	fmt.Fprintf(l.manifest, "%s\n%s", sep, mustJSON(e))
	l.res.EntryCount++
	if e.Err != "" {
		l.res.ErrorCount++
	}
	if l.progress != nil {
		l.progress(LogicalProgress{Entries: l.res.EntryCount, Bytes: l.res.Bytes, Errors: l.res.ErrorCount, Path: e.Path})
	}
}
