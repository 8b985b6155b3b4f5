package pdf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/image/font/sfnt"

	"github.com/pangolin-forensics/pangolin/reports/fonts"
)

// ttFont is a shipped TrueType font, parsed once per process and shared,
// read-only, by every Document.
//
// The tables a subset needs are read here by offset (Apple's TrueType
// Reference Manual and OpenType 1.9, "Font file" and the head, hhea,
// maxp, hmtx, loca and glyf chapters); character lookup goes through
// golang.org/x/image/font/sfnt, which reads cmap.
type ttFont struct {
	sf        *sfnt.Font
	tables    map[string][]byte // raw tables by tag
	upm       int
	loca      []uint32 // numGlyphs+1 offsets into glyf
	adv       []uint16 // advance width of each glyph, font units
	lsb       []int16  // left side bearing of each glyph
	psName    string
	ascent    int // font units, hhea
	descent   int // font units, negative
	capHeight int
	bbox      [4]int // xMin, yMin, xMax, yMax
}

var parsedFonts [fonts.NumFaces]struct {
	once sync.Once
	f    *ttFont
	err  error
}

// loadFont returns the parsed face, parsing it on first use.
func loadFont(face fonts.Face) (*ttFont, error) {
	p := &parsedFonts[face]
	p.once.Do(func() {
		data, err := face.Data()
		if err == nil {
			p.f, err = parseTrueType(data)
		}
		if err == nil {
			p.f.sf, err = sfnt.Parse(data)
		}
		if err != nil {
			p.err = fmt.Errorf("load font %s: %w", face, err)
			return
		}
		name, _ := p.f.sf.Name(nil, sfnt.NameIDPostScript)
		p.f.psName = psName(name)
	})
	return p.f, p.err
}

var errFont = errors.New("malformed TrueType font")

// parseTrueType reads the tables of a TrueType font that subsetting and
// metrics need; loadFont adds the cmap through sfnt.
func parseTrueType(data []byte) (*ttFont, error) {
	if len(data) < 12 || binary.BigEndian.Uint32(data) != 0x00010000 {
		return nil, fmt.Errorf("%w: not TrueType outlines", errFont)
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	if 12+16*n > len(data) {
		return nil, fmt.Errorf("%w: table directory", errFont)
	}
	f := &ttFont{tables: make(map[string][]byte, n)}
	for i := range n {
		e := data[12+16*i:]
		off, length := binary.BigEndian.Uint32(e[8:]), binary.BigEndian.Uint32(e[12:])
		if uint64(off)+uint64(length) > uint64(len(data)) {
			return nil, fmt.Errorf("%w: table %q out of bounds", errFont, e[:4])
		}
		f.tables[string(e[:4])] = data[off : off+length]
	}
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	hmtx, loca, glyf := f.tables["hmtx"], f.tables["loca"], f.tables["glyf"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 || glyf == nil {
		return nil, fmt.Errorf("%w: missing or short head, hhea, maxp or glyf", errFont)
	}
	f.upm = int(binary.BigEndian.Uint16(head[18:]))
	if f.upm < 16 || f.upm > 16384 {
		return nil, fmt.Errorf("%w: unitsPerEm %d", errFont, f.upm)
	}
	for i := range f.bbox {
		f.bbox[i] = int(int16(binary.BigEndian.Uint16(head[36+2*i:])))
	}
	longLoca := binary.BigEndian.Uint16(head[50:]) != 0
	numGlyphs := int(binary.BigEndian.Uint16(maxp[4:]))
	f.ascent = int(int16(binary.BigEndian.Uint16(hhea[4:])))
	f.descent = int(int16(binary.BigEndian.Uint16(hhea[6:])))
	f.capHeight = f.ascent
	if os2 := f.tables["OS/2"]; len(os2) >= 90 && binary.BigEndian.Uint16(os2) >= 2 {
		f.capHeight = int(int16(binary.BigEndian.Uint16(os2[88:])))
	}

	f.loca = make([]uint32, numGlyphs+1)
	for i := range f.loca {
		if longLoca {
			if 4*i+4 > len(loca) {
				return nil, fmt.Errorf("%w: short loca", errFont)
			}
			f.loca[i] = binary.BigEndian.Uint32(loca[4*i:])
		} else {
			if 2*i+2 > len(loca) {
				return nil, fmt.Errorf("%w: short loca", errFont)
			}
			f.loca[i] = 2 * uint32(binary.BigEndian.Uint16(loca[2*i:]))
		}
		if f.loca[i] > uint32(len(glyf)) || i > 0 && f.loca[i] < f.loca[i-1] {
			return nil, fmt.Errorf("%w: loca entry %d", errFont, i)
		}
	}

	numH := int(binary.BigEndian.Uint16(hhea[34:]))
	if numH < 1 || numH > numGlyphs || 4*numH+2*(numGlyphs-numH) > len(hmtx) {
		return nil, fmt.Errorf("%w: hmtx", errFont)
	}
	f.adv = make([]uint16, numGlyphs)
	f.lsb = make([]int16, numGlyphs)
	for g := range numGlyphs {
		if g < numH {
			f.adv[g] = binary.BigEndian.Uint16(hmtx[4*g:])
			f.lsb[g] = int16(binary.BigEndian.Uint16(hmtx[4*g+2:]))
		} else {
			f.adv[g] = f.adv[numH-1]
			f.lsb[g] = int16(binary.BigEndian.Uint16(hmtx[4*numH+2*(g-numH):]))
		}
	}
	return f, nil
}

// psName keeps the letters, digits and hyphens of a PostScript name, so
// that it is a valid PDF name without escapes.
func psName(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 128 && (r == '-' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			b = append(b, byte(r))
		}
	}
	if len(b) == 0 {
		return "Font"
	}
	return string(b)
}

// width returns glyph g's advance in thousandths of an em, rounded as the
// PDF W array gives it: layout and the viewer then agree to the unit.
func (f *ttFont) width(g uint16) int {
	if int(g) >= len(f.adv) {
		return 0
	}
	return (int(f.adv[g])*1000 + f.upm/2) / f.upm
}

// scale converts font units to thousandths of an em.
func (f *ttFont) scale(v int) int {
	return v * 1000 / f.upm
}

// glyphData returns glyph g's glyf record, empty for glyphs with no
// outline (such as the space).
func (f *ttFont) glyphData(g uint16) []byte {
	if int(g)+1 >= len(f.loca) {
		return nil
	}
	return f.tables["glyf"][f.loca[g]:f.loca[g+1]]
}

// yBounds returns the lowest and highest y of glyph g's outline, in font
// units, from its glyf header; ok is false for a glyph without outline.
func (f *ttFont) yBounds(g uint16) (yMin, yMax int, ok bool) {
	d := f.glyphData(g)
	if len(d) < 10 {
		return 0, 0, false
	}
	return int(int16(binary.BigEndian.Uint16(d[4:]))), int(int16(binary.BigEndian.Uint16(d[8:]))), true
}

// Composite glyph flags (glyf chapter, "Composite glyph description").
const (
	argsAreWords    = 0x0001
	haveScale       = 0x0008
	moreComponents  = 0x0020
	haveXYScale     = 0x0040
	haveTwoByTwo    = 0x0080
	maxGlyphNesting = 16
)

// components calls fn with the offset of each component's glyph index
// inside composite glyph data d. It returns an error for a truncated
// record.
func components(d []byte, fn func(off int)) error {
	if len(d) < 10 || int16(binary.BigEndian.Uint16(d)) >= 0 {
		return nil
	}
	p := 10
	for {
		if p+4 > len(d) {
			return fmt.Errorf("%w: truncated composite glyph", errFont)
		}
		flags := binary.BigEndian.Uint16(d[p:])
		fn(p + 2)
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&haveTwoByTwo != 0:
			p += 8
		}
		if flags&moreComponents == 0 {
			return nil
		}
	}
}

// subset builds a TrueType font holding .notdef and glyphs, in that order,
// plus the components composite glyphs need, appended after them. It
// returns the font program and each requested glyph's new index. The
// hinting tables (cvt, fpgm, prep) are kept as they are; cmap, name, OS/2
// and post are left out, as PDF does not need them for a CIDFontType2
// font (ISO 32000-1, 9.9).
func (f *ttFont) subset(glyphs []uint16) ([]byte, map[uint16]uint16, error) {
	newID := map[uint16]uint16{0: 0}
	order := []uint16{0}
	add := func(g uint16) {
		if _, ok := newID[g]; !ok && int(g) < len(f.adv) {
			newID[g] = uint16(len(order))
			order = append(order, g)
		}
	}
	for _, g := range glyphs {
		add(g)
	}
	// Components, breadth first: each pass adds the components of glyphs
	// added by the pass before; a bounded number of passes stops cycles.
	for pass, from := 0, 0; from < len(order) && pass < maxGlyphNesting; pass++ {
		to := len(order)
		for _, g := range order[from:to] {
			d := f.glyphData(g)
			err := components(d, func(off int) { add(binary.BigEndian.Uint16(d[off:])) })
			if err != nil {
				return nil, nil, err
			}
		}
		from = to
	}

	var glyf bytes.Buffer
	loca := make([]byte, 0, 4*(len(order)+1))
	hmtx := make([]byte, 0, 4*len(order))
	for _, g := range order {
		loca = binary.BigEndian.AppendUint32(loca, uint32(glyf.Len()))
		hmtx = binary.BigEndian.AppendUint16(hmtx, f.adv[g])
		hmtx = binary.BigEndian.AppendUint16(hmtx, uint16(f.lsb[g]))
		d := bytes.Clone(f.glyphData(g))
		err := components(d, func(off int) {
			// A component that is out of range becomes .notdef.
			binary.BigEndian.PutUint16(d[off:], newID[binary.BigEndian.Uint16(d[off:])])
		})
		if err != nil {
			return nil, nil, err
		}
		glyf.Write(d)
		for glyf.Len()%4 != 0 {
			glyf.WriteByte(0)
		}
	}
	loca = binary.BigEndian.AppendUint32(loca, uint32(glyf.Len()))

	head := bytes.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, set below
	binary.BigEndian.PutUint16(head[50:], 1) // long loca
	hhea := bytes.Clone(f.tables["hhea"])
	binary.BigEndian.PutUint16(hhea[34:], uint16(len(order)))
	maxp := bytes.Clone(f.tables["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], uint16(len(order)))

	tables := map[string][]byte{
		"glyf": glyf.Bytes(), "head": head, "hhea": hhea, "hmtx": hmtx,
		"loca": loca, "maxp": maxp,
	}
	for _, tag := range []string{"cvt ", "fpgm", "prep"} {
		if t, ok := f.tables[tag]; ok {
			tables[tag] = t
		}
	}
	font := assemble(tables)
	ids := make(map[uint16]uint16, len(glyphs))
	for _, g := range glyphs {
		ids[g] = newID[g]
	}
	return font, ids, nil
}

// assemble writes an sfnt file: the offset table, the table directory in
// tag order, then each table padded to four bytes. It sets
// head.checkSumAdjustment, which makes the whole file sum to 0xB1B0AFBA.
func assemble(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for tag := range tables {
		tags = append(tags, tag)
	}
	slices.Sort(tags)
	n := len(tags)
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	searchRange := 16 << entrySelector
	out := binary.BigEndian.AppendUint32(nil, 0x00010000)
	out = binary.BigEndian.AppendUint16(out, uint16(n))
	out = binary.BigEndian.AppendUint16(out, uint16(searchRange))
	out = binary.BigEndian.AppendUint16(out, uint16(entrySelector))
	out = binary.BigEndian.AppendUint16(out, uint16(16*n-searchRange))
	off, headOff := 12+16*n, -1
	for _, tag := range tags {
		if tag == "head" {
			headOff = off
		}
		t := tables[tag]
		out = append(out, tag...)
		out = binary.BigEndian.AppendUint32(out, checksum(t))
		out = binary.BigEndian.AppendUint32(out, uint32(off))
		out = binary.BigEndian.AppendUint32(out, uint32(len(t)))
		off += (len(t) + 3) &^ 3
	}
	for _, tag := range tags {
		out = append(out, tables[tag]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	if headOff >= 0 && len(tables["head"]) >= 12 {
		binary.BigEndian.PutUint32(out[headOff+8:], 0xB1B0AFBA-checksum(out))
	}
	return out
}

// checksum is the sfnt table checksum: the sum of big-endian uint32
// words, the last one padded with zeros.
func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
