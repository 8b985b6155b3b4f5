package filetype

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"unicode/utf16"
)

// cat joins byte strings.
func cat(parts ...string) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// pad returns b extended with zeros to n bytes.
func pad(b []byte, n int) []byte {
	if len(b) >= n {
		return b
	}
	return append(b, make([]byte, n-len(b))...)
}

func le16(v uint16) string { return string(binary.LittleEndian.AppendUint16(nil, v)) }
func le32(v uint32) string { return string(binary.LittleEndian.AppendUint32(nil, v)) }
func be32(v uint32) string { return string(binary.BigEndian.AppendUint32(nil, v)) }

// zipLocal returns a ZIP local file header for a stored entry, followed by
// its data.
func zipLocal(name, data string) []byte {
	return cat("PK\x03\x04", le16(20), le16(0), le16(0), le16(0), le16(0),
		le32(0), le32(uint32(len(data))), le32(uint32(len(data))),
		le16(uint16(len(name))), le16(0), name, data)
}

// zipDeflated returns a ZIP local file header for a deflated entry,
// followed by its compressed data.
func zipDeflated(name, data string) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write([]byte(data))
	w.Close()
	return cat("PK\x03\x04", le16(20), le16(0), le16(8), le16(0), le16(0),
		le32(0), le32(uint32(buf.Len())), le32(uint32(len(data))),
		le16(uint16(len(name))), le16(0), name, buf.String())
}

const contentTypesDocm = `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>`

// ftyp returns an ftyp box with the given brands followed by a free box.
func ftyp(major string, compat ...string) []byte {
	body := cat(major, "\x00\x00\x00\x00")
	for _, c := range compat {
		body = append(body, c...)
	}
	return cat(be32(uint32(8+len(body))), "ftyp", string(body), be32(8), "free")
}

// ebml returns an EBML header with the given DocType.
func ebml(docType string) []byte {
	inner := cat("\x42\x86\x81\x01", "\x42\xf7\x81\x01", "\x42\x82",
		string([]byte{0x80 | byte(len(docType))}), docType)
	return cat("\x1a\x45\xdf\xa3", string([]byte{0x80 | byte(len(inner))}), string(inner))
}

// oleOptions describes a compound file for [oleFile].
type oleOptions struct {
	shift     uint16   // 9 or 12
	rootCLSID string   // 16 bytes, or "" for zeros
	names     []string // directory entries after the root
	firstDir  uint32   // sector of the first directory sector
	dirLoop   bool     // make the directory chain point back to itself
	sector0   string   // bytes at the start of sector 0, when that is not the FAT
	dirFirst  bool     // directory from sector 0 on, FAT after it
	size      int      // total size; 0 means just large enough
}

// oleFile builds an OLE compound file: header, then sector 0 the FAT (or
// sector0 content with the FAT moved to the last sector), and the directory
// from sector firstDir on, chained through the FAT.
func oleFile(o oleOptions) []byte {
	sectorSize := 1 << o.shift
	perSector := sectorSize / 128
	entries := append([]string{"Root Entry"}, o.names...)
	dirSectors := (len(entries) + perSector - 1) / perSector
	first := o.firstDir
	if first == 0 && !o.dirFirst {
		first = 1
	}
	fatSector := uint32(0)
	if o.sector0 != "" || o.dirFirst {
		fatSector = first + uint32(dirSectors)
	}
	nSectors := int(max(fatSector, first+uint32(dirSectors)-1)) + 1
	b := make([]byte, sectorSize*(nSectors+1))
	copy(b, oleMagic)
	copy(b[0x18:], le16(0x3E))
	copy(b[0x1A:], le16(map[uint16]uint16{9: 3, 12: 4}[o.shift]))
	copy(b[0x1C:], "\xfe\xff")
	copy(b[0x1E:], le16(o.shift))
	copy(b[0x20:], le16(6))
	copy(b[0x2C:], le32(1))
	copy(b[0x30:], le32(first))
	copy(b[0x38:], le32(4096))
	copy(b[0x3C:], le32(0xFFFFFFFE))
	copy(b[0x44:], le32(0xFFFFFFFE))
	for i := 0; i < 109; i++ {
		copy(b[0x4C+4*i:], le32(0xFFFFFFFF))
	}
	copy(b[0x4C:], le32(fatSector))
	sectorOff := func(s uint32) int { return (int(s) + 1) * sectorSize }
	fat := b[sectorOff(fatSector):]
	for i := 0; i < perSector*32; i += 4 {
		copy(fat[i:], le32(0xFFFFFFFF))
	}
	copy(fat[4*fatSector:], le32(0xFFFFFFFD))
	for i := 0; i < dirSectors; i++ {
		s := first + uint32(i)
		next := s + 1
		if i == dirSectors-1 {
			next = 0xFFFFFFFE
			if o.dirLoop {
				next = first
			}
		}
		copy(fat[4*s:], le32(next))
	}
	if o.sector0 != "" {
		copy(b[sectorOff(0):], o.sector0)
	}
	for i, name := range entries {
		e := b[sectorOff(first+uint32(i/perSector))+128*(i%perSector):]
		u := utf16.Encode([]rune(name))
		for j, c := range u {
			copy(e[2*j:], le16(c))
		}
		copy(e[0x40:], le16(uint16(2*len(u)+2)))
		e[0x42] = 2
		if i == 0 {
			e[0x42] = 5
			copy(e[0x50:], o.rootCLSID)
		}
	}
	if o.size > 0 {
		b = pad(b, o.size)[:o.size]
	}
	return b
}

// heads are the test inputs by name, shared by the table and the fuzz seeds.
var heads = map[string][]byte{
	"empty":      {},
	"one byte":   {0xFF},
	"jpeg":       cat("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
	"jpeg exif":  cat("\xff\xd8\xff\xe1\x00\x20Exif\x00\x00MM\x00\x2a"),
	"png":        cat("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"),
	"gif":        cat("GIF89a\x01\x00\x01\x00\x80\x00\x00"),
	"gif text":   []byte("GIFs are everywhere on that forum"),
	"bmp":        cat("BM", le32(58), le32(0), le32(54), le32(40), le32(1), le32(1)),
	"bmp text":   []byte("BMW invoice for the transport, 3 pages"),
	"webp":       cat("RIFF", le32(100), "WEBPVP8 ", le32(10)),
	"tiff le":    cat("II*\x00", le32(8), "\x00\x00\x00\x00\x00\x00"),
	"tiff be":    cat("MM\x00*", be32(8), "\x00\x00\x00\x00\x00\x00"),
	"cr2":        cat("II*\x00", le32(16), "CR\x02\x00", le32(0)),
	"raf":        cat("FUJIFILMCCD-RAW 0201FF383501"),
	"crw":        cat("II\x1a\x00\x00\x00HEAPCCDR\x02\x00"),
	"rw2":        cat("IIU\x00\x18\x00\x00\x00"),
	"orf":        cat("IIRO\x08\x00\x00\x00"),
	"bigtiff":    cat("II+\x00\x08\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00"),
	"pdf":        []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
	"pdf junk":   []byte("Some junk before the header\n\n%PDF-1.1\n1 0 obj"),
	"pdf bom":    []byte("\xef\xbb\xbf%PDF-1.3\n"),
	"pdf text":   []byte("a PDF file starts with %PDF- and a version"),
	"zip":        zipLocal("notes/a.txt", "hello"),
	"zip empty":  cat("PK\x05\x06", string(make([]byte, 18))),
	"docx":       zipLocal("word/document.xml", "<w:document/>"),
	"xlsx":       zipLocal("xl/workbook.xml", "<workbook/>"),
	"epub":       pad(zipLocal("mimetype", "application/epub+zip"), 64),
	"odt":        zipLocal("mimetype", "application/vnd.oasis.opendocument.text"),
	"docm":       cat(string(zipDeflated("[Content_Types].xml", contentTypesDocm)), string(zipLocal("_rels/.rels", "<x/>"))),
	"docm cut":   zipDeflated("[Content_Types].xml", contentTypesDocm)[:140],
	"odt late":   cat(string(zipDeflated("content.xml", "<office/>")), string(zipDeflated("mimetype", "application/vnd.oasis.opendocument.text"))),
	"zip word":   cat(string(zipLocal("docProps/app.xml", "<x/>")), string(zipLocal("word/document.xml", "<x/>"))),
	"ods":        zipLocal("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
	"gzip":       cat("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"),
	"bzip2":      cat("BZh91AY&SY\x00\x00"),
	"7z":         cat("7z\xbc\xaf\x27\x1c\x00\x04"),
	"rar":        cat("Rar!\x1a\x07\x01\x00"),
	"xz":         cat("\xfd7zXZ\x00\x00\x04"),
	"zstd":       cat("\x28\xb5\x2f\xfd\x04\x00"),
	"zstd skip":  cat("\x50\x2a\x4d\x18", le32(2), "ab", "\x28\xb5\x2f\xfd\x04\x00"),
	"zstd huge":  cat("\x50\x2a\x4d\x18", le32(0xFFFFFFF0), "ab"),
	"tar":        pad(cat(string(pad([]byte("a.txt"), 257)), "ustar\x0000"), 512),
	"pe":         pad(cat("MZ", string(make([]byte, 0x3A)), le32(0x80), string(make([]byte, 0x40)), "PE\x00\x00"), 256),
	"mz text":    []byte("MZ is the author's initials; this note is plain text and long enough to have bytes at 0x3C."),
	"elf":        pad(cat("\x7fELF\x02\x01\x01"), 64),
	"java class": cat("\xca\xfe\xba\xbe\x00\x00\x00\x34\x00\x10"),
	"macho fat":  cat("\xca\xfe\xba\xbe\x00\x00\x00\x02\x01\x00\x00\x07"),
	"mp3 id3":    cat("ID3\x04\x00\x00\x00\x00\x01\x00"),
	"id3 text":   []byte("ID3 tags explained: a short guide"),
	"ogg":        cat("OggS\x00\x02", string(make([]byte, 22))),
	"wav":        cat("RIFF", le32(36), "WAVEfmt "),
	"avi":        cat("RIFF", le32(36), "AVI LIST"),
	"flac":       cat("fLaC\x00\x00\x00\x22"),
	"mkv":        ebml("matroska"),
	"webm":       ebml("webm"),
	"heic":       ftyp("heic", "mif1", "heic"),
	"heic mif1":  ftyp("mif1", "mif1", "heic"),
	"heic hevc":  ftyp("mif1", "mif1", "heic", "hevc"),
	"heif":       ftyp("mif1", "mif1"),
	"avif":       ftyp("avif", "avif", "mif1", "miaf", "MA1B"),
	"avif mif1":  ftyp("mif1", "mif1", "avif"),
	"mov":        ftyp("qt  ", "qt  "),
	"mp4":        ftyp("isom", "isom", "iso2", "avc1", "mp41"),
	"mp4 mp42":   ftyp("mp42", "isom", "mp41", "mp42"),
	"m4a":        ftyp("M4A ", "M4A ", "mp42", "isom"),
	"m4v":        ftyp("M4V ", "M4V ", "mp42"),
	"3gp":        ftyp("3gp5", "3gp5", "3gp4"),
	"3g2":        ftyp("3g2a", "3g2a", "mp42"),
	"cr3":        ftyp("crx ", "crx ", "isom"),
	"xavc":       ftyp("XAVC", "XAVC", "mp42", "iso2"),
	"ftyp other": ftyp("abcd", "efgh"),
	"ftyp huge":  cat(be32(0xFFFFFFFF), "ftypheic", "\x00\x00\x00\x00mif1"),
	"ftyp short": cat(be32(8), "ftypmif1"),
	"qt moov":    cat(be32(0x100), "moov", be32(0x6c), "mvhd"),
	"qt wide":    cat(be32(8), "wide", be32(0x1000), "mdat"),
	"free text":  []byte("my free time is spent on birds"),
	"e01":        pad(cat("EVF\x09\x0d\x0a\xff\x00\x01\x01\x00\x00\x00header"), 64),
	"ex01":       pad(cat("EVF2\r\n\x81\x00\x02\x01\x01\x00"), 64),
	"l01":        pad(cat("LVF\x09\x0d\x0a\xff\x00\x01\x01\x00"), 64),
	"pst":        pad(cat("!BDN", le32(0), "SM", le16(23)), 512),
	"sqlite":     pad(cat("SQLite format 3\x00", "\x10\x00\x01\x01"), 100),
	"sqli text":  []byte("SQLi attempts were logged"),
	"evtx":       pad(cat("ElfFile\x00", le32(0)), 128),
	"evt":        pad(cat(le32(0x30), "LfLe", le32(1)), 48),
	"regf":       pad(cat("regf", le32(1), le32(1)), 512),
	"lnk":        pad(cat("L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"), 76),
	"prefetch":   pad(cat(le32(30), "SCCA", le32(0x11)), 84),
	"prefetch c": pad(cat("MAM\x04", le32(0x1000)), 16),
	"jxl":        cat("\xff\x0a\xfa\x1f"),
	"jxl box":    cat(be32(12), "JXL \r\n\x87\n", be32(20), "ftypjxl "),
	"eps dos":    pad(cat("\xc5\xd0\xd3\xc6", le32(30)), 32),
	"utf8 text":  []byte("Plain notes about the seizure at the port, 14 crates."),
	"utf16 bom":  cat("\xff\xfeH\x00i\x00"),
	"msg": oleFile(oleOptions{shift: 9, names: []string{
		"__properties_version1.0", "__nameid_version1.0", "__substg1.0_0037001F"}}),
	"msg substg only": oleFile(oleOptions{shift: 9, names: []string{
		"__substg1.0_0E04001F"}}),
	"msg clsid only": oleFile(oleOptions{shift: 9, rootCLSID: msgCLSID}),
	"msg second dir sector": oleFile(oleOptions{shift: 9, names: []string{
		"a", "b", "c", "d", "e", "__substg1.0_1000001F"}}),
	"msg 4k sectors": oleFile(oleOptions{shift: 12, dirFirst: true, names: []string{
		"__nameid_version1.0"}}),
	"ole doc by name": oleFile(oleOptions{shift: 9, names: []string{
		"Data", "1Table", "WordDocument"}}),
	"ole doc upper": oleFile(oleOptions{shift: 9, names: []string{"WORDDOCUMENT"}}),
	"ole xls":       oleFile(oleOptions{shift: 9, names: []string{"Workbook"}}),
	"ole ppt":       oleFile(oleOptions{shift: 9, names: []string{"PowerPoint Document"}}),
	"ole msi": oleFile(oleOptions{shift: 9,
		rootCLSID: "\x84\x10\x0c\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"}),
	"ole other": oleFile(oleOptions{shift: 9, names: []string{"CONTENTS"}}),
	"ole dir beyond head doc": oleFile(oleOptions{shift: 9, firstDir: 40,
		sector0: "\xec\xa5\xc1\x00", names: []string{"WordDocument"}, size: HeadSize}),
	"ole dir beyond head xls": oleFile(oleOptions{shift: 9, firstDir: 40,
		sector0: "\x09\x08\x10\x00", names: []string{"Workbook"}, size: HeadSize}),
	"ole dir loop": oleFile(oleOptions{shift: 9, dirLoop: true, names: []string{
		"a", "b", "c", "d", "e", "f"}}),
	"ole header only": oleFile(oleOptions{shift: 9, size: 512}),
	"ole truncated":   []byte(oleMagic + "\x00\x00"),
	"ole bad shift": func() []byte {
		b := oleFile(oleOptions{shift: 9, names: []string{"__substg1.0_0037001F"}})
		copy(b[0x1E:], le16(40))
		return b
	}(),
	"ole dir sector huge": func() []byte {
		b := oleFile(oleOptions{shift: 12, dirFirst: true, names: []string{"__substg1.0_0037001F"}})
		copy(b[0x30:], le32(0xFFFFFFF9))
		return b
	}(),
	"random": func() []byte {
		r := rand.New(rand.NewPCG(1, 2))
		b := make([]byte, HeadSize)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}(),
}

func TestDetect(t *testing.T) {
	tests := []struct {
		head string
		want Type
	}{
		{"empty", Type{}},
		{"one byte", Type{}},
		{"jpeg", Type{"image/jpeg", "jpg"}},
		{"jpeg exif", Type{"image/jpeg", "jpg"}},
		{"png", Type{"image/png", "png"}},
		{"gif", Type{"image/gif", "gif"}},
		{"gif text", Type{}},
		{"bmp", Type{"image/bmp", "bmp"}},
		{"bmp text", Type{}},
		{"webp", Type{"image/webp", "webp"}},
		{"tiff le", Type{"image/tiff", "tif"}},
		{"tiff be", Type{"image/tiff", "tif"}},
		{"cr2", Type{"image/x-canon-cr2", "cr2"}},
		{"raf", Type{"image/x-fujifilm-raf", "raf"}},
		{"crw", Type{"image/x-canon-crw", "crw"}},
		{"rw2", Type{"image/x-panasonic-rw2", "rw2"}},
		{"orf", Type{"image/x-olympus-orf", "orf"}},
		{"bigtiff", Type{"image/tiff", "tif"}},
		{"pdf", Type{"application/pdf", "pdf"}},
		{"pdf junk", Type{"application/pdf", "pdf"}},
		{"pdf bom", Type{"application/pdf", "pdf"}},
		{"pdf text", Type{}},
		{"zip", Type{"application/zip", "zip"}},
		{"zip empty", Type{"application/zip", "zip"}},
		{"docx", Type{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"}},
		{"xlsx", Type{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"}},
		{"epub", Type{"application/epub+zip", "epub"}},
		{"odt", Type{"application/vnd.oasis.opendocument.text", "odt"}},
		{"ods", Type{"application/vnd.oasis.opendocument.spreadsheet", "ods"}},
		{"docm", Type{"application/vnd.ms-word.document.macroEnabled.12", "docm"}},
		{"docm cut", Type{"application/zip", "zip"}},
		{"odt late", Type{"application/vnd.oasis.opendocument.text", "odt"}},
		{"zip word", Type{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"}},
		{"gzip", Type{"application/gzip", "gz"}},
		{"bzip2", Type{"application/x-bzip2", "bz2"}},
		{"7z", Type{"application/x-7z-compressed", "7z"}},
		{"rar", Type{"application/vnd.rar", "rar"}},
		{"xz", Type{"application/x-xz", "xz"}},
		{"zstd", Type{"application/zstd", "zst"}},
		{"zstd skip", Type{"application/zstd", "zst"}},
		{"zstd huge", Type{}},
		{"tar", Type{"application/x-tar", "tar"}},
		{"pe", Type{"application/vnd.microsoft.portable-executable", "exe"}},
		{"mz text", Type{}},
		{"elf", Type{"application/x-executable", "elf"}},
		{"java class", Type{"application/java-vm", "class"}},
		{"macho fat", Type{"application/x-mach-binary", "macho"}},
		{"mp3 id3", Type{"audio/mpeg", "mp3"}},
		{"id3 text", Type{}},
		{"ogg", Type{"audio/ogg", "ogg"}},
		{"wav", Type{"audio/x-wav", "wav"}},
		{"avi", Type{"video/x-msvideo", "avi"}},
		{"flac", Type{"audio/x-flac", "flac"}},
		{"mkv", Type{"video/x-matroska", "mkv"}},
		{"webm", Type{"video/webm", "webm"}},
		{"heic", Type{"image/heic", "heic"}},
		{"heic mif1", Type{"image/heic", "heic"}},
		{"heic hevc", Type{"image/heic", "heic"}},
		{"heif", Type{"image/heif", "heif"}},
		{"avif", Type{"image/avif", "avif"}},
		{"avif mif1", Type{"image/avif", "avif"}},
		{"mov", Type{"video/quicktime", "mov"}},
		{"mp4", Type{"video/mp4", "mp4"}},
		{"mp4 mp42", Type{"video/mp4", "mp4"}},
		{"m4a", Type{"audio/mp4", "m4a"}},
		{"m4v", Type{"video/x-m4v", "m4v"}},
		{"3gp", Type{"video/3gpp", "3gp"}},
		{"3g2", Type{"video/3gpp2", "3g2"}},
		{"cr3", Type{"image/x-canon-cr3", "cr3"}},
		{"xavc", Type{"video/mp4", "mp4"}},
		{"ftyp other", Type{"video/mp4", "mp4"}},
		{"ftyp huge", Type{"image/heic", "heic"}},
		{"ftyp short", Type{"image/heif", "heif"}},
		{"qt moov", Type{"video/quicktime", "mov"}},
		{"qt wide", Type{"video/quicktime", "mov"}},
		{"free text", Type{}},
		{"e01", Type{"application/x-ewf", "e01"}},
		{"ex01", Type{"application/x-ewf", "ex01"}},
		{"l01", Type{"application/x-ewf", "l01"}},
		{"pst", Type{"application/vnd.ms-outlook-pst", "pst"}},
		{"sqlite", Type{"application/vnd.sqlite3", "sqlite"}},
		{"sqli text", Type{}},
		{"evtx", Type{"application/x-ms-evtx", "evtx"}},
		{"evt", Type{"application/x-ms-evt", "evt"}},
		{"regf", Type{"application/x-windows-registry-hive", "dat"}},
		{"lnk", Type{"application/x-ms-shortcut", "lnk"}},
		{"prefetch", Type{"application/x-ms-prefetch", "pf"}},
		{"prefetch c", Type{"application/x-ms-prefetch", "pf"}},
		{"jxl", Type{"image/jxl", "jxl"}},
		{"jxl box", Type{"image/jxl", "jxl"}},
		{"eps dos", Type{"application/postscript", "eps"}},
		{"utf8 text", Type{}},
		{"utf16 bom", Type{}},
		{"msg", Type{"application/vnd.ms-outlook", "msg"}},
		{"msg substg only", Type{"application/vnd.ms-outlook", "msg"}},
		{"msg clsid only", Type{"application/vnd.ms-outlook", "msg"}},
		{"msg second dir sector", Type{"application/vnd.ms-outlook", "msg"}},
		{"msg 4k sectors", Type{"application/vnd.ms-outlook", "msg"}},
		{"ole doc by name", Type{"application/msword", "doc"}},
		{"ole doc upper", Type{"application/msword", "doc"}},
		{"ole xls", Type{"application/vnd.ms-excel", "xls"}},
		{"ole ppt", Type{"application/vnd.ms-powerpoint", "ppt"}},
		{"ole msi", Type{"application/x-msi", "msi"}},
		{"ole other", Type{"application/x-ole-storage", "ole"}},
		{"ole dir beyond head doc", Type{"application/msword", "doc"}},
		{"ole dir beyond head xls", Type{"application/vnd.ms-excel", "xls"}},
		{"ole dir loop", Type{"application/x-ole-storage", "ole"}},
		{"ole header only", Type{"application/x-ole-storage", "ole"}},
		{"ole truncated", Type{"application/x-ole-storage", "ole"}},
		{"ole bad shift", Type{"application/x-ole-storage", "ole"}},
		{"ole dir sector huge", Type{"application/x-ole-storage", "ole"}},
	}
	for _, tt := range tests {
		t.Run(tt.head, func(t *testing.T) {
			head, ok := heads[tt.head]
			if !ok {
				t.Fatalf("no head named %q", tt.head)
			}
			orig := bytes.Clone(head)
			if got := Detect(head); got != tt.want {
				t.Errorf("Detect = %+v, want %+v", got, tt.want)
			}
			if !bytes.Equal(head, orig) {
				t.Error("Detect modified its input")
			}
		})
	}
}

func TestDetectRandomIsStable(t *testing.T) {
	head := heads["random"]
	first := Detect(head)
	for range 3 {
		if got := Detect(head); got != first {
			t.Fatalf("Detect = %+v, then %+v", first, got)
		}
	}
}

func TestDetectIgnoresBytesBeyondHeadSize(t *testing.T) {
	// An OLE file whose directory starts just past HeadSize: given more
	// bytes, Detect must still only see the head.
	long := oleFile(oleOptions{shift: 9, firstDir: HeadSize / 512,
		names: []string{"__substg1.0_0037001F"}})
	if len(long) <= HeadSize {
		t.Fatalf("fixture is %d bytes, want more than %d", len(long), HeadSize)
	}
	if got, want := Detect(long), Detect(long[:HeadSize]); got != want {
		t.Errorf("Detect(long) = %+v, Detect(head) = %+v", got, want)
	}
}

func TestLibraryMatchersPresent(t *testing.T) {
	if len(libMissing) > 0 {
		t.Errorf("library matchers not found for %v", libMissing)
	}
}

func TestTypeJSONFields(t *testing.T) {
	b, err := json.Marshal(Type{MIME: "image/jpeg", Extension: "jpg"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"mime":"image/jpeg","extension":"jpg"}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
}

func TestMismatch(t *testing.T) {
	var (
		jpeg = Type{"image/jpeg", "jpg"}
		pdf  = Type{"application/pdf", "pdf"}
		zip  = Type{"application/zip", "zip"}
		docx = Type{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"}
		ole  = Type{"application/x-ole-storage", "ole"}
		doc  = Type{"application/msword", "doc"}
		msg  = Type{"application/vnd.ms-outlook", "msg"}
		tiff = Type{"image/tiff", "tif"}
		heic = Type{"image/heic", "heic"}
		heif = Type{"image/heif", "heif"}
		avif = Type{"image/avif", "avif"}
		mp4  = Type{"video/mp4", "mp4"}
		m4a  = Type{"audio/mp4", "m4a"}
		mov  = Type{"video/quicktime", "mov"}
		gz   = Type{"application/gzip", "gz"}
		exe  = Type{"application/vnd.microsoft.portable-executable", "exe"}
		elf  = Type{"application/x-executable", "elf"}
		e01  = Type{"application/x-ewf", "e01"}
		pst  = Type{"application/vnd.ms-outlook-pst", "pst"}
		regf = Type{"application/x-windows-registry-hive", "dat"}
		sqlt = Type{"application/vnd.sqlite3", "sqlite"}
		webm = Type{"video/webm", "webm"}
		mkv  = Type{"video/x-matroska", "mkv"}
		nes  = Type{"application/x-nintendo-nes-rom", "nes"}
		z    = Type{"application/x-compress", "Z"}
	)
	tests := []struct {
		name string
		t    Type
		want bool
	}{
		{"invoice.pdf", jpeg, true},
		{"notes.txt", jpeg, true},
		{"data.csv", zip, true},
		{"page.html", pdf, true},
		{"IMG_0001.JPG", jpeg, false},
		{"photo.jpeg", jpeg, false},
		{"photo.JFIF", jpeg, false},
		{"photo.png", jpeg, true},
		{"photo.jpg.exe", jpeg, true},
		{"photo", jpeg, false},
		{".jpg", pdf, false},
		{"photo.", jpeg, false},
		{"invoice.pdf.", jpeg, true},
		{"invoice.pdf  ", jpeg, true},
		{`C:\Users\x\invoice.pdf`, jpeg, true},
		{"dir.pdf/photo", jpeg, false},
		{"photo.xyz", jpeg, false},
		{"photo.dat", jpeg, false},
		{"photo.bin", jpeg, false},
		{"notes.txt", Type{}, false},
		{"", jpeg, false},
		{"report.docx", zip, false},
		{"macro.docm", docx, false},
		{"macro.zip", Type{"application/vnd.ms-word.document.macroEnabled.12", "docm"}, false},
		{"macro.pdf", Type{"application/vnd.ms-word.document.macroEnabled.12", "docm"}, true},
		{"report.zip", docx, false},
		{"report.xlsx", docx, false},
		{"book.epub", zip, false},
		{"app.apk", zip, false},
		{"map.kmz", zip, false},
		{"archive.zip", jpeg, true},
		{"archive.jpg", zip, true},
		{"mail.msg", msg, false},
		{"mail.doc", msg, false},
		{"budget.xls", doc, false},
		{"secret.docx", ole, false},
		{"thing.ole", doc, false},
		{"mail.msg", jpeg, true},
		{"report.doc", zip, true},
		{"scan.tif", tiff, false},
		{"scan.TIFF", tiff, false},
		{"DSC_0001.NEF", tiff, false},
		{"IMG.dng", tiff, false},
		{"scan.jpg", tiff, true},
		{"P1000.RW2", Type{"image/x-panasonic-rw2", "rw2"}, false},
		{"P1000.orf", Type{"image/x-panasonic-rw2", "rw2"}, true},
		{"DSCF.RAF", Type{"image/x-fujifilm-raf", "raf"}, false},
		{"DSCF.jpg", Type{"image/x-fujifilm-raf", "raf"}, true},
		{"IMG_1234.HEIC", heic, false},
		{"IMG_1234.heif", heic, false},
		{"IMG_1234.hif", heic, false},
		{"IMG_1234.heic", heif, false},
		{"IMG_1234.jpg", heic, true},
		{"pic.avif", avif, false},
		{"pic.heic", avif, true},
		{"clip.mp4", mp4, false},
		{"clip.m4v", mp4, false},
		{"song.m4a", m4a, false},
		{"song.mp4", m4a, false},
		{"clip.mov", mov, false},
		{"clip.mp4", mov, true},
		{"clip.mov", mp4, true},
		{"clip.webm", webm, false},
		{"clip.mkv", webm, false},
		{"clip.webm", mkv, true},
		{"backup.tgz", gz, false},
		{"backup.tar.gz", gz, false},
		{"backup.tar", gz, true},
		{"setup.exe", exe, false},
		{"kernel32.dll", exe, false},
		{"driver.sys", exe, false},
		{"holiday.jpg", exe, true},
		{"readme.txt", exe, true},
		{"libc.so", elf, false},
		{"program", elf, false},
		{"disk.E01", e01, false},
		{"disk.E02", e01, false},
		{"disk.s01", e01, false},
		{"disk.Ex01", e01, false},
		{"disk.L01", e01, false},
		{"disk.dd", e01, false},
		{"disk.zip", e01, true},
		{"disk.E01", zip, true},
		{"outlook.pst", pst, false},
		{"outlook.ost", pst, false},
		{"outlook.msg", pst, true},
		{"NTUSER.DAT", regf, false},
		{"SAM", regf, false},
		{"Amcache.hve", regf, false},
		{"NTUSER.DAT.LOG1", regf, false},
		{"SYSTEM.LOG", regf, false},
		{"hive.jpg", regf, true},
		{"History.db", sqlt, false},
		{"places.sqlite", sqlt, false},
		{"History", sqlt, false},
		{"cache.txt", sqlt, true},
		{"game.nes", nes, false},
		{"game.zip", nes, true},
		{"old.Z", z, false},
		{"old.z", z, false},
		{"part.r00", Type{"application/vnd.rar", "rar"}, false},
		{"part.r00", zip, true},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.t.Extension, func(t *testing.T) {
			if got := Mismatch(tt.name, tt.t); got != tt.want {
				t.Errorf("Mismatch(%q, %+v) = %v, want %v", tt.name, tt.t, got, tt.want)
			}
		})
	}
}

func TestMismatchDetected(t *testing.T) {
	// The classic cases, end to end.
	tests := []struct {
		head, name string
		want       bool
	}{
		{"jpeg", "invoice.pdf", true},
		{"jpeg", "notes.txt", true},
		{"jpeg", "IMG_0001.jpg", false},
		{"msg", "mail.msg", false},
		{"heic mif1", "IMG_0001.HEIC", false},
		{"utf8 text", "notes.pdf", false},
		{"e01", "image.E01", false},
		{"pdf junk", "letter.pdf", false},
	}
	for _, tt := range tests {
		t.Run(tt.head+"/"+tt.name, func(t *testing.T) {
			if got := Mismatch(tt.name, Detect(heads[tt.head])); got != tt.want {
				t.Errorf("Mismatch(%q, Detect(%s)) = %v, want %v", tt.name, tt.head, got, tt.want)
			}
		})
	}
}

func FuzzDetect(f *testing.F) {
	for _, h := range heads {
		f.Add(h, "file.jpg")
	}
	f.Add([]byte(oleMagic), "a.msg")
	f.Fuzz(func(t *testing.T, head []byte, name string) {
		orig := bytes.Clone(head)
		got := Detect(head)
		if again := Detect(head); again != got {
			t.Fatalf("Detect not deterministic: %+v then %+v", got, again)
		}
		if !bytes.Equal(head, orig) {
			t.Fatal("Detect modified its input")
		}
		if (got == Type{}) != (got.MIME == "") || (got == Type{}) != (got.Extension == "") {
			t.Fatalf("half-filled Type %+v", got)
		}
		Mismatch(name, got)
		Mismatch(string(head), got)
		Mismatch(name, Type{MIME: name, Extension: name})
	})
}
