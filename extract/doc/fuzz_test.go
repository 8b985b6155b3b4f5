package doc

import (
	"bytes"
	"errors"
	"testing"
	"unicode/utf8"
)

var fuzzMIMEs = []string{mimeDOCX, mimeXLSX, mimePPTX, mimeODT, "text/rtf", "text/html", "text/plain", "",
	"application/vnd.oasis.opendocument.text-flat-xml", "application/zip"}

// checkText requires what every call must give: valid UTF-8 within the
// limit, and no text with an error other than ErrTruncated or a
// FormatError.
func checkText(t *testing.T, got string, err error, lim Limits) {
	if !utf8.ValidString(got) {
		t.Errorf("invalid UTF-8 text")
	}
	if len(got) > lim.MaxText {
		t.Errorf("text of %d bytes beyond MaxText %d", len(got), lim.MaxText)
	}
	var fe *FormatError
	if err != nil && !errors.Is(err, ErrTruncated) && !errors.As(err, &fe) && got != "" {
		t.Errorf("text %q with error %v", got, err)
	}
}

func FuzzText(f *testing.F) {
	seeds := [][]byte{buildDOCX(f, docxBody), buildXLSX(f), buildPPTX(f), buildODT(f, mimeODT, odtBody), buildODT(f, mimeODS, odsBody),
		[]byte(`{\rtf1\ansi\ansicpg1251{\fonttbl{\f1\fcharset134 x;}}{\info{\title t}}\'cf\u8364?\par}`),
		[]byte(`<html><meta charset="gbk"><title>t</title><p>x<td>y</p>`), []byte("\xff\xfeh\x00i\x00")}
	for i, s := range seeds {
		f.Add(s, uint8(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		mime := fuzzMIMEs[int(which)%len(fuzzMIMEs)]
		lim := Limits{MaxText: 1 << 16, MaxInput: 1 << 22}
		got, err := Text(bytes.NewReader(data), int64(len(data)), mime, lim)
		checkText(t, got, err, lim)
		m, err := Metadata(bytes.NewReader(data), int64(len(data)), mime)
		if (m == nil) == (err == nil) {
			t.Errorf("Metadata = %v, %v: want exactly one", m, err)
		}
		s, err := Strings(bytes.NewReader(data), int64(len(data)), 4, lim)
		checkText(t, s, err, lim)
	})
}

func FuzzRTF(f *testing.F) {
	for _, s := range []string{
		`{\rtf1\ansi\ansicpg1251\deff0{\fonttbl{\f0\froman Times;}}\'cf\'f0\par}`,
		`{\rtf1{\info{\author a}{\creatim\yr2006\mo5\dy18}\nofpages3}{\*\x y}\uc2\u8364\'80\'80\u-10179?\u-8704?{\upr{a}{\*\ud{b}}}\bin3 abc}`,
		`{\rtf1\fcharset128\f1\'82\'a0\cell\row\~\_\-\emdash}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxText: 1 << 16, MaxInput: 1 << 22}
		got, err := Text(bytes.NewReader(data), int64(len(data)), "text/rtf", lim)
		checkText(t, got, err, lim)
	})
}
