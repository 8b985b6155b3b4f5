package iso9660

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// bodyLine is the part of a TSK bodyfile line (fls -m) compared.
type bodyLine struct {
	path    string
	deleted bool
	inode   uint64
	size    int64
	crtime  int64
}

// parseBodyfile reads fls -m output, skipping "# cmd:" and "# rc:" lines.
func parseBodyfile(t testing.TB, r io.Reader) []bodyLine {
	t.Helper()
	var out []bodyLine
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 11 {
			t.Fatalf("bodyfile line with %d fields: %q", len(f), line)
		}
		b := bodyLine{path: f[1]}
		b.path, b.deleted = strings.CutSuffix(b.path, " (deleted)")
		var err error
		if b.inode, err = strconv.ParseUint(f[2], 10, 64); err != nil {
			t.Fatal(err)
		}
		if b.size, err = strconv.ParseInt(f[6], 10, 64); err != nil {
			t.Fatal(err)
		}
		if b.crtime, err = strconv.ParseInt(f[10], 10, 64); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// tskPaths maps each entry to the path fls prints: TSK shows ISO 9660
// names where this package shows Rock Ridge names.
func tskPaths(ours []*filesystem.Entry) map[*filesystem.Entry]string {
	byPath := map[string]string{}
	out := map[*filesystem.Entry]string{}
	for _, e := range ours {
		name := e.Name
		if iso, ok := e.Extra["iso_name"]; ok && !strings.HasPrefix(e.Path, "/$OrphanFiles/") {
			if i := strings.IndexByte(iso, ';'); i >= 0 {
				iso = iso[:i]
			}
			name = strings.TrimSuffix(iso, ".")
		}
		parent := e.Path[:strings.LastIndexByte(e.Path, '/')]
		p := byPath[parent] + "/" + name
		byPath[e.Path] = p
		out[e] = p
	}
	return out
}

// agreement compares entries with a TSK bodyfile: path, deleted, inode,
// size, and our Modified with TSK's creation time. TSK reports the
// recording time there, and reads it as UTC, ignoring the record's zone
// offset; ours applies it, so the offset is added back to compare.
func agreement(ours []*filesystem.Entry, tsk []bodyLine) (int, []string) {
	mine := map[string]bodyLine{}
	for e, p := range tskPaths(ours) {
		b := bodyLine{path: p, deleted: e.Deleted, inode: e.Inode, size: e.Size}
		if !e.Modified.IsZero() {
			b.crtime = e.Modified.Unix()
			if z, ok := e.Extra["utc_offset"]; ok {
				if tm, err := time.Parse("-07:00", z); err == nil {
					_, off := tm.Zone()
					b.crtime += int64(off)
				}
			}
		}
		mine[fmt.Sprint(p, e.Deleted)] = b
	}
	var diffs []string
	match := 0
	seen := map[string]bool{}
	for _, want := range tsk {
		k := fmt.Sprint(want.path, want.deleted)
		seen[k] = true
		got, ok := mine[k]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("missing %+v", want))
		case got != want:
			diffs = append(diffs, fmt.Sprintf("got %+v, TSK %+v", got, want))
		default:
			match++
		}
	}
	var extra []string
	for k, b := range mine {
		if !seen[k] {
			extra = append(extra, fmt.Sprintf("extra %+v", b))
		}
	}
	sort.Strings(extra)
	return match, append(diffs, extra...)
}

func walkAll(t testing.TB, fs filesystem.FS) []*filesystem.Entry {
	t.Helper()
	var out []*filesystem.Entry
	if err := fs.Walk(context.Background(), func(e *filesystem.Entry) error {
		out = append(out, e)
		return nil
	}); err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return out
}

func md5Of(fs filesystem.FS, e *filesystem.Entry) (string, error) {
	r, err := fs.Open(e)
	if err != nil {
		return "", err
	}
	h := md5.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func openFile(t testing.TB, path string) (*FS, io.ReaderAt, int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	fs, err := NewFS(f, st.Size())
	if err != nil {
		t.Fatalf("NewFS: %v", err)
	}
	return fs, f, st.Size()
}

// makeTree writes the folder the generated images are built from.
func makeTree(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "src")
	files := map[string][]byte{
		"a.txt":                        []byte("hello\n"),
		"empty":                        nil,
		"dir1/big.bin":                 bytes.Repeat([]byte("0123456789abcdef"), 20000),
		"dir1/sub/deeper/f":            []byte("y\n"),
		"Long Name Folder/ünïcode.txt": []byte("café\n"),
		"Long Name Folder/file.tar.gz": []byte("not really\n"),
		"noext":                        []byte("z"),
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestAgainstTSK builds ISO images with genisoimage (plain, Rock Ridge,
// Joliet, Joliet with a file hidden from it) and compares Walk with fls
// and content with the source files.
func TestAgainstTSK(t *testing.T) {
	mkisofs := ""
	for _, tool := range []string{"genisoimage", "mkisofs", "xorrisofs"} {
		if p, err := exec.LookPath(tool); err == nil {
			mkisofs = p
			break
		}
	}
	if mkisofs == "" {
		t.Skip("genisoimage, mkisofs or xorrisofs not installed: skipping")
	}
	if _, err := exec.LookPath("fls"); err != nil {
		t.Skip("fls not installed: skipping")
	}
	src := makeTree(t)
	sources := map[string]bool{}
	filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			sum := md5.Sum(b)
			sources[hex.EncodeToString(sum[:])] = true
		}
		return nil
	})
	cases := []struct {
		name string
		opts []string
	}{
		{"plain", nil},
		{"rockridge", []string{"-R"}},
		{"joliet", []string{"-J", "-V", "EVIDENCE"}},
		{"joliet-rockridge-hidden", []string{"-J", "-R", "-hide-joliet", "noext"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img := filepath.Join(t.TempDir(), "x.iso")
			args := append(append([]string{"-quiet", "-o", img}, tc.opts...), src)
			if out, err := exec.Command(mkisofs, args...).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", mkisofs, err, out)
			}
			fs, _, _ := openFile(t, img)
			ours := walkAll(t, fs)
			out, err := exec.Command("fls", "-r", "-m", "/", img).Output()
			if err != nil {
				t.Fatalf("fls: %v", err)
			}
			match, diffs := agreement(ours, parseBodyfile(t, bytes.NewReader(out)))
			for _, d := range diffs {
				t.Errorf("fls difference: %s", d)
			}
			t.Logf("%d fls lines agree", match)
			for _, e := range ours {
				if e.Type == filesystem.Dir || e.Extra["virtual"] == "true" {
					continue
				}
				got, err := md5Of(fs, e)
				if err != nil {
					t.Errorf("Open %s: %v", e.Path, err)
					continue
				}
				if strings.HasPrefix(e.Path, "/$OrphanFiles/") || tc.name == "plain" {
					// 8.3 names: the content must be one of the sources.
					if !sources[got] {
						t.Errorf("%s: content matches no source file", e.Path)
					}
					continue
				}
				want, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(e.Path)))
				if err != nil {
					t.Errorf("%s: no source file (name decoded wrongly?): %v", e.Path, err)
					continue
				}
				if sum := md5.Sum(want); got != hex.EncodeToString(sum[:]) {
					t.Errorf("%s: content differs", e.Path)
				}
			}
			if tc.name == "joliet" && fs.Label() != "EVIDENCE" {
				t.Errorf("Label = %q", fs.Label())
			}
			if a := fs.Anomalies(); len(a) > 0 {
				t.Errorf("anomalies: %q", a)
			}
		})
	}
}

func TestNotISO(t *testing.T) {
	for _, size := range []int64{0, 40000, 1 << 16} {
		_, err := Open(bytes.NewReader(make([]byte, size)), size)
		if !errors.Is(err, filesystem.ErrNotFS) {
			t.Errorf("size %d: %v, want ErrNotFS", size, err)
		}
	}
}
