// Package pctenc percent-encodes the paths pangolin writes into formats
// that cannot carry every byte of a name found in evidence (JSON, XML):
// a path the format can carry is written as it is; any other path is
// written percent-encoded and flagged by the caller, every byte that is not
// part of a valid, allowed UTF-8 character, and every '%', becoming %XX
// with two upper-case hex digits. Decoding the flagged form gives back the
// exact bytes.
package pctenc

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// XMLChar reports whether XML 1.0 allows r in text (the Char production).
func XMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// AnyChar allows every valid character, as JSON does.
func AnyChar(rune) bool { return true }

// Encode returns p unchanged and false when every character of p is valid
// UTF-8 and allowed; otherwise the percent-encoded form and true.
func Encode(p string, allowed func(rune) bool) (string, bool) {
	if utf8.ValidString(p) && !strings.ContainsFunc(p, func(r rune) bool { return !allowed(r) }) {
		return p, false
	}
	var b strings.Builder
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRuneInString(p[i:])
		if r == utf8.RuneError && n <= 1 || !allowed(r) || r == '%' {
			for _, c := range []byte(p[i : i+n]) {
				Byte(&b, c)
			}
		} else {
			b.WriteString(p[i : i+n])
		}
		i += n
	}
	return b.String(), true
}

// Byte writes c as %XX.
func Byte(b *strings.Builder, c byte) {
	const hexdig = "0123456789ABCDEF"
	b.WriteByte('%')
	b.WriteByte(hexdig[c>>4])
	b.WriteByte(hexdig[c&15])
}

// ErrBad is returned by Decode for a '%' not followed by two hex digits.
var ErrBad = errors.New("bad percent encoding in path")

// Decode reverses Encode.
func Decode(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		hi, ok1 := unhex(s, i+1)
		lo, ok2 := unhex(s, i+2)
		if !ok1 || !ok2 {
			return "", ErrBad
		}
		b.WriteByte(hi<<4 | lo)
		i += 2
	}
	return b.String(), nil
}

func unhex(s string, i int) (byte, bool) {
	if i >= len(s) {
		return 0, false
	}
	switch c := s[i]; {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
