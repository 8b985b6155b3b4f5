package acquire

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/internal/atomicfile"
	"github.com/pangolin-forensics/pangolin/internal/buildinfo"
)

// Record is acquisition.json: what was imaged, by which tool, when, and
// what came out, kept beside the image segments. Field names are an API:
// add fields, never rename them.
type Record struct {
	// Case, Exhibit, Examiner and Notes are for the caller to fill.
	Case     string `json:"case"`
	Exhibit  string `json:"exhibit"`
	Examiner string `json:"examiner"`
	Notes    string `json:"notes,omitempty"`
	// Format names the container: "raw", "split-raw", "e01", "logical".
	Format string         `json:"format"`
	Tool   buildinfo.Info `json:"tool"`
	Source evidence.Facts `json:"source"`
	// Start and End are UTC, RFC 3339 with nanoseconds.
	Start     string       `json:"start"`
	End       string       `json:"end"`
	Bytes     int64        `json:"bytes"`
	Hashes    hashing.Sums `json:"hashes"`
	BadBytes  int64        `json:"bad_bytes"`
	BadRanges []Range      `json:"bad_ranges"`
	Resumed   bool         `json:"resumed"`
	// Segments are the output files with their own size and SHA-256, for
	// the custody ledger and [VerifySegments].
	Segments []chain.Ref `json:"segments"`
}

// NewRecord returns the record of an acquisition of a source with the
// given facts, for the caller to complete (case, exhibit, examiner,
// format) and save with [WriteRecord].
func NewRecord(src evidence.Facts, res *Result) *Record {
	bad := res.BadRanges
	if bad == nil {
		bad = []Range{}
	}
	return &Record{
		Tool:      buildinfo.Get(),
		Source:    src,
		Start:     formatTime(res.Start),
		End:       formatTime(res.End),
		Bytes:     res.Size,
		Hashes:    res.Sums,
		BadBytes:  res.BadBytes,
		BadRanges: bad,
		Resumed:   res.Resumed,
		Segments:  res.Segments,
	}
}

// formatTime formats t as the ledger does: UTC, RFC 3339, nanoseconds.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// WriteRecord saves r as indented JSON at path, atomically: after a crash
// the file holds the old record or the new one.
func WriteRecord(path string, r *Record) error {
	b, err := json.MarshalIndent(r, "", "\t")
	if err != nil {
		return fmt.Errorf("acquire: write record: %w", err)
	}
	if err := atomicfile.Write(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("acquire: write record: %w", err)
	}
	return nil
}

// RecordFile is the name of an acquisition's record in the exhibit's
// evidence folder.
const RecordFile = "acquisition.json"

// ReadRecord reads a record that [WriteRecord] saved.
func ReadRecord(path string) (*Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("acquire: read record: %w", err)
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("acquire: read record %s: %w", path, err)
	}
	return &r, nil
}

// ReadManifest reads the manifest of a logical acquisition.
func ReadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("acquire: read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("acquire: read manifest %s: %w", path, err)
	}
	return &m, nil
}
