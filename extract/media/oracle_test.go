package media

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/pangolin-forensics/pangolin/extract"
)

// Checks compared with exiftool -n output, by name.
var oracleChecks = []string{"GPS", "GPSAltitude", "CreateDate", "Make", "Model"}

// compareOracle compares md with one exiftool -n -json object and returns
// the disagreements by check name:
//
//   - GPS: GPSLatitude and GPSLongitude within 1e-7 degrees (tol), or
//     both absent.
//   - GPSAltitude: exiftool's GPSAltitude (a magnitude) signed by
//     GPSAltitudeRef, within 0.01 m, or both absent.
//   - CreateDate: exiftool's CreateDate, its first 19 characters when it
//     carries a zone, against our first CreateDate field; and Created must
//     agree with it unless Keys creationdate set Created.
//   - Make and Model: equal after trimming spaces.
func compareOracle(md *extract.Metadata, o map[string]any, tol float64) map[string]string {
	diffs := map[string]string{}
	lat, hasLat := number(o["GPSLatitude"])
	lon, hasLon := number(o["GPSLongitude"])
	switch {
	case !hasLat && !hasLon && md.GPS != nil:
		diffs["GPS"] = fmt.Sprintf("we read %v,%v; exiftool has no position", md.GPS.Latitude, md.GPS.Longitude)
	case (hasLat || hasLon) && md.GPS == nil:
		diffs["GPS"] = fmt.Sprintf("exiftool reads %v,%v; we have no position", o["GPSLatitude"], o["GPSLongitude"])
	case hasLat && hasLon:
		if math.Abs(md.GPS.Latitude-lat) > tol || math.Abs(md.GPS.Longitude-lon) > tol {
			diffs["GPS"] = fmt.Sprintf("we read %v,%v; exiftool %v,%v", md.GPS.Latitude, md.GPS.Longitude, lat, lon)
		}
	}
	alt, hasAlt := number(o["GPSAltitude"])
	if ref, ok := number(o["GPSAltitudeRef"]); ok && ref == 1 {
		alt = -alt
	}
	var ours *float64
	if md.GPS != nil {
		ours = md.GPS.Altitude
	}
	switch {
	case hasAlt && ours == nil:
		diffs["GPSAltitude"] = fmt.Sprintf("exiftool reads %v m; we have none", alt)
	case !hasAlt && ours != nil:
		diffs["GPSAltitude"] = fmt.Sprintf("we read %v m; exiftool has none", *ours)
	case hasAlt && math.Abs(*ours-alt) > 0.01:
		diffs["GPSAltitude"] = fmt.Sprintf("we read %v m; exiftool %v m", *ours, alt)
	}
	want, hasDate := o["CreateDate"].(string)
	got, hasOurs := fieldValue(md, "CreateDate")
	if len(want) > 19 {
		want = want[:19]
	}
	switch {
	case hasDate != hasOurs || want != got:
		diffs["CreateDate"] = fmt.Sprintf("we read %q; exiftool %q", got, o["CreateDate"])
	case hasDate:
		if _, keys := fieldValue(md, "CreationDate"); !keys {
			c := "0000:00:00 00:00:00"
			if !md.Created.IsZero() {
				c = md.Created.UTC().Format("2006:01:02 15:04:05")
			}
			if c != want {
				diffs["CreateDate"] = fmt.Sprintf("Created is %v; exiftool %q", md.Created, o["CreateDate"])
			}
		}
	}
	for _, k := range []string{"Make", "Model"} {
		w := ""
		if v, ok := o[k]; ok {
			w = strings.TrimSpace(fmt.Sprint(v))
		}
		g := md.Make
		if k == "Model" {
			g = md.Model
		}
		if g != w {
			diffs[k] = fmt.Sprintf("we read %q; exiftool %q", g, w)
		}
	}
	return diffs
}

// number reads an exiftool -n value as a float; strings that are not
// numbers (empty GPS tags) count as absent.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}
