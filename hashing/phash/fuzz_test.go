package phash

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/gif"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// seedImages returns small images in every format the package writes or
// can have written for it, with and without Exif.
func seedImages(t testing.TB) [][]byte {
	img := genPhoto(42, 40, 30)
	j := encodeJPEG(t, img, 80)
	p := encodePNG(t, img)
	var g, b, tf bytes.Buffer
	if err := gif.Encode(&g, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := bmp.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := tiff.Encode(&tf, img, &tiff.Options{Compression: tiff.Deflate}); err != nil {
		t.Fatal(err)
	}
	return [][]byte{
		j, p, g.Bytes(), b.Bytes(), tf.Bytes(),
		withJPEGExif(j, exifTIFF(6, binary.BigEndian)),
		withPNGExif(p, exifTIFF(3, binary.LittleEndian)),
		webpWithExif(exifTIFF(8, binary.LittleEndian)),
		exifTIFF(5, binary.BigEndian),
		[]byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"),
		{},
	}
}

// FuzzDecode feeds arbitrary bytes to DecodeWith with a small pixel cap:
// it must return a hash or an error, never panic, and be deterministic.
func FuzzDecode(f *testing.F) {
	for _, s := range seedImages(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		opts := DecodeOptions{MaxPixels: 1 << 20}
		h, err := DecodeWith(bytes.NewReader(data), int64(len(data)), opts)
		if err != nil {
			if h != 0 {
				t.Fatalf("hash %v with error %v", h, err)
			}
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v wraps neither ErrFormat nor ErrTooLarge", err)
			}
			return
		}
		if h2, err := DecodeWith(bytes.NewReader(data), int64(len(data)), opts); err != nil || h2 != h {
			t.Fatalf("second decode: %v, %v; first %v", h2, err, h)
		}
	})
}

// FuzzOrientation feeds arbitrary bytes to ReadOrientation, alone and after
// a JPEG, PNG or WebP header: the result is always 1 to 8, and an error is
// an *ExifError with the upright orientation.
func FuzzOrientation(f *testing.F) {
	for _, s := range seedImages(f) {
		f.Add(s)
	}
	f.Add(withJPEGExif([]byte{0xff, 0xd8, 0xff, 0xd9}, exifTIFF(7, binary.LittleEndian)))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, prefix := range []string{"", "\xff\xd8\xff\xe1\x00\x40Exif\x00\x00", "\x89PNG\r\n\x1a\n\x00\x00\x00\x40eXIf", "RIFF\x00\x00\x00\x00WEBPEXIF\x40\x00\x00\x00"} {
			in := append([]byte(prefix), data...)
			o, err := ReadOrientation(bytes.NewReader(in), int64(len(in)))
			if o < 1 || o > 8 {
				t.Fatalf("orientation %d", o)
			}
			if err != nil {
				var e *ExifError
				if !errors.As(err, &e) || o != 1 {
					t.Fatalf("error %v (%T) with orientation %d", err, err, o)
				}
				if e.Offset < 0 || e.Offset > int64(len(in)) {
					t.Fatalf("error offset %d outside input of %d bytes", e.Offset, len(in))
				}
			}
		}
	})
}

// FuzzParse checks that Parse accepts exactly 16 hex digits and
// round-trips through String.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0123456789abcdef", "FEDCBA9876543210", "", "0", "0123456789abcdeg", "0x23456789abcdef", " 123456789abcdef"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := Parse(s)
		if err != nil {
			if h != 0 || !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse(%q) = %v, %v", s, h, err)
			}
			return
		}
		if !strings.EqualFold(h.String(), s) {
			t.Fatalf("Parse(%q).String() = %q", s, h.String())
		}
		if h2, err := Parse(h.String()); err != nil || h2 != h {
			t.Fatalf("round trip of %v: %v, %v", h, h2, err)
		}
	})
}

// TestReadOrientation reads the orientation from every container the
// reader knows, in both byte orders, and rejects broken Exif.
func TestReadOrientation(t *testing.T) {
	j := encodeJPEG(t, genPhoto(1, 16, 16), 80)
	p := encodePNG(t, image.NewGray(image.Rect(0, 0, 4, 4)))
	for o := 1; o <= 8; o++ {
		for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			x := exifTIFF(o, bo)
			for name, in := range map[string][]byte{
				"jpeg": withJPEGExif(j, x), "png": withPNGExif(p, x), "webp": webpWithExif(x), "tiff": x,
			} {
				got, err := ReadOrientation(bytes.NewReader(in), int64(len(in)))
				if err != nil || got != o {
					t.Errorf("%s %v %d: got %d, %v", name, bo, o, got, err)
				}
			}
		}
	}
	for name, in := range map[string][]byte{
		"no exif":       j,
		"png no exif":   p,
		"gif":           []byte("GIF89a"),
		"empty":         {},
		"bad value":     withJPEGExif(j, exifTIFF(9, binary.BigEndian)),
		"truncated ifd": withJPEGExif(j, exifTIFF(6, binary.BigEndian)[:16]),
	} {
		got, err := ReadOrientation(bytes.NewReader(in), int64(len(in)))
		wantErr := strings.HasPrefix(name, "bad") || strings.HasPrefix(name, "truncated")
		if got != 1 || (err != nil) != wantErr {
			t.Errorf("%s: got %d, %v", name, got, err)
		}
	}
}

// TestDecodeLimits checks the pixel cap and the BMP size check.
func TestDecodeLimits(t *testing.T) {
	j := encodeJPEG(t, genPhoto(2, 200, 100), 80)
	if _, err := DecodeWith(bytes.NewReader(j), int64(len(j)), DecodeOptions{MaxPixels: 19_999}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("20,000 pixels under a cap of 19,999: %v", err)
	}
	if _, err := DecodeWith(bytes.NewReader(j), int64(len(j)), DecodeOptions{MaxPixels: 20_000}); err != nil {
		t.Errorf("20,000 pixels under a cap of 20,000: %v", err)
	}
	var b bytes.Buffer
	if err := bmp.Encode(&b, genPhoto(3, 100, 100)); err != nil {
		t.Fatal(err)
	}
	bm := b.Bytes()
	binary.LittleEndian.PutUint32(bm[18:], 9000) // claim 9000x9000: 81 Mpx
	binary.LittleEndian.PutUint32(bm[22:], 9000)
	if _, err := Decode(bytes.NewReader(bm), int64(len(bm))); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "needs") {
		t.Errorf("short BMP: %v", err)
	}
	if _, err := Decode(bytes.NewReader([]byte("not an image")), 12); !errors.Is(err, ErrFormat) {
		t.Errorf("text: %v", err)
	}
}

// TestHashText checks String and Parse on fixed values.
func TestHashText(t *testing.T) {
	for _, tc := range []struct {
		h Hash
		s string
	}{{0, "0000000000000000"}, {0x0123456789abcdef, "0123456789abcdef"}, {^Hash(0), "ffffffffffffffff"}} {
		if got := tc.h.String(); got != tc.s {
			t.Errorf("%#x.String() = %q, want %q", uint64(tc.h), got, tc.s)
		}
		if got, err := Parse(strings.ToUpper(tc.s)); err != nil || got != tc.h {
			t.Errorf("Parse(%q) = %v, %v", strings.ToUpper(tc.s), got, err)
		}
	}
	if d := Distance(0x0f, 0xf0); d != 8 {
		t.Errorf("Distance(0x0f, 0xf0) = %d, want 8", d)
	}
}

// BenchmarkDecodeHash decodes and hashes a 12-megapixel JPEG.
func BenchmarkDecodeHash(b *testing.B) {
	j := encodeJPEG(b, genPhoto(9, 4000, 3000), 90)
	b.SetBytes(int64(len(j)))
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(j), int64(len(j))); err != nil {
			b.Fatal(err)
		}
	}
}
