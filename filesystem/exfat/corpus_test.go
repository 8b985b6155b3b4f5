package exfat

import (
	"context"
	"crypto/md5"
	"encoding/binary"
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

	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/internal/corpusimage"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// tskEntry is what the oracles say about one path.
type tskEntry struct {
	deleted bool
	size    int64
	times   string // atime|mtime|crtime from the bodyfile
	md5     string // from recovered_hashes.txt, "" if not recovered
}

// tskName renders an entry's path as fls prints it.
func tskName(e *filesystem.Entry) string {
	p := strings.TrimPrefix(e.Path, "/")
	if e.Extra["volume_label"] == "true" {
		p += " (Volume Label Entry)"
	}
	return p
}

// readOracle parses fls_rp.txt, fls_bodyfile.txt and recovered_hashes.txt
// of one file system, keyed by path and inode. $OrphanFiles and its
// contents are left out: this reader does not scan for orphan entries.
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
		if path == "$OrphanFiles" || strings.HasPrefix(path, "$OrphanFiles/") {
			continue
		}
		f := strings.Fields(head)
		e := &tskEntry{deleted: len(f) == 3 && f[1] == "*"}
		out[path+"\x00"+f[len(f)-1]] = e
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
		if f := strings.SplitN(l, ",", 4); len(f) == 4 {
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

// TestCorpus compares every exFAT file system of the corpus with The
// Sleuth Kit's listing, bodyfile and recovered files.
func TestCorpus(t *testing.T) {
	corpus := testcorpus.Dir(t)
	for _, row := range corpusimage.Index(t, corpus) {
		for _, fsItem := range strings.Split(row.FileSystems, " ; ") {
			typ, rest, _ := strings.Cut(fsItem, "@")
			if typ != "exFAT" {
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
				oracle := readOracle(t, filepath.Join(corpus, "diskimages", "_oracle", row.OracleDir, "fs_at_sector_"+sector))
				compare(t, fs.(*volume), oracle)
				for _, a := range fs.Anomalies() {
					t.Logf("anomaly: %s", a)
				}
			})
		}
	}
}

// compare checks fs against the oracle. Differences where this reader
// follows the exFAT specification and TSK does not are logged with the
// reason; any other difference fails the test.
func compare(t *testing.T, fs *volume, oracle map[string]*tskEntry) {
	t.Helper()
	seen := map[string]bool{}
	var diffs, explained []string
	match, hashed, hashOK, withExplained := 0, 0, 0, 0
	err := fs.Walk(context.Background(), func(e *filesystem.Entry) error {
		name := tskName(e)
		key := name + "\x00" + strconv.FormatUint(e.Inode, 10)
		o := oracle[key]
		seen[key] = true
		if o == nil {
			diffs = append(diffs, fmt.Sprintf("extra: %q (inode %d, deleted %v)", name, e.Inode, e.Deleted))
			return nil
		}
		var d []string
		before := len(explained)
		defer func() {
			if len(d) == 0 && len(explained) > before {
				withExplained++
			}
		}()
		if o.deleted != e.Deleted {
			d = append(d, fmt.Sprintf("deleted %v, TSK %v", e.Deleted, o.deleted))
		}
		if o.size != e.Size {
			d = append(d, fmt.Sprintf("size %d, TSK %d", e.Size, o.size))
		}
		if times := unix(e.Accessed) + "|" + unix(e.Modified) + "|" + unix(e.Born); e.Extra["virtual"] == "" && o.times != times {
			if tsk := tskTimes(t, fs, e); tsk == o.times {
				explained = append(explained, fmt.Sprintf("%q: times a|m|b %s, TSK %s: TSK ignores the UTC offset fields and the 10 ms units of a creation time up to 100", name, times, o.times))
			} else {
				d = append(d, fmt.Sprintf("times a|m|b %s, TSK %s (%s from the entry as TSK reads it)", times, o.times, tsk))
			}
		}
		if o.md5 != "" {
			hashed++
			got := md5Of(fs, e)
			switch {
			case got == o.md5:
				hashOK++
			case slices.Contains(rawMD5s(fs, e), o.md5):
				explained = append(explained, fmt.Sprintf("%q: TSK reads the clusters past the valid data length (%s of %d bytes), or takes a deleted file's clusters from the FAT or as contiguous; this reader gives zeros there, or refuses (%s)", name, e.Extra["valid_data_length"], e.Size, got))
			case e.Deleted && e.Extra["no_fat_chain"] == "" && e.Size > fs.clusterSize:
				explained = append(explained, fmt.Sprintf("%q: deleted file with a FAT chain over %d bytes: TSK guesses its clusters, this reader refuses (%s)", name, e.Size, got))
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
		if !seen[key] {
			name, ino, _ := strings.Cut(key, "\x00")
			diffs = append(diffs, fmt.Sprintf("missing: %q (inode %s)", name, ino))
		}
	}
	sort.Strings(diffs)
	sort.Strings(explained)
	t.Logf("%d of %d TSK entries agree in path, inode, deleted and size (%d of them with explained differences in times or content); %d of %d recovered files agree in MD5; %d explained differences",
		match, len(oracle), withExplained, hashOK, hashed, len(explained))
	for _, d := range explained {
		t.Logf("explained: %s", d)
	}
	for _, d := range diffs {
		t.Errorf("difference: %s", d)
	}
}

// tskTimes decodes e's File entry as TSK does: local times as if UTC,
// no 10 ms units for the access time, and one second added by the 10 ms
// units only above 100.
func tskTimes(t *testing.T, fs *volume, e *filesystem.Entry) string {
	b, err := fs.readFull(e.Offset, 32)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	at := func(ts int, ms10 byte) string {
		if ms10 > 100 {
			ms10 = 100
		} else {
			ms10 = 0
		}
		return unix(stamp(le.Uint32(b[ts:]), ms10, 0))
	}
	return at(16, 0) + "|" + at(12, b[21]) + "|" + at(8, b[20])
}

// rawMD5s are the MD5s of e's clusters up to its size, ignoring the
// valid data length: taken contiguously and, when that differs, along
// the FAT, even for a deleted file.
func rawMD5s(fs *volume, e *filesystem.Entry) []string {
	first, _ := strconv.ParseUint(e.Extra["first_cluster"], 10, 32)
	var sums []string
	for _, contiguous := range []bool{true, e.Extra["no_fat_chain"] == "true"} {
		runs, err := fs.chain(uint32(first), e.Size, contiguous)
		if err != nil {
			continue
		}
		h := md5.New()
		if _, err := io.Copy(h, io.NewSectionReader(&runReader{v: fs, runs: runs, valid: e.Size}, 0, e.Size)); err == nil {
			sums = append(sums, hex.EncodeToString(h.Sum(nil)))
		}
	}
	return sums
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
