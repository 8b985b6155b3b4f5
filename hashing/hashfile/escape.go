package hashfile

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// sumEscape applies GNU coreutils' escaping of file names in checksum
// lines (coreutils 9, md5sum.c): a name holding a backslash, newline or
// carriage return is written with "\\", "\n" and "\r" for them, and the
// line then starts with a backslash. It reports whether it escaped.
func sumEscape(name string) (string, bool) {
	if !strings.ContainsAny(name, "\\\n\r") {
		return name, false
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		switch c := name[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

var errEscape = errors.New(`bad escape in file name (only \\, \n and \r are allowed)`)

// sumUnescape reverses sumEscape for a line that started with a backslash.
func sumUnescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		i++
		if i == len(s) {
			return "", errEscape
		}
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default:
			return "", errEscape
		}
	}
	return b.String(), nil
}

// Percent encoding of paths in JSON and DFXML.
//
// JSON strings and XML text are Unicode, but file names are byte strings
// that need not be valid UTF-8, and XML 1.0 cannot carry most C0 control
// characters at all. A path that the format can carry is written as it
// is. Any other path is written percent-encoded and flagged (JSON:
// "path_encoding":"percent"; DFXML: encoding='percent' on <filename>):
// every byte that is not part of a valid, allowed UTF-8 character, and
// every '%', becomes %XX with two upper-case hex digits; everything else
// is copied. Decoding the flagged form gives back the exact bytes.

// xmlChar reports whether XML 1.0 allows r in text (the Char production).
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// anyChar allows every valid character, as JSON does.
func anyChar(rune) bool { return true }

// percentEncode returns p unchanged and false when every character of p is
// valid UTF-8 and allowed; otherwise the percent-encoded form and true.
func percentEncode(p string, allowed func(rune) bool) (string, bool) {
	clean := utf8.ValidString(p) && !strings.ContainsFunc(p, func(r rune) bool { return !allowed(r) })
	if clean {
		return p, false
	}
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRuneInString(p[i:])
		if r == utf8.RuneError && n <= 1 || !allowed(r) || r == '%' {
			for _, c := range []byte(p[i : i+n]) {
				b.WriteByte('%')
				b.WriteByte(hexdig[c>>4])
				b.WriteByte(hexdig[c&15])
			}
		} else {
			b.WriteString(p[i : i+n])
		}
		i += n
	}
	return b.String(), true
}

var errPercent = errors.New("bad percent encoding in path")

// percentDecode reverses percentEncode.
func percentDecode(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1:i+3]) {
			return "", errPercent
		}
		b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
		i += 2
	}
	return b.String(), nil
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
