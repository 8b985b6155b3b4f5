package hfsplus

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// Catalog record types.
const (
	recFolder       = 1
	recFile         = 2
	recFolderThread = 3
	recFileThread   = 4

	folderRecSize = 88
	fileRecSize   = 248

	// BSD owner flag: the file is compressed (decmpfs).
	ufCompressed = 0x20

	modeType    = 0o170000
	modeDir     = 0o040000
	modeRegular = 0o100000
	modeSymlink = 0o120000

	// maxLinkTarget bounds the symbolic link target read into Extra.
	maxLinkTarget = 4096

	// Names of the folders holding hard-link targets.
	privateFileDir = "\x00\x00\x00\x00HFS+ Private Data"
	privateDirDir  = ".HFS+ Private Directory Data\r"
)

// catKey is a decoded catalog key.
//
//	catalog key = keyLength [2] @0, parentID [4] @2, nodeName
//	              HFSUniStr255 @6: length [2] (UTF-16 units, at most
//	              255), unicode [2*length] UTF-16BE, decomposed
type catKey struct {
	parent uint32
	name   []byte // UTF-16BE
}

func parseCatKey(key []byte) (catKey, bool) {
	if len(key) < 8 {
		return catKey{}, false
	}
	n := int(be.Uint16(key[6:]))
	if n > 255 || 8+2*n > len(key) {
		return catKey{}, false
	}
	return catKey{parent: be.Uint32(key[2:]), name: key[8 : 8+2*n]}, true
}

// cmpParent orders a catalog key against (parent, empty name), the key of
// a thread record and the first key of a folder's children.
func cmpParent(parent uint32) func([]byte) int {
	return func(key []byte) int {
		k, ok := parseCatKey(key)
		switch {
		case !ok:
			return -1
		case k.parent < parent:
			return -1
		case k.parent > parent || len(k.name) > 0:
			return 1
		}
		return 0
	}
}

// thread is a decoded thread record.
//
//	thread record = recordType [2] @0 (3 folder, 4 file), reserved [2],
//	                parentID [4] @4, nodeName HFSUniStr255 @8
type thread struct {
	parent uint32
	name   string
	raw    []byte // UTF-16BE name
	folder bool
}

// thread looks up the thread record of a CNID: its parent and name.
func (fs *FS) thread(cnid uint32) (thread, error) {
	var th thread
	found := false
	err := fs.catalog.scan(cmpParent(cnid), func(key, data []byte, off int64) (bool, error) {
		k, ok := parseCatKey(key)
		if !ok || k.parent != cnid || len(k.name) != 0 || len(data) < 10 {
			return false, nil
		}
		typ := be.Uint16(data)
		n := int(be.Uint16(data[8:]))
		if (typ != recFolderThread && typ != recFileThread) || n > 255 || 10+2*n > len(data) {
			return false, filesystem.Malformed(fsName, off, "thread record of CNID %d: type %d, name of %d units", cnid, typ, n)
		}
		th = thread{parent: be.Uint32(data[4:]), raw: data[10 : 10+2*n], folder: typ == recFolderThread}
		th.name = decodeName(th.raw)
		found = true
		return false, nil
	})
	if err != nil {
		return th, err
	}
	if !found {
		return th, fmt.Errorf("thread record of CNID %d: %w", cnid, errNotFound)
	}
	return th, nil
}

// lookup finds the folder or file record of a CNID through its thread
// record, returning its data and volume offset.
func (fs *FS) lookup(cnid uint32) ([]byte, int64, error) {
	th, err := fs.thread(cnid)
	if err != nil {
		return nil, 0, err
	}
	var rec []byte
	var at int64
	err = fs.catalog.scan(cmpParent(th.parent), func(key, data []byte, off int64) (bool, error) {
		k, ok := parseCatKey(key)
		if !ok || k.parent != th.parent {
			return false, nil
		}
		if string(k.name) != string(th.raw) || len(data) < 2 {
			return true, nil
		}
		if typ := be.Uint16(data); (typ == recFile && len(data) >= fileRecSize) || (typ == recFolder && len(data) >= folderRecSize) {
			rec, at = append([]byte(nil), data...), off
		}
		return false, nil
	})
	if err != nil {
		return nil, 0, err
	}
	if rec == nil {
		return nil, 0, fmt.Errorf("catalog record of CNID %d: %w", cnid, errNotFound)
	}
	if be.Uint32(rec[8:]) != cnid {
		return nil, 0, filesystem.Malformed(fsName, at, "thread of CNID %d leads to the record of CNID %d", cnid, be.Uint32(rec[8:]))
	}
	return rec, at, nil
}

// catRec is a folder or file record as Walk keeps it.
//
//	folder record = recordType [2] @0 (1), flags [2] @2, valence [4] @4,
//	                folderID [4] @8, createDate [4] @12, contentModDate
//	                [4] @16, attributeModDate [4] @20, accessDate [4] @24,
//	                backupDate [4] @28, permissions HFSPlusBSDInfo [16]
//	                @32, userInfo [16] @48, finderInfo [16] @64,
//	                textEncoding [4] @80, folderCount [4] @84; 88 bytes
//	file record   = recordType [2] @0 (2), flags [2] @2, reserved [4],
//	                fileID [4] @8, the same dates and permissions, userInfo
//	                FileInfo @48 (fileType [4] @48, fileCreator [4] @52),
//	                finderInfo @64, textEncoding @80, reserved [4] @84,
//	                dataFork HFSPlusForkData [80] @88, resourceFork [80]
//	                @168; 248 bytes
//	BSD info      = ownerID [4] @0, groupID [4] @4, adminFlags [1] @8,
//	                ownerFlags [1] @9, fileMode [2] @10, special [4] @12
//	                (iNodeNum of a hard link, link count, or rdev)
//	fork data     = logicalSize [8] @0, clumpSize [4] @8, totalBlocks [4]
//	                @12, extents [8] of startBlock [4], blockCount [4]
type catRec struct {
	parent uint32
	name   string
	off    int64
	data   []byte // the record, folderRecSize or fileRecSize bytes
}

func (c *catRec) folder() bool     { return be.Uint16(c.data) == recFolder }
func (c *catRec) cnid() uint32     { return be.Uint32(c.data[8:]) }
func (c *catRec) mode() uint16     { return be.Uint16(c.data[42:]) }
func (c *catRec) special() uint32  { return be.Uint32(c.data[44:]) }
func (c *catRec) created() uint32  { return be.Uint32(c.data[12:]) }
func (c *catRec) fileType() string { return string(c.data[48:52]) }
func (c *catRec) creator() string  { return string(c.data[52:56]) }

// isHardLink says whether a file record is a file hard link (type
// 'hlnk', creator 'hfs+') and isDirLink a folder alias used as a folder
// hard link (type 'fdrp', creator 'MACS').
func (c *catRec) isHardLink() bool {
	return !c.folder() && c.fileType() == "hlnk" && c.creator() == "hfs+"
}
func (c *catRec) isDirLink() bool {
	return !c.folder() && c.fileType() == "fdrp" && c.creator() == "MACS"
}

// xattr is an extended attribute as Walk found it in the attributes
// file.
//
//	attribute key = keyLength [2] @0, pad [2], fileID [4] @4, startBlock
//	                [4] @8, nameLength [2] @12, name [2*nameLength]
//	                UTF-16BE @14
//	inline data   = recordType [4] @0 (0x10), reserved [8], attrSize [4]
//	                @12, data @16
//	fork data     = recordType [4] @0 (0x20), reserved [4], HFSPlusForkData
//	                [80] @8
//	extents       = recordType [4] @0 (0x30), reserved [4], extents [8] @8
type xattr struct {
	name    string
	size    int64
	off     int64
	decmpfs []byte // first bytes of com.apple.decmpfs
}

const (
	attrInline   = 0x10
	attrFork     = 0x20
	attrExtent   = 0x30
	decmpfsXattr = "com.apple.decmpfs"
)

// walker holds what Walk gathered.
type walker struct {
	fs       *FS
	fn       func(*filesystem.Entry) error
	ctx      context.Context
	recs     []catRec
	children map[uint32][]int32
	byCNID   map[uint32]int32
	xattrs   map[uint32][]xattr
	linkTime map[uint32]bool // creation dates that mark hard links
	visited  map[uint32]bool
}

// Walk lists the metadata files first, as The Sleuth Kit does, then the
// catalog depth first from the root, each folder's records in catalog
// (name) order.
func (fs *FS) Walk(ctx context.Context, fn func(*filesystem.Entry) error) error {
	w := &walker{fs: fs, fn: fn, ctx: ctx, children: map[uint32][]int32{}, byCNID: map[uint32]int32{},
		xattrs: map[uint32][]xattr{}, linkTime: map[uint32]bool{}, visited: map[uint32]bool{}}
	if err := w.special(); err != nil {
		return err
	}
	if err := w.gather(ctx); err != nil {
		return err
	}
	if err := w.gatherXattrs(ctx); err != nil {
		return err
	}
	w.visited[cnidRoot] = true
	if i, ok := w.byCNID[cnidRoot]; ok {
		w.linkTime[w.recs[i].created()] = true
	}
	for _, i := range w.children[cnidRoot] {
		r := &w.recs[i]
		if r.folder() && (r.name == privateFileDir || r.name == privateDirDir) {
			w.linkTime[r.created()] = true
		}
	}
	delete(w.linkTime, 0)
	if err := w.folder(cnidRoot, "", 0); err != nil {
		return err
	}
	unreached := 0
	for i := range w.recs {
		r := &w.recs[i]
		if r.folder() && !w.visited[r.cnid()] && r.cnid() != cnidRoot {
			unreached++
		}
	}
	if unreached > 0 {
		fs.anomaly("%d catalog folders not reachable from the root (missing parent or a loop)", unreached)
	}
	return nil
}

// special lists the metadata files named in the volume header.
func (w *walker) special() error {
	fs := w.fs
	items := []struct {
		name string
		cnid uint32
		f    fork
		at   int64
		show bool
	}{
		{"$ExtentsFile", cnidExtents, fs.extentsFork, headerOffset + 192, fs.extentsFork.logicalSize > 0},
		{"$CatalogFile", cnidCatalog, fs.catalogFork, headerOffset + 272, true},
		{"$BadBlockFile", cnidBadBlocks, fork{}, headerOffset + 192, fs.extentsFork.logicalSize > 0},
		{"$AllocationFile", cnidAllocation, fs.allocation, headerOffset + 112, true},
		{"$StartupFile", cnidStartup, fs.startupFork, headerOffset + 432, fs.startupFork.logicalSize > 0},
		{"$AttributesFile", cnidAttributes, fs.attributesFork, headerOffset + 352, fs.attributesFork.logicalSize > 0},
	}
	for _, it := range items {
		if !it.show {
			continue
		}
		e := &filesystem.Entry{Path: "/" + it.name, Name: it.name, Inode: uint64(it.cnid), Type: filesystem.File,
			Size: int64(it.f.logicalSize), Offset: it.at, Extra: map[string]string{"metadata_file": "true"}}
		if it.cnid == cnidBadBlocks {
			e.Size = fs.badBlocks() * fs.blockSize
			e.Extra[filesystem.NoContent] = "the blocks of this file are the volume's bad blocks"
		}
		if err := w.fn(e); err != nil {
			return err
		}
	}
	return nil
}

// badBlocks counts the blocks of the bad block file's extents overflow
// records.
func (fs *FS) badBlocks() int64 {
	exts, err := fs.badBlockExtents()
	if err != nil {
		fs.anomaly("bad block file: %v", err)
	}
	var n int64
	for _, e := range exts {
		n += int64(e.count)
	}
	return n
}

// badBlockExtents returns the extents of the bad block file, all held in
// the extents overflow file.
func (fs *FS) badBlockExtents() ([]extent, error) {
	if fs.extents == nil {
		return nil, nil
	}
	var exts []extent
	err := fs.extents.scan(func(key []byte) int {
		if len(key) < 10 {
			return -1
		}
		return cmp3([3]uint32{be.Uint32(key[4:]), uint32(key[2]), 0}, [3]uint32{cnidBadBlocks, forkData, 0})
	}, func(key, data []byte, off int64) (bool, error) {
		if len(key) < 10 || be.Uint32(key[4:]) != cnidBadBlocks || key[2] != forkData || len(data) < 64 {
			return false, nil
		}
		for i := range 8 {
			if e := (extent{be.Uint32(data[8*i:]), be.Uint32(data[8*i+4:])}); e.count > 0 && len(exts) < maxExtents {
				exts = append(exts, e)
			}
		}
		return true, nil
	})
	return exts, err
}

// gather reads every folder and file record of the catalog's leaves.
func (w *walker) gather(ctx context.Context) error {
	t := w.fs.catalog
	return t.leaves(ctx, func(nd *node) error {
		for i := range nd.offs {
			key, data, err := t.record(nd, i)
			if err != nil {
				w.fs.anomaly("%v", err)
				continue
			}
			at := t.recordOffset(nd, i)
			k, ok := parseCatKey(key)
			if !ok || len(data) < 2 {
				w.fs.anomaly("catalog record at %d: bad key", at)
				continue
			}
			var size int
			switch typ := be.Uint16(data); typ {
			case recFolder:
				size = folderRecSize
			case recFile:
				size = fileRecSize
			case recFolderThread, recFileThread:
				continue
			default:
				w.fs.anomaly("catalog record at %d: unknown type %d", at, typ)
				continue
			}
			if len(data) < size {
				w.fs.anomaly("catalog record at %d: %d bytes, want %d", at, len(data), size)
				continue
			}
			r := catRec{parent: k.parent, name: decodeName(k.name), off: at, data: append([]byte(nil), data[:size]...)}
			idx := int32(len(w.recs))
			cnid := r.cnid()
			if _, dup := w.byCNID[cnid]; dup {
				w.fs.anomaly("catalog record at %d: CNID %d listed twice", at, cnid)
			} else {
				w.byCNID[cnid] = idx
			}
			if cnid == k.parent {
				w.fs.anomaly("catalog record at %d: CNID %d is its own parent", at, cnid)
			}
			w.recs = append(w.recs, r)
			w.children[k.parent] = append(w.children[k.parent], idx)
		}
		return nil
	})
}

// gatherXattrs lists the extended attributes of every file.
func (w *walker) gatherXattrs(ctx context.Context) error {
	fs := w.fs
	t := fs.attributes
	if t == nil {
		return nil
	}
	return t.leaves(ctx, func(nd *node) error {
		for i := range nd.offs {
			key, data, err := t.record(nd, i)
			if err != nil {
				fs.anomaly("%v", err)
				continue
			}
			at := t.recordOffset(nd, i)
			if len(key) < 14 || len(data) < 4 {
				fs.anomaly("attribute record at %d: too short", at)
				continue
			}
			n := int(be.Uint16(key[12:]))
			if 14+2*n > len(key) {
				fs.anomaly("attribute record at %d: name overflows the key", at)
				continue
			}
			x := xattr{name: decodeName(key[14 : 14+2*n]), off: at}
			cnid := be.Uint32(key[4:])
			switch typ := be.Uint32(data); typ {
			case attrInline:
				if len(data) < 16 {
					fs.anomaly("attribute record at %d: too short", at)
					continue
				}
				x.size = int64(be.Uint32(data[12:]))
				if 16+x.size > int64(len(data)) {
					fs.anomaly("attribute record at %d: %d bytes overflow the record", at, x.size)
					continue
				}
				if x.name == decmpfsXattr {
					x.decmpfs = append([]byte(nil), data[16:16+min(x.size, decmpfsHeaderSize)]...)
				}
			case attrFork:
				if len(data) < 88 {
					fs.anomaly("attribute record at %d: too short", at)
					continue
				}
				f := parseFork(data[8:])
				x.size = int64(min(f.logicalSize, 1<<62))
				if x.name == decmpfsXattr {
					if st, err := fs.forkStream(cnid, forkData, f, at, false); err == nil {
						hdr := make([]byte, min(st.size, decmpfsHeaderSize))
						if _, err := st.ReadAt(hdr, 0); err == nil {
							x.decmpfs = hdr
						}
					}
				}
			case attrExtent:
				continue
			default:
				fs.anomaly("attribute record at %d: unknown type %#x", at, typ)
				continue
			}
			if len(w.xattrs[cnid]) < 1<<16 {
				w.xattrs[cnid] = append(w.xattrs[cnid], x)
			}
		}
		return nil
	})
}

// folder emits the children of a folder, descending into subfolders.
func (w *walker) folder(cnid uint32, path string, depth int) error {
	for _, i := range w.children[cnid] {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		r := &w.recs[i]
		e := w.entry(r, path+"/"+r.name)
		if err := w.fn(e); err != nil {
			return err
		}
		if err := w.streams(r, e); err != nil {
			return err
		}
		if !r.folder() {
			continue
		}
		child := r.cnid()
		switch {
		case w.visited[child]:
			w.fs.anomaly("%s: folder CNID %d already listed (loop)", e.Path, child)
		case depth+1 >= filesystem.MaxDepth:
			w.fs.anomaly("%s: deeper than %d levels, not listed", e.Path, filesystem.MaxDepth)
		default:
			w.visited[child] = true
			if err := w.folder(child, e.Path, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// entry builds the entry of a catalog record found at path. A file hard
// link shows its target's CNID and metadata, as The Sleuth Kit does.
func (w *walker) entry(r *catRec, path string) *filesystem.Entry {
	e := &filesystem.Entry{Path: path, Name: r.name, Inode: uint64(r.cnid()), Offset: r.off, Extra: map[string]string{}}
	meta := r
	if (r.isHardLink() || r.isDirLink()) && w.linkTime[r.created()] {
		target := r.special()
		e.Inode = uint64(target)
		e.Extra["link_cnid"] = strconv.FormatUint(uint64(r.cnid()), 10)
		if i, ok := w.byCNID[target]; ok {
			meta = &w.recs[i]
			e.Extra["link_target_path"] = w.pathOf(meta)
		} else {
			w.fs.anomaly("%s: hard link to CNID %d, which has no catalog record", path, target)
		}
	}
	d := meta.data
	e.Born = hfsTime(be.Uint32(d[12:]))
	e.Modified = hfsTime(be.Uint32(d[16:]))
	e.Changed = hfsTime(be.Uint32(d[20:]))
	e.Accessed = hfsTime(be.Uint32(d[24:]))
	mode := meta.mode()
	e.Mode = uint32(mode) & 0o7777
	if mode != 0 {
		e.Extra["uid"] = strconv.FormatUint(uint64(be.Uint32(d[32:])), 10)
		e.Extra["gid"] = strconv.FormatUint(uint64(be.Uint32(d[36:])), 10)
	}
	if fl := uint16(d[40])<<8 | uint16(d[41]); fl != 0 {
		e.Extra["bsd_flags"] = fmt.Sprintf("%#x", uint32(d[40])<<16|uint32(d[41]))
	}
	if meta.folder() {
		e.Type = filesystem.Dir
		e.Extra["valence"] = strconv.FormatUint(uint64(be.Uint32(d[4:])), 10)
		if meta != r {
			e.Extra["dir_link"] = "true"
		}
		return e
	}
	if t, c := meta.fileType(), meta.creator(); t != "\x00\x00\x00\x00" || c != "\x00\x00\x00\x00" {
		e.Extra["file_type"] = fourCC(t)
		e.Extra["creator"] = fourCC(c)
	}
	data := parseFork(d[88:])
	e.Size = int64(min(data.logicalSize, 1<<62))
	switch {
	case mode&modeType == modeSymlink || (meta.fileType() == "slnk" && meta.creator() == "rhap"):
		e.Type = filesystem.Symlink
		if target, err := w.fs.linkTarget(meta.cnid(), data, meta.off); err != nil {
			w.fs.anomaly("%s: symbolic link target: %v", path, err)
		} else {
			e.Extra["link_target"] = target
		}
	case mode&modeType == 0 || mode&modeType == modeRegular:
		e.Type = filesystem.File
	default:
		e.Type = filesystem.Other
		e.Extra["file_mode"] = fmt.Sprintf("%#o", mode)
		e.Extra["rdev"] = strconv.FormatUint(uint64(meta.special()), 10)
	}
	if d[41]&ufCompressed != 0 {
		hdr := w.decmpfs(meta.cnid())
		info, err := parseDecmpfs(hdr)
		if err != nil {
			w.fs.anomaly("%s: compressed file: %v", path, err)
		} else {
			e.Size = info.size
			e.Extra["compression"] = info.method()
		}
	}
	return e
}

// decmpfs returns the header of a file's com.apple.decmpfs attribute.
func (w *walker) decmpfs(cnid uint32) []byte {
	for _, x := range w.xattrs[cnid] {
		if x.name == decmpfsXattr {
			return x.decmpfs
		}
	}
	return nil
}

// pathOf rebuilds the path of a record from its parents, stopping at a
// loop or at filesystem.MaxDepth.
func (w *walker) pathOf(r *catRec) string {
	parts := []string{r.name}
	seen := map[uint32]bool{r.cnid(): true}
	for p := r.parent; p != cnidRoot; {
		i, ok := w.byCNID[p]
		if !ok || seen[p] || len(parts) >= filesystem.MaxDepth {
			return ""
		}
		seen[p] = true
		parts = append(parts, w.recs[i].name)
		p = w.recs[i].parent
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(parts[i])
	}
	return b.String()
}

// streams emits the resource fork and the extended attributes of a
// record as "path:rsrc" and "path:name" entries.
func (w *walker) streams(r *catRec, base *filesystem.Entry) error {
	cnid := uint32(base.Inode)
	var hidden uint32 // a decmpfs type whose data is the resource fork
	meta := r
	if i, ok := w.byCNID[cnid]; ok {
		meta = &w.recs[i]
	}
	if !meta.folder() {
		if meta.data[41]&ufCompressed != 0 {
			if info, err := parseDecmpfs(w.decmpfs(cnid)); err == nil && info.inResourceFork() {
				hidden = info.typ
			}
		}
		rsrc := parseFork(meta.data[168:])
		if rsrc.logicalSize > 0 && hidden == 0 {
			if err := w.emitStream(base, "rsrc", int64(min(rsrc.logicalSize, 1<<62)), map[string]string{"resource_fork": "true"}); err != nil {
				return err
			}
		}
	}
	for _, x := range w.xattrs[cnid] {
		if x.name == decmpfsXattr {
			continue
		}
		if err := w.emitStream(base, x.name, x.size, map[string]string{"xattr": "true", "attr_offset": strconv.FormatInt(x.off, 10)}); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) emitStream(base *filesystem.Entry, stream string, size int64, extra map[string]string) error {
	e := *base
	e.Path = base.Path + ":" + stream
	e.Name = base.Name + ":" + stream
	e.Stream = stream
	e.Type = filesystem.File
	e.Size = size
	e.Extra = map[string]string{}
	for k, v := range base.Extra {
		switch k {
		case "uid", "gid", "link_cnid":
			e.Extra[k] = v
		}
	}
	for k, v := range extra {
		e.Extra[k] = v
	}
	return w.fn(&e)
}

// fourCC renders a four-character code, hex when not printable.
func fourCC(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return fmt.Sprintf("%x", s)
		}
	}
	return s
}

// linkTarget reads a symbolic link's target from its data fork.
func (fs *FS) linkTarget(cnid uint32, data fork, at int64) (string, error) {
	if data.logicalSize > maxLinkTarget {
		return "", fmt.Errorf("%d bytes, more than %d", data.logicalSize, maxLinkTarget)
	}
	st, err := fs.forkStream(cnid, forkData, data, at+88, true)
	if err != nil {
		return "", err
	}
	b := make([]byte, st.size)
	if _, err := st.ReadAt(b, 0); err != nil {
		return "", err
	}
	return string(b), nil
}
