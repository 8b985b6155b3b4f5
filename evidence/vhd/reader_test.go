package vhd

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pangolin-forensics/pangolin/internal/vdisktest"
)

func TestHandBuilt(t *testing.T) {
	tests := []struct {
		name    string
		build   func() ([]byte, []byte)
		variant string
	}{
		{"dynamic", func() ([]byte, []byte) { return buildDynamic(typeDynamic) }, "dynamic"},
		{"fixed", buildFixed, "fixed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, disk := tt.build()
			path := vdisktest.WriteTemp(t, "hand.vhd", b)
			if !IsVHD(path) {
				t.Fatal("IsVHD = false")
			}
			img, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			if img.Size() != int64(len(disk)) {
				t.Fatalf("Size = %d, want %d", img.Size(), len(disk))
			}
			if got, want := vdisktest.DiskMD5(t, img, img.Size()), vdisktest.MD5Of(disk); got != want {
				t.Fatalf("disk MD5 %s, want %s", got, want)
			}
			info := img.Info()
			if info.Variant != tt.variant || info.UUID != "30313233-3435-3637-3839-616263646566" || info.CreatorHostOS != "Wi2k" || info.CreatorVersion != "1.2" {
				t.Fatalf("Info = %+v", info)
			}
			p := make([]byte, 100)
			n, err := img.ReadAt(p, img.Size()-10)
			if n != 10 || err != io.EOF || !bytes.Equal(p[:10], disk[len(disk)-10:]) {
				t.Fatalf("ReadAt across the end: %d, %v", n, err)
			}
			if n, err := img.ReadAt(p, img.Size()); n != 0 || err != io.EOF {
				t.Fatalf("ReadAt at the end: %d, %v", n, err)
			}
			if _, err := img.ReadAt(p, -1); err == nil {
				t.Fatal("negative offset accepted")
			}
		})
	}
}

func TestNotVHD(t *testing.T) {
	if IsVHD(vdisktest.WriteTemp(t, "x.raw", make([]byte, 4096))) {
		t.Fatal("zeros recognised as VHD")
	}
	if IsVHD(filepath.Join(t.TempDir(), "missing")) {
		t.Fatal("missing file recognised as VHD")
	}
}

func TestConcurrentReads(t *testing.T) {
	b, disk := buildDynamic(typeDynamic)
	img, err := NewImage(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			p := make([]byte, 5000)
			for range 500 {
				off := r.Int64N(int64(len(disk)))
				n := r.IntN(len(p))
				k, err := img.ReadAt(p[:n], off)
				if (err != nil) != (off+int64(n) > int64(len(disk))) || !bytes.Equal(p[:k], disk[off:off+int64(k)]) {
					t.Errorf("ReadAt(%d, %d) = %d, %v", off, n, k, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// refoot rewrites both footers of a dynamic image after edit changes them.
func refoot(b []byte, edit func(f []byte)) []byte {
	for _, at := range []int{0, len(b) - footerSize} {
		f := b[at : at+footerSize]
		edit(f)
		binary.BigEndian.PutUint32(f[64:], checksum(f, 64))
	}
	return b
}

// reheader edits the dynamic header and fixes its checksum.
func reheader(b []byte, edit func(h []byte)) []byte {
	h := b[hbHeader : hbHeader+dynHeaderSize]
	edit(h)
	binary.BigEndian.PutUint32(h[36:], checksum(h, 36))
	return b
}

func TestMalformed(t *testing.T) {
	be := binary.BigEndian
	tests := []struct {
		name   string
		fixed  bool
		mutate func([]byte) []byte
		want   error
		atOpen bool
		msg    string
	}{
		{"empty", false, func(b []byte) []byte { return nil }, ErrFormat, true, "too short"},
		{"no footer", false, func(b []byte) []byte { clear(b[:8]); clear(b[len(b)-512:]); return b }, ErrFormat, true, "no VHD footer"},
		{"footer checksum", false, func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, ErrFormat, true, "checksum"},
		{"truncated, copy at 0 used", false, func(b []byte) []byte { return b[:len(b)-600] }, ErrFormat, false, "past the end"},
		{"disk type 9", false, func(b []byte) []byte { return refoot(b, func(f []byte) { be.PutUint32(f[60:], 9) }) }, ErrUnsupported, true, "disk type"},
		{"header offset past EOF", false, func(b []byte) []byte { return refoot(b, func(f []byte) { be.PutUint64(f[16:], 1<<40) }) }, ErrFormat, true, "dynamic header offset"},
		{"header offset in footer copy", false, func(b []byte) []byte { return refoot(b, func(f []byte) { be.PutUint64(f[16:], 0) }) }, ErrFormat, true, "dynamic header offset"},
		{"no dynamic header", false, func(b []byte) []byte { b[hbHeader] = 'X'; return b }, ErrFormat, true, "cxsparse"},
		{"size 2^63", false, func(b []byte) []byte { return refoot(b, func(f []byte) { be.PutUint64(f[48:], 1<<63) }) }, ErrFormat, true, "current size"},
		{"size too large for BAT", false, func(b []byte) []byte { return refoot(b, func(f []byte) { be.PutUint64(f[48:], 1<<40) }) }, ErrFormat, true, "BAT of 5 entries"},
		{"BAT past EOF", false, func(b []byte) []byte { return reheader(b, func(h []byte) { be.PutUint64(h[16:], 1<<40) }) }, ErrFormat, true, "BAT offset"},
		{"BAT runs past EOF", false, func(b []byte) []byte { return reheader(b, func(h []byte) { be.PutUint64(h[16:], uint64(len(b)-8)) }) }, ErrFormat, true, "past the end"},
		{"block size 3000", false, func(b []byte) []byte { return reheader(b, func(h []byte) { be.PutUint32(h[32:], 3000) }) }, ErrFormat, true, "block size"},
		{"block size 0", false, func(b []byte) []byte { return reheader(b, func(h []byte) { be.PutUint32(h[32:], 0) }) }, ErrFormat, true, "block size"},
		{"block past EOF", false, func(b []byte) []byte { be.PutUint32(b[hbBAT:], 1<<30); return b }, ErrFormat, false, "outside"},
		{"block runs past EOF", false, func(b []byte) []byte { be.PutUint32(b[hbBAT:], uint32(len(b)/512-2)); return b }, ErrFormat, false, "past the end"},
		{"block in footer copy", false, func(b []byte) []byte { be.PutUint32(b[hbBAT:], 0); return b }, ErrFormat, false, "outside"},
		{"differencing", false, func(b []byte) []byte { d, _ := buildDynamic(typeDifferencing); return d }, ErrDifferencing, true, "Pärent disk.vhd"},
		{"fixed size past data", true, func(b []byte) []byte { return refoot(b[len(b)-512:], func(f []byte) {}) }, ErrFormat, true, "current size"},
		{"fixed checksum", true, func(b []byte) []byte { b[len(b)-400] = 1; return b }, ErrFormat, true, "checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b []byte
			if tt.fixed {
				b, _ = buildFixed()
			} else {
				b, _ = buildDynamic(typeDynamic)
			}
			b = tt.mutate(b)
			img, err := NewImage(bytes.NewReader(b), int64(len(b)))
			if err == nil {
				if tt.atOpen {
					t.Fatal("opened a damaged image")
				}
				_, err = io.Copy(io.Discard, io.NewSectionReader(img, 0, img.Size()))
				if err == nil {
					t.Fatal("read a damaged image without error")
				}
			} else if img != nil {
				t.Fatal("non-nil image with an error")
			} else if !tt.atOpen {
				t.Fatalf("open failed, expected a read error: %v", err)
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("error %q, want %v mentioning %q", err, tt.want, tt.msg)
			}
			t.Log(err)
		})
	}
}

// TestQemuImg converts random disks to fixed and dynamic VHDs with
// qemu-img and compares the virtual disk with qemu-img's own conversion
// back to raw and with the source.
func TestQemuImg(t *testing.T) {
	vdisktest.NeedQemuImg(t)
	tests := []struct {
		name string
		size int
		opts string
	}{
		{"dynamic", 5<<20 + 512*7, "subformat=dynamic"},
		{"dynamic-force-size", 5<<20 + 512*7, "subformat=dynamic,force_size=on"},
		{"fixed", 3<<20 + 512*3, "subformat=fixed"},
		{"fixed-force-size", 3<<20 + 512*3, "subformat=fixed,force_size=on"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := vdisktest.Source(tt.size, uint64(i))
			raw := filepath.Join(dir, "src.raw")
			if err := os.WriteFile(raw, src, 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "disk.vhd")
			vdisktest.Run(t, "qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", tt.opts, raw, out)
			back := filepath.Join(dir, "back.raw")
			vdisktest.Run(t, "qemu-img", "convert", "-f", "vpc", "-O", "raw", out, back)
			img, err := Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			st, _ := os.Stat(back)
			if img.Size() != st.Size() || img.Size() < int64(len(src)) {
				t.Fatalf("Size = %d, qemu-img says %d, source %d", img.Size(), st.Size(), len(src))
			}
			got := vdisktest.DiskMD5(t, img, img.Size())
			if want := vdisktest.FileMD5(t, back); got != want {
				t.Fatalf("disk MD5 %s, qemu-img says %s", got, want)
			}
			want := append(append([]byte(nil), src...), make([]byte, img.Size()-int64(len(src)))...)
			if got != vdisktest.MD5Of(want) {
				t.Fatalf("disk MD5 %s, source %s", got, vdisktest.MD5Of(want))
			}
			t.Logf("%+v", img.Info())
		})
	}
}
