package catalog

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// File check outcomes.
const (
	FileOK      = "ok"
	FileChanged = "changed"
	FileMissing = "missing"
	FileOutside = "outside" // not in the case folder (a source device, say): not checked
)

// FileCheck is the result of re-hashing one file that a ledger entry
// recorded as an input or output.
type FileCheck struct {
	Seq    int64  `json:"seq"`
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Actual string `json:"actual,omitempty"`
	Status string `json:"status"`
}

// VerifyFiles re-hashes every file inside the case folder whose SHA-256 a
// ledger entry recorded, and reports each recorded hash with the outcome.
// Paths are taken as relative to the case folder; a path that is absolute
// or climbs out of the folder is never opened (status "outside"). Each
// file is read once however often it was recorded.
func (c *Case) VerifyFiles(ctx context.Context) ([]FileCheck, error) {
	var checks []FileCheck
	actual := map[string]string{} // path -> hash, "" when missing
	for e, err := range c.ledger.Entries(ctx) {
		if err != nil {
			return nil, err
		}
		for _, r := range append(e.Inputs[:len(e.Inputs):len(e.Inputs)], e.Outputs...) {
			fc := FileCheck{Seq: e.Seq, Path: r.Path, SHA256: r.SHA256}
			local := filepath.FromSlash(r.Path)
			if !filepath.IsLocal(local) {
				fc.Status = FileOutside
				checks = append(checks, fc)
				continue
			}
			got, seen := actual[local]
			if !seen {
				fh := hashing.HashFile(ctx, filepath.Join(c.Dir, local), hashing.SHA256)
				if fh.Err != nil && !errors.Is(fh.Err, fs.ErrNotExist) {
					return nil, fh.Err
				}
				got, actual[local] = fh.Sums[hashing.SHA256], fh.Sums[hashing.SHA256]
			}
			fc.Actual = got
			switch {
			case got == "":
				fc.Status = FileMissing
			case got == r.SHA256:
				fc.Status = FileOK
			default:
				fc.Status = FileChanged
			}
			checks = append(checks, fc)
		}
	}
	return checks, nil
}
