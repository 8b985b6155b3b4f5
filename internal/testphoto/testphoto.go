// Package testphoto writes small JPEG photos with the EXIF metadata a
// phone camera records, for benchmarks, tests and the sample case: the
// camera's make, model and software, when the photo was taken and in
// which time zone, where (GPS), who took it and what it shows, and an
// embedded thumbnail.
//
// [Encode] compresses the image with image/jpeg and inserts an Exif APP1
// segment after SOI, laid out as cameras lay it out and with the tags the
// Exif standard requires of a JPEG, so that exiftool -validate finds
// nothing wrong. The same arguments give the same bytes.
//
// Reading metadata back is package extract/exif's job; drawing the image
// is the caller's.
//
// # Layout
//
// The TIFF structure is big-endian ("MM"), encoded by
// github.com/dsoprea/go-exif/v3: IFD0 (ImageDescription, Make, Model,
// XResolution, YResolution, ResolutionUnit, Software, DateTime, Artist,
// YCbCrPositioning, then the Exif and GPS IFD pointers), the Exif IFD
// (ExifVersion 0232, DateTimeOriginal, OffsetTimeOriginal,
// ComponentsConfiguration, SubSecTimeOriginal, FlashpixVersion,
// ColorSpace, PixelXDimension, PixelYDimension), the GPS IFD (version
// 2.3, latitude and longitude in degrees, minutes and hundredths of
// seconds, altitude in decimetres, UTC time and date, true image
// direction); with a thumbnail, IFD1 (Compression 6, resolutions,
// JPEGInterchangeFormat and its length), which this package writes, and
// then the thumbnail JPEG. Each IFD's tags are in ascending order, as the standard requires; tags
// whose field is empty are left out. See CIPA DC-008-2023 (Exif 3.0),
// sections 4.5 and 4.6.
package testphoto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"strings"
	"sync"
	"time"

	goexif "github.com/dsoprea/go-exif/v3"
	exifcommon "github.com/dsoprea/go-exif/v3/common"
	exifundefined "github.com/dsoprea/go-exif/v3/undefined"
	"golang.org/x/image/draw"
)

// Camera is the device a photo records in IFD0.
type Camera struct {
	Make, Model, Software string
}

// GPS is a position as the GPS IFD records it.
type GPS struct {
	Latitude, Longitude float64 // degrees, negative south and west
	Altitude            float64 // metres, negative below sea level
	Direction           float64 // image direction, degrees from true north
}

// Photo is the metadata of one photo.
type Photo struct {
	Camera
	// Taken is when the photo was taken, in the zone of the place: it is
	// written as DateTime and DateTimeOriginal (wall clock, whole
	// seconds) with OffsetTimeOriginal, and in UTC as the GPS time.
	Taken time.Time
	// SubSec is the milliseconds of Taken, written as SubSecTimeOriginal.
	SubSec int
	// GPS is the position; nil writes no GPS IFD.
	GPS *GPS
	// Artist and Description are IFD0's Artist and ImageDescription;
	// "" leaves them out.
	Artist, Description string
	// Thumbnail, when true, adds IFD1 with the image scaled to a quarter
	// of its width and height as a JPEG thumbnail.
	Thumbnail bool
}

// tables are what go-exif encodes with: its tag index and IFD mapping.
type tables struct {
	ti *goexif.TagIndex
	im *exifcommon.IfdMapping
}

// loadTables returns the tables, loaded once.
var loadTables = sync.OnceValues(func() (*tables, error) {
	ti := goexif.NewTagIndex()
	if err := goexif.LoadStandardTags(ti); err != nil {
		return nil, fmt.Errorf("load exif tags: %w", err)
	}
	im, err := exifcommon.NewIfdMappingWithStandard()
	if err != nil {
		return nil, fmt.Errorf("load exif IFDs: %w", err)
	}
	return &tables{ti, im}, nil
})

// stamp is the EXIF date and time layout.
const stamp = "2006:01:02 15:04:05"

// Encode returns img as a JPEG of the given quality carrying p's EXIF
// metadata.
func Encode(img image.Image, quality int, p Photo) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, err
	}
	var thumb []byte
	if p.Thumbnail {
		b := img.Bounds()
		small := image.NewRGBA(image.Rect(0, 0, max(1, b.Dx()/4), max(1, b.Dy()/4)))
		draw.ApproxBiLinear.Scale(small, small.Bounds(), img, b, draw.Src, nil)
		var tb bytes.Buffer
		if err := jpeg.Encode(&tb, small, &jpeg.Options{Quality: 70}); err != nil {
			return nil, err
		}
		thumb = tb.Bytes()
	}
	app1, err := p.app1(img.Bounds().Size(), thumb)
	if err != nil {
		return nil, err
	}
	jpg := buf.Bytes()
	out := make([]byte, 0, len(jpg)+len(app1))
	out = append(out, jpg[:2]...) // SOI
	out = append(out, app1...)
	return append(out, jpg[2:]...), nil
}

// app1 returns the photo's JPEG APP1 segment: marker, length, "Exif\0\0"
// and the TIFF structure.
func (p Photo) app1(size image.Point, thumb []byte) ([]byte, error) {
	tab, err := loadTables()
	if err != nil {
		return nil, err
	}
	_, offset := p.Taken.Zone()
	zone := fmt.Sprintf("+%02d:%02d", offset/3600, offset%3600/60)
	if offset < 0 {
		zone = fmt.Sprintf("-%02d:%02d", -offset/3600, -offset%3600/60)
	}
	one := func(n uint32) []exifcommon.Rational { return []exifcommon.Rational{{Numerator: n, Denominator: 1}} }
	ifd0 := []tag{
		{"ImageDescription", even(p.Description)},
		{"Make", even(p.Make)},
		{"Model", even(p.Model)},
		{"XResolution", one(72)},
		{"YResolution", one(72)},
		{"ResolutionUnit", []uint16{2}},
		{"Software", even(p.Software)},
		{"DateTime", p.Taken.Format(stamp)},
		{"Artist", even(p.Artist)},
		{"YCbCrPositioning", []uint16{1}},
	}
	exifIFD := []tag{
		{"ExifVersion", exifundefined.Tag9000ExifVersion{ExifVersion: "0232"}},
		{"DateTimeOriginal", p.Taken.Format(stamp)},
		{"OffsetTimeOriginal", even(zone)},
		{"ComponentsConfiguration", exifundefined.TagExif9101ComponentsConfiguration{
			ConfigurationId:    exifundefined.TagUndefinedType_9101_ComponentsConfiguration_YCBCR,
			ConfigurationBytes: []byte{1, 2, 3, 0},
		}},
		{"SubSecTimeOriginal", even(fmt.Sprintf("%03d", p.SubSec))},
		{"FlashpixVersion", exifundefined.TagA000FlashpixVersion{FlashpixVersion: "0100"}},
		{"ColorSpace", []uint16{1}},
		{"PixelXDimension", []uint32{uint32(size.X)}},
		{"PixelYDimension", []uint32{uint32(size.Y)}},
	}
	ifds := []struct {
		path string // go-exif's name of the IFD
		tags []tag
	}{
		{"IFD", ifd0},
		{"IFD/Exif", exifIFD},
		{"IFD/GPSInfo", nil},
	}
	if p.GPS == nil {
		ifds = ifds[:2]
	} else {
		ifds[2].tags = p.GPS.tags(p.Taken.UTC(), p.SubSec)
	}

	root := goexif.NewIfdBuilder(tab.im, tab.ti, exifcommon.IfdStandardIfdIdentity, binary.BigEndian)
	for _, ifd := range ifds {
		ib, err := goexif.GetOrCreateIbFromRootIb(root, ifd.path)
		if err != nil {
			return nil, err
		}
		if err := set(ib, ifd.tags); err != nil {
			return nil, err
		}
	}
	tiff, err := goexif.NewIfdByteEncoder().EncodeToExif(root)
	if err != nil {
		return nil, fmt.Errorf("encode exif: %w", err)
	}
	if thumb != nil {
		if tiff, err = appendIFD1(tiff, thumb); err != nil {
			return nil, err
		}
	}
	n := 2 + 6 + len(tiff)
	if n > 0xffff {
		return nil, fmt.Errorf("exif block of %d bytes does not fit an APP1 segment", len(tiff))
	}
	seg := []byte{0xff, 0xe1, byte(n >> 8), byte(n)}
	seg = append(seg, "Exif\x00\x00"...)
	return append(seg, tiff...), nil
}

// appendIFD1 appends to a big-endian TIFF structure IFD1 and the
// thumbnail, word-aligned, and links IFD0 to it. It writes IFD1 itself:
// go-exif's SetThumbnail writes the thumbnail's bytes as the offset's
// value.
//
// The TIFF header holds IFD0's offset at 4. An IFD is a 2-byte entry
// count, 12-byte entries (tag [2], type [2], count [4], value or offset
// [4], a SHORT value left-justified) and the next IFD's offset [4], 0 for
// none. IFD1 is followed by its XResolution and YResolution rationals and
// then the thumbnail.
func appendIFD1(tiff, thumb []byte) ([]byte, error) {
	be := binary.BigEndian
	ifd0 := int(be.Uint32(tiff[4:]))
	if ifd0+2 > len(tiff) {
		return nil, errors.New("encoded exif: IFD0 out of range")
	}
	link := ifd0 + 2 + 12*int(be.Uint16(tiff[ifd0:]))
	if link+4 > len(tiff) {
		return nil, errors.New("encoded exif: IFD0 entries out of range")
	}
	if len(tiff)%2 == 1 {
		tiff = append(tiff, 0)
	}
	be.PutUint32(tiff[link:], uint32(len(tiff)))
	const entries = 6
	data := uint32(len(tiff) + 2 + 12*entries + 4)
	tiff = be.AppendUint16(tiff, entries)
	for _, e := range []struct {
		tag, typ     uint16
		count, value uint32
	}{
		{0x0103, 3, 1, 6 << 16},            // Compression: JPEG
		{0x011a, 5, 1, data},               // XResolution
		{0x011b, 5, 1, data + 8},           // YResolution
		{0x0128, 3, 1, 2 << 16},            // ResolutionUnit: inches
		{0x0201, 4, 1, data + 16},          // JPEGInterchangeFormat
		{0x0202, 4, 1, uint32(len(thumb))}, // JPEGInterchangeFormatLength
	} {
		tiff = be.AppendUint16(tiff, e.tag)
		tiff = be.AppendUint16(tiff, e.typ)
		tiff = be.AppendUint32(tiff, e.count)
		tiff = be.AppendUint32(tiff, e.value)
	}
	tiff = be.AppendUint32(tiff, 0)
	for range 2 {
		tiff = be.AppendUint32(tiff, 72)
		tiff = be.AppendUint32(tiff, 1)
	}
	return append(tiff, thumb...), nil
}

// tags returns the GPS IFD's tags; utc is when the photo was taken.
func (g *GPS) tags(utc time.Time, subsec int) []tag {
	latRef, lonRef, altRef := "N", "E", []uint8{0}
	if g.Latitude < 0 {
		latRef = "S"
	}
	if g.Longitude < 0 {
		lonRef = "W"
	}
	if g.Altitude < 0 {
		altRef = []uint8{1}
	}
	utcSecs := utc.Second()*100 + subsec/10
	return []tag{
		{"GPSVersionID", []uint8{2, 3, 0, 0}},
		{"GPSLatitudeRef", latRef},
		{"GPSLatitude", dms(g.Latitude)},
		{"GPSLongitudeRef", lonRef},
		{"GPSLongitude", dms(g.Longitude)},
		{"GPSAltitudeRef", altRef},
		{"GPSAltitude", []exifcommon.Rational{{Numerator: uint32(math.Round(math.Abs(g.Altitude) * 10)), Denominator: 10}}},
		{"GPSTimeStamp", []exifcommon.Rational{
			{Numerator: uint32(utc.Hour()), Denominator: 1},
			{Numerator: uint32(utc.Minute()), Denominator: 1},
			{Numerator: uint32(utcSecs), Denominator: 100},
		}},
		{"GPSImgDirectionRef", "T"},
		{"GPSImgDirection", []exifcommon.Rational{{Numerator: uint32(math.Round(g.Direction * 100)), Denominator: 100}}},
		{"GPSDateStamp", utc.Format("2006:01:02")},
	}
}

// tag is an EXIF tag's name and value, in the types go-exif encodes.
type tag struct {
	name  string
	value any
}

// set sets tags on ib in order, leaving out empty text.
func set(ib *goexif.IfdBuilder, tags []tag) error {
	for _, t := range tags {
		if s, ok := t.value.(string); ok && strings.Trim(s, "\x00") == "" {
			continue
		}
		if err := ib.SetStandardWithName(t.name, t.value); err != nil {
			return fmt.Errorf("set %s: %w", t.name, err)
		}
	}
	return nil
}

// even pads an ASCII value with NULs so that with its terminating NUL it
// takes an even number of bytes, as cameras do, keeping the values that
// follow it word-aligned.
func even(s string) string {
	if len(s)%2 == 0 {
		return s + "\x00"
	}
	return s
}

// dms returns |deg| as degrees, minutes and seconds rationals, the seconds
// in hundredths.
func dms(deg float64) []exifcommon.Rational {
	h := uint32(math.Round(math.Abs(deg) * 360000)) // hundredths of a second
	return []exifcommon.Rational{
		{Numerator: h / 360000, Denominator: 1},
		{Numerator: h % 360000 / 6000, Denominator: 1},
		{Numerator: h % 6000, Denominator: 100},
	}
}
