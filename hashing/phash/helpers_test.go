package phash

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// genPhoto draws a deterministic photo-like picture: a smooth two-colour
// gradient with low-frequency waves, then filled shapes (ellipses, turned
// rectangles, clusters of small discs like log ends or tusks) with their own
// gradients and stripes, then sensor-like noise.
func genPhoto(seed uint64, w, h int) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	buf := make([][3]float64, w*h)

	c0, c1 := randColor(rng), randColor(rng)
	ang := rng.Float64() * 2 * math.Pi
	dx, dy := math.Cos(ang), math.Sin(ang)
	fx := (0.5 + rng.Float64()*3) * 2 * math.Pi / float64(w)
	fy := (0.5 + rng.Float64()*3) * 2 * math.Pi / float64(h)
	px, py := rng.Float64()*6, rng.Float64()*6
	amp := 10 + rng.Float64()*30
	for y := range h {
		wy := math.Cos(fy*float64(y) + py)
		for x := range w {
			t := 0.5 + 0.5*(dx*(2*float64(x)/float64(w)-1)+dy*(2*float64(y)/float64(h)-1))/math.Sqrt2
			wave := amp * math.Sin(fx*float64(x)+px) * wy
			p := &buf[y*w+x]
			for c := range 3 {
				p[c] = c0[c]*(1-t) + c1[c]*t + wave
			}
		}
	}

	short := float64(min(w, h))
	for range 10 + rng.IntN(20) {
		cx, cy := rng.Float64()*float64(w), rng.Float64()*float64(h)
		switch rng.IntN(4) {
		case 0: // a cluster of small discs
			col := randColor(rng)
			r := short * (0.01 + rng.Float64()*0.03)
			spread := short * (0.05 + rng.Float64()*0.15)
			for range 10 + rng.IntN(40) {
				ox, oy := rng.NormFloat64()*spread, rng.NormFloat64()*spread
				shade := 0.6 + rng.Float64()*0.6
				fillShape(buf, w, h, cx+ox, cy+oy, r, r, 0, false, 1, func(u, v float64) [3]float64 {
					rim := 0.8 + 0.2*math.Cos(6*math.Hypot(u, v))
					return [3]float64{col[0] * shade * rim, col[1] * shade * rim, col[2] * shade * rim}
				})
			}
		default: // an ellipse or turned rectangle with a gradient and stripes
			rx := short * (0.03 + rng.Float64()*0.3)
			ry := short * (0.03 + rng.Float64()*0.3)
			rot := rng.Float64() * math.Pi
			a, b := randColor(rng), randColor(rng)
			freq := rng.Float64() * 0.4
			sAmp := rng.Float64() * 40
			alpha := 0.6 + rng.Float64()*0.4
			fillShape(buf, w, h, cx, cy, rx, ry, rot, rng.IntN(2) == 0, alpha, func(u, v float64) [3]float64 {
				t := 0.5 + 0.5*u
				s := sAmp * math.Sin(freq*v*rx)
				return [3]float64{a[0]*(1-t) + b[0]*t + s, a[1]*(1-t) + b[1]*t + s, a[2]*(1-t) + b[2]*t + s}
			})
		}
	}

	noise := 2 + rng.Float64()*8
	for i, p := range buf {
		n := (rng.Float64() + rng.Float64() - 1) * noise
		for c := range 3 {
			img.Pix[4*i+c] = clamp8(p[c] + n)
		}
		img.Pix[4*i+3] = 0xff
	}
	return img
}

func randColor(rng *rand.Rand) [3]float64 {
	return [3]float64{rng.Float64() * 255, rng.Float64() * 255, rng.Float64() * 255}
}

func clamp8(v float64) uint8 {
	return uint8(math.Round(min(255, max(0, v))))
}

// fillShape blends an ellipse (or a rectangle) centred at cx, cy with
// half-axes rx, ry turned by rot into buf. paint gets the point in the
// shape's own coordinates, each in [-1, 1].
func fillShape(buf [][3]float64, w, h int, cx, cy, rx, ry, rot float64, rect bool, alpha float64, paint func(u, v float64) [3]float64) {
	sin, cos := math.Sincos(rot)
	ext := math.Hypot(rx, ry)
	x0, x1 := max(0, int(cx-ext)), min(w-1, int(cx+ext))
	y0, y1 := max(0, int(cy-ext)), min(h-1, int(cy+ext))
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			fx, fy := float64(x)-cx, float64(y)-cy
			u := (fx*cos + fy*sin) / rx
			v := (-fx*sin + fy*cos) / ry
			in := u*u+v*v <= 1
			if rect {
				in = math.Abs(u) <= 1 && math.Abs(v) <= 1
			}
			if !in {
				continue
			}
			c := paint(u, v)
			p := &buf[y*w+x]
			for k := range 3 {
				p[k] = p[k]*(1-alpha) + c[k]*alpha
			}
		}
	}
}

// toRGBA copies any image into a fresh *image.RGBA at the origin.
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
	return dst
}

// boxDown shrinks img by an integer factor, averaging each f x f block.
func boxDown(img *image.RGBA, f int) *image.RGBA {
	w, h := img.Rect.Dx()/f, img.Rect.Dy()/f
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			var s [4]int
			for j := range f {
				off := (y*f+j)*img.Stride + x*f*4
				for i := range 4 * f {
					s[i%4] += int(img.Pix[off+i])
				}
			}
			for c := range 4 {
				dst.Pix[y*dst.Stride+4*x+c] = uint8((s[c] + f*f/2) / (f * f))
			}
		}
	}
	return dst
}

// orientPixels returns the upright image of stored pixels with EXIF
// orientation o, the pixel-level counterpart of orient.
func orientPixels(s *image.RGBA, o int) *image.RGBA {
	w, h := s.Rect.Dx(), s.Rect.Dy()
	dw, dh := w, h
	if o >= 5 && o <= 8 {
		dw, dh = h, w
	}
	d := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		for x := range dw {
			sx, sy := x, y
			switch o {
			case 2:
				sx = w - 1 - x
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sy = h - 1 - y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			copy(d.Pix[y*d.Stride+4*x:][:4], s.Pix[sy*s.Stride+4*sx:][:4])
		}
	}
	return d
}

// inverseOrientation returns the orientation that undoes o: quarter turns
// swap, flips and transposes undo themselves.
func inverseOrientation(o int) int {
	switch o {
	case 6:
		return 8
	case 8:
		return 6
	}
	return o
}

func encodeJPEG(t testing.TB, img image.Image, q int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exifTIFF returns a TIFF block whose IFD0 holds one orientation tag.
func exifTIFF(o int, bo binary.ByteOrder) []byte {
	b := make([]byte, 26)
	if bo == binary.LittleEndian {
		copy(b, "II")
	} else {
		copy(b, "MM")
	}
	bo.PutUint16(b[2:], 42)
	bo.PutUint32(b[4:], 8)
	bo.PutUint16(b[8:], 1)
	bo.PutUint16(b[10:], 0x0112)
	bo.PutUint16(b[12:], 3)
	bo.PutUint32(b[14:], 1)
	bo.PutUint16(b[18:], uint16(o))
	return b // the next-IFD offset at 22 stays zero
}

// withJPEGExif inserts an APP1 Exif segment right after the SOI marker.
func withJPEGExif(jpg, tiffData []byte) []byte {
	seg := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(2+6+len(tiffData)))
	seg = append(append(seg, "Exif\x00\x00"...), tiffData...)
	return slices.Concat(jpg[:2], seg, jpg[2:])
}

// withPNGExif inserts an eXIf chunk right after IHDR.
func withPNGExif(p, tiffData []byte) []byte {
	ihdrEnd := 8 + 8 + 13 + 4
	c := make([]byte, 8, 12+len(tiffData))
	binary.BigEndian.PutUint32(c, uint32(len(tiffData)))
	copy(c[4:], "eXIf")
	c = append(c, tiffData...)
	c = binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	return slices.Concat(p[:ihdrEnd], c, p[ihdrEnd:])
}

// webpWithExif returns a RIFF WebP container holding an empty VP8X chunk
// and an EXIF chunk: enough for the orientation reader, not an image.
func webpWithExif(tiffData []byte) []byte {
	b := []byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00")
	b = append(b, make([]byte, 10)...)
	b = append(b, "EXIF"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(tiffData)))
	b = append(b, tiffData...)
	if len(tiffData)%2 == 1 {
		b = append(b, 0)
	}
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

func decodeBytes(t testing.TB, b []byte) Hash {
	t.Helper()
	h, err := Decode(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// stats summarises distances: median, 95th percentile, minimum, maximum.
type stats struct{ n, median, p95, min, max int }

func summarize(d []int) stats {
	if len(d) == 0 {
		return stats{}
	}
	s := slices.Sorted(slices.Values(d))
	return stats{len(s), s[len(s)/2], s[(len(s)*95)/100], s[0], s[len(s)-1]}
}
