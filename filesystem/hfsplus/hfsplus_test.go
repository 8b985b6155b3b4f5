package hfsplus

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

func openBytes(t testing.TB, b []byte) *FS {
	t.Helper()
	fs, err := NewFS(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("NewFS: %v", err)
	}
	return fs
}

func readAll(t testing.TB, fs filesystem.FS, e *filesystem.Entry) ([]byte, error) {
	t.Helper()
	r, err := fs.Open(e)
	if err != nil {
		return nil, err
	}
	if r.Size() != e.Size {
		t.Errorf("%s: reader of %d bytes, entry says %d", e.Path, r.Size(), e.Size)
	}
	return io.ReadAll(r)
}

// TestStandardImage walks a built image and reads every file.
func TestStandardImage(t *testing.T) {
	fs := openBytes(t, standardImage(nil))
	if fs.Label() != "TestVol" || fs.Type() != "hfsplus" {
		t.Errorf("Label %q Type %q", fs.Label(), fs.Type())
	}
	byPath := map[string]*filesystem.Entry{}
	var order []string
	for _, e := range walkAll(t, fs) {
		byPath[e.Path] = e
		order = append(order, e.Path)
	}
	want := []struct {
		path    string
		inode   uint64
		typ     filesystem.EntryType
		content []byte
	}{
		{"/dir", 16, filesystem.Dir, nil},
		{"/dir/a.txt", 17, filesystem.File, tHello},
		{"/dir/a.txt:user.note", 17, filesystem.File, []byte("a note")},
		{"/frag.bin", 18, filesystem.File, tFrag},
		{"/ln", 19, filesystem.Symlink, []byte("dir/a.txt")},
		{"/z3.txt", 20, filesystem.File, tZ3},
		{"/z4.bin", 21, filesystem.File, tZ4},
		{"/lzvn", 22, filesystem.File, nil},
		{"/" + privateFileDir, 23, filesystem.Dir, nil},
		{"/" + privateFileDir + "/iNode24", 24, filesystem.File, []byte("linked content\n")},
		{"/hl", 24, filesystem.File, []byte("linked content\n")},
		{"/rf", 26, filesystem.File, []byte{}},
		{"/rf:rsrc", 26, filesystem.File, []byte("resource data")},
		{"/$CatalogFile", cnidCatalog, filesystem.File, nil},
	}
	for _, w := range want {
		e := byPath[w.path]
		if e == nil {
			t.Errorf("%q not listed; have %q", w.path, order)
			continue
		}
		if e.Inode != w.inode || e.Type != w.typ {
			t.Errorf("%s: inode %d type %s, want %d %s", w.path, e.Inode, e.Type, w.inode, w.typ)
		}
		if w.content == nil {
			continue
		}
		got, err := readAll(t, fs, e)
		if err != nil {
			t.Errorf("%s: %v", w.path, err)
		} else if !bytes.Equal(got, w.content) {
			t.Errorf("%s: content differs (%d bytes, want %d)", w.path, len(got), len(w.content))
		}
	}
	if e := byPath["/ln"]; e != nil && e.Extra["link_target"] != "dir/a.txt" {
		t.Errorf("link target %q", e.Extra["link_target"])
	}
	if e := byPath["/hl"]; e != nil && (e.Extra["link_cnid"] != "25" || e.Mode != 0o640) {
		t.Errorf("hard link: extra %v mode %o", e.Extra, e.Mode)
	}
	if e := byPath["/z4.bin"]; e != nil && e.Size != int64(len(tZ4)) {
		t.Errorf("z4.bin size %d", e.Size)
	}
	if e := byPath["/dir/a.txt"]; e != nil {
		if e.Born.Unix() != tTime-hfsEpochDelta || e.Modified.Unix() != tTime+1-hfsEpochDelta ||
			e.Changed.Unix() != tTime+2-hfsEpochDelta || e.Accessed.Unix() != tTime+3-hfsEpochDelta {
			t.Errorf("times %v %v %v %v", e.Born, e.Modified, e.Changed, e.Accessed)
		}
		if e.Mode != 0o644 || e.Extra["uid"] != "501" {
			t.Errorf("mode %o extra %v", e.Mode, e.Extra)
		}
	}
	if e := byPath["/lzvn"]; e != nil {
		if _, err := fs.Open(e); !errors.Is(err, ErrCompressed) {
			t.Errorf("lzvn: %v, want ErrCompressed", err)
		}
	}
	if order[0] != "/$ExtentsFile" || order[1] != "/$CatalogFile" {
		t.Errorf("metadata files not first: %q", order[:2])
	}
	if i, j := indexOf(order, "/dir"), indexOf(order, "/dir/a.txt"); i < 0 || j < i {
		t.Errorf("folder not before its contents: %q", order)
	}
	if a := fs.Anomalies(); len(a) > 0 {
		t.Errorf("anomalies: %q", a)
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// TestConcurrent walks and reads from several goroutines (run with
// -race).
func TestConcurrent(t *testing.T) {
	fs := openBytes(t, standardImage(nil))
	entries := walkAll(t, fs)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = fs.Walk(context.Background(), func(*filesystem.Entry) error { return nil })
			for _, e := range entries {
				if r, err := fs.Open(e); err == nil {
					io.Copy(io.Discard, r)
				}
			}
		}()
	}
	wg.Wait()
}

// TestNotHFS checks that other data is refused with ErrNotFS.
func TestNotHFS(t *testing.T) {
	good := standardImage(nil)
	cases := map[string][]byte{
		"empty":     nil,
		"short":     make([]byte, 1500),
		"zeros":     make([]byte, 1<<16),
		"truncated": good[:1100],
	}
	bad := bytes.Clone(good)
	binary.BigEndian.PutUint16(bad[headerOffset+2:], 9)
	cases["version 9"] = bad
	bad = bytes.Clone(good)
	binary.BigEndian.PutUint32(bad[headerOffset+40:], 1000)
	cases["block size 1000"] = bad
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			fs, err := Open(bytes.NewReader(b), int64(len(b)))
			if !errors.Is(err, filesystem.ErrNotFS) || fs != nil {
				t.Errorf("%v, want ErrNotFS", err)
			}
		})
	}
}

// TestMalformed damages the standard image: each case must give an
// error from Open, or an FS whose Walk ends, in bounded time, with the
// damage noted.
func TestMalformed(t *testing.T) {
	good := standardImage(nil)
	leafOf := func(tree string, f func(b []byte)) func(string, []byte) {
		return func(name string, b []byte) {
			if name == tree {
				f(b)
			}
		}
	}
	cases := []struct {
		name    string
		img     []byte
		openErr bool // Open must fail
	}{
		{"truncated image", good[:len(good)/2], true},
		{"catalog node size 0", standardImage(leafOf("catalog", func(b []byte) { binary.BigEndian.PutUint16(b[32:], 0) })), true},
		{"catalog node size 65535", standardImage(leafOf("catalog", func(b []byte) { binary.BigEndian.PutUint16(b[32:], 65535) })), true},
		{"catalog node size 32768", standardImage(leafOf("catalog", func(b []byte) { binary.BigEndian.PutUint16(b[32:], 32768) })), false},
		{"catalog node count huge", standardImage(leafOf("catalog", func(b []byte) { binary.BigEndian.PutUint32(b[36:], 1<<31) })), false},
		{"catalog leaf links to itself", standardImage(leafOf("catalog", func(b []byte) {
			binary.BigEndian.PutUint32(b[tNodeSize:], 1)
		})), false},
		{"catalog index points to itself", standardImage(leafOf("catalog", func(b []byte) {
			root := binary.BigEndian.Uint32(b[16:])
			n := b[int(root)*tNodeSize:]
			if int8(n[8]) == kindIndex {
				off := int(binary.BigEndian.Uint16(n[tNodeSize-2:]))
				kl := int(binary.BigEndian.Uint16(n[off:]))
				binary.BigEndian.PutUint32(n[off+2+kl:], root)
			}
		})), false},
		{"catalog record offsets out of range", standardImage(leafOf("catalog", func(b []byte) {
			binary.BigEndian.PutUint16(b[2*tNodeSize-2:], 0xFFF0)
		})), false},
		{"catalog record count huge", standardImage(leafOf("catalog", func(b []byte) {
			binary.BigEndian.PutUint16(b[tNodeSize+10:], 0xFFFF)
		})), false},
		{"extents tree node size 513", standardImage(leafOf("extents", func(b []byte) { binary.BigEndian.PutUint16(b[32:], 513) })), true},
		{"attributes leaf loops", standardImage(leafOf("attributes", func(b []byte) {
			binary.BigEndian.PutUint32(b[tNodeSize:], 1)
		})), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkDamaged(t, c.img, c.openErr)
		})
	}
}

func checkDamaged(t *testing.T, img []byte, openErr bool) {
	t.Helper()
	start := time.Now()
	fs, err := NewFS(bytes.NewReader(img), int64(len(img)))
	if openErr {
		if err == nil {
			t.Fatal("Open succeeded")
		}
		t.Logf("Open: %v", err)
		return
	}
	if err != nil {
		t.Logf("Open: %v", err)
		return
	}
	n := 0
	werr := fs.Walk(context.Background(), func(e *filesystem.Entry) error {
		n++
		if n > 10000 {
			return errors.New("too many entries")
		}
		if r, err := fs.Open(e); err == nil {
			io.Copy(io.Discard, r)
		}
		return nil
	})
	if werr != nil {
		t.Errorf("Walk: %v", werr)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	t.Logf("%d entries; anomalies %q", n, fs.Anomalies())
}

// TestFolderLoops adds folders that are their own parent, and two
// folders that are each other's parent: Walk must skip them and say so.
func TestFolderLoops(t *testing.T) {
	b := newBuilder()
	b.folder(cnidRoot, cnidRootParent, "V", 0o755, tTime)
	b.folder(16, cnidRoot, "ok", 0o755, tTime)
	b.folder(30, 30, "self", 0o755, tTime)
	b.file(tFile{cnid: 33, parent: 30, name: "in-self", mode: modeRegular | 0o644, data: []byte("x")})
	b.folder(31, 32, "a", 0o755, tTime)
	b.folder(32, 31, "b", 0o755, tTime)
	// A second record for folder 16 under itself: entered once.
	b.folder(16, 16, "again", 0o755, tTime)
	fs := openBytes(t, b.finish())
	var paths []string
	for _, e := range walkAll(t, fs) {
		paths = append(paths, e.Path)
	}
	for _, p := range paths {
		if strings.Contains(p, "self") || strings.HasSuffix(p, "/a") || strings.HasSuffix(p, "/b") || strings.Count(p, "again") > 1 {
			t.Errorf("listed %s", p)
		}
	}
	a := strings.Join(fs.Anomalies(), "\n")
	if !strings.Contains(a, "its own parent") || !strings.Contains(a, "not reachable") {
		t.Errorf("anomalies %q", a)
	}
	t.Logf("paths %q; anomalies %q", paths, fs.Anomalies())
}

// TestDeepNesting builds folders deeper than filesystem.MaxDepth.
func TestDeepNesting(t *testing.T) {
	b := newBuilder()
	b.nodeSize = 4096
	b.folder(cnidRoot, cnidRootParent, "V", 0o755, tTime)
	parent := uint32(cnidRoot)
	for i := range filesystem.MaxDepth + 10 {
		b.folder(uint32(100+i), parent, "d", 0o755, tTime)
		parent = uint32(100 + i)
	}
	fs := openBytes(t, b.finish())
	deepest := 0
	for _, e := range walkAll(t, fs) {
		deepest = max(deepest, strings.Count(e.Path, "/"))
	}
	if deepest > filesystem.MaxDepth {
		t.Errorf("listed %d levels", deepest)
	}
	if len(fs.Anomalies()) == 0 {
		t.Error("depth cap not noted")
	}
}

// TestEmptyVolume formats a volume with mkfs.hfsplus (hfsprogs) and
// compares the listing with fls when installed.
func TestEmptyVolume(t *testing.T) {
	mkfs, err := exec.LookPath("mkfs.hfsplus")
	if err != nil {
		t.Skip("mkfs.hfsplus (hfsprogs) not installed: skipping")
	}
	for _, opts := range [][]string{{"-v", "Empty"}, {"-s", "-v", "Case"}} {
		img := filepath.Join(t.TempDir(), "hfs.img")
		if err := exec.Command("truncate", "-s", "8M", img).Run(); err != nil {
			t.Skipf("truncate: %v", err)
		}
		if out, err := exec.Command(mkfs, append(opts, img)...).CombinedOutput(); err != nil {
			t.Fatalf("mkfs.hfsplus: %v\n%s", err, out)
		}
		row := readFile(t, img)
		fs := openBytes(t, row)
		ours := walkAll(t, fs)
		if fs.Label() != opts[len(opts)-1] {
			t.Errorf("Label %q", fs.Label())
		}
		if out, err := exec.Command("fls", "-r", "-p", img).Output(); err == nil {
			var want, got []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if _, p, ok := strings.Cut(l, ":\t"); ok {
					want = append(want, p)
				}
			}
			for _, e := range ours {
				if e.Stream == "" {
					got = append(got, tskPath(e.Path))
				}
			}
			if strings.Join(want, "\n") != strings.Join(got, "\n") {
				t.Errorf("fls lists %q, we list %q", want, got)
			}
		}
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
