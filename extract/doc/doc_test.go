package doc

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"

	"github.com/pangolin-forensics/pangolin/internal/testdocx"
)

const (
	mimeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	mimePPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	mimeODT  = "application/vnd.oasis.opendocument.text"
	mimeODS  = "application/vnd.oasis.opendocument.spreadsheet"
)

// zipOf builds a ZIP archive of name/content pairs, deflated.
func zipOf(t testing.TB, files ...string) []byte {
	t.Helper()
	b, err := testdocx.Zip(files...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const relsNS = `xmlns="http://schemas.openxmlformats.org/package/2006/relationships"`
const rNS = `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`

const coreXML = `<?xml version="1.0" encoding="UTF-8"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">
<dc:title>Timber samples</dc:title><dc:creator>Alice Mwangi</dc:creator><cp:lastModifiedBy>Bảo Trần</cp:lastModifiedBy>
<cp:revision>7</cp:revision><dcterms:created>2021-03-04T05:06:07Z</dcterms:created><dcterms:modified>2021-04-05T06:07:08Z</dcterms:modified>
<cp:keywords>rosewood</cp:keywords><cp:lastPrinted>2021-04-01T00:00:00Z</cp:lastPrinted></cp:coreProperties>`

const appXML = `<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
<TotalTime>42</TotalTime><Pages>3</Pages><Words>120</Words><Application>Microsoft Office Word</Application><Company>Kilwa Timber Ltd</Company><AppVersion>16.0000</AppVersion>
<TitlesOfParts><vt:vector size="1" baseType="lpstr"><vt:lpstr>x</vt:lpstr></vt:vector></TitlesOfParts></Properties>`

func buildDOCX(t testing.TB, body string) []byte {
	t.Helper()
	b, err := testdocx.Doc{
		Body:   body,
		Footer: `<w:p><w:r><w:t>Page footer</w:t></w:r></w:p>`,
		Links:  []string{"http://example.org/"},
		Core:   coreXML,
		App:    appXML,
	}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const docxBody = `<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Invoice</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">for </w:t></w:r><w:r><w:t>timber samples</w:t></w:r></w:p>` +
	`<w:p><w:r><w:t>Line one</w:t><w:br/><w:t>Line two</w:t></w:r><w:r><w:instrText>HYPERLINK "x"</w:instrText></w:r></w:p>` +
	`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Mninga</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>12 m³</w:t></w:r></w:p></w:tc></w:tr></w:tbl>` +
	`<w:p><w:del><w:r><w:delText>deleted words</w:delText></w:r></w:del></w:p>` +
	`<w:p><mc:AlternateContent><mc:Choice Requires="wps"><w:r><w:t>Text box</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>Text box</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>`

func buildXLSX(t testing.TB) []byte {
	return zipOf(t,
		"_rels/.rels", `<Relationships `+relsNS+`><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/_rels/workbook.xml.rels", `<Relationships `+relsNS+`><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
		"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" `+rNS+`><sheets><sheet name="Отгрузка" sheetId="2" r:id="rId2"/><sheet name="Invoices" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/sharedStrings.xml", `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Species</t></si><si><r><t>Pterocarpus </t></r><r><t>erinaceus</t></r><rPh><t>ignored</t></rPh></si></sst>`,
		"xl/styles.xml", `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="10"/></cellXfs></styleSheet>`,
		"xl/worksheets/sheet1.xml", `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
			`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>`+
			`<row r="2"><c r="A2" s="1"><v>44261</v></c><c r="B2"><v>1.1000000000000001</v></c><c r="C2" t="inlineStr"><is><t>inline text</t></is></c><c r="D2" t="b"><v>1</v></c><c r="E2" s="2"><v>0.025</v></c><c r="F2"><f>SUM(B2)</f><v>1.1</v></c></row>`+
			`</sheetData></worksheet>`,
		"xl/worksheets/sheet2.xml", `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="str"><v>Хабаровск</v></c></row></sheetData></worksheet>`,
	)
}

func buildPPTX(t testing.TB) []byte {
	slide := func(text string) string {
		return `<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>` + text + `</a:t></a:r><a:br/><a:r><a:t>second line</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`
	}
	return zipOf(t,
		"_rels/.rels", `<Relationships `+relsNS+`><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="ppt/presentation.xml"/></Relationships>`,
		"ppt/_rels/presentation.xml.rels", `<Relationships `+relsNS+`><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide1.xml"/><Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide2.xml"/></Relationships>`,
		"ppt/presentation.xml", `<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" `+rNS+`><p:sldIdLst><p:sldId id="256" r:id="rId8"/><p:sldId id="257" r:id="rId7"/></p:sldIdLst></p:presentation>`,
		"ppt/slides/slide1.xml", slide("Second slide"),
		"ppt/slides/slide2.xml", slide("First slide"),
		"ppt/slides/_rels/slide2.xml.rels", `<Relationships `+relsNS+`><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/notesSlide" Target="../notesSlides/notesSlide1.xml"/></Relationships>`,
		"ppt/notesSlides/notesSlide1.xml", `<p:notes xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:p><a:r><a:t>Speaker notes</a:t></a:r></a:p></p:notes>`,
	)
}

func buildODT(t testing.TB, mimetype, body string) []byte {
	return zipOf(t,
		"mimetype", mimetype,
		"meta.xml", `<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta>`+
			`<meta:generator>LibreOffice/7.4</meta:generator><dc:title>Hóa đơn</dc:title><meta:initial-creator>Juma Hamisi</meta:initial-creator><dc:creator>Wang Wei</dc:creator>`+
			`<meta:creation-date>2020-01-02T03:04:05</meta:creation-date><dc:date>2020-02-03T04:05:06.123456789</dc:date><meta:editing-cycles>4</meta:editing-cycles>`+
			`<meta:document-statistic meta:page-count="2" meta:word-count="9"/><meta:user-defined meta:name="Port">Mombasa</meta:user-defined></office:meta></office:document-meta>`,
		"content.xml", `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body>`+body+`</office:body></office:document-content>`,
	)
}

const odtBody = `<office:text><text:sequence-decls><text:sequence-decl text:name="Figure"/></text:sequence-decls>` +
	`<text:h text:outline-level="1">Mbao za mninga</text:h><text:p>Two<text:s text:c="3"/>spaces<text:tab/>tab <text:span>span</text:span><text:line-break/>next line</text:p></office:text>`

const odsBody = `<office:spreadsheet><table:table table:name="S"><table:table-row><table:table-cell><text:p>Gỗ trắc</text:p></table:table-cell><table:table-cell table:number-columns-repeated="2"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>`

func TestText(t *testing.T) {
	utf16 := func(s string) []byte {
		b, _ := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().Bytes([]byte(s))
		return b
	}
	gbk := func(s string) string {
		b, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
		return string(b)
	}
	cp1251 := func(s string) []byte {
		b, _ := charmap.Windows1251.NewEncoder().Bytes([]byte(s))
		return b
	}
	tests := []struct {
		name string
		data []byte
		mime string
		want string
	}{
		{"docx", buildDOCX(t, docxBody), mimeDOCX, "Invoice\tfor timber samples\nLine one\nLine two\nMninga\t12 m³\ndeleted words\nText box\nPage footer"},
		{"docx as zip", buildDOCX(t, `<w:p><w:r><w:t>found by sniffing</w:t></w:r></w:p>`), "application/zip", "found by sniffing\nPage footer"},
		{"xlsx", buildXLSX(t), mimeXLSX, "Отгрузка\nХабаровск\nInvoices\nSpecies\t\tPterocarpus erinaceus\n2021-03-06\t1.1\tinline text\tTRUE\t2.5%\t1.1"},
		{"pptx", buildPPTX(t), mimePPTX, "First slide\nsecond line\nSpeaker notes\nSecond slide\nsecond line"},
		{"odt", buildODT(t, mimeODT, odtBody), mimeODT, "Mbao za mninga\nTwo spaces\ttab span\nnext line"},
		{"ods", buildODT(t, mimeODS, odsBody), mimeODS, "Gỗ trắc\tx\tx"},
		{"rtf cp1251 hex", []byte(`{\rtf1\ansi\ansicpg1251\deff0{\fonttbl{\f0\froman Times;}}{\colortbl;\red0\green0\blue0;}` +
			`\pard \'cf\'f0\'e8\'e2\'e5\'f2\par second\tab line}`), "text/rtf", "Привет\nsecond\tline"},
		{"rtf cp936 font charset", []byte(`{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}{\f1\fcharset134 SimSun;}}` +
			`\f1 ` + hexEscape(gbk("木材样本")) + `\f0  done\par}`), "text/rtf", "木材样本 done"},
		{"rtf unicode escapes", []byte(`{\rtf1\ansi\uc1 Ti\u7871?ng Vi\u7879?t \uc2\u8364\'80\'80 \uc1\u-10179?\u-8704? end\par}`), "text/rtf", "Tiếng Việt € 😀 end"},
		{"rtf skips destinations", []byte(`{\rtf1{\*\generator Writer;}{\stylesheet{\s0 Normal;}}{\*\unknowndest secret}{\pict\binary \bin4 }}}{}visible{\field{\*\fldinst HYPERLINK "x"}{\fldrslt link}}\line \'e9t\'e9}`), "text/rtf", "visiblelink\nété"},
		{"html", cp1251(`<html><head><meta charset="windows-1251"><title>Заголовок</title><style>p{}</style><script>var x="no";</script></head>` +
			`<body><p>Привет &amp; <b>bold</b></p><table><tr><td>a</td><td>b</td></tr></table></body></html>`), "text/html", "Заголовок\nПривет & bold\na\tb"},
		{"html utf-16", utf16("<p>Wood</p><p>mbao</p>"), "text/html", "Wood\nmbao"},
		{"text utf-16le bom", utf16("Mbao\r\nza mninga"), "text/plain", "Mbao\nza mninga"},
		{"text utf-8 bom", []byte("\xEF\xBB\xBFGỗ trắc"), "text/plain", "Gỗ trắc"},
		{"text cp1251", cp1251("Накладная на образцы древесины, составленная в Хабаровске"), "text/plain", "Накладная на образцы древесины, составленная в Хабаровске"},
		{"text sniffed", []byte("plain words"), "", "plain words"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Text(bytes.NewReader(tc.data), int64(len(tc.data)), tc.mime, Limits{})
			if err != nil {
				t.Fatalf("Text: %v", err)
			}
			if got != tc.want {
				t.Errorf("Text =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func hexEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, `\'%02x`, s[i])
	}
	return b.String()
}

func TestMetadata(t *testing.T) {
	fields := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name       string
		data       []byte
		mime       string
		format     string
		want       map[string]string
		author     string
		lastAuthor string
		created    time.Time
		local      bool
	}{
		{"docx", buildDOCX(t, ""), mimeDOCX, "ooxml", fields("Title", "Timber samples", "Creator", "Alice Mwangi", "LastModifiedBy", "Bảo Trần",
			"RevisionNumber", "7", "CreateDate", "2021-03-04T05:06:07Z", "ModifyDate", "2021-04-05T06:07:08Z", "Keywords", "rosewood",
			"LastPrinted", "2021-04-01T00:00:00Z", "TotalEditTime", "42", "Pages", "3", "Words", "120", "Company", "Kilwa Timber Ltd",
			"Application", "Microsoft Office Word", "AppVersion", "16.0000"),
			"Alice Mwangi", "Bảo Trần", time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC), false},
		{"odt", buildODT(t, mimeODT, odtBody), mimeODT, "odf", fields("Generator", "LibreOffice/7.4", "Title", "Hóa đơn", "Initial-creator", "Juma Hamisi",
			"Creator", "Wang Wei", "Creation-date", "2020-01-02T03:04:05", "Editing-cycles", "4", "Document-statisticPage-count", "2",
			"User-defined", "Port=Mombasa"), "Juma Hamisi", "Wang Wei", time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), true},
		{"rtf", []byte(`{\rtf1\ansi\ansicpg1252{\info{\title Test d\'92indexation}{\author Bibliotheque}{\operator Nick}{\*\company Universite Laval}` +
			`{\creatim\yr2006\mo5\dy18\hr12\min19}{\revtim\yr2007\mo1\dy2\hr3\min4}\version2\nofpages1}text}`), "text/rtf", "rtf",
			fields("Title", "Test d’indexation", "Author", "Bibliotheque", "LastModifiedBy", "Nick", "Company", "Universite Laval",
				"CreateDate", "2006-05-18T12:19:00", "ModifyDate", "2007-01-02T03:04:00", "RevisionNumber", "2", "Pages", "1"),
			"Bibliotheque", "Nick", time.Date(2006, 5, 18, 12, 19, 0, 0, time.UTC), true},
		{"html", []byte(`<html><head><title> Invoice </title><meta name="author" content="K. Otieno"><meta name="generator" content="Word"><meta name="dc.creator" content="K. O."></head></html>`),
			"text/html", "html", fields("Title", "Invoice", "Author", "K. Otieno", "Generator", "Word", "Creator", "K. O."), "K. Otieno", "", time.Time{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Metadata(bytes.NewReader(tc.data), int64(len(tc.data)), tc.mime)
			if err != nil {
				t.Fatal(err)
			}
			if m.Format != tc.format {
				t.Errorf("Format = %q, want %q", m.Format, tc.format)
			}
			got := map[string]string{}
			for _, f := range m.Fields {
				got[f.Name] = f.Value
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			if m.Author != tc.author || m.LastAuthor != tc.lastAuthor {
				t.Errorf("Author, LastAuthor = %q, %q; want %q, %q", m.Author, m.LastAuthor, tc.author, tc.lastAuthor)
			}
			if !m.Created.Equal(tc.created) || m.CreatedLocal != tc.local {
				t.Errorf("Created = %v (local %v), want %v (local %v)", m.Created, m.CreatedLocal, tc.created, tc.local)
			}
		})
	}
}

func TestUnsupported(t *testing.T) {
	for _, mime := range []string{"application/pdf", "image/jpeg", "application/msword"} {
		if _, err := Text(bytes.NewReader(nil), 0, mime, Limits{}); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Text(%s) error = %v, want ErrUnsupported", mime, err)
		}
		if _, err := Metadata(bytes.NewReader(nil), 0, mime); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Metadata(%s) error = %v, want ErrUnsupported", mime, err)
		}
	}
	bin := []byte("\x00\x01\x02\x03binary\x00\x00\xff\xfe\x00\x01")
	if _, err := Text(bytes.NewReader(bin), int64(len(bin)), "", Limits{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Text of binary with no type: %v, want ErrUnsupported", err)
	}
}

func TestDetectEncoding(t *testing.T) {
	for _, s := range handSamples {
		b, err := s.e.NewEncoder().Bytes([]byte(s.text))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(s.name+" "+s.enc, func(t *testing.T) {
			if got := DetectEncoding(b).Name; got != s.enc {
				t.Errorf("DetectEncoding = %s, want %s", got, s.enc)
			}
		})
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"ascii", []byte("plain"), "utf-8"},
		{"utf-8 cut rune", []byte("caf\xc3"), "utf-8"},
		{"utf-16be no bom", []byte("\x00W\x00o\x00o\x00d\x00 \x00s\x00a\x00m\x00p\x00l\x00e"), "utf-16be"},
		{"utf-32le bom", []byte("\xff\xfe\x00\x00W\x00\x00\x00"), "utf-32le"},
		{"french 1252", []byte("L'\xe9chantillon de bois pr\xe9lev\xe9 \xe0 la fronti\xe8re \xe9tait d\xe9clar\xe9 comme du pin."), "windows-1252"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DetectEncoding(tc.data).Name; got != tc.want {
				t.Errorf("DetectEncoding = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	u16, _ := xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM).NewEncoder().Bytes([]byte("wide string"))
	data := append([]byte("\x00\x01abc\x00\x02timber samples\xff\xfe\x00"), 0x07)
	data = append(data, u16...)
	data = append(data, "\x00\x00Gỗ trắc\x01"...)
	got, err := Strings(bytes.NewReader(data), int64(len(data)), 4, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := "timber samples\nwide string\nGỗ trắc"
	if got != want {
		t.Errorf("Strings = %q, want %q", got, want)
	}
	got, err = Strings(bytes.NewReader(data), int64(len(data)), 4, Limits{MaxText: 6})
	if !errors.Is(err, ErrTruncated) || got != "timber" {
		t.Errorf("Strings limited = %q, %v; want \"timber\", ErrTruncated", got, err)
	}
}

func TestTruncated(t *testing.T) {
	data := []byte(strings.Repeat("mbao ", 1000))
	got, err := Text(bytes.NewReader(data), int64(len(data)), "text/plain", Limits{MaxText: 12})
	if !errors.Is(err, ErrTruncated) || got != "mbao mbao mb" {
		t.Errorf("Text = %q, %v; want 12 bytes and ErrTruncated", got, err)
	}
}
