package geomap

import (
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Colours and sizes of [Map.SVG].
const (
	oceanColour   = "#dbe8f1"
	landColour    = "#f2efe6"
	borderColour  = "#b5ab97"
	gridColour    = "#8aa1b1"
	markerColour  = "#c0392b"
	textColour    = "#222"
	maxLabelled   = 40 // with more points, labels only in tooltips
	maxLabelRunes = 48 // longer visible labels are cut, with "…"
)

// SVG returns the map as a self-contained <svg> element, for inline use in
// HTML or as an .svg file: sea, land, borders, a graticule with degree
// labels and a marker for each point. Markers are numbered Index+1; with at
// most 40 points the number and label are written beside the marker, with
// more only the marker is drawn and the number and label are in its
// tooltip (<title>). The element uses no ids, classes or style sheet, so
// several maps can share a page.
//
// Labels are written only as escaped XML character data, after control
// and bidirectional-formatting characters (which could reorder what a
// reader sees) are replaced with U+FFFD; visible labels are cut at 48
// characters.
func (m *Map) SVG() string {
	var b strings.Builder
	b.Grow(4096 + 80*len(m.Points))
	f := m.Frame
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="img" font-family="sans-serif">`,
		num(m.W), num(m.H), num(m.W), num(m.H))
	fmt.Fprintf(&b, "<title>Map of %d locations</title>", len(m.Points))
	if f.Max.X <= f.Min.X || f.Max.Y <= f.Min.Y {
		b.WriteString("</svg>")
		return b.String()
	}
	frame := fmt.Sprintf(`x="%s" y="%s" width="%s" height="%s"`,
		num(f.Min.X), num(f.Min.Y), num(f.Max.X-f.Min.X), num(f.Max.Y-f.Min.Y))
	fmt.Fprintf(&b, `<rect %s fill="%s"/>`, frame, oceanColour)
	if len(m.Land) > 0 {
		fmt.Fprintf(&b, `<path fill="%s" fill-rule="evenodd" d="`, landColour)
		writePath(&b, m.Land, true)
		b.WriteString(`"/>`)
	}
	if len(m.Borders) > 0 {
		fmt.Fprintf(&b, `<path fill="none" stroke="%s" stroke-width="0.6" stroke-linejoin="round" d="`, borderColour)
		writePath(&b, m.Borders, false)
		b.WriteString(`"/>`)
	}
	m.writeGraticule(&b)
	fmt.Fprintf(&b, `<rect %s fill="none" stroke="%s" stroke-width="1"/>`, frame, gridColour)
	m.writeMarkers(&b)
	b.WriteString("</svg>")
	return b.String()
}

// writePath writes lines as SVG path data, closing them if closed, with
// coordinates to 0.1 unit and repeated points left out.
func writePath(b *strings.Builder, lines [][]XY, closed bool) {
	var buf []byte
	for _, l := range lines {
		buf = append(buf[:0], 'M')
		var px, py float64
		n := 0
		for i, p := range l {
			x, y := round1(p.X), round1(p.Y)
			if i > 0 && x == px && y == py {
				continue
			}
			if i > 0 {
				buf = append(buf, 'L')
			}
			buf = appendNum(buf, x)
			buf = append(buf, ' ')
			buf = appendNum(buf, y)
			px, py = x, y
			n++
		}
		if n < 2 {
			continue
		}
		if closed {
			buf = append(buf, 'Z')
		}
		b.Write(buf)
	}
}

// writeGraticule writes the graticule's lines and degree labels.
func (m *Map) writeGraticule(b *strings.Builder) {
	if len(m.Graticule) == 0 {
		return
	}
	fmt.Fprintf(b, `<path fill="none" stroke="%s" stroke-width="0.5" stroke-opacity="0.5" d="`, gridColour)
	var buf []byte
	for _, g := range m.Graticule {
		buf = append(buf[:0], 'M')
		buf = appendNum(buf, round1(g.A.X))
		buf = append(buf, ' ')
		buf = appendNum(buf, round1(g.A.Y))
		buf = append(buf, 'L')
		buf = appendNum(buf, round1(g.B.X))
		buf = append(buf, ' ')
		buf = appendNum(buf, round1(g.B.Y))
		b.Write(buf)
	}
	fmt.Fprintf(b, `"/><g font-size="8" fill="%s">`, gridColour)
	f := m.Frame
	for _, g := range m.Graticule {
		// Meridians are labelled along the bottom of the frame,
		// parallels along its left edge, except where a label would
		// stick out of the frame or overlap the other edge's labels.
		// The labels are our own text.
		if g.Meridian {
			if g.B.X-f.Min.X < 14 || f.Max.X-g.B.X < 14 {
				continue
			}
			fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`, num(g.B.X), num(g.B.Y-3), g.Label())
		} else if g.A.Y-f.Min.Y >= 10 && f.Max.Y-g.A.Y >= 12 {
			fmt.Fprintf(b, `<text x="%s" y="%s">%s</text>`, num(g.A.X+3), num(g.A.Y-2), g.Label())
		}
	}
	b.WriteString("</g>")
}

// writeMarkers writes a marker for each point, with its tooltip and, for
// a few points, its number and label.
func (m *Map) writeMarkers(b *strings.Builder) {
	labelled := len(m.Points) <= maxLabelled
	r := "4"
	if !labelled {
		r = "2.5"
	}
	f := m.Frame
	fmt.Fprintf(b, `<g fill="%s" stroke="#fff" stroke-width="1">`, markerColour)
	for _, p := range m.Points {
		label := cleanLabel(p.Label)
		fmt.Fprintf(b, "<g><title>%d: ", p.Index+1)
		xml.EscapeText(b, []byte(label))
		fmt.Fprintf(b, " (%.5f, %.5f)</title>", p.Lat, p.Lon)
		fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="%s"/>`, num(p.X), num(p.Y), r)
		if labelled {
			// Labels go right of the marker, or left of it in the
			// east of the frame so that they stay on the map. A
			// white halo (stroke painted under the fill) keeps them
			// readable over land, borders and other markers.
			x, anchor := num(p.X+6), "start"
			if p.X > f.Min.X+0.6*(f.Max.X-f.Min.X) {
				x, anchor = num(p.X-6), "end"
			}
			fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="%s" font-size="10" fill="%s" stroke="#fff" stroke-width="2.5" stroke-opacity="0.8" paint-order="stroke">%d `,
				x, num(p.Y+3.5), anchor, textColour, p.Index+1)
			xml.EscapeText(b, []byte(truncate(label, maxLabelRunes)))
			b.WriteString("</text>")
		}
		b.WriteString("</g>")
	}
	b.WriteString("</g>")
}

// Label returns the line's degree label, such as "30°N", "150°W", "0°" or
// "180°"; halves of a degree get one decimal.
func (g GridLine) Label() string {
	d := g.Deg
	hemi := ""
	switch {
	case g.Meridian && (d == -180 || d == 180):
		d = 180
	case d > 0 && g.Meridian:
		hemi = "E"
	case d < 0 && g.Meridian:
		hemi = "W"
	case d > 0:
		hemi = "N"
	case d < 0:
		hemi = "S"
	}
	return strconv.FormatFloat(math.Abs(d), 'f', -1, 64) + "°" + hemi
}

// cleanLabel replaces invalid UTF-8, control characters and bidirectional
// formatting characters with U+FFFD.
func cleanLabel(s string) string {
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return utf8.RuneError
		}
		return r
	}, s)
}

// truncate cuts s to at most n runes, ending it with "…" if it was cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, c := 0, 0
	for j := range s {
		if c == n-1 {
			i = j
			break
		}
		c++
	}
	return s[:i] + "…"
}

// round1 rounds v to 0.1.
func round1(v float64) float64 { return math.Round(v*10) / 10 }

// num formats v to 0.1 unit without a trailing ".0".
func num(v float64) string { return string(appendNum(nil, round1(v))) }

func appendNum(b []byte, v float64) []byte {
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}
