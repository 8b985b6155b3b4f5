package exfat

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// Directory entry types (in-use bit 0x80 set).
const (
	typeBitmap = 0x81
	typeUpcase = 0x82
	typeLabel  = 0x83
	typeFile   = 0x85
	typeStream = 0xC0
	typeName   = 0xC1
	inUse      = 0x80
)

// folder is a folder's bytes and the clusters they came from.
type folder struct {
	data []byte
	runs []run
}

// offsetIn returns the byte offset in the file system of byte i of f.
func (v *volume) offsetIn(f *folder, i int64) int64 {
	for _, r := range f.runs {
		l := r.count * v.clusterSize
		if i < l {
			return v.clusterOffset(r.first) + i
		}
		i -= l
	}
	return -1
}

// inode numbers the slot at byte offset off as TSK does.
func (v *volume) inode(off int64) uint64 {
	return uint64(off/v.bps-v.heapSector)*uint64(v.bps/32) + uint64(off%v.bps/32) + 3
}

// readFolder reads the clusters of runs, up to length bytes.
func (v *volume) readFolder(runs []run, length int64) (*folder, error) {
	length = min(length, maxDirBytes)
	f := &folder{runs: runs}
	for _, r := range runs {
		for c := int64(0); c < r.count && int64(len(f.data)) < length; c++ {
			b, err := v.readFull(v.clusterOffset(r.first+uint32(c)), v.clusterSize)
			if err != nil {
				return nil, err
			}
			f.data = append(f.data, b...)
		}
	}
	f.data = f.data[:min(int64(len(f.data)), length)]
	return f, nil
}

// Walk lists the root folder's entries and, depth first, those of each
// folder, then $MBR and the FAT copies.
func (v *volume) Walk(ctx context.Context, fn func(*filesystem.Entry) error) error {
	runs, err := v.dirChain(v.rootCluster)
	if err != nil {
		return err
	}
	root, err := v.readFolder(runs, maxDirBytes)
	if err != nil {
		return fmt.Errorf("exfat: read root folder: %w", err)
	}
	w := &walker{v: v, ctx: ctx, fn: fn, seen: map[uint32]bool{v.rootCluster: true}}
	if err := w.folder(root, "", false, 0, true); err != nil {
		return err
	}
	virtual := []*filesystem.Entry{{Name: "$MBR", Size: 512}}
	for i := range v.numFATs {
		virtual = append(virtual, &filesystem.Entry{Name: "$FAT" + strconv.FormatInt(i+1, 10),
			Size: v.fatBytes, Offset: v.fatFirst + i*v.fatBytes})
	}
	for i, e := range virtual {
		e.Path, e.Inode, e.Type = "/"+e.Name, v.maxInode+1+uint64(i), filesystem.Other
		e.Extra = map[string]string{"virtual": "true"}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

type walker struct {
	v    *volume
	ctx  context.Context
	fn   func(*filesystem.Entry) error
	seen map[uint32]bool
}

// folder reports the entries of f, whose path is dir, entering
// subfolders.
func (w *walker) folder(f *folder, dir string, deleted bool, depth int, isRoot bool) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	v := w.v
	b := f.data
	ended := false
	for i := 0; i+32 <= len(b); {
		t := b[i]
		if t == 0 {
			ended = true
			i += 32
			continue
		}
		off := v.offsetIn(f, int64(i))
		switch {
		case t&0x7F == typeLabel&0x7F && isRoot && !ended:
			n := int(b[i+1])
			if t&inUse == 0 {
				n = 0 // an unused label entry: the volume has no label
			}
			if n > 11 {
				v.note("offset %d: volume label of %d characters, at most 11 allowed", off, n)
			}
			name := decode(b[i+2 : i+2+2*min(n, 15)])
			if n == 0 {
				name = "$EMPTY_VOLUME_LABEL"
			}
			e := &filesystem.Entry{Path: "/" + name, Name: name, Inode: v.inode(off), Type: filesystem.Other,
				Offset: off, Extra: map[string]string{"volume_label": "true"}}
			if err := w.fn(e); err != nil {
				return err
			}
		case (t == typeBitmap || t == typeUpcase) && isRoot && !ended:
			name := "$ALLOC_BITMAP"
			if t == typeUpcase {
				name = "$UPCASE_TABLE"
			}
			le := binary.LittleEndian
			size := int64(le.Uint64(b[i+24:]))
			e := &filesystem.Entry{Path: "/" + name, Name: name, Inode: v.inode(off), Type: filesystem.File,
				Size: size, Offset: off, Extra: map[string]string{
					"first_cluster": strconv.FormatUint(uint64(le.Uint32(b[i+20:])), 10), "system": "true"}}
			if size < 0 {
				v.note("offset %d: %s of %d bytes", off, name, size)
			} else if err := w.fn(e); err != nil {
				return err
			}
		case t&0x7F == typeFile&0x7F:
			e, sub, n := w.fileSet(f, i, dir, deleted || t&inUse == 0)
			if e == nil {
				i += 32
				continue
			}
			if ended {
				e.Extra["after_end_marker"] = "true"
			}
			if err := w.fn(e); err != nil {
				return err
			}
			if sub != nil {
				if err := w.enter(e, sub, depth); err != nil {
					return err
				}
			}
			i += 32 * n
			continue
		}
		i += 32
	}
	return nil
}

// enter walks the folder e, whose clusters are runs, once.
func (w *walker) enter(e *filesystem.Entry, runs []run, depth int) error {
	v := w.v
	if depth+1 >= filesystem.MaxDepth {
		v.note("%s: deeper than %d folders: not entered", e.Path, filesystem.MaxDepth)
		return nil
	}
	if w.seen[runs[0].first] {
		v.note("%s: folder at cluster %d already listed: not entered again", e.Path, runs[0].first)
		return nil
	}
	w.seen[runs[0].first] = true
	f, err := v.readFolder(runs, e.Size)
	if err != nil {
		v.note("%s: %v", e.Path, err)
		return nil
	}
	return w.folder(f, e.Path, e.Deleted, depth+1, false)
}

// fileSet decodes the entry set whose File entry is at byte i of f: the
// entry, the clusters of its folder when it is one to enter, and the
// number of slots used. It returns a nil entry when the set is not whole.
func (w *walker) fileSet(f *folder, i int, dir string, deleted bool) (*filesystem.Entry, []run, int) {
	v := w.v
	b := f.data
	le := binary.LittleEndian
	use := b[i] & inUse
	off := v.offsetIn(f, int64(i))
	count := int(b[i+1])
	if count < 2 || i+32*(1+count) > len(b) {
		return nil, nil, 0
	}
	s := b[i+32 : i+64]
	if s[0] != typeStream&0x7F|use {
		return nil, nil, 0
	}
	nameLen := int(s[3])
	parts := (nameLen + 14) / 15
	if nameLen == 0 || parts > count-1 {
		return nil, nil, 0
	}
	var units []uint16
	for p := range parts {
		ne := b[i+64+32*p : i+96+32*p]
		if ne[0] != typeName&0x7F|use {
			return nil, nil, 0
		}
		for k := 0; k < 15 && len(units) < nameLen; k++ {
			units = append(units, le.Uint16(ne[2+2*k:]))
		}
	}
	if use != 0 {
		if got, want := setChecksum(b[i:i+32*(1+count)]), le.Uint16(b[i+2:]); got != want {
			v.note("offset %d: entry set checksum %#04x, stored %#04x", off, got, want)
		}
	}
	name := string(utf16.Decode(units))
	attr := le.Uint16(b[i+4:])
	flags := s[1]
	validLen := int64(le.Uint64(s[8:]))
	first := le.Uint32(s[20:])
	size := int64(le.Uint64(s[24:]))
	if size < 0 || validLen < 0 {
		v.note("offset %d: %q has size %d, valid data length %d", off, name, size, validLen)
		return nil, nil, 0
	}
	if use == 0 && size > 0 && !v.valid(first) {
		// A deleted set whose data never got a cluster: TSK leaves it out.
		return nil, nil, 0
	}
	e := &filesystem.Entry{
		Path:     dir + "/" + name,
		Name:     name,
		Inode:    v.inode(off),
		Type:     filesystem.File,
		Size:     size,
		Deleted:  deleted,
		Born:     stamp(le.Uint32(b[i+8:]), b[i+20], b[i+22]),
		Modified: stamp(le.Uint32(b[i+12:]), b[i+21], b[i+23]),
		Accessed: stamp(le.Uint32(b[i+16:]), 0, b[i+24]),
		Offset:   off,
		Extra: map[string]string{
			"attributes":        fmt.Sprintf("%#04x", attr),
			"first_cluster":     strconv.FormatUint(uint64(first), 10),
			"valid_data_length": strconv.FormatInt(validLen, 10),
		},
	}
	noChain := flags&2 != 0
	if noChain {
		e.Extra["no_fat_chain"] = "true"
	}
	var sub []run
	if attr&0x10 != 0 {
		e.Type = filesystem.Dir
		if size > 0 && (!deleted || noChain || size <= v.clusterSize) {
			runs, err := v.chain(first, size, noChain || deleted)
			if err != nil {
				v.note("%s: %v", e.Path, err)
			} else {
				sub = runs
			}
		}
	}
	return e, sub, 1 + count
}

// setChecksum is the entry set checksum of set, skipping bytes 2 and 3.
func setChecksum(set []byte) uint16 {
	var sum uint16
	for i, c := range set {
		if i == 2 || i == 3 {
			continue
		}
		sum = (sum<<15 | sum>>1) + uint16(c)
	}
	return sum
}

// decode converts UTF-16LE bytes to a string.
func decode(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return strings.TrimRight(string(utf16.Decode(u)), "\x00")
}

// stamp converts an exFAT timestamp, its 10 ms units (0 to 199) and its
// UTC offset byte to a time in UTC. Without a valid offset the local
// wall-clock value is returned as if it were UTC. A zero or impossible
// date gives the zero time.
func stamp(ts uint32, ms10, utc byte) time.Time {
	if ts == 0 {
		return time.Time{}
	}
	sec := int(ts&0x1F) * 2
	minute, hour := int(ts>>5&0x3F), int(ts>>11&0x1F)
	day, month, year := int(ts>>16&0x1F), int(ts>>21&0x0F), int(ts>>25)+1980
	if day == 0 || month == 0 || month > 12 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	if ms10 < 200 {
		t = t.Add(time.Duration(ms10) * 10 * time.Millisecond)
	}
	if utc&0x80 != 0 {
		q := int(int8(utc<<1) >> 1) // 7-bit signed count of 15 minutes
		t = t.Add(-time.Duration(q) * 15 * time.Minute)
	}
	return t
}
