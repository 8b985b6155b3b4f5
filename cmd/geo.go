package cmd

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/catalog/export"
)

// NewCmdGeo builds `pangolin geo`.
func NewCmdGeo(f *Factory) *cobra.Command {
	var format, out string
	var exhibits []string
	c := &cobra.Command{
		Use:   "geo [--exhibit EX] [--format geojson|kml|csv]",
		Short: "Every geolocated artefact (photo and video GPS) with time, device and path",
		Long: `Lists the artefacts whose metadata records a position (EXIF GPS in photos,
QuickTime and 3GPP locations in videos) with the time they were taken, the
device that took them, their exhibit, path and SHA-256. GeoJSON and KML open in
QGIS, Google Earth and most mapping tools; positions at 0,0 (a receiver with no
fix) are kept and marked suspicious.`,
		Example: `  pangolin geo --format geojson -o photos.geojson
  pangolin geo --exhibit EX-001 --format csv`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			write := map[string]func(io.Writer, []*catalog.Extracted) error{"geojson": writeGeoJSON, "kml": writeKML, "csv": writeGeoCSV}[format]
			if write == nil {
				return usageError{fmt.Errorf("--format: want geojson, kml or csv, not %q", format)}
			}
			_, db, err := f.openCatalog(c)
			if err != nil {
				return err
			}
			defer db.Close()
			var points []*catalog.Extracted
			for x, err := range db.Extracted(c.Context(), catalog.ExtractedQuery{Exhibits: exhibits, GPSOnly: true}) {
				if err != nil {
					return err
				}
				points = append(points, x)
			}
			return toOutput(f, out, func(w io.Writer) error { return write(w, points) })
		},
	}
	c.Flags().StringVar(&format, "format", "geojson", "geojson, kml or csv")
	c.Flags().StringSliceVar(&exhibits, "exhibit", nil, "only these exhibits")
	c.Flags().StringVarP(&out, "out", "o", "", "write to this new file instead of stdout")
	return c
}

// geoProps are the facts shown with each point.
func geoProps(x *catalog.Extracted) map[string]any {
	p := map[string]any{"exhibit": x.Exhibit, "path": x.Path, "ref": x.Ref, "sha256": x.SHA256, "source": x.Format}
	if !x.Created.IsZero() {
		p["taken"] = x.Created.Format(time.RFC3339Nano)
		if x.CreatedLocal {
			p["taken_zone"] = "unknown (camera clock)"
		}
	}
	if x.Make != "" || x.Model != "" {
		p["device"] = strings.TrimSpace(x.Make + " " + x.Model)
	}
	if x.Serial != "" {
		p["serial"] = x.Serial
	}
	g := x.GPS
	if g.Altitude != nil {
		p["altitude_m"] = *g.Altitude
	}
	if !g.Time.IsZero() {
		p["gps_time"] = g.Time.Format(time.RFC3339Nano)
	}
	if g.Direction != nil {
		p["direction"] = *g.Direction
	}
	if g.Suspicious != "" {
		p["suspicious"] = g.Suspicious
	}
	return p
}

func writeGeoJSON(w io.Writer, points []*catalog.Extracted) error {
	type feature struct {
		Type     string         `json:"type"`
		Geometry map[string]any `json:"geometry"`
		Props    map[string]any `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: []feature{}}
	for _, x := range points {
		coords := []float64{x.GPS.Longitude, x.GPS.Latitude}
		if x.GPS.Altitude != nil {
			coords = append(coords, *x.GPS.Altitude)
		}
		fc.Features = append(fc.Features, feature{"Feature", map[string]any{"type": "Point", "coordinates": coords}, geoProps(x)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(fc)
}

func writeKML(w io.Writer, points []*catalog.Extracted) error {
	if _, err := io.WriteString(w, xml.Header+`<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>pangolin geolocated artefacts</name>`+"\n"); err != nil {
		return err
	}
	for _, x := range points {
		var desc strings.Builder
		for _, k := range []string{"exhibit", "path", "taken", "device", "serial", "gps_time", "altitude_m", "sha256", "suspicious"} {
			if v, ok := geoProps(x)[k]; ok {
				fmt.Fprintf(&desc, "%s: %v\n", k, v)
			}
		}
		alt := 0.0
		if x.GPS.Altitude != nil {
			alt = *x.GPS.Altitude
		}
		// xml.EscapeText escapes names from evidence, which are hostile.
		if _, err := io.WriteString(w, "<Placemark><name>"); err != nil {
			return err
		}
		xml.EscapeText(w, []byte(x.Exhibit+" "+x.Path))
		io.WriteString(w, "</name><description>")
		xml.EscapeText(w, []byte(desc.String()))
		io.WriteString(w, "</description>")
		if !x.Created.IsZero() {
			fmt.Fprintf(w, "<TimeStamp><when>%s</when></TimeStamp>", x.Created.UTC().Format(time.RFC3339))
		}
		if _, err := fmt.Fprintf(w, "<Point><coordinates>%s,%s,%s</coordinates></Point></Placemark>\n",
			strconv.FormatFloat(x.GPS.Longitude, 'f', -1, 64), strconv.FormatFloat(x.GPS.Latitude, 'f', -1, 64), strconv.FormatFloat(alt, 'f', -1, 64)); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "</Document></kml>\n")
	return err
}

func writeGeoCSV(w io.Writer, points []*catalog.Extracted) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"exhibit", "path", "latitude", "longitude", "altitude_m", "taken", "gps_time", "make", "model", "serial", "sha256", "suspicious"})
	for _, x := range points {
		g := x.GPS
		row := []string{export.CSVText(x.Exhibit), export.CSVText(x.Path), strconv.FormatFloat(g.Latitude, 'f', -1, 64), strconv.FormatFloat(g.Longitude, 'f', -1, 64),
			"", "", "", export.CSVText(x.Make), export.CSVText(x.Model), export.CSVText(x.Serial), x.SHA256, export.CSVText(g.Suspicious)}
		if g.Altitude != nil {
			row[4] = strconv.FormatFloat(*g.Altitude, 'f', -1, 64)
		}
		if !x.Created.IsZero() {
			row[5] = x.Created.Format(time.RFC3339Nano)
		}
		if !g.Time.IsZero() {
			row[6] = g.Time.Format(time.RFC3339Nano)
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}
