package hashfile

import (
	"errors"
	"strings"
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

// Percent encoding of paths in JSON and DFXML: JSON strings and XML text
// are Unicode, but file names are byte strings that need not be valid
// UTF-8, and XML 1.0 cannot carry most C0 control characters at all
// (package pctenc; the flag is "path_encoding":"percent" in JSON and
// encoding='percent' on DFXML's <filename>).
