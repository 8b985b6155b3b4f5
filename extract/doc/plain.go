package doc

import (
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// plainText decodes a text file into out. With sniff set (no MIME type
// given) it refuses content that does not look like text.
func plainText(r io.ReaderAt, size int64, lim Limits, out *sink, sniff bool) error {
	size = min(size, lim.MaxInput)
	head := make([]byte, min(size, detectSample))
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		return err
	}
	enc := DetectEncoding(head)
	if sniff && !looksLikeText(head, enc) {
		return ErrUnsupported
	}
	var tr transform.Transformer
	if d := enc.Decoder(); d != nil {
		tr = d
		if enc.Name == "windows-1258" {
			// Vietnamese tone marks come as combining characters.
			tr = transform.Chain(d, norm.NFC)
		}
	}
	return decodeInto(io.NewSectionReader(r, int64(enc.BOM), size-int64(enc.BOM)), tr, out)
}

// looksLikeText reports whether a sample decodes to text: few control
// characters and no NULs outside UTF-16 and UTF-32.
func looksLikeText(head []byte, enc Encoding) bool {
	if len(head) == 0 {
		return false
	}
	s := head
	if d := enc.Decoder(); d != nil {
		b, err := d.Bytes(head[:len(head)&^3])
		if err != nil {
			return false
		}
		s = b
	}
	bad, n := 0, 0
	for len(s) > 0 {
		r, sz := utf8.DecodeRune(s)
		s = s[sz:]
		n++
		if r == utf8.RuneError && sz == 1 && len(s) > 3 || r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' && r != 0x1a {
			bad++
		}
	}
	return bad*50 < n
}

// decodeInto streams r through d (nil for UTF-8) into out, replacing
// invalid sequences and dropping control characters.
func decodeInto(r io.Reader, d transform.Transformer, out *sink) error {
	if d != nil {
		r = transform.NewReader(r, d)
	}
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		n += carry
		end := n
		if err == nil {
			// Keep a rune cut at the end of the buffer for the next read.
			for i := 1; i < utf8.UTFMax && i <= end; i++ {
				if utf8.RuneStart(buf[end-i]) {
					if !utf8.FullRune(buf[end-i : end]) {
						end -= i
					}
					break
				}
			}
		}
		if end > 0 {
			s := strings.ToValidUTF8(string(buf[:end]), "\uFFFD")
			s = strings.Map(dropControl, s)
			if werr := out.text(s); werr != nil {
				return werr
			}
		}
		carry = copy(buf, buf[end:n])
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var fe *FormatError
			if errors.As(err, &fe) {
				return err
			}
			return &FormatError{Msg: "decode text", Err: err}
		}
	}
}

func dropControl(r rune) rune {
	if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' || r == 0x7f || r == 0xFEFF {
		return -1
	}
	return r
}
