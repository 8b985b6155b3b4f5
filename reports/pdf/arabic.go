package pdf

import "unicode"

// Arabic shaping by presentation forms: each letter is replaced by the
// character of its isolated, final, initial or medial form from the
// Arabic Presentation Forms blocks, which the shipped Arabic font maps
// to the right glyphs, and lam followed by alef becomes one ligature.
// Joining follows the Unicode Standard, chapter 9.2 "Arabic", with the
// joining type of each letter taken from the forms it has: four forms
// make it dual-joining, two right-joining. Marks are transparent, tatweel
// and ZERO WIDTH JOINER join on both sides, everything else breaks the
// join.

// Form indexes, in the order the presentation forms blocks list them.
const (
	isolated = iota
	final
	initial
	medial
)

// arabicBlock lists letters whose presentation forms lie one after the
// other from code point first, with how many forms each has there: 1
// (isolated only), 2 (isolated, final) or 4 (isolated, final, initial,
// medial).
type arabicBlock struct {
	first   rune
	letters []arabicLetter
}

type arabicLetter struct {
	r rune
	n int
}

// arabicBlocks follows UnicodeData.txt for U+FB50 to U+FBB1, U+FBD3 to
// U+FBE7, U+FBFC to U+FBFF and U+FE80 to U+FEF4.
var arabicBlocks = []arabicBlock{
	{0xFB50, []arabicLetter{
		{0x0671, 2}, {0x067B, 4}, {0x067E, 4}, {0x0680, 4}, {0x067A, 4},
		{0x067F, 4}, {0x0679, 4}, {0x06A4, 4}, {0x06A6, 4}, {0x0684, 4},
		{0x0683, 4}, {0x0686, 4}, {0x0687, 4}, {0x068D, 2}, {0x068C, 2},
		{0x068E, 2}, {0x0688, 2}, {0x0698, 2}, {0x0691, 2}, {0x06A9, 4},
		{0x06AF, 4}, {0x06B3, 4}, {0x06B1, 4}, {0x06BA, 2}, {0x06BB, 4},
		{0x06C0, 2}, {0x06C1, 4}, {0x06BE, 4}, {0x06D2, 2}, {0x06D3, 2},
	}},
	{0xFBD3, []arabicLetter{
		{0x06AD, 4}, {0x06C7, 2}, {0x06C6, 2}, {0x06C8, 2}, {0x0677, 1},
		{0x06CB, 2}, {0x06C5, 2}, {0x06C9, 2}, {0x06D0, 4},
	}},
	{0xFBFC, []arabicLetter{{0x06CC, 4}}},
	{0xFE80, []arabicLetter{
		{0x0621, 1}, {0x0622, 2}, {0x0623, 2}, {0x0624, 2}, {0x0625, 2},
		{0x0626, 4}, {0x0627, 2}, {0x0628, 4}, {0x0629, 2}, {0x062A, 4},
		{0x062B, 4}, {0x062C, 4}, {0x062D, 4}, {0x062E, 4}, {0x062F, 2},
		{0x0630, 2}, {0x0631, 2}, {0x0632, 2}, {0x0633, 4}, {0x0634, 4},
		{0x0635, 4}, {0x0636, 4}, {0x0637, 4}, {0x0638, 4}, {0x0639, 4},
		{0x063A, 4}, {0x0641, 4}, {0x0642, 4}, {0x0643, 4}, {0x0644, 4},
		{0x0645, 4}, {0x0646, 4}, {0x0647, 4}, {0x0648, 2}, {0x0649, 2},
		{0x064A, 4},
	}},
}

// arabicForms maps a letter to its presentation forms, indexed by form;
// a zero is a form the letter does not have.
var arabicForms = func() map[rune][4]rune {
	m := make(map[rune][4]rune)
	for _, b := range arabicBlocks {
		next := b.first
		for _, l := range b.letters {
			var f [4]rune
			for i := range l.n {
				f[i] = next
				next++
			}
			m[l.r] = f
		}
	}
	return m
}()

// lamAlef maps the alef that follows a lam to the ligature's isolated
// form; the final form is the next code point. The ligature's glyph
// stands for the lam, and the alef gets an empty glyph (see shapeArabic).
var lamAlef = map[rune]rune{0x0622: 0xFEF5, 0x0623: 0xFEF7, 0x0625: 0xFEF9, 0x0627: 0xFEFB}

const (
	lam  = 0x0644
	zwj  = 0x200D
	zwsp = 0x200B // ZERO WIDTH SPACE, an empty glyph in the shipped fonts
)

// Joining types (Unicode ArabicShaping.txt).
type joining uint8

const (
	joinNone        joining = iota // U: non-joining
	joinRight                      // R: joins the letter before it
	joinDual                       // D: joins on both sides
	joinCausing                    // C: tatweel, ZERO WIDTH JOINER
	joinTransparent                // T: marks, skipped
)

func joiningType(r rune) joining {
	if f, ok := arabicForms[r]; ok {
		switch {
		case f[medial] != 0:
			return joinDual
		case f[final] != 0:
			return joinRight
		}
		return joinNone
	}
	switch {
	case r == 0x0640 || r == zwj:
		return joinCausing
	case r == 0x200C: // ZERO WIDTH NON-JOINER
		return joinNone
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return joinTransparent
	}
	return joinNone
}

// shapeArabic returns the units of a line of text in logical order, with
// Arabic letters replaced by their contextual forms where has reports
// that a font has the form's glyph.
func shapeArabic(text []rune, has func(rune) bool) []unit {
	jt := make([]joining, len(text))
	for i, r := range text {
		jt[i] = joiningType(r)
	}
	// neighbour returns the index of the nearest non-transparent
	// character from i in direction step, or -1.
	neighbour := func(i, step int) int {
		for i += step; i >= 0 && i < len(text); i += step {
			if jt[i] != joinTransparent {
				return i
			}
		}
		return -1
	}
	units := make([]unit, 0, len(text))
	for i := 0; i < len(text); i++ {
		r := text[i]
		u := unit{show: r, src: r, text: string(r)}
		if jt[i] == joinRight || jt[i] == joinDual {
			p, n := neighbour(i, -1), neighbour(i, +1)
			joinsPrev := p >= 0 && (jt[p] == joinDual || jt[p] == joinCausing)
			joinsNext := jt[i] == joinDual && n >= 0 && jt[n] != joinNone
			if lig, ok := lamAlef[next(text, i)]; r == lam && ok {
				if joinsPrev {
					lig++
				}
				if has(lig) {
					// The ligature stands for the lam; the alef follows
					// as an empty glyph of zero width, so that text
					// extraction sees both letters, each with its own
					// position, whatever order it reads a word in.
					i++
					u.show = lig
					units = append(units, u, unit{show: zwsp, src: text[i], text: string(text[i])})
					continue
				}
			}
			form := isolated
			switch {
			case joinsPrev && joinsNext:
				form = medial
			case joinsPrev:
				form = final
			case joinsNext:
				form = initial
			}
			if f := arabicForms[r][form]; f != 0 && has(f) {
				u.show = f
			}
		}
		units = append(units, u)
	}
	return units
}

// next returns the rune after index i, or 0.
func next(text []rune, i int) rune {
	if i+1 < len(text) {
		return text[i+1]
	}
	return 0
}
