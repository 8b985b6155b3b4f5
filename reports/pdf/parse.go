package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// A small reader for the parts of a PDF file that attachments need: the
// cross-reference tables and trailers (ISO 32000-1, 7.5.4 and 7.5.5), and
// indirect objects (7.3). It reads classic cross-reference tables only,
// not cross-reference streams or object streams (PDF 1.5), and no
// encrypted files. Input is untrusted: every offset and length is checked
// against the file's size before use, nesting is limited to maxDepth,
// the chain of sections to maxSections, and the bytes parsed in all to
// twice the input plus 1 MiB (file.spend), so time and memory stay
// proportional to the input.

const (
	maxDepth    = 32      // nesting of arrays and dictionaries
	maxSections = 256     // cross-reference sections followed through Prev
	maxRefChain = 8       // references followed from one value
	maxObject   = 8388607 // highest object number (ISO 32000-1, annex C)
)

var (
	// ErrUnsupported is returned for PDF files that use features this
	// package does not read: cross-reference streams, encryption, or a
	// generation number other than 0 on an object it must rewrite.
	ErrUnsupported = errors.New("pdf: unsupported file structure")

	errSyntax = errors.New("syntax error")
)

// FormatError is a malformed PDF file: what is wrong and the byte offset
// where it was found. It unwraps to the cause.
type FormatError struct {
	Offset int64 // -1 when the problem is not at one place, such as a loop
	Err    error
}

func (e *FormatError) Error() string {
	if e.Offset < 0 {
		return fmt.Sprintf("pdf: malformed file: %v", e.Err)
	}
	return fmt.Sprintf("pdf: malformed file at offset %d: %v", e.Offset, e.Err)
}

func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(off int, format string, args ...any) error {
	return &FormatError{Offset: int64(off), Err: fmt.Errorf("%w: "+format, append([]any{errSyntax}, args...)...)}
}

// PDF values as parsed: nil (null), bool, int64, real (a number with a
// fraction, kept as its text), []byte (a string), name, []any (an
// array), *dict and ref.
type (
	real string
	name string
	ref  struct{ num, gen int }
)

// dict is a dictionary that keeps its keys in file order, so that what
// is written back is what was read.
type dict struct {
	keys []name
	vals []any
}

// get returns k's value, nil if there is none. Of keys given twice (which
// ISO 32000-1 leaves undefined), the last counts.
func (d *dict) get(k name) any {
	if d == nil {
		return nil
	}
	for i := len(d.keys) - 1; i >= 0; i-- {
		if d.keys[i] == k {
			return d.vals[i]
		}
	}
	return nil
}

// set replaces the value that get returns for k, or adds k at the end.
func (d *dict) set(k name, v any) {
	for i := len(d.keys) - 1; i >= 0; i-- {
		if d.keys[i] == k {
			d.vals[i] = v
			return
		}
	}
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
}

func (d *dict) clone() *dict {
	return &dict{keys: slices.Clone(d.keys), vals: slices.Clone(d.vals)}
}

// lexer reads tokens from b starting at pos.
type lexer struct {
	b   []byte
	pos int
}

func isWhite(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isDelim(c byte) bool {
	return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0
}

// skip skips white space and comments.
func (l *lexer) skip() {
	for l.pos < len(l.b) {
		switch c := l.b[l.pos]; {
		case isWhite(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

// word returns the regular characters from pos: a number or keyword.
func (l *lexer) word() string {
	l.skip()
	start := l.pos
	for l.pos < len(l.b) && !isWhite(l.b[l.pos]) && !isDelim(l.b[l.pos]) {
		l.pos++
	}
	return string(l.b[start:l.pos])
}

// keyword consumes word w if it is next, reporting whether it was.
func (l *lexer) keyword(w string) bool {
	save := l.pos
	if l.word() == w {
		return true
	}
	l.pos = save
	return false
}

// integer reads a non-negative integer that fits in an int.
func (l *lexer) integer() (int, bool) {
	save := l.pos
	w := l.word()
	if w == "" || w[0] < '0' || w[0] > '9' {
		l.pos = save
		return 0, false
	}
	n, err := strconv.ParseInt(w, 10, 32)
	if err != nil || n < 0 {
		l.pos = save
		return 0, false
	}
	return int(n), true
}

// value reads one value at nesting depth.
func (l *lexer) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, formatErr(l.pos, "nesting deeper than %d", maxDepth)
	}
	l.skip()
	if l.pos >= len(l.b) {
		return nil, formatErr(l.pos, "unexpected end of file")
	}
	start := l.pos
	switch c := l.b[l.pos]; c {
	case '/':
		l.pos++
		return l.name(), nil
	case '(':
		return l.literal()
	case '[':
		l.pos++
		var arr []any
		for {
			l.skip()
			if l.pos < len(l.b) && l.b[l.pos] == ']' {
				l.pos++
				return arr, nil
			}
			v, err := l.value(depth + 1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
	case '<':
		if l.pos+1 < len(l.b) && l.b[l.pos+1] == '<' {
			l.pos += 2
			return l.dictionary(depth)
		}
		return l.hexString()
	}
	w := l.word()
	switch w {
	case "":
		return nil, formatErr(start, "unexpected %q", l.b[start])
	case "true", "false":
		return w == "true", nil
	case "null":
		return nil, nil
	}
	if n, err := strconv.ParseInt(w, 10, 64); err == nil {
		// An integer may start a reference: "num gen R".
		save := l.pos
		if n >= 0 && n <= 1<<31 {
			if gen, ok := l.integer(); ok && l.keyword("R") {
				return ref{int(n), gen}, nil
			}
		}
		l.pos = save
		return n, nil
	}
	if _, err := strconv.ParseFloat(w, 64); err == nil && !bytes.ContainsAny([]byte(w), "eEinfINFxXpP_") {
		return real(w), nil
	}
	return nil, formatErr(start, "unknown token %q", truncate(w))
}

func truncate(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}

func (l *lexer) dictionary(depth int) (*dict, error) {
	d := &dict{}
	for {
		l.skip()
		if l.pos+1 < len(l.b) && l.b[l.pos] == '>' && l.b[l.pos+1] == '>' {
			l.pos += 2
			return d, nil
		}
		if l.pos >= len(l.b) || l.b[l.pos] != '/' {
			return nil, formatErr(l.pos, "dictionary key is not a name")
		}
		l.pos++
		k := l.name()
		v, err := l.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.keys = append(d.keys, k)
		d.vals = append(d.vals, v)
	}
}

// name reads a name after its slash, decoding #xx escapes.
func (l *lexer) name() name {
	var b []byte
	for l.pos < len(l.b) && !isWhite(l.b[l.pos]) && !isDelim(l.b[l.pos]) {
		c := l.b[l.pos]
		l.pos++
		if c == '#' && l.pos+2 <= len(l.b) {
			if v, err := strconv.ParseUint(string(l.b[l.pos:l.pos+2]), 16, 8); err == nil {
				c = byte(v)
				l.pos += 2
			}
		}
		b = append(b, c)
	}
	return name(b)
}

func (l *lexer) hexString() ([]byte, error) {
	start := l.pos
	l.pos++
	var out []byte
	var hi byte
	odd := false
	for ; l.pos < len(l.b); l.pos++ {
		c := l.b[l.pos]
		var v byte
		switch {
		case c == '>':
			l.pos++
			if odd {
				out = append(out, hi<<4)
			}
			return out, nil
		case isWhite(c):
			continue
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return nil, formatErr(l.pos, "bad hex digit %q", c)
		}
		if odd {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		odd = !odd
	}
	return nil, formatErr(start, "unterminated hex string")
}

func (l *lexer) literal() ([]byte, error) {
	start := l.pos
	l.pos++
	var out []byte
	level := 1
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '(':
			level++
		case ')':
			level--
			if level == 0 {
				return out, nil
			}
		case '\\':
			if l.pos >= len(l.b) {
				continue
			}
			c = l.b[l.pos]
			l.pos++
			switch c {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.pos < len(l.b) && l.b[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if c >= '0' && c <= '7' {
					v := int(c - '0')
					for k := 0; k < 2 && l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '7'; k++ {
						v = v*8 + int(l.b[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				}
			}
		}
		out = append(out, c)
	}
	return nil, formatErr(start, "unterminated string")
}

// file is a parsed PDF file's cross-reference information.
type file struct {
	b         []byte
	startxref int
	trailer   *dict // the newest trailer
	sections  []section
	// objs maps each object number to its offset and the index of the
	// newest section that lists it.
	objs    map[int]xrefEntry
	entries int // entries read in all sections
	work    int // bytes parsed so far, see spend
}

// spend records n bytes parsed. Parsing may read one region of the file
// many times (overlapping objects, a name tree's node listed as its own
// kid); the budget, twice the file plus 1 MiB, keeps the work and the
// memory it allocates linear in the file's size.
func (f *file) spend(n int) error {
	f.work += n
	if f.work > 2*len(f.b)+1<<20 {
		return formatErr(-1, "parsing exceeds its budget of work")
	}
	return nil
}

type section struct {
	offset int // where "xref" is
	first  int // lowest offset of an object this section lists, or -1
}

type xrefEntry struct {
	offset, gen, section int
}

// parseFile reads the cross-reference sections of b from the last
// startxref back through each trailer's Prev.
func parseFile(b []byte) (*file, error) {
	tail := max(len(b)-1024, 0)
	i := bytes.LastIndex(b[tail:], []byte("startxref"))
	if i < 0 {
		return nil, formatErr(len(b), "no startxref")
	}
	l := &lexer{b: b, pos: tail + i + len("startxref")}
	start, ok := l.integer()
	if !ok {
		return nil, formatErr(l.pos, "startxref is not an offset")
	}
	f := &file{b: b, startxref: start, objs: make(map[int]xrefEntry)}
	seen := map[int]bool{}
	for off := start; ; {
		if len(f.sections) == maxSections || seen[off] {
			return nil, formatErr(off, "cross-reference sections loop or exceed %d", maxSections)
		}
		seen[off] = true
		trailer, err := f.readSection(off)
		if err != nil {
			return nil, err
		}
		if f.trailer == nil {
			f.trailer = trailer
		}
		if trailer.get("Encrypt") != nil {
			return nil, fmt.Errorf("%w: encrypted", ErrUnsupported)
		}
		prev, ok := trailer.get("Prev").(int64)
		if trailer.get("Prev") == nil {
			break
		}
		if !ok || prev < 0 || prev >= int64(len(b)) {
			return nil, formatErr(off, "bad Prev")
		}
		off = int(prev)
	}
	return f, nil
}

// readSection reads the cross-reference section at off and returns its
// trailer.
func (f *file) readSection(off int) (*dict, error) {
	if off < 0 || off >= len(f.b) {
		return nil, formatErr(off, "cross-reference offset out of range")
	}
	l := &lexer{b: f.b, pos: off}
	if !l.keyword("xref") {
		if _, ok := l.integer(); ok {
			return nil, fmt.Errorf("%w: cross-reference stream at offset %d", ErrUnsupported, off)
		}
		return nil, formatErr(off, "no xref keyword")
	}
	idx := len(f.sections)
	sec := section{offset: off, first: -1}
	for !l.keyword("trailer") {
		first, ok1 := l.integer()
		count, ok2 := l.integer()
		// Each entry takes at least 18 bytes; sections that overlap
		// cannot make more entries than the file holds.
		if !ok1 || !ok2 || count > len(f.b)/18 || int64(first)+int64(count) > maxObject+1 {
			return nil, formatErr(l.pos, "bad cross-reference subsection")
		}
		if f.entries += count; f.entries > len(f.b)/18 {
			return nil, formatErr(l.pos, "more cross-reference entries than the file can hold")
		}
		for n := first; n < first+count; n++ {
			o, ok1 := l.integer()
			gen, ok2 := l.integer()
			kind := l.word()
			if !ok1 || !ok2 || kind != "n" && kind != "f" {
				return nil, formatErr(l.pos, "bad cross-reference entry")
			}
			if kind == "f" {
				continue
			}
			if sec.first < 0 || o < sec.first {
				sec.first = o
			}
			if _, ok := f.objs[n]; !ok {
				f.objs[n] = xrefEntry{offset: o, gen: gen, section: idx}
			}
		}
	}
	f.sections = append(f.sections, sec)
	v, err := l.value(0)
	if err != nil {
		return nil, err
	}
	if err := f.spend(l.pos - off); err != nil {
		return nil, err
	}
	trailer, ok := v.(*dict)
	if !ok {
		return nil, formatErr(l.pos, "trailer is not a dictionary")
	}
	return trailer, nil
}

// object reads indirect object n. For a stream it also returns the
// offset of the stream's data.
func (f *file) object(n int) (v any, data int, err error) {
	e, ok := f.objs[n]
	if !ok {
		return nil, 0, formatErr(-1, "object %d not in cross-reference table", n)
	}
	if e.offset >= len(f.b) {
		return nil, 0, formatErr(e.offset, "object %d offset out of range", n)
	}
	l := &lexer{b: f.b, pos: e.offset}
	num, ok1 := l.integer()
	gen, ok2 := l.integer()
	if !ok1 || !ok2 || num != n || gen != e.gen || !l.keyword("obj") {
		return nil, 0, formatErr(e.offset, "object %d header", n)
	}
	v, err = l.value(0)
	if err != nil {
		return nil, 0, err
	}
	if err := f.spend(l.pos - e.offset); err != nil {
		return nil, 0, err
	}
	if _, isDict := v.(*dict); isDict && l.keyword("stream") {
		if l.pos < len(f.b) && f.b[l.pos] == '\r' {
			l.pos++
		}
		if l.pos >= len(f.b) || f.b[l.pos] != '\n' {
			return nil, 0, formatErr(l.pos, "no end of line after stream")
		}
		return v, l.pos + 1, nil
	}
	return v, -1, nil
}

// resolve follows references from v to a value.
func (f *file) resolve(v any) (any, error) {
	for range maxRefChain {
		r, ok := v.(ref)
		if !ok {
			return v, nil
		}
		var err error
		if v, _, err = f.object(r.num); err != nil {
			return nil, err
		}
	}
	return nil, formatErr(-1, "references nested deeper than %d", maxRefChain)
}

// resolveDict is resolve for a value that must be a dictionary or null
// (nil result).
func (f *file) resolveDict(v any) (*dict, error) {
	v, err := f.resolve(v)
	if err != nil || v == nil {
		return nil, err
	}
	d, ok := v.(*dict)
	if !ok {
		return nil, formatErr(-1, "expected a dictionary, found %T", v)
	}
	return d, nil
}
