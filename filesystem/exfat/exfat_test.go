package exfat

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
	"testing"
	"time"
	"unicode/utf16"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// builder writes a small exFAT image: 512-byte sectors and clusters,
// FAT at sector 24, cluster heap at sector 32, root folder in cluster 2.
type builder struct {
	img []byte
}

const (
	bSector = 512
	bHeap   = 32
)

func newBuilder(clusters int) *builder {
	m := &builder{img: make([]byte, (bHeap+clusters)*bSector)}
	b := m.img
	le := binary.LittleEndian
	copy(b, []byte{0xEB, 0x76, 0x90})
	copy(b[3:], "EXFAT   ")
	le.PutUint64(b[72:], 4096) // volume length: 2 MiB
	le.PutUint32(b[80:], 24)   // FAT offset
	le.PutUint32(b[84:], 8)    // FAT length
	le.PutUint32(b[88:], bHeap)
	le.PutUint32(b[92:], 1000) // cluster count
	le.PutUint32(b[96:], 2)    // root cluster
	b[108], b[109], b[110] = 9, 0, 1
	b[510], b[511] = 0x55, 0xAA
	var sum uint32
	for i, c := range b[:11*bSector] {
		if i != 106 && i != 107 && i != 112 {
			sum = (sum<<31 | sum>>1) + uint32(c)
		}
	}
	for off := 11 * bSector; off < 12*bSector; off += 4 {
		le.PutUint32(b[off:], sum)
	}
	m.setFAT(0, 0xFFFFFFF8)
	m.setFAT(1, fatEnd)
	m.setFAT(2, fatEnd)
	return m
}

func (m *builder) setFAT(c, v uint32) {
	binary.LittleEndian.PutUint32(m.img[24*bSector+4*int(c):], v)
}

func (m *builder) cluster(c uint32) []byte {
	off := (bHeap + int(c) - 2) * bSector
	return m.img[off : off+bSector]
}

// set is the entry set of one file.
type set struct {
	name              string
	attr              uint16
	first             uint32
	size, valid       int64
	noChain, deleted  bool
	modified, utcByte uint32
}

func (s set) entries() []byte {
	le := binary.LittleEndian
	u := utf16.Encode([]rune(s.name))
	parts := (len(u) + 14) / 15
	b := make([]byte, 32*(2+parts))
	b[0], b[1] = typeFile, byte(1+parts)
	le.PutUint16(b[4:], s.attr)
	le.PutUint32(b[8:], s.modified)
	le.PutUint32(b[12:], s.modified)
	le.PutUint32(b[16:], s.modified)
	b[22], b[23], b[24] = byte(s.utcByte), byte(s.utcByte), byte(s.utcByte)
	st := b[32:]
	st[0], st[1], st[3] = typeStream, 1, byte(len(u))
	if s.noChain {
		st[1] |= 2
	}
	le.PutUint64(st[8:], uint64(s.valid))
	le.PutUint32(st[20:], s.first)
	le.PutUint64(st[24:], uint64(s.size))
	for p := range parts {
		ne := b[64+32*p:]
		ne[0] = typeName
		for k := 0; k < 15 && 15*p+k < len(u); k++ {
			le.PutUint16(ne[2+2*k:], u[15*p+k])
		}
	}
	le.PutUint16(b[2:], setChecksum(b))
	if s.deleted {
		for i := 0; i < len(b); i += 32 {
			b[i] &^= inUse
		}
	}
	return b
}

// sample builds an image with a label, contiguous, chained, looping and
// deleted files and a subfolder, and returns it with the expected
// contents.
func sample() ([]byte, map[string][]byte) {
	m := newBuilder(16)
	le := binary.LittleEndian
	root := m.cluster(2)
	label := utf16.Encode([]rune("TESTVOL"))
	root[0], root[1] = typeLabel, byte(len(label))
	for i, c := range label {
		le.PutUint16(root[2+2*i:], c)
	}
	root[32] = typeBitmap
	le.PutUint32(root[32+20:], 15)
	le.PutUint64(root[32+24:], 125)
	m.setFAT(15, fatEnd)
	want := map[string][]byte{}
	// a.txt: clusters 3-4 without FAT chain, valid for 600 of 700 bytes.
	a := bytes.Repeat([]byte("a"), 700)
	copy(m.cluster(3), a)
	copy(m.cluster(4), a[512:])
	want["/a.txt"] = append(bytes.Repeat([]byte("a"), 600), make([]byte, 100)...)
	// b.bin: chain 5 -> 7 -> 6.
	bb := make([]byte, 1500)
	for i := range bb {
		bb[i] = byte(i)
	}
	copy(m.cluster(5), bb)
	copy(m.cluster(7), bb[512:])
	copy(m.cluster(6), bb[1024:])
	m.setFAT(5, 7)
	m.setFAT(7, 6)
	m.setFAT(6, fatEnd)
	want["/b.bin"] = bb
	// loop: chain 8 -> 9 -> 8.
	m.setFAT(8, 9)
	m.setFAT(9, 8)
	// sub: folder in cluster 10 holding c.txt (cluster 11, deleted,
	// contiguous) and d.txt (deleted, FAT chain over two clusters).
	m.setFAT(10, fatEnd)
	copy(m.cluster(11), "deleted content")
	want["/sub/c.txt"] = []byte("deleted content")
	utc := uint32(44<<25 | 6<<21 | 15<<16 | 12<<11 | 30<<5 | 10) // 2024-06-15 12:30:20
	off := 64
	for _, s := range []set{
		{name: "a.txt", attr: 0x20, first: 3, size: 700, valid: 600, noChain: true, modified: utc, utcByte: 0x80 | 8},
		{name: "b.bin", attr: 0x20, first: 5, size: 1500, valid: 1500},
		{name: "loop", attr: 0x20, first: 8, size: 2000, valid: 2000},
		{name: "sub", attr: 0x10, first: 10, size: 512, valid: 512},
	} {
		off += copy(root[off:], s.entries())
	}
	sub := m.cluster(10)
	off = 0
	for _, s := range []set{
		{name: "c.txt", attr: 0x20, first: 11, size: 15, valid: 15, noChain: true, deleted: true},
		{name: "d.txt", attr: 0x20, first: 12, size: 1000, valid: 1000, deleted: true},
		{name: "a name longer than fifteen characters.txt", attr: 0x20},
	} {
		off += copy(sub[off:], s.entries())
	}
	return m.img, want
}

func walkAll(t testing.TB, fs filesystem.FS) map[string]*filesystem.Entry {
	t.Helper()
	got := map[string]*filesystem.Entry{}
	err := fs.Walk(context.Background(), func(e *filesystem.Entry) error {
		got[e.Path] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func readAll(fs filesystem.FS, e *filesystem.Entry) ([]byte, error) {
	sr, err := fs.Open(e)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(sr)
}

func TestSample(t *testing.T) {
	img, want := sample()
	fs, err := Open(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	if fs.Type() != "exfat" || fs.Label() != "TESTVOL" {
		t.Errorf("type %q label %q", fs.Type(), fs.Label())
	}
	got := walkAll(t, fs)
	tests := []struct {
		path    string
		typ     filesystem.EntryType
		deleted bool
		inode   uint64
		openErr string
	}{
		{"/TESTVOL", filesystem.Other, false, 3, ""},
		{"/$ALLOC_BITMAP", filesystem.File, false, 4, ""},
		{"/a.txt", filesystem.File, false, 5, ""},
		{"/b.bin", filesystem.File, false, 8, ""},
		{"/loop", filesystem.File, false, 11, "loops"},
		{"/sub", filesystem.Dir, false, 14, ""},
		// Slots of cluster 10 (sector 40) are numbered from (40-32)*16+3.
		{"/sub/c.txt", filesystem.File, true, 131, ""},
		{"/sub/d.txt", filesystem.File, true, 134, "FAT chain"},
		{"/sub/a name longer than fifteen characters.txt", filesystem.File, false, 137, ""},
		// The image holds 48 sectors: the last slot is (48-32)*16+2.
		{"/$MBR", filesystem.Other, false, 259, ""},
		{"/$FAT1", filesystem.Other, false, 260, ""},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.path, "/"), func(t *testing.T) {
			e := got[tt.path]
			if e == nil {
				t.Fatalf("not listed; have %v", keys(got))
			}
			if e.Type != tt.typ || e.Deleted != tt.deleted || e.Inode != tt.inode {
				t.Errorf("type %s deleted %v inode %d, want %s %v %d", e.Type, e.Deleted, e.Inode, tt.typ, tt.deleted, tt.inode)
			}
			data, err := readAll(fs, e)
			if tt.openErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.openErr) {
					t.Errorf("content error %v, want one containing %q", err, tt.openErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w, ok := want[tt.path]; ok && !bytes.Equal(data, w) {
				t.Errorf("content %q, want %q", data, w)
			}
		})
	}
	a := got["/a.txt"]
	if w := time.Date(2024, 6, 15, 10, 30, 20, 0, time.UTC); !a.Modified.Equal(w) {
		t.Errorf("modified %v, want %v (12:30:20 at UTC+02:00)", a.Modified, w)
	}
	if a := fs.Anomalies(); len(a) != 1 || !strings.Contains(a[0], "shorter") {
		t.Errorf("anomalies %q, want only the short image", a)
	}
}

func keys(m map[string]*filesystem.Entry) []string {
	var k []string
	for p := range m {
		k = append(k, p)
	}
	return k
}

func TestStamp(t *testing.T) {
	base := uint32(42<<25 | 1<<21 | 2<<16 | 3<<11 | 4<<5 | 5) // 2022-01-02 03:04:10
	tests := []struct {
		name     string
		ts       uint32
		ms10, tz byte
		want     time.Time
	}{
		{"zero", 0, 0, 0, time.Time{}},
		{"no offset", base, 0, 0, time.Date(2022, 1, 2, 3, 4, 10, 0, time.UTC)},
		{"10 ms units", base, 150, 0, time.Date(2022, 1, 2, 3, 4, 11, 500e6, time.UTC)},
		{"offset +03:00", base, 0, 0x80 | 12, time.Date(2022, 1, 2, 0, 4, 10, 0, time.UTC)},
		{"offset -01:15", base, 0, 0x80 | 0x7B, time.Date(2022, 1, 2, 4, 19, 10, 0, time.UTC)},
		{"offset not valid", base, 0, 12, time.Date(2022, 1, 2, 3, 4, 10, 0, time.UTC)},
		{"month 13", base&^(0xF<<21) | 13<<21, 0, 0, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := stamp(tt.ts, tt.ms10, tt.tz); !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNotExFAT(t *testing.T) {
	img, _ := sample()
	tests := []struct {
		name string
		edit func(b []byte)
	}{
		{"short", nil},
		{"name", func(b []byte) { copy(b[3:], "NTFS    ") }},
		{"signature", func(b []byte) { b[510] = 0 }},
		{"must be zero", func(b []byte) { b[20] = 1 }},
		{"sector shift", func(b []byte) { b[108] = 13 }},
		{"FAT count", func(b []byte) { b[110] = 3 }},
		{"cluster count", func(b []byte) { binary.LittleEndian.PutUint32(b[92:], 0) }},
		{"root cluster", func(b []byte) { binary.LittleEndian.PutUint32(b[96:], 5000) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := append([]byte(nil), img...)
			if tt.edit == nil {
				b = b[:100]
			} else {
				tt.edit(b)
			}
			fs, err := Open(bytes.NewReader(b), int64(len(b)))
			if !errors.Is(err, filesystem.ErrNotFS) || fs != nil {
				t.Errorf("got %v, %v; want ErrNotFS", fs, err)
			}
		})
	}
}

// TestRootLoop checks that a root folder whose chain loops is read once
// and the loop noted after the short image.
func TestRootLoop(t *testing.T) {
	img, _ := sample()
	binary.LittleEndian.PutUint32(img[24*bSector+8:], 2)
	fs, err := Open(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	if got := walkAll(t, fs); got["/a.txt"] == nil {
		t.Error("a.txt not listed")
	}
	if a := fs.Anomalies(); len(a) != 2 || !strings.Contains(a[1], "loops") {
		t.Errorf("anomalies %q, want one loop", a)
	}
}

// TestMkfs reads a volume made by mkfs.exfat: empty, with a label.
func TestMkfs(t *testing.T) {
	mkfs, err := exec.LookPath("mkfs.exfat")
	if err != nil {
		t.Skip("mkfs.exfat (exfatprogs) not installed: skipping")
	}
	path := filepath.Join(t.TempDir(), "vol")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 8<<20); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(mkfs, "-L", "EVIDENCE", path).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.exfat: %v\n%s", err, out)
	}
	img, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := Open(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	if fs.Label() != "EVIDENCE" {
		t.Errorf("label %q", fs.Label())
	}
	got := walkAll(t, fs)
	for _, p := range []string{"/EVIDENCE", "/$ALLOC_BITMAP", "/$UPCASE_TABLE", "/$MBR", "/$FAT1"} {
		if got[p] == nil {
			t.Errorf("%s not listed; have %v", p, keys(got))
		}
	}
	if len(got) != 5 {
		t.Errorf("%d entries, want 5: %v", len(got), keys(got))
	}
	if up := got["/$UPCASE_TABLE"]; up != nil {
		if data, err := readAll(fs, up); err != nil || int64(len(data)) != up.Size {
			t.Errorf("up-case table: %d bytes, %v", len(data), err)
		}
	}
	if a := fs.Anomalies(); len(a) != 0 {
		t.Errorf("anomalies: %q", a)
	}
}

// FuzzOpen requires that no input panics or hangs, that a failed Open
// returns a nil FS, and that every listed entry can be opened or refused.
func FuzzOpen(f *testing.F) {
	img, _ := sample()
	f.Add(img)
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if fs != nil {
				t.Fatal("FS with an error")
			}
			return
		}
		n := 0
		_ = fs.Walk(context.Background(), func(e *filesystem.Entry) error {
			if n++; n > 10000 {
				return io.EOF
			}
			if sr, err := fs.Open(e); err == nil {
				_, _ = io.Copy(io.Discard, io.LimitReader(sr, 64<<10))
			}
			return nil
		})
	})
}
