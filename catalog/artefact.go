package catalog

import (
	"time"

	"github.com/pangolin-forensics/pangolin/extract"
)

// Artefact is one row of the catalogue: a file, folder or other object
// found in an exhibit, with what processing learnt from its content.
type Artefact struct {
	Exhibit string `json:"exhibit"`
	// Ref identifies the artefact within its exhibit, stably across runs:
	// "P/N" for the N-th entry (from 0, walk order) of partition P, and
	// "P/N/M" for the M-th member of the archive that "P/N" is, and so on
	// down nested archives.
	Ref string `json:"ref"`
	// Parent is the Ref of the archive this is a member of; "" at the top.
	Parent string `json:"parent,omitempty"`
	// Depth counts the archives around the artefact: 0 at the top.
	Depth     int    `json:"depth"`
	Partition int    `json:"partition"`
	Path      string `json:"path"`
	Name      string `json:"name"`
	Inode     uint64 `json:"inode"`
	Stream    string `json:"stream,omitempty"`
	// Type is "file", "dir", "symlink" or "other".
	Type    string `json:"type"`
	Size    int64  `json:"size"`
	Deleted bool   `json:"deleted"`
	// MACB times; zero when the file system keeps none.
	Modified time.Time `json:"modified,omitzero"`
	Accessed time.Time `json:"accessed,omitzero"`
	Changed  time.Time `json:"changed,omitzero"`
	Born     time.Time `json:"born,omitzero"`
	Mode     uint32    `json:"mode,omitempty"`
	// Offset is the byte offset of the entry's record in its file system.
	Offset int64 `json:"offset"`
	// MIME is the content type found by its signature ("" when none is
	// known); Mismatch marks a name extension that contradicts it.
	MIME     string `json:"mime,omitempty"`
	Mismatch bool   `json:"ext_mismatch,omitempty"`
	MD5      string `json:"md5,omitempty"`
	SHA1     string `json:"sha1,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
	// Known is the verdict of the hash sets that hold the content: the
	// most telling kind among them ("known-bad" over "notable" over
	// "known-good"), "" when none does; KnownSets names them.
	Known     string   `json:"known,omitempty"`
	KnownSets []string `json:"known_sets,omitempty"`
	// Error says why the content could not be read in full (a deleted
	// file whose clusters are gone, a damaged stream); hashes are then
	// empty.
	Error string `json:"error,omitempty"`
	// Extra holds the reader's facts (short name, $FILE_NAME times, link
	// target).
	Extra map[string]string `json:"extra,omitempty"`

	// What the extractors read from the content; written with the row,
	// read back by DB.Extracted, DB.Entities and DB.Text rather than by
	// DB.Artefacts.
	Meta     []*extract.Metadata `json:"metadata,omitempty"`
	Entities []extract.Entity    `json:"entities,omitempty"`
	Text     string              `json:"-"`
	// ExtractError says why extraction failed or stopped short; the
	// artefact's other columns are unaffected.
	ExtractError string `json:"extract_error,omitempty"`
}
