package fat

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

// Attribute bits of a directory entry.
const (
	attrVolume = 0x08
	attrDir    = 0x10
	attrLFN    = 0x0F
)

// dirData is a folder's bytes and where each sector of them lies.
type dirData struct {
	buf     []byte
	sectors []int64 // sector number of each bps-sized piece of buf
}

// dent is one parsed short entry, with its long name if any.
type dent struct {
	name     string
	short    string
	lfnOrph  string // a long name that did not match this entry
	attr     byte
	start    uint32
	size     uint32
	deleted  bool
	offset   int64
	label    bool
	afterEnd bool // found after the end-of-folder marker
	modified time.Time
	accessed time.Time
	born     time.Time
}

// readRoot reads the root folder.
func (v *volume) readRoot() (dirData, error) {
	if v.kind != "fat32" {
		off := v.dataSect * v.bps
		n := min(v.rootSectors*v.bps, maxDirBytes)
		avail := max(0, v.size-off) / v.bps * v.bps
		if n > avail {
			v.note("root folder at offset %d is cut short by the end of the image", off)
			n = avail
		}
		buf, err := v.readFull(off, n)
		if err != nil {
			return dirData{}, fmt.Errorf("read root folder: %w", err)
		}
		d := dirData{buf: buf}
		for i := range n / v.bps {
			d.sectors = append(d.sectors, v.dataSect+i)
		}
		return d, nil
	}
	return v.readClusters(v.rootCluster, maxDirBytes/v.clusterSize, true, nil)
}

// readClusters reads up to limit clusters of a folder: the chain from
// start when follow is set, else the start cluster alone. When used is
// not nil, clusters already read for another folder are not read again
// (so a walk reads each cluster once at most), and those read are marked.
func (v *volume) readClusters(start uint32, limit int64, follow bool, used []uint64) (dirData, error) {
	limit = max(1, limit)
	var clusters []uint32
	stop := false
	take := func(c uint32) {
		if stop || (used != nil && used[c/64]&(1<<(c%64)) != 0) {
			if !stop {
				v.note("folder chain from cluster %d reaches cluster %d, already read for another folder: cut", start, c)
			}
			stop = true
			return
		}
		if used != nil {
			used[c/64] |= 1 << (c % 64)
		}
		clusters = append(clusters, c)
	}
	if follow {
		v.chain(start, int(limit), take)
	} else if start >= 2 && start <= v.maxCluster {
		take(start)
	}
	var d dirData
	for _, c := range clusters {
		off := v.clusterOffset(c)
		b, err := v.readFull(off, v.clusterSize)
		if err != nil {
			if len(d.buf) == 0 {
				return d, fmt.Errorf("read folder cluster %d: %w", c, err)
			}
			v.note("folder cluster %d at offset %d unreadable: %v", c, off, err)
			break
		}
		d.buf = append(d.buf, b...)
		first := v.clusterSect + int64(c-2)*v.spc
		for i := range v.spc {
			d.sectors = append(d.sectors, first+i)
		}
	}
	return d, nil
}

// lfnState collects the long-name parts read so far.
type lfnState struct {
	active   bool
	deleted  bool // parts of a deleted entry (sequence byte 0xE5)
	chk      byte
	expected byte     // next sequence number for a live name; 0 when complete
	parts    [][]byte // 26-byte pieces, in the order they are stored
}

func (l *lfnState) reset() { *l = lfnState{} }

// name assembles the long name: the stored order is last part first.
func (l *lfnState) name() string {
	var u []uint16
	for i := len(l.parts) - 1; i >= 0; i-- {
		p := l.parts[i]
		for k := 0; k+1 < len(p); k += 2 {
			c := binary.LittleEndian.Uint16(p[k:])
			if c == 0 {
				return string(utf16.Decode(u))
			}
			u = append(u, c)
		}
	}
	return string(utf16.Decode(u))
}

func lfnPiece(b []byte) []byte {
	p := make([]byte, 0, 26)
	p = append(p, b[1:11]...)
	p = append(p, b[14:26]...)
	return append(p, b[28:32]...)
}

// shortChecksum is the checksum a long name carries of its short name.
func shortChecksum(name []byte) byte {
	var s byte
	for _, c := range name[:11] {
		s = (s>>1 | s<<7) + c
	}
	return s
}

// parseDir parses the entries of a folder. inDeleted marks a deleted
// folder's data: all its entries are deleted, and they are checked more
// strictly since the cluster may hold anything. Entries after the 0x00
// end marker are invisible to the operating system; they are reported
// as deleted, checked strictly, with Extra["after_end_marker"].
func (v *volume) parseDir(d dirData, inDeleted bool) []dent {
	var out []dent
	var lfn lfnState
	ended := false // past the 0x00 end marker: free slots that may hold old entries
	for i := 0; i+32 <= len(d.buf); i += 32 {
		b := d.buf[i : i+32]
		if b[0] == 0x00 {
			ended = true
			lfn.reset()
			continue
		}
		si := int64(i) / v.bps
		if si >= int64(len(d.sectors)) {
			break
		}
		off := d.sectors[si]*v.bps + int64(i)%v.bps
		attr := b[11]
		if attr&0x3F == attrLFN {
			v.addLFN(&lfn, b)
			continue
		}
		if b[0] == '.' && (b[1] == ' ' || b[1] == '.') {
			lfn.reset()
			continue
		}
		e, ok := v.shortEntry(b, off, inDeleted || ended)
		if !ok {
			lfn.reset()
			continue
		}
		if lfn.active {
			ln := lfn.name()
			if v.lfnMatches(&lfn, b, e.deleted) {
				e.name = ln
			} else {
				e.lfnOrph = ln
			}
		}
		lfn.reset()
		e.deleted = e.deleted || inDeleted || ended
		e.afterEnd = ended
		out = append(out, e)
	}
	return out
}

func (v *volume) addLFN(l *lfnState, b []byte) {
	seq, chk := b[0], b[13]
	switch {
	case seq == 0xE5:
		if !l.active || !l.deleted || l.chk != chk {
			l.reset()
			l.active, l.deleted, l.chk = true, true, chk
		}
		if len(l.parts) < 20 {
			l.parts = append(l.parts, lfnPiece(b))
		}
	case seq&0x40 != 0:
		n := seq & 0x1F
		l.reset()
		if n == 0 || n > 20 || seq&0xA0 != 0 {
			return
		}
		l.active, l.chk, l.expected = true, chk, n-1
		l.parts = append(l.parts, lfnPiece(b))
	default:
		if !l.active || l.deleted || l.chk != chk || seq != l.expected || seq == 0 {
			l.reset()
			return
		}
		l.expected--
		l.parts = append(l.parts, lfnPiece(b))
	}
}

// lfnMatches reports whether the collected long name belongs to the short
// entry b. For a deleted entry the first name byte is lost, and any
// checksum can be met by some first byte, so only the structure counts.
func (v *volume) lfnMatches(l *lfnState, b []byte, deleted bool) bool {
	if deleted && b[0] == 0xE5 {
		return l.deleted || l.expected == 0
	}
	return !l.deleted && l.expected == 0 && l.chk == shortChecksum(b)
}

// validNameByte reports whether c may appear in a short name.
func validNameByte(c byte) bool {
	if c < 0x20 {
		return false
	}
	return !strings.ContainsRune("\"*+,./:;<=>?[\\]|", rune(c))
}

// shortEntry decodes a short entry; ok is false when it is not plausible.
func (v *volume) shortEntry(b []byte, off int64, strict bool) (dent, bool) {
	le := binary.LittleEndian
	attr := b[11]
	e := dent{attr: attr, offset: off, deleted: b[0] == 0xE5}
	e.label = attr&attrVolume != 0 && attr&attrDir == 0
	if attr&0xC0 != 0 && (strict || !e.label) {
		return e, false
	}
	for k, c := range b[:11] {
		if k == 0 && (c == 0x05 || c == 0xE5) {
			continue
		}
		if c < 0x20 || (!e.label && c != ' ' && !validNameByte(c)) {
			return e, false
		}
	}
	if !e.label && b[0] == ' ' {
		return e, false
	}
	e.start = uint32(le.Uint16(b[26:]))
	if v.kind == "fat32" {
		e.start |= uint32(le.Uint16(b[20:])) << 16
	}
	e.size = le.Uint32(b[28:])
	if !e.label {
		if e.start == 1 || (e.start > v.maxCluster && e.start < v.eofMark) {
			return e, false
		}
		if int64(e.size) > int64(v.maxCluster-1)*v.clusterSize {
			return e, false
		}
	}
	var okM, okA, okB bool
	e.modified, okM = dosTime(le.Uint16(b[24:]), le.Uint16(b[22:]), 0)
	e.accessed, okA = dosTime(le.Uint16(b[18:]), 0, 0)
	e.born, okB = dosTime(le.Uint16(b[16:]), le.Uint16(b[14:]), b[13])
	if strict && (!okM || !okA || !okB || b[13] > 199) {
		return e, false
	}
	e.short = shortName(b)
	e.name = e.short
	if e.label {
		e.name = strings.TrimRight(decode437(b[:11]), " ")
	}
	return e, true
}

// shortName forms "NAME.EXT" from an 8.3 entry as TSK shows it: spaces
// dropped, case flags applied, a deleted entry's first byte shown as '_'.
func shortName(b []byte) string {
	conv := func(field []byte, lower bool, first bool) string {
		var sb strings.Builder
		s := strings.TrimRight(string(field), " ")
		for k := 0; k < len(s); k++ {
			c := s[k]
			switch {
			case first && k == 0 && c == 0xE5:
				sb.WriteByte('_')
			case first && k == 0 && c == 0x05:
				sb.WriteString(decode437([]byte{0xE5}))
			case lower && c >= 'A' && c <= 'Z':
				sb.WriteByte(c + 32)
			default:
				sb.WriteString(decode437([]byte{c}))
			}
		}
		return sb.String()
	}
	name := conv(b[0:8], b[12]&0x08 != 0, true)
	if ext := conv(b[8:11], b[12]&0x10 != 0, false); ext != "" {
		name += "." + ext
	}
	return name
}

// dosTime converts a FAT date and time (local time, taken as UTC) plus
// 10 ms units. A zero date gives the zero time and ok; an impossible date
// or time gives the zero time and not ok.
func dosTime(date, tm uint16, tens byte) (time.Time, bool) {
	if date == 0 {
		return time.Time{}, tm == 0
	}
	y, mo, d := int(date>>9)+1980, int(date>>5&15), int(date&31)
	h, mi, s := int(tm>>11), int(tm>>5&63), int(tm&31)*2
	if mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t.Add(time.Duration(tens) * 10 * time.Millisecond), true
}

// findLabel reads the root folder and takes the volume label from its
// label entry, which overrides the boot sector's.
func (v *volume) findLabel() error {
	d, err := v.readRoot()
	if err != nil {
		return fmt.Errorf("fat: %w", err)
	}
	for _, e := range v.parseDir(d, false) {
		if e.label && !e.deleted {
			v.label = e.name
			break
		}
	}
	return nil
}

// Walk lists every entry depth first, in folder order, then $MBR, $FAT1
// and $FAT2.
func (v *volume) Walk(ctx context.Context, fn func(*filesystem.Entry) error) error {
	root, err := v.readRoot()
	if err != nil {
		return fmt.Errorf("fat: %w", err)
	}
	w := &walker{v: v, ctx: ctx, fn: fn, seen: map[uint32]bool{}, used: make([]uint64, v.maxCluster/64+1)}
	if v.kind == "fat32" {
		w.seen[v.rootCluster] = true
		v.chain(v.rootCluster, int(maxDirBytes/v.clusterSize), func(c uint32) { w.used[c/64] |= 1 << (c % 64) })
	}
	if err := w.dir(root, "", false, 0); err != nil {
		return err
	}
	return v.walkVirtual(fn)
}

type walker struct {
	v    *volume
	ctx  context.Context
	fn   func(*filesystem.Entry) error
	seen map[uint32]bool // first clusters of folders entered
	used []uint64        // bit set of clusters read as folder data
}

func (w *walker) dir(d dirData, path string, deleted bool, depth int) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	v := w.v
	for _, e := range v.parseDir(d, deleted) {
		ent := v.entry(e, path)
		if e.attr&attrDir != 0 && !e.label {
			ent.Size = v.dirSize(e)
		}
		if err := w.fn(ent); err != nil {
			return err
		}
		if e.attr&attrDir == 0 || e.label || ent.Size == 0 {
			continue
		}
		if w.seen[e.start] {
			v.note("folder %q (cluster %d) already visited: not entered again", ent.Path, e.start)
			continue
		}
		if depth+1 >= filesystem.MaxDepth {
			v.note("folder %q exceeds depth %d: not entered", ent.Path, filesystem.MaxDepth)
			continue
		}
		w.seen[e.start] = true
		var sub dirData
		var err error
		if e.deleted {
			sub, err = v.readClusters(e.start, 1, false, w.used)
		} else {
			sub, err = v.readClusters(e.start, maxDirBytes/v.clusterSize, true, w.used)
		}
		if err != nil {
			v.note("folder %q: %v", ent.Path, err)
			continue
		}
		if err := w.dir(sub, ent.Path, e.deleted, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// dirSize gives a folder the size TSK gives it: its chain's length in
// bytes when allocated (counted up to the 2 MiB a folder can hold, plus
// one cluster); when deleted, one cluster if its first cluster is free,
// else 0.
func (v *volume) dirSize(e dent) int64 {
	if e.start < 2 || e.start > v.maxCluster {
		return 0
	}
	if e.deleted {
		if used, err := v.allocated(e.start); err != nil || used {
			return 0
		}
		return v.clusterSize
	}
	n := v.chain(e.start, int(maxDirBytes/v.clusterSize)+1, func(uint32) {})
	return int64(n) * v.clusterSize
}

// entry converts a parsed entry.
func (v *volume) entry(e dent, parent string) *filesystem.Entry {
	ent := &filesystem.Entry{
		Path:     parent + "/" + e.name,
		Name:     e.name,
		Inode:    v.inode(e.offset),
		Type:     filesystem.File,
		Size:     int64(e.size),
		Deleted:  e.deleted,
		Modified: e.modified,
		Accessed: e.accessed,
		Born:     e.born,
		Offset:   e.offset,
		Extra: map[string]string{
			"attributes":    fmt.Sprintf("0x%02x", e.attr),
			"start_cluster": strconv.FormatUint(uint64(e.start), 10),
		},
	}
	switch {
	case e.label:
		ent.Type = filesystem.Other
		ent.Size = 0
		ent.Extra["volume_label"] = "true"
	case e.attr&attrDir != 0:
		ent.Type = filesystem.Dir
	}
	if !e.label {
		ent.Extra["short_name"] = e.short
	}
	if e.afterEnd {
		ent.Extra["after_end_marker"] = "true"
	}
	if e.lfnOrph != "" {
		ent.Extra["unmatched_long_name"] = e.lfnOrph
	}
	return ent
}

// walkVirtual lists $MBR and the FATs as TSK does.
func (v *volume) walkVirtual(fn func(*filesystem.Entry) error) error {
	base := v.firstVirtual()
	virt := []*filesystem.Entry{{Path: "/$MBR", Name: "$MBR", Inode: base, Size: 512}}
	for i := range min(v.numFATs, 2) {
		name := fmt.Sprintf("$FAT%d", i+1)
		virt = append(virt, &filesystem.Entry{
			Path: "/" + name, Name: name, Inode: base + 1 + uint64(i),
			Size: v.fatBytes, Offset: (v.reserved + i*v.fatSectors) * v.bps,
		})
	}
	for _, e := range virt {
		e.Type = filesystem.Other
		e.Extra = map[string]string{"virtual": "true"}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}
