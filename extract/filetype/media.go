package filetype

import (
	"bytes"
	"strings"
)

// ISO base media files (ISO/IEC 14496-12 §4.3) start with a file type box:
//
//	0  box size (4, big-endian), 4 "ftyp"
//	8  major brand (4), 12 minor version (4)
//	16 compatible brands (4 each) up to the box size
//
// Brands and the types they mean. HEIF brands are from ISO/IEC 23008-12
// (heic and friends mean HEVC-coded images, mif1/msf1 any HEIF image or
// sequence) and AV1-AVIF 1.1 (avif, avis); the rest from the registry at
// mp4ra.org.
var (
	heicBrands  = []string{"heic", "heix", "hevc", "hevx", "heim", "heis"}
	avifBrands  = []string{"avif", "avis"}
	heifBrands  = []string{"mif1", "msf1", "miaf"}
	mediaBrands = map[string]Type{
		"qt  ": typeMOV,
		"M4A ": typeM4A,
		"M4B ": typeM4A,
		"M4P ": typeM4A,
		"M4V ": typeM4V,
		"M4VH": typeM4V,
		"M4VP": typeM4V,
		"crx ": typeCR3,
		"isom": typeMP4,
		"iso2": typeMP4,
		"iso3": typeMP4,
		"iso4": typeMP4,
		"iso5": typeMP4,
		"iso6": typeMP4,
		"iso7": typeMP4,
		"iso8": typeMP4,
		"iso9": typeMP4,
		"mp41": typeMP4,
		"mp42": typeMP4,
		"mp71": typeMP4,
		"avc1": typeMP4,
		"dash": typeMP4,
		"mmp4": typeMP4,
		"MSNV": typeMP4,
		"F4V ": typeMP4,
		"F4P ": typeMP4,
		"XAVC": typeMP4,
	}
	maxFtypBrands = 64
)

// isoBMFF classifies a file that starts with an ftyp box. The major brand
// decides when it is known; otherwise the first known compatible brand. A
// HEIF image brand (mif1, msf1, miaf) is refined by a heic or avif brand
// among the compatible ones. An ftyp box with no known brand is reported as
// generic MP4.
func isoBMFF(head []byte) (Type, bool) {
	if len(head) < 12 || !at(head, 4, "ftyp") {
		return Type{}, false
	}
	major := string(head[8:12])
	var compat []string
	size, _ := u32be(head, 0)
	end := min(uint64(size), uint64(len(head)), uint64(16+4*maxFtypBrands))
	for off := uint64(16); off+4 <= end; off += 4 {
		compat = append(compat, string(head[off:off+4]))
	}
	if t, ok := brandType(major, compat); ok {
		return t, true
	}
	for _, b := range compat {
		if t, ok := brandType(b, compat); ok {
			return t, true
		}
	}
	return typeMP4, true
}

// brandType returns the type a brand stands for, looking at the compatible
// brands to refine a generic HEIF brand.
func brandType(brand string, compat []string) (Type, bool) {
	switch {
	case contains(heicBrands, brand):
		return typeHEIC, true
	case contains(avifBrands, brand):
		return typeAVIF, true
	case contains(heifBrands, brand):
		for _, b := range compat {
			if contains(heicBrands, b) {
				return typeHEIC, true
			}
		}
		for _, b := range compat {
			if contains(avifBrands, b) {
				return typeAVIF, true
			}
		}
		return typeHEIF, true
	case strings.HasPrefix(brand, "3g2"):
		return type3G2, true
	case strings.HasPrefix(brand, "3g"):
		return type3GP, true
	}
	t, ok := mediaBrands[brand]
	return t, ok
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// quickTimeAtoms are the top-level atoms a QuickTime file without an ftyp
// box starts with (QuickTime File Format, "Overview of QTFF").
var quickTimeAtoms = []string{"moov", "mdat", "free", "skip", "wide", "pnot"}

// quickTime matches a QuickTime file that starts with a moov or mdat atom,
// or with a free, skip, wide or pnot atom followed by another top-level
// atom. Each atom starts with its size (4, big-endian; 0 means to the end of
// the file, 1 a 64-bit size after the type) and its type (4).
func quickTime(head []byte) (Type, bool) {
	off := uint64(0)
	for range 4 {
		if off+8 > uint64(len(head)) {
			return Type{}, false
		}
		size, _ := u32be(head, int(off))
		kind := string(head[off+4 : off+8])
		if !contains(quickTimeAtoms, kind) {
			return Type{}, false
		}
		if kind == "moov" || kind == "mdat" {
			return typeMOV, size == 0 || size == 1 || size >= 8
		}
		if size < 8 {
			return Type{}, false
		}
		off += uint64(size)
	}
	return Type{}, false
}

// matroska matches an EBML file (1A 45 DF A3) and tells Matroska from WebM
// by the DocType element (ID 42 82) of the EBML header, which the header
// holds within its first few dozen bytes.
func matroska(head []byte) (Type, bool) {
	if !at(head, 0, "\x1a\x45\xdf\xa3") {
		return Type{}, false
	}
	b := head[:min(len(head), 4096)]
	i := bytes.Index(b, []byte{0x42, 0x82})
	if i < 0 {
		return Type{}, false
	}
	size, n := ebmlSize(b[i+2:])
	start := uint64(i + 2 + n)
	if n == 0 || size > 32 || start+size > uint64(len(b)) {
		return Type{}, false
	}
	switch string(bytes.TrimRight(b[start:start+size], "\x00")) {
	case "webm":
		return typeWebM, true
	case "matroska":
		return typeMKV, true
	}
	return Type{}, false
}

// ebmlSize decodes an EBML variable-length size at the start of b and
// returns it with its length in bytes; n is 0 when b holds no valid size.
func ebmlSize(b []byte) (size uint64, n int) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0
	}
	first := b[0]
	n = 1
	for mask := byte(0x80); first&mask == 0; mask >>= 1 {
		n++
	}
	if n > len(b) {
		return 0, 0
	}
	size = uint64(first & (0xFF >> n))
	for _, c := range b[1:n] {
		size = size<<8 | uint64(c)
	}
	return size, n
}
