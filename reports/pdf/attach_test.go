package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// small returns a document without text (so without fonts): a quick,
// small seed for the attachment tests.
var small = sync.OnceValue(func() []byte {
	d := New(Options{Title: "small", Created: testCreated})
	d.Drawing(10, 10, func(c *Canvas) { c.Rect(0, 0, 10, 10); c.Fill() })
	b, err := d.Bytes()
	if err != nil {
		panic(err)
	}
	return b
})

func TestAttachmentRoundTrip(t *testing.T) {
	ledger := []byte("{\"seq\":1,\"action\":\"report\"}\n")
	tests := []struct {
		name string
		doc  []byte
	}{
		{"small", small()},
		{"report", build(t, sampleDocument(t))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			one, err := AppendAttachment(tt.doc, "ledger.jsonl", ledger)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(one, tt.doc) {
				t.Fatal("the document is not a prefix of the result")
			}
			again, _ := AppendAttachment(tt.doc, "ledger.jsonl", ledger)
			if !bytes.Equal(one, again) {
				t.Fatal("AppendAttachment is not deterministic")
			}
			two, err := AppendAttachment(one, "Приложение ملحق 附件.bin", []byte{0, 1, 2, 0xFF})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				name string
				data []byte
				base int
			}{
				{"ledger.jsonl", ledger, len(tt.doc)},
				{"Приложение ملحق 附件.bin", []byte{0, 1, 2, 0xFF}, len(one)},
			} {
				data, base, err := ReadAttachment(two, c.name)
				if err != nil || !bytes.Equal(data, c.data) || base != int64(c.base) {
					t.Fatalf("ReadAttachment(%q) = %q, %d, %v; want %q, %d", c.name, data, base, err, c.data, c.base)
				}
				// The verifier's check.
				re, err := AppendAttachment(two[:base], c.name, data)
				if err != nil || !bytes.HasPrefix(two, re) {
					t.Fatalf("re-running AppendAttachment does not give a prefix: %v", err)
				}
			}
			if _, _, err := ReadAttachment(two, "missing"); !errors.Is(err, ErrNoAttachment) {
				t.Errorf("missing attachment: err = %v, want ErrNoAttachment", err)
			}
			if _, _, err := ReadAttachment(tt.doc, "ledger.jsonl"); !errors.Is(err, ErrNoAttachment) {
				t.Errorf("document without attachments: err = %v, want ErrNoAttachment", err)
			}
			if _, err := AppendAttachment(two, "ledger.jsonl", nil); !errors.Is(err, ErrExists) {
				t.Errorf("duplicate name: err = %v, want ErrExists", err)
			}
			qpdfCheck(t, two)
			detach(t, two, ledger)
		})
	}
}

// detach checks with pdfdetach, an independent reader, that the first
// embedded file is data.
func detach(t *testing.T, doc, data []byte) {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	run(t, "pdfdetach", "-save", "1", "-o", out, writeTemp(t, "a.pdf", doc))
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("pdfdetach saved %q, want %q", got, data)
	}
}

// TestAttachmentTamper changes one byte in each part of a document with
// an attachment and checks that the verifier's checks catch it.
func TestAttachmentTamper(t *testing.T) {
	doc := small()
	signed, err := AppendAttachment(doc, "ledger.jsonl", []byte("ledger"))
	if err != nil {
		t.Fatal(err)
	}
	verify := func(b []byte) bool {
		data, base, err := ReadAttachment(b, "ledger.jsonl")
		if err != nil || !bytes.Equal(b[:base], doc) {
			return false
		}
		re, err := AppendAttachment(b[:base], "ledger.jsonl", data)
		return err == nil && bytes.Equal(re, b)
	}
	if !verify(signed) {
		t.Fatal("untouched document does not verify")
	}
	for i := range signed {
		b := bytes.Clone(signed)
		b[i] ^= 0x01
		if verify(b) {
			t.Fatalf("flipping a bit of byte %d (%q) is not detected", i, signed[max(i-10, 0):min(i+10, len(signed))])
		}
	}
}

func TestAttachmentErrors(t *testing.T) {
	doc := small()
	for _, name := range []string{"", "a/b", `a\b`, "a\x00b", "a\nb", "\xff", strings.Repeat("x", 256)} {
		if _, err := AppendAttachment(doc, name, nil); err == nil {
			t.Errorf("AppendAttachment(%q): no error", name)
		}
	}
	xrefStream := []byte("%PDF-1.5\n1 0 obj\n<</Type/XRef/Size 2>>\nstream\n\nendstream\nendobj\nstartxref\n9\n%%EOF\n")
	encrypted := bytes.Replace(doc, []byte("trailer\n<<"), []byte("trailer\n<</Encrypt 1 0 R"), 1)
	tests := []struct {
		name string
		doc  []byte
		want error
	}{
		{"empty", nil, errSyntax},
		{"garbage", []byte("not a pdf"), errSyntax},
		{"truncated", doc[:len(doc)-30], errSyntax},
		{"xref stream", xrefStream, ErrUnsupported},
		{"encrypted", encrypted, ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := AppendAttachment(tt.doc, "a", nil); !errors.Is(err, tt.want) {
				t.Errorf("AppendAttachment: err = %v, want %v", err, tt.want)
			}
			data, base, err := ReadAttachment(tt.doc, "a")
			if !errors.Is(err, tt.want) || data != nil || base != 0 {
				t.Errorf("ReadAttachment: %q, %d, %v; want %v", data, base, err, tt.want)
			}
			var fe *FormatError
			if errors.Is(tt.want, errSyntax) && !errors.As(err, &fe) {
				t.Errorf("error %v is not a *FormatError", err)
			}
		})
	}
}

// rawPDF returns a PDF file with the given objects, numbered from 1, and
// a trailer whose Root is object 1.
func rawPDF(objs ...string) []byte {
	b := []byte("%PDF-1.7\n")
	var offs []int
	for i, o := range objs {
		offs = append(offs, len(b))
		b = fmt.Appendf(b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := len(b)
	b = fmt.Appendf(b, "xref\n0 %d\n0000000000 65535 f\r\n", len(objs)+1)
	for _, o := range offs {
		b = fmt.Appendf(b, "%010d 00000 n\r\n", o)
	}
	return fmt.Appendf(b, "trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
}

func TestAttachmentStructures(t *testing.T) {
	pages := "<</Type/Pages/Kids[]/Count 0>>"
	t.Run("names by reference", func(t *testing.T) {
		doc := rawPDF("<</Type/Catalog/Pages 2 0 R/Names 3 0 R>>", pages, "<</Dests 4 0 R>>", "<</Names[]>>")
		out, err := AppendAttachment(doc, "a", []byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(out[len(doc):], []byte("3 0 obj\n<</Dests 4 0 R/EmbeddedFiles 7 0 R>>")) {
			t.Errorf("Names dictionary not rewritten:\n%s", out[len(doc):])
		}
		if data, base, err := ReadAttachment(out, "a"); err != nil || string(data) != "x" || base != int64(len(doc)) {
			t.Errorf("ReadAttachment: %q, %d, %v", data, base, err)
		}
		qpdfCheck(t, out)
	})
	t.Run("tree with kids", func(t *testing.T) {
		doc := rawPDF("<</Type/Catalog/Pages 2 0 R/Names<</EmbeddedFiles 3 0 R>>>>", pages,
			"<</Kids[4 0 R]>>", "<</Limits[(old)(old)]/Names[(old) 5 0 R]>>",
			"<</Type/Filespec/F(old)/EF<</F 6 0 R>>>>", "<</Type/EmbeddedFile/Length 3>>\nstream\nOLD\nendstream")
		out, err := AppendAttachment(doc, "new", []byte("NEW"))
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]string{"old": "OLD", "new": "NEW"} {
			if data, _, err := ReadAttachment(out, name); err != nil || string(data) != want {
				t.Errorf("ReadAttachment(%q): %q, %v", name, data, err)
			}
		}
		qpdfCheck(t, out)
	})
	t.Run("listed twice", func(t *testing.T) {
		doc := rawPDF("<</Type/Catalog/Names<</EmbeddedFiles<</Names[(a) 2 0 R (a) 2 0 R]>>>>>>",
			"<</EF<</F 3 0 R>>>>", "<</Length 1>>\nstream\nx\nendstream")
		if _, _, err := ReadAttachment(doc, "a"); !errors.Is(err, errSyntax) {
			t.Errorf("err = %v, want a FormatError", err)
		}
	})
	t.Run("kids loop", func(t *testing.T) {
		kids := strings.Repeat("2 0 R ", 2000)
		doc := rawPDF("<</Type/Catalog/Names<</EmbeddedFiles 2 0 R>>>>", "<</Kids["+kids+"]>>")
		start := time.Now()
		if _, _, err := ReadAttachment(doc, "a"); !errors.Is(err, errSyntax) {
			t.Errorf("err = %v, want a FormatError", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("object numbers past Size", func(t *testing.T) {
		doc := bytes.Replace(rawPDF("<</Type/Catalog>>", pages), []byte("/Size 3"), []byte("/Size 1"), 1)
		out, err := AppendAttachment(doc, "a", []byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		if data, _, err := ReadAttachment(out, "a"); err != nil || string(data) != "x" {
			t.Errorf("ReadAttachment: %q, %v", data, err)
		}
	})
}

// FuzzReadAttachment requires ReadAttachment not to panic, to return no
// data on error, and on success to return a base inside the input from
// which AppendAttachment rebuilds an update that reads back the same.
func FuzzReadAttachment(f *testing.F) {
	one, err := AppendAttachment(small(), "ledger.jsonl", []byte("ledger"))
	if err != nil {
		f.Fatal(err)
	}
	two, err := AppendAttachment(one, "second", []byte("(x)"))
	if err != nil {
		f.Fatal(err)
	}
	kids := rawPDF("<</Type/Catalog/Names<</EmbeddedFiles 2 0 R>>>>", "<</Kids[3 0 R]>>",
		"<</Names[(a) 4 0 R]>>", "<</EF<</F 5 0 R>>>>", "<</Length 5 0 R>>\nstream\nx\nendstream")
	f.Add(kids, "a")
	f.Add(one, "ledger.jsonl")
	f.Add(two, "second")
	f.Add(two, "ledger.jsonl")
	f.Add([]byte("xref\n0 1\n0000000000 65535 f\r\ntrailer\n<</Root 1 0 R/Prev 0>>\nstartxref\n0\n%%EOF"), "a")
	f.Add([]byte("1 0 obj\n<</Names<</EmbeddedFiles<</Kids[1 0 R]>>>>>>\nendobj\nxref\n1 1\n0000000000 00000 n\r\ntrailer\n<</Root 1 0 R/Size 2>>\nstartxref\n57\n%%EOF"), "a")
	f.Fuzz(func(t *testing.T, doc []byte, name string) {
		data, base, err := ReadAttachment(doc, name)
		if err != nil {
			if data != nil || base != 0 {
				t.Fatalf("error %v with data %q, base %d", err, data, base)
			}
			return
		}
		if base < 0 || base > int64(len(doc)) {
			t.Fatalf("base %d outside the %d-byte input", base, len(doc))
		}
		re, err := AppendAttachment(doc[:base], name, data)
		if err != nil {
			return
		}
		data2, base2, err := ReadAttachment(re, name)
		if err != nil || !bytes.Equal(data2, data) || base2 != base {
			t.Fatalf("rebuilt update reads back %q, %d, %v; want %q, %d", data2, base2, err, data, base)
		}
	})
}
