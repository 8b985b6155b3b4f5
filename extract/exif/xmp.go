package exif

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/pangolin-forensics/pangolin/extract"
)

// xmpGPS reads the position an XMP packet records in the EXIF schema
// (http://ns.adobe.com/exif/1.0/): exif:GPSLatitude and exif:GPSLongitude
// as "DDD,MM,SSk" or "DDD,MM.mmk" (k one of N, S, E, W), and
// exif:GPSAltitude as a rational with exif:GPSAltitudeRef. Properties may
// be attributes or elements; the packet is searched as text, not parsed as
// XML. It returns nil when the packet has no valid latitude and longitude,
// and the values found as fields named "XMP-exif:GPSLatitude" and so on.
func xmpGPS(x []byte) (*extract.GPS, []extract.Field) {
	var fields []extract.Field
	get := func(name string) string {
		v, ok := xmpProp(x, name)
		if ok {
			fields = append(fields, extract.Field{Name: "XMP-exif:" + name, Value: v})
		}
		return v
	}
	latS, lonS := get("GPSLatitude"), get("GPSLongitude")
	altS, refS := get("GPSAltitude"), get("GPSAltitudeRef")
	lat, ok1 := xmpCoord(latS, 90)
	lon, ok2 := xmpCoord(lonS, 180)
	if !ok1 || !ok2 {
		return nil, fields
	}
	g := &extract.GPS{Latitude: lat, Longitude: lon}
	if lat == 0 && lon == 0 {
		g.Suspicious = "0,0: a receiver without a fix writes zeros"
	}
	if alt, ok := xmpRational(altS); ok {
		if strings.TrimSpace(refS) == "1" {
			alt = -alt
		}
		g.Altitude = &alt
	}
	return g, fields
}

// xmpProp finds property name (in any namespace prefix) as an attribute
// (prefix:name="v") or a simple element (<prefix:name>v</...>).
func xmpProp(x []byte, name string) (string, bool) {
	pat := []byte(":" + name)
	for i := 0; i < len(x); {
		j := bytes.Index(x[i:], pat)
		if j < 0 {
			return "", false
		}
		p := i + j + len(pat)
		i = p
		k := p
		for k < len(x) && (x[k] == ' ' || x[k] == '\t' || x[k] == '\r' || x[k] == '\n') {
			k++
		}
		if k >= len(x) {
			return "", false
		}
		switch x[k] {
		case '=':
			k++
			for k < len(x) && (x[k] == ' ' || x[k] == '\t' || x[k] == '\r' || x[k] == '\n') {
				k++
			}
			if k >= len(x) || (x[k] != '"' && x[k] != '\'') {
				continue
			}
			q := x[k]
			e := bytes.IndexByte(x[k+1:], q)
			if e < 0 {
				return "", false
			}
			return xmlText(x[k+1 : k+1+e]), true
		case '>':
			e := bytes.IndexByte(x[k+1:], '<')
			if e < 0 {
				return "", false
			}
			return xmlText(x[k+1 : k+1+e]), true
		}
	}
	return "", false
}

// xmlText undoes the few XML escapes a coordinate can contain.
func xmlText(b []byte) string {
	s := strings.TrimSpace(string(b))
	if strings.IndexByte(s, '&') >= 0 {
		s = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'").Replace(s)
	}
	return s
}

// xmpCoord parses an XMP GPSCoordinate, "DDD,MM,SSk" or "DDD,MM.mmk", or a
// plain signed decimal, into signed decimal degrees no larger than limit.
func xmpCoord(s string, limit float64) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	sign := 1.0
	switch s[len(s)-1] {
	case 'S', 's', 'W', 'w':
		sign = -1
		s = s[:len(s)-1]
	case 'N', 'n', 'E', 'e':
		s = s[:len(s)-1]
	}
	parts := strings.Split(s, ",")
	if len(parts) > 3 {
		return 0, false
	}
	var v float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || (i > 0 && f < 0) {
			return 0, false
		}
		v += f / math.Pow(60, float64(i))
	}
	v *= sign
	if math.Abs(v) > limit {
		return 0, false
	}
	return v, true
}

// xmpRational parses "n/d" or a decimal.
func xmpRational(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if n, d, ok := strings.Cut(s, "/"); ok {
		a, err1 := strconv.ParseFloat(n, 64)
		b, err2 := strconv.ParseFloat(d, 64)
		if err1 != nil || err2 != nil || b == 0 {
			return 0, false
		}
		return a / b, true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// pngText returns the keyword and text of a tEXt, zTXt or iTXt chunk,
// inflating compressed text up to maxItem bytes.
func pngText(typ string, p []byte) (key string, text []byte, ok bool) {
	k, rest, found := bytes.Cut(p, []byte{0})
	if !found {
		return "", nil, false
	}
	key = string(k)
	if key != "Raw profile type exif" && key != "Raw profile type APP1" && key != "XML:com.adobe.xmp" {
		return key, nil, false
	}
	compressed := false
	switch typ {
	case "zTXt":
		if len(rest) < 1 || rest[0] != 0 {
			return key, nil, false
		}
		rest, compressed = rest[1:], true
	case "iTXt":
		if len(rest) < 2 || rest[1] != 0 {
			return key, nil, false
		}
		compressed = rest[0] == 1
		rest = rest[2:]
		for range 2 { // language tag, translated keyword
			_, after, found := bytes.Cut(rest, []byte{0})
			if !found {
				return key, nil, false
			}
			rest = after
		}
	}
	if !compressed {
		return key, rest, true
	}
	zr, err := zlib.NewReader(bytes.NewReader(rest))
	if err != nil {
		return key, nil, false
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxItem+1))
	if err != nil || len(out) > maxItem {
		return key, nil, false
	}
	return key, out, true
}

// rawProfile decodes ImageMagick's text encoding of a binary profile:
// "\n<name>\n<spaces><decimal length>\n<hex digits and newlines>".
func rawProfile(t []byte) ([]byte, bool) {
	t = bytes.TrimLeft(t, "\n")
	_, t, ok := bytes.Cut(t, []byte("\n")) // the profile name
	if !ok {
		return nil, false
	}
	lenLine, t, ok := bytes.Cut(t, []byte("\n"))
	if !ok {
		return nil, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(lenLine)))
	if err != nil || n <= 0 || n > maxItem || n > len(t)/2 {
		return nil, false
	}
	out := make([]byte, 0, n)
	var pair [2]byte
	k := 0
	for _, c := range t {
		if c == '\n' || c == '\r' || c == ' ' || c == '\t' {
			continue
		}
		pair[k] = c
		k++
		if k == 2 {
			var v [1]byte
			if _, err := hex.Decode(v[:], pair[:]); err != nil {
				return nil, false
			}
			out = append(out, v[0])
			k = 0
			if len(out) == n {
				break
			}
		}
	}
	return out, len(out) == n
}
