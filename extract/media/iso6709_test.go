package media

import (
	"math"
	"testing"
)

func TestParseISO6709(t *testing.T) {
	tests := []struct {
		in       string
		lat, lon float64
		alt      *float64
		bad      bool
	}{
		{in: "+34.0522-118.2437+089.000/", lat: 34.0522, lon: -118.2437, alt: ptr(89)},
		{in: "+34.0522-118.2437/", lat: 34.0522, lon: -118.2437},
		{in: "+34.0522-118.2437", lat: 34.0522, lon: -118.2437},
		{in: "-33.8688+151.2093-002.5/", lat: -33.8688, lon: 151.2093, alt: ptr(-2.5)},
		{in: "+00.0000+000.0000/", lat: 0, lon: 0},
		{in: "+90-180/", lat: 90, lon: -180},
		{in: "+1.5+2.5/", lat: 1.5, lon: 2.5},                                // short degree forms, as exiftool accepts
		{in: "+40.-074./", lat: 40, lon: -74},                                // empty fractions
		{in: "+4042.76-07400.36/", lat: 40 + 42.76/60, lon: -(74 + 0.36/60)}, // degrees and minutes
		{in: "+4042-07400/", lat: 40 + 42.0/60, lon: -74},
		{in: "+404245.6-0740021.6+10/", lat: 40 + 42.0/60 + 45.6/3600, lon: -(74 + 0.0/60 + 21.6/3600), alt: ptr(10)},
		{in: "+404245-0740021/", lat: 40 + 42.0/60 + 45.0/3600, lon: -(74 + 21.0/3600)},
		{in: "+48.8584+002.2945+035.000CRSWGS_84/", lat: 48.8584, lon: 2.2945, alt: ptr(35)},
		{in: "+48.8584+002.2945CRSWGS_84/", lat: 48.8584, lon: 2.2945},
		{in: "+27.5916+086.5640+8850CRSWGS_84/\x00", lat: 27.5916, lon: 86.564, alt: ptr(8850)},
		{in: "", bad: true},
		{in: "/", bad: true},
		{in: "34.0522-118.2437/", bad: true},   // no sign
		{in: "+34.0522/", bad: true},           // no longitude
		{in: "+34.0522118.2437/", bad: true},   // no longitude sign
		{in: "+91.0000+000.0000/", bad: true},  // latitude out of range
		{in: "+00.0000+180.5000/", bad: true},  // longitude out of range
		{in: "+4060.00+07400.00/", bad: true},  // 60 minutes
		{in: "+404260-0740000/", bad: true},    // 60 seconds
		{in: "+123.45+012.34/", bad: true},     // 3-digit latitude
		{in: "+12.3+0123.4/", bad: true},       // 4-digit longitude
		{in: "+12.3+012.3+/", bad: true},       // empty altitude
		{in: "+12.3+012.3 garbage", bad: true}, // trailing text
		{in: "+12.3+012.3/x", bad: true},
		{in: "+.5+012.3/", bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			lat, lon, alt, err := ParseISO6709(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("ParseISO6709 = %v, %v, %v; want an error", lat, lon, alt)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(lat-tc.lat) > 1e-12 || math.Abs(lon-tc.lon) > 1e-12 {
				t.Errorf("position = %v, %v; want %v, %v", lat, lon, tc.lat, tc.lon)
			}
			switch {
			case (alt == nil) != (tc.alt == nil):
				t.Errorf("altitude = %v; want %v", alt, tc.alt)
			case alt != nil && *alt != *tc.alt:
				t.Errorf("altitude = %v; want %v", *alt, *tc.alt)
			}
		})
	}
}

// FuzzParseISO6709 requires no panic and results in range.
func FuzzParseISO6709(f *testing.F) {
	for _, s := range []string{"+34.0522-118.2437+089.000/", "+4042.76-07400.36/", "+404245.6-0740021.6+10/", "+1+2CRS/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lat, lon, alt, err := ParseISO6709(s)
		if err != nil {
			return
		}
		if math.IsNaN(lat) || math.IsNaN(lon) || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
			t.Errorf("ParseISO6709(%q) = %v, %v", s, lat, lon)
		}
		if alt != nil && math.IsNaN(*alt) {
			t.Errorf("ParseISO6709(%q) altitude NaN", s)
		}
	})
}
