// Package pdf writes court reports as PDF 1.7 files, A4 portrait, in
// pure Go, and embeds files in them for integrity checks.
//
// # Writing
//
// [New] starts a [Document]; [Document.Heading], [Document.Paragraph],
// [Document.Mono], [Document.KeyValues], [Document.Table],
// [Document.Image] and [Document.Drawing] add content that flows down
// the page and onto new pages; [Document.PageBreak] forces a new page and
// [Document.Footer] sets a footer line that can name the page count.
// [Document.Bytes] and [Document.WriteTo] produce the file. Equal content
// and [Options] give byte-identical files: there are no random IDs, and
// the creation date is the caller's.
//
// Text is drawn with the fonts of reports/fonts, embedded as subsets
// (TrueType outlines, Type0 fonts with a CIDFontType2 descendant,
// Identity-H encoding and a CIDToGIDMap) with a ToUnicode map, so that
// text extraction (pdftotext, search in viewers) gives back what was
// written. Each character takes the first face of the style's fallback
// chain that has it: Noto Sans (Latin, Greek, Cyrillic), then Noto Sans
// Arabic, Noto Sans Thai, Droid Sans Fallback (Chinese, Japanese) and
// NanumSquare (Korean). A character no face has is drawn as the empty
// box .notdef, and still extracts as itself.
//
// Arabic is shaped with presentation forms (isolated, initial, medial
// and final letters, lam-alef ligatures). Lines are put in visual order
// by the implicit rules of the Unicode Bidirectional Algorithm (UAX #9),
// so that Arabic reads right to left and mixed Arabic and Latin lines
// stay readable; paragraphs that start with right-to-left text are
// aligned right. Thai and other combining marks sit over the character
// before them, as the fonts give them no advance, and a Thai tone mark
// over an upper vowel is raised above it. Lines wrap at spaces, between
// CJK characters and Thai syllables, and inside words too long for a
// line, such as hashes.
//
// # What it leaves out
//
// There is no OpenType layout: no kerning, no GPOS mark positioning
// beyond the Thai tone marks (Thai marks are not moved aside for tall
// consonants, Arabic vowel marks sit at the font's default height), no
// GSUB beyond Arabic presentation forms (so no Allah ligature, and
// letters that Unicode gives no presentation forms are not joined), and
// scripts that need shaping (Devanagari and other Indic scripts, Khmer,
// Myanmar) are drawn character by character, where a font has them.
// Explicit bidi controls (embeddings, overrides, isolates, marks) are
// dropped, not honoured, so that no text from evidence can make itself
// display in another order than its own. There are no outlines
// (bookmarks), links, tagged structure, PDF/A conformance, justification,
// hyphenation or italic; images are not resampled and EXIF orientation
// is not applied.
//
// # Untrusted text
//
// All text is treated as data from evidence. It is never written as PDF
// syntax: content streams show glyph numbers in hex, and Info strings
// are UTF-16BE in hex. Invalid UTF-8 and control characters are drawn as
// U+FFFD, and one call lays out at most 20,000 characters, the rest
// replaced by a note of how many bytes were left out. Images are decoded
// in full, within size limits, before they are placed.
//
// # Attachments
//
// [AppendAttachment] adds a file (such as the custody ledger excerpt a
// report is based on) to a finished report as an incremental update, so
// the report's bytes stay a prefix of the result. [ReadAttachment] gets
// it back with the length of that prefix; a verifier hashes the prefix
// and re-runs AppendAttachment to check that nothing else changed (see
// its documentation).
//
// ReadAttachment parses untrusted files: see the Security section of its
// documentation. Both read classic cross-reference tables only, as this
// package writes; cross-reference streams and encrypted files give
// [ErrUnsupported].
package pdf
