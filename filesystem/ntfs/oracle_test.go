package ntfs_test

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// tskName is one line of `fls -r -p` (or `fls -r -p -l`) output.
type tskName struct {
	path    string // with a leading '/'
	addr    string // metadata address, "64-128-2"
	inode   uint64
	deleted bool
	dir     bool
	size    int64 // only from -l listings; -1 otherwise
}

// readFLS parses fls output, skipping "# cmd:" and "# rc:" lines. Names
// TSK found only in index slack (address 0) are counted, not returned.
func readFLS(t *testing.T, name string) (names []tskName, slack int) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		head, rest, ok := strings.Cut(line, ":\t")
		if !ok {
			t.Fatalf("%s: bad line %q", name, line)
		}
		f := strings.Fields(head)
		n := tskName{deleted: len(f) == 3 && f[1] == "*", dir: strings.Contains(f[0], "d") || f[0] == "V/V", size: -1}
		n.addr = f[len(f)-1]
		ino, _, _ := strings.Cut(n.addr, "-")
		if n.inode, err = strconv.ParseUint(ino, 10, 64); err != nil {
			t.Fatalf("%s: bad address in %q", name, line)
		}
		cols := strings.Split(rest, "\t")
		n.path = "/" + cols[0]
		if len(cols) >= 8 {
			n.size, _ = strconv.ParseInt(cols[5], 10, 64)
		}
		if n.inode == 0 && f[0] != "r/r" && f[0] != "d/d" {
			slack++
			continue
		}
		names = append(names, n)
	}
	return names, slack
}

// bodyLine is one line of `fls -m` output.
type bodyLine struct {
	size                int64
	atime, mtime, ctime int64
	crtime              int64
}

// readBodyfile parses fls -m output keyed by path and inode number,
// leaving out the ($FILE_NAME) lines.
func readBodyfile(t *testing.T, name string) map[string]bodyLine {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bodyLine{}
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) < 11 {
			t.Fatalf("%s: bad line %q", name, line)
		}
		n := len(f)
		path := strings.Join(f[1:n-9], "|")
		if strings.HasSuffix(path, " ($FILE_NAME)") {
			continue
		}
		path = strings.TrimSuffix(path, " (deleted)")
		ino, _, _ := strings.Cut(f[n-9], "-")
		var b bodyLine
		nums := []*int64{&b.size, &b.atime, &b.mtime, &b.ctime, &b.crtime}
		for i, p := range nums {
			*p, _ = strconv.ParseInt(f[n-5+i], 10, 64)
		}
		out[path+"|"+ino] = b
	}
	return out
}

// readHashes parses hashdeep output of a tsk_recover folder: path (with
// a leading '/') to MD5.
func readHashes(t *testing.T, name string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "%") {
			continue
		}
		f := strings.SplitN(line, ",", 4)
		if len(f) == 4 {
			out[strings.TrimPrefix(f[3], ".")] = f[1]
		}
	}
	return out
}

// walkAll returns every entry of fs.
func walkAll(t *testing.T, fs filesystem.FS) []*filesystem.Entry {
	t.Helper()
	var es []*filesystem.Entry
	if err := fs.Walk(context.Background(), func(e *filesystem.Entry) error {
		es = append(es, e)
		return nil
	}); err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return es
}

// agreement counts how an entry list agrees with a TSK listing.
type agreement struct {
	tsk, ours, matched int
	slack              int // TSK names from index slack, which this reader does not list
	sizes, times       int // entries whose bodyfile size / times were compared
	hashes             int // recovered files whose MD5 was compared
	diffs              []string
}

func (a agreement) String() string {
	return fmt.Sprintf("TSK %d names (+%d index-slack names), ours %d, matched %d; sizes checked %d, times %d, hashes %d; %d differences",
		a.tsk, a.slack, a.ours, a.matched, a.sizes, a.times, a.hashes, len(a.diffs))
}

// tskZeroFiletime is what fls -m prints for a FILETIME of 0 (no time):
// TSK subtracts the 1601-to-1970 offset without checking and truncates the
// result to 32 bits. The reader reports the zero time.
const tskZeroFiletime = 3373865674

func key(path string, inode uint64) string { return fmt.Sprintf("%s|%d", path, inode) }

// compareTSK checks entries against fls names, the bodyfile (sizes and
// times, may be nil) and recovered hashes (may be nil); when fs is nil,
// content is not compared.
func compareTSK(t *testing.T, fs filesystem.FS, es []*filesystem.Entry, names []tskName, slack int, body map[string]bodyLine, hashes map[string]string) agreement {
	t.Helper()
	a := agreement{tsk: len(names), ours: len(es), slack: slack}
	ours := map[string]*filesystem.Entry{}
	for _, e := range es {
		ours[key(e.Path, e.Inode)] = e
	}
	seen := map[string]bool{}
	for _, n := range names {
		k := key(n.path, n.inode)
		e := ours[k]
		if e == nil {
			a.diffs = append(a.diffs, fmt.Sprintf("only TSK lists %s (inode %d, deleted %v)", n.path, n.inode, n.deleted))
			continue
		}
		seen[k] = true
		a.matched++
		if e.Deleted != n.deleted {
			a.diffs = append(a.diffs, fmt.Sprintf("%s: deleted %v, TSK %v", n.path, e.Deleted, n.deleted))
		}
		if (e.Type == filesystem.Dir) != n.dir {
			a.diffs = append(a.diffs, fmt.Sprintf("%s: type %s, TSK dir %v", n.path, e.Type, n.dir))
		}
		if n.size >= 0 && !n.dir {
			a.sizes++
			if n.size != e.Size {
				a.diffs = append(a.diffs, fmt.Sprintf("%s: size %d, TSK %d", n.path, e.Size, n.size))
			}
		}
		b, ok := body[key(n.path, n.inode)]
		if !ok || n.dir {
			continue
		}
		a.sizes++
		if b.size != e.Size {
			a.diffs = append(a.diffs, fmt.Sprintf("%s: size %d, TSK bodyfile %d", n.path, e.Size, b.size))
		}
		a.times++
		got := [4]int64{unix(e.Accessed), unix(e.Modified), unix(e.Changed), unix(e.Born)}
		want := [4]int64{b.atime, b.mtime, b.ctime, b.crtime}
		for i, v := range want {
			if v == tskZeroFiletime {
				want[i] = 0
			}
		}
		if got != want {
			a.diffs = append(a.diffs, fmt.Sprintf("%s: times (a,m,c,b) %v, TSK %v", n.path, got, want))
		}
	}
	var extra []string
	for k, e := range ours {
		if !seen[k] {
			extra = append(extra, fmt.Sprintf("only we list %s (inode %d, deleted %v, size %d)", e.Path, e.Inode, e.Deleted, e.Size))
		}
	}
	sort.Strings(extra)
	a.diffs = append(a.diffs, extra...)
	if fs == nil {
		return a
	}
	byPath := map[string]*filesystem.Entry{}
	for _, e := range es {
		if e.Stream == "" && byPath[e.Path] == nil {
			byPath[e.Path] = e
		}
	}
	var paths []string
	for p := range hashes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		e := byPath[p]
		if e == nil {
			a.diffs = append(a.diffs, fmt.Sprintf("TSK recovered %s, which we do not list", p))
			continue
		}
		a.hashes++
		got, err := md5Of(fs, e)
		if err != nil {
			a.diffs = append(a.diffs, fmt.Sprintf("%s: open: %v", p, err))
		} else if got != hashes[p] {
			a.diffs = append(a.diffs, fmt.Sprintf("%s: MD5 %s, TSK recovered %s", p, got, hashes[p]))
		}
	}
	return a
}

func md5Of(fs filesystem.FS, e *filesystem.Entry) (string, error) {
	sr, err := fs.Open(e)
	if err != nil {
		return "", err
	}
	h := md5.New()
	if _, err := io.Copy(h, bufio.NewReaderSize(sr, 1<<16)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// unix returns the Unix seconds of t, 0 for the zero time (as fls -m).
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
