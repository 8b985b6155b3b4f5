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
	"unicode/utf16"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// builder writes a small FAT image: 512-byte sectors, one sector per
// cluster, two FATs, clusters handed out in order.
type builder struct {
	b        []byte
	bits     int
	fatOff   int
	fatSz    int
	nfats    int
	dataOff  int // byte offset of cluster 2
	rootOff  int // FAT12/16 fixed root
	rootEnt  int
	next     uint32
	rootClus uint32
}

func newBuilder(bits int) *builder {
	m := &builder{bits: bits, nfats: 2, next: 2}
	total, reserved := 4096, 1
	switch bits {
	case 12:
		total, m.fatSz, m.rootEnt = 2880, 9, 224
	case 16:
		total, m.fatSz, m.rootEnt = 8192, 32, 512
	case 32:
		total, m.fatSz, reserved = 66700, 520, 32 // 65,628 clusters: FAT32 for every reader
	}
	m.b = make([]byte, total*512)
	b := m.b
	copy(b, []byte{0xEB, 0x3C, 0x90})
	copy(b[3:], "PANGOLIN")
	binary.LittleEndian.PutUint16(b[11:], 512)
	b[13] = 1
	binary.LittleEndian.PutUint16(b[14:], uint16(reserved))
	b[16] = byte(m.nfats)
	binary.LittleEndian.PutUint16(b[17:], uint16(m.rootEnt))
	if total < 65536 {
		binary.LittleEndian.PutUint16(b[19:], uint16(total))
	} else {
		binary.LittleEndian.PutUint32(b[32:], uint32(total))
	}
	b[21] = 0xF8
	m.fatOff = reserved * 512
	m.rootOff = m.fatOff + m.nfats*m.fatSz*512
	m.dataOff = m.rootOff + m.rootEnt*32
	labelAt := 43
	if bits == 32 {
		binary.LittleEndian.PutUint32(b[36:], uint32(m.fatSz))
		labelAt = 71
	} else {
		binary.LittleEndian.PutUint16(b[22:], uint16(m.fatSz))
	}
	b[labelAt-5] = 0x29
	copy(b[labelAt:], "BOOTLABEL  ")
	b[510], b[511] = 0x55, 0xAA
	m.setFAT(0, 0x0FFFFFF8)
	m.setFAT(1, 0x0FFFFFFF)
	if bits == 32 {
		m.rootClus = m.alloc(1)[0]
		binary.LittleEndian.PutUint32(b[44:], m.rootClus)
	}
	return m
}

func (m *builder) setFAT(c, v uint32) {
	for f := range m.nfats {
		fat := m.b[m.fatOff+f*m.fatSz*512:]
		switch m.bits {
		case 12:
			o := int(c + c/2)
			x := binary.LittleEndian.Uint16(fat[o:])
			if c&1 == 1 {
				x = x&0x000F | uint16(v&0xFFF)<<4
			} else {
				x = x&0xF000 | uint16(v&0xFFF)
			}
			binary.LittleEndian.PutUint16(fat[o:], x)
		case 16:
			binary.LittleEndian.PutUint16(fat[2*c:], uint16(v))
		default:
			binary.LittleEndian.PutUint32(fat[4*c:], v&0x0FFFFFFF)
		}
	}
}

// alloc hands out n contiguous clusters chained in the FAT.
func (m *builder) alloc(n int) []uint32 {
	var cs []uint32
	for i := range n {
		c := m.next + uint32(i)
		cs = append(cs, c)
		if i+1 < n {
			m.setFAT(c, c+1)
		} else {
			m.setFAT(c, 0x0FFFFFFF)
		}
	}
	m.next += uint32(n)
	return cs
}

func (m *builder) clusterOff(c uint32) int { return m.dataOff + int(c-2)*512 }

// dir is where the next entry of a folder goes.
type dir struct {
	m     *builder
	off   int // byte offset of the folder's data
	slots int
	used  int
}

func (m *builder) root() *dir {
	if m.bits == 32 {
		return &dir{m: m, off: m.clusterOff(m.rootClus), slots: 16}
	}
	return &dir{m: m, off: m.rootOff, slots: m.rootEnt}
}

// add writes raw entries and returns the offset of the last one.
func (d *dir) add(entries ...[]byte) int {
	if d.used+len(entries) > d.slots {
		panic("folder full")
	}
	var off int
	for _, e := range entries {
		off = d.off + 32*d.used
		copy(d.m.b[off:], e)
		d.used++
	}
	return off
}

func short(name string, attr byte, start uint32, size int) []byte {
	e := make([]byte, 32)
	base, ext, _ := strings.Cut(name, ".")
	copy(e, fmt.Sprintf("%-8s%-3s", base, ext))
	e[11] = attr
	e[13] = 150                                                   // 1.5 s
	binary.LittleEndian.PutUint16(e[14:], 10<<11|30<<5|5)         // 10:30:10
	binary.LittleEndian.PutUint16(e[16:], (2021-1980)<<9|6<<5|15) // 2021-06-15
	binary.LittleEndian.PutUint16(e[18:], (2021-1980)<<9|6<<5|16)
	binary.LittleEndian.PutUint16(e[20:], uint16(start>>16))
	binary.LittleEndian.PutUint16(e[22:], 11<<11|0<<5|0)
	binary.LittleEndian.PutUint16(e[24:], (2021-1980)<<9|6<<5|15)
	binary.LittleEndian.PutUint16(e[26:], uint16(start))
	binary.LittleEndian.PutUint32(e[28:], uint32(size))
	return e
}

// withLFN returns the long-name entries for long, then the short entry.
func withLFN(long string, s []byte) [][]byte {
	u := utf16.Encode([]rune(long))
	n := (len(u) + 12) / 13
	if len(u)%13 != 0 {
		u = append(u, 0)
	}
	for len(u) < n*13 {
		u = append(u, 0xFFFF)
	}
	chk := shortChecksum(s)
	var out [][]byte
	for k := n; k >= 1; k-- {
		e := make([]byte, 32)
		e[0] = byte(k)
		if k == n {
			e[0] |= 0x40
		}
		e[11], e[13] = 0x0F, chk
		part := u[(k-1)*13 : k*13]
		for i, c := range part {
			var o int
			switch {
			case i < 5:
				o = 1 + 2*i
			case i < 11:
				o = 14 + 2*(i-5)
			default:
				o = 28 + 2*(i-11)
			}
			binary.LittleEndian.PutUint16(e[o:], c)
		}
		out = append(out, e)
	}
	return append(out, s)
}

// file adds a file with content; it returns the entry's offset.
func (d *dir) file(long, shortName string, data []byte) int {
	var start uint32
	if len(data) > 0 {
		cs := d.m.alloc((len(data) + 511) / 512)
		start = cs[0]
		copy(d.m.b[d.m.clusterOff(start):], data)
	}
	s := short(shortName, 0x20, start, len(data))
	if long == "" {
		return d.add(s)
	}
	return d.add(withLFN(long, s)...)
}

// mkdir adds a folder of one cluster.
func (d *dir) mkdir(long, shortName string) *dir {
	c := d.m.alloc(1)[0]
	s := short(shortName, 0x10, c, 0)
	if long == "" {
		d.add(s)
	} else {
		d.add(withLFN(long, s)...)
	}
	sub := &dir{m: d.m, off: d.m.clusterOff(c), slots: 16}
	sub.add(short(".", 0x10, c, 0), short("..", 0x10, 0, 0))
	copy(d.m.b[sub.off:], ".          ")
	copy(d.m.b[sub.off+32:], "..         ")
	return sub
}

// remove marks the entries of a file deleted (name bytes 0xE5) and frees
// its clusters, as a FAT driver does.
func (m *builder) remove(entryOff, lfnCount int) {
	for i := range lfnCount + 1 {
		m.b[entryOff-32*i] = 0xE5
	}
	e := m.b[entryOff:]
	c := uint32(binary.LittleEndian.Uint16(e[26:])) | uint32(binary.LittleEndian.Uint16(e[20:]))<<16
	for c >= 2 && c < 0xFF0 {
		next := m.fat(c)
		m.setFAT(c, 0)
		c = next
	}
}

func (m *builder) fat(c uint32) uint32 {
	v := &volume{kind: fmt.Sprintf("fat%d", m.bits), maxCluster: 1 << 27, fatBytes: int64(m.fatSz * 512),
		fatOffset: int64(m.fatOff), r: bytes.NewReader(m.b), size: int64(len(m.b)), cache: map[int64][]byte{}}
	x, _ := v.fat(c)
	return x
}

type listing struct {
	path    string
	deleted bool
	size    int64
}

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
func sample(bits int) (*builder, map[string][]byte) {
	m := newBuilder(bits)
	root := m.root()
	lbl := make([]byte, 32)
	copy(lbl, "MY LABEL   ")
	lbl[11] = 0x08
	binary.LittleEndian.PutUint16(lbl[24:], (2021-1980)<<9|6<<5|15) // labels carry a write date
	root.add(lbl)
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
	root.file("", "README.TXT", data["/readme.txt"])
	m.b[root.off+32+12] = 0x18 // lower-case name and extension
	root.file("Wildlife Report 2021.docx", "WILDLI~1.DOC", data["/Wildlife Report 2021.docx"])
	ev := root.mkdir("Évidence", "VIDENCE")
	ev.file("Ünïcödé ☃ name.txt", "NAME~1.TXT", data["/Évidence/Ünïcödé ☃ name.txt"])
	deep := ev.mkdir("", "DEEP")
	deeper := deep.mkdir("", "DEEPER")
	deeper.file("", "GPS.LOG", data["/Évidence/deep/deeper/GPS.LOG"])
	deep.file("", "EMPTY.BIN", nil)
	secret := bytes.Repeat([]byte("secret! "), 200) // 1600 bytes, 4 clusters
	off := root.file("deleted secret.txt", "DELETE~1.TXT", secret)
	m.remove(off, 2)
	data["/_eleted secret.txt"] = secret
	// A fragmented file: cluster A, then a cluster of another file, then B.
	frag := deeper
	c1 := m.alloc(1)[0]
	other := m.alloc(1)[0]
	c2 := m.alloc(1)[0]
	m.setFAT(c1, c2)
	m.setFAT(other, 0x0FFFFFFF)
	fragData := append(bytes.Repeat([]byte{1}, 512), bytes.Repeat([]byte{2}, 100)...)
	copy(m.b[m.clusterOff(c1):], fragData[:512])
	copy(m.b[m.clusterOff(c2):], fragData[512:])
	frag.add(short("FRAG.BIN", 0x20, c1, len(fragData)))
	data["/Évidence/deep/deeper/frag.bin"] = fragData
	frag.add(short("AFTER.BIN", 0x20, other, 0))
	data["/Évidence/deep/deeper/after.bin"] = []byte{}
	return m, data
}

func TestGenerated(t *testing.T) {
	for _, bits := range []int{12, 16, 32} {
		t.Run(fmt.Sprintf("fat%d", bits), func(t *testing.T) {
			m, data := sample(bits)
			fs, err := Open(bytes.NewReader(m.b), int64(len(m.b)))
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
			if !bytes.Equal(mbr, m.b[:512]) {
				t.Error("$MBR content differs")
			}
			compareFLS(t, m.b, all)
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
	// Make GPS.LOG's chain loop back on itself.
	fs0, _ := Open(bytes.NewReader(m.b), int64(len(m.b)))
	_, byPath := walkAll(t, fs0)
	e := byPath["/Évidence/DEEP/DEEPER/GPS.LOG"]
	var start uint32
	fmt.Sscan(e.Extra["start_cluster"], &start)
	m.setFAT(start+1, start)
	fs, err := Open(bytes.NewReader(m.b), int64(len(m.b)))
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
	d := &dir{m: m2, off: m2.clusterOff(evc), slots: 16, used: 4}
	d.add(short("SELF", 0x10, evc, 0))
	fs2, err := Open(bytes.NewReader(m2.b), int64(len(m2.b)))
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
			b := bytes.Clone(good.b)
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
		end := m.dataOff + 64*512
		f.Add(m.b[:end])
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
