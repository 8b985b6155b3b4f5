package exif

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/pangolin-forensics/pangolin/extract"
	"github.com/pangolin-forensics/pangolin/extract/filetype"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// The checks TestCorpus makes against exiftool, per file.
const (
	checkLatLon = "latlon"
	checkAlt    = "alt"
	checkDTO    = "DateTimeOriginal"
	checkMake   = "Make"
	checkModel  = "Model"
	checkFalse  = "falseGPS"
)

var corpusChecks = []string{checkLatLon, checkAlt, checkDTO, checkMake, checkModel, checkFalse}

// corpusExceptions are the disagreements with exiftool that are understood,
// keyed by file (as exiftool's SourceFile) and check, with the reason.
var corpusExceptions = map[string]map[string]string{
	"./metadata-extractor-images/jpg/FLIR iPhone device.jpg": {
		checkLatLon: "the position is in FLIR's own APP1 record (exiftool group FLIR), not in EXIF or XMP",
		checkAlt:    "the altitude is in FLIR's own APP1 record, not in EXIF",
	},
	"./metadata-extractor-images/jpg/Nikon D5000.jpg": {
		checkAlt: "the EXIF latitude and longitude are empty, so there is no position to attach the altitude to (exiftool shows GPSAltitude alone)",
	},
}

// exifGroups are exiftool's group-1 names for the IFDs this package reads.
var exifGroups = map[string]bool{"IFD0": true, "IFD1": true, "ExifIFD": true, "GPS": true, "InteropIFD": true}

// foreignGroups are the exiftool groups (exiftool -G1) whose values exiftool
// may show under a tag name this package also fills, and why this package
// does not read them. A disagreement is explained when exiftool's value
// comes only from one of these groups; where exiftool also has an EXIF
// value, ours must equal that one.
var foreignGroups = map[string]string{
	"XMP-exif":    "XMP property, not EXIF (only XMP GPS is read)",
	"XMP-tiff":    "XMP property, not EXIF (only XMP GPS is read)",
	"XMP-xmp":     "XMP property, not EXIF (only XMP GPS is read)",
	"CIFF":        "Canon CIFF record (CRW, or a JPEG's APP0 CIFF), not EXIF",
	"PictureInfo": "Olympus/Canon PictureInfo text in APP segment, not EXIF",
	"Casio":       "Casio QV-CI maker data, not EXIF",
	"Reconyx":     "Reconyx maker note, not EXIF",
	"FLIR":        "FLIR's own APP1 record, not EXIF",
	"QuickTime":   "QuickTime/MP4 metadata, not EXIF",
	"Keys":        "QuickTime keys metadata, not EXIF",
	"UserData":    "QuickTime user data, not EXIF",
	"ItemList":    "QuickTime item list, not EXIF",
	"H264":        "H.264 SEI metadata (M2TS), not EXIF",
	"RIFF":        "RIFF/AVI metadata, not EXIF",
	"X3F":         "Sigma X3F header, not EXIF",
	"MRW":         "Minolta MRW block, not EXIF",
	"RAF":         "Fujifilm RAF header, not TIFF-based EXIF",
	"IPTC":        "IPTC record, not EXIF",
	"Composite":   "exiftool's Composite value built from IPTC or XMP dates, not an EXIF tag",
	"CanonRaw":    "Canon CRW (CIFF) raw format, not TIFF-based: not read",
	"KyoceraRaw":  "Kyocera raw header, not EXIF",
	"SigmaRaw":    "Sigma X3F raw header, not EXIF",
	"Pentax":      "Pentax maker note in a QuickTime file, not EXIF",
}

// formatExceptions are the formats (as TestCorpus labels them) that hold
// EXIF in a container this package does not read, and why.
var formatExceptions = map[string]string{
	"?bpg":  "BPG: EXIF in a BPG extension block; format not read",
	"?miff": "ImageMagick MIFF: EXIF in a MIFF profile; format not read",
	"mrw":   "Minolta MRW: TIFF inside the MRW TTW block; format not read",
	"raf":   "Fujifilm RAF: EXIF in the embedded JPEG preview; format not read",
	"x3f":   "Sigma X3F: EXIF in an X3F directory section; format not read",
}

// checkTags are exiftool's tag names for the checks.
var checkTags = map[string]string{
	checkLatLon: "GPSLatitude", checkAlt: "GPSAltitude", checkDTO: "DateTimeOriginal",
	checkMake: "Make", checkModel: "Model",
}

// explainGroup returns why a disagreement with exiftool's plain value want
// for check is expected: exiftool took want from a group in
// foreignGroups, and ours (got) equals exiftool's EXIF value, if it has
// one. It returns "" when not.
func explainGroup(g1 oracleEntry, check, want, got string) string {
	tag := checkTags[check]
	if tag == "" {
		return ""
	}
	why := ""
	for k, v := range g1 {
		group, name, ok := strings.Cut(k, ":")
		if !ok || name != tag {
			continue
		}
		s := strings.TrimRight(fmt.Sprint(v), " \x00")
		if exifGroups[group] {
			if s != got && check != checkLatLon && check != checkAlt {
				return ""
			}
			continue
		}
		if s == want && foreignGroups[group] != "" {
			why = group + ": " + foreignGroups[group]
		}
	}
	return why
}

// oracleEntry is one object of exiftool_n.json.
type oracleEntry map[string]any

// oracleString returns an oracle value as text (numbers as written), and
// whether it is present and not empty.
func oracleString(e oracleEntry, key string) (string, bool) {
	v, ok := e[key]
	if !ok {
		return "", false
	}
	s := strings.TrimRight(fmt.Sprint(v), " \x00")
	return s, s != ""
}

// oracleNumber returns an oracle value that is a number.
func oracleNumber(e oracleEntry, key string) (float64, bool) {
	n, ok := e[key].(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

type tally struct{ files, agree, disagree, explained map[string]int }

func TestCorpus(t *testing.T) {
	root := filepath.Join(testcorpus.Dir(t), "exif")
	oracle := loadOracle(t, filepath.Join(root, "_oracle", "exiftool_n.json"))
	oracleG1 := loadOracle(t, filepath.Join(root, "_oracle", "exiftool_n_G1.json"))

	byFormat := map[string]*tally{}
	used := map[string]bool{}
	var failures, explained []string
	err := filepath.WalkDir(root, func(path string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if de.IsDir() {
			if strings.HasPrefix(de.Name(), "_oracle") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		key := "./" + filepath.ToSlash(rel)
		want, ok := oracle[key]
		if !ok {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		head := make([]byte, min(st.Size(), filetype.HeadSize))
		if _, err := f.ReadAt(head, 0); err != nil {
			return err
		}
		format := filetype.Detect(head).Extension
		if format == "" {
			format = "?" + strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
		}
		md, err := Photo(f, st.Size())
		if err != nil && !errors.Is(err, ErrNoEXIF) {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("%s: unexpected error type: %v", key, err)
			}
		}
		if md == nil && err == nil {
			t.Errorf("%s: nil metadata without an error", key)
		}
		tl := byFormat[format]
		if tl == nil {
			tl = &tally{map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}}
			byFormat[format] = tl
		}
		tl.files[""]++
		record := func(check string, agree bool, want, got string) {
			tl.files[check]++
			if agree {
				tl.agree[check]++
				return
			}
			why := corpusExceptions[key][check]
			if why != "" {
				used[key+"\x00"+check] = true
			} else if why = formatExceptions[format]; why == "" {
				why = explainGroup(oracleG1[key], check, want, got)
			}
			if why != "" {
				tl.explained[check]++
				explained = append(explained, fmt.Sprintf("%s %s: %s", key, check, why))
				return
			}
			tl.disagree[check]++
			failures = append(failures, fmt.Sprintf("%s [%s] %s: exiftool %s; got %s", key, format, check, want, got))
		}
		compare(md, want, record)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	var formats []string
	for k := range byFormat {
		formats = append(formats, k)
	}
	sort.Strings(formats)
	var sb strings.Builder
	tw := tabwriter.NewWriter(&sb, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "format\tfiles\t")
	for _, c := range corpusChecks {
		fmt.Fprintf(tw, "%s\t", c)
	}
	fmt.Fprintln(tw)
	total := &tally{map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}}
	row := func(name string, tl *tally) {
		fmt.Fprintf(tw, "%s\t%d\t", name, tl.files[""])
		for _, c := range corpusChecks {
			if tl.files[c] == 0 {
				fmt.Fprint(tw, "-\t")
				continue
			}
			fmt.Fprintf(tw, "%d/%d", tl.agree[c], tl.files[c])
			if tl.explained[c] > 0 {
				fmt.Fprintf(tw, " (%d expl.)", tl.explained[c])
			}
			if tl.disagree[c] > 0 {
				fmt.Fprintf(tw, " %d BAD", tl.disagree[c])
			}
			fmt.Fprint(tw, "\t")
		}
		fmt.Fprintln(tw)
	}
	for _, k := range formats {
		tl := byFormat[k]
		row(k, tl)
		for _, m := range []struct{ dst, src map[string]int }{{total.files, tl.files}, {total.agree, tl.agree}, {total.disagree, tl.disagree}, {total.explained, tl.explained}} {
			for c, n := range m.src {
				m.dst[c] += n
			}
		}
	}
	row("total", total)
	tw.Flush()
	t.Logf("agreement with exiftool -n (agree/compared; falseGPS counts files where exiftool has no position):\n%s", sb.String())

	t.Logf("explained disagreements:\n%s", strings.Join(explained, "\n"))
	for _, f := range failures {
		t.Error(f)
	}
	for file, checks := range corpusExceptions {
		for check := range checks {
			if !used[file+"\x00"+check] {
				t.Errorf("exception %s %s no longer needed (or the file is gone)", file, check)
			}
		}
	}
}

// compare checks md against exiftool's values for one file.
func compare(md *extract.Metadata, want oracleEntry, record func(check string, agree bool, want, got string)) {
	var got extract.Metadata
	if md != nil {
		got = *md
	}
	lat, okLat := oracleNumber(want, "GPSLatitude")
	lon, okLon := oracleNumber(want, "GPSLongitude")
	g := got.GPS
	pos := "none"
	if g != nil {
		pos = fmt.Sprintf("%v,%v", g.Latitude, g.Longitude)
	}
	if okLat && okLon {
		ok := g != nil && math.Abs(g.Latitude-lat) <= 1e-7 && math.Abs(g.Longitude-lon) <= 1e-7
		record(checkLatLon, ok, fmt.Sprintf("%v,%v", lat, lon), pos)
	} else {
		record(checkFalse, g == nil, "none", pos)
	}
	if alt, ok := oracleNumber(want, "GPSAltitude"); ok {
		gotAlt := "none"
		if g != nil && g.Altitude != nil {
			gotAlt = fmt.Sprint(*g.Altitude)
		}
		ok := g != nil && g.Altitude != nil && math.Abs(*g.Altitude-alt) <= 0.01
		record(checkAlt, ok, fmt.Sprint(alt), gotAlt)
	}
	if w, ok := oracleString(want, "DateTimeOriginal"); ok {
		v := field(got.Fields, "DateTimeOriginal")
		record(checkDTO, v == w, w, v)
	}
	if w, ok := oracleString(want, "Make"); ok {
		record(checkMake, got.Make == w, w, got.Make)
	}
	if w, ok := oracleString(want, "Model"); ok {
		record(checkModel, got.Model == w, w, got.Model)
	}
}

// loadOracle reads an exiftool -json file, keyed by SourceFile.
func loadOracle(t *testing.T, path string) map[string]oracleEntry {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var list []oracleEntry
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&list); err != nil {
		t.Fatal(err)
	}
	m := map[string]oracleEntry{}
	for _, e := range list {
		m[e["SourceFile"].(string)] = e
	}
	return m
}

// field returns the value of the first field called name.
func field(fs []extract.Field, name string) string {
	for _, f := range fs {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}
