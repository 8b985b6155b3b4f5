package ext

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// bodyLine is one line of a TSK bodyfile (fls -m): the fields compared.
type bodyLine struct {
	path    string
	deleted bool
	realloc bool
	inode   uint64
	size    int64
	atime   int64
	mtime   int64
	ctime   int64
	crtime  int64
}

func (b bodyLine) key() string { return fmt.Sprintf("%s|%v", b.path, b.deleted) }

// parseBodyfile reads fls -m output, skipping "# cmd:" and "# rc:" lines.
// Symlink names lose their " -> target" suffix.
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
		if p, ok := strings.CutSuffix(b.path, " (deleted-realloc)"); ok {
			b.path, b.deleted, b.realloc = p, true, true
		} else if p, ok := strings.CutSuffix(b.path, " (deleted)"); ok {
			b.path, b.deleted = p, true
		}
		if strings.HasPrefix(f[3], "l/") || strings.HasPrefix(f[3], "-/l") {
			if i := strings.Index(b.path, " -> "); i >= 0 {
				b.path = b.path[:i]
			}
		}
		num := func(s string) int64 {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				t.Fatalf("bodyfile %q: %v", line, err)
			}
			return n
		}
		b.inode = uint64(num(f[2]))
		b.size = num(f[6])
		b.atime, b.mtime, b.ctime, b.crtime = num(f[7]), num(f[8]), num(f[9]), num(f[10])
		out = append(out, b)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// walkAll collects every entry of fs.
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

// asBody renders an entry as the bodyfile fields TSK would give.
func asBody(e *filesystem.Entry) bodyLine {
	sec := func(tm interface {
		IsZero() bool
		Unix() int64
	}) int64 {
		if tm.IsZero() {
			return 0
		}
		return tm.Unix()
	}
	// fls prints control characters in names as '^' (names recovered
	// from directory slack may hold them).
	path := strings.Map(func(r rune) rune {
		if r < 0x20 {
			return '^'
		}
		return r
	}, e.Path)
	b := bodyLine{path: path, deleted: e.Deleted, inode: e.Inode, size: e.Size,
		atime: sec(e.Accessed), mtime: sec(e.Modified), ctime: sec(e.Changed), crtime: sec(e.Born)}
	b.realloc = e.Extra["reallocated"] == "true"
	return b
}

// agreement compares our entries with a TSK bodyfile and returns the
// number of TSK lines matched exactly and a description of each
// difference.
//
// The Sleuth Kit reports the creation time of ext4 only; with noCrtime set
// (ext2, ext3) ours is not compared, since the field is on disk all the
// same whenever the inode is large enough.
func agreement(ours []*filesystem.Entry, tsk []bodyLine, noCrtime bool) (int, []string) {
	mine := map[string]bodyLine{}
	for _, e := range ours {
		b := asBody(e)
		if noCrtime {
			b.crtime = 0
		}
		mine[b.key()] = b
	}
	var diffs []string
	match := 0
	seen := map[string]bool{}
	for _, want := range tsk {
		k := want.key()
		seen[k] = true
		got, ok := mine[k]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("missing %s (deleted=%v inode %d size %d)", want.path, want.deleted, want.inode, want.size))
		case got != want:
			diffs = append(diffs, fmt.Sprintf("%s: got %+v, TSK %+v", want.path, got, want))
		default:
			match++
		}
	}
	var extra []string
	for k, b := range mine {
		if !seen[k] {
			extra = append(extra, fmt.Sprintf("extra %s (deleted=%v inode %d size %d)", b.path, b.deleted, b.inode, b.size))
		}
	}
	sort.Strings(extra)
	return match, append(diffs, extra...)
}

// md5Of hashes an entry's content.
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

// haveTool skips the test when a program is not installed.
func haveTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed: skipping", name)
	}
	return p
}

// run runs a command and returns its standard output, failing the test on
// error.
func command(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}
