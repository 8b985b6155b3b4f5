// Package doc reads the metadata and the text of office documents, RTF,
// HTML and plain text, for the catalogue and the full-text index.
//
// [Metadata] returns a document's properties (authors, dates, title,
// company, counts) as an [extract.Metadata], field names as exiftool names
// them. [Text] returns the document's text as UTF-8, with paragraphs on
// lines of their own and table cells separated by tabs. [Strings] is the
// fallback for files no reader handles: printable runs, like strings(1).
// Each takes the file's content as an [io.ReaderAt] and its size, and the
// MIME type that [filetype.Detect] (or the pipeline, for text formats)
// gave the file; a type it does not handle gives [ErrUnsupported], so that
// the caller can try another extractor.
//
// # Formats
//
//   - Office Open XML (ECMA-376): DOCX, DOCM, DOTX, XLSX, XLSM, PPTX, PPTM.
//     Properties come from docProps/core.xml and docProps/app.xml. Text
//     comes from the main document part and the headers, footers,
//     footnotes, endnotes and comments it relates to; from every worksheet
//     in workbook order (shared strings, inline strings, numbers, booleans;
//     numbers in a date format are written as dates), one row per line and
//     cells separated by tabs, each sheet preceded by its name; from every
//     slide in presentation order, then the slide's notes.
//   - OpenDocument (ODF 1.3): ODT, ODS, ODP, ODG, and the flat XML forms
//     FODT, FODS, FODP. Properties from meta.xml, text from content.xml.
//   - RTF 1.9.1: the \info group and the body text. Hex escapes are decoded
//     through the code page in force (\ansicpg, or the \fcharset of the
//     current font), Unicode escapes honour \uc skip counts.
//   - HTML: text through golang.org/x/net/html's tokenizer, without
//     scripts, styles and the head (except the title); properties from the
//     title and the named meta elements. The encoding comes from a byte
//     order mark, a meta charset or http-equiv declaration (the WHATWG
//     prescan), else from [DetectEncoding].
//   - Plain text in any encoding [DetectEncoding] recognises.
//
// Binary Word, Excel and PowerPoint files (OLE compound files), XLSB, PDF
// and e-mail are left to other extractors, as are encrypted documents
// (an encrypted OOXML file is an OLE compound file and gives
// [ErrUnsupported]). Embedded objects and images are not opened; their
// alternative text is not read.
//
// # Encoding detection
//
// [DetectEncoding] trusts, in order: a byte order mark (UTF-8, UTF-16,
// UTF-32), valid UTF-8, and UTF-16 without a mark (NULs in every other
// byte). Otherwise it decodes a sample of at most 64 KiB with each
// candidate legacy encoding (windows-1252, -1250, -1251, -1253, -874,
// -1258, IBM 866, GB18030, Big5, Shift_JIS, EUC-KR, Mac Roman) and keeps
// the one whose text looks most like language: decoding errors and
// control characters count against a candidate; for single-byte code
// pages, words must be letters of one script, mostly lower case after the
// first letter, and Latin words mostly ASCII letters; for the CJK
// encodings, the share of the most frequent characters of Chinese, of kana
// for Japanese and of the most frequent Hangul syllables for Korean
// decides. The detector is a heuristic: it needs a few dozen non-ASCII
// letters to be reliable, cannot tell apart code pages that differ only in
// rarely used characters (windows-1252 and ISO-8859-15, windows-1250 and
// ISO-8859-2 are reported as the windows code page), confuses short
// Vietnamese text with windows-1252, and knows no other encodings (KOI8-R,
// EUC-JP, EBCDIC, UTF-7 text is read as its nearest candidate).
//
// # Limits
//
// [Limits] bounds the text returned (MaxText bytes, 8 MiB by default) and
// the bytes read and decompressed (MaxInput, 256 MiB by default). Text cut
// at MaxText is returned with [ErrTruncated]: it is valid, only shorter.
//
// # Security
//
// Input is hostile. Every reader streams: XML parts go through
// encoding/xml's Decoder and are never loaded whole, except for an XLSX
// file's shared strings, whose total is bounded by MaxInput. A ZIP member
// is read through a reader that stops at the smaller of its declared size
// and what is left of MaxInput, and fails when it inflates more than 100
// times its compressed size beyond its first MiB (a decompression bomb);
// archive/zip itself fails when a member inflates beyond its declared
// size. XML elements may nest at most 256 deep, RTF groups 512 deep (deeper
// groups are read as if at the limit), and a ZIP archive may hold at most
// 100,000 members. Malformed input gives an error or a shorter text, never
// a panic, and time is linear in the input. These properties are checked
// by fuzz tests (FuzzText, FuzzRTF) and by tests with bombs and deep
// nesting.
package doc

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pangolin-forensics/pangolin/extract"
)

// Limits bounds the work one call does. Zero fields take their defaults.
type Limits struct {
	// MaxText is the most bytes of text returned; 8 MiB by default.
	MaxText int
	// MaxInput is the most bytes read from the file and decompressed from
	// its parts, together; 256 MiB by default.
	MaxInput int64
}

// Default limits.
const (
	DefaultMaxText  = 8 << 20
	DefaultMaxInput = 256 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxText <= 0 {
		l.MaxText = DefaultMaxText
	}
	if l.MaxInput <= 0 {
		l.MaxInput = DefaultMaxInput
	}
	return l
}

// Errors callers branch on.
var (
	// ErrUnsupported means the MIME type is not one this package reads.
	ErrUnsupported = errors.New("doc: unsupported document type")
	// ErrTruncated comes with text cut at Limits.MaxText; the text is
	// still valid.
	ErrTruncated = errors.New("doc: text truncated at limit")
	// ErrTooLarge means a part would take more than Limits.MaxInput bytes
	// or inflates suspiciously (a decompression bomb).
	ErrTooLarge = errors.New("doc: input exceeds limits")
)

// FormatError is a malformed document. Offset is the byte offset in the
// file, or in the named part of a ZIP package, where the problem was seen.
type FormatError struct {
	Part   string // ZIP member, empty for the file itself
	Offset int64
	Msg    string
	Err    error // the underlying error, if any
}

func (e *FormatError) Error() string {
	s := "doc: "
	if e.Part != "" {
		s += e.Part + ": "
	}
	s += fmt.Sprintf("offset %d: %s", e.Offset, e.Msg)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *FormatError) Unwrap() error { return e.Err }

// kind is a document family this package reads.
type kind int

const (
	kindNone kind = iota
	kindDOCX
	kindXLSX
	kindPPTX
	kindODF
	kindFlatODF
	kindRTF
	kindHTML
	kindText
	kindZip // a ZIP archive to look into
)

// IsPackage reports whether mime is a document stored as a ZIP package
// (OOXML, OpenDocument) that [Metadata] and [Text] read whole: its members
// are parts of the document, not documents of their own.
func IsPackage(mime string) bool {
	switch kindOf(mime) {
	case kindDOCX, kindXLSX, kindPPTX, kindODF:
		return true
	}
	return false
}

// kindOf maps a MIME type (parameters ignored) to a family.
func kindOf(mime string) kind {
	if i := strings.IndexByte(mime, ';'); i >= 0 {
		mime = mime[:i]
	}
	mime = strings.ToLower(strings.TrimSpace(mime))
	switch mime {
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.ms-word.document.macroenabled.12",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.template",
		"application/vnd.ms-word.template.macroenabled.12":
		return kindDOCX
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"application/vnd.ms-excel.sheet.macroenabled.12",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.template",
		"application/vnd.ms-excel.template.macroenabled.12":
		return kindXLSX
	case "application/vnd.openxmlformats-officedocument.presentationml.presentation",
		"application/vnd.ms-powerpoint.presentation.macroenabled.12",
		"application/vnd.openxmlformats-officedocument.presentationml.slideshow",
		"application/vnd.ms-powerpoint.slideshow.macroenabled.12",
		"application/vnd.openxmlformats-officedocument.presentationml.template",
		"application/vnd.ms-powerpoint.template.macroenabled.12":
		return kindPPTX
	case "application/vnd.oasis.opendocument.text",
		"application/vnd.oasis.opendocument.spreadsheet",
		"application/vnd.oasis.opendocument.presentation",
		"application/vnd.oasis.opendocument.graphics",
		"application/vnd.oasis.opendocument.text-template",
		"application/vnd.oasis.opendocument.spreadsheet-template",
		"application/vnd.oasis.opendocument.presentation-template":
		return kindODF
	case "application/vnd.oasis.opendocument.text-flat-xml",
		"application/vnd.oasis.opendocument.spreadsheet-flat-xml",
		"application/vnd.oasis.opendocument.presentation-flat-xml":
		return kindFlatODF
	case "application/rtf", "text/rtf":
		return kindRTF
	case "text/html", "application/xhtml+xml":
		return kindHTML
	case "text/plain", "text/csv", "text/markdown", "text/tab-separated-values", "":
		return kindText
	case "application/zip":
		return kindZip
	}
	return kindNone
}

// Metadata returns the properties of the document in r (size bytes), whose
// MIME type is mime. It returns [ErrUnsupported] for types it does not
// read, and for plain text, which keeps no properties. Metadata is safe for
// concurrent use when r is.
func Metadata(r io.ReaderAt, size int64, mime string) (*extract.Metadata, error) {
	lim := Limits{}.withDefaults()
	if size < 0 {
		return nil, errors.New("doc: negative size")
	}
	k := kindOf(mime)
	if k == kindZip {
		k = sniffZip(r, size)
	}
	var (
		m   *extract.Metadata
		err error
	)
	switch k {
	case kindDOCX, kindXLSX, kindPPTX:
		m, err = ooxmlMetadata(r, size, lim)
	case kindODF:
		m, err = odfMetadata(r, size, lim)
	case kindFlatODF:
		m, _, err = flatODF(r, size, lim, false)
	case kindRTF:
		m, _, err = readRTF(io.NewSectionReader(r, 0, size), lim, false)
	case kindHTML:
		m, _, err = readHTML(r, size, lim, false)
	default:
		return nil, ErrUnsupported
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Text returns the text of the document in r (size bytes), whose MIME type
// is mime, as UTF-8. An empty mime is read as text of unknown encoding. It
// returns [ErrUnsupported] for types it does not read, and the text so far
// with [ErrTruncated] when the text reached lim.MaxText. A malformed
// document (a truncated part, broken XML) gives a [*FormatError] together
// with the text read before the damage, which a carved or damaged file may
// still make worth indexing; other errors come with no text. Text is safe
// for concurrent use when r is.
func Text(r io.ReaderAt, size int64, mime string, lim Limits) (string, error) {
	lim = lim.withDefaults()
	if size < 0 {
		return "", errors.New("doc: negative size")
	}
	k := kindOf(mime)
	if k == kindZip {
		k = sniffZip(r, size)
	}
	out := newSink(lim.MaxText)
	var err error
	switch k {
	case kindDOCX:
		err = docxText(r, size, lim, out)
	case kindXLSX:
		err = xlsxText(r, size, lim, out)
	case kindPPTX:
		err = pptxText(r, size, lim, out)
	case kindODF:
		err = odfText(r, size, lim, out)
	case kindFlatODF:
		var s *sink
		_, s, err = flatODF(r, size, lim, true)
		if s != nil {
			out = s
		}
	case kindRTF:
		var s *sink
		_, s, err = readRTF(io.NewSectionReader(r, 0, size), lim, true)
		if s != nil {
			out = s
		}
	case kindHTML:
		var s *sink
		_, s, err = readHTML(r, size, lim, true)
		if s != nil {
			out = s
		}
	case kindText:
		err = plainText(r, size, lim, out, strings.TrimSpace(mime) == "")
	default:
		return "", ErrUnsupported
	}
	if errors.Is(err, errFull) {
		err = nil
	}
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			return out.String(), err
		}
		return "", err
	}
	s := out.String()
	if out.full {
		return s, ErrTruncated
	}
	return s, nil
}
