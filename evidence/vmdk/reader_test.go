package vmdk

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
		name       string
		build      func(t *testing.T) (string, []byte)
		createType string
		extents    int
	}{
		{"monolithicSparse", func(t *testing.T) (string, []byte) {
			b, d := buildMonolithic()
			return vdisktest.WriteTemp(t, "hand.vmdk", b), d
		}, "monolithicSparse", 1},
		{"streamOptimized", func(t *testing.T) (string, []byte) {
			b, d := buildStream()
			return vdisktest.WriteTemp(t, "stream.vmdk", b), d
		}, "streamOptimized", 1},
		{"descriptor", func(t *testing.T) (string, []byte) {
			return buildDescriptorSet(t, t.TempDir())
		}, "twoGbMaxExtentSparse", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, disk := tt.build(t)
			head, _ := os.ReadFile(path)
			if !IsVMDK(head[:min(len(head), 512)]) {
				t.Fatal("IsVMDK = false")
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
			if info.CreateType != tt.createType || len(info.Extents) != tt.extents {
				t.Fatalf("Info = %+v", info)
			}
			p := make([]byte, 100)
			n, err := img.ReadAt(p, img.Size()-10)
			if n != 10 || err != io.EOF || !bytes.Equal(p[:10], disk[len(disk)-10:]) {
				t.Fatalf("ReadAt across the end: %d, %v", n, err)
			}
			if _, err := img.ReadAt(p, -1); err == nil {
				t.Fatal("negative offset accepted")
			}
			t.Logf("%+v", info)
		})
	}
}

func TestConcurrentReads(t *testing.T) {
	path, disk := buildDescriptorSet(t, t.TempDir())
	img, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			p := make([]byte, 3000)
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

// TestMalformedSparse damages the hand-built sparse extents: each must
// fail with the expected error when opened or read, never panic.
func TestMalformedSparse(t *testing.T) {
	le := binary.LittleEndian
	garbage := bytes.Repeat([]byte{0xff, 0x13}, 200)
	tests := []struct {
		name   string
		stream bool
		mutate func([]byte) []byte
		want   error
		atOpen bool
		msg    string
	}{
		{"empty", false, func(b []byte) []byte { return nil }, ErrFormat, true, "past the end"},
		{"truncated header", false, func(b []byte) []byte { return b[:100] }, ErrFormat, true, "past the end"},
		{"bad magic", false, func(b []byte) []byte { b[0] = 'X'; return b }, ErrFormat, true, "KDMV"},
		{"COWD", false, func(b []byte) []byte { copy(b, cowdMagic); return b }, ErrUnsupported, true, "COWD"},
		{"version 9", false, func(b []byte) []byte { le.PutUint32(b[4:], 9); return b }, ErrUnsupported, true, "version"},
		{"newline test damaged", false, func(b []byte) []byte { b[75] = '\n'; return b }, ErrFormat, true, "newline"},
		{"grain size 0", false, func(b []byte) []byte { le.PutUint64(b[20:], 0); return b }, ErrFormat, true, "grain"},
		{"grain size huge", false, func(b []byte) []byte { le.PutUint64(b[20:], 1<<40); return b }, ErrFormat, true, "grain"},
		{"GT entries 0", false, func(b []byte) []byte { le.PutUint32(b[44:], 0); return b }, ErrFormat, true, "grain table entries"},
		{"capacity huge", false, func(b []byte) []byte { le.PutUint64(b[12:], 1<<60); return b }, ErrFormat, true, "capacity"},
		{"GD over limit", false, func(b []byte) []byte { le.PutUint64(b[12:], 1<<50); le.PutUint32(b[44:], 1); return b }, ErrFormat, true, "limit"},
		{"GD past EOF", false, func(b []byte) []byte { le.PutUint64(b[56:], 1<<30); return b }, ErrFormat, true, "grain directory"},
		{"GD runs past EOF", false, func(b []byte) []byte { le.PutUint64(b[12:], 1<<20); return b }, ErrFormat, true, "past the end"},
		{"GD in header", false, func(b []byte) []byte { le.PutUint64(b[56:], 0); return b }, ErrFormat, true, "grain directory"},
		{"GT past EOF", false, func(b []byte) []byte { le.PutUint32(b[msGD*sector:], 1<<30); return b }, ErrFormat, false, "past the end"},
		{"grain past EOF", false, func(b []byte) []byte { le.PutUint32(b[msGT0*sector:], 1<<30); return b }, ErrFormat, false, "past the end"},
		{"grain runs past EOF", false, func(b []byte) []byte { le.PutUint32(b[msGT0*sector:], 11); return b }, ErrFormat, false, "past the end"},
		{"differencing embedded", false, func(b []byte) []byte {
			d := strings.Replace(handDescriptor, "parentCID=ffffffff", "parentCID=0badc0de\nparentFileNameHint=\"base.vmdk\"", 1)
			clear(b[sector : 3*sector])
			copy(b[sector:], d)
			return b
		}, ErrDifferencing, true, "base.vmdk"},
		{"stream no footer", true, func(b []byte) []byte { return b[:9*sector] }, ErrFormat, true, "footer"},
		{"stream footer GD at end", true, func(b []byte) []byte { le.PutUint64(b[9*sector+56:], gdAtEnd); return b }, ErrFormat, true, "footer"},
		{"stream compression 2", true, func(b []byte) []byte { le.PutUint16(b[9*sector+77:], 2); return b }, ErrUnsupported, true, "compression"},
		{"stream grain garbage", true, func(b []byte) []byte { copy(b[soGrain0*sector+12:], garbage); return b }, ErrFormat, false, "compressed grain"},
		{"stream grain marker size 0", true, func(b []byte) []byte { le.PutUint32(b[soGrain0*sector+8:], 0); return b }, ErrFormat, false, "marker"},
		{"stream grain marker size huge", true, func(b []byte) []byte { le.PutUint32(b[soGrain0*sector+8:], 1<<31); return b }, ErrFormat, false, "marker"},
		{"stream grain longer than grain", true, func(b []byte) []byte { return setStreamGrain(b, soGrain0, bytes.Repeat([]byte("y"), 1025)) }, ErrFormat, false, "more than"},
		{"stream grain too short", true, func(b []byte) []byte { return setStreamGrain(b, soGrain0, bytes.Repeat([]byte("y"), 1000)) }, ErrFormat, false, "expected"},
		{"stream last grain too short", true, func(b []byte) []byte { return setStreamGrain(b, soGrain4, bytes.Repeat([]byte("y"), 500)) }, ErrFormat, false, "expected"},
		{"stream grain past EOF", true, func(b []byte) []byte { le.PutUint32(b[4*sector:], 1<<30); return b }, ErrFormat, false, "past the end"},
		{"stream grain bad checksum", true, func(b []byte) []byte {
			n := le.Uint32(b[soGrain0*sector+8:])
			b[soGrain0*sector+12+int(n)-1] ^= 0xff
			return b
		}, ErrFormat, false, "checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b []byte
			if tt.stream {
				b, _ = buildStream()
			} else {
				b, _ = buildMonolithic()
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

// setStreamGrain replaces the compressed grain at sector at with data.
func setStreamGrain(b []byte, at int, data []byte) []byte {
	z := zlibOf(data)
	if len(z) > sector-12 {
		panic("test grain too large")
	}
	clear(b[at*sector+12 : (at+1)*sector])
	binary.LittleEndian.PutUint32(b[at*sector+8:], uint32(len(z)))
	copy(b[at*sector+12:], z)
	return b
}

// TestMalformedDescriptor feeds hostile descriptors: names outside the
// folder, parents, unsupported extents, sizes that do not match.
func TestMalformedDescriptor(t *testing.T) {
	tests := []struct {
		name  string
		lines string
		want  error
		msg   string
	}{
		{"dot-dot", `RW 6 FLAT "../disk-flat.vmdk" 0`, ErrUnsafeName, "../disk-flat.vmdk"},
		{"absolute", `RW 6 FLAT "/etc/passwd" 0`, ErrUnsafeName, "/etc/passwd"},
		{"subfolder", `RW 6 FLAT "sub/disk-flat.vmdk" 0`, ErrUnsafeName, "sub/"},
		{"backslash", `RW 6 FLAT "..\\disk-flat.vmdk" 0`, ErrUnsafeName, ""},
		{"dot", `RW 6 FLAT "." 0`, ErrUnsafeName, ""},
		{"empty name", `RW 6 FLAT "" 0`, ErrUnsafeName, ""},
		{"missing file", `RW 6 FLAT "nothere.vmdk" 0`, os.ErrNotExist, ""},
		{"flat too short", `RW 100 FLAT "disk-flat.vmdk" 0`, ErrFormat, "runs past the end"},
		{"flat offset past EOF", `RW 6 FLAT "disk-flat.vmdk" 99999999999`, ErrFormat, "runs past the end"},
		{"sparse smaller than listed", `RW 40 SPARSE "disk-s001.vmdk"`, ErrFormat, "capacity"},
		{"sparse is flat data", `RW 6 SPARSE "disk-flat.vmdk"`, ErrFormat, "KDMV"},
		{"parent", "parentCID=12345678\nparentFileNameHint=\"base.vmdk\"\nRW 6 FLAT \"disk-flat.vmdk\" 0", ErrDifferencing, "base.vmdk"},
		{"vmfssparse", `RW 6 VMFSSPARSE "disk-flat.vmdk"`, ErrUnsupported, "VMFSSPARSE"},
		{"rdm", `RW 6 VMFSRDM "disk-flat.vmdk"`, ErrUnsupported, "VMFSRDM"},
		{"noaccess", `NOACCESS 6 FLAT "disk-flat.vmdk" 0`, ErrUnsupported, "NOACCESS"},
		{"no extents", `createType="monolithicFlat"`, ErrFormat, "no extents"},
		{"size overflow", "RW 9000000000000000000 ZERO\nRW 9000000000000000000 ZERO", ErrFormat, "out of range"},
		{"sum overflow", strings.Repeat("RW 4000000000000000 ZERO\n", 4), ErrFormat, "add up"},
		{"too many extents", strings.Repeat("RW 1 ZERO\n", maxExtents+1), ErrFormat, "extents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			buildDescriptorSet(t, dir)
			p := filepath.Join(dir, "bad.vmdk")
			os.WriteFile(p, []byte("# Disk DescriptorFile\nversion=1\nCID=1\n"+tt.lines+"\n"), 0o644)
			img, err := Open(p)
			if err == nil {
				img.Close()
				t.Fatal("opened")
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("error %q, want %v mentioning %q", err, tt.want, tt.msg)
			}
			t.Log(err)
		})
	}
	t.Run("descriptor over 1 MiB", func(t *testing.T) {
		big := append([]byte("# Disk DescriptorFile\n"), bytes.Repeat([]byte("# padding\n"), maxDescriptor/10+1)...)
		if _, err := Open(vdisktest.WriteTemp(t, "big.vmdk", big)); !errors.Is(err, ErrFormat) {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("not a vmdk", func(t *testing.T) {
		if _, err := Open(vdisktest.WriteTemp(t, "x.vmdk", []byte("hello"))); !errors.Is(err, ErrFormat) {
			t.Fatalf("error %v", err)
		}
	})
}

// TestQemuImg converts random disks to each VMDK subformat qemu-img writes
// and compares the virtual disk with the source and with qemu-img's own
// conversion back to raw.
func TestQemuImg(t *testing.T) {
	vdisktest.NeedQemuImg(t)
	tests := []struct {
		name string
		size int
		opts string
	}{
		{"monolithicSparse", 5<<20 + 512*7, "subformat=monolithicSparse"},
		{"streamOptimized", 5<<20 + 512*7, "subformat=streamOptimized"},
		{"twoGbMaxExtentSparse", 3<<20 + 512*3, "subformat=twoGbMaxExtentSparse"},
		{"twoGbMaxExtentFlat", 3<<20 + 512*3, "subformat=twoGbMaxExtentFlat"},
		{"monolithicFlat", 3<<20 + 512*3, "subformat=monolithicFlat"},
		{"monolithicSparse-zeroed-grain", 2 << 20, "subformat=monolithicSparse,zeroed_grain=on"},
		{"streamOptimized-big", 17<<20 + 512, "subformat=streamOptimized"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := vdisktest.Source(tt.size, uint64(i))
			raw := filepath.Join(dir, "src.raw")
			if err := os.WriteFile(raw, src, 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "disk.vmdk")
			vdisktest.Run(t, "qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", tt.opts, raw, out)
			back := filepath.Join(dir, "back.raw")
			vdisktest.Run(t, "qemu-img", "convert", "-f", "vmdk", "-O", "raw", out, back)
			img, err := Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			st, _ := os.Stat(back)
			if img.Size() != st.Size() || img.Size() != int64(len(src)) {
				t.Fatalf("Size = %d, qemu-img says %d, source %d", img.Size(), st.Size(), len(src))
			}
			got := vdisktest.DiskMD5(t, img, img.Size())
			if want := vdisktest.FileMD5(t, back); got != want {
				t.Fatalf("disk MD5 %s, qemu-img says %s", got, want)
			}
			if got != vdisktest.MD5Of(src) {
				t.Fatalf("disk MD5 %s, source %s", got, vdisktest.MD5Of(src))
			}
			t.Logf("%+v", img.Info())
		})
	}
}

func TestQemuImgDifferencing(t *testing.T) {
	vdisktest.NeedQemuImg(t)
	dir := t.TempDir()
	base := filepath.Join(dir, "base.vmdk")
	child := filepath.Join(dir, "child.vmdk")
	vdisktest.Run(t, "qemu-img", "create", "-q", "-f", "vmdk", base, "1M")
	vdisktest.Run(t, "qemu-img", "create", "-q", "-f", "vmdk", "-b", base, "-F", "vmdk", child)
	_, err := Open(child)
	if !errors.Is(err, ErrDifferencing) || !strings.Contains(err.Error(), "base.vmdk") {
		t.Fatalf("error %v", err)
	}
	t.Log(err)
}
