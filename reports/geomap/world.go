package geomap

import (
	_ "embed"
	"math"
	"sync"

	"github.com/pangolin-forensics/pangolin/reports/geomap/internal/outline"
)

// worldData is Natural Earth 1:110m land and country borders in the format
// of package outline; README.md tells where it comes from and how to
// rebuild it.
//
//go:embed world110m.bin
var worldData []byte

// lonLat is a point in degrees. In a [shape] the longitude may lie outside
// [-180, 180]: see unwrap.
type lonLat struct{ lon, lat float64 }

// shape is a land ring or border line whose longitudes run on without the
// jump at the antimeridian, with its extent.
type shape struct {
	pts                            []lonLat
	minLon, maxLon, minLat, maxLat float64
}

// world is the prepared outline.
type world struct {
	land, borders []shape
}

// loadWorld decodes and prepares the embedded outline once. The data is
// built into the binary and tested, so failing to decode it is a build
// defect and panics.
var loadWorld = sync.OnceValue(func() *world {
	o, err := outline.Decode(worldData)
	if err != nil {
		panic("geomap: embedded world outline: " + err.Error())
	}
	w := &world{
		land:    make([]shape, 0, len(o.Land)),
		borders: make([]shape, 0, len(o.Borders)),
	}
	for _, r := range o.Land {
		w.land = append(w.land, unwrap(o, r, true))
	}
	for _, l := range o.Borders {
		w.borders = append(w.borders, unwrap(o, l, false))
	}
	return w
})

// unwrap decodes q and makes its longitudes continuous: where two
// consecutive points are more than 180° apart the line crossed the
// antimeridian, so the rest of it is shifted by 360°. Russia and Fiji then
// reach past 180°E, and the shape is moved by a multiple of 360° so that
// its western end lies in [-180, 180).
//
// A ring that goes once round the globe (Antarctica) does not come back to
// its start after unwrapping: it ends 360° east or west of it. It is closed
// through the nearer pole, so that on a flat map it is the polygon between
// the coast and the pole's edge of the map.
func unwrap(o *outline.Outline, q []outline.Q, ring bool) shape {
	pts := make([]lonLat, len(q), len(q)+3)
	shift := 0.0
	for i, p := range q {
		lon, lat := o.LonLat(p)
		if i > 0 {
			switch d := lon + shift - pts[i-1].lon; {
			case d > 180:
				shift -= 360
			case d < -180:
				shift += 360
			}
		}
		pts[i] = lonLat{lon + shift, lat}
	}
	if first, last := pts[0], pts[len(pts)-1]; ring && first.lon != last.lon {
		pole := -90.0
		sum := 0.0
		for _, p := range pts {
			sum += p.lat
		}
		if sum > 0 {
			pole = 90
		}
		pts = append(pts, lonLat{last.lon, pole}, lonLat{first.lon, pole}, first)
	}
	s := shape{pts: pts, minLon: math.Inf(1), maxLon: math.Inf(-1), minLat: math.Inf(1), maxLat: math.Inf(-1)}
	for _, p := range pts {
		s.minLon, s.maxLon = min(s.minLon, p.lon), max(s.maxLon, p.lon)
		s.minLat, s.maxLat = min(s.minLat, p.lat), max(s.maxLat, p.lat)
	}
	if k := math.Floor((s.minLon + 180) / 360); k != 0 {
		d := -360 * k
		for i := range s.pts {
			s.pts[i].lon += d
		}
		s.minLon += d
		s.maxLon += d
	}
	return s
}
