package ntfs_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/filesystem/ntfs"
)

// populate runs in the mounted volume: folders, resident and non-resident
// files, alternate data streams, a sparse file, a fragmented file, hard
// links (enough on one file to need an $ATTRIBUTE_LIST), non-ASCII names,
// deleted files and folders, and in the folder "packed" (marked
// compressed before this runs) LZNT1-compressed files: compressible,
// incompressible, mixed, sparse and tiny.
const populate = `set -e
mkdir -p docs/deep/er 'Ünïcødé ✓' gone/sub
printf 'hello, world\n' > docs/hello.txt
printf 'hidden\n' > docs/hello.txt:secret
head -c 300000 /dev/urandom > docs/deep/er/big.bin
truncate -s 3000000 docs/sparse.bin
printf 'middle' | dd of=docs/sparse.bin bs=1 seek=1500000 conv=notrunc 2>/dev/null
: > docs/empty.txt
printf 'x' > 'Ünïcødé ✓/файл.txt'
for i in $(seq 1 40); do head -c 8192 /dev/urandom > frag$i; done
for i in $(seq 1 40 | awk 'NR%2==0'); do rm frag$i; done
head -c 200000 /dev/urandom > docs/fragmented.bin
printf 'many names\n' > links.txt
for i in $(seq 1 150); do ln links.txt link$i.txt; done
head -c 70000 /dev/urandom > gone/sub/deleted.bin
printf 'soon gone\n' > gone/note.txt
sync
rm -r gone
rm docs/empty.txt
yes 'compressible line of text' | head -c 200000 > packed/text.txt
head -c 100000 /dev/urandom > packed/random.bin
(head -c 70000 /dev/urandom; yes abc | head -c 70000; head -c 5000 /dev/urandom) > packed/mixed.bin
truncate -s 500000 packed/sparse.bin
printf 'in the middle' | dd of=packed/sparse.bin bs=1 seek=300000 conv=notrunc 2>/dev/null
printf 'tiny' > packed/tiny.txt
`

// TestLiveAgainstTSK builds a small NTFS volume with mkntfs and ntfs-3g
// and compares the reader with fls and icat.
func TestLiveAgainstTSK(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	for _, tool := range []string{"mkntfs", "ntfs-3g", "fusermount", "fls", "icat", "istat", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: install ntfs-3g and sleuthkit to run this test", tool)
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("mounting with ntfs-3g needs root")
	}
	dir := t.TempDir()
	img := filepath.Join(dir, "live.img")
	mnt := filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) string {
		t.Helper()
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	run("truncate", "-s", "24M", img)
	run("mkntfs", "-F", "-Q", "-L", "LIVE", img)
	if out, err := exec.Command("ntfs-3g", img, mnt, "-o", "streams_interface=windows,compression").CombinedOutput(); err != nil {
		t.Skipf("cannot mount with ntfs-3g here: %v: %s", err, out)
	}
	mounted := true
	defer func() {
		if mounted {
			exec.Command("fusermount", "-u", mnt).Run()
		}
	}()
	if err := os.Mkdir(filepath.Join(mnt, "packed"), 0o755); err != nil {
		t.Fatal(err)
	}
	compressed := markCompressed(filepath.Join(mnt, "packed"))
	if compressed != nil {
		t.Logf("cannot mark a folder compressed (%v): the files in /packed are stored plainly", compressed)
	}
	cmd := exec.Command("bash", "-c", populate)
	cmd.Dir = mnt
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("populate: %v\n%s", err, out)
	}
	run("fusermount", "-u", mnt)
	mounted = false
	// fusermount returns before ntfs-3g has closed the image.
	for i := 0; i < 50 && exec.Command("fuser", img).Run() == nil; i++ {
		time.Sleep(100 * time.Millisecond)
	}

	oracle := filepath.Join(dir, "oracle")
	if err := os.Mkdir(oracle, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, data string) string {
		p := filepath.Join(oracle, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	names, slack := readFLS(t, write("fls.txt", run("fls", "-r", "-p", "-l", img)))
	body := readBodyfile(t, write("body.txt", run("fls", "-r", "-m", "/", img)))

	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	fs, err := ntfs.Open(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	if fs.Label() != "LIVE" {
		t.Errorf("label %q", fs.Label())
	}
	es := walkAll(t, fs)
	a := compareTSK(t, fs, es, names, slack, body, nil)
	t.Logf("%s", a)
	for _, d := range a.diffs {
		t.Errorf("%s", d)
	}

	// Content of every stream TSK lists, against icat.
	byKey := map[string]int{}
	for i, e := range es {
		byKey[key(e.Path, e.Inode)] = i
	}
	compared := 0
	done := map[string]bool{}
	for _, n := range names {
		// icat gives nothing for $BadClus:$Bad, a stream that is one
		// sparse run as long as the volume; the reader gives its zeros.
		if n.dir || done[n.addr] || strings.HasPrefix(n.path, "/$OrphanFiles") || n.path == "/$BadClus:$Bad" {
			continue
		}
		i, ok := byKey[key(n.path, n.inode)]
		if !ok {
			continue
		}
		done[n.addr] = true
		want, err := exec.Command("icat", img, n.addr).Output()
		if err != nil {
			t.Logf("icat %s (%s): %v", n.addr, n.path, err)
			continue
		}
		sum := md5.Sum(want)
		got, err := md5Of(fs, es[i])
		if err != nil {
			t.Errorf("%s: open: %v", n.path, err)
			continue
		}
		compared++
		if got != hex.EncodeToString(sum[:]) {
			t.Errorf("%s (%s): MD5 %s, icat %x (%d bytes)", n.path, n.addr, got, sum, len(want))
		}
	}
	t.Logf("content compared with icat for %d streams", compared)
	if compressed == nil {
		// The comparison above covers the compressed files; check that
		// they are compressed.
		for _, n := range names {
			if n.path != "/packed/text.txt" {
				continue
			}
			if out := run("istat", img, n.addr); !strings.Contains(out, "Compressed") {
				t.Errorf("/packed/text.txt is not compressed:\n%s", out)
			}
		}
	}
	for _, n := range fs.Anomalies() {
		t.Logf("anomaly: %s", n)
	}
	if err := fs.Walk(context.Background(), func(*filesystem.Entry) error { return nil }); err != nil {
		t.Fatal(err)
	}
}
