package reports

import (
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"

	"github.com/pangolin-forensics/pangolin/reports/geomap"
)

//go:embed templates
var templateFS embed.FS

// templates are parsed once; html/template escapes every value by its
// context (text, attribute, URL), so nothing from evidence can add markup
// or script. The page also forbids scripts outright (Content-Security-
// Policy default-src 'none').
var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"thumbnail": thumbnailURL,
	"mapSVG":    mapSVG,
}).ParseFS(templateFS, "templates/*.html"))

var style = func() template.CSS {
	b, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		panic(err)
	}
	return template.CSS(b)
}()

// custodyPage and findingsPage are what the templates render: the
// report and its page furniture.
type custodyPage struct {
	*Custody
	Title string
	Style template.CSS
}

type findingsPage struct {
	*Findings
	Title string
	Style template.CSS
}

// HTML renders a custody report as one self-contained, printable HTML
// file (styles and images inline, no script).
func (r *Custody) HTML() ([]byte, error) {
	return render("custody.html", custodyPage{r, "Chain of custody report — " + r.Case.ID, style})
}

// HTML renders a findings report as one self-contained HTML file, with
// the map drawn inline as SVG.
func (r *Findings) HTML() ([]byte, error) {
	return render("findings.html", findingsPage{r, "Findings report — " + r.Case.ID, style})
}

func render(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// JSON renders any report as indented JSON.
func JSON(r any) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render json: %w", err)
	}
	return append(b, '\n'), nil
}

// thumbnailURL returns a data: URL for an embedded preview that is a JPEG
// or PNG by its signature, "" otherwise. The URL is built here from
// base64 text only, which is why it may be trusted as a URL.
func thumbnailURL(b []byte) template.URL {
	mime := thumbnailMIME(b)
	if mime == "" {
		return ""
	}
	return template.URL("data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b))
}

// mapSVG draws the places on the world outline; geomap escapes every
// label it writes.
func mapSVG(places []Place) template.HTML {
	return template.HTML(geomap.Project(mapPoints(places), mapWidth, mapHeight).SVG())
}

// The map's size in SVG units (points in a PDF).
const (
	mapWidth  = 520
	mapHeight = 300
)

// mapPoints turns the places into map points labelled with their item
// numbers.
func mapPoints(places []Place) []geomap.Point {
	pts := make([]geomap.Point, len(places))
	for i, p := range places {
		pts[i] = geomap.Point{Lat: p.Lat, Lon: p.Lon, Label: fmt.Sprintf("item %d", p.N)}
	}
	return pts
}
