package caseuco

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/pangolin-forensics/pangolin/internal/pctenc"
)

// enc builds one JSON value in memory: members are separated, keys and
// strings quoted by encoding/json. It keeps a stack of open containers
// and whether each has a member yet.
type enc struct {
	b        []byte
	need     []bool
	afterKey bool
}

func (e *enc) reset() {
	e.b, e.need, e.afterKey = e.b[:0], e.need[:0], false
}

// sep writes the comma before a value, unless it follows its key.
func (e *enc) sep() {
	if e.afterKey {
		e.afterKey = false
		return
	}
	if n := len(e.need); n > 0 {
		if e.need[n-1] {
			e.b = append(e.b, ',')
		}
		e.need[n-1] = true
	}
}

func (e *enc) open(c byte) {
	e.sep()
	e.b = append(e.b, c)
	e.need = append(e.need, false)
}

func (e *enc) close(c byte) {
	e.b = append(e.b, c)
	e.need = e.need[:len(e.need)-1]
}

func (e *enc) obj()    { e.open('{') }
func (e *enc) endObj() { e.close('}') }
func (e *enc) arr()    { e.open('[') }
func (e *enc) endArr() { e.close(']') }

// appendJSON appends s as a JSON string. encoding/json escapes quotes,
// control characters and <, >, &, and replaces invalid UTF-8 with U+FFFD.
func appendJSON(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

func (e *enc) key(k string) {
	e.sep()
	e.b = appendJSON(e.b, k)
	e.b = append(e.b, ':')
	e.afterKey = true
}

func (e *enc) str(s string) {
	e.sep()
	e.b = appendJSON(e.b, s)
}

// node opens a node object with its @id and @type (a string for one type,
// an array for several).
func (e *enc) node(id string, types ...string) {
	e.obj()
	e.key("@id")
	e.str(id)
	e.key("@type")
	if len(types) == 1 {
		e.str(types[0])
		return
	}
	e.arr()
	for _, t := range types {
		e.str(t)
	}
	e.endArr()
}

// prop writes a string property; empty strings are left out.
func (e *enc) prop(k, v string) {
	if v == "" {
		return
	}
	e.key(k)
	e.str(v)
}

// strs writes a string-valued property with several values.
func (e *enc) strs(k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	e.key(k)
	e.arr()
	for _, v := range vs {
		e.str(v)
	}
	e.endArr()
}

// ref writes {"k": {"@id": id}}; an empty id is left out.
func (e *enc) ref(k, id string) {
	if id == "" {
		return
	}
	e.key(k)
	e.obj()
	e.key("@id")
	e.str(id)
	e.endObj()
}

// refs writes an array of node references; an empty list is left out.
func (e *enc) refs(k string, ids []string) {
	if len(ids) == 0 {
		return
	}
	e.key(k)
	e.arr()
	for _, id := range ids {
		e.obj()
		e.key("@id")
		e.str(id)
		e.endObj()
	}
	e.endArr()
}

// integer writes a JSON integer, which JSON-LD reads as xsd:integer.
func (e *enc) integer(k string, n int64) {
	e.key(k)
	e.sep()
	e.b = strconv.AppendInt(e.b, n, 10)
}

// boolean writes a JSON boolean, which JSON-LD reads as xsd:boolean.
func (e *enc) boolean(k string, v bool) {
	e.key(k)
	e.sep()
	e.b = strconv.AppendBool(e.b, v)
}

// typed writes a typed literal {"@type": typ, "@value": v}.
func (e *enc) typed(k, typ, v string) {
	e.key(k)
	e.obj()
	e.key("@type")
	e.str(typ)
	e.key("@value")
	e.str(v)
	e.endObj()
}

// dateTime writes t as an xsd:dateTime in RFC 3339; a zero time, or one
// outside the years 1 to 9999 that RFC 3339 can write, is left out.
func (e *enc) dateTime(k string, t time.Time) {
	if v, ok := formatTime(t); ok {
		e.typed(k, "xsd:dateTime", v)
	}
}

func formatTime(t time.Time) (string, bool) {
	if t.IsZero() || t.Year() < 1 || t.Year() > 9999 {
		return "", false
	}
	return t.Format(time.RFC3339Nano), true
}

// decimal writes f as an xsd:decimal (plain digits, no exponent); NaN and
// infinities, which xsd:decimal cannot hold, are left out.
func (e *enc) decimal(k string, f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return
	}
	e.typed(k, "xsd:decimal", strconv.FormatFloat(f, 'f', -1, 64))
}

// evidenceName returns a name or path from evidence as the export writes
// it: unchanged when it is valid UTF-8, else percent-encoded and flagged.
func evidenceName(s string) (string, bool) {
	if utf8.ValidString(s) {
		return s, false
	}
	return pctenc.Encode(s, pctenc.AnyChar)
}
