// Package outline is the compact binary form of the world outline that
// reports/geomap embeds: land rings and country border lines as quantised
// longitude/latitude integers. The generator in ../gen writes it with
// [Encode]; geomap reads it with [Decode].
//
// It leaves projection, antimeridian handling and drawing to geomap: the
// coordinates are stored as the source has them, longitudes in [-180, 180],
// including the jumps of about 360° where a ring crosses the antimeridian.
//
// # Format
//
// All integers are little-endian. Varints are those of encoding/binary:
// uvarint is unsigned LEB128, varint is zigzag-encoded signed, both in
// their shortest form.
//
//	offset  size  field
//	0       4     magic "PGWO"
//	4       1     version, 1
//	5       8     Scale[0], float64: degrees of longitude per unit
//	13      8     Scale[1], float64: degrees of latitude per unit
//	21      8     Translate[0], float64: longitude of unit 0
//	29      8     Translate[1], float64: latitude of unit 0
//	37      ...   uvarint number of land rings, uvarint number of border lines
//	...     ...   the land rings, then the border lines, each as
//	              uvarint point count n, then n pairs (varint dx, varint dy):
//	              the first pair is the point itself, each later pair the
//	              difference from the point before
//
// A point (x, y) is at longitude Translate[0] + x*Scale[0] and latitude
// Translate[1] + y*Scale[1], the quantisation of TopoJSON (its "transform"),
// so a TopoJSON source converts without loss. Every point must fall within
// [-180, 180] × [-90, 90]. A land ring has at least 4 points and its last
// point repeats its first; a border line has at least 2 points. Nothing may
// follow the last line.
//
// Forward compatibility: a change of layout takes a new version number and
// [Decode] rejects versions it does not know with [ErrVersion]. The data is
// embedded next to its reader, so the two always change together.
//
// # Security
//
// The input is data built into the binary, but [Decode] still checks every
// count against the bytes left before it allocates, caps the total number of
// points at [MaxPoints] and returns a [*FormatError] rather than panicking on
// any input.
package outline

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

const (
	magic   = "PGWO"
	version = 1
	// headerSize is the magic, the version and the four float64s.
	headerSize = 4 + 1 + 4*8
)

// MaxPoints caps the points [Decode] accepts in all lines together: 1:110m
// data has about 8,000, 1:10m about 600,000.
const MaxPoints = 1 << 20

// ErrVersion means the data has a version this package does not read.
var ErrVersion = errors.New("outline: unknown version")

// FormatError is malformed outline data, with the byte offset where the
// problem was seen.
type FormatError struct {
	Offset int64
	Msg    string
	Err    error // the underlying error, if any
}

func (e *FormatError) Error() string {
	s := fmt.Sprintf("outline: offset %d: %s", e.Offset, e.Msg)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *FormatError) Unwrap() error { return e.Err }

// Q is a quantised point: see [Outline.LonLat].
type Q struct{ X, Y int32 }

// Outline is a decoded outline.
type Outline struct {
	Scale     [2]float64 // degrees of longitude and latitude per unit
	Translate [2]float64 // longitude and latitude of unit 0
	Land      [][]Q      // closed rings, outer rings and holes alike
	Borders   [][]Q      // open lines between two countries
}

// LonLat returns the longitude and latitude of q, in degrees.
func (o *Outline) LonLat(q Q) (lon, lat float64) {
	return o.Translate[0] + float64(q.X)*o.Scale[0], o.Translate[1] + float64(q.Y)*o.Scale[1]
}

// Encode returns o in the format described in the package doc. It does not
// check o: [Decode] does.
func Encode(o *Outline) []byte {
	b := make([]byte, 0, headerSize)
	b = append(b, magic...)
	b = append(b, version)
	for _, f := range [...]float64{o.Scale[0], o.Scale[1], o.Translate[0], o.Translate[1]} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
	}
	b = binary.AppendUvarint(b, uint64(len(o.Land)))
	b = binary.AppendUvarint(b, uint64(len(o.Borders)))
	for _, lines := range [...][][]Q{o.Land, o.Borders} {
		for _, l := range lines {
			b = binary.AppendUvarint(b, uint64(len(l)))
			var px, py int32
			for _, q := range l {
				b = binary.AppendVarint(b, int64(q.X)-int64(px))
				b = binary.AppendVarint(b, int64(q.Y)-int64(py))
				px, py = q.X, q.Y
			}
		}
	}
	return b
}

// reader is a cursor over the data being decoded.
type reader struct {
	b   []byte
	off int
}

func (r *reader) fail(msg string) error {
	return &FormatError{Offset: int64(r.off), Msg: msg}
}

// uvarint reads a uvarint in its shortest form, so that each outline has
// one encoding.
func (r *reader) uvarint(what string) (uint64, error) {
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 || n > 1 && r.b[r.off+n-1] == 0 {
		return 0, r.fail("bad " + what)
	}
	r.off += n
	return v, nil
}

// varint reads a zigzag-encoded varint in its shortest form.
func (r *reader) varint(what string) (int64, error) {
	u, err := r.uvarint(what)
	return int64(u>>1) ^ -int64(u&1), err
}

// Decode parses data written by [Encode]. On error the Outline is nil.
func Decode(data []byte) (*Outline, error) {
	if len(data) < headerSize || string(data[:4]) != magic {
		return nil, &FormatError{Msg: "not outline data"}
	}
	if data[4] != version {
		return nil, &FormatError{Offset: 4, Msg: fmt.Sprintf("version %d", data[4]), Err: ErrVersion}
	}
	var f [4]float64
	for i := range f {
		f[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[5+8*i:]))
		if math.IsNaN(f[i]) || math.IsInf(f[i], 0) || i < 2 && f[i] <= 0 {
			return nil, &FormatError{Offset: int64(5 + 8*i), Msg: "bad transform"}
		}
	}
	o := &Outline{Scale: [2]float64{f[0], f[1]}, Translate: [2]float64{f[2], f[3]}}
	r := &reader{b: data, off: headerSize}
	nLand, err := r.uvarint("land ring count")
	if err != nil {
		return nil, err
	}
	nBorders, err := r.uvarint("border line count")
	if err != nil {
		return nil, err
	}
	// Each line takes at least one byte.
	if left := uint64(len(data) - r.off); nLand > left || nBorders > left-nLand {
		return nil, r.fail("line count exceeds data")
	}
	total := 0
	o.Land = make([][]Q, 0, nLand)
	o.Borders = make([][]Q, 0, nBorders)
	for i := uint64(0); i < nLand+nBorders; i++ {
		land := i < nLand
		start := r.off
		n, err := r.uvarint("point count")
		if err != nil {
			return nil, err
		}
		// Each point takes at least two bytes.
		if n > uint64(len(data)-r.off)/2 || total+int(n) > MaxPoints {
			return nil, r.fail("point count exceeds data")
		}
		total += int(n)
		if land && n < 4 || n < 2 {
			return nil, r.fail(fmt.Sprintf("line of %d points", n))
		}
		l := make([]Q, n)
		var x, y int64
		for j := range l {
			dx, err := r.varint("x")
			if err != nil {
				return nil, err
			}
			dy, err := r.varint("y")
			if err != nil {
				return nil, err
			}
			x, y = x+dx, y+dy
			if x != int64(int32(x)) || y != int64(int32(y)) {
				return nil, r.fail("point out of range")
			}
			l[j] = Q{int32(x), int32(y)}
			if lon, lat := o.LonLat(l[j]); !(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90) {
				return nil, r.fail(fmt.Sprintf("point (%g, %g) off the globe", lon, lat))
			}
		}
		if land {
			if l[0] != l[n-1] {
				return nil, &FormatError{Offset: int64(start), Msg: "land ring not closed"}
			}
			o.Land = append(o.Land, l)
		} else {
			o.Borders = append(o.Borders, l)
		}
	}
	if r.off != len(data) {
		return nil, r.fail("trailing data")
	}
	return o, nil
}
