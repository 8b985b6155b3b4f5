// Package filetype identifies a file's content type from its first bytes and
// flags file names whose extension contradicts that content.
//
// The processing pipeline calls [Detect] once per file with the file's head
// (its first [HeadSize] bytes, or fewer for a shorter file) and [Mismatch]
// with the file's name and the detected [Type]. Both are pure functions of
// their arguments: the same bytes always give the same answer, on every run
// and every platform, which a report that cites the result relies on.
//
// # What is detected
//
// Signatures come from github.com/h2non/filetype's matcher functions (images,
// audio, video, archives, fonts, executables, PDF, Office Open XML), checked
// in a fixed order that this package owns. [Detect] does not call
// filetype.Match: that function tries overlapping matchers in Go map order,
// so an OLE file, an ISO base media file or an EPUB can come back as a
// different type from one run to the next, and a matcher registered anywhere
// else in the binary would change its answers. Several of the library's
// short signatures ("BM", "GIF", "MZ", "ID3", bytes 8 to 11 "WEBP") are
// tightened with a look at the header fields that follow, so that plain text
// that happens to start with those letters is not reported as binary.
//
// This package adds what the library lacks or gets wrong for evidence work:
//
//   - EnCase evidence files: EWF (E01, also SMART S01), EWF2 (Ex01) and the
//     logical L01 and Lx01 files.
//   - Outlook PST/OST stores, and Outlook MSG items told apart from other OLE
//     compound files by the names in the compound file's directory (see
//     below).
//   - ISO base media files (MP4 family) classified by the brands of their ftyp
//     box: HEIC, HEIF, AVIF, Canon CR3, QuickTime, 3GPP, 3GPP2, MPEG-4 audio
//     and video. The library reports HEIC as image/heif, does not know AVIF,
//     and picks among MP4, QuickTime and 3GPP at random for some files.
//   - QuickTime files that start with a moov, mdat, wide, free, skip or pnot
//     atom instead of an ftyp box.
//   - Matroska and WebM told apart by the EBML DocType.
//   - ZIP containers named from the entries whose local headers lie in the
//     head: a "mimetype" entry (EPUB, OpenDocument text, spreadsheet,
//     presentation, drawing), the main part's content type in an Office Open
//     XML package's [Content_Types].xml (inflated from the head; this tells
//     macro-enabled docm, xlsm and pptm from docx, xlsx and pptx), then the
//     library's OOXML check and word/, xl/ or ppt/ entries. A package whose
//     telling entries lie beyond the head is reported as application/zip.
//   - Camera raw files with their own signatures (Fujifilm RAF, Canon CRW,
//     Panasonic RW2, Olympus ORF, Minolta MRW, Sigma X3F) and BigTIFF.
//   - SQLite 3 databases (full 16-byte header), Windows event logs (EVTX and
//     legacy EVT), registry hives, shortcuts (LNK), prefetch files, JPEG XL,
//     DOS EPS and Java class files (told apart from fat Mach-O binaries, which
//     share their magic number).
//   - PDF files whose "%PDF-" header follows other bytes within the first
//     KiB, as PDF readers accept (a known way to hide a PDF).
//
// OLE compound files (D0 CF 11 E0 A1 B1 1A E1) are classified from the
// compound file's own structures: the header gives the sector size (shift at
// offset 0x1E) and the first directory sector (offset 0x30); the directory
// chain is followed through the FAT for as long as the sectors lie inside the
// head. An entry named "__substg1.0_…", "__properties_version1.0" or
// "__nameid_version1.0", or the root CLSID {00020D0B-0000-0000-C000-
// 000000000046}, means an Outlook MSG item. Otherwise the stream names
// ("WordDocument", "Workbook", "PowerPoint Document", "VisioDocument",
// "Quill") or the root CLSID identify Word, Excel, PowerPoint, Visio,
// Publisher and Windows Installer files. When the directory lies beyond the
// head, the library's check of the first bytes of sector 0 decides between
// Word, Excel and PowerPoint; failing that the answer is a generic OLE
// storage ("application/x-ole-storage", "ole").
//
// TIFF-based camera raw formats (DNG, NEF, ARW, PEF and others) are reported
// as image/tiff, and Canon CR2 as image/x-canon-cr2: telling the TIFF-based
// formats apart needs their IFD tags, which is the metadata extractor's job.
//
// # What is left to others
//
// Text formats (plain text, HTML, XML, JSON, e-mail, CSV) and text encodings
// are not detected: [Detect] returns the zero [Type] for them, and the text
// extractor decides. Nothing here opens archives beyond the first local
// header, decodes images, or reads past the head; the metadata extractors do
// that. Hashing and storing results belong to the pipeline.
//
// # Mismatch rules
//
// [Mismatch] compares a name's extension with the names the detected type
// legitimately goes by. It is deliberately conservative where container
// formats blur the line:
//
//   - Any ZIP-based name (docx, xlsx, odt, epub, jar, apk, kmz, …) is fine for
//     any ZIP-based content: a .docx renamed .zip is a real ZIP file. A ZIP
//     named .jpg is a mismatch.
//   - Any OLE name (doc, xls, ppt, msg, msi, vsd, …) is fine for any OLE
//     content, and so are the Office Open XML names, because a
//     password-protected .docx or .xlsx is an OLE file. The Word, Excel and
//     PowerPoint signatures are too weak to accuse a file of lying.
//   - HEIC, HEIF and HIF are one family; an AVIF may also be named .heif.
//   - MP4 audio and video (mp4, m4v, m4a, m4b, f4v, …) are one family, but
//     QuickTime (mov, qt) and 3GPP (3gp, 3g2) are kept apart: a QuickTime
//     file named .mp4 is reported, although players open it.
//   - Camera raw names (dng, nef, arw, cr2, …) are fine for TIFF content.
//   - Text extensions (txt, csv, log, html, xml, json, …) are known, so any
//     binary content detected under such a name is reported: the classic
//     JPEG named notes.txt.
//   - Names that say nothing about content (dat, bin, tmp, bak, …), names with
//     no extension (registry hives such as SAM and NTUSER.DAT) and names
//     with an extension not in the table are never a mismatch, nor is
//     undetected content.
//
// # Security
//
// The head is attacker-controlled. Every offset read from it (ZIP name and
// size fields, OLE sector numbers, ftyp box sizes, EBML element sizes) is
// checked against the length of the head before use, with 64-bit arithmetic
// where a sum could overflow; loops are capped by the head's size, so a
// sector chain that loops ends. [Detect] never reads more than [HeadSize]
// bytes, allocates nothing that grows with the input beyond a few short
// strings, and does not panic on any input, including empty, truncated and
// random heads; a fuzz test checks this. Extensions in names are compared as
// ASCII after lower-casing; names are never used as paths.
package filetype
