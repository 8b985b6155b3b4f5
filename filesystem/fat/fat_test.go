package fat

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/internal/fatimage"
)

func walkAll(t testing.TB, fs filesystem.FS) ([]*filesystem.Entry, map[string]*filesystem.Entry) {
	t.Helper()
	var all []*filesystem.Entry
	byPath := map[string]*filesystem.Entry{}
	err := fs.Walk(context.Background(), func(e *filesystem.Entry) error {
		all = append(all, e)
		byPath[e.Path] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all, byPath
}

func readAll(t testing.TB, fs filesystem.FS, e *filesystem.Entry) []byte {
	t.Helper()
	sr, err := fs.Open(e)
	if err != nil {
		t.Fatalf("open %s: %v", e.Path, err)
	}
	b, err := io.ReadAll(sr)
	if err != nil {
		t.Fatalf("read %s: %v", e.Path, err)
	}
	return b
}

// sample builds the test image: long and short names, nested folders, a
// volume label, a deleted file whose clusters are contiguous and free,
// and a fragmented file.
func sample(bits int) (*fatimage.Image, map[string][]byte) {
	m := fatimage.New(fatimage.Small(bits))
	root := m.Root()
	root.Label("MY LABEL")
	data := map[string][]byte{
		"/readme.txt":                     []byte("hello, world\n"),
		"/Wildlife Report 2021.docx":      bytes.Repeat([]byte("report "), 300),
		"/Évidence/Ünïcödé ☃ name.txt":    []byte("snow"),
		"/Évidence/deep/deeper/GPS.LOG":   bytes.Repeat([]byte{0xAB, 0xCD}, 700),
		"/Évidence/deep/empty.bin":        nil,
		"/_eleted secret.txt":             nil,
		"/Évidence/deep/deeper/frag.bin":  nil,
		"/Évidence/deep/deeper/after.bin": nil,
	}
	readme := root.File("", "README.TXT", data["/readme.txt"])
	m.Bytes()[readme.Offset+12] = 0x18 // lower-case name and extension
	root.File("Wildlife Report 2021.docx", "WILDLI~1.DOC", data["/Wildlife Report 2021.docx"])
	ev := root.Mkdir("Évidence", "VIDENCE")
	ev.File("Ünïcödé ☃ name.txt", "NAME~1.TXT", data["/Évidence/Ünïcödé ☃ name.txt"])
	deep := ev.Mkdir("", "DEEP")
	deeper := deep.Mkdir("", "DEEPER")
	deeper.File("", "GPS.LOG", data["/Évidence/deep/deeper/GPS.LOG"])
	deep.File("", "EMPTY.BIN", nil)
	secret := bytes.Repeat([]byte("secret! "), 200) // 1600 bytes, 4 clusters
	m.Remove(root.File("deleted secret.txt", "DELETE~1.TXT", secret))
	data["/_eleted secret.txt"] = secret
	// A fragmented file: cluster A, then a cluster of another file, then B.
	c1 := m.Alloc(1)[0]
	other := m.Alloc(1)[0]
	c2 := m.Alloc(1)[0]
	m.SetFAT(c1, c2)
	fragData := append(bytes.Repeat([]byte{1}, 512), bytes.Repeat([]byte{2}, 100)...)
	copy(m.Bytes()[m.ClusterOffset(c1):], fragData[:512])
	copy(m.Bytes()[m.ClusterOffset(c2):], fragData[512:])
	deeper.Add(m.ShortEntry("FRAG.BIN", fatimage.AttrArchive, c1, len(fragData)))
	data["/Évidence/deep/deeper/frag.bin"] = fragData
	deeper.Add(m.ShortEntry("AFTER.BIN", fatimage.AttrArchive, other, 0))
	data["/Évidence/deep/deeper/after.bin"] = []byte{}
	return m, data
}

func TestGenerated(t *testing.T) {
	for _, bits := range []int{12, 16, 32} {
		t.Run(fmt.Sprintf("fat%d", bits), func(t *testing.T) {
			m, data := sample(bits)
			img := m.Bytes()
			fs, err := Open(bytes.NewReader(img), int64(len(img)))
			if err != nil {
				t.Fatal(err)
			}
			if fs.Type() != fmt.Sprintf("fat%d", bits) || fs.Label() != "MY LABEL" {
				t.Errorf("type %s label %q", fs.Type(), fs.Label())
			}
			all, byPath := walkAll(t, fs)
			var got []string
			for _, e := range all {
				got = append(got, fmt.Sprintf("%s %s del=%v", e.Path, e.Type, e.Deleted))
			}
			want := []string{
				"/MY LABEL other del=false",
				"/readme.txt file del=false",
				"/Wildlife Report 2021.docx file del=false",
				"/Évidence dir del=false",
				"/Évidence/Ünïcödé ☃ name.txt file del=false",
				"/Évidence/DEEP dir del=false",
				"/Évidence/DEEP/DEEPER dir del=false",
				"/Évidence/DEEP/DEEPER/GPS.LOG file del=false",
				"/Évidence/DEEP/DEEPER/FRAG.BIN file del=false",
				"/Évidence/DEEP/DEEPER/AFTER.BIN file del=false",
				"/Évidence/DEEP/EMPTY.BIN file del=false",
				"/deleted secret.txt file del=true",
				"/$MBR other del=false",
				"/$FAT1 other del=false",
				"/$FAT2 other del=false",
			}
			if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
				t.Errorf("walk:\n%s\nwant:\n%s", g, w)
			}
			checks := map[string]string{
				"/readme.txt":                    "/readme.txt",
				"/Wildlife Report 2021.docx":     "/Wildlife Report 2021.docx",
				"/Évidence/Ünïcödé ☃ name.txt":   "/Évidence/Ünïcödé ☃ name.txt",
				"/Évidence/DEEP/DEEPER/GPS.LOG":  "/Évidence/deep/deeper/GPS.LOG",
				"/deleted secret.txt":            "/_eleted secret.txt",
				"/Évidence/DEEP/DEEPER/FRAG.BIN": "/Évidence/deep/deeper/frag.bin",
				"/Évidence/DEEP/EMPTY.BIN":       "/Évidence/deep/empty.bin",
			}
			for path, key := range checks {
				e := byPath[path]
				if e == nil {
					t.Errorf("%s not listed", path)
					continue
				}
				if b := readAll(t, fs, e); !bytes.Equal(b, data[key]) {
					t.Errorf("%s: content %d bytes differs from the %d written", path, len(b), len(data[key]))
				}
			}
			e := byPath["/readme.txt"]
			if got := e.Born.Format("2006-01-02 15:04:05.000"); got != "2021-06-15 10:30:11.500" {
				t.Errorf("born %s", got)
			}
			if got := e.Modified.Format("2006-01-02 15:04:05"); got != "2021-06-15 11:00:00" {
				t.Errorf("modified %s", got)
			}
			if got := e.Accessed.Format("2006-01-02 15:04:05"); got != "2021-06-16 00:00:00" {
				t.Errorf("accessed %s", got)
			}
			if e.Extra["short_name"] != "readme.txt" {
				t.Errorf("short name %q", e.Extra["short_name"])
			}
			mbr := readAll(t, fs, byPath["/$MBR"])
			if !bytes.Equal(mbr, img[:512]) {
				t.Error("$MBR content differs")
			}
			compareFLS(t, img, all)
		})
	}
}

// compareFLS checks paths, inode numbers and deleted flags against
// fls -r -p when The Sleuth Kit is installed.
func compareFLS(t *testing.T, img []byte, all []*filesystem.Entry) {
	t.Helper()
	if _, err := exec.LookPath("fls"); err != nil {
		t.Log("fls not installed: comparison with The Sleuth Kit skipped")
		return
	}
	path := filepath.Join(t.TempDir(), "img.raw")
	if err := os.WriteFile(path, img, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("fls", "-r", "-p", path).Output()
	if err != nil {
		t.Fatalf("fls: %v", err)
	}
	var want []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		head, p, _ := strings.Cut(l, ":\t")
		f := strings.Fields(head)
		if p == "$OrphanFiles" {
			continue
		}
		want = append(want, fmt.Sprintf("%s %s %v", p, f[len(f)-1], len(f) == 3))
	}
	var got []string
	for _, e := range all {
		got = append(got, fmt.Sprintf("%s %d %v", tskName(e, e.Name), e.Inode, e.Deleted))
	}
	sort.Strings(want)
	sort.Strings(got)
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("listing differs from fls -r -p:\n%s\nfls:\n%s", g, w)
	}
}

func TestLoopAndDamage(t *testing.T) {
	m, _ := sample(16)
	img := m.Bytes()
	// Make GPS.LOG's chain loop back on itself.
	fs0, _ := Open(bytes.NewReader(img), int64(len(img)))
	_, byPath := walkAll(t, fs0)
	e := byPath["/Évidence/DEEP/DEEPER/GPS.LOG"]
	var start uint32
	fmt.Sscan(e.Extra["start_cluster"], &start)
	m.SetFAT(start+1, start)
	fs, err := Open(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	_, byPath = walkAll(t, fs)
	if _, err := fs.Open(byPath["/Évidence/DEEP/DEEPER/GPS.LOG"]); err == nil {
		t.Error("looping chain opened without error")
	}
	if a := strings.Join(fs.Anomalies(), "\n"); !strings.Contains(a, "loops") {
		t.Errorf("no loop anomaly: %q", a)
	}
	// A folder that contains itself is entered once.
	m2, _ := sample(16)
	ev := byPath["/Évidence"]
	var evc uint32
	fmt.Sscan(ev.Extra["start_cluster"], &evc)
	m2.Dir(evc, 4).Add(m2.ShortEntry("SELF", fatimage.AttrDirectory, evc, 0))
	img2 := m2.Bytes()
	fs2, err := Open(bytes.NewReader(img2), int64(len(img2)))
	if err != nil {
		t.Fatal(err)
	}
	all, _ := walkAll(t, fs2)
	if len(all) > 20 {
		t.Errorf("self-containing folder walked %d entries", len(all))
	}
	// A changed entry cannot point Open elsewhere.
	bad := *byPath["/readme.txt"]
	bad.Offset += 32
	if _, err := fs.Open(&bad); err == nil {
		t.Error("entry with a wrong offset opened")
	}
}

func TestNotFAT(t *testing.T) {
	good, _ := sample(16)
	tests := map[string]func(b []byte){
		"zeros":         func(b []byte) { clear(b[:512]) },
		"bytes/sector":  func(b []byte) { binary.LittleEndian.PutUint16(b[11:], 300) },
		"cluster size":  func(b []byte) { b[13] = 3 },
		"no reserved":   func(b []byte) { b[14], b[15] = 0, 0 },
		"no FATs":       func(b []byte) { b[16] = 0 },
		"no sectors":    func(b []byte) { b[19], b[20] = 0, 0 },
		"FAT past end":  func(b []byte) { binary.LittleEndian.PutUint16(b[22:], 60000) },
		"no root slots": func(b []byte) { b[17], b[18] = 0, 0 },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			b := bytes.Clone(good.Bytes())
			mutate(b)
			_, err := Open(bytes.NewReader(b), int64(len(b)))
			if !errors.Is(err, filesystem.ErrNotFS) {
				t.Errorf("err = %v, want ErrNotFS", err)
			}
		})
	}
	if _, err := Open(bytes.NewReader(nil), 0); !errors.Is(err, filesystem.ErrNotFS) {
		t.Errorf("empty image: %v", err)
	}
}

// TestMkfs builds images with mkfs.vfat and mtools and compares them with
// the files copied in and with fls.
func TestMkfs(t *testing.T) {
	for _, tool := range []string{"mkfs.vfat", "mcopy", "mmd", "mdel"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: skipping", tool)
		}
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"Forest Patrol Log.txt": bytes.Repeat([]byte("patrol "), 1000),
		"IMG_0001.JPG":          bytes.Repeat([]byte{0xFF, 0xD8, 0x01}, 3000),
		"notes – río.txt":       []byte("timber seizure"),
		"to delete.bin":         bytes.Repeat([]byte("gone? "), 2000),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, bits := range []string{"12", "16", "32"} {
		t.Run("fat"+bits, func(t *testing.T) {
			img := filepath.Join(t.TempDir(), "img")
			sizeKB := map[string]string{"12": "2048", "16": "16384", "32": "40960"}[bits]
			run := func(name string, args ...string) {
				cmd := exec.Command(name, args...)
				cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1", "LC_ALL=C.UTF-8")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%s %v: %v\n%s", name, args, err, out)
				}
			}
			run("mkfs.vfat", "-C", "-F", bits, "-n", "EVIDENCE", img, sizeKB)
			run("mmd", "-i", img, "::Seized Files", "::Seized Files/Sub Folder")
			for name := range files {
				run("mcopy", "-i", img, filepath.Join(dir, name), "::Seized Files/Sub Folder/"+name)
			}
			run("mdel", "-i", img, "::Seized Files/Sub Folder/to delete.bin")
			b, err := os.ReadFile(img)
			if err != nil {
				t.Fatal(err)
			}
			fs, err := Open(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if fs.Type() != "fat"+bits || fs.Label() != "EVIDENCE" {
				t.Errorf("type %s label %q", fs.Type(), fs.Label())
			}
			all, byPath := walkAll(t, fs)
			for name, want := range files {
				p := "/Seized Files/Sub Folder/" + name // a deleted entry keeps its long name
				e := byPath[p]
				if e == nil {
					t.Errorf("%s not listed", p)
					continue
				}
				if e.Deleted != (name == "to delete.bin") {
					t.Errorf("%s deleted = %v", p, e.Deleted)
				}
				if got := readAll(t, fs, e); !bytes.Equal(got, want) {
					t.Errorf("%s: content differs", p)
				}
			}
			compareFLS(t, b, all)
		})
	}
}

// FuzzOpen checks that no image makes the reader panic or loop, and that
// a failed Open returns no file system.
func FuzzOpen(f *testing.F) {
	for _, bits := range []int{12, 16, 32} {
		m, _ := sample(bits)
		f.Add(m.Bytes()[:m.ClusterOffset(2+64)])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if fs != nil {
				t.Fatal("file system and error")
			}
			return
		}
		n := 0
		fs.Walk(context.Background(), func(e *filesystem.Entry) error {
			if n++; n > 500 {
				return errors.New("enough")
			}
			if n <= 50 {
				if sr, err := fs.Open(e); err == nil {
					io.Copy(io.Discard, io.LimitReader(sr, 64<<10))
				}
			}
			return nil
		})
		fs.Anomalies()
	})
}
