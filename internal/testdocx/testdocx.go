// Package testdocx writes Word documents (.docx, Office Open XML
// WordprocessingML) and the ZIP archives under them, for the document
// extractor's tests and the sample case.
//
// [Doc.Bytes] writes the parts a word processor needs to open the file
// and those the tests read: [Content_Types].xml, the package
// relationships, word/document.xml with its relationships, and optionally
// a footer, external hyperlinks, and the core (Dublin Core) and extended
// (application) properties, whose parts the caller writes whole. Styles,
// settings, fonts and numbering are left out; word processors open the
// file without them. See ECMA-376 Part 1 (WordprocessingML) and Part 2 (Open Packaging
// Conventions).
//
// Reading documents is package extract/doc's job.
package testdocx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

// Zip returns a ZIP archive of name/content pairs, deflated, in the order
// given, each dated 1 January 2020 so that the same pairs give the same
// bytes.
func Zip(files ...string) ([]byte, error) {
	if len(files)%2 != 0 {
		return nil, fmt.Errorf("zip: %d names and contents do not pair", len(files))
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := 0; i < len(files); i += 2 {
		f, err := w.CreateHeader(&zip.FileHeader{
			Name:     files[i],
			Method:   zip.Deflate,
			Modified: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		})
		if err != nil {
			return nil, err
		}
		if _, err := f.Write([]byte(files[i+1])); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Doc is a Word document's content.
type Doc struct {
	// Body is the content of w:body before its w:sectPr: paragraphs
	// (w:p), tables (w:tbl), with the prefixes w (WordprocessingML) and
	// mc (markup compatibility) declared. See [Paragraphs].
	Body string
	// Footer is the content of the first page footer's w:ftr; "" for
	// no footer.
	Footer string
	// Links are the targets of external hyperlinks of the main part,
	// related as rId10, rId11, and so on.
	Links []string
	// Core and App are docProps/core.xml and docProps/app.xml, whole;
	// "" leaves them out.
	Core, App string
}

// Part content types and relationship types.
const (
	typeDoc    = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
	typeFooter = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
	typeCore   = "application/vnd.openxmlformats-package.core-properties+xml"
	typeApp    = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
	relDoc     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	relCore    = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
	nsW        = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
)

// Bytes returns the document as a .docx file.
func (d Doc) Bytes() ([]byte, error) {
	types := `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		override("/word/document.xml", typeDoc)
	pkgRels := rel("rId1", relDoc+"officeDocument", "word/document.xml", false)
	var docRels string
	var parts []string
	if d.Footer != "" {
		types += override("/word/footer1.xml", typeFooter)
		docRels += rel("rId2", relDoc+"footer", "footer1.xml", false)
		parts = append(parts, "word/footer1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
			`<w:ftr xmlns:w="`+nsW+`">`+d.Footer+`</w:ftr>`)
	}
	for i, l := range d.Links {
		docRels += rel(fmt.Sprintf("rId%d", 10+i), relDoc+"hyperlink", l, true)
	}
	if d.Core != "" {
		types += override("/docProps/core.xml", typeCore)
		pkgRels += rel("rId2", relCore, "docProps/core.xml", false)
		parts = append(parts, "docProps/core.xml", d.Core)
	}
	if d.App != "" {
		types += override("/docProps/app.xml", typeApp)
		pkgRels += rel("rId3", relDoc+"extended-properties", "docProps/app.xml", false)
		parts = append(parts, "docProps/app.xml", d.App)
	}
	return Zip(append([]string{
		"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` + types + `</Types>`,
		"_rels/.rels", relationships(pkgRels),
		"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<w:document xmlns:w="` + nsW + `" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">` +
			`<w:body>` + d.Body + `<w:sectPr/></w:body></w:document>`,
		"word/_rels/document.xml.rels", relationships(docRels),
	}, parts...)...)
}

func override(part, contentType string) string {
	return `<Override PartName="` + part + `" ContentType="` + contentType + `"/>`
}

// rel returns a Relationship element.
func rel(id, typ, target string, external bool) string {
	s := `<Relationship Id="` + id + `" Type="` + typ + `" Target="` + escape(target) + `"`
	if external {
		s += ` TargetMode="External"`
	}
	return s + `/>`
}

func relationships(rels string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels + `</Relationships>`
}

// Paragraphs returns a w:p for each line of text, its characters escaped
// and its tabs as w:tab.
func Paragraphs(lines ...string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("<w:p>")
		for i, run := range strings.Split(l, "\t") {
			b.WriteString("<w:r>")
			if i > 0 {
				b.WriteString("<w:tab/>")
			}
			b.WriteString(`<w:t xml:space="preserve">` + escape(run) + `</w:t></w:r>`)
		}
		b.WriteString("</w:p>")
	}
	return b.String()
}

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
