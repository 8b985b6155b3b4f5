package hfsplus

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/internal/corpusimage"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// corpusImage is the HFS+ image of the corpus and its oracle folder.
const (
	corpusImage  = "dfvfs/hfsplus.raw"
	corpusOracle = "dfvfs__hfsplus.raw/fs_at_sector_0"
)

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

// tskPath renders a path as fls prints it: without the leading '/', and
// control characters as '^'.
func tskPath(p string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '^'
		}
		return r
	}, strings.TrimPrefix(p, "/"))
}

// typeLetter is the letter fls prints for an entry type.
func typeLetter(e *filesystem.Entry) string {
	switch e.Type {
	case filesystem.Dir:
		return "d"
	case filesystem.Symlink:
		return "l"
	case filesystem.File:
		return "r"
	}
	return "-"
}

func unix(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.Unix(), 10)
}

func openCorpus(t *testing.T) (*FS, string, string) {
	corpus := testcorpus.Dir(t)
	row := corpusimage.Row{Source: filepath.Join("diskimages", filepath.FromSlash(corpusImage))}
	img, size := corpusimage.Open(t, corpus, row)
	fs, err := NewFS(img, size)
	if err != nil {
		t.Fatalf("NewFS: %v", err)
	}
	return fs, filepath.Join(corpus, "diskimages", "_oracle", filepath.FromSlash(corpusOracle)), filepath.Join(corpus, row.Source)
}

// TestCorpus compares Walk with fls -r -p (path, inode, type, deleted),
// with fls -r -m (size and times), and content with tsk_recover's hashes,
// on the HFS+ image of the corpus.
func TestCorpus(t *testing.T) {
	fs, dir, imgPath := openCorpus(t)
	ours := walkAll(t, fs)
	if fs.Type() != "hfsplus" || fs.Label() != "hfsplus_test" {
		t.Errorf("Type %q, Label %q", fs.Type(), fs.Label())
	}

	// fls -r -p: "<type>/<type> [*] <inode>:\t<path>"
	rp, ok := corpusimage.ToolOutput(t, filepath.Join(dir, "fls_rp.txt"))
	if !ok {
		t.Fatal("no fls_rp.txt")
	}
	var want, got []string
	for _, l := range rp {
		head, path, ok := strings.Cut(l, ":\t")
		if !ok {
			t.Fatalf("bad fls line %q", l)
		}
		f := strings.Fields(head)
		del := len(f) == 3 && f[1] == "*"
		want = append(want, fmt.Sprintf("%s %s %s %v", path, f[len(f)-1], f[0][:1], del))
	}
	streams := 0
	for _, e := range ours {
		if e.Stream != "" {
			streams++
			continue
		}
		got = append(got, fmt.Sprintf("%s %d %s %v", tskPath(e.Path), e.Inode, typeLetter(e), e.Deleted))
	}
	sort.Strings(want)
	sort.Strings(got)
	lines := agree(t, "fls -r -p", want, got)

	// fls -r -m: size and atime|mtime|ctime|crtime by inode.
	body, _ := corpusimage.ToolOutput(t, filepath.Join(dir, "fls_bodyfile.txt"))
	tskBody := map[string]string{}
	for _, l := range body {
		f := strings.Split(l, "|")
		if len(f) == 11 {
			tskBody[f[2]] = fmt.Sprintf("size %s mode %s times %s|%s|%s|%s", f[6], f[3][3:], f[7], f[8], f[9], f[10])
		}
	}
	var bw, bg []string
	for _, e := range ours {
		if e.Stream != "" {
			continue
		}
		ino := strconv.FormatUint(e.Inode, 10)
		bw = append(bw, ino+" "+tskBody[ino])
		bg = append(bg, fmt.Sprintf("%s size %d mode %s times %s|%s|%s|%s", ino, e.Size, modeString(e),
			unix(e.Accessed), unix(e.Modified), unix(e.Changed), unix(e.Born)))
	}
	sort.Strings(bw)
	sort.Strings(bg)
	bodyLines := agree(t, "fls -r -m", bw, bg)

	// tsk_recover hashes by path.
	hashes, _ := corpusimage.ToolOutput(t, filepath.Join(dir, "recovered_hashes.txt"))
	wantMD5 := map[string]string{}
	for _, l := range hashes {
		f := strings.SplitN(l, ",", 4)
		if len(f) == 4 && !strings.HasPrefix(l, "%") && !strings.HasPrefix(l, "#") {
			wantMD5[strings.TrimPrefix(f[3], "./")] = f[1]
		}
	}
	matched := 0
	for _, e := range ours {
		w, listed := wantMD5[tskPath(e.Path)]
		if !listed || e.Stream != "" {
			continue
		}
		sum, err := md5Of(fs, e)
		if err != nil || sum != w {
			t.Errorf("%s: MD5 %s (%v), tsk_recover %s", e.Path, sum, err, w)
			continue
		}
		matched++
	}
	if matched != len(wantMD5) {
		t.Errorf("%d of %d recovered files matched", matched, len(wantMD5))
	}

	// Streams: the resource fork against icat's, when installed.
	for _, e := range ours {
		if e.Stream == "" {
			continue
		}
		sum, err := md5Of(fs, e)
		if err != nil {
			t.Errorf("%s: %v", e.Path, err)
			continue
		}
		t.Logf("stream %s (%d bytes) md5 %s", e.Path, e.Size, sum)
		if e.Stream == "rsrc" {
			if _, err := exec.LookPath("icat"); err != nil {
				continue
			}
			out, err := exec.Command("icat", imgPath, fmt.Sprintf("%d-4353", e.Inode)).Output()
			if err != nil {
				t.Errorf("icat: %v", err)
				continue
			}
			if s := md5.Sum(out); hex.EncodeToString(s[:]) != sum {
				t.Errorf("%s: resource fork differs from icat's", e.Path)
			}
		}
	}
	for _, e := range ours {
		if e.Type == filesystem.Symlink && e.Extra["link_target"] != "a_directory/another_file" {
			t.Errorf("%s: link target %q", e.Path, e.Extra["link_target"])
		}
	}
	if a := fs.Anomalies(); len(a) > 0 {
		t.Errorf("anomalies: %q", a)
	}
	t.Logf("fls -r -p: %d/%d lines agree; bodyfile: %d/%d agree; tsk_recover: %d/%d files agree; %d stream entries (not listed by fls)",
		lines, len(want), bodyLines, len(bw), matched, len(wantMD5), streams)
}

// agree reports the differences of two sorted line lists and returns how
// many lines are in both.
func agree(t *testing.T, what string, want, got []string) int {
	t.Helper()
	w := map[string]bool{}
	for _, l := range want {
		w[l] = true
	}
	g := map[string]bool{}
	n := 0
	for _, l := range got {
		g[l] = true
		if w[l] {
			n++
		} else {
			t.Errorf("%s: ours only: %s", what, l)
		}
	}
	for _, l := range want {
		if !g[l] {
			t.Errorf("%s: TSK only: %s", what, l)
		}
	}
	return n
}

// modeString renders the permission part of a bodyfile mode as TSK does
// ("rw-r--r--", with s/t for set-id and sticky bits).
func modeString(e *filesystem.Entry) string {
	m := e.Mode
	b := []byte("---------")
	for i, c := range "rwxrwxrwx" {
		if m&(1<<(8-i)) != 0 {
			b[i] = byte(c)
		}
	}
	special := func(i int, bit uint32, set, unset byte) {
		if m&bit != 0 {
			if b[i] == 'x' {
				b[i] = set
			} else {
				b[i] = unset
			}
		}
	}
	special(2, 0o4000, 's', 'S')
	special(5, 0o2000, 's', 'S')
	special(8, 0o1000, 't', 'T')
	return string(b)
}
