package email

import (
	"bytes"
	"io"
	"mime"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// rawField is one header field as found: the name as written and the
// value unfolded (line breaks of folds removed) but not decoded.
type rawField struct {
	name  string
	value string
}

// parseHeader reads the header block at the start of b. It returns the
// fields, the index where the body starts, and whether fields were
// dropped at max. Like Python's feedparser, the first line that is neither
// a field nor a continuation ends the header (and belongs to the body); a
// leading "From " line (an MBOX separator left in) is skipped.
func parseHeader(b []byte, max int64) (fields []rawField, body int, dropped bool) {
	pos := 0
	first := true
	for pos < len(b) {
		eol := bytes.IndexByte(b[pos:], '\n')
		next := len(b)
		line := b[pos:]
		if eol >= 0 {
			line = b[pos : pos+eol]
			next = pos + eol + 1
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			return fields, next, dropped
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(fields) > 0 && !dropped {
				f := &fields[len(fields)-1]
				if len(f.value) < 1<<20 {
					f.value += string(line)
				}
			} else if len(fields) == 0 {
				// A continuation with nothing to continue: body.
				return fields, pos, dropped
			}
			pos, first = next, false
			continue
		}
		if first && bytes.HasPrefix(line, []byte("From ")) {
			pos, first = next, false
			continue
		}
		first = false
		colon := bytes.IndexByte(line, ':')
		if colon < 0 || !validFieldName(bytes.TrimRight(line[:colon], " \t")) {
			return fields, pos, dropped
		}
		if int64(len(fields)) >= max {
			dropped = true
		} else {
			fields = append(fields, rawField{
				name:  string(bytes.TrimRight(line[:colon], " \t")),
				value: string(line[colon+1:]),
			})
		}
		pos = next
	}
	return fields, len(b), dropped
}

func validFieldName(n []byte) bool {
	if len(n) == 0 {
		return false
	}
	for _, c := range n {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// get returns the first field named name (case-insensitive), and whether
// there is one.
func get(fs []rawField, name string) (string, bool) {
	for _, f := range fs {
		if strings.EqualFold(f.name, name) {
			return f.value, true
		}
	}
	return "", false
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(io.LimitReader(input, 1<<20))
	if err != nil {
		return nil, err
	}
	return strings.NewReader(decodeCharset(b, charset)), nil
}

// decodeText decodes a header value: raw 8-bit bytes as UTF-8 or
// Windows-1252, then RFC 2047 encoded words.
func decodeText(s string) string {
	s = rawToUTF8(s)
	if strings.Contains(s, "=?") {
		if d, err := wordDecoder.DecodeHeader(s); err == nil {
			s = d
		}
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// rawToUTF8 returns s unchanged when it is UTF-8, else read as
// Windows-1252.
func rawToUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out, err := charmap.Windows1252.NewDecoder().String(s)
	if err != nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return out
}

// charsetAliases maps labels that the WHATWG and IANA tables lack to ones
// they have.
var charsetAliases = map[string]string{
	"cp936": "gbk", "ms936": "gbk", "x-mac-chinesesimp": "gbk",
	"cp932": "shift_jis", "ms932": "shift_jis", "x-sjis": "shift_jis", "sjis": "shift_jis",
	"cp949": "euc-kr", "ms949": "euc-kr", "ks_c_5601": "euc-kr", "x-windows-949": "euc-kr",
	"cp950": "big5", "ms950": "big5", "big5-hkscs": "big5",
	"cp874": "windows-874", "ms874": "windows-874", "tis620": "windows-874", "iso-8859-11": "windows-874",
	"cp20866": "koi8-r", "cp21866": "koi8-u", "koi8": "koi8-r",
	"cp65001": "utf-8", "utf8mb4": "utf-8",
	"cp28591": "iso-8859-1", "latin-1": "iso-8859-1",
}

// lookupEncoding finds a charset by name; nil when unknown.
func lookupEncoding(name string) encoding.Encoding {
	n := strings.ToLower(strings.Trim(strings.TrimSpace(name), "\"' "))
	if n == "" {
		return nil
	}
	if a, ok := charsetAliases[n]; ok {
		n = a
	}
	switch n {
	case "utf-16", "utf16", "ucs-2":
		return xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM)
	case "utf-16le", "unicode", "cp1200":
		return xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM)
	case "utf-16be", "cp1201":
		return xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM)
	}
	if strings.HasPrefix(n, "cp125") && len(n) == 6 {
		n = "windows-" + n[2:]
	}
	if e, err := htmlindex.Get(n); err == nil && e != nil {
		return e
	}
	for _, idx := range []*ianaindex.Index{ianaindex.IANA, ianaindex.MIME} {
		if e, err := idx.Encoding(n); err == nil && e != nil {
			return e
		}
	}
	if strings.HasPrefix(n, "x-") {
		return lookupEncoding(n[2:])
	}
	return nil
}

// decodeCharset turns b, labelled with charset, into UTF-8. Unknown or
// wrong labels fall back to UTF-8 when b is valid UTF-8, else
// Windows-1252, so that no byte is lost.
func decodeCharset(b []byte, charset string) string {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	enc := lookupEncoding(charset)
	if enc == nil || enc == encoding.Nop {
		return fallbackText(b)
	}
	if name, _ := htmlindex.Name(enc); name == "utf-8" {
		return fallbackText(b)
	}
	// Latin labels on UTF-8 text are a common mislabel: non-ASCII text
	// that is valid UTF-8 is nearly never meant as Latin.
	if enc == charmap.Windows1252 || enc == charmap.ISO8859_1 {
		if utf8.Valid(b) {
			return string(b)
		}
	}
	out, _, err := transform.Bytes(enc.NewDecoder(), b)
	if err != nil {
		return fallbackText(b)
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

func fallbackText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// parseAddresses reads an address-list header value. It tries
// net/mail's RFC 5322 parser first, then a lenient split that keeps
// whatever names and addresses it can find.
func parseAddresses(raw string) []Address {
	s := strings.TrimSpace(rawToUTF8(raw))
	if s == "" {
		return nil
	}
	p := mail.AddressParser{WordDecoder: wordDecoder}
	if list, err := p.ParseList(s); err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, Address{Name: a.Name, Email: a.Address})
		}
		return out
	}
	var out []Address
	for _, piece := range splitOutside(s, ',') {
		if a, ok := lenientAddress(piece); ok {
			out = append(out, a)
		}
		if len(out) >= 10000 {
			break
		}
	}
	return out
}

// splitOutside splits s at sep where it is outside quotes, angle
// brackets and comments.
func splitOutside(s string, sep byte) []string {
	var out []string
	quote, angle, paren := false, 0, 0
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote:
			if c == '\\' {
				i++
			} else if c == '"' {
				quote = false
			}
		case c == '"':
			quote = true
		case c == '<':
			angle++
		case c == '>' && angle > 0:
			angle--
		case c == '(':
			paren++
		case c == ')' && paren > 0:
			paren--
		case c == sep && angle == 0 && paren == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func lenientAddress(s string) (Address, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Address{}, false
	}
	var a Address
	if lt := strings.LastIndexByte(s, '<'); lt >= 0 {
		if gt := strings.IndexByte(s[lt:], '>'); gt >= 0 {
			a.Email = strings.TrimSpace(s[lt+1 : lt+gt])
			a.Name = strings.TrimSpace(s[:lt] + " " + s[lt+gt+1:])
		} else {
			a.Email = strings.TrimSpace(s[lt+1:])
			a.Name = strings.TrimSpace(s[:lt])
		}
	} else {
		t := strings.TrimSpace(stripComments(s))
		if strings.Contains(t, "@") {
			a.Email = strings.Trim(t, "\"")
		} else {
			a.Name = t
		}
	}
	a.Name = decodeText(unquote(stripCommentsIfNamed(a.Name)))
	return a, a.Name != "" || a.Email != ""
}

func stripComments(s string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func stripCommentsIfNamed(s string) string {
	if t := strings.TrimSpace(stripComments(s)); t != "" {
		return t
	}
	return strings.Trim(s, "() ")
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
		if strings.Contains(s, "\\") {
			var b strings.Builder
			for i := 0; i < len(s); i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			s = b.String()
		}
	}
	return s
}

const specials = "()<>@,:;.\"[]\\"

func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// String writes the address as Python's email package does: `Name
// <addr>`, the name quoted when it holds a special character; a bare
// address; or a bare name, quoted when it holds specials or spaces.
func (a Address) String() string {
	name := a.Name
	if strings.ContainsAny(name, specials) {
		name = quoteString(name)
	}
	spec := a.Email
	if at := strings.LastIndexByte(spec, '@'); at > 0 {
		if local := spec[:at]; strings.ContainsAny(local, "()<>@,:;\"[]\\ \t") {
			spec = quoteString(local) + spec[at:]
		}
	}
	if spec != "" && !strings.Contains(spec, "@") && strings.ContainsAny(spec, "()<>@,:;\"[]\\ \t") {
		spec = quoteString(spec)
	}
	switch {
	case name != "" && spec != "":
		return name + " <" + spec + ">"
	case spec != "":
		return spec
	case strings.ContainsAny(a.Name, "()<>@,:;\"[]\\ \t"):
		return quoteString(a.Name)
	}
	return a.Name
}

// FormatAddresses joins addresses with ", ", each written by
// [Address.String].
func FormatAddresses(as []Address) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05",
	"Mon Jan _2 15:04:05 2006",
	"Mon Jan _2 15:04:05 MST 2006",
	"Mon Jan _2 15:04:05 -0700 2006",
	time.RFC3339,
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05",
}

// parseDate reads a Date header; zero when it cannot.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t
	}
	c := strings.Join(strings.Fields(stripComments(s)), " ")
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, c); err == nil {
			return t
		}
	}
	return time.Time{}
}

// splitParams splits a structured header value at ';' outside quotes.
func splitParams(s string) []string {
	var out []string
	quote := false
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quote && c == '\\':
			i++
		case c == '"':
			quote = !quote
		case c == ';' && !quote:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if start <= len(s) {
		out = append(out, s[start:])
	}
	return out
}

type section struct {
	value   string
	encoded bool
}

// parseMediaType reads a Content-Type or Content-Disposition value
// leniently: the lower-cased type and its parameters (lower-cased names),
// with RFC 2231 extended and continued values joined and decoded from
// their charset, and RFC 2047 encoded words in plain values decoded.
func parseMediaType(v string) (string, map[string]string) {
	parts := splitParams(v)
	mt := strings.ToLower(strings.TrimSpace(stripComments(parts[0])))
	params := map[string]string{}
	ext := map[string]map[int]section{}
	for i, p := range parts[1:] {
		if i >= 100 {
			break
		}
		k, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.TrimSpace(val)
		if strings.HasPrefix(val, "\"") {
			val = unquoteParam(val)
		}
		if base, rest, star := strings.Cut(k, "*"); star && base != "" {
			idx, enc := 0, false
			switch {
			case rest == "":
				enc = true
			case strings.HasSuffix(rest, "*"):
				enc = true
				rest = strings.TrimSuffix(rest, "*")
				fallthrough
			default:
				n, err := strconv.Atoi(rest)
				if err != nil || n < 0 || n > 1000 {
					continue
				}
				idx = n
			}
			if ext[base] == nil {
				ext[base] = map[int]section{}
			}
			ext[base][idx] = section{val, enc}
			continue
		}
		if _, dup := params[k]; !dup && k != "" {
			params[k] = val
		}
	}
	for k, v := range params {
		if k == "name" || k == "filename" {
			params[k] = decodeText(v)
		} else {
			params[k] = rawToUTF8(v)
		}
	}
	for base, secs := range ext {
		params[base] = join2231(secs)
	}
	return mt, params
}

func join2231(secs map[int]section) string {
	idx := make([]int, 0, len(secs))
	for i := range secs {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	var buf []byte
	charset := ""
	for n, i := range idx {
		s := secs[i]
		v := s.value
		if s.encoded {
			if n == 0 {
				if parts := strings.SplitN(v, "'", 3); len(parts) == 3 {
					charset, v = parts[0], parts[2]
				}
			}
			buf = append(buf, percentDecode(v)...)
		} else {
			buf = append(buf, v...)
		}
	}
	return decodeCharset(buf, charset)
}

func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// sanitizeName makes a file name safe to show and impossible to use as a
// path: control characters, bidirectional controls and path separators
// become '_', "." and ".." become "_", and the name is cut at 255 runes.
func sanitizeName(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n >= 255 {
			break
		}
		n++
		switch {
		case r == '/' || r == '\\' || r == 0x7f || unicode.IsControl(r):
			b.WriteByte('_')
		case unicode.Is(unicode.Bidi_Control, r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	out := strings.TrimSpace(b.String())
	if out == "." || out == ".." {
		return "_"
	}
	return out
}

// messageIDs splits a References or In-Reply-To value into its ids.
func messageIDs(s string) []string {
	var out []string
	for len(s) > 0 && len(out) < 1000 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			break
		}
		gt := strings.IndexByte(s[lt:], '>')
		if gt < 0 {
			break
		}
		out = append(out, s[lt:lt+gt+1])
		s = s[lt+gt+1:]
	}
	if len(out) == 0 {
		out = strings.Fields(s)
	}
	return out
}

// unquoteParam reads a quoted parameter value, tolerating a missing
// closing quote and text after it.
func unquoteParam(s string) string {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String()
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
