package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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
				h, err := hashFile(ctx, filepath.Join(c.Dir, local))
				if err != nil && !errors.Is(err, fs.ErrNotExist) {
					return nil, err
				}
				got, actual[local] = h, h
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

// hashFile returns the hex SHA-256 of a file, checking ctx between blocks.
func hashFile(ctx context.Context, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			return hex.EncodeToString(h.Sum(nil)), nil
		}
		if err != nil {
			return "", fmt.Errorf("hash %s: %w", path, err)
		}
	}
}
