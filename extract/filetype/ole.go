package filetype

import (
	"strings"
	"unicode/utf16"

	"github.com/h2non/filetype/matchers"
)

// OLE compound file (MS-CFB) layout used here. The header occupies the first
// 512 bytes:
//
//	0x00 signature D0 CF 11 E0 A1 B1 1A E1
//	0x1E sector shift (2): 9 (512-byte sectors) or 12 (4096)
//	0x30 first directory sector (4)
//	0x4C DIFAT: the first 109 FAT sector numbers (4 each)
//
// Sector n starts at (n+1) << shift. The FAT is an array of 32-bit next
// sector numbers; values from 0xFFFFFFFA up are markers (end of chain, free).
// A directory sector holds 128-byte entries:
//
//	0x00 name, UTF-16LE, NUL-terminated, at most 32 code units
//	0x40 name length in bytes including the NUL (2)
//	0x42 object type (1): 0 unused, 1 storage, 2 stream, 5 root
//	0x50 CLSID (16), meaningful for storages and the root
//
// Entry 0 of the first directory sector is the root entry.
const (
	oleMagic         = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
	oleHeaderSize    = 512
	oleDirEntrySize  = 128
	oleMaxRegSector  = 0xFFFFFFF9
	oleDIFATOffset   = 0x4C
	oleDIFATInHeader = 109
)

// Root entry CLSIDs, in their on-disk byte order.
var oleCLSIDs = map[string]Type{
	msgCLSID: typeMSG,
	// {00020906-0000-0000-C000-000000000046} Word 97-2003 document
	"\x06\x09\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46": typeDoc,
	// {00020900-0000-0000-C000-000000000046} Word 6/95 document
	"\x00\x09\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46": typeDoc,
	// {00020820-0000-0000-C000-000000000046} Excel 97-2003 workbook
	"\x20\x08\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46": typeXls,
	// {00020810-0000-0000-C000-000000000046} Excel 5/95 workbook
	"\x10\x08\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46": typeXls,
	// {64818D10-4F9B-11CF-86EA-00AA00B929E8} PowerPoint 97-2003
	"\x10\x8d\x81\x64\x9b\x4f\xcf\x11\x86\xea\x00\xaa\x00\xb9\x29\xe8": typePpt,
	// {000C1084-0000-0000-C000-000000000046} Windows Installer package
	"\x84\x10\x0c\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46": typeMSI,
}

// oleStreamNames maps directory entry names, lower-cased, to the type of
// file that holds them.
var oleStreamNames = map[string]Type{
	"worddocument":        typeDoc,
	"workbook":            typeXls,
	"book":                typeXls,
	"powerpoint document": typePpt,
	"visiodocument":       typeVisio,
	"quill":               typePublisher,
}

// oleLibRules are the library's Word, Excel and PowerPoint checks. For heads
// longer than 513 bytes they look at the first two bytes of sector 0 and
// exclude each other; for shorter heads all three match, so they are only
// used on longer ones.
var oleLibRules = []rule{
	lib(matchers.Document, matchers.TypeDoc, nil),
	lib(matchers.Document, matchers.TypeXls, nil),
	lib(matchers.Document, matchers.TypePpt, nil),
}

// ole matches an OLE compound file and classifies it; see the package
// documentation for the order of evidence.
func ole(head []byte) (Type, bool) {
	if !at(head, 0, oleMagic) {
		return Type{}, false
	}
	names, clsid := oleDirectory(head)
	for _, n := range names {
		if isMSGEntry(n) {
			return typeMSG, true
		}
	}
	if clsid == msgCLSID {
		return typeMSG, true
	}
	for _, n := range names {
		if t, ok := oleStreamNames[n]; ok {
			return t, true
		}
	}
	if t, ok := oleCLSIDs[clsid]; ok {
		return t, true
	}
	if len(head) > 513 {
		for _, r := range oleLibRules {
			if t, ok := r(head); ok {
				return t, true
			}
		}
	}
	return typeOLE, true
}

// msgCLSID is the root CLSID of an Outlook message,
// {00020D0B-0000-0000-C000-000000000046}.
const msgCLSID = "\x0b\x0d\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"

// isMSGEntry reports whether a lower-cased directory entry name is one that
// only Outlook messages have (MS-OXMSG §2.2).
func isMSGEntry(name string) bool {
	return strings.HasPrefix(name, "__substg1.0_") ||
		name == "__properties_version1.0" ||
		name == "__nameid_version1.0"
}

// oleDirectory returns the lower-cased names of the directory entries that
// lie inside head, following the directory's sector chain through the FAT
// while both stay inside head, and the root entry's CLSID ("" when the
// first directory sector is not inside head).
func oleDirectory(head []byte) (names []string, rootCLSID string) {
	if len(head) < oleHeaderSize {
		return nil, ""
	}
	shift, _ := u16le(head, 0x1E)
	if shift != 9 && shift != 12 {
		return nil, ""
	}
	sectorSize := uint64(1) << shift
	sector, _ := u32le(head, 0x30)
	// Each step visits a sector inside head, so the chain can be no longer
	// than the number of sectors that fit; a looping chain ends there.
	maxSteps := len(head)/oleHeaderSize + 1
	for step := 0; step < maxSteps && sector <= oleMaxRegSector; step++ {
		start := (uint64(sector) + 1) << shift
		if start >= uint64(len(head)) {
			break
		}
		end := min(start+sectorSize, uint64(len(head)))
		dir := head[start:end]
		for off := 0; off+oleDirEntrySize <= len(dir); off += oleDirEntrySize {
			e := dir[off : off+oleDirEntrySize]
			if step == 0 && off == 0 && e[0x42] == 5 {
				rootCLSID = string(e[0x50:0x60])
			}
			if n, ok := oleEntryName(e); ok {
				names = append(names, n)
			}
		}
		if end-start < sectorSize {
			break // the rest of this sector, and the chain, lie beyond head
		}
		next, ok := oleNextSector(head, shift, sector)
		if !ok {
			break
		}
		sector = next
	}
	return names, rootCLSID
}

// oleEntryName decodes a directory entry's name, lower-cased; ok is false
// for unused entries and invalid lengths.
func oleEntryName(e []byte) (string, bool) {
	if e[0x42] == 0 {
		return "", false
	}
	n, _ := u16le(e, 0x40)
	if n < 4 || n > 64 || n%2 != 0 {
		return "", false
	}
	units := make([]uint16, 0, n/2-1)
	for i := 0; i+1 < int(n)-2; i += 2 {
		units = append(units, uint16(e[i])|uint16(e[i+1])<<8)
	}
	return strings.ToLower(string(utf16.Decode(units))), true
}

// oleNextSector looks sector up in the FAT, when the FAT sector that holds
// it is listed in the header's DIFAT and lies inside head.
func oleNextSector(head []byte, shift uint16, sector uint32) (uint32, bool) {
	perFATSector := uint32(1) << (shift - 2)
	index := sector / perFATSector
	if index >= oleDIFATInHeader {
		return 0, false
	}
	fatSector, ok := u32le(head, oleDIFATOffset+4*int(index))
	if !ok || fatSector > oleMaxRegSector {
		return 0, false
	}
	off := (uint64(fatSector)+1)<<shift + 4*uint64(sector%perFATSector)
	if off+4 > uint64(len(head)) {
		return 0, false
	}
	return u32le(head, int(off))
}
