package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	goexif "github.com/dsoprea/go-exif/v3"
	exifcommon "github.com/dsoprea/go-exif/v3/common"
	exifundefined "github.com/dsoprea/go-exif/v3/undefined"
)

// photoCount is how many photos the photos set holds: 2000, or the count
// given after DIR.
var photoCount = 2000

// phone is a camera's IFD0 Make, Model and Software.
type phone struct{ make, model, software string }

var phones = []phone{
	{"samsung", "SM-A515F", "A515FXXU5HVA1"},
	{"Apple", "iPhone 12", "16.5"},
	{"TECNO", "TECNO CAMON 18", "CH6n-H6914ABC-S-GL-221017V410"},
	{"Xiaomi", "Redmi Note 9", "MIUI V12.5.3.0.QJOMIXM"},
	{"HUAWEI", "HUAWEI P30", "ELE-L29 11.0.0.196(C431E6R2P1)"},
}

// place is a town photos are taken around: its position, the spread of
// positions around it in degrees, its height above sea level in metres and
// its UTC offset in hours.
type place struct {
	lat, lon, spread, alt float64
	zone                  int
}

var places = []place{
	{-4.04, 39.67, 0.3, 20, 3},    // Mombasa
	{-1.29, 36.82, 0.4, 1700, 3},  // Nairobi
	{-6.79, 39.21, 0.3, 30, 3},    // Dar es Salaam
	{0.35, 32.58, 0.4, 1190, 3},   // Kampala
	{-3.37, 36.68, 0.5, 1400, 3},  // Arusha
	{20.86, 106.68, 0.3, 10, 7},   // Hai Phong
	{21.03, 105.85, 0.4, 20, 7},   // Hanoi
	{10.78, 106.70, 0.4, 10, 7},   // Ho Chi Minh City
	{13.75, 100.50, 0.4, 5, 7},    // Bangkok
	{3.14, 101.69, 0.4, 60, 8},    // Kuala Lumpur
	{-6.21, 106.85, 0.4, 8, 7},    // Jakarta
	{11.65, 42.41, 0.05, -155, 3}, // Lake Assal, Djibouti: below sea level
}

// writePhotos writes n small JPEG photos into dir, 100 a folder, each with
// an Exif APP1 segment after SOI: IFD0 Make, Model, Software and DateTime;
// the Exif IFD's DateTimeOriginal, SubSecTimeOriginal and
// OffsetTimeOriginal; and a GPS IFD with position, altitude, UTC date and
// time and image direction; plus the tags the Exif standard requires of a
// JPEG, so that exiftool -validate finds nothing wrong. Positions scatter
// around towns of East Africa and South-East Asia; about one in 60 is at
// Lake Assal, below sea level, and coastal towns' GPS altitudes fall a few
// metres either side of it. The same n gives the same files.
func writePhotos(dir string, n int) error {
	ti := goexif.NewTagIndex()
	if err := goexif.LoadStandardTags(ti); err != nil {
		return fmt.Errorf("load exif tags: %w", err)
	}
	im, err := exifcommon.NewIfdMappingWithStandard()
	if err != nil {
		return fmt.Errorf("load exif IFDs: %w", err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	for i := range n {
		// A gradient with a random tint and some noise, so no two
		// images are alike.
		r0, g0, b0 := rng.IntN(256), rng.IntN(256), rng.IntN(256)
		for y := range 48 {
			for x := range 64 {
				img.Set(x, y, color.RGBA{uint8(r0 + 3*x + rng.IntN(16)), uint8(g0 + 4*y), uint8(b0 + x + y), 255})
			}
		}
		buf.Reset()
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
			return err
		}

		// Lake Assal for about one photo in 60, else any other town.
		pl := places[rng.IntN(len(places)-1)]
		if rng.IntN(60) == 0 {
			pl = places[len(places)-1]
		}
		ph := phones[rng.IntN(len(phones))]
		local := start.Add(time.Duration(rng.Int64N(int64(3 * 365 * 24 * time.Hour))))
		local = local.Truncate(time.Second)
		subsec := rng.IntN(1000)
		p := photo{
			phone:  ph,
			local:  local,
			utc:    local.Add(-time.Duration(pl.zone) * time.Hour),
			subsec: subsec,
			zone:   pl.zone,
			lat:    pl.lat + (rng.Float64()*2-1)*pl.spread,
			lon:    pl.lon + (rng.Float64()*2-1)*pl.spread,
			alt:    pl.alt + rng.Float64()*30 - 10,
			dir:    rng.Float64() * 360,
		}
		if pl.alt < 0 {
			p.alt = pl.alt + rng.Float64()*10
		}
		app1, err := p.app1(im, ti)
		if err != nil {
			return fmt.Errorf("photo %d: %w", i, err)
		}
		jpg := buf.Bytes()
		out := make([]byte, 0, len(jpg)+len(app1))
		out = append(out, jpg[:2]...) // SOI
		out = append(out, app1...)
		out = append(out, jpg[2:]...)

		path := filepath.Join(dir, fmt.Sprintf("d%03d", i/100), fmt.Sprintf("IMG_%05d.jpg", i))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			return err
		}
		// Give the file the time it was taken, as a camera's card would.
		if err := os.Chtimes(path, p.utc, p.utc); err != nil {
			return err
		}
	}
	return nil
}

// photo is one photo's metadata.
type photo struct {
	phone
	local, utc time.Time // when taken: local wall clock (in a UTC value) and UTC
	subsec     int       // milliseconds
	zone       int       // UTC offset, hours
	lat, lon   float64   // degrees, negative south and west
	alt        float64   // metres, negative below sea level
	dir        float64   // image direction, degrees from true north
}

// app1 returns the photo's JPEG APP1 segment: marker, length, "Exif\0\0"
// and the TIFF structure, big-endian.
func (p photo) app1(im *exifcommon.IfdMapping, ti *goexif.TagIndex) ([]byte, error) {
	const stamp = "2006:01:02 15:04:05"
	latRef, lonRef, altRef := "N", "E", []uint8{0}
	if p.lat < 0 {
		latRef = "S"
	}
	if p.lon < 0 {
		lonRef = "W"
	}
	if p.alt < 0 {
		altRef = []uint8{1}
	}
	utcSecs := p.utc.Second()*100 + p.subsec/10
	one := func(n uint32) []exifcommon.Rational { return []exifcommon.Rational{{Numerator: n, Denominator: 1}} }
	// Each IFD's tags in ascending order, as the standard requires; the
	// Exif and GPS IFD pointers follow IFD0's own tags.
	ifds := []struct {
		path string
		tags []tag
	}{
		{"IFD", []tag{
			{"Make", even(p.make)},
			{"Model", even(p.model)},
			{"XResolution", one(72)},
			{"YResolution", one(72)},
			{"ResolutionUnit", []uint16{2}},
			{"Software", even(p.software)},
			{"DateTime", p.local.Format(stamp)},
			{"YCbCrPositioning", []uint16{1}},
		}},
		{"IFD/Exif", []tag{
			{"ExifVersion", exifundefined.Tag9000ExifVersion{ExifVersion: "0232"}},
			{"DateTimeOriginal", p.local.Format(stamp)},
			{"OffsetTimeOriginal", even(fmt.Sprintf("%+03d:00", p.zone))},
			{"ComponentsConfiguration", exifundefined.TagExif9101ComponentsConfiguration{
				ConfigurationId:    exifundefined.TagUndefinedType_9101_ComponentsConfiguration_YCBCR,
				ConfigurationBytes: []byte{1, 2, 3, 0},
			}},
			{"SubSecTimeOriginal", even(fmt.Sprintf("%03d", p.subsec))},
			{"FlashpixVersion", exifundefined.TagA000FlashpixVersion{FlashpixVersion: "0100"}},
			{"ColorSpace", []uint16{1}},
			{"PixelXDimension", []uint32{64}},
			{"PixelYDimension", []uint32{48}},
		}},
		{"IFD/GPSInfo", []tag{
			{"GPSVersionID", []uint8{2, 3, 0, 0}},
			{"GPSLatitudeRef", latRef},
			{"GPSLatitude", dms(p.lat)},
			{"GPSLongitudeRef", lonRef},
			{"GPSLongitude", dms(p.lon)},
			{"GPSAltitudeRef", altRef},
			{"GPSAltitude", []exifcommon.Rational{{Numerator: uint32(math.Round(math.Abs(p.alt) * 10)), Denominator: 10}}},
			{"GPSTimeStamp", []exifcommon.Rational{
				{Numerator: uint32(p.utc.Hour()), Denominator: 1},
				{Numerator: uint32(p.utc.Minute()), Denominator: 1},
				{Numerator: uint32(utcSecs), Denominator: 100},
			}},
			{"GPSImgDirectionRef", "T"},
			{"GPSImgDirection", []exifcommon.Rational{{Numerator: uint32(math.Round(p.dir * 100)), Denominator: 100}}},
			{"GPSDateStamp", p.utc.Format("2006:01:02")},
		}},
	}
	root := goexif.NewIfdBuilder(im, ti, exifcommon.IfdStandardIfdIdentity, binary.BigEndian)
	for _, ifd := range ifds {
		ib, err := goexif.GetOrCreateIbFromRootIb(root, ifd.path)
		if err != nil {
			return nil, err
		}
		for _, t := range ifd.tags {
			if err := ib.SetStandardWithName(t.name, t.value); err != nil {
				return nil, fmt.Errorf("set %s: %w", t.name, err)
			}
		}
	}
	tiff, err := goexif.NewIfdByteEncoder().EncodeToExif(root)
	if err != nil {
		return nil, fmt.Errorf("encode exif: %w", err)
	}
	size := 2 + 6 + len(tiff)
	if size > 0xffff {
		return nil, fmt.Errorf("exif block of %d bytes does not fit an APP1 segment", len(tiff))
	}
	seg := []byte{0xff, 0xe1, byte(size >> 8), byte(size)}
	seg = append(seg, "Exif\x00\x00"...)
	return append(seg, tiff...), nil
}

// tag is an EXIF tag's name and value, in the types go-exif encodes.
type tag struct {
	name  string
	value any
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
