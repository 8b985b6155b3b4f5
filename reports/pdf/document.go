package pdf

import (
	"bytes"
	"fmt"
	"time"

	"golang.org/x/image/font/sfnt"

	"github.com/pangolin-forensics/pangolin/reports/fonts"
)

// Page geometry, in points (1/72 inch): A4 portrait with 20 mm margins
// and room for the footer below the bottom margin.
const (
	pageW     = 595.28
	pageH     = 841.89
	margin    = 56.69
	contentW  = pageW - 2*margin
	top       = margin
	bottom    = pageH - margin
	footerY   = 28 // baseline of the footer, from the page's bottom edge
	paraGap   = 6  // space after a paragraph
	rowGap    = 2  // space between key-value rows
	cellPad   = 3  // table cell padding
	maxColumn = 64 // most columns a table has; more are joined into the last
)

// Text styles.
var (
	styleBody   = style{chain: chainBody, size: 10, lead: 14}
	styleMono   = style{chain: chainMono, size: 8.5, lead: 12}
	styleLabel  = style{chain: chainBold, size: 10, lead: 14}
	styleCell   = style{chain: chainBody, size: 9, lead: 12.5}
	styleHeader = style{chain: chainBold, size: 9, lead: 12.5}
	styleFooter = style{chain: chainBody, size: 8, lead: 10}
	styleHead   = [3]style{
		{chain: chainBold, size: 16, lead: 21},
		{chain: chainBold, size: 13, lead: 17.5},
		{chain: chainBold, size: 11, lead: 15},
	}
)

// Options are a document's metadata, written to its Info dictionary.
type Options struct {
	Title, Author, Subject string
	Producer               string    // program that made the file, such as "pangolin 1.4.0"
	Created                time.Time // creation date; the zero time leaves it out
}

// Document is a PDF document being built. Content flows from the top of
// the first page down and onto new pages as needed. A Document is not
// safe for concurrent use; different Documents are independent.
//
// Methods that add content do not return errors: the first error (a
// font that failed to load, which would be a broken build) is kept and
// returned by [Document.Bytes] and [Document.WriteTo].
type Document struct {
	opts   Options
	footer func(page, pages int) string
	pages  []*page
	y      float64 // the flow's position on the current page, from its top
	fresh  bool    // the current page is empty but for a repeated table header
	faces  [fonts.NumFaces]*faceUse
	gids   [fonts.NumFaces]map[rune]uint16
	buf    sfnt.Buffer
	images []*image
	err    error
}

type page struct {
	content bytes.Buffer
}

// faceUse is what one Document uses of one face. Each distinct pair of
// glyph and text gets its own CID, so that the ToUnicode map can say
// what text each drawn glyph stands for even when one glyph stands for
// several texts (a mirrored bracket, .notdef for missing characters).
type faceUse struct {
	font    *ttFont
	cids    map[cidKey]uint16
	entries []cidKey // entries[cid-1]
}

type cidKey struct {
	gid  uint16
	text string
}

// maxCID is the highest CID a face gets; past it, new glyph and text
// pairs all share one CID showing .notdef with text U+FFFD.
const maxCID = 0xFFFE

// New returns an empty document.
func New(opts Options) *Document {
	return &Document{opts: opts}
}

func (d *Document) font(face fonts.Face) *ttFont {
	if u := d.faces[face]; u != nil {
		return u.font
	}
	f, err := loadFont(face)
	if err != nil {
		if d.err == nil {
			d.err = err
		}
		return nil
	}
	d.faces[face] = &faceUse{font: f, cids: make(map[cidKey]uint16)}
	return f
}

// gid returns the glyph for r in face, or 0 if the face has none.
func (d *Document) gid(face fonts.Face, r rune) uint16 {
	m := d.gids[face]
	if g, ok := m[r]; ok {
		return g
	}
	if m == nil {
		m = make(map[rune]uint16)
		d.gids[face] = m
	}
	var g uint16
	if f := d.font(face); f != nil {
		if x, err := f.sf.GlyphIndex(&d.buf, r); err == nil && int(x) < len(f.adv) {
			g = uint16(x)
		}
	}
	m[r] = g
	return g
}

func (d *Document) width(face fonts.Face, gid uint16) int {
	if f := d.font(face); f != nil {
		return f.width(gid)
	}
	return 0
}

// cid returns the CID that draws glyph gid of face and stands for text.
func (d *Document) cid(face fonts.Face, gid uint16, text string) uint16 {
	if d.font(face) == nil {
		return 0
	}
	u := d.faces[face]
	k := cidKey{gid, text}
	if c, ok := u.cids[k]; ok {
		return c
	}
	if len(u.entries) >= maxCID {
		k = cidKey{0, "\uFFFD"}
		if c, ok := u.cids[k]; ok {
			return c
		}
	}
	u.entries = append(u.entries, k)
	c := uint16(len(u.entries))
	u.cids[k] = c
	return c
}

// Footer sets the function that gives the footer line of each page; it
// is called when the document is written, with 1-based page numbers and
// the page count. Only one line is drawn, centred: the text up to its
// first newline, or as much of it as fits the width of the page.
func (d *Document) Footer(f func(page, pages int) string) {
	d.footer = f
}

// PageBreak starts a new page, unless the current page is still empty.
func (d *Document) PageBreak() {
	if len(d.pages) > 0 && d.y > top {
		d.newPage()
	}
}

func (d *Document) newPage() {
	d.pages = append(d.pages, &page{})
	d.y = top
	d.fresh = true
}

func (d *Document) cur() *page {
	if len(d.pages) == 0 {
		d.newPage()
	}
	return d.pages[len(d.pages)-1]
}

// space makes sure h points are free below the flow's position, starting
// a new page if they are not and the page already has content.
func (d *Document) space(h float64) {
	d.cur()
	if d.y+h > bottom && !d.fresh {
		d.newPage()
	}
}

// KeepTogether starts a new page unless h points (at most a page) are
// free below the current position: a caller keeps a heading with the
// image or table that follows it by asking for both heights.
func (d *Document) KeepTogether(h float64) {
	d.space(min(h, bottom-top))
}

// Heading adds a heading: level 1 is the largest; levels past 3 are set
// as 3. It starts a new page rather than leave the heading alone at the
// bottom of one.
func (d *Document) Heading(level int, text string) {
	st := styleHead[min(max(level, 1), 3)-1]
	lines := d.layout(text, st, contentW)
	d.cur()
	if !d.fresh {
		d.y += st.lead / 2
	}
	d.space(float64(len(lines))*st.lead + 3*styleBody.lead)
	d.lines(lines, st, margin, contentW)
	d.y += paraGap / 2
}

// Paragraph adds text that wraps at spaces, between CJK characters and
// Thai syllables, and inside words too long for a line. A '\n' starts a
// new line.
func (d *Document) Paragraph(text string) {
	d.lines(d.layout(text, styleBody, contentW), styleBody, margin, contentW)
	d.y += paraGap
}

// Mono adds text in a smaller fixed-pitch face, for hashes, paths and
// identifiers. Characters the fixed-pitch face lacks come from the
// proportional faces.
func (d *Document) Mono(text string) {
	d.lines(d.layout(text, styleMono, contentW), styleMono, margin, contentW)
	d.y += paraGap
}

// lines draws lines of one style in the flow, at x within width w,
// breaking pages between lines.
func (d *Document) lines(lines []line, st style, x, w float64) {
	for _, l := range lines {
		d.space(st.lead)
		d.drawLine(&d.cur().content, l, st, x, w, d.y)
		d.y += st.lead
		d.fresh = false
	}
}

// baseline returns the baseline of a line whose box starts at top y.
func baseline(st style, y float64) float64 {
	return y + (st.lead-st.size)/2 + 0.88*st.size
}

// drawLine draws l in a box of width w at x, top y (both from the page's
// top left), aligned left, or right for right-to-left paragraphs.
func (d *Document) drawLine(b *bytes.Buffer, l line, st style, x, w, y float64) {
	if l.rtl {
		x += w - l.width
	}
	d.text(b, l.glyphs, st.size, x, pageH-baseline(st, y))
}

// text draws glyphs from x at baseline y, in PDF coordinates: one Tj per
// run of glyphs of one face and rise, each run placed absolutely.
func (d *Document) text(b *bytes.Buffer, gs []glyph, size, x, y float64) {
	if len(gs) == 0 {
		return
	}
	b.WriteString("BT\n")
	for i := 0; i < len(gs); {
		j := i
		w := 0
		rise := float64(gs[i].rise) * size / 1000
		fmt.Fprintf(b, "/F%d %s Tf 1 0 0 1 %s %s Tm <", gs[i].face+1, num(size), num(x), num(y+rise))
		for ; j < len(gs) && gs[j].face == gs[i].face && gs[j].rise == gs[i].rise; j++ {
			fmt.Fprintf(b, "%04X", gs[j].cid)
			w += gs[j].w
		}
		b.WriteString("> Tj\n")
		x += float64(w) * size / 1000
		i = j
	}
	b.WriteString("ET\n")
}

// KeyValues adds a two-column table without rules: a bold label on the
// left and its value on the right, both wrapping.
func (d *Document) KeyValues(rows [][2]string) {
	labelW := contentW * 0.3
	gap := 8.0
	xs := []float64{margin, margin + labelW + gap}
	ws := []float64{labelW, contentW - labelW - gap}
	for _, r := range rows {
		cells := []cell{
			{d.layout(r[0], styleLabel, ws[0]), styleLabel},
			{d.layout(r[1], styleBody, ws[1]), styleBody},
		}
		d.row(cells, xs, ws, 0, styleBody.lead, rowPlain, nil)
		d.y += rowGap
	}
	d.y += paraGap - rowGap
}

// Table adds a table with a header row, which is repeated on each page
// the table continues on. widths are the columns' relative widths; if
// their number differs from the number of columns, or one is not
// positive, the columns get equal widths. The number of columns is the
// largest of the header's and the rows' lengths, at most 64; missing
// cells are empty and the cells of a row past the 64th are joined into
// the last one, so that no text is lost. A header cell shows at most four
// lines.
func (d *Document) Table(headers []string, rows [][]string, widths []float64) {
	n := len(headers)
	for _, r := range rows {
		n = max(n, len(r))
	}
	n = min(n, maxColumn)
	if n == 0 {
		return
	}
	ws := make([]float64, n)
	total := 0.0
	for i, w := range widths {
		if len(widths) != n || !(w > 0 && w < 1e6) {
			total = 0
			break
		}
		ws[i] = w
		total += w
	}
	for i := range ws {
		if total > 0 {
			ws[i] = ws[i] / total * contentW
		} else {
			ws[i] = contentW / float64(n)
		}
	}
	xs := make([]float64, n)
	x := margin
	for i, w := range ws {
		xs[i] = x
		x += w
	}
	inner := func(i int) float64 { return max(ws[i]-2*cellPad, 1) }
	hcells := make([]cell, n)
	for i := range hcells {
		h := ""
		if i < len(headers) {
			h = headers[i]
		}
		lines := d.layout(h, styleHeader, inner(i))
		hcells[i] = cell{lines[:min(len(lines), 4)], styleHeader}
	}
	header := func() { d.row(hcells, xs, ws, cellPad, styleHeader.lead, rowHeader, nil) }
	d.space(2*styleHeader.lead + 4*cellPad)
	header()
	for _, r := range rows {
		if len(r) > n {
			r = append(r[:n-1:n-1], joinCells(r[n-1:]))
		}
		cells := make([]cell, n)
		for i := range cells {
			s := ""
			if i < len(r) {
				s = r[i]
			}
			cells[i] = cell{d.layout(s, styleCell, inner(i)), styleCell}
		}
		d.row(cells, xs, ws, cellPad, styleCell.lead, rowRuled, header)
	}
	d.fresh = false
	d.y += paraGap
}

func joinCells(cells []string) string {
	var b bytes.Buffer
	for i, c := range cells {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(c)
	}
	return b.String()
}

type cell struct {
	lines []line
	st    style
}

type rowKind int

const (
	rowPlain  rowKind = iota // no rules
	rowRuled                 // boxed cells
	rowHeader                // boxed and shaded cells; a repeated header keeps the page fresh
)

// row draws one row of cells at columns xs with widths ws, pad points of
// padding and lines lead apart. A row that does not fit on the rest of
// the page moves to the next one, and one taller than a page is split
// across pages; after each page break, header (if not nil) is drawn.
func (d *Document) row(cells []cell, xs, ws []float64, pad, lead float64, kind rowKind, header func()) {
	n := 1
	for _, c := range cells {
		n = max(n, len(c.lines))
	}
	for done := 0; done < n; {
		d.cur()
		fit := int((bottom - d.y - 2*pad) / lead)
		left := n - done
		whole := float64(left)*lead+2*pad <= bottom-top
		if fit < left && !d.fresh && (fit < 1 || done == 0 && whole) {
			d.newPage()
			if header != nil {
				header()
			}
			continue
		}
		k := min(max(fit, 1), left)
		h := float64(k)*lead + 2*pad
		b := &d.cur().content
		if kind != rowPlain {
			if kind == rowHeader {
				b.WriteString("0.9 g\n")
				for i := range xs {
					fmt.Fprintf(b, "%s %s %s %s re\n", num(xs[i]), num(pageH-d.y-h), num(ws[i]), num(h))
				}
				b.WriteString("f\n")
			}
			b.WriteString("0 g 0.6 G 0.5 w\n")
			for i := range xs {
				fmt.Fprintf(b, "%s %s %s %s re\n", num(xs[i]), num(pageH-d.y-h), num(ws[i]), num(h))
			}
			b.WriteString("S\n")
		}
		for i, c := range cells {
			for j := done; j < done+k && j < len(c.lines); j++ {
				y := d.y + pad + float64(j-done)*lead
				d.drawLine(b, c.lines[j], c.st, xs[i]+pad, ws[i]-2*pad, y)
			}
		}
		d.y += h
		d.fresh = kind == rowHeader && d.fresh
		done += k
		if done < n {
			d.newPage()
			if header != nil {
				header()
			}
		}
	}
}
