package testphoto_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/extract/exif"
	"github.com/pangolin-forensics/pangolin/internal/testphoto"
)

func gradient(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	return img
}

// TestRoundTrip reads the photos back with extract/exif and, when it is
// installed, checks them with exiftool -validate.
func TestRoundTrip(t *testing.T) {
	samsung := testphoto.Camera{Make: "samsung", Model: "SM-A515F", Software: "A515FXXU5HVA1"}
	tests := []struct {
		name string
		p    testphoto.Photo
	}{
		{"Tsavo East, thumbnail", testphoto.Photo{
			Camera:    samsung,
			Taken:     time.Date(2023, 9, 12, 5, 45, 11, 0, time.FixedZone("EAT", 3*3600)),
			SubSec:    250,
			GPS:       &testphoto.GPS{Latitude: -3.0812, Longitude: 38.6105, Altitude: 412, Direction: 87.5},
			Thumbnail: true,
		}},
		{"Apia, west of Greenwich and east of UTC", testphoto.Photo{
			Camera: samsung,
			Taken:  time.Date(2023, 11, 20, 7, 3, 9, 0, time.FixedZone("", 13*3600)),
			GPS:    &testphoto.GPS{Latitude: -13.8330, Longitude: -171.7660, Altitude: -2},
		}},
		{"no position, artist", testphoto.Photo{
			Camera:      testphoto.Camera{Make: "Apple", Model: "iPhone 12"},
			Taken:       time.Date(2022, 1, 2, 3, 4, 5, 0, time.FixedZone("", -(3*3600+1800))),
			Artist:      "<script>document.title='pwned'</script>",
			Description: `"><svg onload=alert(2)>`,
			Thumbnail:   true,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := gradient(64, 48)
			b, err := testphoto.Encode(img, 80, tc.p)
			if err != nil {
				t.Fatal(err)
			}
			again, err := testphoto.Encode(img, 80, tc.p)
			if err != nil || !bytes.Equal(b, again) {
				t.Errorf("a second encoding differs (%v)", err)
			}
			if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
				t.Errorf("not a JPEG: %v", err)
			}
			md, err := exif.Photo(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if md.Make != tc.p.Make || md.Model != tc.p.Model {
				t.Errorf("make, model = %q, %q", md.Make, md.Model)
			}
			want := tc.p.Taken.Add(time.Duration(tc.p.SubSec) * time.Millisecond)
			if !md.Created.Equal(want) || md.CreatedLocal {
				t.Errorf("created %v (local %v), want %v", md.Created, md.CreatedLocal, want)
			}
			if _, off := md.Created.Zone(); off != func() int { _, o := want.Zone(); return o }() {
				t.Errorf("created zone offset %d, want that of %v", off, want)
			}
			switch g := md.GPS; {
			case tc.p.GPS == nil && g != nil:
				t.Errorf("GPS %+v, want none", g)
			case tc.p.GPS != nil && g == nil:
				t.Error("no GPS")
			case g != nil:
				// Seconds are written in hundredths: 1/360,000 of a degree.
				if math.Abs(g.Latitude-tc.p.GPS.Latitude) > 1.0/360000 || math.Abs(g.Longitude-tc.p.GPS.Longitude) > 1.0/360000 {
					t.Errorf("position %f,%f, want %f,%f", g.Latitude, g.Longitude, tc.p.GPS.Latitude, tc.p.GPS.Longitude)
				}
				if g.Altitude == nil || *g.Altitude != tc.p.GPS.Altitude {
					t.Errorf("altitude %v, want %v", g.Altitude, tc.p.GPS.Altitude)
				}
				if !g.Time.Equal(want.Truncate(10 * time.Millisecond)) {
					t.Errorf("GPS time %v, want %v", g.Time, want)
				}
				if g.Suspicious != "" {
					t.Errorf("suspicious: %s", g.Suspicious)
				}
			}
			fields := map[string]string{}
			for _, f := range md.Fields {
				fields[f.Name] = f.Value
			}
			if fields["Artist"] != tc.p.Artist || fields["ImageDescription"] != tc.p.Description {
				t.Errorf("artist %q, description %q", fields["Artist"], fields["ImageDescription"])
			}
			if tc.p.Thumbnail {
				th, err := jpeg.Decode(bytes.NewReader(md.Thumbnail))
				if err != nil {
					t.Fatalf("thumbnail of %d bytes: %v", len(md.Thumbnail), err)
				}
				if got := th.Bounds().Size(); got != image.Pt(16, 12) {
					t.Errorf("thumbnail %v, want 16x12", got)
				}
			} else if md.Thumbnail != nil {
				t.Errorf("thumbnail of %d bytes, want none", len(md.Thumbnail))
			}
			validate(t, b)
		})
	}
}

// validate runs exiftool -validate on b when exiftool is installed.
func validate(t *testing.T, b []byte) {
	t.Helper()
	if _, err := exec.LookPath("exiftool"); err != nil {
		t.Log("exiftool not installed: validation skipped")
		return
	}
	path := filepath.Join(t.TempDir(), "photo.jpg")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("exiftool", "-validate", "-warning", "-error", "-a", "-s", path).CombinedOutput()
	if err != nil {
		t.Fatalf("exiftool: %v\n%s", err, out)
	}
	if s := strings.TrimSpace(string(out)); s != "Validate                        : OK" {
		t.Errorf("exiftool -validate:\n%s", s)
	}
}
