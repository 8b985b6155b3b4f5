package doc

import (
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pangolin-forensics/pangolin/extract"
)

// OpenDocument (OASIS ODF 1.3). Part 2 §3: a ZIP package with a stored
// "mimetype" member, properties in meta.xml (part 3 §4.2, office:meta)
// and the body in content.xml (office:body). The flat XML forms (.fodt)
// hold both in one office:document element.

// maxRepeat caps how often a repeated table cell or row with content is
// written (table:number-columns-repeated, table:number-rows-repeated).
const maxRepeat = 64

func odfMetadata(r io.ReaderAt, size int64, lim Limits) (*extract.Metadata, error) {
	p, err := openPkg(r, size, lim)
	if err != nil {
		return nil, err
	}
	m := &extract.Metadata{Format: "odf"}
	rc, err := p.open("meta.xml")
	if errors.Is(err, errNoPart) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if err := odfWalk(newXML(rc, "meta.xml"), m, nil); err != nil {
		return nil, err
	}
	return m, nil
}

func odfText(r io.ReaderAt, size int64, lim Limits, out *sink) error {
	p, err := openPkg(r, size, lim)
	if err != nil {
		return err
	}
	rc, err := p.open("content.xml")
	if err != nil {
		if errors.Is(err, errNoPart) {
			return &FormatError{Msg: "no content.xml", Err: err}
		}
		return err
	}
	err = odfWalk(newXML(rc, "content.xml"), nil, out)
	rc.Close()
	if err != nil {
		return err
	}
	// Master pages (styles.xml) hold page headers and footers, and the
	// text a presentation's master shows on every slide.
	rc, err = p.open("styles.xml")
	if errors.Is(err, errNoPart) {
		return nil
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	return odfWalk(newXML(rc, "styles.xml"), nil, out)
}

// flatODF reads a flat XML OpenDocument: metadata always, text when
// wantText.
func flatODF(r io.ReaderAt, size int64, lim Limits, wantText bool) (*extract.Metadata, *sink, error) {
	m := &extract.Metadata{Format: "odf"}
	var out *sink
	if wantText {
		out = newSink(lim.MaxText)
	}
	err := odfWalk(newXML(io.LimitReader(io.NewSectionReader(r, 0, size), lim.MaxInput), "flat"), m, out)
	if errors.Is(err, errFull) {
		err = nil
	}
	if err != nil {
		return nil, out, err
	}
	return m, out, nil
}

// odfWalk streams an ODF XML document: with m, it reads the office:meta
// element; with out, it writes the text of office:body.
func odfWalk(x *xmlReader, m *extract.Metadata, out *sink) error {
	return x.each(func(t xml.Token) error {
		se, ok := t.(xml.StartElement)
		if !ok {
			return nil
		}
		switch se.Name.Local {
		case "meta":
			if m != nil && strings.HasSuffix(se.Name.Space, ":office:1.0") {
				return odfMeta(x, m)
			}
		case "body", "master-styles":
			if out == nil {
				return x.skip()
			}
			return odfBody(x, out, se.Name.Local == "master-styles")
		case "styles", "automatic-styles", "font-face-decls", "settings", "scripts":
			return x.skip()
		}
		return nil
	})
}

// odfMeta reads the children of office:meta. Names follow exiftool:
// the element name with its first letter in upper case ("Initial-creator",
// "Creation-date", "Editing-cycles"); document-statistic attributes become
// "Document-statistic<Attr>".
func odfMeta(x *xmlReader, m *extract.Metadata) error {
	for {
		t, err := x.next()
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.EndElement:
			if x.depth < 0 || t.Name.Local == "meta" {
				fill(m)
				return nil
			}
		case xml.StartElement:
			l := t.Name.Local
			switch l {
			case "document-statistic":
				for _, a := range t.Attr {
					m.Fields = append(m.Fields, extract.Field{Name: "Document-statistic" + upperFirst(a.Name.Local), Value: a.Value})
				}
				if err := x.skip(); err != nil {
					return err
				}
				continue
			case "user-defined":
				name := attr(t, "name")
				v, err := x.textOf(maxFieldLen)
				if err != nil {
					return err
				}
				m.Fields = append(m.Fields, extract.Field{Name: "User-defined", Value: name + "=" + strings.TrimSpace(v)})
				continue
			case "template", "auto-reload", "hyperlink-behaviour":
				for _, a := range t.Attr {
					if a.Name.Local == "href" || a.Name.Local == "title" {
						m.Fields = append(m.Fields, extract.Field{Name: upperFirst(l) + upperFirst(a.Name.Local), Value: a.Value})
					}
				}
				if err := x.skip(); err != nil {
					return err
				}
				continue
			}
			if err := x.field(m, upperFirst(l)); err != nil {
				return err
			}
		}
	}
}

// fill sets the summary fields of m from its ODF fields.
func fill(m *extract.Metadata) {
	for _, f := range m.Fields {
		switch f.Name {
		case "Initial-creator":
			m.Author = f.Value
		case "Creator":
			m.LastAuthor = f.Value
		case "Creation-date":
			m.Created, m.CreatedLocal = parseW3CDTF(f.Value)
		case "Date":
			m.Modified, _ = parseW3CDTF(f.Value)
		}
	}
	if m.Author == "" {
		m.Author = m.LastAuthor
	}
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// odfSkip are body elements without document text: change-tracking
// records of deleted text are kept (text:deletion is inside
// text:changed-region), sequence declarations and forms are not.
var odfSkip = map[string]bool{
	"sequence-decls": true, "variable-decls": true, "user-field-decls": true,
	"forms": true, "tracked-changes-info": true, "binary-data": true,
	"named-expressions": true, "database-ranges": true, "calculation-settings": true,
	"content-validations": true, "label-ranges": true, "dde-links": true,
	// Index templates, not the index itself.
	"bibliography-source": true, "table-of-content-source": true, "alphabetical-index-source": true,
	"illustration-index-source": true, "object-index-source": true, "user-index-source": true,
	"table-index-source": true,
}

// odfMasterFields are fields a master page shows as placeholders
// ("<number>", "<date/time>") rather than text.
var odfMasterFields = map[string]bool{
	"page-number": true, "page-count": true, "date": true, "time": true, "sheet-name": true,
	"file-name": true, "title": true, "date-time": true, "header": false, "footer": false,
}

// odfBody writes the text of office:body (part 3 §5, §6, §9).
func odfBody(x *xmlReader, out *sink, master bool) error {
	start := x.depth
	// Repeated table cells: content of the current cell is collected and
	// written up to maxRepeat times.
	type cell struct {
		repeat int
		text   strings.Builder
	}
	var cur *cell
	cells := 0 // cells written in the current row
	emit := func(s string) error {
		if cur != nil {
			if cur.text.Len() < maxFieldLen*16 {
				cur.text.WriteString(s)
			}
			return nil
		}
		return out.text(s)
	}
	for {
		t, err := x.next()
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			l := t.Name.Local
			switch {
			case odfSkip[l], strings.HasPrefix(t.Name.Space, "http://purl.org/dc/"), master && odfMasterFields[l]:
				if err := x.skip(); err != nil {
					return err
				}
			case l == "frame" && attr(t, "placeholder") == "true":
				if err := x.skip(); err != nil {
					return err
				}
			case l == "s":
				n, _ := strconv.Atoi(attr(t, "c"))
				n = min(max(n, 1), 256)
				if err := emit(strings.Repeat(" ", n)); err != nil {
					return err
				}
			case l == "tab":
				if cur != nil {
					cur.text.WriteByte('\t')
				} else {
					out.tabulate()
				}
			case l == "line-break":
				if err := emit("\n"); err != nil {
					return err
				}
			case l == "table-cell" || l == "covered-table-cell":
				if cur == nil {
					n, _ := strconv.Atoi(attr(t, "number-columns-repeated"))
					cur = &cell{repeat: min(max(n, 1), maxRepeat)}
				}
			}
		case xml.EndElement:
			if x.depth < start {
				return nil
			}
			switch t.Name.Local {
			case "p", "h":
				if err := emit("\n"); err != nil {
					return err
				}
			case "table-cell", "covered-table-cell":
				if cur != nil {
					s := strings.TrimSpace(cur.text.String())
					rep := cur.repeat
					cur = nil
					if s != "" {
						for range rep {
							if cells > 0 {
								out.tabulate()
							}
							cells++
							if err := out.text(strings.ReplaceAll(s, "\n", " ")); err != nil {
								return err
							}
						}
					}
				}
			case "table-row":
				out.newline()
				cells = 0
			case "page", "table":
				out.newline()
			}
		case xml.CharData:
			if x.depth > start {
				// Character data counts inside paragraphs and headings only;
				// whitespace between elements elsewhere is layout.
				s := string(t)
				if strings.TrimSpace(s) == "" && !strings.Contains(s, " ") {
					continue
				}
				if err := emit(collapseSpace(s)); err != nil {
					return err
				}
			}
		}
	}
}

// collapseSpace turns runs of XML white space into one space, as ODF
// paragraph content is read (part 3 §6.1.2).
func collapseSpace(s string) string {
	if !strings.ContainsAny(s, "\n\r\t") && !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	sp := false
	for _, r := range s {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			if !sp {
				b.WriteByte(' ')
			}
			sp = true
			continue
		}
		sp = false
		b.WriteRune(r)
	}
	return b.String()
}
