package hashset

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gofrs/flock"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// Format names the layout of a source file.
type Format string

// Formats [Store.Import] reads. Other packages add formats through
// [Store.ImportWith] with their own [Parser].
const (
	Auto       Format = "auto"        // detect among the formats below
	NSRLRDS3   Format = "nsrl-rds3"   // NSRL RDSv3 SQLite database
	NSRLLegacy Format = "nsrl-legacy" // NSRLFile.txt, or an RDS zip holding it
	CSV        Format = "csv"         // hex digests, one a line, or CSV columns named by algorithm
)

// Record is one digest read from a source.
type Record struct {
	Algo hashing.Algo
	// Sum is the binary digest, Algo.Size() bytes. A parser may reuse
	// its backing array once the consumer returns; the store copies it.
	Sum []byte
}

// A Parser reads the records of the source file at path. It reports a
// malformed line as a [*ParseError] and stops. It must stop soon after
// ctx ends.
type Parser func(ctx context.Context, path string) iter.Seq2[Record, error]

// ParseError reports a malformed line or row of a source file.
type ParseError struct {
	File string // base name of the file, or archive/member for a zip member
	Line int64  // line number, from 1; a row number when Row is set
	Row  bool   // Line counts database rows rather than text lines
	Err  error
}

func (e *ParseError) Error() string {
	unit := "line"
	if e.Row {
		unit = "row"
	}
	return e.File + " " + unit + " " + strconv.FormatInt(e.Line, 10) + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

// ImportOption changes how an import treats an existing set.
type ImportOption struct{ replace bool }

// Replace lets an import take the name of an existing set, which it
// replaces once the new set is complete.
func Replace() ImportOption { return ImportOption{replace: true} }

// Import reads the hash set in the file at path, of the given format, and
// stores it as a set called name. progress, if not nil, is called now and
// then with the number of digests read so far. An existing set of that
// name is refused with [ErrExists] unless [Replace] is given. A failed or
// cancelled import leaves the store as it was.
func (s *Store) Import(ctx context.Context, name string, kind Kind, path string, format Format, progress func(done int64), opts ...ImportOption) (*Info, error) {
	if format == Auto {
		var err error
		if format, err = Detect(path); err != nil {
			return nil, err
		}
	}
	var parse Parser
	switch format {
	case NSRLRDS3:
		parse = parseRDS3
	case NSRLLegacy:
		parse = parseLegacyFile
	case CSV:
		parse = parseCSVFile
	case Hashdeep, Sum:
		parse = parseList
	default:
		return nil, fmt.Errorf("import %s: unknown format %q (known: auto, nsrl-rds3, nsrl-legacy, hashdeep, sum, csv)", filepath.Base(path), format)
	}
	return s.ImportWith(ctx, name, kind, path, format, parse, progress, opts...)
}

// ImportWith is [Store.Import] with a parser supplied by the caller, for
// formats this package does not read itself. format is recorded in the
// set's [Info].
func (s *Store) ImportWith(ctx context.Context, name string, kind Kind, path string, format Format, parse Parser, progress func(done int64), opts ...ImportOption) (*Info, error) {
	if err := s.precheck(name, kind, opts); err != nil {
		return nil, err
	}
	sum, size, err := fileSHA256(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", filepath.Base(path), err)
	}
	info := Info{Name: name, Kind: kind, Format: format, Source: path, SourceSHA256: sum, SourceSize: size}
	return s.ImportRecords(ctx, info, parse(ctx, path), progress, opts...)
}

// ImportRecords stores the digests of records as a set described by src,
// whose Name and Kind are required. Imported, Records and Counts are
// filled in by the store; the other fields are recorded as given.
func (s *Store) ImportRecords(ctx context.Context, src Info, records iter.Seq2[Record, error], progress func(done int64), opts ...ImportOption) (*Info, error) {
	if err := s.precheck(src.Name, src.Kind, opts); err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(int64) {}
	}
	build, err := os.MkdirTemp(filepath.Join(s.dir, tmpDir), buildPfx)
	if err != nil {
		return nil, fmt.Errorf("import %q: %w", src.Name, err)
	}
	defer os.RemoveAll(build)
	lockPath := filepath.Join(build, buildLock)
	fl := flock.New(lockPath)
	if _, err := fl.TryLock(); err != nil {
		return nil, fmt.Errorf("import %q: lock build: %w", src.Name, err)
	}
	unlockBuild := func() {
		fl.Unlock()
		os.Remove(lockPath)
	}
	defer unlockBuild()

	b := newBuilder(build, s.runBudget)
	var n int64
	for rec, err := range records {
		if err != nil {
			return nil, fmt.Errorf("import %q: %w", src.Name, err)
		}
		if n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("import %q: %w", src.Name, err)
			}
			progress(n)
		}
		if err := b.add(rec); err != nil {
			return nil, fmt.Errorf("import %q: record %d: %w", src.Name, n+1, err)
		}
		n++
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("import %q: %w", src.Name, err)
	}
	progress(n)
	if n == 0 {
		return nil, fmt.Errorf("import %q: %w", src.Name, ErrEmpty)
	}
	counts, err := b.finish(ctx)
	if err != nil {
		return nil, fmt.Errorf("import %q: %w", src.Name, err)
	}
	info := src
	info.Imported = time.Now().UTC()
	info.Records = n
	info.Counts = counts
	if err := writeInfo(filepath.Join(build, infoName), info); err != nil {
		return nil, fmt.Errorf("import %q: %w", src.Name, err)
	}
	if err := syncDir(build); err != nil {
		return nil, fmt.Errorf("import %q: %w", src.Name, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("import %q: %w", src.Name, err)
	}
	var replace bool
	for _, o := range opts {
		replace = replace || o.replace
	}
	return s.commit(ctx, src.Name, build, unlockBuild, replace)
}

// precheck refuses bad names and kinds, and an existing name without
// [Replace], before any work is done. commit checks the name again.
func (s *Store) precheck(name string, kind Kind, opts []ImportOption) error {
	if err := checkName(name); err != nil {
		return err
	}
	if !kind.valid() {
		return fmt.Errorf("import %q: unknown kind %q (known: known-good, known-bad, notable)", name, kind)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	for _, o := range opts {
		if o.replace {
			return nil
		}
	}
	if _, err := os.Lstat(filepath.Join(s.dir, setsDir, name)); err == nil {
		return fmt.Errorf("import %q: %w", name, ErrExists)
	}
	return nil
}

func writeInfo(path string, info Info) error {
	raw, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(append(raw, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// fileSHA256 returns the SHA-256 and size of the file at path, checking
// ctx once per block.
func fileSHA256(ctx context.Context, path string) (string, int64, error) {
	fh := hashing.HashFile(ctx, path, hashing.SHA256)
	if fh.Err != nil {
		return "", 0, fmt.Errorf("hash source: %w", fh.Err)
	}
	return fh.Sums[hashing.SHA256], fh.Size, nil
}

// Detect names the format of the file at path from its first bytes: the
// SQLite header means nsrl-rds3, a zip header or the NSRLFile.txt header
// line nsrl-legacy, anything else csv.
func Detect(path string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("detect format: %w", err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("detect format of %s: %w", filepath.Base(path), err)
	}
	return detect(head[:n]), nil
}

func detect(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return NSRLRDS3
	case isZip(head):
		return NSRLLegacy
	}
	line, _, _ := bytes.Cut(bytes.TrimPrefix(head, bom), []byte("\n"))
	switch {
	case isLegacyHeader(line):
		return NSRLLegacy
	case bytes.HasPrefix(line, []byte("%%%% HASHDEEP")):
		return Hashdeep
	case sumLine.Match(line):
		return Sum
	}
	return CSV
}
