// Package dir presents a plain folder (logical evidence: a mounted phone
// dump, a USB stick's files copied out) as a [filesystem.FS], so that it is
// listed and processed like a file system read from an image. Nothing is
// deleted in a folder, so every entry is allocated. Symbolic links are
// listed, with their target, and never followed. Files are opened
// read-only through evidence.Open.
package dir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/filesystem"
)

var _ filesystem.FS = (*FS)(nil)

// FS is a folder read as a file system.
type FS struct {
	root      string
	anomalies []string
}

// Open returns the folder root as a file system.
func Open(root string) (*FS, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s: %w: not a folder", root, filesystem.ErrNotFS)
	}
	return &FS{root: root}, nil
}

// Type is "dir".
func (d *FS) Type() string { return "dir" }

// Label is the folder's name.
func (d *FS) Label() string { return filepath.Base(d.root) }

// Anomalies lists folders that could not be read.
func (d *FS) Anomalies() []string { return d.anomalies }

// Walk lists every entry below the root in lexical order, folders before
// their contents.
func (d *FS) Walk(ctx context.Context, fn func(*filesystem.Entry) error) error {
	d.anomalies = nil
	return filepath.WalkDir(d.root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			if p == d.root {
				return err
			}
			d.anomalies = append(d.anomalies, fmt.Sprintf("%s: %v", p, err))
			return nil
		}
		if p == d.root {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		fi, err := de.Info()
		if err != nil {
			d.anomalies = append(d.anomalies, fmt.Sprintf("%s: %v", p, err))
			return nil
		}
		e := &filesystem.Entry{Path: "/" + filepath.ToSlash(rel), Name: de.Name(), Size: fi.Size(),
			Modified: fi.ModTime().UTC(), Mode: uint32(fi.Mode().Perm())}
		switch {
		case fi.IsDir():
			e.Type, e.Size = filesystem.Dir, 0
		case fi.Mode().IsRegular():
			e.Type = filesystem.File
		case fi.Mode()&fs.ModeSymlink != 0:
			e.Type = filesystem.Symlink
			if target, err := os.Readlink(p); err == nil {
				e.Extra = map[string]string{"link_target": target}
			}
		default:
			e.Type, e.Size = filesystem.Other, 0
		}
		fillTimes(e, fi)
		return fn(e)
	})
}

// Open opens a regular file Walk listed, read-only. The reader keeps the
// file open; it is closed when the reader is no longer used.
func (d *FS) Open(e *filesystem.Entry) (*io.SectionReader, error) {
	if e.Type != filesystem.File {
		return nil, fmt.Errorf("%s: not a regular file", e.Path)
	}
	rel := path.Clean(e.Path)
	local := filepath.FromSlash(rel[1:])
	if !filepath.IsLocal(local) {
		return nil, errors.New("dir: path outside the folder")
	}
	f, err := evidence.Open(filepath.Join(d.root, local))
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return io.NewSectionReader(f, 0, fi.Size()), nil
}
