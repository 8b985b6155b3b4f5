package doc

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pangolin-forensics/pangolin/extract"
)

// Office Open XML (ECMA-376, 5th edition). Package structure, part 2: a
// ZIP archive whose parts are found through relationships, starting from
// the package's _rels/.rels. Properties, part 2 §11 (core.xml, Dublin
// Core) and part 1 §22.2 (app.xml, extended properties).

// coreNames maps core.xml elements to exiftool's tag names.
var coreNames = map[string]string{
	"title":          "Title",
	"subject":        "Subject",
	"creator":        "Creator",
	"keywords":       "Keywords",
	"description":    "Description",
	"lastModifiedBy": "LastModifiedBy",
	"revision":       "RevisionNumber",
	"created":        "CreateDate",
	"modified":       "ModifyDate",
	"lastPrinted":    "LastPrinted",
	"category":       "Category",
	"contentStatus":  "ContentStatus",
	"language":       "Language",
	"identifier":     "Identifier",
	"version":        "Version",
}

// appNames renames app.xml elements whose exiftool name differs from the
// element name; other simple elements keep their name.
var appNames = map[string]string{
	"TotalTime": "TotalEditTime",
}

const maxFieldLen = 64 << 10

// mainPart returns the package's main part (the officeDocument
// relationship of the package) or def when there is none.
func (p *pkg) mainPart(def string) (string, error) {
	rs, err := p.rels("")
	if err != nil {
		return "", err
	}
	for _, r := range rs {
		if r.typ == "officeDocument" && p.has(r.target) {
			return r.target, nil
		}
	}
	return def, nil
}

func ooxmlMetadata(r io.ReaderAt, size int64, lim Limits) (*extract.Metadata, error) {
	p, err := openPkg(r, size, lim)
	if err != nil {
		return nil, err
	}
	m := &extract.Metadata{Format: "ooxml"}
	corePart, appPart := "docProps/core.xml", "docProps/app.xml"
	if rs, err := p.rels(""); err == nil {
		for _, r := range rs {
			switch r.typ {
			case "core-properties":
				corePart = r.target
			case "extended-properties":
				appPart = r.target
			}
		}
	}
	if err := p.simpleProps(corePart, m, func(se xml.StartElement) string { return coreNames[se.Name.Local] }); err != nil {
		return nil, err
	}
	if err := p.simpleProps(appPart, m, func(se xml.StartElement) string {
		if n, ok := appNames[se.Name.Local]; ok {
			return n
		}
		return se.Name.Local
	}); err != nil {
		return nil, err
	}
	for _, f := range m.Fields {
		switch f.Name {
		case "Creator":
			m.Author = f.Value
		case "LastModifiedBy":
			m.LastAuthor = f.Value
		case "CreateDate":
			m.Created, m.CreatedLocal = parseW3CDTF(f.Value)
		case "ModifyDate":
			m.Modified, _ = parseW3CDTF(f.Value)
		}
	}
	return m, nil
}

// simpleProps reads the elements that are children of the root element of
// part and hold only text, appending those name gives a name to.
func (p *pkg) simpleProps(part string, m *extract.Metadata, name func(xml.StartElement) string) error {
	err := p.eachToken(part, func(x *xmlReader, t xml.Token) error {
		se, ok := t.(xml.StartElement)
		if !ok || x.depth != 2 {
			return nil
		}
		n := name(se)
		if n == "" {
			return x.skip()
		}
		return x.field(m, n)
	})
	if errors.Is(err, errNoPart) {
		return nil
	}
	return err
}

// field reads the element just started as the metadata field name: its
// text, trimmed, when it has no child elements and is not empty.
func (x *xmlReader) field(m *extract.Metadata, name string) error {
	v, simple, err := x.simpleText(maxFieldLen)
	if err != nil {
		return err
	}
	if v = strings.TrimSpace(v); simple && v != "" {
		m.Fields = append(m.Fields, extract.Field{Name: name, Value: v})
	}
	return nil
}

// simpleText returns the text of the element just started and whether it
// had no child elements.
func (x *xmlReader) simpleText(max int) (string, bool, error) {
	var b strings.Builder
	simple := true
	n := 1
	for n > 0 {
		t, err := x.next()
		if err != nil {
			return "", false, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			simple = false
			n++
		case xml.EndElement:
			n--
		case xml.CharData:
			if b.Len()+len(t) <= max {
				b.Write(t)
			}
		}
	}
	return b.String(), simple, nil
}

// parseW3CDTF parses the date forms core.xml uses (W3C-DTF, ISO 8601
// profiles). A time without a zone is taken as UTC and reported local.
func parseW3CDTF(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, f := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(f, s); err == nil {
			return t, false
		}
	}
	for _, f := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(f, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ---- Word processing ----

func docxText(r io.ReaderAt, size int64, lim Limits, out *sink) error {
	p, err := openPkg(r, size, lim)
	if err != nil {
		return err
	}
	main, err := p.mainPart("word/document.xml")
	if err != nil {
		return err
	}
	rs, err := p.rels(main)
	if err != nil {
		return err
	}
	var before, after []string
	for _, r := range rs {
		switch r.typ {
		case "header":
			before = append(before, r.target)
		case "footer", "footnotes", "endnotes", "comments":
			after = append(after, r.target)
		}
	}
	for _, part := range before {
		if err := p.wordPart(part, out); err != nil {
			return err
		}
	}
	if err := p.wordPart(main, out); err != nil {
		if errors.Is(err, errNoPart) {
			return &FormatError{Msg: "no main document part " + main, Err: err}
		}
		return err
	}
	for _, part := range after {
		if err := p.wordPart(part, out); err != nil && !errors.Is(err, errNoPart) {
			return err
		}
	}
	return p.related(rs, out)
}

// wordSkip are WordprocessingML elements whose content is not text:
// properties, field codes, and the fallback copies of alternate content.
var wordSkip = map[string]bool{
	"pPr": true, "rPr": true, "sectPr": true, "tblPr": true, "trPr": true, "tcPr": true,
	"tblGrid": true, "instrText": true, "Fallback": true, "delInstrText": true,
	"docPr": true, "numPr": true,
}

// wordPart writes the text of one WordprocessingML part.
func (p *pkg) wordPart(part string, out *sink) error {
	inText, inCell := 0, 0
	err := p.eachToken(part, func(x *xmlReader, t xml.Token) error {
		switch t := t.(type) {
		case xml.StartElement:
			switch l := t.Name.Local; {
			case l == "tc":
				inCell++
			case wordSkip[l]:
				if err := x.skip(); err != nil {
					return err
				}
			case l == "t" || l == "delText":
				inText++
			case l == "tab" || l == "ptab":
				out.tabulate()
			case l == "br" || l == "cr":
				out.newline()
			case l == "noBreakHyphen":
				if err := out.text("-"); err != nil {
					return err
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t", "delText":
				inText--
			case "p":
				if inCell > 0 {
					out.space()
				} else {
					out.newline()
				}
			case "tr":
				out.newline()
			case "tc":
				inCell--
				out.tabulate()
			}
		case xml.CharData:
			if inText > 0 {
				if err := out.text(string(t)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	out.newline()
	return nil
}

// ---- Presentations ----

func pptxText(r io.ReaderAt, size int64, lim Limits, out *sink) error {
	p, err := openPkg(r, size, lim)
	if err != nil {
		return err
	}
	main, err := p.mainPart("ppt/presentation.xml")
	if err != nil {
		return err
	}
	rs, err := p.rels(main)
	if err != nil {
		return err
	}
	byID := map[string]string{}
	for _, r := range rs {
		byID[r.id] = r.target
	}
	// Slide order is the order of p:sldIdLst in the presentation.
	var slides []string
	if rc, err := p.open(main); err == nil {
		x := newXML(rc, main)
		for {
			t, err := x.next()
			if err != nil {
				break
			}
			if se, ok := t.(xml.StartElement); ok && se.Name.Local == "sldId" {
				if tg, ok := byID[attrNS(se, "relationships", "id")]; ok {
					slides = append(slides, tg)
				}
			}
		}
		rc.Close()
	}
	if len(slides) == 0 {
		for _, r := range rs {
			if r.typ == "slide" {
				slides = append(slides, r.target)
			}
		}
	}
	seen := map[string]bool{}
	for _, s := range slides {
		if err := p.slide(s, out, seen); err != nil {
			return err
		}
		out.newline()
	}
	return nil
}

// slide writes a slide's text, the text of its charts and diagrams, the
// text its layout and master add to it (shapes other than placeholders,
// once per presentation), and its notes.
func (p *pkg) slide(part string, out *sink, seen map[string]bool) error {
	srs, err := p.rels(part)
	if err != nil {
		return err
	}
	for _, r := range srs {
		if r.typ != "slideLayout" || seen[r.target] {
			continue
		}
		seen[r.target] = true
		if err := p.drawingPart(r.target, out, true); err != nil && !errors.Is(err, errNoPart) {
			return err
		}
		lrs, err := p.rels(r.target)
		if err != nil {
			return err
		}
		for _, lr := range lrs {
			if lr.typ == "slideMaster" && !seen[lr.target] {
				seen[lr.target] = true
				if err := p.drawingPart(lr.target, out, true); err != nil && !errors.Is(err, errNoPart) {
					return err
				}
			}
		}
	}
	if err := p.drawingPart(part, out, false); err != nil && !errors.Is(err, errNoPart) {
		return err
	}
	return p.related(srs, out, "notesSlide")
}

// related writes the text of the charts and diagrams in rs, and of the
// parts of the extra types.
func (p *pkg) related(rs []rel, out *sink, extra ...string) error {
	for _, r := range rs {
		var err error
		switch {
		case r.typ == "chart":
			err = p.chartPart(r.target, out)
		case r.typ == "diagramData":
			err = p.drawingPart(r.target, out, false)
		case slices.Contains(extra, r.typ):
			err = p.drawingPart(r.target, out, false)
		default:
			continue
		}
		if err != nil && !errors.Is(err, errNoPart) {
			return err
		}
	}
	return nil
}

// chartPart writes a chart's titles and text labels (DrawingML charts,
// part 1 §21.2): a:t runs and the cached text values (c:strCache) of its
// series and categories.
func (p *pkg) chartPart(part string, out *sink) error {
	inText, inStr := 0, 0
	err := p.eachToken(part, func(x *xmlReader, t xml.Token) error {
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText++
			case "v":
				if inStr > 0 {
					inText++
				}
			case "strCache":
				inStr++
			case "externalData", "extLst", "txPr", "spPr":
				if err := x.skip(); err != nil {
					return err
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText--
			case "v":
				if inStr > 0 {
					inText--
					out.newline()
				}
			case "strCache":
				inStr--
			case "p":
				out.newline()
			}
		case xml.CharData:
			if inText > 0 {
				if err := out.text(string(t)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	out.newline()
	return nil
}

// drawingPart writes the DrawingML text (a:t) of a slide, notes,
// layout, master or diagram part; with noPlaceholders, the text of
// placeholder shapes (a layout's prompts) is left out.
func (p *pkg) drawingPart(part string, out *sink, noPlaceholders bool) error {
	inText := 0
	phDepth := 0 // depth of the shape that is a placeholder, or 0
	err := p.eachToken(part, func(x *xmlReader, t xml.Token) error {
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText++
			case "ph":
				if noPlaceholders && phDepth == 0 {
					phDepth = x.depth - 3 // p:sp/p:nvSpPr/p:nvPr/p:ph
				}
			case "br":
				out.newline()
			case "Fallback", "pPr", "rPr", "endParaRPr", "extLst":
				if err := x.skip(); err != nil {
					return err
				}
			}
		case xml.EndElement:
			if phDepth > 0 && x.depth < phDepth {
				phDepth = 0
			}
			switch t.Name.Local {
			case "t":
				inText--
			case "p", "tr":
				out.newline()
			case "tc":
				out.tabulate()
			}
		case xml.CharData:
			if inText > 0 && phDepth == 0 {
				if err := out.text(string(t)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	out.newline()
	return nil
}

// ---- Spreadsheets ----

type sheetRef struct{ name, part string }

func xlsxText(r io.ReaderAt, size int64, lim Limits, out *sink) error {
	p, err := openPkg(r, size, lim)
	if err != nil {
		return err
	}
	main, err := p.mainPart("xl/workbook.xml")
	if err != nil {
		return err
	}
	rs, err := p.rels(main)
	if err != nil {
		return err
	}
	byID := map[string]string{}
	sstPart, stylesPart := "xl/sharedStrings.xml", "xl/styles.xml"
	for _, r := range rs {
		byID[r.id] = r.target
		switch r.typ {
		case "sharedStrings":
			sstPart = r.target
		case "styles":
			stylesPart = r.target
		}
	}
	var sheets []sheetRef
	date1904 := false
	rc, err := p.open(main)
	if err != nil {
		return err
	}
	x := newXML(rc, main)
	for {
		t, err := x.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			rc.Close()
			return err
		}
		if se, ok := t.(xml.StartElement); ok {
			switch se.Name.Local {
			case "sheet":
				if tg, ok := byID[attrNS(se, "relationships", "id")]; ok {
					sheets = append(sheets, sheetRef{attr(se, "name"), tg})
				}
			case "workbookPr":
				v := attr(se, "date1904")
				date1904 = v == "1" || v == "true"
			}
		}
	}
	rc.Close()
	sst, err := p.sharedStrings(sstPart, lim)
	if err != nil && !errors.Is(err, errNoPart) {
		return err
	}
	dates, err := p.cellStyles(stylesPart)
	if err != nil && !errors.Is(err, errNoPart) {
		return err
	}
	for _, s := range sheets {
		if err := out.text(s.name); err != nil {
			return err
		}
		out.newline()
		if err := p.sheet(s.part, sst, dates, date1904, out); err != nil && !errors.Is(err, errNoPart) {
			return err
		}
		out.newline()
	}
	return nil
}

// sharedStrings reads the shared string table (part 1 §18.4): the text of
// each si, phonetic runs (rPh) left out. Its total size is bounded by the
// package's decompression budget.
func (p *pkg) sharedStrings(part string, lim Limits) ([]string, error) {
	var (
		sst    []string
		cur    strings.Builder
		inSI   bool
		inText int
	)
	err := p.eachToken(part, func(x *xmlReader, t xml.Token) error {
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI = true
				cur.Reset()
			case "t":
				inText++
			case "rPh":
				if err := x.skip(); err != nil {
					return err
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				inSI = false
				sst = append(sst, cur.String())
			case "t":
				inText--
			}
		case xml.CharData:
			if inSI && inText > 0 && cur.Len() < lim.MaxText {
				cur.Write(t)
			}
		}
		return nil
	})
	return sst, err
}

// Number format kinds of a cell style.
const (
	fmtNumber = iota
	fmtDate
	fmtPercent
)

// cellStyles reads, for each cell format (cellXfs/xf, part 1 §18.8.10),
// whether its number format shows a date, a percentage, or a number.
func (p *pkg) cellStyles(part string) ([]uint8, error) {
	custom := map[int]uint8{}
	var kinds []uint8
	inXfs := false
	err := p.eachToken(part, func(x *xmlReader, t xml.Token) error {
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "numFmt":
				id, err := strconv.Atoi(attr(t, "numFmtId"))
				if err == nil {
					custom[id] = formatKind(attr(t, "formatCode"))
				}
			case "cellXfs":
				inXfs = true
			case "xf":
				if !inXfs {
					return nil
				}
				id, _ := strconv.Atoi(attr(t, "numFmtId"))
				k, ok := custom[id]
				if !ok {
					k = builtinFormatKind(id)
				}
				if len(kinds) < 1<<20 {
					kinds = append(kinds, k)
				}
			}
		case xml.EndElement:
			if t.Name.Local == "cellXfs" {
				inXfs = false
			}
		}
		return nil
	})
	return kinds, err
}

// builtinFormatKind classifies the built-in number formats (part 1
// §18.8.30), including the East Asian date formats.
func builtinFormatKind(id int) uint8 {
	switch {
	case id == 9 || id == 10:
		return fmtPercent
	case id >= 14 && id <= 22, id >= 27 && id <= 36, id >= 45 && id <= 47, id >= 50 && id <= 58, id >= 71 && id <= 81:
		return fmtDate
	}
	return fmtNumber
}

// formatKind classifies a custom number format code: a date or time when
// it has date or time letters outside quotes, brackets and escapes, a
// percentage when it has a bare %.
func formatKind(code string) uint8 {
	// Only the first section (positive numbers) matters.
	inQuote, inBracket, esc := false, false, false
	k := uint8(fmtNumber)
	for _, c := range code {
		switch {
		case esc:
			esc = false
		case inQuote:
			inQuote = c != '"'
		case inBracket:
			if c == ']' {
				inBracket = false
			}
		case c == '\\' || c == '_' || c == '*':
			esc = true
		case c == '"':
			inQuote = true
		case c == '[':
			inBracket = true
		case c == ';':
			return k
		case strings.ContainsRune("dDmMyYhHsS", c):
			return fmtDate
		case c == '%':
			k = fmtPercent
		}
	}
	return k
}

// sheet writes a worksheet (part 1 §18.3): rows in file order, one line
// each, cells tab-separated at their columns (gaps of at most 32 tabs).
func (p *pkg) sheet(part string, sst []string, kinds []uint8, date1904 bool, out *sink) error {
	var (
		col      int // next column to write in the row
		cellCol  int
		typ      string
		style    int
		val      strings.Builder
		inV      bool
		inIS     bool
		inText   int
		haveCell bool
	)
	err := p.eachToken(part, func(x *xmlReader, t xml.Token) error {
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				col = 0
			case "c":
				haveCell = true
				typ = attr(t, "t")
				style, _ = strconv.Atoi(attr(t, "s"))
				cellCol = columnOf(attr(t, "r"), col)
				val.Reset()
			case "v":
				inV = true
			case "is":
				inIS = true
			case "t":
				inText++
			case "rPh", "f", "extLst":
				if err := x.skip(); err != nil {
					return err
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v":
				inV = false
			case "is":
				inIS = false
			case "t":
				inText--
			case "c":
				if !haveCell {
					return nil
				}
				haveCell = false
				s := cellText(typ, strings.TrimSpace(val.String()), val.String(), style, sst, kinds, date1904)
				if s == "" {
					return nil
				}
				if col > 0 {
					gap := min(max(cellCol-col, 0), 31) + 1
					for range gap {
						out.tabulate()
					}
				} else {
					for range min(cellCol, 32) {
						out.tabulate()
					}
				}
				col = cellCol + 1
				if err := out.text(s); err != nil {
					return err
				}
			case "row":
				out.newline()
			}
		case xml.CharData:
			if inV || (inIS && inText > 0) {
				if val.Len() < maxFieldLen*16 {
					val.Write(t)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return nil
}

// columnOf returns the zero-based column of a cell reference ("C7"), or
// def when there is none.
func columnOf(ref string, def int) int {
	c := 0
	i := 0
	for ; i < len(ref) && i < 4; i++ {
		ch := ref[i] | 0x20
		if ch < 'a' || ch > 'z' {
			break
		}
		c = c*26 + int(ch-'a'+1)
	}
	if i == 0 {
		return def
	}
	return c - 1
}

// cellText renders a cell value as a spreadsheet shows it, roughly.
func cellText(typ, v, raw string, style int, sst []string, kinds []uint8, date1904 bool) string {
	switch typ {
	case "s":
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= len(sst) {
			return ""
		}
		return sst[i]
	case "inlineStr", "str":
		return raw
	case "b":
		if v == "1" {
			return "TRUE"
		}
		return "FALSE"
	case "e", "d":
		return v
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return v
	}
	integer := v != "" && strings.Trim(v, "-0123456789") == ""
	k := uint8(fmtNumber)
	if style >= 0 && style < len(kinds) {
		k = kinds[style]
	}
	switch k {
	case fmtDate:
		if s, ok := serialDate(f, date1904); ok {
			return s
		}
	case fmtPercent:
		return formatNumber(f*100) + "%"
	}
	if integer {
		return v
	}
	return formatNumber(f)
}

// formatNumber writes f with at most 15 significant digits, as
// spreadsheets do.
func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	s := strconv.FormatFloat(f, 'g', 15, 64)
	if strings.ContainsAny(s, "e") {
		return s
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// serialDate converts a spreadsheet date serial number (days since
// 1899-12-30, or since 1904-01-01) to "2006-01-02" or "2006-01-02
// 15:04:05", and a time of day alone to "15:04:05".
func serialDate(f float64, date1904 bool) (string, bool) {
	if f < 0 || f > 2958466 || math.IsNaN(f) {
		return "", false
	}
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	days := math.Floor(f)
	secs := math.Round((f - days) * 86400)
	t := base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
	switch {
	case days == 0 && !date1904:
		return t.Format("15:04:05"), true
	case secs == 0:
		return t.Format("2006-01-02"), true
	}
	return t.Format("2006-01-02 15:04:05"), true
}
