package pdf

import (
	"bytes"
	"errors"
	"fmt"
	stdimage "image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// Limits on images, which come from evidence.
const (
	maxImageSide   = 20000      // pixels, either side
	maxImagePixels = 50_000_000 // pixels in all
)

// ErrImage is returned for image data that is not a JPEG or PNG file
// this package can place, or is larger than it accepts.
var ErrImage = errors.New("pdf: unsupported image")

// image is an image XObject.
type image struct {
	w, h   int
	filter string // "DCTDecode" or "FlateDecode"
	space  string // "DeviceRGB" or "DeviceGray"
	data   []byte // JPEG file, or samples for Flate (compressed on write)
	alpha  []byte // 8-bit soft mask samples, or nil
}

// Image adds a JPEG or PNG image, scaled to fit in maxW by maxH points
// (and the page's content area; 0 means no limit beyond it) keeping its
// proportions, and placed at the left margin. The data is decoded in
// full first, so that a corrupt file is an error here and never a broken
// report. A grey or YCbCr JPEG is then embedded as it is (DCTDecode);
// CMYK JPEGs and PNGs are stored as 8-bit grey or RGB samples (Flate),
// with PNG transparency as a soft mask. EXIF orientation is not applied:
// the image is drawn as stored. Data that is not JPEG or PNG, or has a
// side over 20,000 pixels or more than 50 million pixels, gives
// [ErrImage].
func (d *Document) Image(data []byte, maxW, maxH float64) error {
	img, err := decodeImage(data)
	if err != nil {
		return err
	}
	if !(maxW > 0) || maxW > contentW {
		maxW = contentW
	}
	if !(maxH > 0) || maxH > bottom-top {
		maxH = bottom - top
	}
	s := min(maxW/float64(img.w), maxH/float64(img.h))
	w, h := float64(img.w)*s, float64(img.h)*s
	d.images = append(d.images, img)
	d.space(h)
	fmt.Fprintf(&d.cur().content, "q %s 0 0 %s %s %s cm /Im%d Do Q\n",
		num(w), num(h), num(margin), num(pageH-d.y-h), len(d.images))
	d.y += h + paraGap
	d.fresh = false
	return nil
}

func decodeImage(data []byte) (*image, error) {
	var cfg stdimage.Config
	var err error
	isJPEG := bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF})
	switch {
	case isJPEG:
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	default:
		return nil, fmt.Errorf("%w: not a JPEG or PNG file", ErrImage)
	}
	if err != nil {
		return nil, fmt.Errorf("decode image header: %w", err)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxImageSide || cfg.Height > maxImageSide ||
		cfg.Width*cfg.Height > maxImagePixels {
		return nil, fmt.Errorf("%w: %d×%d pixels", ErrImage, cfg.Width, cfg.Height)
	}
	var m stdimage.Image
	if isJPEG {
		m, err = jpeg.Decode(bytes.NewReader(data))
	} else {
		m, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, fmt.Errorf("decode image: %w", err)
	}
	b := m.Bounds()
	img := &image{w: b.Dx(), h: b.Dy(), filter: "FlateDecode", space: "DeviceRGB"}
	switch m.(type) {
	case *stdimage.YCbCr:
		img.filter, img.data = "DCTDecode", data
		return img, nil
	case *stdimage.Gray:
		if isJPEG {
			img.filter, img.space, img.data = "DCTDecode", "DeviceGray", data
			return img, nil
		}
	}
	samples(img, m)
	return img, nil
}

// samples stores m's pixels in img as 8-bit grey or RGB samples, and its
// alpha as a soft mask if any pixel is not opaque. Colours are
// un-premultiplied.
func samples(img *image, m stdimage.Image) {
	b := m.Bounds()
	gray := m.ColorModel() == color.GrayModel || m.ColorModel() == color.Gray16Model
	if gray {
		img.space = "DeviceGray"
	}
	n := img.w * img.h
	ch := 3
	if gray {
		ch = 1
	}
	img.data = make([]byte, 0, ch*n)
	alpha := make([]byte, 0, n)
	opaque := true
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
			if gray {
				img.data = append(img.data, c.R)
			} else {
				img.data = append(img.data, c.R, c.G, c.B)
			}
			alpha = append(alpha, c.A)
			opaque = opaque && c.A == 0xFF
		}
	}
	if !opaque {
		img.alpha = alpha
	}
}
