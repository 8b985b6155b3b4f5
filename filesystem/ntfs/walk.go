package ntfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// scanChunk is how many bytes of $MFT the walk reads at a time.
const scanChunk = 1 << 20

// node is what the walk keeps of one base MFT record: enough to place it
// in the tree and to build its entries without reading it again.
type node struct {
	si       [4]uint64 // $STANDARD_INFORMATION born, modified, changed, accessed (FILETIME)
	size     int64     // size of the unnamed $DATA
	links    int       // first name, in walker.links
	streams  int       // first named stream, in walker.streams
	nlinks   int32
	nstreams int32
	seq      uint16
	flags    uint16 // record header flags
	state    uint8  // nodeValid, nodeMain, nodeEmitted
}

// node states.
const (
	nodeValid   = 1 << iota // a base FILE record that decoded, listed
	nodeMain                // has an unnamed $DATA
	nodeEmitted             // listed (a folder: its contents too)
)

// link is one name of a record: the part of a $FILE_NAME the walk needs.
type link struct {
	parent    uint64
	name      int // offset of the UTF-8 name in walker.text
	nameLen   int32
	parentSeq uint16
	times     [4]uint64 // $FILE_NAME born, modified, changed, accessed (FILETIME)
}

// namedStream is one named $DATA (or named $INDEX_ROOT other than $I30).
type namedStream struct {
	name    int // in walker.text
	nameLen int32
	size    int64
}

// child is one name of a record in a folder.
type child struct {
	rec  uint32
	link int // in walker.links
}

// walker holds the state of one Walk; nothing in it is shared with other
// walks or with Open.
type walker struct {
	fs    *FS
	ctx   context.Context
	fn    func(*filesystem.Entry) error
	nodes []node
	links []link
	strs  []namedStream
	text  []byte // names of links and streams, UTF-8, back to back
	kids  []child
	first []int // the children of record p are kids[first[p]:first[p+1]]

	notes   []string
	dropped int // anomalies past maxNotes

	// Per-record scratch.
	runs       []run
	long       [][]byte // $FILE_NAME values other than DOS names
	short      [][]byte // DOS names
	chain      []uint64
	streamName []byte
}

// Walk calls fn for every MFT-record-based entry: the children of the root
// folder in name order, folders before their contents, then the virtual
// folder "/$OrphanFiles" and the records whose parents cannot be followed.
// It reads the whole MFT first, in large sequential blocks, to rebuild the
// tree from $FILE_NAME parent references; memory grows with the number of
// records (about 200 bytes each). Walk may run while other goroutines
// Open and read entries, and alongside other Walks.
func (fs *FS) Walk(ctx context.Context, fn func(*filesystem.Entry) error) error {
	w := &walker{fs: fs, ctx: ctx, fn: fn}
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
	if err := w.scan(); err != nil {
		return err
	}
	w.tree()
	if recordRoot < len(w.nodes) {
		root := &w.nodes[recordRoot]
		root.state |= nodeEmitted
		if root.state&nodeValid != 0 && root.flags&recordIsDir != 0 {
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

// scan reads every MFT record, scanChunk bytes at a time, and keeps a node
// for each base record that decodes.
func (w *walker) scan() error {
	fs := w.fs
	rs := uint64(fs.recSize)
	per := uint64(scanChunk) / rs
	if per > fs.nrec {
		per = fs.nrec
	}
	buf := make([]byte, per*rs)
	w.nodes = make([]node, fs.nrec)
	for first := uint64(0); first < fs.nrec; first += per {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		cnt := min(per, fs.nrec-first)
		b := buf[:cnt*rs]
		if n, err := fs.mft.ReadAt(b, int64(first*rs)); err != nil && n < len(b) {
			// Read record by record, so that each failure names its record.
			for k := range cnt {
				rb := b[k*rs : (k+1)*rs]
				if err := fs.readRecord(rb, first+k); err != nil {
					w.noteAll(err.Error())
					continue
				}
				w.scanRecord(rb, first+k)
			}
			continue
		}
		for k := range cnt {
			w.scanRecord(b[k*rs:(k+1)*rs], first+k)
		}
	}
	return nil
}

// scanRecord decodes record num from b (fixups are applied in place) and
// keeps its node; a record that does not decode is noted and left out,
// as are extension records.
func (w *walker) scanRecord(b []byte, num uint64) {
	fs := w.fs
	h, err := parseHeader(b, num)
	if err != nil {
		if !errors.Is(err, errNoRecord) {
			w.noteAll(fs.placeErr(err, num).Error())
		}
		return
	}
	var (
		nd      = node{seq: h.seq, flags: h.flags}
		nattrs  int
		hasList bool
		siSeen  bool
	)
	textMark, strMark := len(w.text), len(w.strs)
	w.long, w.short = w.long[:0], w.short[:0]
	it := newAttrIter(b, num, h)
	for {
		ra, ok, err := it.next()
		if err == nil && ok && !ra.resident {
			w.runs, err = ra.checkRuns(num, w.runs)
		}
		if err != nil {
			w.noteAll(fs.placeErr(err, num).Error())
			w.text, w.strs = w.text[:textMark], w.strs[:strMark]
			return
		}
		if !ok {
			break
		}
		nattrs++
		if h.baseRef != 0 {
			continue
		}
		if ra.typ == attrAttributeList {
			hasList = true
		}
		size := int64(len(ra.value))
		if !ra.resident {
			size = ra.realSize
		}
		w.streamName = appendUTF16(w.streamName[:0], ra.name)
		w.addAttr(&nd, &siSeen, ra.typ, w.streamName, ra.resident, ra.value, size)
	}
	if h.baseRef != 0 {
		return
	}
	if hasList {
		// Attributes spread over extension records: decode the record
		// again the usual way and gather them.
		w.text, w.strs = w.text[:textMark], w.strs[:strMark]
		w.long, w.short = w.long[:0], w.short[:0]
		rec, err := fs.record(num)
		if err != nil {
			w.noteAll(err.Error())
			return
		}
		f, notes := fs.expand(rec)
		w.noteAll(notes...)
		nd, siSeen = node{seq: h.seq, flags: h.flags}, false
		for i := range f.attrs {
			a := &f.attrs[i]
			w.streamName = append(w.streamName[:0], a.name...)
			w.addAttr(&nd, &siSeen, a.typ, w.streamName, a.resident, a.value, a.size())
		}
	}
	nd.streams = strMark
	w.addNames(&nd)
	if nd.nlinks == 0 {
		// As The Sleuth Kit: a record with no attributes was never used,
		// and an allocated one without a name is not an orphan (records
		// 12 to 23 are reserved that way).
		drop := nattrs == 0
		if !drop && nd.flags&recordInUse != 0 {
			if num >= firstUserRecord {
				w.note("ntfs: MFT record %d is allocated but has no $FILE_NAME; not listed", num)
			}
			drop = true
		}
		if drop {
			w.text, w.strs = w.text[:textMark], w.strs[:strMark]
			return
		}
	}
	nd.state |= nodeValid
	w.nodes[num] = nd
}

// i30 is the name "$I30" in UTF-8.
const i30 = "$I30"

// addAttr takes from one attribute (name in UTF-8) what the entries of
// the record need: the first unnamed $STANDARD_INFORMATION's times, the
// $FILE_NAME values, the size of the first unnamed $DATA, and the named
// $DATA and $INDEX_ROOT (other than $I30) streams.
func (w *walker) addAttr(nd *node, siSeen *bool, typ uint32, name []byte, resident bool, value []byte, size int64) {
	switch typ {
	case attrStandardInfo:
		if len(name) == 0 && !*siSeen {
			*siSeen = true
			if resident && len(value) >= 0x20 {
				for i := range nd.si {
					nd.si[i] = leUint(value[8*i : 8*i+8])
				}
			}
		}
	case attrFileName:
		if !resident || len(value) < 0x42 {
			return
		}
		if n := int(value[0x40]); n == 0 || 0x42+2*n > len(value) {
			return
		}
		if value[0x41] == namespaceDOS {
			w.short = append(w.short, value)
		} else {
			w.long = append(w.long, value)
		}
	case attrData, attrIndexRoot:
		if typ == attrData && len(name) == 0 {
			if nd.state&nodeMain == 0 {
				nd.state |= nodeMain
				nd.size = size
			}
			return
		}
		if len(name) == 0 || typ == attrIndexRoot && string(name) == i30 {
			return
		}
		w.strs = append(w.strs, namedStream{name: len(w.text), nameLen: int32(len(name)), size: size})
		w.text = append(w.text, name...)
		nd.nstreams++
	}
}

// addNames keeps the names of nd gathered by addAttr: Win32, POSIX and
// Win32-and-DOS names, or the DOS names when it has no other; one per
// parent and name.
func (w *walker) addNames(nd *node) {
	vals := w.long
	if len(vals) == 0 {
		vals = w.short
	}
	nd.links = len(w.links)
	for _, v := range vals {
		ref := leUint(v[:8])
		l := link{parent: ref & refMask, parentSeq: uint16(ref >> 48), name: len(w.text)}
		for i := range l.times {
			l.times[i] = leUint(v[8+8*i : 16+8*i])
		}
		w.text = appendUTF16(w.text, v[0x42:0x42+2*int(v[0x40])])
		l.nameLen = int32(len(w.text) - l.name)
		name := w.text[l.name:]
		dup := false
		for _, o := range w.links[nd.links:] {
			if o.parent == l.parent && bytes.Equal(w.name(&o), name) {
				dup = true
				break
			}
		}
		if dup {
			w.text = w.text[:l.name]
			continue
		}
		w.links = append(w.links, l)
		nd.nlinks++
	}
}

// name returns the name of l, UTF-8.
func (w *walker) name(l *link) []byte { return w.text[l.name : l.name+int(l.nameLen)] }

// tree groups the followable names of every record by parent folder,
// each folder's children in name order.
func (w *walker) tree() {
	w.first = make([]int, len(w.nodes)+1)
	for n := range w.nodes {
		nd := &w.nodes[n]
		if nd.state&nodeValid == 0 || n == recordRoot {
			continue
		}
		for _, l := range w.links[nd.links : nd.links+int(nd.nlinks)] {
			if w.validParent(uint64(n), &l) {
				w.first[l.parent+1]++
			}
		}
	}
	for p := 1; p < len(w.first); p++ {
		w.first[p] += w.first[p-1]
	}
	w.kids = make([]child, w.first[len(w.nodes)])
	pos := append([]int(nil), w.first[:len(w.nodes)]...)
	for n := range w.nodes {
		nd := &w.nodes[n]
		if nd.state&nodeValid == 0 || n == recordRoot {
			continue
		}
		for i := nd.links; i < nd.links+int(nd.nlinks); i++ {
			if l := &w.links[i]; w.validParent(uint64(n), l) {
				w.kids[pos[l.parent]] = child{rec: uint32(n), link: i}
				pos[l.parent]++
			}
		}
	}
	cmp := func(a, b child) int {
		if c := bytes.Compare(w.name(&w.links[a.link]), w.name(&w.links[b.link])); c != 0 {
			return c
		}
		return int(a.rec) - int(b.rec)
	}
	for p := range w.nodes {
		if cs := w.kids[w.first[p]:w.first[p+1]]; len(cs) > 1 {
			slices.SortFunc(cs, cmp)
		}
	}
}

// validParent reports whether the parent reference of name l of record n
// can be followed: the parent is a decoded folder record other than n whose
// sequence number is the one referenced (or one more, when the parent was
// deleted after the reference was written).
func (w *walker) validParent(n uint64, l *link) bool {
	p := l.parent
	if p >= uint64(len(w.nodes)) || p == n {
		return false
	}
	pn := &w.nodes[p]
	if pn.state&nodeValid == 0 || pn.flags&recordIsDir == 0 {
		return false
	}
	return pn.seq == l.parentSeq || (pn.flags&recordInUse == 0 && pn.seq == l.parentSeq+1)
}

// walkDir emits the children of folder record p, whose path is dir.
func (w *walker) walkDir(p uint64, dir string, orphan bool, depth int) error {
	if depth > filesystem.MaxDepth {
		w.note("ntfs: %s: folders nested deeper than %d; the rest is listed under /%s", dir, filesystem.MaxDepth, orphanDir)
		return nil
	}
	for _, c := range w.kids[w.first[p]:w.first[p+1]] {
		nd := &w.nodes[c.rec]
		if nd.flags&recordIsDir != 0 && nd.state&nodeEmitted != 0 {
			continue
		}
		l := &w.links[c.link]
		if err := w.emit(uint64(c.rec), w.join(dir, w.name(l)), l, orphan, depth); err != nil {
			return err
		}
	}
	return nil
}

// join returns dir + "/" + name in one allocation.
func (w *walker) join(dir string, name []byte) string {
	var sb strings.Builder
	sb.Grow(len(dir) + 1 + len(name))
	sb.WriteString(dir)
	sb.WriteByte('/')
	sb.Write(name)
	return sb.String()
}

// orphans emits the records not reached from the root: for each, the
// topmost record of its parent chain not yet emitted goes under
// /$OrphanFiles with its contents.
func (w *walker) orphans() error {
	for n := range w.nodes {
		if w.nodes[n].state&(nodeValid|nodeEmitted) != nodeValid {
			continue
		}
		top := uint64(n)
		w.chain = append(w.chain[:0], top)
		for steps := 0; steps < filesystem.MaxDepth; steps++ {
			next, ok := w.parentOf(top)
			if !ok || w.nodes[next].state&nodeEmitted != 0 || slices.Contains(w.chain, next) {
				break
			}
			w.chain = append(w.chain, next)
			top = next
		}
		nd := &w.nodes[top]
		var l *link
		var path string
		if nd.nlinks > 0 {
			l = &w.links[nd.links]
			path = w.join("/"+orphanDir, w.name(l))
		} else {
			path = fmt.Sprintf("/%s/OrphanFile-%d", orphanDir, top)
		}
		if err := w.emit(top, path, l, true, 2); err != nil {
			return err
		}
	}
	return nil
}

// parentOf returns the first followable parent of record n.
func (w *walker) parentOf(n uint64) (uint64, bool) {
	nd := &w.nodes[n]
	for i := nd.links; i < nd.links+int(nd.nlinks); i++ {
		if l := &w.links[i]; w.validParent(n, l) {
			return l.parent, true
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
	nd := &w.nodes[n]
	first := nd.state&nodeEmitted == 0
	nd.state |= nodeEmitted
	if err := w.entries(n, nd, path, l, orphan); err != nil {
		return err
	}
	if first && nd.flags&recordIsDir != 0 {
		return w.walkDir(n, path, orphan, depth+1)
	}
	return nil
}

// entries reports the entries of record n named path: the file or folder
// itself (unless it is a file with only named streams), then one entry
// per named $DATA and named non-$I30 $INDEX_ROOT attribute.
func (w *walker) entries(n uint64, nd *node, path string, l *link, orphan bool) error {
	fs := w.fs
	base := filesystem.Entry{
		Path:    path,
		Name:    path[strings.LastIndexByte(path, '/')+1:],
		Inode:   n,
		Type:    filesystem.File,
		Deleted: orphan || nd.flags&recordInUse == 0,
		Born:    filetime(nd.si[0]),
		// The other times are set below.
	}
	base.Modified, base.Changed, base.Accessed = filetime(nd.si[1]), filetime(nd.si[2]), filetime(nd.si[3])
	if off, ok := fs.mftPhys(int64(n) * fs.recSize); ok {
		base.Offset = off
	}
	if l != nil {
		base.Extra = fnExtra(&l.times)
	}
	isDir := nd.flags&recordIsDir != 0
	if isDir {
		base.Type = filesystem.Dir
	}
	main := nd.state&nodeMain != 0
	if isDir || main || nd.nstreams == 0 {
		e := new(filesystem.Entry)
		*e = base
		if main && !isDir {
			e.Size = nd.size
		}
		if err := w.fn(e); err != nil {
			return err
		}
	}
	for _, s := range w.strs[nd.streams : nd.streams+int(nd.nstreams)] {
		sname := w.text[s.name : s.name+int(s.nameLen)]
		var sb strings.Builder
		sb.Grow(len(path) + 1 + len(sname))
		sb.WriteString(path)
		sb.WriteByte(':')
		sb.Write(sname)
		full := sb.String()
		e := new(filesystem.Entry)
		*e = base
		e.Extra = cloneMap(base.Extra)
		e.Type = filesystem.File
		e.Path = full
		e.Name = full[len(path)-len(base.Name):]
		e.Stream = full[len(path)+1:]
		e.Size = s.size
		if e.Inode == badClusRecord && e.Stream == "$Bad" {
			if e.Extra == nil {
				e.Extra = map[string]string{}
			}
			e.Extra[filesystem.NoContent] = "sparse stream as long as the volume; its runs mark bad clusters"
		}
		if err := w.fn(e); err != nil {
			return err
		}
	}
	return nil
}

// badClusRecord is the MFT record of $BadClus.
const badClusRecord = 8

// fnKeys name the $FILE_NAME times in Entry.Extra, in $FILE_NAME order.
var fnKeys = [4]string{"fn_born", "fn_modified", "fn_changed", "fn_accessed"}

// fnExtra returns the Entry.Extra map of $FILE_NAME times t (FILETIME;
// 0 is left out), formatted RFC 3339 with nanoseconds into one string; a
// time equal to the one before it (the usual case) is formatted once.
func fnExtra(t *[4]uint64) map[string]string {
	var buf [4 * len("2006-01-02T15:04:05.999999999Z07:00")]byte
	var starts, ends [4]int
	b := buf[:0]
	for i, v := range t {
		switch {
		case v == 0:
		case i > 0 && v == t[i-1]:
			starts[i], ends[i] = starts[i-1], ends[i-1]
			continue
		default:
			starts[i] = len(b)
			b = filetime(v).AppendFormat(b, time.RFC3339Nano)
		}
		ends[i] = len(b)
	}
	s := string(b)
	m := make(map[string]string, 4)
	for i, v := range t {
		if v != 0 {
			m[fnKeys[i]] = s[starts[i]:ends[i]]
		}
	}
	return m
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
