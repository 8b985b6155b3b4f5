package ntfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"
)

// Limits on files spread over several records.
const (
	// maxAttrListSize caps the $ATTRIBUTE_LIST value read into memory.
	maxAttrListSize = 1 << 20
	// maxExtensions caps the extension records one file may have.
	maxExtensions = 4096
)

// file is a base MFT record with the attributes of its extension records
// merged in: the fragments of a non-resident attribute (same type and name)
// become one attribute whose runs cover them all.
type file struct {
	rec   *record
	attrs []attr
}

// find returns the first attribute of type typ named name, or nil.
func (f *file) find(typ uint32, name string) *attr {
	for i := range f.attrs {
		if f.attrs[i].typ == typ && f.attrs[i].name == name {
			return &f.attrs[i]
		}
	}
	return nil
}

// expand gathers the attributes of rec and, when it has an
// $ATTRIBUTE_LIST, of the extension records the list names. Each extension
// record is read once; entries naming rec itself use rec's own attributes,
// and an extension record whose base reference is not rec is skipped. The
// returned notes describe damage stepped over.
func (fs *FS) expand(rec *record) (*file, []string) {
	f := &file{rec: rec}
	var list *attr
	for i := range rec.attrs {
		if rec.attrs[i].typ == attrAttributeList && list == nil {
			list = &rec.attrs[i]
		}
	}
	if list == nil {
		f.attrs = rec.attrs
		return f, nil
	}
	var notes []string
	val, err := fs.attrValue(list, maxAttrListSize, fmt.Sprintf("MFT record %d $ATTRIBUTE_LIST", rec.num))
	if err != nil {
		f.attrs = rec.attrs
		return f, []string{err.Error()}
	}
	all := append([]attr(nil), rec.attrs...)
	seen := map[uint64]bool{rec.num: true}
	for off := 0; off+0x1A <= len(val); {
		elen := int(binary.LittleEndian.Uint16(val[off+4:]))
		if elen < 0x1A || elen > len(val)-off {
			notes = append(notes, fmt.Sprintf("ntfs: MFT record %d $ATTRIBUTE_LIST entry at %d: length %d", rec.num, off, elen))
			break
		}
		ref := binary.LittleEndian.Uint64(val[off+0x10:]) & refMask
		off += elen
		if seen[ref] {
			continue
		}
		seen[ref] = true
		if len(seen) > maxExtensions {
			notes = append(notes, fmt.Sprintf("ntfs: MFT record %d: more than %d extension records", rec.num, maxExtensions))
			break
		}
		ext, err := fs.record(ref)
		if err != nil {
			notes = append(notes, fmt.Sprintf("ntfs: MFT record %d: extension record: %v", rec.num, err))
			continue
		}
		if ext.baseRef != rec.num {
			notes = append(notes, fmt.Sprintf("ntfs: MFT record %d: extension record %d has base record %d", rec.num, ref, ext.baseRef))
			continue
		}
		for _, a := range ext.attrs {
			if a.typ != attrAttributeList {
				all = append(all, a)
			}
		}
	}
	attrs, err := mergeFragments(all)
	if err != nil {
		notes = append(notes, fmt.Sprintf("ntfs: MFT record %d: %v", rec.num, err))
	}
	f.attrs = attrs
	return f, notes
}

// mergeFragments joins the fragments of each non-resident attribute
// (same type and name, ordered by first VCN) into one; sizes come from the
// fragment at VCN 0. Resident attributes are kept as they are.
func mergeFragments(all []attr) ([]attr, error) {
	type key struct {
		typ  uint32
		name string
	}
	groups := map[key][]int{}
	var order []int // index of the first fragment of each attribute, or of a resident one
	for i, a := range all {
		if a.resident {
			order = append(order, i)
			continue
		}
		k := key{a.typ, a.name}
		if len(groups[k]) == 0 {
			order = append(order, i)
		}
		groups[k] = append(groups[k], i)
	}
	var firstErr error
	out := make([]attr, 0, len(order))
	for _, i := range order {
		a := all[i]
		if a.resident {
			out = append(out, a)
			continue
		}
		g := groups[key{a.typ, a.name}]
		if len(g) == 1 {
			out = append(out, a)
			continue
		}
		frags := make([]attr, len(g))
		for j, gi := range g {
			frags[j] = all[gi]
		}
		sort.SliceStable(frags, func(x, y int) bool { return frags[x].startVCN < frags[y].startVCN })
		m := frags[0]
		m.runs = nil
		n := 0
		for _, fr := range frags {
			n += len(fr.runs)
		}
		if n > maxRuns {
			if firstErr == nil {
				firstErr = fmt.Errorf("attribute type %#x %q: more than %d runs", a.typ, a.name, maxRuns)
			}
			out = append(out, frags[0])
			continue
		}
		m.runs = make([]run, 0, n)
		for _, fr := range frags {
			m.runs = append(m.runs, fr.runs...)
		}
		out = append(out, m)
	}
	return out, firstErr
}

// errNoVolume is returned for non-resident data of a bare $MFT file.
var errNoVolume = errors.New("non-resident data is on the volume, not in the $MFT file")

// attrValue returns the whole value of a (resident, or non-resident read
// from the volume) when it is at most limit bytes.
func (fs *FS) attrValue(a *attr, limit int64, what string) ([]byte, error) {
	if a.resident {
		return a.value, nil
	}
	if a.realSize > limit {
		return nil, fmt.Errorf("ntfs: %s: %d bytes, more than %d", what, a.realSize, limit)
	}
	st, err := fs.stream(a, what)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, a.realSize)
	if _, err := st.ReadAt(buf, 0); err != nil && len(buf) > 0 {
		return nil, err
	}
	return buf, nil
}

// stream returns a reader over non-resident attribute a, decompressing
// it when it is compressed.
func (fs *FS) stream(a *attr, what string) (io.ReaderAt, error) {
	if fs.vol == nil {
		return nil, fmt.Errorf("ntfs: %s: %w", what, errNoVolume)
	}
	if a.flags&attrFlagCompressed != 0 && a.compUnit != 0 {
		if a.flags&attrFlagCompressed != compressionLZNT1 {
			return nil, fmt.Errorf("ntfs: %s: compression method %d: %w", what, a.flags&attrFlagCompressed, ErrCompressed)
		}
		return newCompressedStream(fs.vol, fs.volSize, fs.bt.clusterSize, a.runs, a.compUnit, a.realSize, a.initSize, what)
	}
	return newStream(fs.vol, fs.volSize, fs.bt.clusterSize, a.runs, a.realSize, a.initSize, what)
}

// ntfsEpochDelta is the number of seconds from 1601-01-01 (the FILETIME
// epoch) to 1970-01-01.
const ntfsEpochDelta = 11644473600

// filetime converts a FILETIME (100 ns units since 1601-01-01 UTC) to a
// time; 0 is the zero time.
func filetime(v uint64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(int64(v/1e7)-ntfsEpochDelta, int64(v%1e7)*100).UTC()
}

// fileName is a decoded $FILE_NAME value.
//
// Layout: 0x00 parent reference (8), 0x08 created, 0x10 modified, 0x18 MFT
// changed, 0x20 accessed (FILETIME, 8 each), 0x28 allocated size (8), 0x30
// data size (8), 0x38 flags (4), 0x3C reparse value (4), 0x40 name length
// in UTF-16 units (1), 0x41 namespace (1: 0 POSIX, 1 Win32, 2 DOS, 3 Win32
// and DOS), 0x42 name.
type fileName struct {
	parent    uint64
	parentSeq uint16
	times     [4]time.Time // born, modified, changed, accessed
	namespace byte
	name      string
}

// namespaceDOS is the $FILE_NAME namespace of 8.3 short names.
const namespaceDOS = 2

// parseFileName decodes a $FILE_NAME value.
func parseFileName(v []byte) (fileName, bool) {
	var fn fileName
	if len(v) < 0x42 {
		return fn, false
	}
	n := int(v[0x40])
	if 0x42+2*n > len(v) || n == 0 {
		return fn, false
	}
	ref := binary.LittleEndian.Uint64(v)
	fn.parent = ref & refMask
	fn.parentSeq = uint16(ref >> 48)
	for i := range fn.times {
		fn.times[i] = filetime(binary.LittleEndian.Uint64(v[8+8*i:]))
	}
	fn.namespace = v[0x41]
	fn.name = decodeUTF16(v[0x42 : 0x42+2*n])
	return fn, true
}

// names returns the $FILE_NAME values of f that name it: Win32, POSIX and
// Win32-and-DOS names, or the DOS names when it has no other; one per
// parent and name.
func (f *file) names() []fileName {
	var long, short []fileName
	for i := range f.attrs {
		a := &f.attrs[i]
		if a.typ != attrFileName || !a.resident {
			continue
		}
		fn, ok := parseFileName(a.value)
		if !ok {
			continue
		}
		if fn.namespace == namespaceDOS {
			short = append(short, fn)
		} else {
			long = append(long, fn)
		}
	}
	if len(long) == 0 {
		long = short
	}
	out := long[:0:0]
	for _, fn := range long {
		dup := false
		for _, o := range out {
			if o.parent == fn.parent && o.name == fn.name {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, fn)
		}
	}
	return out
}

// siTimes returns the $STANDARD_INFORMATION times: born, modified, MFT
// changed, accessed (offsets 0x00, 0x08, 0x10, 0x18).
func (f *file) siTimes() (t [4]time.Time) {
	a := f.find(attrStandardInfo, "")
	if a == nil || !a.resident || len(a.value) < 0x20 {
		return t
	}
	for i := range t {
		t[i] = filetime(binary.LittleEndian.Uint64(a.value[8*i:]))
	}
	return t
}
