package exif

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/extract"
)

// tEntry is one IFD entry for buildTIFF; data is the value's bytes
// (little-endian), count the unit count.
type tEntry struct {
	tag, typ uint16
	count    uint32
	data     []byte
}

func ascii(tag uint16, s string) tEntry {
	return tEntry{tag, 2, uint32(len(s) + 1), append([]byte(s), 0)}
}

func rationals(tag uint16, v ...[2]uint32) tEntry {
	var b []byte
	for _, r := range v {
		b = binary.LittleEndian.AppendUint32(b, r[0])
		b = binary.LittleEndian.AppendUint32(b, r[1])
	}
	return tEntry{tag, 5, uint32(len(v)), b}
}

func byteVal(tag uint16, v ...byte) tEntry { return tEntry{tag, 1, uint32(len(v)), v} }

// buildTIFF lays out a little-endian TIFF structure: IFD0 with the given
// entries, plus an Exif IFD and a GPS IFD when their entries are given.
func buildTIFF(ifd0, exifIFD, gpsIFD []tEntry) []byte {
	type ifd struct {
		entries []tEntry
		off     uint32
	}
	ifds := []*ifd{{entries: ifd0}}
	var exifI, gpsI *ifd
	if exifIFD != nil {
		exifI = &ifd{entries: exifIFD}
		ifds[0].entries = append(ifds[0].entries, tEntry{tagExifIFD, 4, 1, make([]byte, 4)})
		ifds = append(ifds, exifI)
	}
	if gpsIFD != nil {
		gpsI = &ifd{entries: gpsIFD}
		ifds[0].entries = append(ifds[0].entries, tEntry{tagGPSIFD, 4, 1, make([]byte, 4)})
		ifds = append(ifds, gpsI)
	}
	// Offsets: IFDs first, then values.
	off := uint32(8)
	for _, d := range ifds {
		d.off = off
		off += 2 + 12*uint32(len(d.entries)) + 4
	}
	b := []byte("II*\x00\x08\x00\x00\x00")
	var values []byte
	valOff := off
	for _, d := range ifds {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(d.entries)))
		for _, e := range d.entries {
			b = binary.LittleEndian.AppendUint16(b, e.tag)
			b = binary.LittleEndian.AppendUint16(b, e.typ)
			b = binary.LittleEndian.AppendUint32(b, e.count)
			switch {
			case e.tag == tagExifIFD && exifI != nil:
				b = binary.LittleEndian.AppendUint32(b, exifI.off)
			case e.tag == tagGPSIFD && gpsI != nil:
				b = binary.LittleEndian.AppendUint32(b, gpsI.off)
			case len(e.data) <= 4:
				v := make([]byte, 4)
				copy(v, e.data)
				b = append(b, v...)
			default:
				b = binary.LittleEndian.AppendUint32(b, valOff+uint32(len(values)))
				values = append(values, e.data...)
				if len(values)%2 == 1 {
					values = append(values, 0)
				}
			}
		}
		b = append(b, 0, 0, 0, 0)
	}
	return append(b, values...)
}

// phoneTIFF is a typical phone photo's EXIF with the given GPS IFD.
func phoneTIFF(gps []tEntry) []byte {
	return buildTIFF(
		[]tEntry{ascii(0x010F, "Pangolin"), ascii(0x0110, "Scale 1  "), ascii(0x0132, "2024:05:06 07:08:09")},
		[]tEntry{
			ascii(0x9003, "2024:05:06 07:08:09"), ascii(0x9291, "123"), ascii(0x9011, "+07:00"),
			ascii(0xA431, "SN-42"), rationals(0x829D, [2]uint32{18, 10}),
		},
		gps)
}

var fullGPS = []tEntry{
	byteVal(0x0000, 2, 3, 0, 0),
	ascii(0x0001, "S"), rationals(0x0002, [2]uint32{1, 1}, [2]uint32{30, 1}, [2]uint32{123456, 10000}),
	ascii(0x0003, "E"), rationals(0x0004, [2]uint32{103, 1}, [2]uint32{45, 1}, [2]uint32{1, 3}),
	byteVal(0x0005, 1), rationals(0x0006, [2]uint32{8485, 10}),
	rationals(0x0007, [2]uint32{23, 1}, [2]uint32{59, 1}, [2]uint32{595, 10}),
	rationals(0x0011, [2]uint32{2705, 10}),
	ascii(0x001D, "2024:05:06"),
}

func jpegWith(segments ...[]byte) []byte {
	b := []byte{0xFF, 0xD8}
	for _, s := range segments {
		b = append(b, s...)
	}
	return append(b, 0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22, 0xFF, 0xD9)
}

func app1(payload []byte) []byte {
	b := []byte{0xFF, 0xE1}
	b = binary.BigEndian.AppendUint16(b, uint16(len(payload)+2))
	return append(b, payload...)
}

func pngWith(chunks ...[]byte) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	b = append(b, pngChunk("IHDR", make([]byte, 13))...)
	for _, c := range chunks {
		b = append(b, c...)
	}
	return append(b, pngChunk("IEND", nil)...)
}

func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

func webpWith(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = append(body, c...)
	}
	b := []byte("RIFF")
	b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
	return append(b, body...)
}

func riffChunk(typ string, data []byte) []byte {
	b := append([]byte(typ), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func bmffBox(typ string, payload ...[]byte) []byte {
	var p []byte
	for _, x := range payload {
		p = append(p, x...)
	}
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(p)))
	b = append(b, typ...)
	return append(b, p...)
}

// heicWith builds a HEIC file whose Exif item (4-byte offset, "Exif\0\0",
// TIFF) sits in mdat at the end of the file.
func heicWith(tiff []byte) []byte {
	item := append([]byte{0, 0, 0, 6}, "Exif\x00\x00"...)
	item = append(item, tiff...)
	ftyp := bmffBox("ftyp", []byte("heic\x00\x00\x00\x00mif1heic"))
	infe := bmffBox("infe", []byte{2, 0, 0, 0, 0, 1, 0, 0}, []byte("Exif"), []byte("\x00"))
	iinf := bmffBox("iinf", []byte{0, 0, 0, 0, 0, 1}, infe)
	hdlr := bmffBox("hdlr", make([]byte, 8), []byte("pict"), make([]byte, 13))
	ilocFor := func(off uint32) []byte {
		p := []byte{0, 0, 0, 0, 0x44, 0x00, 0, 1, 0, 1, 0, 0, 0, 1}
		p = binary.BigEndian.AppendUint32(p, off)
		p = binary.BigEndian.AppendUint32(p, uint32(len(item)))
		return bmffBox("iloc", p)
	}
	meta := func(off uint32) []byte { return bmffBox("meta", []byte{0, 0, 0, 0}, hdlr, iinf, ilocFor(off)) }
	head := len(ftyp) + len(meta(0)) + 8
	return append(append(ftyp, meta(uint32(head))...), bmffBox("mdat", item)...)
}

func ptr(f float64) *float64 { return &f }

func TestPhoto(t *testing.T) {
	tiff := phoneTIFF(fullGPS)
	exifSeg := app1(append([]byte("Exif\x00\x00"), tiff...))
	wantGPS := &extract.GPS{
		Latitude:  -(1 + 30.0/60 + 12.3456/3600),
		Longitude: 103 + 45.0/60 + (1.0/3)/3600,
		Altitude:  ptr(-848.5),
		Time:      time.Date(2024, 5, 6, 23, 59, 59, 500000000, time.UTC),
		Direction: ptr(270.5),
	}
	wantCreated := time.Date(2024, 5, 6, 7, 8, 9, 123000000, time.FixedZone("", 7*3600))

	rawProfile := "\nexif\n" + strings.Repeat(" ", 5) + "NN\n"
	exifHex := hex.EncodeToString(append([]byte("Exif\x00\x00"), tiff...))
	rawProfile = strings.Replace(rawProfile, "NN", strconv.Itoa(len(tiff)+6), 1) + exifHex + "\n"
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(rawProfile))
	zw.Close()

	tests := []struct {
		name string
		file []byte
		gps  *extract.GPS
	}{
		{"jpeg", jpegWith([]byte{0xFF, 0xE0, 0, 4, 'J', 'F'}, exifSeg), wantGPS},
		{"tiff", tiff, wantGPS},
		{"png eXIf", pngWith(pngChunk("eXIf", tiff)), wantGPS},
		{"png zTXt raw profile", pngWith(pngChunk("zTXt", append([]byte("Raw profile type exif\x00\x00"), z.Bytes()...))), wantGPS},
		{"webp", webpWith(riffChunk("VP8X", make([]byte, 10)), riffChunk("EXIF", tiff)), wantGPS},
		{"webp with Exif prefix", webpWith(riffChunk("EXIF", append([]byte("Exif\x00\x00"), tiff...))), wantGPS},
		{"heic", heicWith(tiff), wantGPS},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			md, err := Photo(bytes.NewReader(tc.file), int64(len(tc.file)))
			if err != nil {
				t.Fatal(err)
			}
			if md.Make != "Pangolin" || md.Model != "Scale 1" || md.Serial != "SN-42" {
				t.Errorf("device = %q %q %q", md.Make, md.Model, md.Serial)
			}
			if !md.Created.Equal(wantCreated) || md.CreatedLocal {
				t.Errorf("created = %v local %v, want %v", md.Created, md.CreatedLocal, wantCreated)
			}
			if _, off := md.Created.Zone(); off != 7*3600 {
				t.Errorf("zone offset %d", off)
			}
			checkGPS(t, md.GPS, tc.gps)
			if v := fieldValue(md, "FNumber"); v != "1.8" {
				t.Errorf("FNumber = %q", v)
			}
			if v := fieldValue(md, "GPSLatitude"); v != "1 30 12.3456" {
				t.Errorf("GPSLatitude field = %q", v)
			}
			if v := fieldValue(md, "SubSecTimeOriginal"); v != "123" {
				t.Errorf("SubSecTimeOriginal = %q", v)
			}
		})
	}
}

func fieldValue(md *extract.Metadata, name string) string {
	for _, f := range md.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func checkGPS(t *testing.T, got, want *extract.GPS) {
	t.Helper()
	if (got == nil) != (want == nil) {
		t.Fatalf("GPS = %+v, want %+v", got, want)
	}
	if got == nil {
		return
	}
	if got.Latitude != want.Latitude || got.Longitude != want.Longitude {
		t.Errorf("position %v,%v, want %v,%v", got.Latitude, got.Longitude, want.Latitude, want.Longitude)
	}
	eq := func(a, b *float64) bool {
		return a == nil && b == nil || a != nil && b != nil && math.Abs(*a-*b) < 1e-9
	}
	if !eq(got.Altitude, want.Altitude) || !eq(got.Direction, want.Direction) {
		t.Errorf("altitude/direction %v/%v, want %v/%v", got.Altitude, got.Direction, want.Altitude, want.Direction)
	}
	if !got.Time.Equal(want.Time) {
		t.Errorf("GPS time %v, want %v", got.Time, want.Time)
	}
	if got.Suspicious != want.Suspicious {
		t.Errorf("suspicious %q, want %q", got.Suspicious, want.Suspicious)
	}
}

func TestGPSCases(t *testing.T) {
	lat := rationals(0x0002, [2]uint32{10, 1}, [2]uint32{0, 1}, [2]uint32{0, 1})
	lon := rationals(0x0004, [2]uint32{20, 1}, [2]uint32{0, 1}, [2]uint32{0, 1})
	zero := rationals(0x0002, [2]uint32{0, 1}, [2]uint32{0, 1}, [2]uint32{0, 1})
	zeroLon := rationals(0x0004, [2]uint32{0, 1}, [2]uint32{0, 1}, [2]uint32{0, 1})
	void := rationals(0x0002, [2]uint32{0, 0}, [2]uint32{0, 0}, [2]uint32{0, 0})
	tests := []struct {
		name string
		gps  []tEntry
		want *extract.GPS
	}{
		{"no GPS IFD", nil, nil},
		{"void latitude", []tEntry{ascii(1, "N"), void, ascii(3, "E"), lon}, nil},
		{"zero-count latitude", []tEntry{ascii(1, "N"), {0x0002, 5, 0, nil}, ascii(3, "E"), lon}, nil},
		{"empty refs and values", []tEntry{ascii(1, ""), {0x0002, 5, 0, nil}, ascii(3, ""), {0x0004, 5, 0, nil}}, nil},
		{"no longitude", []tEntry{ascii(1, "N"), lat}, nil},
		{"0,0", []tEntry{ascii(1, "N"), zero, ascii(3, "E"), zeroLon},
			&extract.GPS{Suspicious: "0,0: a receiver without a fix writes zeros"}},
		{"north-east with altitude above sea", []tEntry{ascii(1, "N"), lat, ascii(3, "W"), lon, byteVal(5, 0), rationals(6, [2]uint32{5, 2})},
			&extract.GPS{Latitude: 10, Longitude: -20, Altitude: ptr(2.5)}},
		{"negative altitude", []tEntry{ascii(1, "N"), lat, ascii(3, "E"), lon, byteVal(5, 1), rationals(6, [2]uint32{848, 1})},
			&extract.GPS{Latitude: 10, Longitude: 20, Altitude: ptr(-848)}},
		{"void altitude", []tEntry{ascii(1, "N"), lat, ascii(3, "E"), lon, rationals(6, [2]uint32{0, 0})},
			&extract.GPS{Latitude: 10, Longitude: 20}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var gps []tEntry
			if tc.gps != nil {
				gps = tc.gps
			}
			tiff := buildTIFF([]tEntry{ascii(0x010F, "X")}, []tEntry{ascii(0x9003, "2020:01:02 03:04:05")}, gps)
			md, err := Photo(bytes.NewReader(tiff), int64(len(tiff)))
			if err != nil {
				t.Fatal(err)
			}
			checkGPS(t, md.GPS, tc.want)
			if !md.CreatedLocal || !md.Created.Equal(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)) {
				t.Errorf("created %v local %v", md.Created, md.CreatedLocal)
			}
		})
	}
}

func TestXMPGPS(t *testing.T) {
	xmp := `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description exif:GPSLatitude="56,0.75N" exif:GPSLongitude="14,27.7667W">` +
		`<exif:GPSAltitude>37/1</exif:GPSAltitude><exif:GPSAltitudeRef>1</exif:GPSAltitudeRef></rdf:Description></rdf:RDF></x:xmpmeta>`
	seg := app1(append([]byte("http://ns.adobe.com/xap/1.0/\x00"), xmp...))
	t.Run("jpeg without EXIF", func(t *testing.T) {
		f := jpegWith(seg)
		md, err := Photo(bytes.NewReader(f), int64(len(f)))
		if err != nil {
			t.Fatal(err)
		}
		if md.Format != "xmp" {
			t.Errorf("format %q", md.Format)
		}
		checkGPS(t, md.GPS, &extract.GPS{Latitude: 56 + 0.75/60, Longitude: -(14 + 27.7667/60), Altitude: ptr(-37)})
	})
	t.Run("void EXIF GPS wins", func(t *testing.T) {
		void := rationals(0x0002, [2]uint32{0, 0})
		tiff := buildTIFF([]tEntry{ascii(0x010F, "X")}, nil, []tEntry{void, {0x0004, 5, 0, nil}})
		f := jpegWith(app1(append([]byte("Exif\x00\x00"), tiff...)), seg)
		md, err := Photo(bytes.NewReader(f), int64(len(f)))
		if err != nil {
			t.Fatal(err)
		}
		if md.GPS != nil {
			t.Errorf("GPS = %+v, want nil", md.GPS)
		}
		if fieldValue(md, "XMP-exif:GPSLatitude") != "56,0.75N" {
			t.Errorf("XMP field missing: %+v", md.Fields)
		}
	})
}

func TestNoEXIF(t *testing.T) {
	for name, f := range map[string][]byte{
		"empty":      nil,
		"text":       []byte("hello, world"),
		"bare jpeg":  jpegWith(),
		"bare png":   pngWith(),
		"bare webp":  webpWith(riffChunk("VP8 ", make([]byte, 10))),
		"tiff magic": []byte("II*\x00"),
	} {
		t.Run(name, func(t *testing.T) {
			md, err := Photo(bytes.NewReader(f), int64(len(f)))
			if md != nil || !errors.Is(err, ErrNoEXIF) {
				t.Errorf("Photo = %v, %v; want nil, ErrNoEXIF", md, err)
			}
		})
	}
}

func TestHostileTIFF(t *testing.T) {
	// IFD0 whose Exif pointer points back at IFD0, whose next link loops to
	// itself, whose entry count runs past the end, and a thumbnail claiming
	// 4 GiB.
	b := []byte("II*\x00\x08\x00\x00\x00")
	b = binary.LittleEndian.AppendUint16(b, 4)
	ent := func(tag, typ uint16, count, val uint32) {
		b = binary.LittleEndian.AppendUint16(b, tag)
		b = binary.LittleEndian.AppendUint16(b, typ)
		b = binary.LittleEndian.AppendUint32(b, count)
		b = binary.LittleEndian.AppendUint32(b, val)
	}
	ent(tagExifIFD, 4, 1, 8)
	ent(0x010F, 2, 0xFFFFFFFF, 8)
	ent(tagGPSIFD, 4, 1, 8)
	ent(0x0110, 5, 0x20000000, 0)
	b = binary.LittleEndian.AppendUint32(b, 8) // next IFD: itself
	md, err := Photo(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if fieldValue(md, "Warning") == "" {
		t.Errorf("no warning for a looping structure: %+v", md.Fields)
	}
}
