package process

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/extract/filetype"
	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/filesystem/archive"
	"github.com/pangolin-forensics/pangolin/hashing"
)

// Find re-reads catalogued artefacts' content from the exhibit's image: it
// walks the partitions (and the archives) the artefacts are in, as Run
// did, and calls fn with each artefact found and its content. Artefacts
// must belong to opts.Exhibit and have content (a SHA-256). One that
// cannot be found again (the walk no longer reaches it) is an error.
func Find(ctx context.Context, img Image, opts Options, arts []*catalog.Artefact, fn func(*catalog.Artefact, *io.SectionReader) error) error {
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = 8
	}
	want := map[string]*catalog.Artefact{} // ref -> artefact wanted
	prefixes := map[string]bool{}          // refs of archives holding a wanted member
	parts := map[int]bool{}
	for _, a := range arts {
		if a.Exhibit != opts.Exhibit {
			return fmt.Errorf("artefact %s %s is not of exhibit %s", a.Exhibit, a.Ref, opts.Exhibit)
		}
		want[a.Ref] = a
		parts[a.Partition] = true
		for r := a.Parent; r != ""; r = parentRef(r) {
			prefixes[r] = true
		}
	}
	vols, closeAll, err := openVolumes(img, opts)
	if err != nil {
		return err
	}
	defer closeAll()
	found := 0
	var visit func(sr *io.SectionReader, path, ref string, depth int) error
	// inside visits the files inside sr: an archive's members, or the
	// messages and attachments extraction finds.
	inside := func(sr *io.SectionReader, path, ref string, depth int) error {
		afs, err := archive.Open(sr, sr.Size(), opts.Limits)
		if err == nil {
			defer afs.(io.Closer).Close()
			var ord int64
			return afs.Walk(ctx, func(m *filesystem.Entry) error {
				r := ref + "/" + strconv.FormatInt(ord, 10)
				ord++
				if m.Type != filesystem.File || !(want[r] != nil || prefixes[r]) {
					return nil
				}
				msr, err := afs.Open(m)
				if err != nil {
					return fmt.Errorf("%s %s: %w", opts.Exhibit, m.Path, err)
				}
				return visit(msr, m.Path, r, depth+1)
			})
		}
		if opts.Extract == nil {
			return fmt.Errorf("%s %s: %w", opts.Exhibit, path, err)
		}
		head := make([]byte, filetype.HeadSize)
		n, _ := sr.ReadAt(head, 0)
		res := opts.Extract.Extract(ctx, sr, sr.Size(), path, filetype.Detect(head[:n]).MIME, head[:n])
		for i, c := range res.Children {
			if err := visit(c.Content, path+"/"+c.Name, ref+"/"+strconv.Itoa(i), depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	visit = func(sr *io.SectionReader, path, ref string, depth int) error {
		a, isWanted := want[ref]
		if !isWanted && !prefixes[ref] {
			return nil
		}
		if isWanted {
			found++
			if err := fn(a, sr); err != nil {
				return err
			}
		}
		if !prefixes[ref] || depth+1 >= opts.MaxDepth {
			return nil
		}
		return inside(sr, path, ref, depth)
	}
	for _, v := range vols {
		if !parts[v.Partition] || v.fs == nil {
			continue
		}
		var ord int64
		err := v.fs.Walk(ctx, func(e *filesystem.Entry) error {
			ref := strconv.Itoa(v.Partition) + "/" + strconv.FormatInt(ord, 10)
			ord++
			if e.Type != filesystem.File || e.Extra[filesystem.NoContent] != "" || !(want[ref] != nil || prefixes[ref]) {
				return nil
			}
			sr, err := v.fs.Open(e)
			if err != nil {
				return fmt.Errorf("%s %s: %w", opts.Exhibit, e.Path, err)
			}
			return visit(sr, e.Path, ref, 0)
		})
		if err != nil {
			return err
		}
	}
	if found < len(want) {
		return fmt.Errorf("%d of %d artefacts of %s were not found again in its image", len(want)-found, len(want), opts.Exhibit)
	}
	return nil
}

// parentRef drops the last part of a member's Ref ("0/5/2" -> "0/5"); ""
// for a top-level Ref.
func parentRef(ref string) string {
	i := strings.LastIndexByte(ref, '/')
	if i < 0 || strings.Count(ref, "/") < 2 {
		return ""
	}
	return ref[:i]
}

// Exported is one artefact copied out of evidence.
type Exported struct {
	// File is where the content went, relative to the export folder:
	// files/SHA256, plus the extension of the content's type when it has
	// a known one ("files/5e88….jpg").
	File string `json:"file"`
	// Copied is false when an earlier artefact with the same content
	// already made File.
	Copied bool `json:"copied"`
	*catalog.Artefact
}

// Export copies the content of artefacts of one exhibit into dir/files,
// named by SHA-256 and content type, never by the names found in evidence
// (which stay in the catalogue row), checking that each copy's SHA-256 equals the
// catalogue's. Identical contents are copied once. A file already in dir
// with the right content is kept. It returns what each artefact became.
func Export(ctx context.Context, img Image, opts Options, arts []*catalog.Artefact, dir string, progress func(done int)) ([]Exported, error) {
	files := filepath.Join(dir, "files")
	if err := os.MkdirAll(files, 0o755); err != nil {
		return nil, err
	}
	var out []Exported
	err := Find(ctx, img, opts, arts, func(a *catalog.Artefact, sr *io.SectionReader) error {
		// The extension comes from the content's type, not from the name
		// in evidence: identical contents get one name.
		head := make([]byte, filetype.HeadSize)
		n, err := sr.ReadAt(head, 0)
		if err != nil && err != io.EOF {
			return fmt.Errorf("export %s %s: %w", a.Exhibit, a.Path, err)
		}
		name := a.SHA256
		if ext := filetype.Detect(head[:n]).Extension; ext != "" {
			name += "." + ext
		}
		x := Exported{File: "files/" + name, Artefact: a}
		dst := filepath.Join(files, name)
		if have := hashing.HashFile(ctx, dst, hashing.SHA256); have.Err == nil && have.Sums[hashing.SHA256] == a.SHA256 {
			out = append(out, x)
			return nil
		}
		if err := copyChecked(ctx, sr, dst, a.SHA256); err != nil {
			return fmt.Errorf("export %s %s: %w", a.Exhibit, a.Path, err)
		}
		x.Copied = true
		out = append(out, x)
		if progress != nil {
			progress(len(out))
		}
		return nil
	})
	return out, err
}

// ErrContentChanged is returned when content read for export does not
// hash to the catalogue's SHA-256.
var ErrContentChanged = errors.New("content differs from the catalogue")

// copyChecked copies sr to dst through a temporary file, renaming it into
// place only when its SHA-256 is want.
func copyChecked(ctx context.Context, sr *io.SectionReader, dst, want string) error {
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(tmp, h), &ctxReader{ctx, sr})
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("%w: SHA-256 %s, catalogued %s", ErrContentChanged, got, want)
	}
	return os.Rename(tmp.Name(), dst)
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
