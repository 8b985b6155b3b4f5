// Package fatimage builds FAT12, FAT16 and FAT32 file-system images in
// memory, for the FAT reader's tests and the sample case: a boot sector,
// two FATs, folders with long (VFAT) and short names, files with their
// times, and files deleted as a FAT driver deletes them.
//
// Clusters are handed out in order and never reused, so a deleted file's
// content stays in its clusters, contiguous, as a recovery tool expects.
// A folder that fills its clusters grows by the next free cluster, chained
// in the FAT. Short names are the caller's: the package does not derive
// them from long names.
//
// Reading images is package filesystem/fat's job. The package writes what
// readers need and no more: no FSInfo sector and no backup boot sector on
// FAT32, no partition table. Methods panic when the image or the fixed
// root folder of FAT12 and FAT16 is full: that is a mistake in the
// program building the image, not a condition to handle.
//
// # Layout
//
// Microsoft "FAT: General Overview of On-Disk Format" (version 1.03), all
// integers little-endian, 512-byte sectors. The boot sector: jump EB 3C 90
// @0, OEM name "PANGOLIN" @3, bytes per sector @11, sectors per cluster
// @13, reserved sectors @14, FAT count (2) @16, root entries @17 (0 on
// FAT32), total sectors @19 (16-bit) or @32 (32-bit), media F8 @21, sectors
// per FAT @22 (16-bit; 0 on FAT32, which has it @36 and the root folder's
// first cluster @44), then boot signature 29, serial number, volume label
// and file-system type @38, 39, 43, 54 (FAT12/16) or @66, 67, 71, 82
// (FAT32), and 55 AA @510. Then the reserved sectors, the two FATs, on
// FAT12/16 the fixed root folder, and the clusters, numbered from 2.
//
// A folder entry is 32 bytes: short name [11] @0, attributes [1] @11,
// creation time's 10 ms units [1] @13, creation time [2] @14 and date [2]
// @16, access date [2] @18, high half of the first cluster [2] @20,
// modification time [2] @22 and date [2] @24, low half of the first
// cluster [2] @26, size [4] @28. A date is (year-1980)<<9 | month<<5 |
// day, a time hour<<11 | minute<<5 | second/2. Long-name entries come
// before their short entry, last part first: sequence number [1] @0 (0x40
// on the last part), name characters (UTF-16) @1, 14 and 28, attribute
// 0x0F @11, checksum of the short name @13.
package fatimage

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
)

// Entry attributes.
const (
	AttrVolumeLabel byte = 0x08
	AttrDirectory   byte = 0x10
	AttrArchive     byte = 0x20
)

// Layout is an image's geometry.
type Layout struct {
	// Bits is 12, 16 or 32. Readers tell the type from the cluster count
	// (below 4085 FAT12, below 65525 FAT16, else FAT32), so the other
	// fields must give a count that agrees.
	Bits int
	// Sectors is the image's size in 512-byte sectors.
	Sectors int
	// SectorsPerCluster is 1 when 0.
	SectorsPerCluster int
	// Reserved is the number of sectors before the first FAT: 1 when 0,
	// 32 on FAT32.
	Reserved int
	// FATSectors is the size of one FAT. When it is too small (as 0 is)
	// it grows to the fewest sectors that hold an entry for every
	// cluster.
	FATSectors int
	// RootEntries is the number of slots of the fixed root folder of
	// FAT12 and FAT16: 512 when 0.
	RootEntries int
	// Label is the volume label of the boot sector; "NO NAME" when "".
	// The label most readers show is the root folder's, see [Dir.Label].
	Label string
	// Serial is the volume serial number.
	Serial uint32
}

// Small returns the layout of the FAT reader's tests: one sector a
// cluster, the label "BOOTLABEL" in the boot sector, and the smallest
// sizes where every reader agrees on the type: 2,880 sectors (a 1.44 MB
// floppy) for FAT12, 8,192 for FAT16 and 66,700 (65,628 clusters) for
// FAT32.
func Small(bits int) Layout {
	l := Layout{Bits: bits, Label: "BOOTLABEL"}
	switch bits {
	case 12:
		l.Sectors, l.FATSectors, l.RootEntries = 2880, 9, 224
	case 16:
		l.Sectors, l.FATSectors, l.RootEntries = 8192, 32, 512
	default:
		l.Sectors, l.FATSectors, l.Reserved = 66700, 520, 32
	}
	return l
}

// Times are the times written into a folder entry, as wall-clock times
// (FAT records no zone).
type Times struct {
	// Created is kept to 10 ms, Modified to 2 seconds, Accessed to the
	// day.
	Created, Modified, Accessed time.Time
}

// Image is a FAT image being built.
type Image struct {
	// Times are the times the next entries are given; [New] sets
	// 2021-06-15 10:30:11.5 (created), 2021-06-15 11:00:00 (modified) and
	// 2021-06-16 (accessed).
	Times Times

	l        Layout
	b        []byte
	fatOff   int    // byte offset of the first FAT
	rootOff  int    // byte offset of the FAT12/16 fixed root folder
	dataOff  int    // byte offset of cluster 2
	clusters uint32 // number of clusters
	next     uint32 // next cluster to hand out
	rootClus uint32 // FAT32 root folder's first cluster
}

// New returns an empty, formatted image of layout l.
func New(l Layout) *Image {
	if l.SectorsPerCluster == 0 {
		l.SectorsPerCluster = 1
	}
	if l.Reserved == 0 {
		l.Reserved = 1
		if l.Bits == 32 {
			l.Reserved = 32
		}
	}
	if l.Bits == 32 {
		l.RootEntries = 0
	} else if l.RootEntries == 0 {
		l.RootEntries = 512
	}
	if l.Label == "" {
		l.Label = "NO NAME"
	}
	rootSectors := (l.RootEntries*32 + 511) / 512
	count := func(fatSectors int) int {
		return (l.Sectors - l.Reserved - 2*fatSectors - rootSectors) / l.SectorsPerCluster
	}
	for l.FATSectors == 0 || (l.FATSectors < l.Sectors && ((count(l.FATSectors)+2)*l.Bits+7)/8 > l.FATSectors*512) {
		l.FATSectors++
	}
	m := &Image{
		Times: Times{
			Created:  time.Date(2021, 6, 15, 10, 30, 11, 500e6, time.UTC),
			Modified: time.Date(2021, 6, 15, 11, 0, 0, 0, time.UTC),
			Accessed: time.Date(2021, 6, 16, 0, 0, 0, 0, time.UTC),
		},
		l:        l,
		b:        make([]byte, l.Sectors*512),
		fatOff:   l.Reserved * 512,
		clusters: uint32(count(l.FATSectors)),
		next:     2,
	}
	m.rootOff = m.fatOff + 2*l.FATSectors*512
	m.dataOff = m.rootOff + rootSectors*512

	b := m.b
	copy(b, []byte{0xEB, 0x3C, 0x90})
	copy(b[3:], "PANGOLIN")
	le := binary.LittleEndian
	le.PutUint16(b[11:], 512)
	b[13] = byte(l.SectorsPerCluster)
	le.PutUint16(b[14:], uint16(l.Reserved))
	b[16] = 2
	le.PutUint16(b[17:], uint16(l.RootEntries))
	if l.Sectors < 65536 {
		le.PutUint16(b[19:], uint16(l.Sectors))
	} else {
		le.PutUint32(b[32:], uint32(l.Sectors))
	}
	b[21] = 0xF8
	ext := 38 // extended boot record: signature, serial, label, type
	if l.Bits == 32 {
		le.PutUint32(b[36:], uint32(l.FATSectors))
		ext = 66
	} else {
		le.PutUint16(b[22:], uint16(l.FATSectors))
	}
	b[ext] = 0x29
	le.PutUint32(b[ext+1:], l.Serial)
	copy(b[ext+5:], fmt.Sprintf("%-11.11s", strings.ToUpper(l.Label)))
	copy(b[ext+16:], fmt.Sprintf("FAT%-5d", l.Bits))
	b[510], b[511] = 0x55, 0xAA
	m.SetFAT(0, 0x0FFFFFF8)
	m.SetFAT(1, 0x0FFFFFFF)
	if l.Bits == 32 {
		m.rootClus = m.Alloc(1)[0]
		le.PutUint32(b[44:], m.rootClus)
	}
	return m
}

// Bytes returns the image itself, not a copy: later calls change it, and
// changes to it are the image's.
func (m *Image) Bytes() []byte { return m.b }

// ClusterOffset returns the byte offset of cluster c.
func (m *Image) ClusterOffset(c uint32) int {
	return m.dataOff + int(c-2)*m.clusterSize()
}

func (m *Image) clusterSize() int { return m.l.SectorsPerCluster * 512 }

// endOfChain is the smallest end-of-chain mark.
func (m *Image) endOfChain() uint32 {
	switch m.l.Bits {
	case 12:
		return 0xFF8
	case 16:
		return 0xFFF8
	}
	return 0x0FFFFFF8
}

// SetFAT sets cluster c's entry in both FATs to v, cut to the FAT's
// width: 0x0FFFFFFF ends a chain on every type.
func (m *Image) SetFAT(c, v uint32) {
	for f := range 2 {
		fat := m.b[m.fatOff+f*m.l.FATSectors*512:]
		switch m.l.Bits {
		case 12:
			o := int(c + c/2)
			x := binary.LittleEndian.Uint16(fat[o:])
			if c&1 == 1 {
				x = x&0x000F | uint16(v&0xFFF)<<4
			} else {
				x = x&0xF000 | uint16(v&0xFFF)
			}
			binary.LittleEndian.PutUint16(fat[o:], x)
		case 16:
			binary.LittleEndian.PutUint16(fat[2*c:], uint16(v))
		default:
			binary.LittleEndian.PutUint32(fat[4*c:], v&0x0FFFFFFF)
		}
	}
}

// fat returns cluster c's entry in the first FAT.
func (m *Image) fat(c uint32) uint32 {
	fat := m.b[m.fatOff:]
	switch m.l.Bits {
	case 12:
		x := uint32(binary.LittleEndian.Uint16(fat[c+c/2:]))
		if c&1 == 1 {
			return x >> 4
		}
		return x & 0xFFF
	case 16:
		return uint32(binary.LittleEndian.Uint16(fat[2*c:]))
	}
	return binary.LittleEndian.Uint32(fat[4*c:]) & 0x0FFFFFFF
}

// Alloc hands out the next n clusters, chained in the FAT.
func (m *Image) Alloc(n int) []uint32 {
	if m.next+uint32(n) > m.clusters+2 {
		panic(fmt.Sprintf("fatimage: %d more clusters do not fit the image", n))
	}
	cs := make([]uint32, n)
	for i := range n {
		c := m.next + uint32(i)
		cs[i] = c
		if i+1 < n {
			m.SetFAT(c, c+1)
		} else {
			m.SetFAT(c, 0x0FFFFFFF)
		}
	}
	m.next += uint32(n)
	return cs
}

// Root returns the root folder.
func (m *Image) Root() *Dir {
	if m.l.Bits == 32 {
		return m.Dir(m.rootClus, 0)
	}
	return &Dir{m: m}
}

// Dir returns the folder whose first cluster is c and whose first used
// slots are in use, so that entries can be added to a folder built
// before.
func (m *Image) Dir(c uint32, used int) *Dir {
	d := &Dir{m: m, used: used}
	for ; c >= 2 && c < m.endOfChain() && len(d.clusters) <= int(m.clusters); c = m.fat(c) {
		d.clusters = append(d.clusters, c)
	}
	return d
}

// Entry is a file's place in its folder.
type Entry struct {
	// Offset is the byte offset of the short entry.
	Offset int
	// Long holds the byte offsets of the long-name entries before it,
	// which need not be next to it: a folder's clusters need not be
	// contiguous.
	Long []int
}

// Remove deletes a file as a FAT driver does: the first byte of its short
// and long-name entries becomes 0xE5 and its clusters are freed in the
// FAT. Their content stays.
func (m *Image) Remove(e Entry) {
	for _, off := range e.Long {
		m.b[off] = 0xE5
	}
	m.b[e.Offset] = 0xE5
	s := m.b[e.Offset:]
	c := uint32(binary.LittleEndian.Uint16(s[26:])) | uint32(binary.LittleEndian.Uint16(s[20:]))<<16
	for n := 0; c >= 2 && c < m.endOfChain() && n <= int(m.clusters); n++ {
		next := m.fat(c)
		m.SetFAT(c, 0)
		c = next
	}
}

// ShortEntry returns a short folder entry with the image's [Image.Times]:
// name is "NAME.EXT" (or "." or ".."), written as given.
func (m *Image) ShortEntry(name string, attr byte, start uint32, size int) []byte {
	e := make([]byte, 32)
	if name == "." || name == ".." {
		copy(e, fmt.Sprintf("%-11s", name))
	} else {
		base, ext, _ := strings.Cut(name, ".")
		copy(e, fmt.Sprintf("%-8s%-3s", base, ext))
	}
	le := binary.LittleEndian
	t := m.Times
	e[11] = attr
	e[13] = byte(t.Created.Second()%2*100 + t.Created.Nanosecond()/10e6)
	le.PutUint16(e[14:], dosTime(t.Created))
	le.PutUint16(e[16:], dosDate(t.Created))
	le.PutUint16(e[18:], dosDate(t.Accessed))
	le.PutUint16(e[20:], uint16(start>>16))
	le.PutUint16(e[22:], dosTime(t.Modified))
	le.PutUint16(e[24:], dosDate(t.Modified))
	le.PutUint16(e[26:], uint16(start))
	le.PutUint32(e[28:], uint32(size))
	return e
}

func dosDate(t time.Time) uint16 {
	return uint16((t.Year()-1980)<<9 | int(t.Month())<<5 | t.Day())
}

func dosTime(t time.Time) uint16 {
	return uint16(t.Hour()<<11 | t.Minute()<<5 | t.Second()/2)
}

// longEntries returns the long-name entries for long, the name of the
// short entry s.
func longEntries(long string, s []byte) [][]byte {
	u := utf16.Encode([]rune(long))
	n := (len(u) + 12) / 13
	if len(u)%13 != 0 {
		u = append(u, 0)
	}
	for len(u) < n*13 {
		u = append(u, 0xFFFF)
	}
	var sum byte // the short name's checksum
	for _, c := range s[:11] {
		sum = (sum>>1 | sum<<7) + c
	}
	var out [][]byte
	for k := n; k >= 1; k-- {
		e := make([]byte, 32)
		e[0] = byte(k)
		if k == n {
			e[0] |= 0x40
		}
		e[11], e[13] = 0x0F, sum
		for i, c := range u[(k-1)*13 : k*13] {
			var o int
			switch {
			case i < 5:
				o = 1 + 2*i
			case i < 11:
				o = 14 + 2*(i-5)
			default:
				o = 28 + 2*(i-11)
			}
			binary.LittleEndian.PutUint16(e[o:], c)
		}
		out = append(out, e)
	}
	return out
}

// Dir is a folder entries are added to.
type Dir struct {
	m        *Image
	clusters []uint32 // nil for the FAT12/16 fixed root folder
	used     int      // slots in use
}

// Add writes raw 32-byte entries into the next free slots.
func (d *Dir) Add(entries ...[]byte) {
	for _, e := range entries {
		d.put(e)
	}
}

// put writes one entry into the next free slot and returns its offset.
func (d *Dir) put(e []byte) int {
	m := d.m
	var off int
	if d.clusters == nil {
		if d.used == m.l.RootEntries {
			panic("fatimage: root folder full")
		}
		off = m.rootOff + 32*d.used
	} else {
		per := m.clusterSize() / 32
		if d.used == len(d.clusters)*per {
			c := m.Alloc(1)[0]
			m.SetFAT(d.clusters[len(d.clusters)-1], c)
			d.clusters = append(d.clusters, c)
		}
		off = m.ClusterOffset(d.clusters[d.used/per]) + 32*(d.used%per)
	}
	copy(m.b[off:off+32], e)
	d.used++
	return off
}

// add writes a short entry, after the long-name entries of long if it is
// not "".
func (d *Dir) add(long string, s []byte) Entry {
	var e Entry
	if long != "" {
		for _, l := range longEntries(long, s) {
			e.Long = append(e.Long, d.put(l))
		}
	}
	e.Offset = d.put(s)
	return e
}

// File adds a file holding data, in contiguous clusters, under the long
// name long ("" for none) and the short name short ("NAME.EXT").
func (d *Dir) File(long, short string, data []byte) Entry {
	var start uint32
	if len(data) > 0 {
		size := d.m.clusterSize()
		start = d.m.Alloc((len(data) + size - 1) / size)[0]
		copy(d.m.b[d.m.ClusterOffset(start):], data)
	}
	return d.add(long, d.m.ShortEntry(short, AttrArchive, start, len(data)))
}

// Mkdir adds a folder of one cluster, with its "." and ".." entries, and
// returns it.
func (d *Dir) Mkdir(long, short string) *Dir {
	c := d.m.Alloc(1)[0]
	d.add(long, d.m.ShortEntry(short, AttrDirectory, c, 0))
	var parent uint32 // 0 names the root folder
	if d.clusters != nil && d.clusters[0] != d.m.rootClus {
		parent = d.clusters[0]
	}
	sub := d.m.Dir(c, 0)
	sub.Add(d.m.ShortEntry(".", AttrDirectory, c, 0), d.m.ShortEntry("..", AttrDirectory, parent, 0))
	return sub
}

// Label adds a volume-label entry, with only a modification time: the
// label most readers show. fsck.fat wants it to match [Layout.Label].
func (d *Dir) Label(name string) {
	e := make([]byte, 32)
	copy(e, fmt.Sprintf("%-11.11s", name))
	e[11] = AttrVolumeLabel
	binary.LittleEndian.PutUint16(e[22:], dosTime(d.m.Times.Modified))
	binary.LittleEndian.PutUint16(e[24:], dosDate(d.m.Times.Modified))
	d.Add(e)
}
