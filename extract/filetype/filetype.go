package filetype

import (
	"bytes"
	"encoding/binary"

	"github.com/h2non/filetype/matchers"
	"github.com/h2non/filetype/types"
)

// HeadSize is the number of leading bytes of a file that [Detect] looks at.
// Callers pass the first HeadSize bytes of a file, or the whole file when it
// is shorter; bytes beyond HeadSize are ignored.
const HeadSize = 8192

// Type is a detected content type. The zero Type means unknown.
type Type struct {
	// MIME is the media type, for example "image/jpeg".
	MIME string `json:"mime"`
	// Extension is the canonical file name extension for the type, in
	// lower case except where convention says otherwise ("Z"), without the
	// dot: "jpg", "docx", "e01".
	Extension string `json:"extension"`
}

// Types this package adds to, or names differently from, the library's.
var (
	typeEWF       = Type{"application/x-ewf", "e01"}
	typeEWF2      = Type{"application/x-ewf", "ex01"}
	typeLEF       = Type{"application/x-ewf", "l01"}
	typeLEF2      = Type{"application/x-ewf", "lx01"}
	typePST       = Type{"application/vnd.ms-outlook-pst", "pst"}
	typeMSG       = Type{"application/vnd.ms-outlook", "msg"}
	typeOLE       = Type{"application/x-ole-storage", "ole"}
	typeDoc       = Type{"application/msword", "doc"}
	typeXls       = Type{"application/vnd.ms-excel", "xls"}
	typePpt       = Type{"application/vnd.ms-powerpoint", "ppt"}
	typeVisio     = Type{"application/vnd.visio", "vsd"}
	typePublisher = Type{"application/x-mspublisher", "pub"}
	typeMSI       = Type{"application/x-msi", "msi"}
	typeSQLite    = Type{"application/vnd.sqlite3", "sqlite"}
	typeEVTX      = Type{"application/x-ms-evtx", "evtx"}
	typeEVT       = Type{"application/x-ms-evt", "evt"}
	typeRegf      = Type{"application/x-windows-registry-hive", "dat"}
	typeLNK       = Type{"application/x-ms-shortcut", "lnk"}
	typePrefetch  = Type{"application/x-ms-prefetch", "pf"}
	typeJXL       = Type{"image/jxl", "jxl"}
	typeORF       = Type{"image/x-olympus-orf", "orf"}
	typeTIFF      = Type{"image/tiff", "tif"}
	typeEPS       = Type{"application/postscript", "eps"}
	typeClass     = Type{"application/java-vm", "class"}
	typePDF       = Type{"application/pdf", "pdf"}
	typeZip       = Type{"application/zip", "zip"}
	typeZstd      = Type{"application/zstd", "zst"}
	typeHEIC      = Type{"image/heic", "heic"}
	typeHEIF      = Type{"image/heif", "heif"}
	typeAVIF      = Type{"image/avif", "avif"}
	typeCR3       = Type{"image/x-canon-cr3", "cr3"}
	typeMP4       = Type{"video/mp4", "mp4"}
	typeM4V       = Type{"video/x-m4v", "m4v"}
	typeM4A       = Type{"audio/mp4", "m4a"}
	typeMOV       = Type{"video/quicktime", "mov"}
	type3GP       = Type{"video/3gpp", "3gp"}
	type3G2       = Type{"video/3gpp2", "3g2"}
	typeMKV       = Type{"video/x-matroska", "mkv"}
	typeWebM      = Type{"video/webm", "webm"}
	typeEPUB      = Type{"application/epub+zip", "epub"}
	typeODT       = Type{"application/vnd.oasis.opendocument.text", "odt"}
	typeODS       = Type{"application/vnd.oasis.opendocument.spreadsheet", "ods"}
	typeODP       = Type{"application/vnd.oasis.opendocument.presentation", "odp"}
	typeODG       = Type{"application/vnd.oasis.opendocument.graphics", "odg"}
)

// Detect returns the content type of a file whose first bytes are head, or
// the zero [Type] when the bytes match no known signature. It looks at no
// more than [HeadSize] bytes. Detect is safe for concurrent use and never
// panics.
func Detect(head []byte) Type {
	if len(head) > HeadSize {
		head = head[:HeadSize]
	}
	if len(head) == 0 {
		return Type{}
	}
	for _, r := range rules {
		if t, ok := r(head); ok {
			return t
		}
	}
	return Type{}
}

// A rule reports the type of head, or false when it does not apply.
type rule func(head []byte) (Type, bool)

// rules are tried in order; the first that applies wins. Signatures anchored
// at offset 0 come first, then those found further in, then the loose PDF
// header search.
var rules = []rule{
	prefix("EVF\x09\x0d\x0a\xff\x00", typeEWF),
	prefix("EVF2\r\n\x81\x00", typeEWF2),
	prefix("LVF\x09\x0d\x0a\xff\x00", typeLEF),
	prefix("LEF2\r\n\x81\x00", typeLEF2),
	prefix("!BDN", typePST),
	prefix("SQLite format 3\x00", typeSQLite),
	prefix("ElfFile\x00", typeEVTX),
	evt,
	prefix("regf", typeRegf),
	prefix("L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46", typeLNK),
	prefetch,
	prefix("\x00\x00\x00\x0cJXL \r\n\x87\n", typeJXL),
	prefix("\xff\x0a", typeJXL),
	prefix("\xc5\xd0\xd3\xc6", typeEPS),
	prefix("FUJIFILMCCD-RAW ", Type{"image/x-fujifilm-raf", "raf"}),
	prefix("II\x1a\x00\x00\x00HEAPCCDR", Type{"image/x-canon-crw", "crw"}),
	prefix("IIU\x00", Type{"image/x-panasonic-rw2", "rw2"}),
	prefix("IIRO", typeORF),
	prefix("IIRS", typeORF),
	prefix("MMOR", typeORF),
	prefix("\x00MRM", Type{"image/x-minolta-mrw", "mrw"}),
	prefix("FOVb", Type{"image/x-sigma-x3f", "x3f"}),
	prefix("II+\x00", typeTIFF), // BigTIFF
	prefix("MM\x00+", typeTIFF),
	ole,
	isoBMFF,
	quickTime,
	matroska,
	zipContainer,
	javaClass,
	zstd,

	// The library's signatures, most specific first.
	lib(matchers.Image, matchers.TypeJpeg, nil),
	lib(matchers.Image, matchers.TypePng, nil),
	lib(matchers.Image, matchers.TypeGif, gifVersion),
	lib(matchers.Image, matchers.TypeWebp, riff),
	lib(matchers.Image, matchers.TypeCR2, nil),
	lib(matchers.Image, matchers.TypeTiff, nil),
	lib(matchers.Image, matchers.TypeJxr, nil),
	lib(matchers.Image, matchers.TypePsd, psdVersion),
	lib(matchers.Image, matchers.TypeIco, icoDirectory),
	lib(matchers.Image, matchers.TypeDwg, dwgVersion),
	lib(matchers.Image, matchers.TypeJpeg2000, nil),
	lib(matchers.Image, matchers.TypeBmp, bmpHeader),
	lib(matchers.Video, matchers.TypeAvi, nil),
	lib(matchers.Video, matchers.TypeWmv, nil),
	lib(matchers.Video, matchers.TypeMpeg, nil),
	lib(matchers.Video, matchers.TypeFlv, nil),
	lib(matchers.Audio, matchers.TypeMidi, midiHeader),
	lib(matchers.Audio, matchers.TypeMp3, mp3Header),
	lib(matchers.Audio, matchers.TypeOgg, oggVersion),
	lib(matchers.Audio, matchers.TypeFlac, nil),
	lib(matchers.Audio, matchers.TypeWav, nil),
	lib(matchers.Audio, matchers.TypeAmr, nil),
	lib(matchers.Audio, matchers.TypeAac, nil),
	lib(matchers.Audio, matchers.TypeAiff, nil),
	lib(matchers.Font, matchers.TypeWoff, nil),
	lib(matchers.Font, matchers.TypeWoff2, nil),
	lib(matchers.Font, matchers.TypeTtf, nil),
	lib(matchers.Font, matchers.TypeOtf, nil),
	lib(matchers.Archive, matchers.TypeRar, nil),
	lib(matchers.Archive, matchers.TypeGz, nil),
	lib(matchers.Archive, matchers.TypeBz2, bz2Block),
	lib(matchers.Archive, matchers.Type7z, nil),
	lib(matchers.Archive, matchers.TypeXz, nil),
	lib(matchers.Archive, matchers.TypeExe, peHeader),
	lib(matchers.Archive, matchers.TypeSwf, swfHeader),
	lib(matchers.Archive, matchers.TypeRtf, nil),
	lib(matchers.Archive, matchers.TypePs, nil),
	lib(matchers.Archive, matchers.TypeNes, nil),
	lib(matchers.Archive, matchers.TypeCrx, nil),
	lib(matchers.Archive, matchers.TypeCab, cabHeader),
	lib(matchers.Archive, matchers.TypeDeb, nil),
	lib(matchers.Archive, matchers.TypeAr, nil),
	lib(matchers.Archive, matchers.TypeZ, nil),
	lib(matchers.Archive, matchers.TypeLz, lzipVersion),
	lib(matchers.Archive, matchers.TypeRpm, nil),
	lib(matchers.Archive, matchers.TypeElf, nil),
	lib(matchers.Archive, matchers.TypeMachO, nil),
	lib(matchers.Application, matchers.TypeWasm, nil),
	lib(matchers.Application, matchers.TypeDex, nil),
	lib(matchers.Application, matchers.TypeDey, nil),

	// Signatures away from offset 0.
	lib(matchers.Archive, matchers.TypeTar, tarMagic),
	lib(matchers.Archive, matchers.TypeDcm, nil),
	lib(matchers.Archive, matchers.TypeIso, nil),
	lib(matchers.Archive, matchers.TypeEot, nil),

	pdfHeader,
}

// mimeOverride renames library types whose MIME type is not the registered
// one.
var mimeOverride = map[string]string{
	"audio/m4a": "audio/mp4", // RFC 4337
}

// libMissing lists the library types that [lib] did not find.
var libMissing []string

// lib returns a rule for the library's matcher of type t in group, further
// restricted by check when check is not nil. A type missing from the group
// (a library change) makes a rule that never applies; a test guards that.
func lib(group matchers.Map, t types.Type, check func([]byte) bool) rule {
	match := group[t]
	if match == nil {
		libMissing = append(libMissing, t.Extension)
	}
	mime := t.MIME.Value
	if m, ok := mimeOverride[mime]; ok {
		mime = m
	}
	result := Type{MIME: mime, Extension: t.Extension}
	return func(head []byte) (Type, bool) {
		if match == nil || !match(head) {
			return Type{}, false
		}
		if check != nil && !check(head) {
			return Type{}, false
		}
		return result, true
	}
}

// prefix returns a rule for a fixed signature at offset 0.
func prefix(magic string, t Type) rule {
	return func(head []byte) (Type, bool) {
		return t, bytes.HasPrefix(head, []byte(magic))
	}
}

// u16le, u32le and u32be read a value at off, returning ok=false when the
// value does not lie entirely inside b.
func u16le(b []byte, off int) (uint16, bool) {
	if off < 0 || len(b) < 2 || off > len(b)-2 {
		return 0, false
	}
	return binary.LittleEndian.Uint16(b[off:]), true
}

func u32le(b []byte, off int) (uint32, bool) {
	if off < 0 || len(b) < 4 || off > len(b)-4 {
		return 0, false
	}
	return binary.LittleEndian.Uint32(b[off:]), true
}

func u32be(b []byte, off int) (uint32, bool) {
	if off < 0 || len(b) < 4 || off > len(b)-4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(b[off:]), true
}

// at reports whether b holds s at offset off.
func at(b []byte, off int, s string) bool {
	return off >= 0 && off <= len(b)-len(s) && string(b[off:off+len(s)]) == s
}

// evt matches a legacy Windows event log (.evt): header size 0x30, then
// "LfLe".
func evt(head []byte) (Type, bool) {
	return typeEVT, at(head, 0, "\x30\x00\x00\x00LfLe")
}

// prefetch matches a Windows prefetch file: "SCCA" at offset 4 after a
// format version, or the compressed Windows 10 form "MAM\x04".
func prefetch(head []byte) (Type, bool) {
	if at(head, 0, "MAM\x04") {
		return typePrefetch, true
	}
	v, ok := u32le(head, 0)
	return typePrefetch, ok && at(head, 4, "SCCA") && v >= 17 && v <= 31
}

// javaClass matches a Java class file. Its magic CAFEBABE is shared with fat
// Mach-O binaries, which the library reports as Mach-O; the next four bytes
// are an architecture count there (small) and the class version here (major
// version 45 or later, or a non-zero minor version).
func javaClass(head []byte) (Type, bool) {
	if !at(head, 0, "\xca\xfe\xba\xbe") {
		return Type{}, false
	}
	v, ok := u32be(head, 4)
	return typeClass, ok && v >= 43
}

// zstd matches a Zstandard frame, possibly after skippable frames. The
// library's version recurses and slices with unchecked 32-bit sizes.
func zstd(head []byte) (Type, bool) {
	off := uint64(0)
	for range 64 {
		if off > uint64(len(head)) {
			return Type{}, false
		}
		magic, ok := u32le(head, int(off))
		if !ok {
			return Type{}, false
		}
		if magic == 0xFD2FB528 {
			return typeZstd, true
		}
		if magic&0xFFFFFFF0 != 0x184D2A50 {
			return Type{}, false
		}
		size, ok := u32le(head, int(off)+4)
		if !ok {
			return Type{}, false
		}
		off += 8 + uint64(size)
	}
	return Type{}, false
}

// pdfHeader matches "%PDF-" and a version digit within the first KiB, where
// PDF readers look for it. Tried last, so that any other signature at offset
// 0 wins.
func pdfHeader(head []byte) (Type, bool) {
	b := head[:min(len(head), 1024)]
	i := bytes.Index(b, []byte("%PDF-"))
	return typePDF, i >= 0 && i+5 < len(b) && b[i+5] >= '1' && b[i+5] <= '9'
}

// Checks that tighten the library's short signatures.

// gifVersion requires "GIF87a" or "GIF89a".
func gifVersion(b []byte) bool { return at(b, 0, "GIF87a") || at(b, 0, "GIF89a") }

// riff requires the RIFF container the library does not check for WebP.
func riff(b []byte) bool { return at(b, 0, "RIFF") }

// psdVersion requires version 1 (PSD) or 2 (PSB).
func psdVersion(b []byte) bool { return at(b, 4, "\x00\x01") || at(b, 4, "\x00\x02") }

// icoDirectory requires at least one image and a zero reserved byte in the
// first directory entry.
func icoDirectory(b []byte) bool {
	n, ok := u16le(b, 4)
	return ok && n > 0 && len(b) > 9 && b[9] == 0
}

// dwgVersion requires two version digits after "AC10".
func dwgVersion(b []byte) bool {
	return len(b) > 5 && isDigit(b[4]) && isDigit(b[5])
}

// bmpHeader requires a known DIB header size at offset 14.
func bmpHeader(b []byte) bool {
	n, ok := u32le(b, 14)
	if !ok {
		return false
	}
	switch n {
	case 12, 16, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}

// midiHeader requires the MThd chunk length 6.
func midiHeader(b []byte) bool {
	n, ok := u32be(b, 4)
	return ok && n == 6
}

// mp3Header requires, for an ID3v2 tag, major version 2 to 4 and a
// sync-safe size; MPEG frame sync (FF FB) is taken as the library does.
func mp3Header(b []byte) bool {
	if !at(b, 0, "ID3") {
		return true
	}
	if len(b) < 10 || b[3] < 2 || b[3] > 4 || b[4] == 0xFF {
		return false
	}
	return b[6]|b[7]|b[8]|b[9] < 0x80
}

// oggVersion requires stream structure version 0.
func oggVersion(b []byte) bool { return len(b) > 4 && b[4] == 0 }

// bz2Block requires a block size digit and then a block or end-of-stream
// magic.
func bz2Block(b []byte) bool {
	return len(b) > 3 && b[3] >= '1' && b[3] <= '9' &&
		(at(b, 4, "1AY&SY") || at(b, 4, "\x17rE8P\x90"))
}

// peHeader requires a DOS header whose e_lfanew points at "PE\0\0", or
// beyond the head but within 64 KiB.
func peHeader(b []byte) bool {
	off, ok := u32le(b, 0x3C)
	if !ok || off < 0x40 || off >= 1<<16 {
		return false
	}
	if int(off) > len(b)-4 {
		return true
	}
	return at(b, int(off), "PE\x00\x00")
}

// swfHeader requires a plausible version and a file length below 256 MiB.
func swfHeader(b []byte) bool {
	return len(b) > 7 && b[3] >= 1 && b[3] <= 60 && b[7] < 0x10
}

// cabHeader requires the reserved field after "MSCF" to be zero.
func cabHeader(b []byte) bool {
	return !at(b, 0, "MSCF") || at(b, 4, "\x00\x00\x00\x00")
}

// lzipVersion requires version 0 or 1.
func lzipVersion(b []byte) bool { return len(b) > 4 && b[4] <= 1 }

// tarMagic requires "ustar" to be followed by NUL (POSIX) or a space (GNU).
func tarMagic(b []byte) bool { return len(b) > 262 && (b[262] == 0 || b[262] == ' ') }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
