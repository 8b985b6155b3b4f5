package ewf

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestReadAcquired(t *testing.T) {
	tests := []struct {
		name string
		kind string
		size int
		args []string
	}{
		{"random-fast-segments", "random", 3<<20 + 512*5, []string{"-c", "fast", "-S", "1048576"}},
		{"zeros-best", "zeros", 2 << 20, []string{"-c", "best"}},
		{"text-none-small-chunks", "text", 1<<20 + 512*3, []string{"-c", "none", "-b", "16"}},
		{"mixed-best-segments", "mixed", 3<<20 - 512*7, []string{"-c", "best", "-S", "1048576", "-b", "128"}},
		{"one-sector", "text", 512, []string{"-c", "fast"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := source(tt.kind, tt.size, uint64(i))
			args := append([]string{"-C", "CASE-" + tt.name, "-D", "desc " + tt.name, "-e", "Examiner " + tt.kind,
				"-E", "EV-42", "-N", "notes for " + tt.name, "-d", "sha1"}, tt.args...)
			path := acquire(t, src, args...)
			img, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			if img.Size() != int64(len(src)) {
				t.Fatalf("Size = %d, want %d", img.Size(), len(src))
			}
			if got := readAll(t, img); !bytes.Equal(got, src) {
				t.Fatal("media differs from the source")
			}
			// Unaligned reads crossing chunk boundaries, in parallel.
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Go(func() {
					for off := int64(g * 777); off < img.Size(); off += 40000 {
						b := make([]byte, 50000)
						n, err := img.ReadAt(b, off)
						if err != nil && err != io.EOF {
							t.Errorf("ReadAt(%d): %v", off, err)
							return
						}
						if !bytes.Equal(b[:n], src[off:off+int64(n)]) {
							t.Errorf("ReadAt(%d) differs", off)
							return
						}
					}
				})
			}
			wg.Wait()
			info := img.Info()
			for _, c := range []struct{ got, want string }{
				{info.CaseNumber, "CASE-" + tt.name},
				{info.Description, "desc " + tt.name},
				{info.Examiner, "Examiner " + tt.kind},
				{info.EvidenceNumber, "EV-42"},
				{info.Notes, "notes for " + tt.name},
				{info.OS, "Linux"},
				{info.SoftwareVersion, "20140813"},
			} {
				if c.got != c.want {
					t.Errorf("Info field = %q, want %q", c.got, c.want)
				}
			}
			sum := md5.Sum(src)
			if info.MD5 != hex.EncodeToString(sum[:]) {
				t.Errorf("stored MD5 %s, want %x", info.MD5, sum)
			}
			if info.AcquisitionDate.IsZero() || info.SHA1 == "" {
				t.Errorf("missing acquisition date or SHA-1: %+v", info)
			}
			res, err := img.Verify(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK || res.MD5Check != HashMatch || res.SHA1Check != HashMatch {
				t.Fatalf("Verify: %+v", res)
			}
		})
	}
}

// chunkFileOffset returns the segment file and offset of the middle of
// chunk i's stored data.
func chunkFileOffset(img *Image, i int64) (string, int64) {
	for _, tb := range img.tables {
		if i >= tb.first && i < tb.first+int64(len(tb.entries)) {
			off := tb.base + int64(tb.entries[i-tb.first]&maxRelOffset)
			return img.segs[tb.seg].name, off + 100
		}
	}
	panic("chunk not found")
}

// copySet copies the segment files of img into a new directory.
func copySet(t *testing.T, names []string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(n)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, filepath.Base(names[0]))
}

func TestVerifyCorruptChunk(t *testing.T) {
	for _, c := range []string{"none", "best"} {
		t.Run(c, func(t *testing.T) {
			src := source("mixed", 1<<20, 3)
			img, err := Open(acquire(t, src, "-c", c, "-S", "1048576"))
			if err != nil {
				t.Fatal(err)
			}
			const bad = 21 // in the compressible half
			seg, off := chunkFileOffset(img, bad)
			names := img.Info().Segments
			img.Close()
			first := copySet(t, names)
			file := filepath.Join(filepath.Dir(first), filepath.Base(seg))
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			b[off] ^= 0x40
			if err := os.WriteFile(file, b, 0o644); err != nil {
				t.Fatal(err)
			}
			img, err = Open(first)
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			res, err := img.Verify(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK || res.BadChunkCount != 1 || res.BadChunks[0].Index != bad || res.BadChunks[0].Offset != bad*32768 {
				t.Fatalf("Verify = %+v, want chunk %d reported", res, bad)
			}
			t.Logf("reported: %v", &res.BadChunks[0])
			if _, err := img.ReadAt(make([]byte, 10), bad*32768+5); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("ReadAt in corrupt chunk: %v, want ErrCorrupt", err)
			}
			if _, err := img.ReadAt(make([]byte, 10), 0); err != nil {
				t.Fatalf("ReadAt in sound chunk: %v", err)
			}
		})
	}
}

func TestOpenNames(t *testing.T) {
	for i, want := range map[int]string{1: ".E01", 9: ".E09", 99: ".E99", 100: ".EAA", 101: ".EAB", 126: ".EBA", 776: ".FAA", maxSegments: ".ZZZ"} {
		if got := segmentExt(i, false); got != want {
			t.Errorf("segmentExt(%d) = %s, want %s", i, got, want)
		}
	}
	if _, err := Open("image.Ex01"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Open(.Ex01) = %v, want ErrUnsupported", err)
	}
	if _, err := Open("image.raw"); err == nil {
		t.Error("Open(.raw) succeeded")
	}
	// Lower-case names, several segments.
	dir := t.TempDir()
	src := source("random", 3<<20, 9)
	names := write(t, filepath.Join(dir, "x"), src, WriterOptions{SegmentSize: 1 << 20, Workers: 2})
	for i, n := range names {
		if err := os.Rename(n, filepath.Join(dir, "x"+segmentExt(i+1, true))); err != nil {
			t.Fatal(err)
		}
	}
	img, err := Open(filepath.Join(dir, "x.e01"))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if len(img.Info().Segments) != len(names) || !bytes.Equal(readAll(t, img), src) {
		t.Fatalf("lower-case set: %d segments (want %d) or content differs", len(img.Info().Segments), len(names))
	}
}

// smallImage returns the single segment of a small image and its media.
func smallImage(t testing.TB) ([]byte, []byte) {
	dir := t.TempDir()
	src := source("text", 24<<10, 1)
	o := WriterOptions{SectorsPerChunk: 16, Compression: Fast, Workers: 1, CaseNumber: "c", Notes: "n"}
	o.MediaSize = int64(len(src))
	w, err := Create(filepath.Join(dir, "s"), o)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(src)
	m := md5.Sum(src)
	if err := w.Close(m[:], nil); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(w.Segments()[0])
	if err != nil {
		t.Fatal(err)
	}
	return b, src
}

func TestHostile(t *testing.T) {
	good, _ := smallImage(t)
	img, err := NewImage([]Segment{{R: bytes.NewReader(good), Size: int64(len(good)), Name: "s.E01"}})
	if err != nil {
		t.Fatal(err)
	}
	// Locate the first table section.
	var tableOff int64
	for off := int64(fileHeaderSize); ; {
		sec, err := img.segs[0].readSection(off)
		if err != nil {
			t.Fatal(err)
		}
		if sec.typ == "table" {
			tableOff = off
			break
		}
		off = sec.next
	}
	open := func(b []byte) error {
		_, err := NewImage([]Segment{{R: bytes.NewReader(b), Size: int64(len(b)), Name: "s.E01"}})
		return err
	}
	tests := []struct {
		name   string
		mutate func(b []byte) []byte
	}{
		{"huge-table-count", func(b []byte) []byte {
			sec, _ := img.segs[0].readSection(tableOff)
			for _, off := range []int64{tableOff, tableOff + sec.size} { // table and table2
				h := b[off+descriptorSize:]
				binary.LittleEndian.PutUint32(h, 1<<31)
				binary.LittleEndian.PutUint32(h[20:], adlerOf(h[:20]))
			}
			return b
		}},
		{"section-loop", func(b []byte) []byte {
			sec, _ := img.segs[0].readSection(tableOff)
			putDescriptor(b[tableOff:], "table", fileHeaderSize, sec.size)
			return b
		}},
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }},
		{"bad-signature", func(b []byte) []byte { b[0] = 'X'; return b }},
		{"ewf2", func(b []byte) []byte { return append([]byte("EVF2\x0d\x0a\x81\x00"), b[8:]...) }},
		{"empty", func(b []byte) []byte { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := open(tt.mutate(bytes.Clone(good)))
			if err == nil {
				t.Fatal("hostile image opened")
			}
			var fe *FormatError
			if !errors.Is(err, ErrUnsupported) && !errors.As(err, &fe) {
				t.Fatalf("error %v is not a FormatError", err)
			}
			t.Log(err)
		})
	}
	// A damaged table falls back to table2.
	b := bytes.Clone(good)
	b[tableOff+descriptorSize+tableHeaderSize] ^= 1
	img2, err := NewImage([]Segment{{R: bytes.NewReader(b), Size: int64(len(b)), Name: "s.E01"}})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := img2.Verify(context.Background(), nil); err != nil || !res.OK {
		t.Fatalf("table2 fallback: %+v, %v", res, err)
	}
	if a := img2.Info().Anomalies; len(a) == 0 || !strings.Contains(strings.Join(a, ";"), "table2") {
		t.Fatalf("anomalies = %q", a)
	}
}
