package geomap

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// Places used by the tests.
var (
	suva     = Point{Lat: -18.14, Lon: 178.44, Label: "Suva, Fiji"}
	apia     = Point{Lat: -13.83, Lon: -171.76, Label: "Apia, Samoa"}
	kinshasa = Point{Lat: -4.32, Lon: 15.31, Label: "Kinshasa"}
	anadyr   = Point{Lat: 64.73, Lon: 177.51, Label: "Anadyr"}
	nome     = Point{Lat: 64.50, Lon: -165.41, Label: "Nome"}
	mcmurdo  = Point{Lat: -77.85, Lon: 166.67, Label: "McMurdo"}
)

// boxXY projects lat, lon with only the exported view of m: Bounds mapped
// linearly onto Frame. It is the oracle for Project's own projection.
func boxXY(m *Map, lat, lon float64) XY {
	b, f := m.Bounds, m.Frame
	lon = b.West + math.Mod(math.Mod(lon-b.West, 360)+360, 360)
	return XY{
		f.Min.X + (lon-b.West)*(f.Max.X-f.Min.X)/(b.East-b.West),
		f.Min.Y + (b.North-lat)*(f.Max.Y-f.Min.Y)/(b.North-b.South),
	}
}

// inFrame reports whether p is in m's frame.
func inFrame(m *Map, p XY) bool {
	f := m.Frame
	return p.X >= f.Min.X && p.X <= f.Max.X && p.Y >= f.Min.Y && p.Y <= f.Max.Y
}

// onLand reports whether p is inside m.Land by the even-odd rule.
func onLand(m *Map, p XY) bool {
	in := false
	for _, r := range m.Land {
		for i := 1; i < len(r); i++ {
			a, b := r[i-1], r[i]
			if (a.Y > p.Y) != (b.Y > p.Y) && p.X < a.X+(p.Y-a.Y)*(b.X-a.X)/(b.Y-a.Y) {
				in = !in
			}
		}
	}
	return in
}

func near(a, b XY) bool { return math.Abs(a.X-b.X) < 1e-6 && math.Abs(a.Y-b.Y) < 1e-6 }

func TestProjectWorld(t *testing.T) {
	tests := []struct {
		name     string
		w, h     float64
		lat, lon float64
		want     XY
	}{
		{"null island", 720, 360, 0, 0, XY{360, 180}},
		{"north-west corner", 720, 360, 90, -180, XY{0, 0}},
		{"south-east corner", 720, 360, -90, 179.999999, XY{720 - 2e-6, 360}},
		{"antimeridian drawn at the west edge", 720, 360, 10, 180, XY{0, 160}},
		{"Tokyo", 720, 360, 35.68, 139.69, XY{(180 + 139.69) * 2, (90 - 35.68) * 2}},
		{"Lima", 720, 360, -12.05, -77.04, XY{(180 - 77.04) * 2, (90 + 12.05) * 2}},
		{"tall box, globe centred", 360, 360, 0, 0, XY{180, 180}},
		{"tall box, north pole", 360, 360, 90, -180, XY{0, 90}},
		{"wide box, globe centred", 1000, 360, 90, -180, XY{140, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Points 120° apart round the globe give the whole world.
			pts := []Point{{Lat: tt.lat, Lon: tt.lon}, {Lon: mod360(tt.lon+300) - 180}, {Lon: mod360(tt.lon+60) - 180}}
			m := Project(pts, tt.w, tt.h)
			if m.Bounds != (Bounds{-180, 180, -90, 90}) {
				t.Fatalf("Bounds = %+v, want the whole world", m.Bounds)
			}
			if got := m.Points[0].XY; !near(got, tt.want) {
				t.Errorf("point at %g, %g drawn at %v, want %v", tt.lat, tt.lon, got, tt.want)
			}
		})
	}
}

func TestProjectNoPoints(t *testing.T) {
	m := Project(nil, 800, 400)
	if m.Bounds != (Bounds{-180, 180, -90, 90}) || m.Frame != (Rect{XY{0, 0}, XY{800, 400}}) {
		t.Errorf("Bounds %+v, Frame %+v; want the whole world filling the box", m.Bounds, m.Frame)
	}
	if len(m.Land) < 100 || len(m.Borders) < 300 || len(m.Points) != 0 || m.Skipped != 0 {
		t.Errorf("%d land rings, %d borders, %d points, %d skipped", len(m.Land), len(m.Borders), len(m.Points), m.Skipped)
	}
}

// TestAntimeridian checks that points on both sides of 180° are shown
// close together, east of each other in the right order, with land on
// both sides of the line.
func TestAntimeridian(t *testing.T) {
	tests := []struct {
		name     string
		pts      []Point
		maxWidth float64
	}{
		{"Fiji and Samoa", []Point{suva, apia}, 60},
		{"Samoa and Fiji", []Point{apia, suva}, 60},
		{"Bering Strait", []Point{anadyr, nome}, 60},
		{"Ross Sea", []Point{mcmurdo, {Lat: -70, Lon: -170}}, 90},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Project(tt.pts, 800, 450)
			b := m.Bounds
			if w := b.East - b.West; w >= tt.maxWidth {
				t.Errorf("window %+v is %g° wide, want < %g°", b, w, tt.maxWidth)
			}
			if !(b.West < 180 && b.East > 180) {
				t.Errorf("window %+v does not contain the antimeridian", b)
			}
			for _, p := range m.Points {
				if want := boxXY(m, p.Lat, p.Lon); !near(p.XY, want) || !inFrame(m, p.XY) {
					t.Errorf("%s at %v, want %v inside %v", p.Label, p.XY, want, m.Frame)
				}
			}
			west, east := m.Points[0], m.Points[1]
			if west.Lon < 0 {
				west, east = east, west
			}
			if west.X >= east.X {
				t.Errorf("%s (x %g) not west of %s (x %g)", west.Label, west.X, east.Label, east.X)
			}
			if len(m.Land) == 0 {
				t.Error("no land")
			}
		})
	}
}

func TestSinglePoint(t *testing.T) {
	m := Project([]Point{kinshasa}, 600, 400)
	b := m.Bounds
	if !(b.West < kinshasa.Lon && kinshasa.Lon < b.East && b.South < kinshasa.Lat && kinshasa.Lat < b.North) {
		t.Fatalf("window %+v does not contain the point", b)
	}
	if h := b.North - b.South; h < minSpan || h > 20 {
		t.Errorf("window %+v is %g° high, want a regional view", b, h)
	}
	p := m.Points[0].XY
	if math.Abs(p.X-300) > 1e-6 || math.Abs(p.Y-200) > 1e-6 {
		t.Errorf("point at %v, want the centre", p)
	}
	if !onLand(m, p) {
		t.Error("Kinshasa is not on land")
	}
	if len(m.Borders) == 0 {
		t.Error("no borders around Kinshasa")
	}
}

// TestLand probes places whose land or sea is known, in views that put
// them in different parts of the frame or across the antimeridian.
func TestLand(t *testing.T) {
	probes := []struct {
		name     string
		lat, lon float64
		land     bool
	}{
		{"Sahara", 23, 10, true},
		{"Congo", 0, 22, true},
		{"Kinshasa", kinshasa.Lat, kinshasa.Lon, true},
		{"Moscow", 55.75, 37.62, true},
		{"Caspian Sea (a hole in the land)", 42, 50.5, false},
		{"Amazon", -5, -60, true},
		{"Atlantic", 0, -30, false},
		{"Pacific", 0, -150, false},
		{"Chukotka west of 180°", 66, 175, true},
		{"Chukotka east of 180°", 65.5, -177, true},
		{"Alaska", 65, -150, true},
		{"Bering Sea", 60, -178, false},
		{"Viti Levu", -17.8, 178, true},
		{"Antarctica west of 180°", -86, 178, true},
		{"Antarctica east of 180°", -86, -178, true},
		{"South Pole", -89.9, 0, true},
		{"Ross Sea", -76, -178, false},
		{"Arctic Ocean", 85, 0, false},
	}
	views := []struct {
		name string
		pts  []Point
	}{
		{"world", nil},
		{"Pacific", []Point{suva, apia}},
		{"Bering", []Point{anadyr, nome}},
		{"Ross Sea", []Point{mcmurdo, {Lat: -70, Lon: -170}}},
		{"Pacific-centred world", []Point{{Lat: 80, Lon: 100}, {Lat: -89, Lon: -100}, {Lat: 0, Lon: 170}}},
		{"tall box", []Point{kinshasa}},
	}
	for _, v := range views {
		w, h := 900.0, 450.0
		if v.name == "tall box" {
			w, h = 300, 900
		}
		m := Project(v.pts, w, h)
		tested := 0
		for _, p := range probes {
			xy := boxXY(m, p.lat, p.lon)
			if !inFrame(m, xy) {
				continue
			}
			tested++
			if got := onLand(m, xy); got != p.land {
				t.Errorf("%s view: %s (%g, %g) at %v: land %v, want %v", v.name, p.name, p.lat, p.lon, xy, got, p.land)
			}
		}
		if tested == 0 {
			t.Errorf("%s view: no probe in the window %+v", v.name, m.Bounds)
		}
	}
}

func TestGeometryInFrame(t *testing.T) {
	for _, pts := range [][]Point{nil, {suva, apia}, {kinshasa}, {anadyr, nome}} {
		m := Project(pts, 640, 480)
		holes := 0
		for _, r := range m.Land {
			if len(r) < 4 || r[0] != r[len(r)-1] {
				t.Fatalf("land ring of %d points not closed", len(r))
			}
			// Twice the signed area: positive is clockwise on the page.
			a := 0.0
			for i := 1; i < len(r); i++ {
				a += r[i-1].X*r[i].Y - r[i].X*r[i-1].Y
			}
			if a < 0 {
				holes++
			}
		}
		// The Caspian Sea is the one hole, and is in the world view only.
		want := 0
		if pts == nil {
			want = 1
		}
		if holes != want {
			t.Errorf("%d anticlockwise rings, want %d", holes, want)
		}
		const eps = 1e-9
		f := m.Frame
		for _, l := range append(append([][]XY{}, m.Land...), m.Borders...) {
			for _, p := range l {
				if p.X < f.Min.X-eps || p.X > f.Max.X+eps || p.Y < f.Min.Y-eps || p.Y > f.Max.Y+eps {
					t.Fatalf("%v outside frame %v", p, f)
				}
			}
		}
	}
}

func TestInvalidPoints(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	pts := []Point{
		{Lat: nan, Lon: 0}, {Lat: 0, Lon: nan}, {Lat: inf, Lon: 0}, {Lat: 0, Lon: -inf},
		{Lat: 90.0001, Lon: 0}, {Lat: -91, Lon: 0}, {Lat: 0, Lon: 180.5}, {Lat: 0, Lon: -181},
		kinshasa,
		{Lat: 90, Lon: -180, Label: "edge"},
	}
	m := Project(pts, 500, 300)
	if m.Skipped != 8 || len(m.Points) != 2 || m.Points[0].Index != 8 || m.Points[1].Index != 9 {
		t.Errorf("Skipped %d, Points %+v; want 8 skipped and the last two placed", m.Skipped, m.Points)
	}
	for _, p := range m.Points {
		if !inFrame(m, p.XY) {
			t.Errorf("%+v outside the frame %+v", p, m.Frame)
		}
	}
	for _, size := range [][2]float64{{0, 100}, {100, -1}, {nan, 100}, {100, inf}} {
		m := Project([]Point{kinshasa}, size[0], size[1])
		if m.W != 0 || m.H != 0 || len(m.Land) != 0 || len(m.Points) != 0 {
			t.Errorf("box %v: %g×%g, %d land rings, %d points; want an empty map", size, m.W, m.H, len(m.Land), len(m.Points))
		}
		checkSVG(t, m.SVG())
	}
}

func TestSamePlace(t *testing.T) {
	pts := []Point{kinshasa, kinshasa, kinshasa}
	m := Project(pts, 400, 400)
	if h := m.Bounds.North - m.Bounds.South; math.Abs(h-minSpan) > 1e-9 {
		t.Errorf("window %g° high, want %g°", h, minSpan)
	}
	for _, p := range m.Points {
		if p.XY != m.Points[0].XY {
			t.Errorf("point %d at %v, want %v", p.Index, p.XY, m.Points[0].XY)
		}
	}
}

func TestLonWindow(t *testing.T) {
	tests := []struct {
		name       string
		lons       []float64
		west, span float64
	}{
		{"none", nil, 0, 0},
		{"one", []float64{12}, 12, 0},
		{"Europe", []float64{10, -9, 30}, -9, 39},
		{"across 180°", []float64{178, -172}, 178, 10},
		{"across 180°, more points", []float64{-172, 170, 179, -179}, 170, 18},
		{"edges", []float64{-180, 180}, 180, 0},
		{"tie keeps off 180°", []float64{-90, 90}, -90, 180},
		{"spread", []float64{-120, 0, 120}, -120, 240},
		{"spread across 180°", []float64{-100, 20, 150}, 150, 230},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, s := lonWindow(tt.lons)
			if w != tt.west || s != tt.span {
				t.Errorf("lonWindow(%v) = %g, %g; want %g, %g", tt.lons, w, s, tt.west, tt.span)
			}
		})
	}
}

// TestWorldData checks the embedded outline after unwrapping: every ring
// closed, no jump across the antimeridian left but along the South Pole's
// edge of the map, where Antarctica is closed.
func TestWorldData(t *testing.T) {
	w := loadWorld()
	if len(w.land) != 125 || len(w.borders) != 326 {
		t.Fatalf("%d land rings, %d borders; want 125, 326", len(w.land), len(w.borders))
	}
	polar := 0
	for _, s := range append(append([]shape{}, w.land...), w.borders...) {
		for i := 1; i < len(s.pts); i++ {
			a, b := s.pts[i-1], s.pts[i]
			if d := math.Abs(b.lon - a.lon); d > 180 && !(a.lat == -90 && b.lat == -90) {
				t.Fatalf("jump of %g° at %v", d, b)
			}
		}
		if s.minLon < -180 || s.minLon >= 180 {
			t.Errorf("shape starts at %g°", s.minLon)
		}
		if s.maxLon-s.minLon >= 359 {
			polar++
			if s.minLat != -90 {
				t.Errorf("ring round the globe reaches %g°, want the South Pole", s.minLat)
			}
		}
	}
	for _, s := range w.land {
		if s.pts[0] != s.pts[len(s.pts)-1] {
			t.Errorf("ring %v... not closed", s.pts[:2])
		}
	}
	if polar != 1 {
		t.Errorf("%d shapes go round the globe, want 1 (Antarctica)", polar)
	}
}

func TestManyPoints(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pts := make([]Point, 10000)
	for i := range pts {
		pts[i] = Point{Lat: r.Float64()*180 - 90, Lon: r.Float64()*360 - 180, Label: fmt.Sprintf("item %d", i)}
	}
	start := time.Now()
	m := Project(pts, 1200, 600)
	svg := m.SVG()
	elapsed := time.Since(start)
	t.Logf("10,000 points: %v, %d bytes of SVG", elapsed, len(svg))
	if len(m.Points) != len(pts) {
		t.Errorf("%d points placed, want %d", len(m.Points), len(pts))
	}
	for _, p := range m.Points {
		if !inFrame(m, p.XY) {
			t.Fatalf("%+v outside the frame %+v", p, m.Frame)
		}
	}
	checkSVG(t, svg)
	// Generous, for a busy shared machine: it takes some tens of
	// milliseconds.
	if elapsed > 5*time.Second {
		t.Errorf("took %v", elapsed)
	}
}

func BenchmarkProjectSVG(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 10, 10000} {
		pts := make([]Point, n)
		for i := range pts {
			pts[i] = Point{Lat: r.Float64()*180 - 90, Lon: r.Float64()*360 - 180, Label: "x"}
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				_ = Project(pts, 1200, 600).SVG()
			}
		})
	}
}
