package pdf

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Color is an RGB colour.
type Color struct{ R, G, B uint8 }

// Drawing adds a box w by h points for vector graphics (charts, maps,
// timelines) and calls draw to fill it. The box is placed at the left
// margin, on a new page if it does not fit on this one; w and h are
// limited to the page's content area, and whatever draw paints outside
// the box is clipped.
func (d *Document) Drawing(w, h float64, draw func(c *Canvas)) {
	w = clamp(w, 0, contentW)
	h = clamp(h, 0, bottom-top)
	d.space(h)
	b := &d.cur().content
	c := &Canvas{d: d, b: b, x0: margin, y0: pageH - d.y, w: w, h: h}
	fmt.Fprintf(b, "q\n%s %s %s %s re W n\n0 g 0 G 1 w\n", num(c.x0), num(c.y0-h), num(w), num(h))
	if draw != nil {
		draw(c)
	}
	b.WriteString("Q\n")
	d.y += h + paraGap
	d.fresh = false
}

// Canvas draws inside a [Document.Drawing] box. Coordinates are points
// from the box's top left corner, x to the right and y down. Paths are
// built with MoveTo, LineTo, CurveTo, Rect and Circle and painted with
// Fill, Stroke or FillStroke, which end the path. Colours start black and
// the line width at 1 point. Non-finite coordinates are taken as 0 and
// huge ones are limited, so that no input makes an invalid file. A
// Canvas is valid only during the call to draw.
type Canvas struct {
	d      *Document
	b      *bytes.Buffer
	x0, y0 float64 // the box's top left, PDF coordinates
	w, h   float64
	path   bool // a path has been started
}

// Size returns the box's width and height in points.
func (c *Canvas) Size() (w, h float64) { return c.w, c.h }

// SetFill sets the colour of fills and text.
func (c *Canvas) SetFill(col Color) {
	fmt.Fprintf(c.b, "%s %s %s rg\n", unit255(col.R), unit255(col.G), unit255(col.B))
}

// SetStroke sets the colour of strokes.
func (c *Canvas) SetStroke(col Color) {
	fmt.Fprintf(c.b, "%s %s %s RG\n", unit255(col.R), unit255(col.G), unit255(col.B))
}

// SetLineWidth sets the width of strokes in points.
func (c *Canvas) SetLineWidth(w float64) {
	fmt.Fprintf(c.b, "%s w\n", num(clamp(w, 0, 100)))
}

// MoveTo starts a new subpath at (x, y).
func (c *Canvas) MoveTo(x, y float64) {
	fmt.Fprintf(c.b, "%s m\n", c.pt(x, y))
	c.path = true
}

// LineTo adds a line to (x, y); without a current point it moves there.
func (c *Canvas) LineTo(x, y float64) {
	if !c.path {
		c.MoveTo(x, y)
		return
	}
	fmt.Fprintf(c.b, "%s l\n", c.pt(x, y))
}

// CurveTo adds a cubic Bézier curve to (x3, y3) with control points
// (x1, y1) and (x2, y2); without a current point it moves to (x1, y1)
// first.
func (c *Canvas) CurveTo(x1, y1, x2, y2, x3, y3 float64) {
	if !c.path {
		c.MoveTo(x1, y1)
	}
	fmt.Fprintf(c.b, "%s %s %s c\n", c.pt(x1, y1), c.pt(x2, y2), c.pt(x3, y3))
}

// Close closes the current subpath.
func (c *Canvas) Close() {
	if c.path {
		c.b.WriteString("h\n")
	}
}

// Rect adds a rectangle with top left corner (x, y).
func (c *Canvas) Rect(x, y, w, h float64) {
	fmt.Fprintf(c.b, "%s %s %s re\n", c.pt(x, y+h), num(clamp(w, -1e4, 1e4)), num(clamp(h, -1e4, 1e4)))
	c.path = true
}

// Circle adds a circle of radius r around (x, y), as four Bézier curves.
func (c *Canvas) Circle(x, y, r float64) {
	const k = 0.5522847498 // 4/3 (√2 - 1): control point distance for a quarter circle
	r = clamp(r, 0, 1e4)
	x, y = clamp(x, -1e4, 1e4), clamp(y, -1e4, 1e4)
	c.MoveTo(x+r, y)
	c.CurveTo(x+r, y+k*r, x+k*r, y+r, x, y+r)
	c.CurveTo(x-k*r, y+r, x-r, y+k*r, x-r, y)
	c.CurveTo(x-r, y-k*r, x-k*r, y-r, x, y-r)
	c.CurveTo(x+k*r, y-r, x+r, y-k*r, x+r, y)
	c.Close()
}

// Fill fills the path (non-zero winding rule) and ends it.
func (c *Canvas) Fill() { c.paint("f") }

// Stroke strokes the path and ends it.
func (c *Canvas) Stroke() { c.paint("S") }

// FillStroke fills, then strokes the path and ends it.
func (c *Canvas) FillStroke() { c.paint("B") }

func (c *Canvas) paint(op string) {
	if c.path {
		c.b.WriteString(op + "\n")
		c.path = false
	}
}

// Text draws one line of text of the given size in points with its
// baseline starting at (x, y), in the fill colour. Newlines are drawn as
// spaces; right-to-left text is ordered as in paragraphs.
func (c *Canvas) Text(x, y, size float64, s string) {
	st := canvasStyle(size)
	l := c.d.singleLine(s, st)
	c.d.text(c.b, l.glyphs, st.size, c.x0+clamp(x, -1e4, 1e4), c.y0-clamp(y, -1e4, 1e4))
}

// TextWidth returns the width in points of s drawn by Text at size.
func (c *Canvas) TextWidth(size float64, s string) float64 {
	return c.d.singleLine(s, canvasStyle(size)).width
}

// singleLine lays s out on one line, its paragraphs joined by spaces.
func (d *Document) singleLine(s string, st style) line {
	var out line
	for i, l := range d.layout(s, st, 1e6) {
		if i > 0 {
			sp := d.glyphs([]rune{' '}, st)
			out.glyphs = append(out.glyphs, sp...)
			for _, g := range sp {
				out.width += float64(g.w) * st.size / 1000
			}
		}
		out.glyphs = append(out.glyphs, l.glyphs...)
		out.width += l.width
	}
	return out
}

func canvasStyle(size float64) style {
	size = clamp(size, 1, 200)
	return style{chain: chainBody, size: size, lead: size}
}

// pt converts a point in box coordinates to PDF coordinates.
func (c *Canvas) pt(x, y float64) string {
	return num(c.x0+clamp(x, -1e4, 1e4)) + " " + num(c.y0-clamp(y, -1e4, 1e4))
}

// clamp limits v to [lo, hi], taking NaN as 0.
func clamp(v, lo, hi float64) float64 {
	if math.IsNaN(v) {
		v = 0
	}
	return min(max(v, lo), hi)
}

// num formats a number for a content stream: at most two decimals, no
// exponent, no negative zero.
func num(v float64) string {
	s := strconv.FormatFloat(clamp(v, -1e6, 1e6), 'f', 2, 64)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		return "0"
	}
	return s
}

func unit255(v uint8) string {
	return num(float64(v) / 255)
}
