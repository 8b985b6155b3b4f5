// Package geomap draws evidence locations on an offline world map for
// reports: [Project] chooses a view that fits the points and projects the
// built-in world outline and the points into a w×h box, and [Map.SVG]
// writes the result as a self-contained SVG for HTML reports. A PDF report
// draws the same [Map] with its own canvas: every coordinate is in the
// box's units with the origin at its top left and y growing downwards.
//
// It leaves the legend (which evidence item each numbered marker stands
// for), captions and the choice of points to the caller.
//
// # Data
//
// The outline is Natural Earth's 1:110m land and admin-0 country borders
// (public domain), converted from the world-atlas npm package (ISC licence)
// by internal/gen and embedded in the binary (about 30 KB); README.md has
// the source and its digest. At 1:110m a coastline vertex is some tens of
// kilometres from the next, so maps zoomed in to a few degrees show where a
// place is, not its shoreline.
//
// # Projection
//
// The projection is equirectangular (equidistant cylindrical): x grows
// linearly with longitude and y with latitude, with a degree of longitude
// drawn cos(φ₀) times as wide as a degree of latitude, where φ₀, the
// standard parallel, is the middle latitude of the points (0 for the whole
// world, at most 70° either way). Shapes are therefore true near φ₀ and
// the scale is the same in both directions there.
//
// # Antimeridian
//
// The view is the narrowest longitude window that holds every point, found
// on the circle: points at 178°E and 172°W are 10° apart across 180°, not
// 350° apart across Greenwich, and the window then runs from 178° to 188°
// (Bounds.East may exceed 180). Land is drawn shifted by ±360° wherever it
// falls in the window, and rings that cross 180° (Russia, Fiji, Antarctica)
// are stored unbroken, so nothing is cut at the antimeridian.
//
// # Evidence input
//
// Labels come from evidence and are treated as hostile: [Map.SVG] writes
// them only as escaped XML character data, never in attributes or markup.
// Invalid points are skipped and counted, never a panic.
package geomap

import (
	"math"
	"slices"
)

// Point is a place to mark on the map.
type Point struct {
	Lat, Lon float64 // degrees, WGS 84
	Label    string  // shown beside the marker; may be anything
	ID       string  // the caller's reference, passed through untouched
}

// XY is a position in the box: X from the left, Y from the top, in the
// units of the box given to [Project].
type XY struct{ X, Y float64 }

// Rect is the rectangle from Min (top left) to Max (bottom right).
type Rect struct{ Min, Max XY }

// Bounds is the window of the globe a [Map] shows, in degrees.
type Bounds struct {
	// West is in [-180, 180); East is greater than West and may exceed
	// 180 when the window crosses the antimeridian (East-West ≤ 360).
	West, East float64
	// South is less than North, both in [-90, 90].
	South, North float64
}

// Placed is a point with its position in the box.
type Placed struct {
	Point
	XY
	// Index is the point's position in the slice given to [Project].
	// Markers are numbered Index+1, so numbers match the caller's list
	// even when invalid points are skipped.
	Index int
}

// GridLine is one meridian or parallel of the graticule, clipped to the
// frame.
type GridLine struct {
	Meridian bool    // a line of constant longitude, else of latitude
	Deg      float64 // its longitude in [-180, 180), or its latitude
	A, B     XY      // its ends
}

// Map is a world outline and a set of points projected into a W×H box.
type Map struct {
	W, H float64
	// Frame is the part of the box the map covers. It is the whole box
	// unless the box is much wider or taller than the globe, which is then
	// drawn once, centred, and the box is left empty around it.
	Frame  Rect
	Bounds Bounds // the window of the globe that Frame shows
	// StandardParallel is φ₀ of the projection, in degrees.
	StandardParallel float64
	// Land is the land as closed rings (the last point repeats the first),
	// clipped to Frame. Outer rings run clockwise on the page and the one
	// hole (the Caspian Sea) anticlockwise, so the nonzero and the
	// even-odd fill rules both fill them right. Do not stroke them: where
	// land runs out of the frame, and along the South Pole's edge of the
	// map, the rings run along edges that are not coast.
	Land [][]XY
	// Borders are land borders between countries, as open polylines
	// clipped to Frame, for stroking.
	Borders   [][]XY
	Graticule []GridLine
	// Points are the valid input points in input order.
	Points []Placed
	// Skipped counts the input points that were not valid: latitude or
	// longitude NaN or infinite, |Lat| > 90 or |Lon| > 180.
	Skipped int
}

// Tuning of the view: see [Project].
const (
	minSpan     = 8.0   // smallest window, degrees of latitude
	padFraction = 0.15  // margin on each side, as a fraction of the points' extent
	worldSpan   = 240.0 // wider longitude windows show the whole world
	maxParallel = 70.0  // limit of the standard parallel
)

// Project fits points into a w×h box and projects them with the world
// outline. The window is the narrowest one holding every valid point (see
// the package doc on the antimeridian) with a margin on each side of 15% of
// the points' extent in its longer direction, at least 8° high and as wide
// on the page, then widened in one direction to the box's aspect ratio as
// far as the globe goes. With no valid points, or when the window would be
// wider than 240° of longitude, the map shows the whole world.
//
// If w or h is not a positive finite number, the Map is 0×0 with no
// geometry and no points. Project is safe for concurrent use.
func Project(points []Point, w, h float64) *Map {
	m := &Map{}
	type valid struct {
		p   Point
		idx int
	}
	var ok []valid
	for i, p := range points {
		if !(p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180) {
			m.Skipped++
			continue
		}
		ok = append(ok, valid{p, i})
	}
	if !(w > 0 && h > 0 && !math.IsInf(w, 0) && !math.IsInf(h, 0)) {
		return m
	}
	m.W, m.H = w, h

	lons := make([]float64, len(ok))
	south, north := 90.0, -90.0
	for i, v := range ok {
		lons[i] = v.p.Lon
		south, north = min(south, v.p.Lat), max(north, v.p.Lat)
	}
	west, span := lonWindow(lons)

	// The wanted window, in degrees, with its standard parallel.
	var wantW, wantE, wantS, wantN, phi0 float64
	if len(ok) == 0 {
		wantW, wantE, wantS, wantN = -180, 180, -90, 90
	} else {
		phi0 = max(-maxParallel, min(maxParallel, (south+north)/2))
		k := math.Cos(phi0 * math.Pi / 180)
		// Pad and enforce the minimum in projected degrees, so the
		// margin looks the same in both directions.
		ext := max(span*k, north-south)
		pad := padFraction * ext
		halfX := max(span*k/2+pad, minSpan/2) / k
		halfY := max((north-south)/2+pad, minSpan/2)
		cx, cy := west+span/2, (south+north)/2
		wantW, wantE, wantS, wantN = cx-halfX, cx+halfX, cy-halfY, cy+halfY
		if wantE-wantW > worldSpan {
			wantW, wantE, wantS, wantN, phi0 = -180, 180, -90, 90, 0
		}
	}
	k := math.Cos(phi0 * math.Pi / 180)
	m.StandardParallel = phi0

	// Scale (box units per projected degree) to fit the wanted window,
	// then widen the window in the other direction to fill the box, as
	// far as the globe goes.
	s := min(w/((wantE-wantW)*k), h/(wantN-wantS))
	halfLon := min(w/(2*s*k), 180)
	halfLat := min(h/(2*s), 90)
	cx, cy := (wantW+wantE)/2, (wantS+wantN)/2
	b := Bounds{West: cx - halfLon, East: cx + halfLon, South: cy - halfLat, North: cy + halfLat}
	if b.North > 90 {
		b.South, b.North = 90-2*halfLat, 90
	} else if b.South < -90 {
		b.South, b.North = -90, -90+2*halfLat
	}
	if sh := 360 * math.Floor((b.West+180)/360); sh != 0 {
		b.West, b.East = b.West-sh, b.East-sh
	}
	m.Bounds = b
	fw, fh := 2*halfLon*s*k, 2*halfLat*s
	m.Frame = Rect{XY{(w - fw) / 2, (h - fh) / 2}, XY{(w + fw) / 2, (h + fh) / 2}}

	v := view{b: b, f: m.Frame, sx: s * k, sy: s}
	wd := loadWorld()
	for _, sh := range wd.land {
		v.each(sh, func(pts []XY) {
			if r := clipRing(pts, m.Frame); r != nil {
				m.Land = append(m.Land, r)
			}
		})
	}
	for _, sh := range wd.borders {
		v.each(sh, func(pts []XY) {
			m.Borders = clipLine(m.Borders, pts, m.Frame)
		})
	}
	m.Graticule = v.graticule()
	m.Points = make([]Placed, len(ok))
	for i, p := range ok {
		m.Points[i] = Placed{Point: p.p, XY: v.xy(b.West+mod360(p.p.Lon-b.West), p.p.Lat), Index: p.idx}
	}
	return m
}

// lonWindow returns the narrowest longitude window [west, west+span]
// holding every longitude in lons, looking across the antimeridian too:
// the complement of the widest gap between neighbours on the circle. On a
// tie it prefers the window that does not cross 180°. west is in
// [-180, 180]; both are 0 for no longitudes.
func lonWindow(lons []float64) (west, span float64) {
	if len(lons) == 0 {
		return 0, 0
	}
	s := slices.Clone(lons)
	slices.Sort(s)
	// The gap across the antimeridian gives the window that does not
	// cross it.
	west, span = s[0], s[len(s)-1]-s[0]
	gap := 360 - span
	for i := 1; i < len(s); i++ {
		if g := s[i] - s[i-1]; g > gap {
			gap = g
			west, span = s[i], 360-g
		}
	}
	return west, span
}

// mod360 returns a modulo 360 in [0, 360).
func mod360(a float64) float64 {
	a = math.Mod(a, 360)
	if a < 0 {
		a += 360
	}
	return a
}

// view projects degrees into the box for one [Map].
type view struct {
	b      Bounds
	f      Rect
	sx, sy float64 // box units per degree of longitude and of latitude
}

// xy projects a longitude already shifted into the window and a latitude.
func (v *view) xy(lon, lat float64) XY {
	return XY{v.f.Min.X + (lon-v.b.West)*v.sx, v.f.Min.Y + (v.b.North-lat)*v.sy}
}

// each projects every copy of sh, shifted by a multiple of 360°, that
// overlaps the window, and calls fn with it. fn may keep the slice.
func (v *view) each(sh shape, fn func([]XY)) {
	if sh.maxLat < v.b.South || sh.minLat > v.b.North {
		return
	}
	for k := math.Ceil((v.b.West - sh.maxLon) / 360); k <= math.Floor((v.b.East-sh.minLon)/360); k++ {
		d := 360 * k
		pts := make([]XY, len(sh.pts))
		for i, p := range sh.pts {
			pts[i] = v.xy(p.lon+d, p.lat)
		}
		fn(pts)
	}
}

// gridSteps are the graticule spacings tried, in degrees.
var gridSteps = [...]float64{0.5, 1, 2, 5, 10, 15, 30}

// graticule returns meridians and parallels at the smallest step in
// gridSteps that gives at most 12 lines across the wider side of the
// window, strictly inside the frame.
func (v *view) graticule() []GridLine {
	span := max(v.b.East-v.b.West, v.b.North-v.b.South)
	step := gridSteps[len(gridSteps)-1]
	for _, st := range gridSteps {
		if span/st <= 12 {
			step = st
			break
		}
	}
	var g []GridLine
	for lon := math.Floor(v.b.West/step+1) * step; lon < v.b.East; lon += step {
		deg := mod360(lon+180) - 180
		g = append(g, GridLine{Meridian: true, Deg: deg, A: v.xy(lon, v.b.North), B: v.xy(lon, v.b.South)})
	}
	for lat := math.Floor(v.b.South/step+1) * step; lat < v.b.North; lat += step {
		g = append(g, GridLine{Deg: lat, A: v.xy(v.b.West, lat), B: v.xy(v.b.East, lat)})
	}
	return g
}
