package geomap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// svgElements are the elements SVG may write.
var svgElements = map[string]bool{"svg": true, "title": true, "rect": true, "path": true, "g": true, "text": true, "circle": true}

// checkSVG parses svg as XML and fails unless it has one root <svg> with
// a viewBox, only the elements SVG writes and no event attributes. It
// returns the character data of each element, in order, keyed by element.
func checkSVG(t *testing.T, svg string) map[string][]string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	var stack []string
	texts := make(map[string][]string)
	roots := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name := tok.Name.Local
			if !svgElements[name] {
				t.Errorf("unexpected element <%s>", name)
			}
			if len(stack) == 0 {
				roots++
				if name != "svg" || tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("root is %v", tok.Name)
				}
				hasViewBox := false
				for _, a := range tok.Attr {
					hasViewBox = hasViewBox || a.Name.Local == "viewBox"
				}
				if !hasViewBox {
					t.Error("no viewBox")
				}
			}
			for _, a := range tok.Attr {
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") || strings.ContainsAny(a.Value, "<>\"'&") {
					t.Errorf("attribute %s=%q", a.Name.Local, a.Value)
				}
			}
			stack = append(stack, name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				texts[top] = append(texts[top], string(tok))
			}
		}
	}
	if roots != 1 {
		t.Errorf("%d root elements", roots)
	}
	return texts
}

func TestSVGHostileLabels(t *testing.T) {
	hostile := []string{
		`<script>alert(1)</script>`,
		`"><img src=x onerror=alert(1)>`,
		`' onmouseover='alert(1)`,
		`]]><![CDATA[x`,
		`&amp; &#60; &lt;`,
		`</text></g></svg><svg onload=alert(1)>`,
	}
	var pts []Point
	for i, l := range hostile {
		pts = append(pts, Point{Lat: float64(i), Lon: float64(i), Label: l, ID: l})
	}
	svg := Project(pts, 600, 400).SVG()
	for _, bad := range []string{"<script", "<img", "<svg onload", "<![CDATA["} {
		if strings.Contains(svg, bad) {
			t.Errorf("SVG contains %q unescaped", bad)
		}
	}
	texts := checkSVG(t, svg)
	for i, l := range hostile {
		title := fmt.Sprintf("%d: %s (%.5f, %.5f)", i+1, l, float64(i), float64(i))
		if !contains(texts["title"], title) {
			t.Errorf("no <title> %q in %q", title, texts["title"])
		}
		if label := fmt.Sprintf("%d %s", i+1, l); !contains(texts["text"], label) {
			t.Errorf("no <text> %q", label)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestSVGLabelCleaning(t *testing.T) {
	tests := []struct{ label, want string }{
		{"plain", "plain"},
		{"RLO \u202egpj.exe", "RLO \ufffdgpj.exe"},
		{"isolate \u2067x\u2069", "isolate \ufffdx\ufffd"},
		{"line\nbreak\x00nul\x1b[31m", "line\ufffdbreak\ufffdnul\ufffd[31m"},
		{"bad \xff utf-8", "bad \ufffd utf-8"},
		{"日本語 ok", "日本語 ok"},
		{strings.Repeat("é", 60), strings.Repeat("é", 47) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			texts := checkSVG(t, Project([]Point{{Lat: 1, Lon: 2, Label: tt.label}}, 300, 200).SVG())
			if want := "1 " + tt.want; !contains(texts["text"], want) {
				t.Errorf("label %q: <text> %q, want %q", tt.label, texts["text"], want)
			}
		})
	}
}

func TestSVGManyPointsUnlabelled(t *testing.T) {
	pts := make([]Point, maxLabelled+1)
	for i := range pts {
		pts[i] = Point{Lat: float64(i), Lon: float64(i), Label: "secret"}
	}
	texts := checkSVG(t, Project(pts, 600, 400).SVG())
	for _, s := range texts["text"] {
		if strings.Contains(s, "secret") {
			t.Fatalf("visible label %q with %d points", s, len(pts))
		}
	}
	if n := len(texts["title"]); n != len(pts)+1 {
		t.Errorf("%d <title>s, want one per point and the map's", n)
	}
}

func TestGridLineLabel(t *testing.T) {
	tests := []struct {
		g    GridLine
		want string
	}{
		{GridLine{Meridian: true, Deg: 0}, "0°"},
		{GridLine{Meridian: true, Deg: 30}, "30°E"},
		{GridLine{Meridian: true, Deg: -150}, "150°W"},
		{GridLine{Meridian: true, Deg: -180}, "180°"},
		{GridLine{Meridian: true, Deg: 12.5}, "12.5°E"},
		{GridLine{Deg: 0}, "0°"},
		{GridLine{Deg: 60}, "60°N"},
		{GridLine{Deg: -30}, "30°S"},
	}
	for _, tt := range tests {
		if got := tt.g.Label(); got != tt.want {
			t.Errorf("%+v.Label() = %q, want %q", tt.g, got, tt.want)
		}
	}
}

// TestSVGRender draws the world with rsvg-convert, where it is installed,
// and checks the colour of the pixels at a place on land and one at sea.
func TestSVGRender(t *testing.T) {
	bin, err := exec.LookPath("rsvg-convert")
	if err != nil {
		t.Skip("rsvg-convert (librsvg2-bin) not installed")
	}
	m := Project([]Point{{Lon: -120}, {Lon: 0}, {Lon: 120}}, 720, 360)
	if m.Bounds != (Bounds{-180, 180, -90, 90}) {
		t.Fatalf("Bounds %+v, want the whole world", m.Bounds)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "map.svg")
	if err := os.WriteFile(in, []byte(m.SVG()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, in).Output()
	if err != nil {
		t.Fatalf("rsvg-convert: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	colour := func(lat, lon float64) string {
		r, g, b, _ := img.At(int((lon+180)*2), int((90-lat)*2)).RGBA()
		return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
	}
	for _, c := range []struct {
		name     string
		lat, lon float64
		want     string
	}{
		// Away from borders, which are drawn over the land.
		{"Australia", -25, 135, landColour},
		{"Greenland", 75, -40, landColour},
		{"Atlantic", -20, -20, oceanColour},
		{"Pacific", 20, -140, oceanColour},
	} {
		if got := colour(c.lat, c.lon); got != c.want {
			t.Errorf("%s: pixel %s, want %s", c.name, got, c.want)
		}
	}
}
