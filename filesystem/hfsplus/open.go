package hfsplus

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// maxXattr bounds the extended attribute values Open reads into memory.
const maxXattr = 64 << 20

// Open returns the content of an entry Walk gave: the data fork of a file
// (decompressed when the file is compressed), the resource fork for a
// "rsrc" stream, the value of an extended attribute for other streams,
// and nothing for a folder. The catalog record is read again at
// e.Offset; a hard link's target is found by its CNID (e.Inode).
func (fs *FS) Open(e *filesystem.Entry) (*io.SectionReader, error) {
	if e == nil {
		return nil, errors.New("hfsplus: nil entry")
	}
	if e.Extra["metadata_file"] == "true" {
		return fs.openSpecial(e)
	}
	data, at, err := fs.recordAt(e.Offset)
	if err != nil {
		return nil, fmt.Errorf("hfsplus: %s: %w", e.Path, err)
	}
	cnid := be.Uint32(data[8:])
	if uint64(cnid) != e.Inode {
		r := catRec{data: data}
		if !(r.isHardLink() || r.isDirLink()) || uint64(r.special()) != e.Inode {
			return nil, fmt.Errorf("hfsplus: %s: record at %d is of CNID %d, not %d", e.Path, e.Offset, cnid, e.Inode)
		}
		cnid = r.special()
		if data, at, err = fs.lookup(cnid); err != nil {
			return nil, fmt.Errorf("hfsplus: %s: hard link target: %w", e.Path, err)
		}
	}
	switch {
	case e.Stream == "rsrc" && e.Extra["resource_fork"] == "true":
		if be.Uint16(data) != recFile {
			return nil, fmt.Errorf("hfsplus: %s: a folder has no resource fork", e.Path)
		}
		return fs.section(cnid, forkResource, parseFork(data[168:]), at+168)
	case e.Stream != "":
		b, err := fs.xattrValue(cnid, e.Stream)
		if err != nil {
			return nil, fmt.Errorf("hfsplus: %s: %w", e.Path, err)
		}
		return io.NewSectionReader(bytes.NewReader(b), 0, int64(len(b))), nil
	case be.Uint16(data) == recFolder:
		return io.NewSectionReader(bytes.NewReader(nil), 0, 0), nil
	case data[41]&ufCompressed != 0:
		r, err := fs.decompressed(cnid, data, at)
		if err != nil {
			return nil, fmt.Errorf("hfsplus: %s: %w", e.Path, err)
		}
		return r, nil
	}
	return fs.section(cnid, forkData, parseFork(data[88:]), at+88)
}

// section returns a fork as a SectionReader.
func (fs *FS) section(cnid uint32, forkType uint8, f fork, at int64) (*io.SectionReader, error) {
	st, err := fs.forkStream(cnid, forkType, f, at, true)
	if err != nil {
		return nil, fmt.Errorf("hfsplus: CNID %d: %w", cnid, err)
	}
	return io.NewSectionReader(st, 0, st.size), nil
}

// openSpecial returns the content of a metadata file.
func (fs *FS) openSpecial(e *filesystem.Entry) (*io.SectionReader, error) {
	var f fork
	switch e.Inode {
	case cnidExtents:
		f = fs.extentsFork
	case cnidCatalog:
		f = fs.catalogFork
	case cnidAllocation:
		f = fs.allocation
	case cnidStartup:
		f = fs.startupFork
	case cnidAttributes:
		f = fs.attributesFork
	case cnidBadBlocks:
		exts, err := fs.badBlockExtents()
		if err != nil {
			return nil, fmt.Errorf("hfsplus: %s: %w", e.Path, err)
		}
		x := &extentReader{r: fs.r}
		for _, ex := range exts {
			if uint64(ex.start)+uint64(ex.count) > uint64(fs.blocks) {
				return nil, fmt.Errorf("hfsplus: %s: extent %d+%d beyond the volume", e.Path, ex.start, ex.count)
			}
			n := int64(ex.count) * fs.blockSize
			x.runs = append(x.runs, run{logical: x.size, physical: int64(ex.start) * fs.blockSize, length: n})
			x.size += n
		}
		if x.size > 0 && x.runs[len(x.runs)-1].physical+x.runs[len(x.runs)-1].length > fs.size {
			return nil, fmt.Errorf("hfsplus: %s: extents beyond the image", e.Path)
		}
		return io.NewSectionReader(x, 0, x.size), nil
	default:
		return nil, fmt.Errorf("hfsplus: %s: not a metadata file", e.Path)
	}
	return fs.section(uint32(e.Inode), forkData, f, e.Offset)
}

// recordAt reads the folder or file record whose key starts at volume
// offset off in the catalog file, returning the record data (without the
// key) and the volume offset of that data.
func (fs *FS) recordAt(off int64) ([]byte, int64, error) {
	t := fs.catalog
	logical := t.st.logical(off)
	if logical < 0 {
		return nil, 0, fmt.Errorf("offset %d is not in the catalog file", off)
	}
	ns := int64(t.nodeSize)
	end := min((logical/ns+1)*ns, t.st.size, logical+2+516+fileRecSize)
	b := make([]byte, end-logical)
	if _, err := t.st.ReadAt(b, logical); err != nil {
		return nil, 0, fmt.Errorf("read catalog record at %d: %w", off, err)
	}
	if len(b) < 2 || 2+int(be.Uint16(b)) > len(b) {
		return nil, 0, filesystem.Malformed(fsName, off, "catalog record key overflows its node")
	}
	kl := 2 + int(be.Uint16(b))
	d := b[kl:]
	if len(d) < 2 {
		return nil, 0, filesystem.Malformed(fsName, off, "catalog record has no data")
	}
	switch be.Uint16(d) {
	case recFile:
		if len(d) >= fileRecSize {
			return d[:fileRecSize], t.st.physical(logical + int64(kl)), nil
		}
	case recFolder:
		if len(d) >= folderRecSize {
			return d[:folderRecSize], t.st.physical(logical + int64(kl)), nil
		}
	}
	return nil, 0, filesystem.Malformed(fsName, off, "not a folder or file record (type %d, %d bytes)", be.Uint16(d), len(d))
}

// cmpAttr orders an attribute key against (cnid, empty name).
func cmpAttr(cnid uint32) func([]byte) int {
	return func(key []byte) int {
		if len(key) < 14 {
			return -1
		}
		id := be.Uint32(key[4:])
		switch {
		case id < cnid:
			return -1
		case id > cnid || be.Uint16(key[12:]) > 0:
			return 1
		}
		return 0
	}
}

// xattrValue reads the value of a file's extended attribute.
func (fs *FS) xattrValue(cnid uint32, name string) ([]byte, error) {
	if fs.attributes == nil {
		return nil, fmt.Errorf("extended attribute %q: no attributes file", name)
	}
	var val []byte
	found := false
	err := fs.attributes.scan(cmpAttr(cnid), func(key, data []byte, off int64) (bool, error) {
		if len(key) < 14 || be.Uint32(key[4:]) != cnid {
			return false, nil
		}
		n := int(be.Uint16(key[12:]))
		if 14+2*n > len(key) || decodeName(key[14:14+2*n]) != name {
			return true, nil
		}
		found = true
		if len(data) < 4 {
			return false, filesystem.Malformed(fsName, off, "attribute record too short")
		}
		switch be.Uint32(data) {
		case attrInline:
			if len(data) < 16 {
				return false, filesystem.Malformed(fsName, off, "attribute record too short")
			}
			size := int64(be.Uint32(data[12:]))
			if 16+size > int64(len(data)) {
				return false, filesystem.Malformed(fsName, off, "attribute value of %d bytes overflows its record", size)
			}
			val = append([]byte(nil), data[16:16+size]...)
		case attrFork:
			if len(data) < 88 {
				return false, filesystem.Malformed(fsName, off, "attribute record too short")
			}
			f := parseFork(data[8:])
			if f.logicalSize > maxXattr {
				return false, fmt.Errorf("extended attribute %q of %d bytes, more than %d", name, f.logicalSize, maxXattr)
			}
			st, err := fs.forkStream(cnid, forkData, f, off, false)
			if err != nil {
				return false, err
			}
			val = make([]byte, st.size)
			if _, err := st.ReadAt(val, 0); err != nil {
				return false, err
			}
		default:
			return false, filesystem.Malformed(fsName, off, "attribute record of type %#x", be.Uint32(data))
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("extended attribute %q of CNID %d: %w", name, cnid, errNotFound)
	}
	return val, nil
}
