package outline

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"testing"
)

// sample is a small outline: one square ring and one border line.
func sample() *Outline {
	return &Outline{
		Scale:     [2]float64{0.01, 0.01},
		Translate: [2]float64{-180, -90},
		Land:      [][]Q{{{0, 0}, {100, 0}, {100, 100}, {0, 100}, {0, 0}}},
		Borders:   [][]Q{{{36000, 18000}, {35000, 17000}}},
	}
}

func TestRoundTrip(t *testing.T) {
	o := sample()
	got, err := Decode(Encode(o))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, o) {
		t.Errorf("round trip: got %+v, want %+v", got, o)
	}
	if lon, lat := got.LonLat(Q{36000, 18000}); lon != 180 || lat != 90 {
		t.Errorf("LonLat = %g, %g; want 180, 90", lon, lat)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := Encode(sample())
	edit := func(f func(o *Outline)) []byte {
		o := sample()
		f(o)
		return Encode(o)
	}
	tests := []struct {
		name    string
		data    []byte
		version bool
	}{
		{"empty", nil, false},
		{"magic", append([]byte("XXXX"), good[4:]...), false},
		{"version", append(append([]byte("PGWO"), 2), good[5:]...), true},
		{"scale", edit(func(o *Outline) { o.Scale[0] = 0 }), false},
		{"truncated", good[:len(good)-1], false},
		{"trailing", append(bytes.Clone(good), 0), false},
		{"open ring", edit(func(o *Outline) { o.Land[0][4] = Q{1, 1} }), false},
		{"short ring", edit(func(o *Outline) { o.Land[0] = o.Land[0][:3] }), false},
		{"short line", edit(func(o *Outline) { o.Borders[0] = o.Borders[0][:1] }), false},
		{"off globe", edit(func(o *Outline) { o.Borders[0][1] = Q{36001, 0} }), false},
		{"huge count", append(bytes.Clone(good[:headerSize]), 0xff, 0xff, 0xff, 0xff, 0x0f, 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Decode(tt.data)
			var fe *FormatError
			if o != nil || !errors.As(err, &fe) {
				t.Fatalf("Decode = %v, %v; want nil, *FormatError", o, err)
			}
			if got := errors.Is(err, ErrVersion); got != tt.version {
				t.Errorf("errors.Is(%v, ErrVersion) = %v", err, got)
			}
		})
	}
}

// TestEmbedded checks the data geomap embeds, as the generator wrote it
// from world-atlas 2.0.2's countries-110m.json.
func TestEmbedded(t *testing.T) {
	data, err := os.ReadFile("../../world110m.bin")
	if err != nil {
		t.Fatal(err)
	}
	o, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Land) != 125 || len(o.Borders) != 326 {
		t.Errorf("%d land rings, %d border lines; want 125, 326", len(o.Land), len(o.Borders))
	}
	if !bytes.Equal(Encode(o), data) {
		t.Error("re-encoding the embedded data changes it")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode(sample()))
	if data, err := os.ReadFile("../../world110m.bin"); err == nil {
		f.Add(data[:2000])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := Decode(data)
		if err != nil {
			if o != nil {
				t.Fatal("non-nil Outline with an error")
			}
			return
		}
		if !bytes.Equal(Encode(o), data) {
			t.Fatal("decoded data does not re-encode to the input")
		}
	})
}
