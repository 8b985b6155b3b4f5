package ntfs

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// ErrCompressed is returned (wrapped) by Open for an LZNT1-compressed
// stream, which this reader lists but does not decompress.
var ErrCompressed = errors.New("compressed NTFS stream")

// maxRecords caps the MFT records read.
const maxRecords = 1 << 24

// Well-known MFT record numbers.
const (
	recordMFT    = 0
	recordVolume = 3
	recordRoot   = 5
	// firstUserRecord is the first record not reserved for metadata.
	firstUserRecord = 24
)

// orphanDir is the virtual folder holding records whose parent cannot be
// followed.
const orphanDir = "$OrphanFiles"

// FS is an opened NTFS volume or bare $MFT file. Walk may not run
// concurrently with itself; Open, Label and Type may be called from any
// goroutine.
type FS struct {
	vol     io.ReaderAt // the volume; nil for a bare $MFT file
	volSize int64
	bt      boot

	mft     io.ReaderAt // the $MFT content
	mftPhys func(off int64) (int64, bool)
	recSize int64
	nrec    uint64
	label   string

	mu        sync.Mutex
	openNotes []string
	walkNotes []string
}

// Open reads the NTFS volume in r (size bytes). It returns an error
// wrapping [filesystem.ErrNotFS] when the boot sector is not NTFS or its
// geometry is impossible.
func Open(r io.ReaderAt, size int64) (filesystem.FS, error) {
	fs, err := NewFS(r, size)
	if err != nil {
		return nil, err
	}
	return fs, nil
}

// NewFS is [Open] returning the concrete type.
func NewFS(r io.ReaderAt, size int64) (*FS, error) {
	if size < bootSize {
		return nil, fmt.Errorf("ntfs: %d-byte image: %w", size, filesystem.ErrNotFS)
	}
	b := make([]byte, bootSize)
	if _, err := r.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("ntfs: read boot sector: %w", err)
	}
	bt, err := parseBoot(b, size)
	if err != nil {
		return nil, err
	}
	fs := &FS{vol: r, volSize: size, bt: bt, recSize: bt.recordSize}
	if bt.totalSize > size {
		fs.openNotes = append(fs.openNotes, fmt.Sprintf("ntfs: boot sector gives %d bytes, the image has %d", bt.totalSize, size))
	}
	// Record 0 describes $MFT itself; read it straight from the boot
	// sector's LCN, then read the rest through its $DATA runs.
	mftOff := bt.mftLCN * bt.clusterSize
	buf := make([]byte, bt.recordSize)
	if _, err := r.ReadAt(buf, mftOff); err != nil {
		return nil, fmt.Errorf("ntfs: read MFT record 0 at %d: %w", mftOff, err)
	}
	rec0, err := parseRecord(buf, recordMFT)
	if err != nil {
		return nil, fmt.Errorf("ntfs: $MFT at %d: %w", mftOff, err)
	}
	if err := fs.setMFT(&file{rec: rec0, attrs: rec0.attrs}); err != nil {
		return nil, err
	}
	// A fragmented $MFT may keep further runs in extension records,
	// which the first runs reach.
	f, notes := fs.expand(rec0)
	fs.openNotes = append(fs.openNotes, notes...)
	if len(f.attrs) != len(rec0.attrs) {
		if err := fs.setMFT(f); err != nil {
			return nil, err
		}
	}
	fs.readLabel()
	return fs, nil
}

// setMFT points the record reader at the unnamed $DATA of f.
func (fs *FS) setMFT(f *file) error {
	a := f.find(attrData, "")
	if a == nil || a.resident {
		return fmt.Errorf("ntfs: MFT record 0 has no non-resident $DATA")
	}
	st, err := newStream(fs.vol, fs.volSize, fs.bt.clusterSize, a.runs, a.realSize, a.initSize, "$MFT")
	if err != nil {
		return err
	}
	fs.mft = st
	fs.mftPhys = st.physical
	fs.setCount(a.realSize, fs.volSize)
	return nil
}

// setCount sets the record count from the $MFT size, capped by the space
// the records could occupy (the volume, or the $MFT file) and by
// maxRecords.
func (fs *FS) setCount(size, space int64) {
	n := uint64(size / fs.recSize)
	if limit := uint64(space / fs.recSize); n > limit {
		fs.openNotes = append(fs.openNotes, fmt.Sprintf("ntfs: $MFT claims %d records, more than fit in %d bytes; reading %d", n, space, limit))
		n = limit
	}
	if n > maxRecords {
		fs.openNotes = append(fs.openNotes, fmt.Sprintf("ntfs: $MFT holds %d records, reading the first %d", n, maxRecords))
		n = maxRecords
	}
	fs.nrec = n
}

// OpenMFT reads a bare $MFT file (r, size bytes) copied off a volume. The
// record size is taken from record 0. Entries carry names, times and sizes;
// only resident content can be opened. Offsets are relative to the file.
func OpenMFT(r io.ReaderAt, size int64) (*FS, error) {
	hdr := make([]byte, 0x20)
	if size < minRecordSize {
		return nil, fmt.Errorf("ntfs: %d-byte $MFT file: %w", size, filesystem.ErrNotFS)
	}
	if _, err := r.ReadAt(hdr, 0); err != nil {
		return nil, fmt.Errorf("ntfs: read MFT record 0: %w", err)
	}
	rs := int64(binary.LittleEndian.Uint32(hdr[0x1C:]))
	if string(hdr[:4]) != "FILE" || rs < minRecordSize || rs > maxRecordSize || bits.OnesCount64(uint64(rs)) != 1 || rs > size {
		return nil, fmt.Errorf("ntfs: $MFT file: record 0 is not a FILE record of a valid size (%d): %w", rs, filesystem.ErrNotFS)
	}
	fs := &FS{mft: r, recSize: rs, bt: boot{clusterSize: 1}}
	fs.mftPhys = func(off int64) (int64, bool) { return off, true }
	fs.setCount(size, size)
	if _, err := fs.record(recordMFT); err != nil {
		return nil, fmt.Errorf("ntfs: $MFT file: %w", err)
	}
	fs.readLabel()
	return fs, nil
}

// readLabel sets the label from the $VOLUME_NAME of record 3.
func (fs *FS) readLabel() {
	rec, err := fs.record(recordVolume)
	if err != nil {
		fs.openNotes = append(fs.openNotes, fmt.Sprintf("ntfs: $Volume: %v", err))
		return
	}
	for _, a := range rec.attrs {
		if a.typ == attrVolumeName && a.resident {
			fs.label = decodeUTF16(a.value)
			return
		}
	}
}

// record reads and decodes MFT record n.
func (fs *FS) record(n uint64) (*record, error) {
	if n >= fs.nrec {
		return nil, fmt.Errorf("ntfs: MFT record %d: beyond the %d records of $MFT", n, fs.nrec)
	}
	buf := make([]byte, fs.recSize)
	off := int64(n) * fs.recSize
	if _, err := fs.mft.ReadAt(buf, off); err != nil {
		return nil, fmt.Errorf("ntfs: read MFT record %d at $MFT offset %d: %w", n, off, err)
	}
	rec, err := parseRecord(buf, n)
	if err != nil {
		if phys, ok := fs.mftPhys(off); ok && !errors.Is(err, errNoRecord) {
			return nil, fmt.Errorf("%w (record at byte %d)", err, phys)
		}
		return nil, err
	}
	return rec, nil
}

// Type returns "ntfs".
func (fs *FS) Type() string { return "ntfs" }

// Label returns the volume name from $Volume.
func (fs *FS) Label() string { return fs.label }

// Serial returns the volume serial number from the boot sector (0 for a
// bare $MFT file).
func (fs *FS) Serial() uint64 { return fs.bt.serial }

// Anomalies lists damage met while opening the volume and during the last
// Walk.
func (fs *FS) Anomalies() []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append(append([]string(nil), fs.openNotes...), fs.walkNotes...)
}

// node is what the walk keeps of one base MFT record.
type node struct {
	valid bool // a base FILE record that decoded
	seq   uint16
	flags uint16
	names []link
}

// link is the part of a $FILE_NAME the tree needs.
type link struct {
	parent    uint64
	parentSeq uint16
	name      string
}

// child is one name of a record in a folder.
type child struct {
	rec  uint64
	name int // index in node.names
}

// walker holds the state of one Walk.
type walker struct {
	fs       *FS
	ctx      context.Context
	fn       func(*filesystem.Entry) error
	nodes    []node
	children map[uint64][]child
	emitted  []bool
	notes    []string
	dropped  int // anomalies past maxNotes
}

// Walk calls fn for every MFT-record-based entry: the children of the root
// folder in name order, folders before their contents, then the virtual
// folder "/$OrphanFiles" and the records whose parents cannot be followed.
// It reads the whole MFT first to rebuild the tree from $FILE_NAME parent
// references; memory grows with the number of records.
func (fs *FS) Walk(ctx context.Context, fn func(*filesystem.Entry) error) error {
	w := &walker{fs: fs, ctx: ctx, fn: fn, children: map[uint64][]child{}}
	err := w.run()
	if w.dropped > 0 {
		w.notes = append(w.notes, fmt.Sprintf("ntfs: %d more anomalies not listed", w.dropped))
	}
	fs.mu.Lock()
	fs.walkNotes = w.notes
	fs.mu.Unlock()
	return err
}

// maxNotes caps the anomalies one Walk keeps.
const maxNotes = 1000

// note records an anomaly; past maxNotes it only counts them.
func (w *walker) note(format string, a ...any) {
	w.noteAll(fmt.Sprintf(format, a...))
}

func (w *walker) noteAll(notes ...string) {
	for _, n := range notes {
		if len(w.notes) < maxNotes {
			w.notes = append(w.notes, n)
		} else {
			w.dropped++
		}
	}
}

func (w *walker) run() error {
	fs := w.fs
	w.nodes = make([]node, fs.nrec)
	w.emitted = make([]bool, fs.nrec)
	for n := uint64(0); n < fs.nrec; n++ {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		rec, err := fs.record(n)
		if err != nil {
			if !errors.Is(err, errNoRecord) {
				w.noteAll(err.Error())
			}
			continue
		}
		if rec.baseRef != 0 {
			continue
		}
		f, notes := fs.expand(rec)
		w.noteAll(notes...)
		nd := node{valid: true, seq: rec.seq, flags: rec.flags}
		for _, fn := range f.names() {
			nd.names = append(nd.names, link{fn.parent, fn.parentSeq, fn.name})
		}
		if len(nd.names) == 0 {
			// As The Sleuth Kit: a record with no attributes was never
			// used, and an allocated one without a name is not an orphan
			// (records 12 to 23 are reserved that way).
			if len(rec.attrs) == 0 {
				continue
			}
			if rec.flags&recordInUse != 0 {
				if n >= firstUserRecord {
					w.note("ntfs: MFT record %d is allocated but has no $FILE_NAME; not listed", n)
				}
				continue
			}
		}
		w.nodes[n] = nd
	}
	for n := range w.nodes {
		nd := &w.nodes[n]
		if !nd.valid || n == recordRoot {
			continue
		}
		for i, fn := range nd.names {
			if w.validParent(uint64(n), fn) {
				w.children[fn.parent] = append(w.children[fn.parent], child{uint64(n), i})
			}
		}
	}
	for p, cs := range w.children {
		nodes := w.nodes
		sort.Slice(cs, func(i, j int) bool {
			a, b := nodes[cs[i].rec].names[cs[i].name].name, nodes[cs[j].rec].names[cs[j].name].name
			if a != b {
				return a < b
			}
			return cs[i].rec < cs[j].rec
		})
		w.children[p] = cs
	}
	if recordRoot < len(w.nodes) {
		w.emitted[recordRoot] = true
		if w.nodes[recordRoot].valid && w.nodes[recordRoot].flags&recordIsDir != 0 {
			if err := w.walkDir(recordRoot, "", false, 1); err != nil {
				return err
			}
		} else {
			w.note("ntfs: MFT record 5 is not the root folder; every record is listed under /%s", orphanDir)
		}
	}
	if err := w.fn(&filesystem.Entry{Path: "/" + orphanDir, Name: orphanDir, Inode: fs.nrec, Type: filesystem.Dir}); err != nil {
		return err
	}
	return w.orphans()
}

// validParent reports whether the parent reference of name fn of record n
// can be followed: the parent is a decoded folder record other than n whose
// sequence number is the one referenced (or one more, when the parent was
// deleted after the reference was written).
func (w *walker) validParent(n uint64, fn link) bool {
	p := fn.parent
	if p >= uint64(len(w.nodes)) || p == n {
		return false
	}
	pn := &w.nodes[p]
	if !pn.valid || pn.flags&recordIsDir == 0 {
		return false
	}
	return pn.seq == fn.parentSeq || (pn.flags&recordInUse == 0 && pn.seq == fn.parentSeq+1)
}

// children_ emits the children of folder record p, whose path is dir.
func (w *walker) walkDir(p uint64, dir string, orphan bool, depth int) error {
	if depth > filesystem.MaxDepth {
		w.note("ntfs: %s: folders nested deeper than %d; the rest is listed under /%s", dir, filesystem.MaxDepth, orphanDir)
		return nil
	}
	for _, c := range w.children[p] {
		nd := &w.nodes[c.rec]
		if nd.flags&recordIsDir != 0 && w.emitted[c.rec] {
			continue
		}
		if err := w.emit(c.rec, dir+"/"+nd.names[c.name].name, &nd.names[c.name], orphan, depth); err != nil {
			return err
		}
	}
	return nil
}

// orphans emits the records not reached from the root: for each, the
// topmost record of its parent chain not yet emitted goes under
// /$OrphanFiles with its contents.
func (w *walker) orphans() error {
	for n := range w.nodes {
		if !w.nodes[n].valid || w.emitted[n] {
			continue
		}
		top := uint64(n)
		onChain := map[uint64]bool{top: true}
		for steps := 0; steps < filesystem.MaxDepth; steps++ {
			next, ok := w.parentOf(top)
			if !ok || w.emitted[next] || onChain[next] {
				break
			}
			onChain[next] = true
			top = next
		}
		nd := &w.nodes[top]
		name := fmt.Sprintf("OrphanFile-%d", top)
		var fn *link
		if len(nd.names) > 0 {
			fn = &nd.names[0]
			name = fn.name
		}
		if err := w.emit(top, "/"+orphanDir+"/"+name, fn, true, 2); err != nil {
			return err
		}
	}
	return nil
}

// parentOf returns the first followable parent of record n.
func (w *walker) parentOf(n uint64) (uint64, bool) {
	for _, fn := range w.nodes[n].names {
		if w.validParent(n, fn) {
			return fn.parent, true
		}
	}
	return 0, false
}

// emit reports record n under path (reached through name l, nil for a
// nameless record) and, for a folder not yet walked, its contents; the
// $FILE_NAME times reported are those of l.
func (w *walker) emit(n uint64, path string, l *link, orphan bool, depth int) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	first := !w.emitted[n]
	w.emitted[n] = true
	rec, err := w.fs.record(n)
	if err != nil {
		w.noteAll(err.Error())
		return nil
	}
	f, _ := w.fs.expand(rec)
	var fn *fileName
	if l != nil {
		for _, c := range f.names() {
			if c.parent == l.parent && c.name == l.name {
				fn = &c
				break
			}
		}
	}
	for _, e := range w.fs.entries(f, path, fn, orphan) {
		if err := w.fn(e); err != nil {
			return err
		}
	}
	if first && rec.flags&recordIsDir != 0 {
		return w.walkDir(n, path, orphan, depth+1)
	}
	return nil
}

// entries builds the entries of file f named path: the file or folder
// itself (unless it is a file with only named streams), then one entry per
// named $DATA and named non-$I30 $INDEX_ROOT attribute.
func (fs *FS) entries(f *file, path string, fn *fileName, orphan bool) []*filesystem.Entry {
	name := path[strings.LastIndexByte(path, '/')+1:]
	base := filesystem.Entry{
		Path:    path,
		Name:    name,
		Inode:   f.rec.num,
		Type:    filesystem.File,
		Deleted: orphan || f.rec.flags&recordInUse == 0,
	}
	if off, ok := fs.mftPhys(int64(f.rec.num) * fs.recSize); ok {
		base.Offset = off
	}
	si := f.siTimes()
	base.Born, base.Modified, base.Changed, base.Accessed = si[0], si[1], si[2], si[3]
	if fn != nil {
		base.Extra = map[string]string{}
		for i, k := range []string{"fn_born", "fn_modified", "fn_changed", "fn_accessed"} {
			if !fn.times[i].IsZero() {
				base.Extra[k] = fn.times[i].Format(time.RFC3339Nano)
			}
		}
	}
	isDir := f.rec.flags&recordIsDir != 0
	if isDir {
		base.Type = filesystem.Dir
	}
	var out []*filesystem.Entry
	var streams []*attr
	var main *attr
	for i := range f.attrs {
		a := &f.attrs[i]
		switch {
		case a.typ == attrData && a.name == "":
			if main == nil {
				main = a
			}
		case a.typ == attrData, a.typ == attrIndexRoot && a.name != "" && a.name != "$I30":
			streams = append(streams, a)
		}
	}
	if isDir || main != nil || len(streams) == 0 {
		e := base
		if main != nil && !isDir {
			e.Size = main.size()
		}
		out = append(out, &e)
	}
	for _, a := range streams {
		e := base
		e.Extra = cloneMap(base.Extra)
		e.Type = filesystem.File
		e.Path = path + ":" + a.name
		e.Name = name + ":" + a.name
		e.Stream = a.name
		e.Size = a.size()
		out = append(out, &e)
	}
	return out
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// Open returns the content of entry e: its unnamed $DATA, or the named
// $DATA (or $INDEX_ROOT) e.Stream. Sparse runs and bytes past the
// initialized size read as zeros. A folder and the virtual $OrphanFiles
// folder have no content (an empty reader). For a deleted entry the data
// runs are read as they stand, whatever now occupies those clusters.
func (fs *FS) Open(e *filesystem.Entry) (*io.SectionReader, error) {
	if e.Type == filesystem.Dir && e.Stream == "" {
		return io.NewSectionReader(bytes.NewReader(nil), 0, 0), nil
	}
	rec, err := fs.record(e.Inode)
	if err != nil {
		return nil, fmt.Errorf("ntfs: open %s: %w", e.Path, err)
	}
	f, _ := fs.expand(rec)
	a := f.find(attrData, e.Stream)
	if a == nil && e.Stream != "" {
		a = f.find(attrIndexRoot, e.Stream)
	}
	what := fmt.Sprintf("MFT record %d stream %q", e.Inode, e.Stream)
	if a == nil {
		return nil, fmt.Errorf("ntfs: open %s: %s: no such attribute", e.Path, what)
	}
	if a.resident {
		return io.NewSectionReader(bytes.NewReader(a.value), 0, int64(len(a.value))), nil
	}
	st, err := fs.stream(a, what)
	if err != nil {
		return nil, fmt.Errorf("ntfs: open %s: %w", e.Path, err)
	}
	return io.NewSectionReader(st, 0, a.realSize), nil
}
