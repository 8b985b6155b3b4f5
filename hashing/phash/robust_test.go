package phash

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"math"
	"slices"
	"sync"
	"testing"

	xdraw "golang.org/x/image/draw"
)

// transform is one way a photo changes on its way between devices; it
// returns the bytes the other device holds.
type transform struct {
	name string
	max  int // largest distance from the original's hash allowed
	do   func(t testing.TB, img *image.RGBA) []byte
}

// Limits are set a little above the largest distance measured over the
// generated photos, so that a regression shows while the test stays
// honest about what the hash tolerates.
var transforms = []transform{
	{"jpeg90", 4, func(t testing.TB, img *image.RGBA) []byte { return encodeJPEG(t, img, 90) }},
	{"jpeg75", 4, func(t testing.TB, img *image.RGBA) []byte { return encodeJPEG(t, img, 75) }},
	{"jpeg50", 6, func(t testing.TB, img *image.RGBA) []byte { return encodeJPEG(t, img, 50) }},
	{"jpeg30", 6, func(t testing.TB, img *image.RGBA) []byte { return encodeJPEG(t, img, 30) }},
	{"half-bilinear+jpeg70", 6, func(t testing.TB, img *image.RGBA) []byte {
		return encodeJPEG(t, scaleTo(img, img.Rect.Dx()/2, img.Rect.Dy()/2, xdraw.ApproxBiLinear), 70)
	}},
	{"quarter-box+jpeg70", 6, func(t testing.TB, img *image.RGBA) []byte { return encodeJPEG(t, boxDown(img, 4), 70) }},
	{"long1600-bilinear+jpeg70", 6, func(t testing.TB, img *image.RGBA) []byte {
		w, h := img.Rect.Dx(), img.Rect.Dy()
		if s := float64(max(w, h)) / 1600; s > 1 {
			w, h = int(math.Round(float64(w)/s)), int(math.Round(float64(h)/s))
		}
		return encodeJPEG(t, scaleTo(img, w, h, xdraw.BiLinear), 70)
	}},
	{"half-box+png", 6, func(t testing.TB, img *image.RGBA) []byte { return encodePNG(t, boxDown(img, 2)) }},
	{"crop2%+jpeg85", 12, func(t testing.TB, img *image.RGBA) []byte { return encodeJPEG(t, crop(img, 0.02, 0.02), 85) }},
	{"crop3%topleft+jpeg85", 16, func(t testing.TB, img *image.RGBA) []byte { return encodeJPEG(t, crop(img, 0.03, 0), 85) }},
	{"bright+contrast+jpeg85", 6, func(t testing.TB, img *image.RGBA) []byte { return encodeJPEG(t, adjust(img, 1.1, 12), 85) }},
	{"exif6or8+jpeg90", 4, func(t testing.TB, img *image.RGBA) []byte {
		// Orientation 6 for landscape photos, 8 for portrait ones, in the
		// two byte orders.
		o, bo := 6, binary.ByteOrder(binary.BigEndian)
		if img.Rect.Dx() < img.Rect.Dy() || img.Rect.Dx()%2 == 1 {
			o, bo = 8, binary.LittleEndian
		}
		stored := orientPixels(img, inverseOrientation(o))
		return withJPEGExif(encodeJPEG(t, stored, 90), exifTIFF(o, bo))
	}},
}

func scaleTo(img *image.RGBA, w, h int, s xdraw.Scaler) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	s.Scale(dst, dst.Rect, img, img.Rect, xdraw.Src, nil)
	return dst
}

// crop removes fraction lead of the width and height at the top and left
// and fraction trail at the bottom and right.
func crop(img *image.RGBA, lead, trail float64) image.Image {
	w, h := float64(img.Rect.Dx()), float64(img.Rect.Dy())
	r := image.Rect(int(w*lead), int(h*lead), int(w*(1-trail)), int(h*(1-trail)))
	return img.SubImage(r)
}

// adjust applies contrast c around mid-grey and adds brightness b.
func adjust(img *image.RGBA, c, b float64) *image.RGBA {
	dst := image.NewRGBA(img.Rect)
	for i, v := range img.Pix {
		if i%4 == 3 {
			dst.Pix[i] = v
			continue
		}
		dst.Pix[i] = clamp8((float64(v)-128)*c + 128 + b)
	}
	return dst
}

// photoSizes are the generated photos' sizes: mostly small to keep the test
// quick on a shared machine, a few at phone-camera size.
var photoSizes = func() []image.Point {
	var s []image.Point
	for i := range 28 {
		s = append(s, image.Pt(1200+i%2, 900))
	}
	return append(s, image.Pt(1200, 1600), image.Pt(4000, 3000))
}()

// TestRobustness hashes every generated photo and every transform of it and
// checks the distances against each transform's limit, then checks that
// different photos stay apart. Run with -v for the distributions.
func TestRobustness(t *testing.T) {
	if testing.Short() {
		t.Skip("generates megapixel photos")
	}
	var (
		mu        sync.Mutex
		dist      = map[string][]int{}
		originals = make([]Hash, len(photoSizes))
	)
	t.Run("photos", func(t *testing.T) {
		for i, sz := range photoSizes {
			t.Run(fmt.Sprintf("%02d-%dx%d", i, sz.X, sz.Y), func(t *testing.T) {
				t.Parallel()
				img := genPhoto(uint64(i)+1, sz.X, sz.Y)
				ref := FromImage(img)
				var d []int
				for _, tr := range transforms {
					d = append(d, Distance(ref, decodeBytes(t, tr.do(t, img))))
				}
				mu.Lock()
				defer mu.Unlock()
				originals[i] = ref
				for k, tr := range transforms {
					dist[tr.name] = append(dist[tr.name], d[k])
					if d[k] > tr.max {
						t.Errorf("%s: distance %d, want <= %d", tr.name, d[k], tr.max)
					}
				}
			})
		}
	})
	for _, tr := range transforms {
		s := summarize(dist[tr.name])
		t.Logf("%-28s n=%d median=%d p95=%d max=%d", tr.name, s.n, s.median, s.p95, s.max)
	}

	// Different photos: the originals above, plus many small ones (the
	// hash depends little on resolution) for a useful number of pairs.
	hs := slices.Clone(originals)
	for i := range 250 {
		hs = append(hs, FromImage(genPhoto(uint64(1000+i), 256, 192)))
	}
	var diff []int
	for i := range hs {
		for j := i + 1; j < len(hs); j++ {
			diff = append(diff, Distance(hs[i], hs[j]))
		}
	}
	s := summarize(diff)
	matches := 0
	for _, d := range diff {
		if d <= DefaultThreshold {
			matches++
		}
	}
	for _, th := range []int{10, 12, 14, 16} {
		n := 0
		for _, d := range diff {
			if d <= th {
				n++
			}
		}
		t.Logf("different photos at distance <= %d: %d", th, n)
	}
	t.Logf("different photos: pairs=%d min=%d p5=%d median=%d max=%d; at threshold %d: %d false matches (rate %.2g)",
		s.n, s.min, slices.Sorted(slices.Values(diff))[len(diff)/20], s.median, s.max, DefaultThreshold, matches, float64(matches)/float64(s.n))
	if s.min <= DefaultThreshold {
		t.Errorf("different photos %d bits apart, at or below the threshold %d", s.min, DefaultThreshold)
	}
}

// TestOrientationExact checks that applying an orientation to the grid
// gives exactly the hash of the photo rotated in its pixels, for all eight
// orientations, directly, through a lossless PNG with an override, and
// through a PNG carrying an eXIf chunk.
func TestOrientationExact(t *testing.T) {
	display := genPhoto(7, 301, 217) // odd sizes: cells do not align with pixels
	want := FromImage(display)
	for o := 1; o <= 8; o++ {
		t.Run(fmt.Sprint(o), func(t *testing.T) {
			stored := orientPixels(display, inverseOrientation(o))
			if got := FromImageOriented(stored, o); got != want {
				t.Errorf("FromImageOriented = %v, want %v (distance %d)", got, want, Distance(got, want))
			}
			if o != 1 && FromImage(stored) == want {
				t.Errorf("stored pixels hash like the upright photo; the test shows nothing")
			}
			p := encodePNG(t, stored)
			h, err := DecodeWith(bytes.NewReader(p), int64(len(p)), DecodeOptions{Orientation: o})
			if err != nil || h != want {
				t.Errorf("DecodeWith(png, %d) = %v, %v; want %v", o, h, err, want)
			}
			if got := decodeBytes(t, withPNGExif(p, exifTIFF(o, binary.LittleEndian))); got != want {
				t.Errorf("Decode(png with eXIf %d) = %v, want %v", o, got, want)
			}
		})
	}
}
