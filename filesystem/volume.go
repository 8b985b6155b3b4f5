package filesystem

// Volume systems: the partition table at the start of a disk image.
//
// # On-disk layout
//
// MBR (sector 0, any sector size; the table is always in the first 512
// bytes), all integers little-endian:
//
//	boot code [446] @0
//	entry × 4 [16 each] @446 = boot flag [1] (0x00 or 0x80), CHS start [3],
//	                           type [1] @4, CHS end [3],
//	                           first sector [4] @8, sector count [4] @12
//	signature 0x55 0xAA [2] @510
//
// An extended partition (type 0x05, 0x0F or 0x85) holds a chain of extended
// boot records (EBR), each laid out like an MBR. In an EBR, a non-extended
// entry is a logical partition whose first sector is relative to that EBR;
// an extended entry links to the next EBR, relative to the start of the
// primary extended partition.
//
// GPT (UEFI 2.10, section 5.3): a protective MBR (an entry of type 0xEE),
// then at LBA 1 the header:
//
//	"EFI PART" [8] @0, revision [4] @8, header size [4] @12,
//	header CRC32 [4] @16 (computed with this field zero), reserved [4] @20,
//	my LBA [8] @24, alternate LBA [8] @32, first usable LBA [8] @40,
//	last usable LBA [8] @48, disk GUID [16] @56, entry array LBA [8] @72,
//	entry count [4] @80, entry size [4] @84, entry array CRC32 [4] @88
//
// and the entry array: type GUID [16] @0, unique GUID [16] @16, first LBA
// [8] @32, last LBA [8] @40 (inclusive), attributes [8] @48, name
// UTF-16LE [72] @56. A GUID is stored as a little-endian uint32, two
// little-endian uint16 and eight bytes in order. When the primary header
// or its array fails its CRC32, the backup header in the image's last
// sector is used.

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"strings"
	"unicode/utf16"
)

// Volume-system limits: the reader stops following an extended partition
// chain after maxEBRs boot records, and refuses GPT entry arrays larger
// than maxGPTArray bytes.
const (
	maxEBRs     = 1024
	maxGPTArray = 4 << 20
)

// Partitions reads the volume system at the start of r (size bytes) and
// returns its partitions sorted by start, as mmls lists the allocated
// ones: primary and logical MBR partitions (not the extended containers),
// or the used GPT entries. Index is the position in that order.
//
// sectorSize is the logical sector size, 512 or 4096; 0 means
// [DetectSectorSize]. When neither a GPT nor a valid MBR is found, the
// result is one partition with Scheme "none" covering the whole image. A
// damaged GPT (both headers failing their checksums) falls back to its
// protective MBR. Only read errors are returned.
func Partitions(r io.ReaderAt, size int64, sectorSize int) ([]Partition, error) {
	if size < 0 {
		return nil, fmt.Errorf("partitions: negative image size %d", size)
	}
	if sectorSize == 0 {
		s, err := DetectSectorSize(r, size)
		if err != nil {
			return nil, err
		}
		sectorSize = s
	}
	if sectorSize != 512 && sectorSize != 4096 {
		return nil, fmt.Errorf("partitions: sector size %d: want 512 or 4096", sectorSize)
	}
	ss := int64(sectorSize)
	none := []Partition{{Start: 0, Length: size, Scheme: "none", Type: "none", Description: "whole image"}}
	mbr, err := readAt(r, size, 0, 512)
	if err != nil || mbr == nil {
		return none, err
	}
	if mbr[510] != 0x55 || mbr[511] != 0xAA {
		return none, nil
	}
	if hasProtective(mbr) {
		parts, err := readGPT(r, size, ss)
		if err != nil {
			return nil, err
		}
		if parts != nil {
			return number(parts), nil
		}
	}
	if looksLikeBootSector(mbr) {
		return none, nil
	}
	parts, ok, err := readMBR(r, size, ss, mbr)
	if err != nil {
		return nil, err
	}
	if !ok {
		return none, nil
	}
	return number(parts), nil
}

// DetectSectorSize returns 512 or 4096: 4096 when the image has a GPT
// header at byte 4096 and none at byte 512, else 512 (an MBR alone does
// not say its sector size).
func DetectSectorSize(r io.ReaderAt, size int64) (int, error) {
	for _, ss := range []int64{512, 4096} {
		b, err := readAt(r, size, ss, 8)
		if err != nil {
			return 0, err
		}
		if b != nil && string(b) == "EFI PART" {
			return int(ss), nil
		}
	}
	return 512, nil
}

// number sorts partitions by start (stable, so table order breaks ties)
// and sets Index.
func number(parts []Partition) []Partition {
	slices.SortStableFunc(parts, func(a, b Partition) int {
		switch {
		case a.Start < b.Start:
			return -1
		case a.Start > b.Start:
			return 1
		}
		return 0
	})
	for i := range parts {
		parts[i].Index = i
	}
	return parts
}

// readAt reads n bytes at off; it returns nil, nil when they lie past the
// end of the image, and an error only when the reader fails.
func readAt(r io.ReaderAt, size, off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > size || n > size-off {
		return nil, nil
	}
	b := make([]byte, n)
	if k, err := r.ReadAt(b, off); k < len(b) {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("read %d bytes at offset %d: %w", n, off, err)
	}
	return b, nil
}

func hasProtective(mbr []byte) bool {
	for i := range 4 {
		if mbr[446+16*i+4] == 0xEE {
			return true
		}
	}
	return false
}

// looksLikeBootSector reports whether sector 0 is a file system's boot
// sector rather than an MBR: an NTFS or exFAT signature, or a jump
// instruction followed by a plausible FAT BIOS parameter block.
func looksLikeBootSector(b []byte) bool {
	oem := string(b[3:11])
	if oem == "NTFS    " || oem == "EXFAT   " {
		return true
	}
	if b[0] != 0xEB && b[0] != 0xE9 {
		return false
	}
	bps := binary.LittleEndian.Uint16(b[11:])
	spc := b[13]
	reserved := binary.LittleEndian.Uint16(b[14:])
	fats := b[16]
	media := b[21]
	return (bps == 512 || bps == 1024 || bps == 2048 || bps == 4096) &&
		spc != 0 && spc&(spc-1) == 0 && reserved != 0 && fats >= 1 && fats <= 4 &&
		(media == 0xF0 || media >= 0xF8)
}

func isExtended(t byte) bool { return t == 0x05 || t == 0x0F || t == 0x85 }

// readMBR reads the primary table and the extended chains. ok is false
// when the table is not plausible: a boot flag other than 0x00 or 0x80, no
// used entry, or one of the first two entries starting past the image (as
// The Sleuth Kit checks).
func readMBR(r io.ReaderAt, size, ss int64, mbr []byte) ([]Partition, bool, error) {
	maxSector := size / ss
	var parts []Partition
	used := false
	type ebr struct{ sector, base int64 }
	var queue []ebr
	for i := range 4 {
		e := mbr[446+16*i : 446+16*i+16]
		if e[0] != 0 && e[0] != 0x80 {
			return nil, false, nil
		}
		typ := e[4]
		start := int64(binary.LittleEndian.Uint32(e[8:]))
		count := int64(binary.LittleEndian.Uint32(e[12:]))
		if count == 0 {
			continue
		}
		if i < 2 && start > maxSector {
			return nil, false, nil
		}
		used = true
		if isExtended(typ) {
			queue = append(queue, ebr{start, start})
			continue
		}
		parts = append(parts, mbrPartition(typ, start, count, ss))
	}
	if !used {
		return nil, false, nil
	}
	seen := map[int64]bool{}
	for n := 0; len(queue) > 0 && n < maxEBRs; n++ {
		cur := queue[0]
		queue = queue[1:]
		if seen[cur.sector] {
			continue
		}
		seen[cur.sector] = true
		b, err := readAt(r, size, cur.sector*ss, 512)
		if err != nil {
			return nil, false, err
		}
		if b == nil || b[510] != 0x55 || b[511] != 0xAA {
			continue
		}
		for i := range 4 {
			e := b[446+16*i : 446+16*i+16]
			typ := e[4]
			start := int64(binary.LittleEndian.Uint32(e[8:]))
			count := int64(binary.LittleEndian.Uint32(e[12:]))
			if count == 0 || start == 0 {
				continue
			}
			if isExtended(typ) {
				next := cur.base + start
				if !seen[next] && next <= maxSector {
					queue = append(queue, ebr{next, cur.base})
				}
				continue
			}
			parts = append(parts, mbrPartition(typ, cur.sector+start, count, ss))
		}
	}
	return parts, true, nil
}

func mbrPartition(typ byte, start, count, ss int64) Partition {
	return Partition{
		Start:       start * ss,
		Length:      count * ss,
		Scheme:      "mbr",
		Type:        fmt.Sprintf("0x%02x", typ),
		Description: mbrTypeName(typ),
	}
}

// mbrTypeName names the common MBR partition types as The Sleuth Kit
// does (without its " (0xNN)" suffix).
func mbrTypeName(t byte) string {
	switch t {
	case 0x00:
		return "Empty"
	case 0x01:
		return "DOS FAT12"
	case 0x04, 0x06:
		return "DOS FAT16"
	case 0x05:
		return "DOS Extended"
	case 0x07:
		return "NTFS / exFAT"
	case 0x0b, 0x0c:
		return "Win95 FAT32"
	case 0x0e:
		return "Win95 FAT16"
	case 0x0f:
		return "Win95 Extended"
	case 0x11:
		return "DOS FAT12 Hidden"
	case 0x12:
		return "Hibernation"
	case 0x14, 0x16:
		return "DOS FAT16 Hidden"
	case 0x17:
		return "Hidden IFS/HPFS"
	case 0x1b, 0x1c:
		return "Win95 FAT32 Hidden"
	case 0x1e:
		return "Win95 FAT16 Hidden"
	case 0x27:
		return "Windows Recovery"
	case 0x42:
		return "Win LVM / Secure FS"
	case 0x82:
		return "Linux Swap / Solaris x86"
	case 0x83:
		return "Linux"
	case 0x85:
		return "Linux Extended"
	case 0x86, 0x87:
		return "NTFS Volume Set"
	case 0x8e:
		return "Linux Logical Volume Manager"
	case 0xa5:
		return "BSD/386, 386BSD, NetBSD, FreeBSD"
	case 0xa6:
		return "OpenBSD"
	case 0xa8:
		return "Mac OS X"
	case 0xa9:
		return "NetBSD"
	case 0xab:
		return "Mac OS X Boot Partition"
	case 0xaf:
		return "Mac OS X HFS"
	case 0xee:
		return "GPT Safety Partition"
	case 0xef:
		return "EFI File System"
	case 0xfd:
		return "Linux RAID"
	}
	return "Unknown Type"
}

// readGPT reads the primary GPT header and array, or the backup pair when
// the primary fails its checks. It returns nil, nil when neither is valid.
func readGPT(r io.ReaderAt, size, ss int64) ([]Partition, error) {
	lbas := []int64{1}
	if last := size/ss - 1; last > 1 {
		lbas = append(lbas, last)
	}
	for _, lba := range lbas {
		parts, err := readGPTAt(r, size, ss, lba)
		if err != nil || parts != nil {
			return parts, err
		}
	}
	return nil, nil
}

func readGPTAt(r io.ReaderAt, size, ss, lba int64) ([]Partition, error) {
	h, err := readAt(r, size, lba*ss, ss)
	if err != nil || h == nil {
		return nil, err
	}
	if string(h[:8]) != "EFI PART" {
		return nil, nil
	}
	hsize := int64(binary.LittleEndian.Uint32(h[12:]))
	if hsize < 92 || hsize > ss {
		return nil, nil
	}
	hdr := slices.Clone(h[:hsize])
	want := binary.LittleEndian.Uint32(hdr[16:])
	clear(hdr[16:20])
	if crc32.ChecksumIEEE(hdr) != want {
		return nil, nil
	}
	if int64(binary.LittleEndian.Uint64(h[24:])) != lba {
		return nil, nil
	}
	arrayLBA := binary.LittleEndian.Uint64(h[72:])
	count := int64(binary.LittleEndian.Uint32(h[80:]))
	esize := int64(binary.LittleEndian.Uint32(h[84:]))
	if esize < 128 || esize%8 != 0 || esize > maxGPTArray || count > maxGPTArray/esize || arrayLBA > uint64(size/ss) {
		return nil, nil
	}
	arr, err := readAt(r, size, int64(arrayLBA)*ss, count*esize)
	if err != nil || arr == nil {
		return nil, err
	}
	if crc32.ChecksumIEEE(arr) != binary.LittleEndian.Uint32(h[88:]) {
		return nil, nil
	}
	parts := []Partition{}
	for i := range count {
		e := arr[i*esize : (i+1)*esize]
		if isZero(e[:16]) {
			continue
		}
		first := binary.LittleEndian.Uint64(e[32:])
		last := binary.LittleEndian.Uint64(e[40:])
		if last < first || last >= 1<<63/uint64(ss) {
			continue
		}
		typ := guidString(e[:16])
		parts = append(parts, Partition{
			Start:       int64(first) * ss,
			Length:      int64(last-first+1) * ss,
			Scheme:      "gpt",
			Type:        typ,
			Description: gptTypeName(typ),
			Name:        utf16Name(e[56:128]),
		})
	}
	return parts, nil
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// guidString formats a GUID stored in the mixed-endian on-disk form as
// lowercase text, e.g. "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7".
func guidString(b []byte) string {
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x",
		binary.LittleEndian.Uint32(b[0:]), binary.LittleEndian.Uint16(b[4:]),
		binary.LittleEndian.Uint16(b[6:]), b[8:10], b[10:16])
}

// utf16Name decodes a NUL-terminated UTF-16LE name.
func utf16Name(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// gptTypeName names the common GPT partition type GUIDs.
func gptTypeName(guid string) string {
	switch strings.ToLower(guid) {
	case "c12a7328-f81f-11d2-ba4b-00a0c93ec93b":
		return "EFI System"
	case "21686148-6449-6e6f-744e-656564454649":
		return "BIOS boot"
	case "e3c9e316-0b5c-4db8-817d-f92df00215ae":
		return "Microsoft reserved"
	case "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7":
		return "Microsoft basic data"
	case "de94bba4-06d1-4d40-a16a-bfd50179d6ac":
		return "Windows recovery"
	case "5808c8aa-7e8f-42e0-85d2-e1e90434cfb3":
		return "Windows LDM metadata"
	case "af9b60a0-1431-4f62-bc68-3311714a69ad":
		return "Windows LDM data"
	case "0fc63daf-8483-4772-8e79-3d69d8477de4":
		return "Linux filesystem"
	case "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f":
		return "Linux swap"
	case "e6d6d379-f507-44c2-a23c-238f2a3df928":
		return "Linux LVM"
	case "a19d880f-05fc-4d3b-a006-743f0f84911e":
		return "Linux RAID"
	case "48465300-0000-11aa-aa11-00306543ecac":
		return "Apple HFS+"
	case "7c3457ef-0000-11aa-aa11-00306543ecac":
		return "Apple APFS"
	}
	return "Unknown"
}
