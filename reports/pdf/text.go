package pdf

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"

	"github.com/pangolin-forensics/pangolin/reports/fonts"
)

// maxText is the most runes one call lays out; the rest of a longer text
// is replaced by a marker that says how many bytes were left out.
const maxText = 20000

// Text pipeline. A string from the caller (untrusted: it comes from
// evidence) goes through these steps, each in this file unless noted:
//
//  1. clean: invalid UTF-8 and control characters become U+FFFD, line
//     ends become '\n', tabs become spaces, overlong text is cut.
//  2. The text is split at '\n' into paragraphs in the sense of UAX #9.
//  3. shapeArabic (arabic.go) picks contextual forms and ligatures.
//  4. glyphs gives each unit a font from the style's fallback chain and a
//     CID, and raises Thai tone marks over upper vowels.
//  5. resolveLevels assigns bidi levels (UAX #9 implicit rules), and
//     mirror swaps brackets in right-to-left runs.
//  6. breakLines wraps the paragraph to the width.
//  7. reorder puts each line in visual order (UAX #9 rule L2).

// A unit is one drawn glyph's worth of text, in logical order.
type unit struct {
	show rune   // the character whose glyph is drawn
	src  rune   // the character it came from, for bidi and line breaking
	text string // the characters it stands for, for text extraction
}

// A glyph is a unit with its font and metrics.
type glyph struct {
	face  fonts.Face
	cid   uint16
	w     int // advance, thousandths of an em
	rise  int // baseline shift, thousandths of an em
	src   rune
	level uint8
}

// A line is laid-out text in visual order, ready to draw.
type line struct {
	glyphs []glyph
	width  float64 // points
	rtl    bool    // the paragraph is right to left: align right
}

// style is how a block of text is set.
type style struct {
	chain []fonts.Face // faces to try, in order
	size  float64      // points
	lead  float64      // line height, points
}

var (
	fallback  = []fonts.Face{fonts.Arabic, fonts.Thai, fonts.CJK, fonts.Korean}
	chainBody = append([]fonts.Face{fonts.Sans}, fallback...)
	chainBold = append([]fonts.Face{fonts.SansBold, fonts.Sans}, fallback...)
	chainMono = append([]fonts.Face{fonts.Mono, fonts.Sans}, fallback...)
)

// clean makes untrusted text safe to lay out. Invalid UTF-8, C0 and C1
// controls other than tab and line ends, and noncharacters become U+FFFD;
// CR LF, CR, NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR become '\n'; a
// tab becomes four spaces. Text beyond maxText runes is dropped and a
// marker says how many bytes were.
func clean(s string) []rune {
	out := make([]rune, 0, min(len(s), maxText))
	for i := 0; i < len(s); {
		if len(out) >= maxText {
			return append(out, []rune(fmt.Sprintf(" … [%d more bytes not shown]", len(s)-i))...)
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				i++
			}
			r = '\n'
		case r == 0x85 || r == 0x2028 || r == 0x2029:
			r = '\n'
		case r == '\t':
			out = append(out, ' ', ' ', ' ')
			r = ' '
		case r == '\n':
		case r < 0x20 || r >= 0x7F && r < 0xA0 || r&0xFFFE == 0xFFFE || r >= 0xFDD0 && r <= 0xFDEF:
			r = utf8.RuneError
		}
		out = append(out, r)
	}
	return out
}

// ignorable reports whether r is drawn as nothing: format characters
// (including the bidi controls, which are not honoured, so that text can
// never be made to display in an order other than its own) and variation
// selectors.
func ignorable(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Variation_Selector) || r == 0x034F
}

// layout sets text in style st into lines at most maxW points wide.
func (d *Document) layout(text string, st style, maxW float64) []line {
	var lines []line
	for p := range strings.SplitSeq(string(clean(text)), "\n") {
		gs := d.glyphs([]rune(p), st)
		rtl := paragraphRTL(gs)
		var para uint8
		if rtl {
			para = 1
		}
		resolveLevels(gs, para)
		d.mirror(gs)
		maxU := int(maxW * 1000 / st.size)
		for _, br := range breakLines(gs, maxU) {
			l := gs[br[0]:br[1]]
			for len(l) > 0 && isSpace(l[len(l)-1].src) {
				l = l[:len(l)-1] // rule L1 for trailing white space: not drawn
			}
			l = reorder(l)
			w := 0
			for _, g := range l {
				w += g.w
			}
			lines = append(lines, line{glyphs: l, width: float64(w) * st.size / 1000, rtl: rtl})
		}
	}
	return lines
}

// glyphs shapes one paragraph and maps it to glyphs in logical order.
func (d *Document) glyphs(text []rune, st style) []glyph {
	has := func(r rune) bool { return d.gid(fonts.Arabic, r) != 0 }
	units := shapeArabic(text, has)
	gs := make([]glyph, 0, len(units))
	prev, prevGID := fonts.NumFaces, uint16(0)
	for _, u := range units {
		if ignorable(u.src) {
			continue
		}
		face, gid, ok := d.pick(u, st.chain, prev)
		if !ok {
			if unicode.Is(unicode.Mn, u.src) {
				continue // a mark no font has: drawn as nothing
			}
			face, gid = st.chain[0], 0 // .notdef
		}
		g := glyph{face: face, cid: d.cid(face, gid, u.text), w: d.width(face, gid), src: u.src}
		if n := len(gs); n > 0 && isThaiTone(u.src) && isThaiUpperVowel(gs[n-1].src) && prev == face {
			g.rise = d.stack(face, prevGID, gid)
		}
		gs = append(gs, g)
		prev, prevGID = face, gid
	}
	return gs
}

// Thai tone marks and the vowels above the consonant that they sit on.
func isThaiTone(r rune) bool { return r >= 0x0E48 && r <= 0x0E4C }

func isThaiUpperVowel(r rune) bool {
	return r == 0x0E31 || r >= 0x0E34 && r <= 0x0E37 || r == 0x0E47
}

// stack returns how far to raise glyph mark of face, in thousandths of an
// em, so that it clears glyph below by a twentieth of an em. This stands
// in for the font's mark-to-mark positioning (GPOS), which puts a Thai
// tone mark above an upper vowel instead of on top of it.
func (d *Document) stack(face fonts.Face, below, mark uint16) int {
	f := d.font(face)
	_, top, ok1 := f.yBounds(below)
	bottom, _, ok2 := f.yBounds(mark)
	if !ok1 || !ok2 {
		return 0
	}
	return max(f.scale(top+f.upm/20-bottom), 0)
}

// pick returns the first face that has a glyph for the unit. A combining
// mark tries the face of the character before it first, so that the mark
// matches its base.
func (d *Document) pick(u unit, chain []fonts.Face, prev fonts.Face) (fonts.Face, uint16, bool) {
	if prev < fonts.NumFaces && unicode.In(u.src, unicode.Mn, unicode.Me) {
		if g := d.gid(prev, u.show); g != 0 {
			return prev, g, true
		}
	}
	for _, f := range chain {
		if g := d.gid(f, u.show); g != 0 {
			return f, g, true
		}
	}
	if u.show != u.src {
		return d.pick(unit{show: u.src, src: u.src}, chain, prev)
	}
	return 0, 0, false
}

// paragraphRTL applies rules P2 and P3 of UAX #9: the paragraph is right
// to left if its first strong character is.
func paragraphRTL(gs []glyph) bool {
	for _, g := range gs {
		switch bidiClass(g.src) {
		case bidi.L:
			return false
		case bidi.R, bidi.AL:
			return true
		}
	}
	return false
}

func bidiClass(r rune) bidi.Class {
	p, _ := bidi.LookupRune(r)
	return p.Class()
}

// resolveLevels sets the bidi level of each glyph of a paragraph at level
// para (0 or 1) by the weak, neutral and implicit rules of UAX #9 (W1-W7,
// N1-N2, I1-I2). There are no explicit embeddings: the controls that
// make them are dropped before this, so the whole paragraph is one
// isolating run sequence with sos and eos at the paragraph's direction.
func resolveLevels(gs []glyph, para uint8) {
	n := len(gs)
	t := make([]bidi.Class, n)
	sos := bidi.L
	if para == 1 {
		sos = bidi.R
	}
	for i, g := range gs {
		switch c := bidiClass(g.src); c {
		case bidi.L, bidi.R, bidi.AL, bidi.EN, bidi.ES, bidi.ET, bidi.AN, bidi.CS, bidi.NSM, bidi.WS, bidi.S, bidi.B:
			t[i] = c
		default:
			t[i] = bidi.ON
		}
	}
	// W1: a mark takes the type of the character before it.
	for i := range t {
		if t[i] == bidi.NSM {
			t[i] = sos
			if i > 0 {
				t[i] = t[i-1]
			}
		}
	}
	// W2, W3: European digits after Arabic letters are Arabic; AL is R.
	last := sos
	for i, c := range t {
		switch c {
		case bidi.L, bidi.R, bidi.AL:
			last = c
		case bidi.EN:
			if last == bidi.AL {
				t[i] = bidi.AN
			}
		}
	}
	for i := range t {
		if t[i] == bidi.AL {
			t[i] = bidi.R
		}
	}
	// W4: one separator between two numbers of a type joins them.
	for i := 1; i+1 < n; i++ {
		a, b := t[i-1], t[i+1]
		switch {
		case t[i] == bidi.ES && a == bidi.EN && b == bidi.EN:
			t[i] = bidi.EN
		case t[i] == bidi.CS && a == b && (a == bidi.EN || a == bidi.AN):
			t[i] = a
		}
	}
	// W5: terminators next to European numbers are numbers.
	for i := 0; i < n; {
		if t[i] != bidi.ET {
			i++
			continue
		}
		j := i
		for j < n && t[j] == bidi.ET {
			j++
		}
		if i > 0 && t[i-1] == bidi.EN || j < n && t[j] == bidi.EN {
			for k := i; k < j; k++ {
				t[k] = bidi.EN
			}
		}
		i = j
	}
	// W6: remaining separators and terminators are neutral.
	for i, c := range t {
		if c == bidi.ES || c == bidi.ET || c == bidi.CS {
			t[i] = bidi.ON
		}
	}
	// W7: European numbers in left-to-right context are L.
	last = sos
	for i, c := range t {
		switch c {
		case bidi.L, bidi.R:
			last = c
		case bidi.EN:
			if last == bidi.L {
				t[i] = bidi.L
			}
		}
	}
	// N1, N2: neutrals between two strong types of one direction take it,
	// others the paragraph's.
	strong := func(c bidi.Class) bidi.Class {
		if c == bidi.EN || c == bidi.AN {
			return bidi.R
		}
		return c
	}
	neutral := func(c bidi.Class) bool {
		return c == bidi.ON || c == bidi.WS || c == bidi.S || c == bidi.B
	}
	for i := 0; i < n; {
		if !neutral(t[i]) {
			i++
			continue
		}
		j := i
		for j < n && neutral(t[j]) {
			j++
		}
		before, after := sos, sos
		if i > 0 {
			before = strong(t[i-1])
		}
		if j < n {
			after = strong(t[j])
		}
		c := sos
		if before == after {
			c = before
		}
		for k := i; k < j; k++ {
			t[k] = c
		}
		i = j
	}
	// I1, I2.
	for i, c := range t {
		lv := para
		switch {
		case para == 0 && c == bidi.R:
			lv = 1
		case para == 0 && (c == bidi.AN || c == bidi.EN):
			lv = 2
		case para == 1 && (c == bidi.L || c == bidi.EN || c == bidi.AN):
			lv = 2
		}
		gs[i].level = lv
	}
}

// mirrored pairs the characters whose glyph is mirrored in right-to-left
// text (a subset of BidiMirroring.txt).
var mirrored = map[rune]rune{
	'(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{', '<': '>', '>': '<',
	'«': '»', '»': '«', '‹': '›', '›': '‹',
}

// mirror applies rule L4 of UAX #9: a character at an odd level is drawn
// with the glyph of its mirror, as long as the face has one. Text
// extraction still sees the character itself.
func (d *Document) mirror(gs []glyph) {
	for i, g := range gs {
		m, ok := mirrored[g.src]
		if !ok || g.level%2 == 0 {
			continue
		}
		if gid := d.gid(g.face, m); gid != 0 {
			gs[i].cid = d.cid(g.face, gid, string(g.src))
			gs[i].w = d.width(g.face, gid)
		}
	}
}

// reorder returns a line's glyphs in visual order (UAX #9 rule L2: from
// the highest level to the lowest odd level, reverse every run at that
// level or higher). Combining marks are left after their base in
// reversed runs, which suits fonts whose marks have zero advance and an
// outline to the right of the pen, as the shipped Arabic font's do.
func reorder(l []glyph) []glyph {
	out := append([]glyph(nil), l...)
	var hi, lo uint8 = 0, 255
	for _, g := range out {
		hi = max(hi, g.level)
		if g.level%2 == 1 {
			lo = min(lo, g.level)
		}
	}
	for lv := hi; lv >= lo && lv > 0; lv-- {
		for i := 0; i < len(out); {
			if out[i].level < lv {
				i++
				continue
			}
			j := i
			for j < len(out) && out[j].level >= lv {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				out[a], out[b] = out[b], out[a]
			}
			i = j
		}
	}
	return out
}

// isSpace reports whether r is white space that a line may break after.
// NO-BREAK SPACE and its relatives are not.
func isSpace(r rune) bool {
	return r == ' ' || r == 0x1680 || r >= 0x2000 && r <= 0x200A && r != 0x2007 || r == 0x205F || r == 0x3000
}

// breakLines splits a paragraph into lines no wider than maxU thousandths
// of an em, returning each line's range. It breaks at the last
// opportunity that fits (see canBreak); a word longer than a line, such
// as a hash, is broken between any two characters. Spaces at the end of a
// line do not count towards its width. Every line holds at least one
// glyph, so a glyph wider than maxU gets a line of its own.
func breakLines(gs []glyph, maxU int) [][2]int {
	if len(gs) == 0 {
		return [][2]int{{0, 0}}
	}
	var out [][2]int
	for start := 0; start < len(gs); {
		w, i, last := 0, start, -1
		for ; i < len(gs); i++ {
			if i > start && canBreak(gs[i-1].src, gs[i].src, i >= 2 && isWordChar(gs[i-2].src)) {
				last = i
			}
			if isSpace(gs[i].src) {
				w += gs[i].w
				continue
			}
			if w+gs[i].w > maxU && i > start {
				break
			}
			w += gs[i].w
		}
		end := i
		switch {
		case i == len(gs):
		case last > start:
			end = last
		default:
			// No opportunity: break before glyph i, but keep marks with
			// their base.
			for end > start+1 && isMark(gs[end].src) {
				end--
			}
		}
		out = append(out, [2]int{start, end})
		start = end
	}
	return out
}

func isMark(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me)
}

func isWordChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// canBreak reports whether a line may break between a and b. It is a
// small part of UAX #14: after spaces; around CJK characters except
// before closing and after opening punctuation; before Thai consonants
// and leading vowels (Thai is written without spaces between words, and
// this keeps syllables whole); after a slash between word characters and
// after a hyphen between a word character and a letter (wordBefore tells
// whether the character before a is one). As in UAX #14 (LB25), a hyphen
// does not break before a digit, so dates and identifiers such as
// 2026-11-27 or JD-123 stay on one line.
func canBreak(a, b rune, wordBefore bool) bool {
	switch {
	case isSpace(b) || isMark(b):
		return false
	case isSpace(a):
		return true
	case isCJK(a) || isCJK(b):
		return !strings.ContainsRune(noBreakBefore, b) && !strings.ContainsRune(noBreakAfter, a)
	case isThai(a) && (b >= 0x0E01 && b <= 0x0E2E || b >= 0x0E40 && b <= 0x0E44):
		return !(a >= 0x0E40 && a <= 0x0E44)
	case a == '-':
		return wordBefore && unicode.IsLetter(b)
	case a == '/' || a == '\\':
		return wordBefore && isWordChar(b)
	}
	return false
}

const (
	noBreakBefore = ")]}>,.:;!?%、。，．：；！？）］｝〉》」』】〕〗〙〛ー々ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ・"
	noBreakAfter  = "([{<（［｛〈《「『【〔〖〘〚"
)

func isCJK(r rune) bool {
	return r >= 0x2E80 && r <= 0x9FFF || r >= 0xAC00 && r <= 0xD7AF ||
		r >= 0xF900 && r <= 0xFAFF || r >= 0xFF00 && r <= 0xFFEF || r >= 0x20000 && r <= 0x3FFFF
}

func isThai(r rune) bool {
	return r >= 0x0E01 && r <= 0x0E5B
}
