package ext

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// dirent is one name found in a directory block.
type dirent struct {
	inode    uint32
	name     []byte
	fileType byte
	offset   int64 // byte offset in the file system, -1 if unknown
	deleted  bool
}

// maxNameLen is the longest ext name.
const maxNameLen = 255

// direntSize is the space a dir entry with an n-byte name needs.
func direntSize(n int) int { return (8 + n + 3) &^ 3 }

// parseDirBlock lists the entries of one directory block, allocated ones
// and deleted ones found in record slack, following The Sleuth Kit's
// ext2fs_dent_parse_block: the scan advances by the real length of each
// entry, so entries hidden inside a grown record are seen; inside slack it
// accepts only entries that end within the slack. base is the byte offset
// of the block (-1 when unknown). allDeleted marks every entry deleted
// (the directory's own inode is unallocated).
func (fs *FS) parseDirBlock(buf []byte, base int64, allDeleted bool) []dirent {
	le := binary.LittleEndian
	v2 := fs.incompat&incompatFiletype != 0
	var out []dirent
	dellen := 0
	minRec := 4
	for idx := 0; idx <= len(buf)-direntSize(1); idx += minRec {
		e := buf[idx:]
		ino := le.Uint32(e)
		rec := int(le.Uint16(e[4:]))
		var nameLen int
		var ftype byte
		if v2 {
			nameLen = int(e[6])
			ftype = e[7]
		} else {
			nameLen = int(le.Uint16(e[6:]))
		}
		minRec = direntSize(nameLen)
		if ino > fs.inodesCount || nameLen > maxNameLen || nameLen == 0 ||
			rec < minRec || rec%4 != 0 || idx+rec > len(buf) {
			minRec = 4
			if dellen > 0 {
				dellen -= 4
			}
			continue
		}
		if dellen > 0 && dellen < minRec {
			minRec = 4
			dellen -= 4
			continue
		}
		d := dirent{inode: ino, name: e[8 : 8+nameLen], fileType: ftype, offset: -1}
		if base >= 0 {
			d.offset = base + int64(idx)
		}
		if dellen > 0 || ino == 0 || allDeleted {
			d.deleted = true
			// A name recovered from slack ends at its first NUL, as The
			// Sleuth Kit reads it: what follows is other data.
			if i := bytes.IndexByte(d.name, 0); i >= 0 {
				d.name = d.name[:i]
			}
			if dellen > 0 {
				dellen -= minRec
			}
		}
		out = append(out, d)
		if dellen <= 0 {
			if rec-minRec >= direntSize(1) {
				dellen = rec - minRec
			} else {
				minRec = rec
			}
		}
	}
	return out
}

// maxDirBytes caps the directory size read (a real ext directory stays far
// below: over 2^32 bytes only with large_dir).
const maxDirBytes = 1 << 30

// readDir calls fn for each entry of a directory inode, one block at a
// time. A name passed to fn is valid only during the call.
func (fs *FS) readDir(ctx context.Context, in *inode, fn func(dirent) error) error {
	c, err := fs.fileContent(in)
	if err != nil {
		return err
	}
	each := func(ents []dirent) error {
		for _, d := range ents {
			if err := fn(d); err != nil {
				return err
			}
		}
		return nil
	}
	if c.inline != nil {
		// Inline directory: parent inode [4], entries in the rest of
		// i_block, then entries in the system.data attribute.
		if len(c.inline) > 4 {
			end := min(len(c.inline), 60)
			if err := each(fs.parseDirBlock(c.inline[4:end], in.offset+0x28+4, !in.allocated)); err != nil {
				return err
			}
		}
		if len(c.inline) > 60 {
			return each(fs.parseDirBlock(c.inline[60:], -1, !in.allocated))
		}
		return nil
	}
	size := in.size
	if size > maxDirBytes {
		fs.anomalies.Add("directory inode %d: size %d capped at %d", in.num, size, maxDirBytes)
		size = maxDirBytes
	}
	buf := make([]byte, fs.blockSize)
	for off := int64(0); off < size; off += fs.blockSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		phys := c.physical(off)
		if phys < 0 {
			continue
		}
		if _, err := fs.r.ReadAt(buf, phys); err != nil {
			return fmt.Errorf("read directory block of inode %d at %d: %w", in.num, phys, err)
		}
		if err := each(fs.parseDirBlock(buf, phys, !in.allocated)); err != nil {
			return err
		}
	}
	return nil
}

// walker carries the state of one Walk.
type walker struct {
	fs      *FS
	fn      func(*filesystem.Entry) error
	visited map[uint32]bool // directory inodes listed
	named   map[uint32]bool // inodes some name points to
}

// Walk lists the tree from the root, then $OrphanFiles; see the package
// documentation. An error from fn or ctx stops the walk.
func (fs *FS) Walk(ctx context.Context, fn func(*filesystem.Entry) error) error {
	w := &walker{fs: fs, fn: fn, visited: map[uint32]bool{}, named: map[uint32]bool{}}
	root, err := fs.readInode(rootInode)
	if err != nil {
		return fmt.Errorf("ext: root directory: %w", err)
	}
	if root.mode&modeTypeMask != modeDir {
		return formatErr(root.offset, "root inode is not a directory (mode 0%o)", root.mode)
	}
	err = w.dir(ctx, root, "", 0, true)
	if err == nil {
		err = w.orphans(ctx)
	}
	var stop *stopError
	if errors.As(err, &stop) {
		return stop.err
	}
	return err
}

// dir lists directory in (at path prefix, depth levels down) and recurses.
// With emit false it only records names (used on orphan folders before
// they are listed).
func (w *walker) dir(ctx context.Context, in *inode, prefix string, depth int, emit bool) error {
	fs := w.fs
	if depth >= filesystem.MaxDepth {
		fs.anomalies.Add("directory inode %d at %q: deeper than %d levels, not listed", in.num, prefix, filesystem.MaxDepth)
		return nil
	}
	w.visited[in.num] = true
	err := fs.readDir(ctx, in, func(d dirent) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := string(d.name)
		if name == "." || name == ".." {
			return nil
		}
		if d.inode != 0 {
			w.named[d.inode] = true
		}
		e, child := w.entry(d, prefix)
		if emit {
			if err := w.fn(e); err != nil {
				return &stopError{err}
			}
		}
		if child == nil || child.mode&modeTypeMask != modeDir || w.visited[child.num] {
			return nil
		}
		// A deleted name is followed only to a directory inode that is
		// still free; otherwise the inode belongs to another name now.
		if d.deleted && child.allocated {
			return nil
		}
		return w.dir(ctx, child, e.Path, depth+1, emit)
	})
	var stop *stopError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &stop):
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	}
	fs.anomalies.Add("directory inode %d at %q: %v", in.num, prefix+"/", err)
	return nil
}

// stopError carries an error from the caller's callback up through the
// directory recursion, so it is not mistaken for damage.
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }
func (e *stopError) Unwrap() error { return e.err }

// entry builds the Entry for a name, with the inode's metadata when the
// name carries a readable inode number.
func (w *walker) entry(d dirent, prefix string) (*filesystem.Entry, *inode) {
	fs := w.fs
	name := string(d.name)
	e := &filesystem.Entry{Name: name, Deleted: d.deleted, Offset: d.offset, Extra: make(map[string]string, 6)}
	if !utf8.ValidString(name) {
		e.Extra["raw_name_hex"] = fmt.Sprintf("%x", d.name)
		e.Name = strings.ToValidUTF8(name, "\uFFFD")
	}
	e.Path = prefix + "/" + e.Name
	if d.offset >= 0 {
		e.Extra["dir_entry_offset"] = strconv.FormatInt(d.offset, 10)
	}
	e.Type = direntType(d.fileType)
	if d.inode == 0 {
		return e, nil
	}
	e.Inode = uint64(d.inode)
	in, err := fs.readInode(d.inode)
	if err != nil {
		fs.anomalies.Add("%s: %v", e.Path, err)
		return e, nil
	}
	if d.deleted && in.allocated {
		e.Extra["reallocated"] = "true"
	}
	if !d.deleted && !in.allocated {
		fs.anomalies.Add("%s: allocated name points to unallocated inode %d", e.Path, in.num)
	}
	fs.fill(e, in)
	return e, in
}

// direntType maps a directory entry file type byte.
func direntType(t byte) filesystem.EntryType {
	switch t {
	case 1:
		return filesystem.File
	case 2:
		return filesystem.Dir
	case 7:
		return filesystem.Symlink
	case 0:
		return filesystem.File
	}
	return filesystem.Other
}

// fill copies inode metadata into e.
func (fs *FS) fill(e *filesystem.Entry, in *inode) {
	switch in.mode & modeTypeMask {
	case modeReg:
		e.Type = filesystem.File
	case modeDir:
		e.Type = filesystem.Dir
	case modeSymlink:
		e.Type = filesystem.Symlink
	case 0:
		// A cleared inode: keep the type the name gave.
	default:
		e.Type = filesystem.Other
	}
	e.Size = in.size
	e.Modified, e.Accessed, e.Changed, e.Born = in.mtime, in.atime, in.ctime, in.crtime
	e.Mode = uint32(in.mode & 0o7777)
	e.Offset = in.offset
	e.Extra["uid"] = strconv.FormatUint(uint64(in.uid), 10)
	e.Extra["gid"] = strconv.FormatUint(uint64(in.gid), 10)
	e.Extra["links"] = strconv.FormatUint(uint64(in.links), 10)
	if !in.dtime.IsZero() {
		e.Extra["deleted_time"] = in.dtime.Format("2006-01-02T15:04:05Z")
	}
	if in.flags != 0 {
		e.Extra["flags"] = "0x" + strconv.FormatUint(uint64(in.flags), 16)
	}
	if in.mode&modeTypeMask == modeSymlink {
		if t, err := fs.linkTarget(in); err == nil {
			e.Extra["link_target"] = t
		}
	}
}

// maxLinkTarget caps a symlink target read (PATH_MAX on Linux).
const maxLinkTarget = 4096

func (fs *FS) linkTarget(in *inode) (string, error) {
	if in.size > maxLinkTarget {
		return "", fmt.Errorf("symlink of %d bytes", in.size)
	}
	c, err := fs.fileContent(in)
	if err != nil {
		return "", err
	}
	b := make([]byte, in.size)
	if _, err := c.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}

// orphans lists $OrphanFiles: unallocated inodes that were used (non-zero
// change time) and that no name points to, as The Sleuth Kit lists them.
func (w *walker) orphans(ctx context.Context) error {
	fs := w.fs
	dirIno := uint64(fs.inodesCount) + 1
	const orphanDir = "/$OrphanFiles"
	if err := w.fn(&filesystem.Entry{
		Path: orphanDir, Name: "$OrphanFiles", Inode: dirIno, Type: filesystem.Dir,
		Offset: -1, Extra: map[string]string{"virtual": "true"},
	}); err != nil {
		return err
	}
	cands, err := fs.orphanCandidates(ctx, w.named)
	if err != nil {
		return err
	}
	// Names inside orphan folders are not orphans themselves: list those
	// folders first without emitting.
	pre := &walker{fs: fs, visited: map[uint32]bool{}, named: w.named}
	for _, in := range cands {
		if in.mode&modeTypeMask == modeDir && !pre.visited[in.num] {
			if err := pre.dir(ctx, in, "", 1, false); err != nil {
				return err
			}
		}
	}
	for _, in := range cands {
		if w.named[in.num] {
			continue
		}
		name := "OrphanFile-" + strconv.FormatUint(uint64(in.num), 10)
		e := &filesystem.Entry{Path: orphanDir + "/" + name, Name: name, Inode: uint64(in.num), Deleted: true, Extra: map[string]string{}}
		fs.fill(e, in)
		if err := w.fn(e); err != nil {
			return err
		}
		if in.mode&modeTypeMask == modeDir && !w.visited[in.num] {
			if err := w.dir(ctx, in, e.Path, 1, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// orphanCandidates returns the unallocated inodes with a non-zero change
// time that no name in named points to, reading each inode table one
// block at a time. Groups never used (INODE_UNINIT) are skipped; a group
// whose bitmap or table is unreadable is skipped and noted.
func (fs *FS) orphanCandidates(ctx context.Context, named map[uint32]bool) ([]*inode, error) {
	var cands []*inode
	perBlock := fs.blockSize / fs.inodeSize
	for g := range uint32(len(fs.groups)) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		gr := fs.groups[g]
		if gr.flags&bgInodeUninit != 0 && fs.hasGroupCsum() {
			continue
		}
		bm, err := fs.bitmap(g)
		if err != nil {
			fs.anomalies.Add("orphan scan: %v", err)
			continue
		}
		first := uint64(g) * uint64(fs.inodesPerGroup) // inode number minus one
		for idx := int64(0); idx < int64(fs.inodesPerGroup); idx += perBlock {
			if first+uint64(idx) >= uint64(fs.inodesCount) {
				break
			}
			blk := gr.inodeTable + uint64(idx/perBlock)
			buf, err := fs.readBlock(blk)
			if err != nil {
				fs.anomalies.Add("orphan scan: inode table of group %d: %v", g, err)
				break
			}
			for j := range perBlock {
				bit := idx + j
				n := first + uint64(bit) + 1
				if bit >= int64(fs.inodesPerGroup) || n > uint64(fs.inodesCount) {
					break
				}
				if bm[bit/8]&(1<<(bit%8)) != 0 || named[uint32(n)] {
					continue
				}
				rec := buf[j*fs.inodeSize : (j+1)*fs.inodeSize]
				if binary.LittleEndian.Uint32(rec[0x0C:]) == 0 {
					continue
				}
				cands = append(cands, fs.parseInode(uint32(n), fs.blockOffset(blk)+j*fs.inodeSize, false, rec))
			}
		}
	}
	return cands, nil
}

// Open returns the content of an entry Walk gave. For a deleted inode
// whose block map was cleared, and for a deleted name without an inode,
// it returns an error wrapping [ErrNotRecoverable].
func (fs *FS) Open(e *filesystem.Entry) (*io.SectionReader, error) {
	if e == nil {
		return nil, errors.New("ext: nil entry")
	}
	if e.Inode == 0 {
		return nil, fmt.Errorf("ext: %s: %w: the name kept no inode number", e.Path, ErrNotRecoverable)
	}
	if e.Inode > uint64(fs.inodesCount) {
		return nil, fmt.Errorf("ext: %s: inode %d is not a file (virtual or out of range)", e.Path, e.Inode)
	}
	in, err := fs.readInode(uint32(e.Inode))
	if err != nil {
		return nil, fmt.Errorf("ext: %s: %w", e.Path, err)
	}
	c, err := fs.fileContent(in)
	if err != nil {
		return nil, fmt.Errorf("ext: %s: inode %d: %w", e.Path, in.num, err)
	}
	if !in.allocated && c.inline == nil && len(c.runs) == 0 && in.size > 0 {
		return nil, fmt.Errorf("ext: %s: inode %d: %w: its block map was cleared on deletion", e.Path, in.num, ErrNotRecoverable)
	}
	return io.NewSectionReader(c, 0, in.size), nil
}
