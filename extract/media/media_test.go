package media

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/extract"
)

var (
	shot     = time.Date(2023, 5, 14, 8, 21, 33, 0, time.UTC)
	modified = time.Date(2023, 5, 14, 8, 22, 0, 0, time.UTC)
)

func ptr(f float64) *float64 { return &f }

// want describes the expected result of one file.
type want struct {
	make, model string
	created     time.Time
	gps         *extract.GPS
	fields      map[string]string // subset: name -> first value
	noFields    []string          // names that must not appear
	warning     string            // substring of a Warning field
}

func fieldValue(md *extract.Metadata, name string) (string, bool) {
	for _, f := range md.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

func check(t *testing.T, md *extract.Metadata, w want) {
	t.Helper()
	if md.Format != "quicktime" {
		t.Errorf("Format = %q", md.Format)
	}
	if md.Make != w.make || md.Model != w.model {
		t.Errorf("Make, Model = %q, %q; want %q, %q", md.Make, md.Model, w.make, w.model)
	}
	if !md.Created.Equal(w.created) {
		t.Errorf("Created = %v; want %v", md.Created, w.created)
	} else if !w.created.IsZero() {
		_, got := md.Created.Zone()
		_, exp := w.created.Zone()
		if got != exp {
			t.Errorf("Created zone offset = %d; want %d", got, exp)
		}
	}
	switch {
	case w.gps == nil && md.GPS != nil:
		t.Errorf("GPS = %+v; want none", *md.GPS)
	case w.gps != nil && md.GPS == nil:
		t.Errorf("GPS = nil; want %+v", *w.gps)
	case w.gps != nil:
		g := md.GPS
		if math.Abs(g.Latitude-w.gps.Latitude) > 1e-9 || math.Abs(g.Longitude-w.gps.Longitude) > 1e-9 {
			t.Errorf("GPS = %v, %v; want %v, %v", g.Latitude, g.Longitude, w.gps.Latitude, w.gps.Longitude)
		}
		switch {
		case (g.Altitude == nil) != (w.gps.Altitude == nil):
			t.Errorf("GPS altitude = %v; want %v", g.Altitude, w.gps.Altitude)
		case g.Altitude != nil && math.Abs(*g.Altitude-*w.gps.Altitude) > 1e-3:
			t.Errorf("GPS altitude = %v; want %v", *g.Altitude, *w.gps.Altitude)
		}
		if g.Suspicious != w.gps.Suspicious {
			t.Errorf("GPS.Suspicious = %q; want %q", g.Suspicious, w.gps.Suspicious)
		}
	}
	for name, v := range w.fields {
		got, ok := fieldValue(md, name)
		if !ok {
			t.Errorf("field %s missing; fields: %v", name, md.Fields)
		} else if got != v {
			t.Errorf("field %s = %q; want %q", name, got, v)
		}
	}
	for _, name := range w.noFields {
		if v, ok := fieldValue(md, name); ok {
			t.Errorf("unexpected field %s = %q", name, v)
		}
	}
	if w.warning != "" {
		found := false
		for _, f := range md.Fields {
			if f.Name == "Warning" && strings.Contains(f.Value, w.warning) {
				found = true
			}
		}
		if !found {
			t.Errorf("no warning containing %q; fields: %v", w.warning, md.Fields)
		}
	} else if v, ok := fieldValue(md, "Warning"); ok {
		t.Errorf("unexpected warning %q", v)
	}
}

// videoCase is a hand-built file and what Video should read from it.
type videoCase struct {
	name string
	file []byte
	want want
}

// videoCases are the hand-built files of TestVideo, also checked against
// exiftool by TestExiftool and used to seed FuzzVideo.
func videoCases() []videoCase {
	paris := time.FixedZone("", 2*3600)
	return []videoCase{
		{
			name: "iPhone MOV with Keys",
			file: cat(ftyp("qt  ", "qt  "), bx("wide"), bx("mdat", make([]byte, 64)), bx("moov",
				mvhd0(qt(shot), qt(modified), 600, 2980),
				bx("trak", tkhd0(qt(shot), qt(modified), 2980), bx("mdia", mdhd0(qt(shot), qt(modified), 30, 149))),
				keyed(
					"com.apple.quicktime.location.accuracy.horizontal", "14.162060",
					"com.apple.quicktime.location.ISO6709", "+48.8584+002.2945+035.000/",
					"com.apple.quicktime.make", "Apple",
					"com.apple.quicktime.model", "iPhone 13 Pro",
					"com.apple.quicktime.software", "16.4.1",
					"com.apple.quicktime.creationdate", "2023-05-14T10:21:33+0200",
					"com.apple.quicktime.content.identifier", "C2D6A0B2-1",
				),
			)),
			want: want{
				make: "Apple", model: "iPhone 13 Pro",
				created: time.Date(2023, 5, 14, 10, 21, 33, 0, paris),
				gps:     &extract.GPS{Latitude: 48.8584, Longitude: 2.2945, Altitude: ptr(35)},
				fields: map[string]string{
					"MajorBrand":                 "qt  ",
					"CreateDate":                 "2023:05:14 08:21:33",
					"ModifyDate":                 "2023:05:14 08:22:00",
					"Duration":                   "4.966666666666667",
					"TrackCreateDate":            "2023:05:14 08:21:33",
					"TrackDuration":              "4.966666666666667",
					"MediaDuration":              "4.966666666666667",
					"MediaTimeScale":             "30",
					"GPSCoordinates":             "+48.8584+002.2945+035.000/",
					"LocationAccuracyHorizontal": "14.162060",
					"Software":                   "16.4.1",
					"CreationDate":               "2023-05-14T10:21:33+0200",
					"ContentIdentifier":          "C2D6A0B2-1",
				},
			},
		},
		{
			name: "Android MP4 with udta ©xyz and 64-bit mvhd",
			file: cat(ftyp("mp42", "isom", "mp42"), bx("moov",
				mvhd1(qt(shot), qt(shot), 1000, 12345),
				bx("udta", bx("\xa9xyz", itext("+34.0522-118.2437/"))),
			), bx("mdat", []byte("sample"))),
			want: want{
				created: shot,
				gps:     &extract.GPS{Latitude: 34.0522, Longitude: -118.2437},
				fields:  map[string]string{"Duration": "12.345", "GPSCoordinates": "+34.0522-118.2437/"},
			},
		},
		{
			name: "Samsung with Keys make and model, udta ©xyz, Android keys",
			file: cat(ftyp("mp42", "isom"), bx("moov",
				mvhd0(qt(shot), qt(shot), 1000, 5000),
				keyed("com.android.version", "13", "com.android.capture.fps", "30.000000",
					"com.apple.quicktime.make", "samsung", "com.apple.quicktime.model", "SM-G991B"),
				bx("udta", bx("\xa9xyz", itext("-03.4653-062.2159/")), bx("smta", make([]byte, 20))),
			)),
			want: want{
				make: "samsung", model: "SM-G991B", created: shot,
				gps:    &extract.GPS{Latitude: -3.4653, Longitude: -62.2159},
				fields: map[string]string{"AndroidVersion": "13", "AndroidCaptureFps": "30.000000"},
			},
		},
		{
			name: "3GPP loci",
			file: cat(ftyp("3gp5", "3gp5", "3gp4"), bx("moov",
				mvhd0(qt(shot), qt(shot), 600, 600),
				bx("udta", loci("Home", -12.5, 130.8125, -10.25)),
			)),
			want: want{
				created: shot,
				gps:     &extract.GPS{Latitude: -12.5, Longitude: 130.8125, Altitude: ptr(-10.25)},
				fields:  map[string]string{"LocationInformation": "Home Role=shooting Lat=-12.5 Lon=130.8125 Alt=-10.25 Body=earth"},
			},
		},
		{
			name: "udta make, model, software and DMS position with altitude",
			file: cat(ftyp("qt  "), bx("moov",
				mvhd0(qt(shot), qt(shot), 600, 600),
				bx("udta",
					bx("\xa9mak", itext("Canon")),
					bx("\xa9mod", itext("Canon PowerShot G7 X")),
					bx("\xa9swr", itext("1.0")),
					bx("\xa9day", itext("2023-05-14T10:21:33+0200")),
					bx("\xa9xyz", itext("+483330.5+0021740.2-012.5/")),
					u32(0), // QuickTime's 32-bit zero terminator
				),
			)),
			want: want{
				make: "Canon", model: "Canon PowerShot G7 X", created: shot,
				gps: &extract.GPS{Latitude: 48 + 33.0/60 + 30.5/3600, Longitude: 2 + 17.0/60 + 40.2/3600, Altitude: ptr(-12.5)},
				fields: map[string]string{
					"SoftwareVersion":   "1.0",
					"ContentCreateDate": "2023-05-14T10:21:33+0200",
				},
			},
		},
		{
			name: "DJI ©mdl and DM position",
			file: cat(ftyp("isom"), bx("moov",
				mvhd0(qt(shot), qt(shot), 1000, 1000),
				bx("udta", bx("\xa9mdl", []byte("FC3582\x00")), bx("\xa9xyz", itext("+2232.10+11400.60+100.0/"))),
			)),
			want: want{
				model: "FC3582", created: shot,
				gps: &extract.GPS{Latitude: 22 + 32.10/60, Longitude: 114 + 0.60/60, Altitude: ptr(100)},
			},
		},
		{
			name: "0,0 is suspicious",
			file: cat(ftyp("mp42"), bx("moov", mvhd0(qt(shot), qt(shot), 1000, 1000),
				bx("udta", bx("\xa9xyz", itext("+00.0000+000.0000/"))))),
			want: want{
				created: shot,
				gps:     &extract.GPS{Suspicious: "0,0: a receiver without a fix writes zeros"},
			},
		},
		{
			name: "zero times are unknown",
			file: cat(ftyp("mp42"), bx("moov", mvhd0(0, 0, 1000, 1000))),
			want: want{fields: map[string]string{"CreateDate": "0000:00:00 00:00:00"}},
		},
		{
			name: "time counted from 1970 is patched",
			file: cat(ftyp("mp42"), bx("moov", mvhd0(uint64(shot.Unix()), 0, 1000, 1000))),
			want: want{created: shot, fields: map[string]string{"CreateDate": "2023:05:14 08:21:33"}, warning: "counted from 1970"},
		},
		{
			name: "64-bit largesize boxes and size 0 mdat",
			file: cat(ftyp("mp42"), bx64("moov", mvhd0(qt(shot), qt(shot), 1000, 1000),
				bx64("udta", bx("\xa9mak", itext("GoPro")))), rawBox(0, "mdat", make([]byte, 100))),
			want: want{make: "GoPro", created: shot},
		},
		{
			name: "QuickTime without ftyp",
			file: cat(bx("moov", mvhd0(qt(shot), qt(shot), 600, 600), bx("udta", bx("TAGS", []byte("PENTAX DIGITAL CAMERA\x00\x00\x00"), make([]byte, 150))))),
			want: want{make: "PENTAX DIGITAL CAMERA", created: shot},
		},
		{
			name: "mdat cut short after the moov",
			file: cat(ftyp("mp42"), bx("moov", mvhd0(qt(shot), qt(shot), 1000, 1000)), rawBox(1000, "mdat", make([]byte, 10))),
			want: want{created: shot, warning: "truncated file"},
		},
		{
			name: "iTunes item list in udta/meta (full box)",
			file: cat(ftyp("M4A ", "M4A ", "mp42", "isom"), bx("moov",
				mvhd0(qt(shot), qt(shot), 44100, 44100),
				bx("udta", bx("meta", u32(0), hdlr("mdir"), bx("ilst",
					bx("\xa9too", text("Lavf58.76.100")),
					bx("covr", data(13, make([]byte, 32))),
					bx("\xa9day", text("2008")),
				))),
			)),
			want: want{created: shot, fields: map[string]string{"Encoder": "Lavf58.76.100", "ContentCreateDate": "2008"}},
		},
		{
			name: "Keys creationdate with colon zone and fraction",
			file: cat(ftyp("qt  "), bx("moov", mvhd0(0, 0, 600, 600),
				keyed("com.apple.quicktime.creationdate", "2023-05-14T01:21:33.5-07:00"))),
			want: want{created: time.Date(2023, 5, 14, 1, 21, 33, 5e8, time.FixedZone("", -7*3600))},
		},
		{
			name: "Keys location wins over udta ©xyz",
			file: cat(ftyp("qt  "), bx("moov", mvhd0(qt(shot), qt(shot), 600, 600),
				bx("udta", bx("\xa9xyz", itext("+10.0000+020.0000/"))),
				keyed("com.apple.quicktime.location.ISO6709", "+11.0000+021.0000/"))),
			want: want{created: shot, gps: &extract.GPS{Latitude: 11, Longitude: 21}},
		},
		{
			name: "bad ISO 6709 is a warning",
			file: cat(ftyp("qt  "), bx("moov", mvhd0(qt(shot), qt(shot), 600, 600),
				bx("udta", bx("\xa9xyz", itext("somewhere"))))),
			want: want{created: shot, warning: "ISO 6709"},
		},
		{
			name: "item refers to a missing key",
			file: cat(ftyp("qt  "), bx("moov", mvhd0(qt(shot), qt(shot), 600, 600),
				bx("meta", hdlr("mdta"), keysBox("com.apple.quicktime.make"), bx("ilst", rawItem(7, text("x")))))),
			want: want{created: shot, warning: "key 7 of 1"},
		},
		{
			name: "Mac OS Roman user data text",
			file: cat(ftyp("qt  "), bx("moov", mvhd0(qt(shot), qt(shot), 600, 600),
				bx("udta", bx("\xa9nam", u16(5), u16(0), []byte("\x8clbum"))))),
			want: want{created: shot, fields: map[string]string{"Title": "ålbum"}},
		},
		{
			name: "UTF-16 text and integer Keys values",
			file: cat(ftyp("qt  "), bx("moov", mvhd0(qt(shot), qt(shot), 600, 600),
				bx("meta", hdlr("mdta"), keysBox("com.apple.quicktime.model", "com.apple.quicktime.rating.user"),
					bx("ilst", rawItem(1, data(2, []byte("\x00i\x00P\x00h\x00o\x00n\x00e"))), rawItem(2, data(21, []byte{0xFF, 0xFE})))))),
			want: want{model: "iPhone", created: shot, fields: map[string]string{"RatingUser": "-2"}},
		},
	}
}

func TestVideo(t *testing.T) {
	for _, tc := range videoCases() {
		t.Run(tc.name, func(t *testing.T) {
			md, err := Video(bytes.NewReader(tc.file), int64(len(tc.file)))
			if err != nil {
				t.Fatalf("Video: %v", err)
			}
			check(t, md, tc.want)
		})
	}
}

// shortReader claims more bytes than it has and returns io.EOF past them.
type shortReader struct{ b []byte }

func (r shortReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(r.b)) {
		return 0, io.EOF
	}
	n := copy(p, r.b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// deep nests n trak boxes.
func deep(n int) []byte {
	b := tkhd0(0, 0, 0)
	for range n {
		b = bx("trak", b)
	}
	return b
}

func TestVideoErrors(t *testing.T) {
	manyFree := make([]byte, 0, 8*(maxBoxes+1))
	for range maxBoxes + 1 {
		manyFree = append(manyFree, bx("free")...)
	}
	good := cat(ftyp("mp42"), bx("moov", mvhd0(qt(shot), qt(shot), 1000, 1000)))
	tests := []struct {
		name string
		file []byte
		size int64 // 0: len(file)
		want error
	}{
		{"empty", nil, 0, ErrNotMedia},
		{"text", []byte("Hello, world. This is not a video at all.\n"), 0, ErrNotMedia},
		{"JPEG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"), 0, ErrNotMedia},
		{"unknown first box", bx("abcd", make([]byte, 16)), 0, ErrNotMedia},
		{"HEIF without moov", cat(ftyp("heic", "mif1", "heic"), bx("meta", u32(0), hdlr("pict"))), 0, ErrNotMedia},
		{"ftyp only", ftyp("mp42"), 0, ErrNotMedia},
		{"moov cut short", cat(ftyp("mp42"), rawBox(5000, "moov", mvhd0(1, 1, 1, 1))), 0, ErrTruncated},
		{"mdat cut short before the moov", cat(ftyp("mp42"), rawBox(5000, "mdat", make([]byte, 100))), 0, ErrTruncated},
		{"box smaller than its header", cat(ftyp("mp42"), bx("moov", rawBox(4, "mvhd"), make([]byte, 16))), 0, ErrMalformed},
		{"box larger than its parent", cat(ftyp("mp42"), bx("moov", rawBox(64, "udta", make([]byte, 8))), make([]byte, 100)), 0, ErrMalformed},
		{"largesize smaller than header", cat(ftyp("mp42"), bx("moov", u32(1), []byte("udta"), u64(8), make([]byte, 8))), 0, ErrMalformed},
		{"largesize beyond int64", cat(ftyp("mp42"), u32(1), []byte("mdat"), u64(math.MaxUint64)), 0, ErrMalformed},
		{"largesize header past parent", cat(ftyp("mp42"), bx("moov", u32(1), []byte("udta"), u32(0))), 0, ErrMalformed},
		{"deep nesting", cat(ftyp("mp42"), bx("moov", deep(40))), 0, ErrMalformed},
		{"too many boxes", cat(ftyp("mp42"), bx("moov", manyFree)), 0, ErrMalformed},
		{"mvhd too short", cat(ftyp("mp42"), bx("moov", bx("mvhd", u32(0), u32(1)))), 0, ErrMalformed},
		{"mvhd over the metadata cap", cat(ftyp("mp42"), bx("moov", bx("mvhd", make([]byte, 5000)))), 0, ErrMalformed},
		{"stray bytes at the end of udta", cat(ftyp("mp42"), bx("moov", bx("udta", []byte{1, 2, 3}))), 0, ErrMalformed},
		{"key runs past the keys box", cat(ftyp("qt  "), bx("moov", bx("meta", hdlr("mdta"),
			bx("keys", u32(0), u32(1), u32(200), []byte("mdta"), []byte("x"))))), 0, ErrMalformed},
		{"reader shorter than size", good, int64(len(good)) + 1000, ErrTruncated},
		{"size past the reader", good[:20], int64(len(good)), ErrTruncated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			size := tc.size
			if size == 0 {
				size = int64(len(tc.file))
			}
			md, err := Video(shortReader{tc.file}, size)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Video error = %v; want %v", err, tc.want)
			}
			if md != nil {
				t.Errorf("Video returned metadata with an error")
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("error %T is not a *FormatError", err)
			}
		})
	}
}

// TestZeroSizeBoxes checks that boxes of size 0 (to the end of the parent)
// end every walk, at top level and inside containers.
func TestZeroSizeBoxes(t *testing.T) {
	files := [][]byte{
		cat(ftyp("mp42"), rawBox(0, "moov", mvhd0(qt(shot), qt(shot), 1, 1))),
		cat(ftyp("mp42"), bx("moov", mvhd0(qt(shot), qt(shot), 1, 1), rawBox(0, "udta", rawBox(0, "\xa9mak", itext("X"))))),
		cat(ftyp("mp42"), bx("moov", mvhd0(qt(shot), qt(shot), 1, 1)), rawBox(0, "free"), bx("moov")),
	}
	for i, f := range files {
		md, err := Video(bytes.NewReader(f), int64(len(f)))
		if err != nil {
			t.Errorf("file %d: %v", i, err)
			continue
		}
		if !md.Created.Equal(shot) {
			t.Errorf("file %d: Created = %v", i, md.Created)
		}
	}
}

func TestNegativeSize(t *testing.T) {
	if md, err := Video(bytes.NewReader(nil), -1); err == nil || md != nil {
		t.Errorf("Video(size -1) = %v, %v; want an error", md, err)
	}
}
