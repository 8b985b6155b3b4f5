// Package archive presents an archive found inside evidence (ZIP, TAR,
// gzip, and tar inside gzip) as a [filesystem.FS], so that its members are
// listed and processed as children of the archive.
//
// [Open] detects the format from the bytes. Members are listed in archive
// order, with their sizes, times and permission bits; nothing in an archive
// is deleted, so every entry is allocated. Folders an archive implies but
// does not record are listed before their contents with Inode 0 and
// Extra["implicit"] = "true". Symbolic and hard links are listed with
// Extra["link_target"] and never followed. Inode is the member index in the
// archive, counted from 1, and Offset is the byte offset of the member's
// first header (for tar, its first extended header if it has one).
//
// Content is handed out without copying where the archive stores it as is
// (tar members, stored ZIP members): [FS.Open] returns an
// [io.SectionReader] over the reader given to Open. Compressed content is
// decompressed into memory up to [Limits.MaxMemory] and, above that, into a
// temporary file made with [os.CreateTemp] that [FS.Close] removes. A gzip
// stream is decompressed once, when the archive is opened, because it has
// no index: its single member, or the members of the tar it holds, are
// then read from the decompressed copy, and for a tar inside gzip Offset
// counts bytes of the decompressed stream.
//
// This package does not recurse: a member that is itself an archive is
// opened by the caller, by calling Open on the member's content. Bounding
// that nesting (a 42.zip-style bomb nests archives several levels deep) is
// the caller's concern; [filesystem.MaxDepth] is the usual bound, and each
// level is held to the [Limits] given to its own Open.
//
// # Security
//
// Archives are attacker-controlled. Member names are never trusted as
// paths: [Entry.Path] is the name made '/'-rooted with backslashes turned
// into '/', drive letters, empty, "." and ".." segments dropped, and NUL,
// control characters, ':' and invalid UTF-8 escaped as %XX; the original
// is kept in Extra["raw_name"] when it differs. Nothing here creates, reads
// or writes a local file by a member's name. Member counts, the total
// uncompressed size and the compression ratio of each member are capped
// ([Limits]) before anything is decompressed, and decompression stops at
// the size a member declares, so a member that inflates past its claim, or
// a gzip stream past the limits, stops with an error wrapping [ErrLimit]
// that names the member, without holding more than the caps in memory or on
// disk. Damaged archives give errors, never panics.
//
// [Entry.Path]: filesystem.Entry
package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

var _ filesystem.FS = (*FS)(nil)

// ErrLimit is wrapped by errors that stop at one of the [Limits].
var ErrLimit = errors.New("archive limit exceeded")

// ErrEncrypted is wrapped by [FS.Open] for an encrypted member.
var ErrEncrypted = errors.New("encrypted member")

// ratioFloor is the uncompressed size below which the compression ratio is
// not checked: small, highly repetitive files are common and harmless.
const ratioFloor = 1 << 20

// blockSize is the tar block size.
const blockSize = 512

// Limits bounds the work and the storage an archive may cause. A field that
// is zero or negative takes its value from [DefaultLimits].
type Limits struct {
	// MaxMembers caps the number of members listed.
	MaxMembers int
	// MaxTotal caps the sum of the uncompressed sizes of all members (the
	// declared sizes for ZIP, the decompressed stream for gzip).
	MaxTotal int64
	// MaxRatio caps uncompressed/compressed size per member (for gzip, of
	// the whole stream), once the uncompressed size passes 1 MiB.
	MaxRatio int
	// MaxMemory caps the decompressed bytes of one member, or of one gzip
	// stream, held in memory; larger content goes to a temporary file.
	// Decompressing uses up to about twice this much memory at once.
	MaxMemory int64
}

// DefaultLimits are the limits used for zero fields of the [Limits] given
// to [Open].
var DefaultLimits = Limits{
	MaxMembers: 100_000,
	MaxTotal:   16 << 30,
	MaxRatio:   100,
	MaxMemory:  64 << 20,
}

func (l Limits) withDefaults() Limits {
	if l.MaxMembers <= 0 {
		l.MaxMembers = DefaultLimits.MaxMembers
	}
	if l.MaxTotal <= 0 {
		l.MaxTotal = DefaultLimits.MaxTotal
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = DefaultLimits.MaxRatio
	}
	if l.MaxMemory <= 0 {
		l.MaxMemory = DefaultLimits.MaxMemory
	}
	return l
}

// member is one listed entry and how to read it.
type member struct {
	entry filesystem.Entry
	// off is where stored content starts in FS.src; zf is set instead for
	// compressed ZIP members.
	off int64
	zf  *zip.File
	// refused, when set, is returned by Open.
	refused error
}

// FS is an opened archive. It is not safe for concurrent use.
type FS struct {
	typ       string
	lim       Limits
	src       io.ReaderAt
	members   []member
	anomalies []string
	temps     []*os.File
}

// Open detects the archive in the size bytes of r (gzip, then tar, then
// ZIP) and lists its members. It returns an error wrapping
// [filesystem.ErrNotFS] when the bytes are none of these, and an error
// wrapping [ErrLimit] when the archive passes opts. The result is an *FS,
// which should be closed to remove any temporary file.
func Open(r io.ReaderAt, size int64, opts Limits) (filesystem.FS, error) {
	if size < 0 {
		return nil, fmt.Errorf("archive: negative size: %w", filesystem.ErrNotFS)
	}
	a := &FS{lim: opts.withDefaults(), src: r}
	var head [4]byte
	n, _ := r.ReadAt(head[:], 0)
	var err error
	switch {
	case n >= 3 && head[0] == 0x1f && head[1] == 0x8b && head[2] == 8:
		err = a.openGzip(r, size)
	case isTar(r, size):
		a.typ = "tar"
		err = a.listTar(r, size)
	default:
		err = a.openZip(r, size, n == 4 && string(head[:]) == "PK\x03\x04")
	}
	if err != nil {
		a.Close()
		return nil, err
	}
	a.addImplicitDirs()
	return a, nil
}

// Type is "zip", "tar", "gzip" or "tar.gz".
func (a *FS) Type() string { return a.typ }

// Label is empty: archives have no volume label.
func (a *FS) Label() string { return "" }

// Anomalies lists members refused by the limits or damaged.
func (a *FS) Anomalies() []string { return a.anomalies }

// Close removes the temporary files the FS made. It is idempotent; entries
// opened before Close cannot be read after it.
func (a *FS) Close() error {
	var errs []error
	for _, f := range a.temps {
		errs = append(errs, f.Close(), os.Remove(f.Name()))
	}
	a.temps = nil
	return errors.Join(errs...)
}

// Walk calls fn for every member in archive order, each implied folder
// before its contents. fn gets a copy it may keep.
func (a *FS) Walk(ctx context.Context, fn func(*filesystem.Entry) error) error {
	for i := range a.members {
		if err := ctx.Err(); err != nil {
			return err
		}
		e := a.members[i].entry
		e.Extra = maps.Clone(e.Extra)
		if err := fn(&e); err != nil {
			return err
		}
	}
	return nil
}

// Open returns the content of a regular-file member Walk listed. It
// refuses links, folders, encrypted members ([ErrEncrypted]) and members
// over the limits ([ErrLimit]). Decompressed content is copied anew at
// every call.
func (a *FS) Open(e *filesystem.Entry) (*io.SectionReader, error) {
	m := a.find(e)
	if m == nil {
		return nil, fmt.Errorf("archive: %s: not a member of this archive", e.Path)
	}
	if m.entry.Type != filesystem.File {
		return nil, fmt.Errorf("archive: %s: not a regular file", e.Path)
	}
	return a.read(m)
}

// read returns the content of m.
func (a *FS) read(m *member) (*io.SectionReader, error) {
	if m.refused != nil {
		return nil, m.refused
	}
	if m.zf == nil {
		return io.NewSectionReader(a.src, m.off, m.entry.Size), nil
	}
	rc, err := m.zf.Open()
	if err != nil {
		return nil, fmt.Errorf("archive: member %q: %w", m.zf.Name, err)
	}
	defer rc.Close()
	data, n, err := a.spill(m.zf.Name, rc, m.entry.Size)
	if errors.Is(err, zip.ErrFormat) {
		// archive/zip reports inflating past the declared size this way.
		return nil, fmt.Errorf("archive: member %q: inflates past its declared %d bytes: %w", m.zf.Name, m.entry.Size, ErrLimit)
	}
	if err != nil {
		return nil, err
	}
	if n != m.entry.Size {
		return nil, fmt.Errorf("archive: member %q: %d bytes, %d declared: %w", m.zf.Name, n, m.entry.Size, io.ErrUnexpectedEOF)
	}
	return io.NewSectionReader(data, 0, n), nil
}

func (a *FS) find(e *filesystem.Entry) *member {
	if e == nil || e.Inode == 0 {
		return nil
	}
	for i := range a.members {
		m := &a.members[i]
		if m.entry.Inode == e.Inode && m.entry.Path == e.Path {
			return m
		}
	}
	return nil
}

// spill reads src into memory, or into a temporary file once it passes
// MaxMemory, and fails with ErrLimit if src holds more than limit bytes.
func (a *FS) spill(name string, src io.Reader, limit int64) (io.ReaderAt, int64, error) {
	tooBig := func() error {
		return fmt.Errorf("archive: member %q: more than %d bytes uncompressed: %w", name, limit, ErrLimit)
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(src, min(limit, a.lim.MaxMemory)+1))
	if err != nil {
		return nil, 0, fmt.Errorf("archive: member %q: %w", name, err)
	}
	if n > limit {
		return nil, 0, tooBig()
	}
	if n <= a.lim.MaxMemory {
		return bytes.NewReader(buf.Bytes()), n, nil
	}
	f, err := os.CreateTemp("", "pangolin-archive-*")
	if err != nil {
		return nil, 0, fmt.Errorf("archive: member %q: %w", name, err)
	}
	a.temps = append(a.temps, f)
	if _, err := buf.WriteTo(f); err != nil {
		return nil, 0, fmt.Errorf("archive: member %q: %w", name, err)
	}
	m, err := io.Copy(f, io.LimitReader(src, limit-n+1))
	if err != nil {
		return nil, 0, fmt.Errorf("archive: member %q: %w", name, err)
	}
	if n += m; n > limit {
		return nil, 0, tooBig()
	}
	return f, n, nil
}

func (a *FS) add(m member) error {
	if len(a.members) >= a.lim.MaxMembers {
		return fmt.Errorf("archive: more than %d members: %w", a.lim.MaxMembers, ErrLimit)
	}
	m.entry.Inode = uint64(len(a.members) + 1)
	a.members = append(a.members, m)
	return nil
}

// refuse marks m as not to be opened, with an anomaly saying why.
func (a *FS) refuse(m *member, err error) {
	m.refused = err
	a.anomalies = append(a.anomalies, err.Error())
}

// addImplicitDirs inserts, before the first member inside it, every folder
// the archive implies but does not list.
func (a *FS) addImplicitDirs() {
	seen := map[string]bool{}
	for _, m := range a.members {
		if m.entry.Type == filesystem.Dir {
			seen[m.entry.Path] = true
		}
	}
	var out []member
	for _, m := range a.members {
		for i := 1; i < len(m.entry.Path); i++ {
			if m.entry.Path[i] != '/' {
				continue
			}
			p := m.entry.Path[:i]
			if seen[p] {
				continue
			}
			seen[p] = true
			out = append(out, member{entry: filesystem.Entry{Path: p, Name: p[strings.LastIndexByte(p, '/')+1:],
				Type: filesystem.Dir, Offset: m.entry.Offset, Extra: map[string]string{"implicit": "true"}}})
		}
		out = append(out, m)
	}
	a.members = out
}

// entry starts an Entry from a member's raw name.
func entry(raw string, typ filesystem.EntryType, size, offset int64) filesystem.Entry {
	p := CleanPath(raw)
	e := filesystem.Entry{Path: p, Name: p[strings.LastIndexByte(p, '/')+1:], Type: typ, Size: size, Offset: offset}
	if p != "/"+strings.TrimSuffix(raw, "/") {
		e.Extra = map[string]string{"raw_name": raw}
	}
	return e
}

func setExtra(e *filesystem.Entry, k, v string) {
	if e.Extra == nil {
		e.Extra = map[string]string{}
	}
	e.Extra[k] = v
}

// CleanPath turns a member name into a '/'-rooted path that cannot leave
// the archive: backslashes become '/', a leading drive letter and empty,
// "." and ".." segments are dropped, and NUL, control characters, ':',
// '%' and invalid UTF-8 bytes are escaped as %XX. A name with nothing left
// becomes "/_".
func CleanPath(raw string) string {
	var segs []string
	for i, s := range strings.Split(strings.ReplaceAll(raw, `\`, "/"), "/") {
		if i == 0 && len(s) == 2 && s[1] == ':' && ('a' <= s[0]|0x20 && s[0]|0x20 <= 'z') {
			continue
		}
		if s == "" || s == "." || s == ".." {
			continue
		}
		segs = append(segs, escape(s))
	}
	if len(segs) == 0 {
		return "/_"
	}
	return "/" + strings.Join(segs, "/")
}

func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || r < 0x20 || r == 0x7f || r == ':' || r == '%' || (0x80 <= r && r < 0xa0) {
			for _, c := range []byte(s[i : i+n]) {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// openZip lists a ZIP archive. local says the data starts with a local
// file header, so that a ZIP that fails to open is damaged, not foreign.
func (a *FS) openZip(r io.ReaderAt, size int64, local bool) error {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		if local {
			return fmt.Errorf("archive: zip: %w", err)
		}
		return fmt.Errorf("archive: %w: %v", filesystem.ErrNotFS, err)
	}
	a.typ = "zip"
	var total uint64
	for _, f := range zr.File {
		if err := a.addZip(r, size, f, &total); err != nil {
			return err
		}
	}
	return nil
}

func (a *FS) addZip(r io.ReaderAt, size int64, f *zip.File, total *uint64) error {
	mode := f.Mode()
	typ := filesystem.File
	switch {
	case mode.IsDir():
		typ = filesystem.Dir
	case mode&fs.ModeSymlink != 0:
		typ = filesystem.Symlink
	case !mode.IsRegular():
		typ = filesystem.Other
	}
	dataOff, derr := f.DataOffset()
	m := member{entry: entry(f.Name, typ, int64(min(f.UncompressedSize64, 1<<63-1)), zipHeader(r, f, dataOff))}
	e := &m.entry
	e.Modified = f.Modified.UTC()
	e.Mode = uint32(mode.Perm())
	if f.Comment != "" {
		setExtra(e, "comment", f.Comment)
	}
	if typ == filesystem.Dir {
		e.Size = 0
	}
	encrypted := f.Flags&0x1 != 0
	if encrypted {
		setExtra(e, "encrypted", "true")
	}
	name := fmt.Sprintf("%q", f.Name)
	switch {
	case derr != nil:
		a.refuse(&m, fmt.Errorf("archive: member %s: %w", name, derr))
	case encrypted:
		m.refused = fmt.Errorf("archive: member %s: %w", name, ErrEncrypted)
	case f.Method == zip.Store:
		if f.CompressedSize64 != f.UncompressedSize64 || f.CompressedSize64 > uint64(size-dataOff) {
			a.refuse(&m, fmt.Errorf("archive: member %s: stored data past the end of the archive: %w", name, io.ErrUnexpectedEOF))
		}
		m.off = dataOff
	default:
		m.zf = f
		if typ != filesystem.Dir {
			*total += f.UncompressedSize64
		}
		switch {
		case *total > uint64(a.lim.MaxTotal):
			a.refuse(&m, fmt.Errorf("archive: member %s: total uncompressed size passes %d bytes: %w", name, a.lim.MaxTotal, ErrLimit))
		case f.UncompressedSize64 > ratioFloor && f.UncompressedSize64/max(f.CompressedSize64, 1) >= uint64(a.lim.MaxRatio):
			a.refuse(&m, fmt.Errorf("archive: member %s: compression ratio %d:1 passes %d:1: %w", name,
				f.UncompressedSize64/max(f.CompressedSize64, 1), a.lim.MaxRatio, ErrLimit))
		}
	}
	if typ == filesystem.Symlink && m.refused == nil {
		if target, err := a.readLink(&m); err == nil {
			setExtra(e, "link_target", target)
		} else {
			a.anomalies = append(a.anomalies, err.Error())
		}
	}
	return a.add(m)
}

// readLink reads a ZIP symbolic link's target, its content.
func (a *FS) readLink(m *member) (string, error) {
	const maxTarget = 4096
	if m.entry.Size > maxTarget {
		return "", fmt.Errorf("archive: member %q: link target of %d bytes", m.entry.Path, m.entry.Size)
	}
	sr, err := a.read(m)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(sr)
	return string(b), err
}

// zipHeader finds the local file header in front of the data at dataOff:
// its name and extra field lengths are not in the central directory.
func zipHeader(r io.ReaderAt, f *zip.File, dataOff int64) int64 {
	window := min(dataOff, int64(30+len(f.Name)+0xffff))
	buf := make([]byte, window)
	if _, err := r.ReadAt(buf, dataOff-window); err != nil {
		return dataOff
	}
	for i := len(buf) - 30 - len(f.Name); i >= 0; i-- {
		h := buf[i:]
		if string(h[:4]) != "PK\x03\x04" {
			continue
		}
		nameLen, extraLen := int(h[26])|int(h[27])<<8, int(h[28])|int(h[29])<<8
		if i+30+nameLen+extraLen == len(buf) {
			return dataOff - window + int64(i)
		}
	}
	return dataOff
}

// isTar reports whether r starts with a tar header.
func isTar(r io.ReaderAt, size int64) bool {
	_, err := tar.NewReader(io.NewSectionReader(r, 0, size)).Next()
	return err == nil || errors.Is(err, tar.ErrInsecurePath)
}

// tracker is the stream the tar reader reads, tracking its position and
// where the first header block after arm starts.
type tracker struct {
	sr    *io.SectionReader
	pos   int64
	armed bool
	mark  int64
}

func (t *tracker) Read(p []byte) (int, error) {
	if t.armed && len(p) == blockSize {
		t.mark, t.armed = t.pos, false
	}
	n, err := t.sr.Read(p)
	t.pos += int64(n)
	return n, err
}

func (t *tracker) Seek(off int64, whence int) (int64, error) {
	p, err := t.sr.Seek(off, whence)
	if err == nil {
		t.pos = p
	}
	return p, err
}

// listTar lists a tar stream whose members' data is stored in r.
func (a *FS) listTar(r io.ReaderAt, size int64) error {
	t := &tracker{sr: io.NewSectionReader(r, 0, size)}
	tr := tar.NewReader(t)
	for {
		t.armed = true
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return fmt.Errorf("archive: tar: member %d at offset %d: %w", len(a.members)+1, t.mark, err)
		}
		if err := a.add(a.tarMember(h, t.mark, t.pos, size)); err != nil {
			return err
		}
	}
}

func (a *FS) tarMember(h *tar.Header, hdrOff, dataOff, size int64) member {
	typ := filesystem.Other
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeGNUSparse, '\x00', tar.TypeCont:
		typ = filesystem.File
	case tar.TypeDir:
		typ = filesystem.Dir
	case tar.TypeSymlink:
		typ = filesystem.Symlink
	}
	m := member{entry: entry(h.Name, typ, 0, hdrOff), off: dataOff}
	e := &m.entry
	if typ == filesystem.File {
		e.Size = h.Size
	}
	e.Modified, e.Accessed, e.Changed = h.ModTime.UTC(), h.AccessTime.UTC(), h.ChangeTime.UTC()
	e.Mode = uint32(h.Mode) & 0o7777
	if h.Linkname != "" {
		setExtra(e, "link_target", h.Linkname)
	}
	if h.Typeflag == tar.TypeLink {
		setExtra(e, "link_type", "hard")
	}
	name := fmt.Sprintf("%q", h.Name)
	switch {
	case typ != filesystem.File:
	case h.Typeflag == tar.TypeGNUSparse || h.PAXRecords["GNU.sparse.map"] != "" || h.PAXRecords["GNU.sparse.major"] != "":
		setExtra(e, "sparse", "true")
		a.refuse(&m, fmt.Errorf("archive: member %s: sparse members are not supported", name))
	case h.Size < 0 || h.Size > size-dataOff:
		a.refuse(&m, fmt.Errorf("archive: member %s: data past the end of the archive: %w", name, io.ErrUnexpectedEOF))
	}
	return m
}

// openGzip decompresses a gzip stream within the limits and lists it as
// one member, or as the tar it holds.
func (a *FS) openGzip(r io.ReaderAt, size int64) error {
	zr, err := gzip.NewReader(io.NewSectionReader(r, 0, size))
	if err != nil {
		return fmt.Errorf("archive: gzip: %w", err)
	}
	name := zr.Name
	if name == "" {
		name = "<archive>.out"
	}
	limit := a.lim.MaxTotal
	if byRatio := ratioFloor + size*int64(a.lim.MaxRatio); byRatio > 0 && byRatio < limit {
		limit = byRatio
	}
	data, n, err := a.spill(name, zr, limit)
	if err != nil {
		return err
	}
	if isTar(data, n) {
		a.typ = "tar.gz"
		a.src = data
		return a.listTar(data, n)
	}
	a.typ = "gzip"
	a.src = data
	m := member{entry: entry(name, filesystem.File, n, 0)}
	m.entry.Modified = zr.ModTime.UTC()
	if zr.Comment != "" {
		setExtra(&m.entry, "comment", zr.Comment)
	}
	return a.add(m)
}
