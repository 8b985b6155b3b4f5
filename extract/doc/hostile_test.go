package doc

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"strings"
	"testing"
	"time"
)

// bombDOCX returns a DOCX whose document part inflates to n zero bytes
// while its headers claim `claimed` bytes.
func bombDOCX(t testing.TB, n int, claimed uint64) []byte {
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	zeros := make([]byte, 1<<16)
	crc := crc32.NewIEEE()
	for left := n; left > 0; left -= len(zeros) {
		chunk := zeros[:min(left, len(zeros))]
		fw.Write(chunk)
		crc.Write(chunk)
	}
	fw.Close()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	fh := &zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate, CRC32: crc.Sum32(),
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: claimed}
	f, err := w.CreateRaw(fh)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(comp.Bytes())
	w.Close()
	return buf.Bytes()
}

// TestHostile feeds inputs built to exhaust memory or time; each must end
// quickly with an error or bounded text.
func TestHostile(t *testing.T) {
	deepXML := buildDOCX(t, strings.Repeat("<w:p>", 5_000)+"<w:r><w:t>deep</w:t></w:r>"+strings.Repeat("</w:p>", 5_000))
	docx := buildDOCX(t, docxBody)
	tests := []struct {
		name    string
		data    []byte
		mime    string
		wantErr error // nil: any error or none
		maxText int
	}{
		{"zip bomb claimed small", bombDOCX(t, 10<<20, 100), mimeDOCX, nil, 0},
		{"zip bomb claimed huge", bombDOCX(t, 10<<20, 10<<20), mimeDOCX, ErrTooLarge, 0},
		{"zip bomb claimed beyond MaxInput", bombDOCX(t, 10<<20, 1<<40), mimeDOCX, ErrTooLarge, 0},
		{"deeply nested XML", deepXML, mimeDOCX, &FormatError{}, 0},
		{"truncated zip", docx[:len(docx)/2], mimeDOCX, &FormatError{}, 0},
		{"truncated zip, no type", docx[:len(docx)/2], "application/zip", ErrUnsupported, 0},
		{"rtf 100k nested groups", []byte(`{\rtf1 ` + strings.Repeat("{", 100_000) + "deep" + strings.Repeat("}", 100_000) + "}"), "text/rtf", nil, 100},
		{"rtf unclosed groups", []byte(`{\rtf1 ` + strings.Repeat(`{\*\x `, 100_000)), "text/rtf", nil, 0},
		{"rtf huge bin", []byte(`{\rtf1 \bin999999999999 x}`), "text/rtf", nil, 0},
		{"rtf long control word", []byte(`{\rtf1 \` + strings.Repeat("a", 1<<20) + `123456789012345678901234567890 text}`), "text/rtf", nil, 100},
		{"html deep nesting", []byte(strings.Repeat("<div><script>", 100_000) + "x"), "text/html", nil, 0},
		{"html long token", []byte("<p>" + strings.Repeat("a", 20<<20)), "text/html", nil, DefaultMaxText},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			got, err := Text(bytes.NewReader(tc.data), int64(len(tc.data)), tc.mime, Limits{})
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
			switch want := tc.wantErr.(type) {
			case nil:
			case *FormatError:
				var fe *FormatError
				if !errors.As(err, &fe) {
					t.Errorf("error = %v, want a *FormatError", err)
				}
			default:
				if !errors.Is(err, want) {
					t.Errorf("error = %v, want %v", err, want)
				}
			}
			if len(got) > max(tc.maxText, 1<<10) {
				t.Errorf("text of %d bytes", len(got))
			}
			if _, err := Metadata(bytes.NewReader(tc.data), int64(len(tc.data)), tc.mime); err == nil && tc.wantErr == ErrTooLarge {
				t.Log("metadata read without touching the bomb part")
			}
		})
	}
}

// TestLimitsMaxInput checks that MaxInput bounds decompression across
// parts.
func TestLimitsMaxInput(t *testing.T) {
	body := strings.Repeat("<w:p><w:r><w:t>timber samples shipped</w:t></w:r></w:p>", 20_000)
	data := buildDOCX(t, body)
	_, err := Text(bytes.NewReader(data), int64(len(data)), mimeDOCX, Limits{MaxInput: 64 << 10})
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("error = %v, want ErrTooLarge", err)
	}
}
