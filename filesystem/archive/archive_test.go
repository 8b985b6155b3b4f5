package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

var mtime = time.Date(2023, 5, 6, 7, 8, 10, 0, time.UTC)

// writeFile stores b in a file under t.TempDir and returns it opened.
func writeFile(t testing.TB, name string, b []byte) (*os.File, int64) {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, int64(len(b))
}

func makeZip(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	add := func(h *zip.FileHeader, content string) {
		h.Modified = mtime
		fw, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(fw, content); err != nil {
			t.Fatal(err)
		}
	}
	add(&zip.FileHeader{Name: "docs/", Method: zip.Store}, "")
	add(&zip.FileHeader{Name: "docs/report.txt", Method: zip.Deflate}, strings.Repeat("ivory ", 100))
	add(&zip.FileHeader{Name: "docs/deep/stored.bin", Method: zip.Store}, "stored")
	add(&zip.FileHeader{Name: "фото/日本.txt", Method: zip.Deflate}, "unicode")
	add(&zip.FileHeader{Name: "../../etc/passwd", Method: zip.Deflate}, "root:x:0:0")
	link := &zip.FileHeader{Name: "link", Method: zip.Store}
	link.SetMode(os.ModeSymlink | 0o777)
	add(link, "/etc/shadow")
	add(&zip.FileHeader{Name: "secret.txt", Method: zip.Store, Flags: 0x1}, "ciphertext")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type tarMember struct {
	h       tar.Header
	content string
}

func makeTar(t testing.TB, members []tarMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, m := range members {
		h := m.h
		h.ModTime = mtime
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(m.content))
		}
		if h.Mode == 0 {
			h.Mode = 0o640
		}
		if err := w.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, m.content); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var longName = "long/" + strings.Repeat("n", 120) + ".txt"

var tarMembers = []tarMember{
	{h: tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755}},
	{h: tar.Header{Name: "etc/hosts", Typeflag: tar.TypeReg}, content: "127.0.0.1 localhost\n"},
	{h: tar.Header{Name: longName, Typeflag: tar.TypeReg, Format: tar.FormatPAX}, content: "pax"},
	{h: tar.Header{Name: "etc/ssl/cert", Typeflag: tar.TypeSymlink, Linkname: "../../root/cert"}},
	{h: tar.Header{Name: "hard", Typeflag: tar.TypeLink, Linkname: "etc/hosts"}},
	{h: tar.Header{Name: "../../evil.sh", Typeflag: tar.TypeReg}, content: "#!/bin/sh\n"},
	{h: tar.Header{Name: "ünïcødé.txt", Typeflag: tar.TypeReg}, content: "ü"},
}

func gz(t testing.TB, name string, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Name, w.ModTime = name, mtime
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// list opens b as an archive and returns its entries by path, in order.
func list(t *testing.T, b []byte, lim Limits) (*FS, []string, map[string]*filesystem.Entry) {
	t.Helper()
	f, size := writeFile(t, "evidence.bin", b)
	fsys, err := Open(f, size, lim)
	if err != nil {
		t.Fatal(err)
	}
	a := fsys.(*FS)
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Error(err)
		}
	})
	var paths []string
	byPath := map[string]*filesystem.Entry{}
	if err := a.Walk(context.Background(), func(e *filesystem.Entry) error {
		paths = append(paths, e.Path)
		byPath[e.Path] = e
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return a, paths, byPath
}

func content(t *testing.T, a *FS, e *filesystem.Entry) string {
	t.Helper()
	if e == nil {
		t.Fatal("missing entry")
	}
	sr, err := a.Open(e)
	if err != nil {
		t.Fatalf("%s: %v", e.Path, err)
	}
	b, err := io.ReadAll(sr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestZip(t *testing.T) {
	a, paths, es := list(t, makeZip(t), Limits{})
	want := []string{"/docs", "/docs/report.txt", "/docs/deep", "/docs/deep/stored.bin", "/фото", "/фото/日本.txt",
		"/etc", "/etc/passwd", "/link", "/secret.txt"}
	if !slices.Equal(paths, want) {
		t.Fatalf("paths %q, want %q", paths, want)
	}
	if a.Type() != "zip" {
		t.Fatalf("type %q", a.Type())
	}
	r := es["/docs/report.txt"]
	if r.Type != filesystem.File || r.Size != 600 || r.Deleted || !r.Modified.Equal(mtime) || r.Inode != 2 || r.Name != "report.txt" {
		t.Fatalf("report: %+v", r)
	}
	if got := content(t, a, r); got != strings.Repeat("ivory ", 100) {
		t.Fatalf("report content %q", got)
	}
	if got := content(t, a, es["/docs/deep/stored.bin"]); got != "stored" {
		t.Fatalf("stored content %q", got)
	}
	if got := content(t, a, es["/фото/日本.txt"]); got != "unicode" {
		t.Fatalf("unicode content %q", got)
	}
	if d := es["/docs/deep"]; d.Type != filesystem.Dir || d.Inode != 0 || d.Extra["implicit"] != "true" {
		t.Fatalf("implicit folder: %+v", d)
	}
	if p := es["/etc/passwd"]; p.Extra["raw_name"] != "../../etc/passwd" || content(t, a, p) != "root:x:0:0" {
		t.Fatalf("traversal: %+v", p)
	}
	l := es["/link"]
	if l.Type != filesystem.Symlink || l.Extra["link_target"] != "/etc/shadow" {
		t.Fatalf("link: %+v", l)
	}
	if _, err := a.Open(l); err == nil {
		t.Fatal("a symbolic link was opened")
	}
	s := es["/secret.txt"]
	if s.Extra["encrypted"] != "true" {
		t.Fatalf("encrypted: %+v", s)
	}
	if _, err := a.Open(s); !errors.Is(err, ErrEncrypted) {
		t.Fatalf("encrypted member opened: %v", err)
	}
	if _, err := a.Open(&filesystem.Entry{Path: "/docs/report.txt", Inode: 99}); err == nil {
		t.Fatal("a foreign entry was opened")
	}
	// Offset points at the local file header.
	raw := makeZip(t)
	for _, e := range es {
		if e.Inode != 0 && string(raw[e.Offset:e.Offset+4]) != "PK\x03\x04" {
			t.Fatalf("%s: offset %d is not a local header", e.Path, e.Offset)
		}
	}
}

func TestTar(t *testing.T) {
	raw := makeTar(t, tarMembers)
	for _, tc := range []struct {
		name, typ string
		b         []byte
	}{
		{"tar", "tar", raw},
		{"tgz", "tar.gz", gz(t, "", raw)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, paths, es := list(t, tc.b, Limits{})
			if a.Type() != tc.typ {
				t.Fatalf("type %q", a.Type())
			}
			want := []string{"/etc", "/etc/hosts", "/long"}
			want = append(want, "/"+longName, "/etc/ssl", "/etc/ssl/cert", "/hard", "/evil.sh", "/ünïcødé.txt")
			if !slices.Equal(paths, want) {
				t.Fatalf("paths %q, want %q", paths, want)
			}
			h := es["/etc/hosts"]
			if h.Inode != 2 || h.Size != 20 || h.Mode != 0o640 || !h.Modified.Equal(mtime) || h.Offset != 512 {
				t.Fatalf("hosts: %+v", h)
			}
			if got := content(t, a, h); got != "127.0.0.1 localhost\n" {
				t.Fatalf("hosts content %q", got)
			}
			long := es["/"+longName]
			if long.Offset != 1536 || content(t, a, long) != "pax" {
				t.Fatalf("long name: %+v", long)
			}
			if tc.typ == "tar" {
				sr, _ := a.Open(long)
				if _, off, n := sr.Outer(); sr == nil || n != 3 || string(raw[off:off+3]) != "pax" {
					t.Fatal("tar member is not a section of the archive")
				}
				if raw[long.Offset+156] != tar.TypeXHeader {
					t.Fatalf("offset %d is not the PAX header: %q", long.Offset, raw[long.Offset:long.Offset+200])
				}
			}
			if c := es["/etc/ssl/cert"]; c.Type != filesystem.Symlink || c.Extra["link_target"] != "../../root/cert" {
				t.Fatalf("symlink: %+v", c)
			}
			if hd := es["/hard"]; hd.Type != filesystem.Other || hd.Extra["link_target"] != "etc/hosts" || hd.Extra["link_type"] != "hard" {
				t.Fatalf("hard link: %+v", hd)
			}
			if _, err := a.Open(es["/hard"]); err == nil {
				t.Fatal("a hard link was opened")
			}
			if e := es["/evil.sh"]; e.Extra["raw_name"] != "../../evil.sh" || content(t, a, e) != "#!/bin/sh\n" {
				t.Fatalf("traversal: %+v", e)
			}
			if got := content(t, a, es["/ünïcødé.txt"]); got != "ü" {
				t.Fatalf("unicode content %q", got)
			}
		})
	}
}

func TestGzip(t *testing.T) {
	for _, tc := range []struct{ header, path string }{{"notes.txt", "/notes.txt"}, {"", "/<archive>.out"}} {
		a, paths, es := list(t, gz(t, tc.header, []byte("hello gzip")), Limits{})
		if a.Type() != "gzip" || !slices.Equal(paths, []string{tc.path}) {
			t.Fatalf("type %q paths %q", a.Type(), paths)
		}
		e := es[tc.path]
		if e.Size != 10 || e.Inode != 1 || !e.Modified.Equal(mtime) || content(t, a, e) != "hello gzip" {
			t.Fatalf("member %+v", e)
		}
	}
}

func TestGzipSpillsToTempFile(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	a, _, es := list(t, gz(t, "big", data), Limits{MaxMemory: 1024})
	if len(a.temps) != 1 {
		t.Fatalf("%d temporary files", len(a.temps))
	}
	name := a.temps[0].Name()
	if got := content(t, a, es["/big"]); got != string(data) {
		t.Fatal("content differs")
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Fatalf("temporary file left: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestZipMemberSpillsToTempFile(t *testing.T) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	fw, _ := w.Create("big.txt")
	data := bytes.Repeat([]byte("pangolin "), 1000)
	fw.Write(data)
	w.Close()
	a, _, es := list(t, buf.Bytes(), Limits{MaxMemory: 100})
	if got := content(t, a, es["/big.txt"]); got != string(data) || len(a.temps) != 1 {
		t.Fatalf("content %d bytes, %d temporary files", len(got), len(a.temps))
	}
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	f()
	runtime.ReadMemStats(&m1)
	return m1.TotalAlloc - m0.TotalAlloc
}

// deflated returns n zeros compressed with raw deflate.
func deflated(t testing.TB, n int) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	zeros := make([]byte, 1<<20)
	for i := 0; i < n>>20; i++ {
		fw.Write(zeros)
	}
	fw.Close()
	return buf.Bytes()
}

func TestBombs(t *testing.T) {
	const bombSize = 100 << 20
	comp := deflated(t, bombSize)
	rawZip := func(declared uint64) []byte {
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		fw, err := w.CreateRaw(&zip.FileHeader{Name: "zeros.bin", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(nil),
			CompressedSize64: uint64(len(comp)), UncompressedSize64: declared})
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(comp)
		w.Close()
		return buf.Bytes()
	}
	for _, tc := range []struct {
		name string
		b    []byte
		lim  Limits
	}{
		{"zip ratio", rawZip(bombSize), Limits{}},
		{"zip total", rawZip(bombSize), Limits{MaxTotal: 10 << 20, MaxRatio: 100_000}},
		{"zip lies about size", rawZip(1024), Limits{MaxMemory: 1 << 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _, es := list(t, tc.b, tc.lim)
			var err error
			if n := allocated(func() { _, err = a.Open(es["/zeros.bin"]) }); n > 8<<20 {
				t.Fatalf("allocated %d bytes", n)
			}
			if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "zeros.bin") {
				t.Fatalf("error %v", err)
			}
			if tc.name != "zip lies about size" && len(a.Anomalies()) != 1 {
				t.Fatalf("anomalies %q", a.Anomalies())
			}
		})
	}
	t.Run("gzip of zeros", func(t *testing.T) {
		f, size := writeFile(t, "zeros.gz", gz(t, "zeros", make([]byte, 8<<20)))
		var err error
		var fsys filesystem.FS
		if n := allocated(func() { fsys, err = Open(f, size, Limits{}) }); n > 8<<20 {
			t.Fatalf("allocated %d bytes", n)
		}
		if fsys != nil || !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "zeros") {
			t.Fatalf("fs %v, error %v", fsys, err)
		}
	})
}

func TestDamaged(t *testing.T) {
	z := makeZip(t)
	tr := makeTar(t, tarMembers)
	for _, tc := range []struct {
		name   string
		b      []byte
		notFS  bool
		member bool // the archive lists, but its last member cannot be read
	}{
		{"empty", nil, true, false},
		{"text", []byte("just some text, not an archive at all"), true, false},
		{"zeros", make([]byte, 4096), true, false},
		{"truncated zip", z[:len(z)/2], false, false},
		{"truncated tar", tr[:1600], false, false},
		{"truncated gzip", gz(t, "x", []byte(strings.Repeat("abc", 1000)))[:30], false, false},
		{"truncated tgz", gz(t, "", tr)[:100], false, false},
		{"tar cut in last member", tr[:len(tr)-1024-512-300], false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, size := writeFile(t, "damaged", tc.b)
			fsys, err := Open(f, size, Limits{})
			if tc.member {
				if err == nil {
					t.Fatal("truncated tar opened without error")
				}
				return
			}
			if err == nil || fsys != nil {
				t.Fatalf("opened: %v %v", fsys, err)
			}
			if errors.Is(err, filesystem.ErrNotFS) != tc.notFS {
				t.Fatalf("error %v, want ErrNotFS %v", err, tc.notFS)
			}
		})
	}
}

func TestMaxMembers(t *testing.T) {
	f, size := writeFile(t, "many.tar", makeTar(t, tarMembers))
	if _, err := Open(f, size, Limits{MaxMembers: 3}); !errors.Is(err, ErrLimit) {
		t.Fatalf("error %v", err)
	}
}

func TestCleanPath(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{"../../etc/passwd", "/etc/passwd"},
		{"/abs/file", "/abs/file"},
		{`C:\Windows\System32\cmd.exe`, "/Windows/System32/cmd.exe"},
		{`..\..\boot.ini`, "/boot.ini"},
		{"a/./b//c/", "/a/b/c"},
		{"nul\x00byte\n", "/nul%00byte%0A"},
		{"file.txt:stream", "/file.txt%3Astream"},
		{"100%", "/100%25"},
		{"bad\xffutf8", "/bad%FFutf8"},
		{"日本/фото.jpg", "/日本/фото.jpg"},
		{"..", "/_"},
		{"", "/_"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			if got := CleanPath(tc.raw); got != tc.want {
				t.Fatalf("CleanPath(%q) = %q, want %q", tc.raw, got, tc.want)
			}
		})
	}
}

func FuzzOpen(f *testing.F) {
	z := makeZip(f)
	tr := makeTar(f, tarMembers)
	f.Add(z)
	f.Add(tr)
	f.Add(gz(f, "", tr))
	f.Add(gz(f, "a.txt", []byte("hello")))
	f.Add(z[:len(z)/2])
	f.Add([]byte{})
	lim := Limits{MaxMembers: 1000, MaxTotal: 4 << 20, MaxRatio: 100, MaxMemory: 1 << 20}
	f.Fuzz(func(t *testing.T, b []byte) {
		fsys, err := Open(bytes.NewReader(b), int64(len(b)), lim)
		if err != nil {
			if fsys != nil {
				t.Fatalf("non-nil FS with error %v", err)
			}
			return
		}
		a := fsys.(*FS)
		defer a.Close()
		fsys.Walk(context.Background(), func(e *filesystem.Entry) error {
			if !strings.HasPrefix(e.Path, "/") || strings.Contains(e.Path, "/../") || strings.Contains(e.Path, `\`) || strings.Contains(e.Path, "\x00") {
				t.Fatalf("unsafe path %q", e.Path)
			}
			if sr, err := fsys.Open(e); err == nil {
				io.Copy(io.Discard, sr)
			}
			return nil
		})
	})
}
