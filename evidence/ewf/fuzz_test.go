package ewf

import (
	"bytes"
	"context"
	"hash/adler32"
	"testing"
)

func adlerOf(b []byte) uint32 { return adler32.Checksum(b) }

func FuzzOpen(f *testing.F) {
	good, _ := smallImage(f)
	f.Add(good)
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := NewImage([]Segment{{R: bytes.NewReader(b), Size: int64(len(b)), Name: "f.E01"}})
		if err != nil {
			if img != nil {
				t.Fatal("non-nil image with error")
			}
			return
		}
		img.Info()
		if img.Size() > 8<<20 || img.chunkSize > 1<<20 {
			return // reading a large claimed medium is slow, not wrong
		}
		buf := make([]byte, 1<<16)
		for off := int64(0); off < img.Size(); off += int64(len(buf)) {
			img.ReadAt(buf, off)
		}
		if _, err := img.Verify(context.Background(), nil); err != nil {
			t.Fatalf("Verify of an in-memory image: %v", err)
		}
	})
}

func FuzzReadAt(f *testing.F) {
	good, src := smallImage(f)
	img, err := NewImage([]Segment{{R: bytes.NewReader(good), Size: int64(len(good)), Name: "f.E01"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(int64(0), 100)
	f.Add(int64(8190), 5000)
	f.Add(int64(len(src)-3), 10)
	f.Fuzz(func(t *testing.T, off int64, n int) {
		if n < 0 || n > 1<<20 {
			return
		}
		b := make([]byte, n)
		k, err := img.ReadAt(b, off)
		switch {
		case off < 0:
			if err == nil {
				t.Fatal("negative offset accepted")
			}
		case off >= int64(len(src)):
			if k != 0 || (n > 0 && err == nil) {
				t.Fatalf("read past end: %d, %v", k, err)
			}
		default:
			want := src[off:min(int64(len(src)), off+int64(n))]
			if !bytes.Equal(b[:k], want) || (k < n) != (err != nil) {
				t.Fatalf("ReadAt(%d, %d) = %d, %v", off, n, k, err)
			}
		}
	})
}
