package ext

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// makeTree writes the folder the generated images are built from: nested
// folders, symlinks (fast and slow), sparse files reaching the double and
// triple indirect ranges, a file large enough for indirect blocks and
// extents, an empty file and a folder of 40 names.
func makeTree(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "src")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"dir1/sub", "dir2", "ünïcode"} {
		must(os.MkdirAll(filepath.Join(dir, d), 0o755))
	}
	pseudo := func(n int, seed byte) []byte {
		b := make([]byte, n)
		x := uint32(seed) + 1
		for i := range b {
			x = x*1664525 + 1013904223
			b[i] = byte(x >> 24)
		}
		return b
	}
	must(os.WriteFile(filepath.Join(dir, "a.txt"), []byte("hello\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "dir1/big.bin"), pseudo(300000, 1), 0o600))
	must(os.WriteFile(filepath.Join(dir, "dir1/sub/small"), pseudo(5000, 2), 0o644))
	must(os.WriteFile(filepath.Join(dir, "ünïcode/naïve.txt"), []byte("café\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "empty"), nil, 0o644))
	for i := 1; i <= 40; i++ {
		must(os.WriteFile(filepath.Join(dir, "dir2", "file"+strconv.Itoa(i)), []byte(strconv.Itoa(i)+"\n"), 0o644))
	}
	sparse := func(name string, at int64) {
		f, err := os.Create(filepath.Join(dir, name))
		must(err)
		_, err = f.WriteAt(pseudo(3000, 3), at)
		must(err)
		must(f.Close())
	}
	sparse("sparse", 2000<<10)   // double indirect with 1 KiB blocks
	sparse("sparse_far", 80<<20) // triple indirect with 1 KiB blocks
	must(os.Symlink("a.txt", filepath.Join(dir, "link")))
	must(os.Symlink("dir1/sub/"+strings.Repeat("x", 80), filepath.Join(dir, "longlink")))
	return dir
}

// mkfs builds an image of the tree with mke2fs -d and the given options.
func mkfs(t testing.TB, src string, opts ...string) string {
	t.Helper()
	mke2fs := haveTool(t, "mke2fs")
	img := filepath.Join(t.TempDir(), "fs.img")
	args := append([]string{"-q", "-F", "-d", src}, opts...)
	args = append(args, img, "8M")
	cmd := exec.Command(mke2fs, args...)
	cmd.Env = append(os.Environ(), "E2FSPROGS_FAKE_TIME=1600000000")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mke2fs %v: %v\n%s", opts, err, out)
	}
	return img
}

// debugfs runs write requests on an image.
func debugfs(t testing.TB, img string, reqs ...string) {
	t.Helper()
	p := haveTool(t, "debugfs")
	for _, r := range reqs {
		if out, err := exec.Command(p, "-w", "-R", r, img).CombinedOutput(); err != nil {
			t.Fatalf("debugfs %q: %v\n%s", r, err, out)
		}
	}
}

func openImage(t testing.TB, img string) (*FS, *os.File) {
	t.Helper()
	f, err := os.Open(img)
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
	return fs, f
}

// TestAgainstTSK builds ext2/3/4 images, deletes files with debugfs, and
// compares Walk with fls and content with icat.
func TestAgainstTSK(t *testing.T) {
	haveTool(t, "fls")
	haveTool(t, "icat")
	src := makeTree(t)
	cases := []struct {
		name string
		opts []string
		typ  string
	}{
		{"ext2-1k", []string{"-t", "ext2", "-b", "1024"}, "ext2"},
		{"ext3-1k", []string{"-t", "ext3", "-b", "1024"}, "ext3"},
		{"ext4-1k", []string{"-t", "ext4", "-b", "1024"}, "ext4"},
		{"ext4-4k-64bit", []string{"-t", "ext4", "-b", "4096", "-O", "64bit,metadata_csum", "-L", "EVIDENCE"}, "ext4"},
		{"ext4-inline", []string{"-t", "ext4", "-O", "inline_data", "-I", "256"}, "ext4"},
		{"ext2-nofiletype", []string{"-t", "ext2", "-b", "2048", "-O", "^filetype"}, "ext2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img := mkfs(t, src, tc.opts...)
			if _, err := exec.LookPath("debugfs"); err == nil {
				debugfs(t, img, "rm dir2/file5", "rm dir1/sub/small", "rm a.txt")
			}
			fs, _ := openImage(t, img)
			if fs.Type() != tc.typ {
				t.Errorf("Type = %q, want %q", fs.Type(), tc.typ)
			}
			ours := walkAll(t, fs)
			tsk := parseBodyfile(t, bytes.NewReader(command(t, "fls", "-r", "-m", "/", img)))
			match, diffs := agreement(ours, tsk, fs.Type() != "ext4")
			for _, d := range diffs {
				t.Errorf("fls difference: %s", d)
			}
			t.Logf("%d/%d fls lines agree", match, len(tsk))
			checkContent(t, fs, ours, src, img)
			if tc.name == "ext4-4k-64bit" && fs.Label() != "EVIDENCE" {
				t.Errorf("Label = %q", fs.Label())
			}
			if a := fs.Anomalies(); len(a) > 0 {
				t.Errorf("anomalies on a clean image: %q", a)
			}
		})
	}
}

// checkContent compares each file's content with the source tree it was
// built from (deleted files too: debugfs leaves their blocks in place),
// and with icat where icat can read it (files up to 1 MiB). The Sleuth Kit 4.11 returns zeros
// for a fast symlink and fails on sparse extents past the image end; the
// source tree decides there.
func checkContent(t *testing.T, fs *FS, ours []*filesystem.Entry, src, img string) {
	t.Helper()
	for _, e := range ours {
		if e.Inode == 0 || e.Type == filesystem.Dir || strings.HasPrefix(e.Path, "/$OrphanFiles/") {
			continue
		}
		got, err := md5Of(fs, e)
		if err != nil {
			t.Errorf("Open %s: %v", e.Path, err)
			continue
		}
		p := filepath.Join(src, filepath.FromSlash(e.Path))
		var want []byte
		if e.Type == filesystem.Symlink {
			target, err := os.Readlink(p)
			if err != nil {
				t.Fatal(err)
			}
			want = []byte(target)
		} else if want, err = os.ReadFile(p); err != nil {
			t.Fatal(err)
		}
		if sum := md5.Sum(want); got != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: content differs from the source file", e.Path)
		}
		if e.Type == filesystem.Symlink || e.Size > 1<<20 {
			continue // icat takes seconds on the 80 MiB sparse file
		}
		if out, err := exec.Command("icat", img, strconv.FormatUint(e.Inode, 10)).Output(); err == nil {
			if sum := md5.Sum(out); got != hex.EncodeToString(sum[:]) {
				t.Errorf("%s: content differs from icat", e.Path)
			}
		}
	}
}

// TestClearedBlockMap emulates the kernel's ext4 unlink, which clears the
// extent tree: Open must say the content is gone rather than return zeros.
func TestClearedBlockMap(t *testing.T) {
	img := mkfs(t, makeTree(t), "-t", "ext4")
	debugfs(t, img, "rm dir1/sub/small")
	fs, _ := openImage(t, img)
	var small *filesystem.Entry
	for _, e := range walkAll(t, fs) {
		if e.Path == "/dir1/sub/small" {
			small = e
		}
	}
	if small == nil || !small.Deleted {
		t.Fatalf("deleted /dir1/sub/small not listed: %+v", small)
	}
	debugfs(t, img, "sif <"+strconv.FormatUint(small.Inode, 10)+"> block[0] 0xF30A")
	fs, _ = openImage(t, img)
	if _, err := fs.Open(small); !errors.Is(err, ErrNotRecoverable) {
		t.Fatalf("Open of a cleared inode: %v, want ErrNotRecoverable", err)
	}
}

// TestDirectoryLoop links a folder into its own subfolder: Walk must list
// each folder once and stop.
func TestDirectoryLoop(t *testing.T) {
	img := mkfs(t, makeTree(t), "-t", "ext2")
	debugfs(t, img, "ln dir1 dir1/sub/loop")
	fs, _ := openImage(t, img)
	dirs := map[uint64]int{}
	for _, e := range walkAll(t, fs) {
		if e.Type == filesystem.Dir {
			dirs[e.Inode]++
		}
		if strings.Count(e.Path, "/loop") > 1 {
			t.Fatalf("walked into the loop: %s", e.Path)
		}
	}
	if len(dirs) == 0 {
		t.Fatal("no folders")
	}
}

// TestTimes checks nanoseconds and the epoch bits of the extra time fields
// and the creation time on ext4 (mke2fs -d stores whole seconds, so the
// fields are set with debugfs).
func TestTimes(t *testing.T) {
	img := mkfs(t, makeTree(t), "-t", "ext4", "-I", "256")
	debugfs(t, img,
		"sif a.txt mtime 1600000000", "sif a.txt mtime_extra 0x12345678",
		"sif a.txt crtime 1500000000", "sif a.txt crtime_extra 0x00000005")
	fs, _ := openImage(t, img)
	for _, e := range walkAll(t, fs) {
		if e.Path != "/a.txt" {
			continue
		}
		if want := time.Unix(1600000000, 0x12345678>>2).UTC(); !e.Modified.Equal(want) {
			t.Errorf("Modified = %v, want %v", e.Modified, want)
		}
		if want := time.Unix(1500000000+1<<32, 1).UTC(); !e.Born.Equal(want) {
			t.Errorf("Born = %v, want %v", e.Born, want)
		}
		if e.Mode != 0o644 || e.Type != filesystem.File || e.Size != 6 || e.Extra["links"] != "1" {
			t.Errorf("entry %+v", e)
		}
		return
	}
	t.Fatal("/a.txt not found")
}

func TestNotExt(t *testing.T) {
	for _, size := range []int64{0, 100, 4096} {
		_, err := Open(bytes.NewReader(make([]byte, size)), size)
		if !errors.Is(err, filesystem.ErrNotFS) {
			t.Errorf("size %d: %v, want ErrNotFS", size, err)
		}
	}
}

func TestWalkStops(t *testing.T) {
	img := mkfs(t, makeTree(t), "-t", "ext4")
	fs, _ := openImage(t, img)
	stop := errors.New("stop")
	n := 0
	err := fs.Walk(context.Background(), func(*filesystem.Entry) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Fatalf("Walk returned %v after %d entries", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := fs.Walk(ctx, func(*filesystem.Entry) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Walk with a cancelled context: %v", err)
	}
}

// TestHtree indexes a 600-name folder with e2fsck -D, deletes a name, and
// compares with fls: htree folders are read linearly, and the index blocks
// yield no false names.
func TestHtree(t *testing.T) {
	haveTool(t, "fls")
	e2fsck := haveTool(t, "e2fsck")
	src := filepath.Join(t.TempDir(), "src")
	if err := os.MkdirAll(filepath.Join(src, "big"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 600 {
		name := filepath.Join(src, "big", "some_longer_file_name_"+strconv.Itoa(i))
		if err := os.WriteFile(name, []byte(strconv.Itoa(i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img := mkfs(t, src, "-t", "ext4", "-b", "1024")
	// e2fsck exits 1 when it changed the file system, as -D always does.
	if err := exec.Command(e2fsck, "-fyD", img).Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() > 1 {
			t.Fatalf("e2fsck: %v", err)
		}
	}
	debugfs(t, img, "rm big/some_longer_file_name_300")
	if out := command(t, "debugfs", "-R", "htree big", img); !bytes.Contains(out, []byte("Root node dump")) {
		t.Fatal("folder not indexed")
	}
	fs, _ := openImage(t, img)
	tsk := parseBodyfile(t, bytes.NewReader(command(t, "fls", "-r", "-m", "/", img)))
	match, diffs := agreement(walkAll(t, fs), tsk, false)
	for _, d := range diffs {
		t.Errorf("fls difference: %s", d)
	}
	t.Logf("%d/%d fls lines agree", match, len(tsk))
}
