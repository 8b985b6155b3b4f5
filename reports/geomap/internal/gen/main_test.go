package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/reports/geomap/internal/outline"
)

// topo is two countries side by side, A = (0,0)-(1,1) and B = (1,0)-(2,1),
// sharing the arc from (1,0) to (1,1), and their union as land. Arc 0 is
// A's coast, arc 1 the shared border (-2 is arc 1 reversed), arc 2 B's
// coast; arcs are delta-encoded.
const topo = `{
  "type": "Topology",
  "transform": {"scale": [0.5, 0.25], "translate": [-10, -20]},
  "objects": {
    "countries": {"type": "GeometryCollection", "geometries": [
      {"type": "Polygon", "arcs": [[0, 1]]},
      {"type": "MultiPolygon", "arcs": [[[-2, 2]]]}
    ]},
    "land": {"type": "GeometryCollection", "geometries": [
      {"type": "MultiPolygon", "arcs": [[[0, 2]]]}
    ]}
  },
  "arcs": [
    [[1, 1], [-1, 0], [0, -1], [1, 0]],
    [[1, 0], [0, 1]],
    [[1, 0], [1, 0], [0, 1], [-1, 0]]
  ]
}`

func q(x, y int32) outline.Q { return outline.Q{X: x, Y: y} }

func TestConvert(t *testing.T) {
	o, err := convert([]byte(topo))
	if err != nil {
		t.Fatal(err)
	}
	want := &outline.Outline{
		Scale:     [2]float64{0.5, 0.25},
		Translate: [2]float64{-10, -20},
		Land:      [][]outline.Q{{q(1, 1), q(0, 1), q(0, 0), q(1, 0), q(2, 0), q(2, 1), q(1, 1)}},
		Borders:   [][]outline.Q{{q(1, 0), q(1, 1)}},
	}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("convert:\n got %+v\nwant %+v", o, want)
	}
}

func TestConvertErrors(t *testing.T) {
	tests := []struct{ name, old, new string }{
		{"not json", `"type": "Topology"`, `"type": `},
		{"not topology", `"Topology"`, `"FeatureCollection"`},
		{"no transform", `"transform"`, `"x"`},
		{"no land", `"land"`, `"sea"`},
		{"no countries", `"countries"`, `"states"`},
		{"bad arc index", `[[[0, 2]]]`, `[[[0, 7]]]`},
		{"arcs do not join", `[[[0, 2]]]`, `[[[0, -3]]]`},
		{"bad geometry", `"type": "Polygon"`, `"type": "LineString"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Replace(topo, tt.old, tt.new, 1)
			if in == topo {
				t.Fatalf("%q not in the test topology", tt.old)
			}
			if o, err := convert([]byte(in)); err == nil {
				t.Errorf("convert = %+v, want an error", o)
			}
		})
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.json"), filepath.Join(dir, "out.bin")
	data := []byte(topo)
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(in, out, wantSHA256); err == nil {
		t.Error("run accepted an input with another digest")
	}
	sum := sha256.Sum256(data)
	if err := run(in, out, hex.EncodeToString(sum[:])); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if o, err := outline.Decode(b); err != nil || len(o.Land) != 1 || len(o.Borders) != 1 {
		t.Errorf("output decodes to %+v, %v", o, err)
	}
}
