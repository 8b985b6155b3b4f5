package iso9660

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// makeISO builds an image of the test tree with genisoimage (or mkisofs)
// and returns its bytes, or skips the test naming the tool.
func makeISO(t testing.TB, opts ...string) []byte {
	t.Helper()
	var tool string
	for _, name := range []string{"genisoimage", "mkisofs"} {
		if p, err := exec.LookPath(name); err == nil {
			tool = p
			break
		}
	}
	if tool == "" {
		t.Skip("genisoimage or mkisofs not installed: skipping")
	}
	img := filepath.Join(t.TempDir(), "x.iso")
	args := append(append([]string{"-quiet", "-o", img}, opts...), makeTree(t))
	if out, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", tool, err, out)
	}
	b, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDirectoryLoop points a subfolder's record at the root extent: Walk
// must list each folder once and note the loop.
func TestDirectoryLoop(t *testing.T) {
	b := makeISO(t)
	fs, err := NewFS(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var deeper *filesystem.Entry
	for _, e := range walkAll(t, fs) {
		if e.Path == "/DIR1/SUB/DEEPER" {
			deeper = e
		}
	}
	if deeper == nil {
		t.Fatal("/DIR1/SUB/DEEPER not found")
	}
	binary.LittleEndian.PutUint32(b[deeper.Offset+2:], fs.primary.extent)
	binary.BigEndian.PutUint32(b[deeper.Offset+6:], fs.primary.extent)
	fs, err = NewFS(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range walkAll(t, fs) {
		n++
		if strings.Count(e.Path, "DIR1") > 1 {
			t.Fatalf("walked into the loop: %s", e.Path)
		}
	}
	if len(fs.Anomalies()) == 0 {
		t.Error("loop not noted in Anomalies")
	}
}

// TestCorpus compares Walk with fls -r -m and content with tsk_recover's
// hashes on the ISO 9660 images of the corpus.
func TestCorpus(t *testing.T) {
	corpus := testcorpus.Dir(t)
	for _, c := range []struct{ oracle, path string }{
		{"sleuthkit-test-data__image.iso", "sleuthkit-test-data/image.iso"},
		{"dfvfs__iso9660.raw", "dfvfs/iso9660.raw"},
	} {
		t.Run(c.oracle, func(t *testing.T) {
			img, err := evidence.OpenRaw(filepath.Join(corpus, "diskimages", filepath.FromSlash(c.path)))
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			fs, err := NewFS(img, img.Size())
			if err != nil {
				t.Fatalf("NewFS: %v", err)
			}
			dir := filepath.Join(corpus, "diskimages", "_oracle", c.oracle, "fs_at_sector_0")
			body, err := os.ReadFile(filepath.Join(dir, "fls_bodyfile.txt"))
			if err != nil {
				t.Fatal(err)
			}
			tsk := parseBodyfile(t, bytes.NewReader(body))
			ours := walkAll(t, fs)
			match, diffs := agreement(ours, tsk)
			for _, d := range diffs {
				t.Errorf("fls difference: %s", d)
			}
			hashes, err := os.ReadFile(filepath.Join(dir, "recovered_hashes.txt"))
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{}
			for _, line := range strings.Split(string(hashes), "\n") {
				f := strings.SplitN(line, ",", 4)
				if len(f) == 4 && !strings.HasPrefix(line, "%") && !strings.HasPrefix(line, "#") {
					want["/"+strings.TrimPrefix(f[3], "./")] = f[1]
				}
			}
			ok := 0
			for _, e := range ours {
				w, listed := want[e.Path]
				if !listed {
					continue
				}
				got, err := md5Of(fs, e)
				if err != nil || got != w {
					t.Errorf("%s: MD5 %s (%v), tsk_recover %s", e.Path, got, err, w)
					continue
				}
				ok++
			}
			if ok != len(want) {
				t.Errorf("%d of %d recovered files matched", ok, len(want))
			}
			t.Logf("%s: fls %d/%d lines agree; content %d/%d files agree; label %q; anomalies %q",
				c.oracle, match, len(tsk), ok, len(want), fs.Label(), fs.Anomalies())
		})
	}
}

// FuzzOpen requires that no input panics or hangs: Open returns a nil FS
// with an error, or an FS whose Walk and Open of every entry finish. The
// seeds are a generated Joliet and Rock Ridge image when genisoimage is
// installed, and a bare primary descriptor otherwise.
func FuzzOpen(f *testing.F) {
	pvd := make([]byte, descStart+3*sectorSize)
	d := pvd[descStart:]
	d[0] = 1
	copy(d[1:], "CD001")
	binary.LittleEndian.PutUint16(d[128:], 2048)
	d[156] = 34
	binary.LittleEndian.PutUint32(d[156+2:], 18)
	binary.LittleEndian.PutUint32(d[156+10:], 2048)
	d[156+25] = flagDir
	d[156+32] = 1
	term := pvd[descStart+sectorSize:]
	term[0] = 255
	copy(term[1:], "CD001")
	f.Add(pvd)
	if _, err := exec.LookPath("genisoimage"); err == nil {
		f.Add(makeISO(f, "-J", "-R"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fs, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if fs != nil {
				t.Fatal("non-nil FS with an error")
			}
			return
		}
		n := 0
		_ = fs.Walk(context.Background(), func(e *filesystem.Entry) error {
			n++
			if n > 1000 {
				return io.EOF
			}
			if r, err := fs.Open(e); err == nil {
				io.CopyN(io.Discard, r, 64<<10)
			}
			return nil
		})
		fs.Anomalies()
	})
}
