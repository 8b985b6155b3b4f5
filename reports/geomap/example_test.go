package geomap_test

import (
	"fmt"
	"strings"

	"github.com/pangolin-forensics/pangolin/reports/geomap"
)

// Photos taken in Fiji and Samoa, on either side of the antimeridian, are
// shown on a map of the South Pacific some 13° wide, not of the whole
// world. Its window runs east from 177°E past 180° to 189.7°, which is
// 170.3°W.
func ExampleProject() {
	m := geomap.Project([]geomap.Point{
		{Lat: -18.14, Lon: 178.44, Label: "IMG_0412.JPG", ID: "E7/412"},
		{Lat: -13.83, Lon: -171.76, Label: "IMG_0977.JPG", ID: "E7/977"},
		{Lat: 91, Lon: 0, Label: "corrupt GPS"},
	}, 600, 400)
	b := m.Bounds
	fmt.Printf("longitude %.1f to %.1f, latitude %.1f to %.1f\n", b.West, b.East, b.South, b.North)
	for _, p := range m.Points {
		fmt.Printf("marker %d (%s) at x %.0f, y %.0f\n", p.Index+1, p.ID, p.X, p.Y)
	}
	fmt.Println("skipped:", m.Skipped)
	fmt.Println(strings.HasPrefix(m.SVG(), "<svg "))
	// Output:
	// longitude 177.0 to 189.7, latitude -20.1 to -11.9
	// marker 1 (E7/412) at x 69, y 306
	// marker 2 (E7/977) at x 531, y 94
	// skipped: 1
	// true
}
