package reports

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/reports/pdf"
)

// ManifestFormat names the manifest format and its version.
const ManifestFormat = "pangolin-report-manifest/1"

// AttachmentName is the name of the manifest embedded in a PDF report.
const AttachmentName = "pangolin-manifest.json"

// signingContext prefixes the bytes a manifest signature covers, so that
// no other signed object of pangolin (ledger entries, checkpoints) can be
// passed off as a manifest.
const signingContext = "pangolin report manifest v1\n"

// Manifest is the signed statement that goes with a report: which file,
// its SHA-256, the ledger checkpoint it was made at, and who made it.
//
// On disk it is the canonical JSON encoding of the struct (field order as
// below, no insignificant space) and a newline; the signature is Ed25519
// by Examiner.Key over signingContext and the same encoding with Sig
// empty. A verifier rejects any other encoding, so no byte of a manifest
// can change unnoticed.
type Manifest struct {
	Format    string `json:"format"`
	Report    string `json:"report"`
	Kind      string `json:"kind"`
	ID        string `json:"id"`
	Case      string `json:"case"`
	Generated string `json:"generated"`
	// MediaType is application/pdf, text/html or application/json.
	MediaType string `json:"media_type"`
	// Size and SHA256 are of the report file; of a PDF, of the document
	// before the incremental update that embeds this manifest (Covers
	// says which).
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Covers string `json:"covers"`
	// Checkpoint is the signed ledger checkpoint the report was made at.
	Checkpoint string `json:"checkpoint"`
	// Examiner made and signed the report; Roster holds the public keys of
	// the case's examiners, which sign checkpoints.
	Examiner    chain.Actor   `json:"examiner"`
	Fingerprint string        `json:"fingerprint"`
	Roster      []chain.Actor `json:"roster"`
	Sig         []byte        `json:"sig,omitempty"`
}

// What Manifest.Covers says.
const (
	CoversFile = "file"
	CoversPDF  = "pdf-before-embedded-manifest"
)

// encode returns the canonical encoding of m and a newline.
func (m *Manifest) encode() ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	return append(b, '\n'), nil
}

// signedBytes returns what the signature covers.
func (m *Manifest) signedBytes() ([]byte, error) {
	c := *m
	c.Sig = nil
	b, err := c.encode()
	if err != nil {
		return nil, err
	}
	return append([]byte(signingContext), b...), nil
}

// Signer signs manifests: a chain.Identity.
type Signer interface {
	Sign(msg []byte) []byte
}

// SealReport returns the report file as it must be written (a PDF gains its
// embedded manifest) and the manifest file's bytes, with m (whose
// identifying fields the caller filled) completed and signed.
func SealReport(report []byte, m *Manifest, s Signer) (file, manifest []byte, err error) {
	m.Format = ManifestFormat
	m.Fingerprint = chain.Fingerprint(m.Examiner.Key)
	m.Size = int64(len(report))
	sum := sha256.Sum256(report)
	m.SHA256 = hex.EncodeToString(sum[:])
	m.Covers = CoversFile
	if m.MediaType == MediaPDF {
		m.Covers = CoversPDF
	}
	m.Sig = nil
	msg, err := m.signedBytes()
	if err != nil {
		return nil, nil, err
	}
	m.Sig = s.Sign(msg)
	if manifest, err = m.encode(); err != nil {
		return nil, nil, err
	}
	file = report
	if m.MediaType == MediaPDF {
		if file, err = pdf.AppendAttachment(report, AttachmentName, manifest); err != nil {
			return nil, nil, fmt.Errorf("embed manifest: %w", err)
		}
	}
	return file, manifest, nil
}

// Media types of reports.
const (
	MediaPDF  = "application/pdf"
	MediaHTML = "text/html"
	MediaJSON = "application/json"
)

// Check is the result of [VerifyFile].
type Check struct {
	OK bool `json:"ok"`
	// Problems says what failed, in the order checked.
	Problems []string  `json:"problems,omitempty"`
	Manifest *Manifest `json:"manifest,omitempty"`
	// Checkpoint is the report's checkpoint, its signature checked
	// against the manifest's roster.
	Checkpoint *chain.Checkpoint `json:"checkpoint,omitempty"`
	// Embedded is set when the manifest was read from the PDF itself.
	Embedded bool `json:"embedded"`
}

func (c *Check) fail(format string, args ...any) {
	c.OK = false
	c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
}

// ErrNoManifest is returned by [VerifyFile] for a report without a
// manifest: not a PDF that embeds one, and none given.
var ErrNoManifest = errors.New("no manifest: give the report's .manifest.json")

// VerifyFile checks a report against its manifest: the manifest's
// encoding and signature, the report's size and SHA-256, and the
// signature of the checkpoint it names. manifest may be nil for a PDF
// report, whose embedded manifest is then used; when both exist they must
// be identical. It checks nothing about today's ledger (see
// [VerifyLedger]).
func VerifyFile(report, manifest []byte) (*Check, error) {
	c := &Check{OK: true}
	embedded, base, attErr := pdf.ReadAttachment(report, AttachmentName)
	isPDF := bytes.HasPrefix(report, []byte("%PDF-"))
	switch {
	case attErr == nil:
		c.Embedded = manifest == nil
		if manifest != nil && !bytes.Equal(manifest, embedded) {
			c.fail("the manifest file differs from the manifest the PDF embeds")
		}
		manifest = embedded
	case manifest == nil:
		if isPDF {
			return nil, fmt.Errorf("%w (the PDF embeds none: %v)", ErrNoManifest, attErr)
		}
		return nil, ErrNoManifest
	case isPDF:
		c.fail("the PDF embeds no manifest: %v", attErr)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(manifest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		c.fail("manifest does not parse: %v", err)
		return c, nil
	}
	c.Manifest = &m
	if m.Format != ManifestFormat {
		c.fail("manifest format %q, want %q", m.Format, ManifestFormat)
		return c, nil
	}
	if enc, err := m.encode(); err != nil || !bytes.Equal(enc, manifest) {
		c.fail("manifest is not in canonical form (edited?)")
	}
	if len(m.Examiner.Key) != ed25519.PublicKeySize {
		c.fail("manifest examiner key is not an Ed25519 public key")
		return c, nil
	}
	if fp := chain.Fingerprint(m.Examiner.Key); fp != m.Fingerprint {
		c.fail("manifest fingerprint %s does not match its key (%s)", m.Fingerprint, fp)
	}
	msg, err := m.signedBytes()
	if err != nil || !ed25519.Verify(m.Examiner.Key, msg, m.Sig) {
		c.fail("manifest signature does not verify with the key of examiner %s (%s)", m.Examiner.ID, m.Fingerprint)
	}

	body := report
	switch m.Covers {
	case CoversPDF:
		if attErr != nil || base < 0 || base > int64(len(report)) {
			c.fail("the manifest covers a PDF, the file is not one with an embedded manifest")
			break
		}
		body = report[:base]
		again, err := pdf.AppendAttachment(body, AttachmentName, manifest)
		if err != nil || !bytes.Equal(again, report) {
			c.fail("the PDF's bytes after the report (its embedded manifest) are not as pangolin writes them")
		}
	case CoversFile:
	default:
		c.fail("manifest covers %q: unknown", m.Covers)
	}
	sum := sha256.Sum256(body)
	if got := hex.EncodeToString(sum[:]); got != m.SHA256 || int64(len(body)) != m.Size {
		c.fail("report SHA-256 %s (%d bytes), the manifest says %s (%d bytes): the report was changed", got, len(body), m.SHA256, m.Size)
	}

	roster := m.Roster
	if !slices.ContainsFunc(roster, func(a chain.Actor) bool { return bytes.Equal(a.Key, m.Examiner.Key) }) {
		roster = append(slices.Clone(roster), m.Examiner)
	}
	cp, err := chain.OpenCheckpoint([]byte(m.Checkpoint), roster)
	if err != nil {
		c.fail("checkpoint: %v", err)
	} else {
		c.Checkpoint = cp
		if cp.Origin != chain.Origin(m.Case) {
			c.fail("checkpoint is of %q, the report of case %q", cp.Origin, m.Case)
		}
	}
	return c, nil
}
