package exif

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// fuzzSeeds are the hand-built files of the table tests.
func fuzzSeeds() [][]byte {
	tiff := phoneTIFF(fullGPS)
	big := buildTIFF([]tEntry{ascii(0x010F, "X")}, []tEntry{ascii(0x9003, "2020:01:02 03:04:05")},
		[]tEntry{ascii(1, "N"), rationals(2, [2]uint32{0, 0}), ascii(3, "E"), {0x0004, 5, 0, nil}})
	return [][]byte{
		tiff,
		big,
		jpegWith(app1(append([]byte("Exif\x00\x00"), tiff...))),
		jpegWith(app1(append([]byte("http://ns.adobe.com/xap/1.0/\x00"), `<x exif:GPSLatitude="1,2.5N" exif:GPSLongitude="3,4W"/>`...))),
		pngWith(pngChunk("eXIf", tiff)),
		webpWith(riffChunk("EXIF", tiff)),
		heicWith(tiff),
		[]byte("MM\x00*\x00\x00\x00\x08\x00\x01\x87\x69\x00\x04\x00\x00\x00\x01\x00\x00\x00\x08\x00\x00\x00\x08"),
	}
}

// FuzzPhoto checks that no input makes Photo panic or return both nothing
// and no error, or metadata with an error.
func FuzzPhoto(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		md, err := Photo(bytes.NewReader(b), int64(len(b)))
		if (md == nil) == (err == nil) {
			t.Fatalf("Photo = %v, %v: want exactly one of them", md, err)
		}
		if md != nil && len(md.Thumbnail) > maxThumbnail {
			t.Fatalf("thumbnail of %d bytes", len(md.Thumbnail))
		}
	})
}

// BenchmarkPhoto reads a phone JPEG (an iPhone photo with GPS) from the
// corpus, from memory.
func BenchmarkPhoto(b *testing.B) {
	path := filepath.Join(testcorpus.Dir(b), "exif", "bulk_extractor", "exif_demo1.jpg")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	r := bytes.NewReader(data)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		md, err := Photo(r, int64(len(data)))
		if err != nil || md.GPS == nil {
			b.Fatal(md, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
