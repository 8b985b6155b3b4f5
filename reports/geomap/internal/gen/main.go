// Command gen converts the world-atlas TopoJSON countries-110m.json (Natural
// Earth 1:110m admin-0 countries) into the outline data that reports/geomap
// embeds: the rings of its "land" object and, as border lines, the arcs that
// two different countries share. The quantised coordinates are kept as they
// are, so the conversion loses nothing.
//
// To re-run it from the repository root:
//
//	npm pack world-atlas@2.0.2
//	tar -xzf world-atlas-2.0.2.tgz package/countries-110m.json
//	go run ./reports/geomap/internal/gen -in package/countries-110m.json -out reports/geomap/world110m.bin
//
// It refuses an input whose SHA-256 is not the one in reports/geomap/README.md
// unless -sha256 names the new one (or is empty); update the README with it.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"

	"github.com/pangolin-forensics/pangolin/reports/geomap/internal/outline"
)

// wantSHA256 is the digest of countries-110m.json in world-atlas 2.0.2.
const wantSHA256 = "2516c915867c7baf18ddec727aec46c315541a07cfb3d79a6559b05d5e94eee8"

func main() {
	in := flag.String("in", "", "countries-110m.json from the world-atlas npm package")
	out := flag.String("out", "world110m.bin", "outline file to write")
	sum := flag.String("sha256", wantSHA256, "required SHA-256 of the input, empty for any")
	flag.Parse()
	if err := run(*in, *out, *sum); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, out, wantSum string) error {
	if in == "" {
		return errors.New("-in is required")
	}
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	d := sha256.Sum256(data)
	got := hex.EncodeToString(d[:])
	if wantSum != "" && got != wantSum {
		return fmt.Errorf("%s has SHA-256 %s, want %s", in, got, wantSum)
	}
	o, err := convert(data)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	b := outline.Encode(o)
	if _, err := outline.Decode(b); err != nil {
		return fmt.Errorf("check output: %w", err)
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	points := 0
	for _, l := range append(o.Land, o.Borders...) {
		points += len(l)
	}
	fmt.Printf("%s: SHA-256 %s\n%s: %d land rings, %d border lines, %d points, %d bytes\n",
		in, got, out, len(o.Land), len(o.Borders), points, len(b))
	return nil
}

// topology is the part of a TopoJSON topology that gen reads (TopoJSON
// specification 1.0, https://github.com/topojson/topojson-specification).
type topology struct {
	Type      string
	Transform *struct {
		Scale     [2]float64
		Translate [2]float64
	}
	Arcs    [][][2]int64
	Objects map[string]struct {
		Geometries []geometry
	}
}

// geometry is a Polygon (Arcs is rings of arc indexes) or a MultiPolygon
// (Arcs is polygons of rings).
type geometry struct {
	Type string
	Arcs json.RawMessage
}

// polygons returns g's polygons, each a list of rings of arc indexes.
func (g geometry) polygons() ([][][]int, error) {
	switch g.Type {
	case "Polygon":
		var p [][]int
		err := json.Unmarshal(g.Arcs, &p)
		return [][][]int{p}, err
	case "MultiPolygon":
		var mp [][][]int
		err := json.Unmarshal(g.Arcs, &mp)
		return mp, err
	case "", "null":
		return nil, nil
	}
	return nil, fmt.Errorf("geometry type %q", g.Type)
}

// convert reads a quantised topology with "land" and "countries" objects.
func convert(data []byte) (*outline.Outline, error) {
	var t topology
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, err
	}
	if t.Type != "Topology" || t.Transform == nil {
		return nil, errors.New("not a quantised TopoJSON topology")
	}
	// Arcs are delta-encoded: each position after the first is the
	// difference from the one before.
	arcs := make([][]outline.Q, len(t.Arcs))
	for i, a := range t.Arcs {
		var x, y int64
		for j, p := range a {
			if j == 0 {
				x, y = p[0], p[1]
			} else {
				x, y = x+p[0], y+p[1]
			}
			arcs[i] = append(arcs[i], outline.Q{X: int32(x), Y: int32(y)})
		}
	}
	o := &outline.Outline{Scale: t.Transform.Scale, Translate: t.Transform.Translate}

	land, ok := t.Objects["land"]
	if !ok {
		return nil, errors.New(`no "land" object`)
	}
	for _, g := range land.Geometries {
		polys, err := g.polygons()
		if err != nil {
			return nil, fmt.Errorf("land: %w", err)
		}
		for _, p := range polys {
			for _, r := range p {
				ring, err := join(arcs, r)
				if err != nil {
					return nil, fmt.Errorf("land: %w", err)
				}
				o.Land = append(o.Land, ring)
			}
		}
	}

	countries, ok := t.Objects["countries"]
	if !ok {
		return nil, errors.New(`no "countries" object`)
	}
	// An arc used by two different countries is a border between them;
	// one used by a single country is coast.
	users := make([][]int, len(arcs))
	for ci, g := range countries.Geometries {
		polys, err := g.polygons()
		if err != nil {
			return nil, fmt.Errorf("countries: %w", err)
		}
		for _, p := range polys {
			for _, r := range p {
				for _, a := range r {
					if a < 0 {
						a = ^a
					}
					if a >= len(arcs) {
						return nil, fmt.Errorf("countries: arc %d of %d", a, len(arcs))
					}
					if u := users[a]; len(u) == 0 || u[len(u)-1] != ci {
						users[a] = append(u, ci)
					}
				}
			}
		}
	}
	for a, u := range users {
		if len(u) > 1 {
			o.Borders = append(o.Borders, arcs[a])
		}
	}
	return o, nil
}

// join assembles a ring from arc indexes; ^i is arc i reversed. Each arc
// after the first starts where the one before ended, and that shared point
// is kept once.
func join(arcs [][]outline.Q, idx []int) ([]outline.Q, error) {
	var ring []outline.Q
	for _, i := range idx {
		rev := i < 0
		if rev {
			i = ^i
		}
		if i >= len(arcs) || len(arcs[i]) == 0 {
			return nil, fmt.Errorf("arc %d of %d", i, len(arcs))
		}
		a := slices.Clone(arcs[i])
		if rev {
			slices.Reverse(a)
		}
		if len(ring) > 0 {
			if ring[len(ring)-1] != a[0] {
				return nil, fmt.Errorf("arc %d does not start where the one before ends", i)
			}
			a = a[1:]
		}
		ring = append(ring, a...)
	}
	if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
		return nil, fmt.Errorf("ring of arcs %v is not closed", idx)
	}
	return ring, nil
}
