package entities

import (
	"strconv"
	"strings"

	"github.com/pangolin-forensics/pangolin/extract"
)

// minPlainDecimals is how many decimals a coordinate written as a bare
// decimal number (no degree sign) needs, so that pairs of ordinary
// numbers ("3.5, 12.25") are not read as positions.
const minPlainDecimals = 4

// component is one half of a coordinate pair as written.
type component struct {
	deg, min, sec float64
	hemi          byte // 'N', 'S', 'E', 'W' or 0
	neg, signed   bool
	degSign       bool // a degree sign was written
	hasMin        bool
	decimals      int // decimals of the degrees, when they are decimal
}

func (c component) value() float64 {
	v := c.deg + c.min/60 + c.sec/3600
	if c.neg || c.hemi == 'S' || c.hemi == 'W' {
		v = -v
	}
	return v
}

// Marks accepted after degrees, minutes and seconds.
var (
	degMarks = []string{"°", "º", "˚"}
	minMarks = []string{"'", "′", "’"}
	secMarks = []string{"\"", "″", "”", "''", "′′", "’’"}
)

func hasMark(text string, p int, marks []string) int {
	for _, m := range marks {
		if strings.HasPrefix(text[p:], m) {
			return len(m)
		}
	}
	return 0
}

func isHemi(c byte) bool { return c == 'N' || c == 'S' || c == 'E' || c == 'W' }

// findCoords finds coordinate pairs.
func (f *finder) findCoords() {
	text := f.text
	for i := 0; i < len(text); {
		c := text[i]
		start := isDigit(c) || (c == '-' || c == '+') && i+1 < len(text) && isDigit(text[i+1]) ||
			isHemi(c) && i+1 < len(text) && (text[i+1] == ' ' || isDigit(text[i+1]))
		if !start || !coordLeftOK(text, i) {
			i++
			if isDigit(c) {
				for i < len(text) && (isDigit(text[i]) || text[i] == '.') {
					i++
				}
			}
			continue
		}
		if end, ok := f.coordPair(i); ok {
			i = end
			continue
		}
		i++
		if isDigit(c) {
			for i < len(text) && isDigit(text[i]) {
				i++
			}
		}
	}
}

func coordLeftOK(text string, i int) bool {
	if !leftOK(text, i) {
		return false
	}
	if i > 0 {
		switch text[i-1] {
		case '.', '-', '+', ',', '/':
			if i >= 2 && isAlnum(text[i-2]) {
				return false
			}
		}
	}
	return true
}

// coordPair reads a coordinate pair starting at text[i].
func (f *finder) coordPair(i int) (int, bool) {
	text := f.text
	a, p, ok := parseComponent(text, i)
	if !ok {
		return 0, false
	}
	// Separator: spaces, at most one of ",;/", spaces.
	q := p
	for q < len(text) && q-p < 3 && text[q] == ' ' {
		q++
	}
	if q < len(text) && (text[q] == ',' || text[q] == ';' || text[q] == '/') {
		q++
		for q < len(text) && q-p < 6 && text[q] == ' ' {
			q++
		}
	}
	if q == p && a.hemi == 0 && !a.hasMin {
		return 0, false
	}
	b, e, ok := parseComponent(text, q)
	if !ok {
		return 0, false
	}
	if !coordRightOK(text, e) {
		return 0, false
	}
	// Both with hemisphere letters or neither.
	if (a.hemi == 0) != (b.hemi == 0) {
		return 0, false
	}
	if a.hemi != 0 {
		aLat := a.hemi == 'N' || a.hemi == 'S'
		bLat := b.hemi == 'N' || b.hemi == 'S'
		if aLat == bLat {
			return 0, false
		}
		if !aLat {
			a, b = b, a
		}
	}
	for _, c := range []component{a, b} {
		if !c.degSign && c.decimals < minPlainDecimals {
			return 0, false
		}
	}
	lat, lon := a.value(), b.value()
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, false
	}
	f.add(extract.Coords, i, e, formatCoord(lat)+","+formatCoord(lon))
	return e, true
}

func coordRightOK(text string, e int) bool {
	if !rightOK(text, e) {
		return false
	}
	if e+1 < len(text) {
		switch text[e] {
		case '.', ',', '-', '/':
			if isDigit(text[e+1]) {
				return false
			}
		}
	}
	return true
}

func formatCoord(v float64) string {
	s := strconv.FormatFloat(v, 'f', 6, 64)
	if s == "-0.000000" {
		s = "0.000000"
	}
	return s
}

// parseComponent reads one coordinate written in one of these forms,
// from text[p]:
//
//	[H ]-3.3869          decimal degrees, H a hemisphere letter
//	3.3869[°][ ]H
//	3°23'12.8"[ ]H       degrees, minutes, seconds
//	[H ]3° 23.214'       degrees, decimal minutes
func parseComponent(text string, p int) (component, int, bool) {
	var c component
	if p >= len(text) {
		return c, 0, false
	}
	if isHemi(text[p]) {
		c.hemi = text[p]
		p++
		if p < len(text) && text[p] == ' ' {
			p++
		}
	} else if text[p] == '-' || text[p] == '+' {
		c.signed = true
		c.neg = text[p] == '-'
		p++
	}
	deg, dec, q, ok := readNumber(text, p, 3)
	if !ok {
		return c, 0, false
	}
	c.deg, c.decimals, p = deg, dec, q
	if n := hasMark(text, p, degMarks); n > 0 {
		c.degSign = true
		p += n
		if dec == 0 {
			// Minutes, and perhaps seconds.
			r := p
			if r < len(text) && text[r] == ' ' {
				r++
			}
			if m, mdec, r2, ok := readNumber(text, r, 2); ok {
				if k := hasMark(text, r2, minMarks); k > 0 && m < 60 {
					c.min, c.hasMin = m, true
					p = r2 + k
					if mdec == 0 {
						s := p
						if s < len(text) && text[s] == ' ' {
							s++
						}
						if sv, _, s2, ok := readNumber(text, s, 2); ok {
							if k := hasMark(text, s2, secMarks); k > 0 && sv < 60 {
								c.sec = sv
								p = s2 + k
							}
						}
					}
				}
			}
		}
	} else if dec == 0 {
		return c, 0, false
	}
	if c.hemi == 0 && !c.signed {
		r := p
		if r < len(text) && text[r] == ' ' {
			r++
		}
		if r < len(text) && isHemi(text[r]) && (r+1 == len(text) || !isLetter(text[r+1])) {
			c.hemi = text[r]
			p = r + 1
		}
	}
	return c, p, true
}

// readNumber reads digits (at most maxInt before any decimal point) and
// an optional decimal part from text[p]; dec is the number of decimals.
func readNumber(text string, p, maxInt int) (v float64, dec int, end int, ok bool) {
	s := p
	for p < len(text) && isDigit(text[p]) {
		p++
	}
	if p == s || p-s > maxInt {
		return 0, 0, 0, false
	}
	if p+1 < len(text) && text[p] == '.' && isDigit(text[p+1]) {
		p++
		ds := p
		for p < len(text) && isDigit(text[p]) && p-ds < 12 {
			p++
		}
		dec = p - ds
		if p < len(text) && isDigit(text[p]) {
			return 0, 0, 0, false
		}
	}
	v, err := strconv.ParseFloat(text[s:p], 64)
	if err != nil {
		return 0, 0, 0, false
	}
	return v, dec, p, true
}
