package fat

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/internal/corpusimage"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// tskEntry is what the oracles say about one path.
type tskEntry struct {
	inode   string
	deleted bool
	size    int64
	times   string // atime|mtime|crtime from the bodyfile
	md5     string // from recovered_hashes.txt, "" if not recovered
}

// tskName renders an entry's path as fls prints it: without the leading
// '/', control characters as '^', a volume label as TSK names it, and long
// names of 16 parts or more without their last part (TSK rejects the part
// that carries both the 0x40 flag and a sequence number above 15).
func tskName(e *filesystem.Entry, leaf string) string {
	parts := strings.Split(strings.TrimPrefix(e.Path, "/"), "/")
	parts[len(parts)-1] = leaf
	for i, p := range parts {
		if u := utf16.Encode([]rune(p)); len(u) > 15*13 {
			n := (len(u) + 12) / 13
			parts[i] = string(utf16.Decode(u[:13*(n-1)]))
		}
	}
	p := strings.Join(parts, "/")
	if e.Extra["volume_label"] == "true" {
		p = fmt.Sprintf("%-11s (Volume Label Entry)", p)
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '^'
		}
		return r
	}, p)
}

// readOracle parses fls_rp.txt, fls_bodyfile.txt and recovered_hashes.txt
// of one file system, keyed by path and inode (TSK may show several
// entries under one path). $OrphanFiles and its contents are left out:
// this reader does not scan for orphan entries.
func readOracle(t *testing.T, dir string) map[string]*tskEntry {
	t.Helper()
	out := map[string]*tskEntry{}
	byPath := map[string][]*tskEntry{}
	rp, ok := corpusimage.ToolOutput(t, filepath.Join(dir, "fls_rp.txt"))
	if !ok {
		t.Fatalf("%s: no fls_rp.txt", dir)
	}
	for _, l := range rp {
		head, path, ok := strings.Cut(l, ":\t")
		if !ok {
			t.Fatalf("%s: bad fls line %q", dir, l)
		}
		f := strings.Fields(head)
		e := &tskEntry{inode: strings.TrimSuffix(f[len(f)-1], "(realloc)"), deleted: len(f) == 3 && f[1] == "*"}
		if path == "$OrphanFiles" || strings.HasPrefix(path, "$OrphanFiles/") {
			continue
		}
		out[path+"\x00"+e.inode] = e
		byPath[path] = append(byPath[path], e)
	}
	body, _ := corpusimage.ToolOutput(t, filepath.Join(dir, "fls_bodyfile.txt"))
	for _, l := range body {
		f := strings.Split(l, "|")
		if len(f) != 11 {
			continue
		}
		name := strings.TrimPrefix(strings.TrimSuffix(f[1], " (deleted)"), "/")
		if e := out[name+"\x00"+f[2]]; e != nil {
			e.size, _ = strconv.ParseInt(f[6], 10, 64)
			e.times = f[7] + "|" + f[8] + "|" + f[10]
		}
	}
	hashes, _ := corpusimage.ToolOutput(t, filepath.Join(dir, "recovered_hashes.txt"))
	for _, l := range hashes {
		if strings.HasPrefix(l, "%") || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.SplitN(l, ",", 4)
		if len(f) == 4 {
			for _, e := range byPath[strings.TrimPrefix(f[3], "./")] {
				e.md5 = f[1]
			}
		}
	}
	return out
}

func unix(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.Unix(), 10)
}

// TestCorpus compares every FAT file system of the corpus with The Sleuth
// Kit's listing, bodyfile and recovered files.
func TestCorpus(t *testing.T) {
	corpus := testcorpus.Dir(t)
	for _, row := range corpusimage.Index(t, corpus) {
		for _, fsItem := range strings.Split(row.FileSystems, " ; ") {
			typ, rest, _ := strings.Cut(fsItem, "@")
			if !strings.HasPrefix(typ, "FAT") {
				continue
			}
			sector, _, _ := strings.Cut(rest, ":")
			t.Run(row.OracleDir+"@"+sector, func(t *testing.T) {
				s, _ := strconv.ParseInt(sector, 10, 64)
				r, size := corpusimage.Open(t, corpus, row)
				fs, err := Open(io.NewSectionReader(r, s*512, size-s*512), size-s*512)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := fs.Type(), strings.ToLower(typ); got != want {
					t.Errorf("type %s, want %s", got, want)
				}
				oracle := readOracle(t, filepath.Join(corpus, "diskimages", "_oracle", row.OracleDir, "fs_at_sector_"+sector))
				compare(t, fs, oracle)
				for _, a := range fs.Anomalies() {
					t.Logf("anomaly: %s", a)
				}
			})
		}
	}
}

const emptyMD5 = "d41d8cd98f00b204e9800998ecf8427e"

// compare checks fs against the oracle. Differences where this reader
// follows the FAT specification and TSK does not are logged with the
// reason; any other difference fails the test.
func compare(t *testing.T, fs filesystem.FS, oracle map[string]*tskEntry) {
	t.Helper()
	seen := map[string]bool{}
	var diffs, explained []string
	var afterEnd []string // folders found after an end marker
	match, hashed, hashOK := 0, 0, 0
	err := fs.Walk(context.Background(), func(e *filesystem.Entry) error {
		ino := strconv.FormatUint(e.Inode, 10)
		name := tskName(e, e.Name)
		key := name + "\x00" + ino
		o := oracle[key]
		if o == nil && e.Extra["unmatched_long_name"] != "" {
			alt := tskName(e, e.Extra["unmatched_long_name"])
			if o = oracle[alt+"\x00"+ino]; o != nil {
				key = alt + "\x00" + ino
				explained = append(explained, fmt.Sprintf("%q: TSK names it %q from a long name whose checksum does not match the short entry", name, alt))
			}
		}
		seen[key] = true
		if o == nil {
			if strings.Contains(strings.TrimRight(e.Extra["short_name"], " "), " ") {
				explained = append(explained, fmt.Sprintf("extra %q: TSK rejects 8.3 names with inner spaces", name))
			} else {
				diffs = append(diffs, fmt.Sprintf("extra: %q (inode %d, deleted %v)", name, e.Inode, e.Deleted))
			}
			return nil
		}
		var d []string
		if o.deleted != e.Deleted {
			msg := fmt.Sprintf("deleted %v, TSK %v", e.Deleted, o.deleted)
			if e.Extra["after_end_marker"] == "true" {
				explained = append(explained, fmt.Sprintf("%q: %s: listed after the folder's end marker, which TSK does not honour", name, msg))
				afterEnd = append(afterEnd, name+"/")
			} else {
				d = append(d, msg)
			}
		}
		if o.size != e.Size {
			msg := fmt.Sprintf("size %d, TSK %d", e.Size, o.size)
			if e.Extra["after_end_marker"] == "true" && e.Type == filesystem.Dir {
				explained = append(explained, fmt.Sprintf("%q: %s: a deleted folder whose first cluster is in use has size 0", name, msg))
			} else {
				d = append(d, msg)
			}
		}
		// TSK adds the second that 10 ms units of 100 or more add to a
		// creation time only above 100: at exactly 100 it shows one
		// second less.
		born := e.Born
		if born.Sub(born.Truncate(2*time.Second)) == time.Second {
			born = born.Add(-time.Second)
		}
		if times := unix(e.Accessed) + "|" + unix(e.Modified) + "|" + unix(born); e.Extra["virtual"] == "" && o.times != times {
			d = append(d, fmt.Sprintf("times a|m|b %s, TSK %s", times, o.times))
		}
		if o.md5 != "" {
			hashed++
			got := md5Of(fs, e)
			switch {
			case got == o.md5:
				hashOK++
			case o.md5 == emptyMD5 && e.Size > 0 && strings.Contains(got, "past the"):
				explained = append(explained, fmt.Sprintf("%q: content lies past the end of the image: TSK writes an empty file, this reader refuses (%s)", name, got))
			default:
				d = append(d, fmt.Sprintf("md5 %s, TSK %s", got, o.md5))
			}
		}
		if len(d) > 0 {
			diffs = append(diffs, fmt.Sprintf("%q: %s", name, strings.Join(d, "; ")))
		} else {
			match++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for key := range oracle {
		if seen[key] {
			continue
		}
		name, ino, _ := strings.Cut(key, "\x00")
		if slices.ContainsFunc(afterEnd, func(p string) bool { return strings.HasPrefix(name, p) }) {
			explained = append(explained, fmt.Sprintf("missing %q (inode %s): inside a folder found after an end marker, whose cluster is in use: TSK enters it, this reader does not", name, ino))
			continue
		}
		diffs = append(diffs, fmt.Sprintf("missing: %q (inode %s)", name, ino))
	}
	sort.Strings(diffs)
	sort.Strings(explained)
	t.Logf("%d of %d TSK entries agree in path, inode, deleted, size and times; %d of %d recovered files agree in MD5; %d explained differences",
		match, len(oracle), hashOK, hashed, len(explained))
	for i, d := range explained {
		if i == 20 {
			t.Logf("explained: … %d more", len(explained)-i)
			break
		}
		t.Logf("explained: %s", d)
	}
	for _, d := range diffs {
		t.Errorf("difference: %s", d)
	}
}

func md5Of(fs filesystem.FS, e *filesystem.Entry) string {
	sr, err := fs.Open(e)
	if err != nil {
		return "error: " + err.Error()
	}
	h := md5.New()
	if _, err := io.Copy(h, sr); err != nil {
		return "error: " + err.Error()
	}
	return hex.EncodeToString(h.Sum(nil))
}
