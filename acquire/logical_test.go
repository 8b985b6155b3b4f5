package acquire

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/evidence"
)

// longName is a non-ASCII name longer than the 100 bytes of a ustar name.
var longName = strings.Repeat("ñandú-pangolín-", 8) + ".jpg"

// makeTree builds a small folder as a seized USB stick might hold, with
// nanosecond times, and returns it and the contents of its files.
func makeTree(t *testing.T) (string, map[string][]byte) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "stick")
	files := map[string][]byte{
		"a.txt":                 []byte("shipment of 40 logs, Tuesday"),
		"DCIM/100/" + longName:  bytes.Repeat([]byte{0xff, 0xd8, 0x42}, 300000),
		"DCIM/100/empty.jpg":    {},
		"docs/locked.dat":       []byte("cannot be opened"),
		"docs/broken.dat":       bytes.Repeat([]byte("abcdefgh"), 1000),
		"docs/deep/er/note.txt": []byte("coordinates"),
	}
	for name, b := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../../outside/secret", filepath.Join(root, "docs", "link")); err != nil {
		t.Fatal(err)
	}
	if err := makeFifo(filepath.Join(root, "pipe")); err != nil {
		t.Logf("no named pipe: %v", err)
	}
	when := time.Date(2022, 3, 4, 5, 6, 7, 123456789, time.UTC)
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if d.Type()&fs.ModeSymlink == 0 && d.Type()&fs.ModeNamedPipe == 0 && !d.IsDir() {
			os.Chtimes(p, when, when)
		}
		return nil
	})
	// Folders last, children first, so their times stay.
	for _, d := range []string{"docs/deep/er", "docs/deep", "docs", "DCIM/100", "DCIM", "."} {
		os.Chtimes(filepath.Join(root, d), when, when)
	}
	return root, files
}

// snapshot records what must not change in a tree: every entry's bytes,
// mode and times (but a symbolic link's access time, which reading the
// link updates). It takes the times before reading, and reads without
// updating access times.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func(p string)
	walk = func(p string) {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := tar.FileInfoHeader(fi, "")
		s := fi.Mode().String() + " " + fi.ModTime().String()
		if fi.Mode()&fs.ModeSymlink == 0 {
			s += " " + h.AccessTime.String()
		}
		switch {
		case fi.Mode().IsRegular():
			f, err := evidence.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			hs := sha256.New()
			io.Copy(hs, f)
			f.Close()
			s += fmt.Sprintf(" %x", hs.Sum(nil))
		case fi.IsDir():
			names, err := readDirNames(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range names {
				walk(filepath.Join(p, n))
			}
		}
		out[p] = s
	}
	walk(root)
	return out
}

// failingOpen opens files as AcquireLogical does, except that
// docs/locked.dat cannot be opened and docs/broken.dat fails after 1000
// bytes.
func failingOpen(p string) (io.ReadCloser, error) {
	switch s := filepath.ToSlash(p); {
	case strings.HasSuffix(s, "/docs/locked.dat"):
		return nil, &os.PathError{Op: "open", Path: p, Err: os.ErrPermission}
	case strings.HasSuffix(s, "/docs/broken.dat"):
		f, err := evidence.Open(p)
		if err != nil {
			return nil, err
		}
		return struct {
			io.Reader
			io.Closer
		}{io.MultiReader(io.LimitReader(f, 1000), errReader{}), f}, nil
	}
	return evidence.Open(p)
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("input/output error") }

func TestAcquireLogical(t *testing.T) {
	root, files := makeTree(t)
	before := snapshot(t, root)
	outDir := t.TempDir()
	out := filepath.Join(outDir, "EX-002.tar")
	var last LogicalProgress
	res, err := acquireLogical(context.Background(), root, out, LogicalOptions{Progress: func(p LogicalProgress) { last = p }}, failingOpen)
	if err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, root); !reflect.DeepEqual(before, after) {
		for k := range before {
			if before[k] != after[k] {
				t.Errorf("source changed: %s\n%s\n%s", k, before[k], after[k])
			}
		}
	}

	tb, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(tb)
	if res.Container.SHA256 != hex.EncodeToString(sum[:]) || res.Container.Size != int64(len(tb)) {
		t.Errorf("container %+v, file sha256 %x size %d", res.Container, sum, len(tb))
	}
	if res.ErrorCount != 2 || last.Errors != 2 || last.Entries != res.EntryCount {
		t.Errorf("result %+v, last progress %+v", res, last)
	}

	// The tar.
	tr := tar.NewReader(bytes.NewReader(tb))
	got := map[string]*tar.Header{}
	content := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got[h.Name] = h
		content[h.Name], _ = io.ReadAll(tr)
	}
	when := time.Date(2022, 3, 4, 5, 6, 7, 123456789, time.UTC)
	for name, b := range files {
		h := got[name]
		switch {
		case name == "docs/locked.dat":
			if h != nil {
				t.Errorf("%s stored", name)
			}
			continue
		case h == nil:
			t.Errorf("%s missing from the tar", name)
			continue
		case name == "docs/broken.dat":
			b = append(bytes.Clone(b[:1000]), make([]byte, len(b)-1000)...)
		}
		if !bytes.Equal(content[name], b) {
			t.Errorf("%s: content differs", name)
		}
		if !h.ModTime.Equal(when) || h.Typeflag != tar.TypeReg {
			t.Errorf("%s: mtime %v, type %c", name, h.ModTime, h.Typeflag)
		}
	}
	if h := got["docs/link"]; h == nil || h.Typeflag != tar.TypeSymlink || h.Linkname != "../../outside/secret" {
		t.Errorf("link stored as %+v", h)
	}
	if h := got["DCIM/100/"]; h == nil || h.Typeflag != tar.TypeDir || !h.ModTime.Equal(when) {
		t.Errorf("folder stored as %+v", h)
	}
	if _, ok := got["pipe"]; ok {
		t.Error("named pipe stored")
	}

	// The manifest.
	mb, err := os.ReadFile(out + ".manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		t.Fatalf("manifest: %v\n%s", err, mb)
	}
	msum := sha256.Sum256(mb)
	if res.Manifest.SHA256 != hex.EncodeToString(msum[:]) {
		t.Error("manifest hash differs")
	}
	if m.Container.SHA256 != res.Container.SHA256 || m.Container.Path != "EX-002.tar" || m.EntryCount != int64(len(m.Entries)) || m.ErrorCount != 2 {
		t.Errorf("manifest totals %+v %d %d", m.Container, m.EntryCount, m.ErrorCount)
	}
	entries := map[string]Entry{}
	for _, e := range m.Entries {
		entries[e.Path] = e
	}
	a := entries["a.txt"]
	wantSums := sumsOf(files["a.txt"])
	delete(wantSums, "sha512")
	if !reflect.DeepEqual(a.Hashes, wantSums) || a.Type != "file" || a.Size != int64(len(files["a.txt"])) ||
		a.MTime != "2022-03-04T05:06:07.123456789Z" || !a.Stored || a.Mode != "-rw-r-----" {
		t.Errorf("a.txt: %+v", a)
	}
	if e := entries["docs/locked.dat"]; e.Stored || !strings.Contains(e.Err, "permission denied") {
		t.Errorf("locked file: %+v", e)
	}
	if e := entries["docs/broken.dat"]; !e.Stored || !strings.Contains(e.Err, "read at offset 1000: input/output error") {
		t.Errorf("broken file: %+v", e)
	}
	if e := entries["docs/link"]; e.Type != "symlink" || e.Link != "../../outside/secret" {
		t.Errorf("link: %+v", e)
	}
	if e, ok := entries["pipe"]; ok && (e.Type != "other" || e.Stored) {
		t.Errorf("pipe: %+v", e)
	}
	if e := entries["DCIM/100/"+longName]; e.Hashes["sha256"] == "" {
		t.Errorf("long name: %+v", e)
	}
}

func TestAcquireLogicalRefuses(t *testing.T) {
	root, _ := makeTree(t)
	existing := filepath.Join(t.TempDir(), "taken.tar")
	os.WriteFile(existing, []byte("earlier"), 0o644)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	outDir := t.TempDir()
	tests := []struct {
		name string
		ctx  context.Context
		out  string
	}{
		{"inside the evidence", context.Background(), filepath.Join(root, "docs", "out.tar")},
		{"over a file", context.Background(), existing},
		{"cancelled", cancelled, filepath.Join(outDir, "c.tar")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, root)
			if _, err := AcquireLogical(tt.ctx, root, tt.out, LogicalOptions{}); err == nil {
				t.Fatal("no error")
			}
			if !reflect.DeepEqual(before, snapshot(t, root)) {
				t.Error("source changed")
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "earlier" {
		t.Error("existing file overwritten")
	}
	if left, _ := os.ReadDir(outDir); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}
