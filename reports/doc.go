// Package reports writes the reports a prosecutor receives, and checks
// them.
//
// # Reports
//
// [BuildCustody] reads a case's custody ledger (which must verify) into a
// [Custody] report: the case, the examiner roster with key fingerprints,
// and for each exhibit its seals, acquisition (from the ledger entry and
// the acquisition record, whose SHA-256 must still match the ledger),
// verifications and every ledger entry about it with its line hash; then
// the case-wide entries, the ledger's verification status and the signed
// checkpoint the report was made at, and the examiner's declaration.
// [BuildFindings] reads the tagged artefacts from the catalogue into a
// [Findings] report: hashes, times, metadata, notes and embedded previews,
// the geolocated ones on a map, a timeline, the values found in more than
// one exhibit, and every keyword list run (from the ledger and the results
// file each run recorded, checked against its SHA-256), terms that found
// nothing included.
//
// Both render as PDF (package reports/pdf; fonts embedded), as one
// self-contained HTML file (html/template escapes every value, and a
// Content-Security-Policy forbids scripts, so evidence such as a file named
// <img src=x onerror=alert(1)>.jpg stays text), and as JSON.
//
// # Integrity
//
// [Produce] renders a report and seals it: the [Manifest] names the file's
// SHA-256, the checkpoint and the roster's keys and is signed by the
// examiner; a PDF also embeds it, in an incremental update after the
// report's bytes, so the PDF alone can be checked. [VerifyFile] checks a
// report offline against its manifest; [VerifyLedger] also checks it
// against a case's ledger today: roster, ledger verification, an RFC 6962
// consistency proof from the report's checkpoint, and the report's own
// ledger entry.
//
// # Security
//
// Everything from evidence and from a report under verification is
// untrusted. Templates and the PDF writer escape all text; previews are
// shown only when their signature says JPEG or PNG; manifests are decoded
// strictly (unknown fields, non-canonical encodings and bad signatures
// fail), and the PDF attachment reader bounds its work.
//
// The package does not print, and leaves file writing and ledger entries
// to its caller (cmd).
package reports
