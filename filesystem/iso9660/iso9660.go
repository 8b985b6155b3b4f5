package iso9660

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// FormatError reports a malformed structure at a byte offset of the file
// system (see [filesystem.FormatError]).
type FormatError = filesystem.FormatError

const (
	sectorSize     = 2048
	descStart      = 16 * sectorSize
	maxDescriptors = 64
	recMin         = 33
	maxDirBytes    = 64 << 20
	maxCE          = 16
	maxExtents     = 4096

	flagDir         = 0x02
	flagMultiExtent = 0x80
)

// FS is an opened ISO 9660 file system. It is safe for concurrent use.
type FS struct {
	r         io.ReaderAt
	size      int64
	blockSize int64
	label     string
	primary   *record // root of the primary tree
	joliet    *record // root of the Joliet tree, or nil

	anomalies filesystem.Anomalies
}

// record is a decoded directory record.
type record struct {
	offset   int64 // byte offset of the record
	extent   uint32
	earLen   uint8
	length   uint32 // data length
	flags    uint8
	unitSize uint8
	recorded time.Time
	tzOffset int // recording time zone, minutes east of UTC
	rawName  []byte
	system   []byte // system use area
	recLen   int
}

func (r *record) isDir() bool { return r.flags&flagDir != 0 }

// dataOffset is the byte offset of the record's data.
func (fs *FS) dataOffset(r *record) int64 {
	return (int64(r.extent) + int64(r.earLen)) * fs.blockSize
}

// Open reads the volume descriptors of the ISO 9660 file system that fills
// r (size bytes). It returns an error wrapping [filesystem.ErrNotFS] when
// there is no primary volume descriptor.
func Open(r io.ReaderAt, size int64) (filesystem.FS, error) {
	fs, err := NewFS(r, size)
	if err != nil {
		return nil, err
	}
	return fs, nil
}

// NewFS is [Open] with the concrete type.
func NewFS(r io.ReaderAt, size int64) (*FS, error) {
	fs := &FS{r: r, size: size}
	var jolietLabel string
	for i := range int64(maxDescriptors) {
		off := descStart + i*sectorSize
		if off+sectorSize > size {
			break
		}
		d := make([]byte, sectorSize)
		if _, err := r.ReadAt(d, off); err != nil {
			return nil, fmt.Errorf("iso9660: read volume descriptor at %d: %w", off, err)
		}
		if string(d[1:6]) != "CD001" {
			break
		}
		if d[0] == 255 {
			break
		}
		switch d[0] {
		case 1:
			if fs.primary != nil {
				continue
			}
			bs := int64(binary.LittleEndian.Uint16(d[128:]))
			if bs != 512 && bs != 1024 && bs != 2048 {
				return nil, &FormatError{FS: "iso9660", Offset: off + 128, Msg: fmt.Sprintf("logical block size %d", bs), Err: filesystem.ErrNotFS}
			}
			fs.blockSize = bs
			root, err := parseRecord(d[156:156+34], off+156)
			if err != nil {
				return nil, &FormatError{FS: "iso9660", Offset: off + 156, Msg: "root directory record: " + err.Error(), Err: filesystem.ErrNotFS}
			}
			fs.primary = root
			fs.label = strings.TrimRight(string(d[40:72]), " \x00")
		case 2:
			esc := d[88:91]
			if fs.joliet != nil || esc[0] != 0x25 || esc[1] != 0x2F || (esc[2] != 0x40 && esc[2] != 0x43 && esc[2] != 0x45) {
				continue
			}
			root, err := parseRecord(d[156:156+34], off+156)
			if err != nil {
				fs.anomaly("Joliet descriptor at %d: root record: %v", off, err)
				continue
			}
			fs.joliet = root
			jolietLabel = strings.TrimRight(ucs2(d[40:72]), " \x00")
		}
	}
	if fs.primary == nil {
		return nil, &FormatError{FS: "iso9660", Offset: descStart, Msg: "no primary volume descriptor", Err: filesystem.ErrNotFS}
	}
	if fs.joliet != nil && jolietLabel != "" {
		fs.label = jolietLabel
	}
	return fs, nil
}

// parseRecord decodes a directory record; b starts at the record and may
// extend past it.
func parseRecord(b []byte, off int64) (*record, error) {
	if len(b) < recMin+1 {
		return nil, errors.New("short record")
	}
	n := int(b[0])
	if n < recMin+1 || n > len(b) {
		return nil, fmt.Errorf("record length %d", n)
	}
	nameLen := int(b[32])
	if recMin+nameLen > n {
		return nil, fmt.Errorf("name of %d bytes overflows a record of %d", nameLen, n)
	}
	le := binary.LittleEndian
	r := &record{
		offset:   off,
		earLen:   b[1],
		extent:   le.Uint32(b[2:]),
		length:   le.Uint32(b[10:]),
		flags:    b[25],
		unitSize: b[26],
		recorded: recTime(b[18:25]),
		tzOffset: recZone(b[18:25]),
		rawName:  b[33 : 33+nameLen],
		recLen:   n,
	}
	su := 33 + nameLen
	if nameLen%2 == 0 {
		su++
	}
	if su < n {
		r.system = b[su:n]
	}
	return r, nil
}

// recTime decodes the 7-byte recording time; zero when unset or invalid.
func recTime(b []byte) time.Time {
	if b[0] == 0 && b[1] == 0 && b[2] == 0 {
		return time.Time{}
	}
	if b[1] < 1 || b[1] > 12 || b[2] < 1 || b[2] > 31 || b[3] > 23 || b[4] > 59 || b[5] > 60 {
		return time.Time{}
	}
	loc := time.FixedZone("", recZone(b)*60)
	return time.Date(1900+int(b[0]), time.Month(b[1]), int(b[2]), int(b[3]), int(b[4]), int(b[5]), 0, loc).UTC()
}

// recZone returns the zone of a recording time in minutes east of UTC
// (stored in 15-minute units, -48 to 52); 0 when out of range.
func recZone(b []byte) int {
	z := int(int8(b[6]))
	if z < -48 || z > 52 {
		return 0
	}
	return z * 15
}

// ucs2 decodes big-endian UCS-2/UTF-16 into UTF-8.
func ucs2(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

func (fs *FS) anomaly(format string, args ...any) {
	fs.anomalies.Add(format, args...)
}

// Type returns "iso9660".
func (fs *FS) Type() string { return "iso9660" }

// Label returns the volume identifier (the Joliet one when present).
func (fs *FS) Label() string { return fs.label }

// Anomalies lists damage met so far.
func (fs *FS) Anomalies() []string {
	return fs.anomalies.List()
}

// readDir calls fn for each record of the directory whose record is dir,
// skipping "." and "..". Records of a multi-extent file are passed as one
// group (the first record first).
func (fs *FS) readDir(ctx context.Context, dir *record, fn func([]*record) error) error {
	start := fs.dataOffset(dir)
	length := int64(dir.length)
	if length > maxDirBytes {
		fs.anomaly("directory at %d: %d bytes capped at %d", start, length, maxDirBytes)
		length = maxDirBytes
	}
	if start < 0 || start+length > fs.size {
		return &FormatError{FS: "iso9660", Offset: dir.offset, Msg: fmt.Sprintf("directory extent %d+%d beyond the image (%d bytes)", start, length, fs.size)}
	}
	var group []*record
	buf := make([]byte, fs.blockSize)
	for boff := int64(0); boff < length; boff += fs.blockSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(fs.blockSize, length-boff)
		blk := buf[:n]
		if _, err := fs.r.ReadAt(blk, start+boff); err != nil {
			return fmt.Errorf("iso9660: read directory at %d: %w", start+boff, err)
		}
		for p := 0; p < len(blk); {
			if blk[p] == 0 {
				break // rest of the block is padding
			}
			at := start + boff + int64(p)
			rec, err := parseRecord(blk[p:], at)
			if err != nil {
				fs.anomaly("directory record at %d: %v", at, err)
				break
			}
			p += rec.recLen
			if len(rec.rawName) == 1 && rec.rawName[0] <= 1 {
				continue // "." and ".."
			}
			// Keep the name bytes beyond this block's buffer.
			rec.rawName = append([]byte(nil), rec.rawName...)
			rec.system = append([]byte(nil), rec.system...)
			group = append(group, rec)
			if rec.flags&flagMultiExtent != 0 && len(group) < maxExtents {
				continue
			}
			if err := fn(group); err != nil {
				return err
			}
			group = nil
		}
	}
	if len(group) > 0 {
		fs.anomaly("multi-extent file at %d: last extent missing", group[0].offset)
		return fn(group)
	}
	return nil
}

// name returns the display name of a record and its stored ISO name.
func (fs *FS) name(rec *record, joliet bool) (name, isoName string) {
	if joliet {
		isoName = ucs2(rec.rawName)
	} else {
		isoName = strings.ToValidUTF8(string(rec.rawName), "\uFFFD")
	}
	name = isoName
	if i := strings.IndexByte(name, ';'); i >= 0 {
		name = name[:i]
	}
	name = strings.TrimSuffix(name, ".")
	if !joliet {
		if rr := fs.rockRidgeName(rec); rr != "" {
			name = rr
		}
	}
	return name, isoName
}

// rockRidgeName returns the NM name of a record's system use area,
// following CE continuation areas, or "".
func (fs *FS) rockRidgeName(rec *record) string {
	var name []byte
	found := false
	area := rec.system
	for hops := 0; area != nil && hops <= maxCE; hops++ {
		var next []byte
		for p := 0; p+4 <= len(area); {
			l := int(area[p+2])
			if l < 4 || p+l > len(area) {
				break
			}
			e := area[p : p+l]
			switch string(e[:2]) {
			case "NM":
				if l >= 5 && e[4]&0x6 == 0 {
					name = append(name, e[5:]...)
					found = true
				}
			case "CE":
				if l >= 28 {
					le := binary.LittleEndian
					off := int64(le.Uint32(e[4:]))*fs.blockSize + int64(le.Uint32(e[12:]))
					n := int64(le.Uint32(e[20:]))
					if n > 0 && n <= sectorSize && off >= 0 && off+n <= fs.size {
						next = make([]byte, n)
						if _, err := fs.r.ReadAt(next, off); err != nil {
							next = nil
						}
					}
				}
			case "ST":
				p = len(area)
				continue
			}
			p += l
		}
		area = next
	}
	if !found || len(name) > 255 {
		return ""
	}
	return strings.ToValidUTF8(string(name), "\uFFFD")
}

// walker numbers records as The Sleuth Kit does and emits entries.
type walker struct {
	fs      *FS
	fn      func(*filesystem.Entry) error
	next    uint64
	visited map[uint32]bool
	seen    map[[2]int64]bool // (data offset, size) of non-empty files
}

// queued is a folder waiting its turn in path-table order.
type queued struct {
	rec   *record
	path  string
	depth int
}

// Walk lists the tree (Joliet if present, else primary), breadth first in
// path-table order so that inode numbers match TSK, then $OrphanFiles.
func (fs *FS) Walk(ctx context.Context, fn func(*filesystem.Entry) error) error {
	w := &walker{fs: fs, fn: fn, next: 1, visited: map[uint32]bool{}, seen: map[[2]int64]bool{}}
	root, joliet := fs.primary, false
	if fs.joliet != nil {
		root, joliet = fs.joliet, true
	}
	if err := w.tree(ctx, root, joliet, true); err != nil {
		return err
	}
	var orphans []*filesystem.Entry
	if joliet {
		w.fn = func(e *filesystem.Entry) error {
			orphans = append(orphans, e)
			return nil
		}
		w.visited = map[uint32]bool{}
		if err := w.tree(ctx, fs.primary, false, false); err != nil {
			return err
		}
	}
	const dir = "/$OrphanFiles"
	if err := fn(&filesystem.Entry{Path: dir, Name: "$OrphanFiles", Inode: w.next, Type: filesystem.Dir,
		Offset: -1, Extra: map[string]string{"virtual": "true"}}); err != nil {
		return err
	}
	for _, e := range orphans {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// tree walks one tree breadth first. With first false (the primary tree
// after Joliet), folders are not emitted and files are emitted as
// orphans unless a Joliet file has the same non-empty extent.
func (w *walker) tree(ctx context.Context, root *record, joliet, first bool) error {
	fs := w.fs
	queue := []queued{{rec: root}}
	w.visited[root.extent] = true
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		err := fs.readDir(ctx, q.rec, func(group []*record) error {
			rec := group[0]
			if !first && rec.isDir() {
				if !w.visited[rec.extent] && q.depth+1 < filesystem.MaxDepth {
					w.visited[rec.extent] = true
					queue = append(queue, queued{rec: rec, depth: q.depth + 1})
				}
				return nil
			}
			var size int64
			for _, r := range group {
				size += int64(r.length)
			}
			key := [2]int64{fs.dataOffset(rec), size}
			if !first && size > 0 && w.seen[key] {
				return nil
			}
			if size > 0 {
				w.seen[key] = true
			}
			name, isoName := fs.name(rec, joliet)
			e := &filesystem.Entry{
				Name: name, Inode: w.next, Type: filesystem.File, Size: size,
				Modified: rec.recorded, Offset: rec.offset,
				Extra: map[string]string{"extent": strconv.FormatUint(uint64(rec.extent), 10)},
			}
			w.next++
			if isoName != name {
				e.Extra["iso_name"] = isoName
			}
			if rec.tzOffset != 0 {
				e.Extra["utc_offset"] = utcOffset(rec.tzOffset)
			}
			if len(group) > 1 {
				e.Extra["extents"] = strconv.Itoa(len(group))
			}
			if rec.flags&0x01 != 0 {
				e.Extra["hidden"] = "true"
			}
			if first {
				e.Path = q.path + "/" + name
			} else {
				e.Name = "OrphanFile-" + strconv.FormatUint(e.Inode, 10)
				e.Path = "/$OrphanFiles/" + e.Name
				e.Deleted = true
				e.Extra["primary_only"] = "true"
				e.Extra["iso_name"] = isoName
			}
			if rec.isDir() {
				e.Type = filesystem.Dir
				switch {
				case w.visited[rec.extent]:
					fs.anomaly("%s: folder extent %d already listed (loop)", e.Path, rec.extent)
				case q.depth+1 >= filesystem.MaxDepth:
					fs.anomaly("%s: deeper than %d levels, not listed", e.Path, filesystem.MaxDepth)
				default:
					w.visited[rec.extent] = true
					queue = append(queue, queued{rec: rec, path: e.Path, depth: q.depth + 1})
				}
			}
			return w.fn(e)
		})
		if err != nil {
			var fe *FormatError
			if errors.As(err, &fe) {
				fs.anomaly("%s: %v", q.path+"/", err)
				continue
			}
			return err
		}
	}
	return nil
}

// utcOffset formats minutes east of UTC as "+hh:mm" or "-hh:mm".
func utcOffset(min int) string {
	sign := '+'
	if min < 0 {
		sign, min = '-', -min
	}
	return fmt.Sprintf("%c%02d:%02d", sign, min/60, min%60)
}

// Open returns the content of an entry Walk gave, read from the extents
// of the directory record at e.Offset.
func (fs *FS) Open(e *filesystem.Entry) (*io.SectionReader, error) {
	if e == nil {
		return nil, errors.New("iso9660: nil entry")
	}
	if e.Offset < 0 || e.Offset >= fs.size {
		return nil, fmt.Errorf("iso9660: %s: no directory record (virtual entry)", e.Path)
	}
	buf := make([]byte, 255)
	n, err := fs.r.ReadAt(buf[:min(255, fs.size-e.Offset)], e.Offset)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("iso9660: %s: read record at %d: %w", e.Path, e.Offset, err)
	}
	var parts []*io.SectionReader
	var total int64
	off := e.Offset
	for range maxExtents {
		rec, err := parseRecord(buf[:n], off)
		if err != nil {
			return nil, fmt.Errorf("iso9660: %s: record at %d: %w", e.Path, off, err)
		}
		if rec.unitSize != 0 {
			return nil, fmt.Errorf("iso9660: %s: interleaved file (unit size %d) not supported", e.Path, rec.unitSize)
		}
		start, length := fs.dataOffset(rec), int64(rec.length)
		if start+length > fs.size {
			return nil, &FormatError{FS: "iso9660", Offset: rec.offset, Msg: fmt.Sprintf("%s: extent %d+%d beyond the image (%d bytes)", e.Path, start, length, fs.size)}
		}
		parts = append(parts, io.NewSectionReader(fs.r, start, length))
		total += length
		if rec.flags&flagMultiExtent == 0 {
			break
		}
		// The next record of the file follows, possibly in the next block.
		off += int64(rec.recLen)
		for {
			if off+recMin+1 > fs.size {
				return nil, fmt.Errorf("iso9660: %s: multi-extent file truncated at %d", e.Path, off)
			}
			var b [1]byte
			if _, err := fs.r.ReadAt(b[:], off); err != nil {
				return nil, fmt.Errorf("iso9660: %s: read record at %d: %w", e.Path, off, err)
			}
			if b[0] != 0 {
				break
			}
			off = (off/fs.blockSize + 1) * fs.blockSize
		}
		if n, err = fs.r.ReadAt(buf[:min(255, fs.size-off)], off); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("iso9660: %s: read record at %d: %w", e.Path, off, err)
		}
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return io.NewSectionReader(&multi{parts: parts}, 0, total), nil
}

// multi concatenates the extents of a multi-extent file.
type multi struct{ parts []*io.SectionReader }

func (m *multi) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for _, s := range m.parts {
		if off >= s.Size() {
			off -= s.Size()
			continue
		}
		k, err := s.ReadAt(p[n:min(len(p), n+int(s.Size()-off))], off)
		n += k
		if err != nil && !errors.Is(err, io.EOF) {
			return n, err
		}
		off = 0
		if n == len(p) {
			return n, nil
		}
	}
	return n, io.EOF
}
