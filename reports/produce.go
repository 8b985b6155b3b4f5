package reports

import (
	"fmt"

	"github.com/pangolin-forensics/pangolin/chain"
)

// Report is a custody or findings report.
type Report interface {
	HTML() ([]byte, error)
	PDF() ([]byte, error)
	// Head returns the report's header.
	Head() *Header
}

// Head returns h.
func (h *Header) Head() *Header { return h }

// Formats are the report formats, with their file extensions.
var Formats = map[string]string{"pdf": ".pdf", "html": ".html", "json": ".json"}

// Produce renders r in format ("pdf", "html" or "json") for a file named
// name, and seals it with a manifest signed by id: it returns the bytes
// of the report file (a PDF with its manifest embedded) and of the
// manifest file. roster is the case roster, whose keys sign checkpoints.
func Produce(r Report, format, name string, id *chain.Identity, roster []chain.Actor) (file, manifest []byte, m *Manifest, err error) {
	var body []byte
	var media string
	switch format {
	case "pdf":
		body, err = r.PDF()
		media = MediaPDF
	case "html":
		body, err = r.HTML()
		media = MediaHTML
	case "json":
		body, err = JSON(r)
		media = MediaJSON
	default:
		return nil, nil, nil, fmt.Errorf("report format %q: want pdf, html or json", format)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	h := r.Head()
	m = &Manifest{Report: name, Kind: h.Kind, ID: h.ID, Case: h.Case.ID, Generated: h.Generated, MediaType: media,
		Checkpoint: h.Checkpoint.Note, Examiner: id.Actor, Roster: roster}
	file, manifest, err = SealReport(body, m, id)
	return file, manifest, m, err
}
