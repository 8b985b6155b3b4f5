// Package pdf reads the metadata and text of PDF documents with PDFium,
// Google's PDF library, compiled to WebAssembly and run in-process by the
// wazero runtime: pure Go, no cgo, the same on every platform.
//
// [New] compiles the module once (a few seconds; tens of milliseconds with
// [Options.CompilationCacheDir]) and [Extractor.Extract] reads one
// document with one of a pool of PDFium instances. Extract returns the
// Info dictionary as [extract.Metadata] fields named as exiftool names
// them (Title, Author, Subject, Keywords, Creator, Producer, CreateDate,
// ModifyDate, then PDFVersion and PageCount), with the dates parsed by
// [ParseDate], and the text of every page, each followed by a form feed
// as pdftotext writes it. Text inside annotations that have an appearance
// (filled-in form fields, free text, stamps) is included, as pdftotext
// includes it.
//
// The package leaves to others: XMP metadata (the catalog's /Metadata
// stream, which PDFium's public API does not expose), text inside images
// (scanned pages need OCR), attachments, JavaScript, XFA forms, and
// passwords (an encrypted document that needs one gives [ErrEncrypted]).
//
// # Security
//
// Input is treated as hostile. PDFium is C++ and has a history of memory
// safety bugs; here it runs inside a WebAssembly sandbox, so a bug that a
// crafted document triggers can corrupt only that instance's linear
// memory, never the Go process:
//
//   - Memory: every guest load and store is bounds-checked against the
//     instance's own linear memory, limited to [Options.MaxMemory]; an
//     out-of-bounds access or a failed allocation is a trap, which wazero
//     returns as an error.
//   - No system access: the instance gets WASI with no preopened
//     directories, no environment, no arguments, no output and no
//     sockets. Its only input is the document, read
//     through a callback bounded by the file's size, and its host
//     functions for forms, timers and file writing are inert stubs.
//   - Time: each document gets [Options.Timeout]; when it or the
//     caller's context ends, wazero stops the guest code and closes the
//     instance.
//   - Recovery: an instance that trapped, ran out of time or failed in
//     any other way is discarded, never reused; a new one is made for the
//     next document. Instances are also discarded after 500 documents or
//     when their memory grew beyond 256 MiB, so that one document's state
//     does not leak into a later one for long.
//   - Output: at most [Options.MaxPages] pages and [Options.MaxText] bytes
//     of text are read, and Info values over 1 MiB are skipped.
//
// Not isolated: CPU and the Go memory used to hold the text (bounded by
// MaxText per worker), and the wazero compiler itself, which translates
// the embedded module (not the document) to machine code. The module is
// a fixed, embedded artefact (see wasm.go); whoever can write
// CompilationCacheDir can replace its compiled form.
package pdf
