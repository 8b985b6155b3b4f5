package pdf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	stdimage "image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/pangolin-forensics/pangolin/internal/testtool"
)

// The tests that check output with poppler-utils (pdftotext, pdftoppm,
// pdfdetach) and qpdf skip when those are not installed:
//
//	apt-get install -y poppler-utils qpdf

const testHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// scriptSamples are texts in each script the reports must show, each to be
// found again by pdftotext.
var scriptSamples = []struct{ script, text string }{
	{"Latin", "Chain of custody for exhibit EX-001, seized at Mombasa port"},
	{"Cyrillic", "Протокол осмотра вещественных доказательств"},
	{"Greek", "Αποδεικτικό στοιχείο"},
	{"Arabic", "محمد الأحمد يعمل في ميناء جدة"},
	{"Thai", "ผู้ต้องสงสัยถูกจับกุมที่ท่าเรือ"},
	{"Chinese", "非法野生动物贸易调查报告"},
	{"Japanese", "密輸の証拠となる写真"},
	{"Korean", "밀수 증거 사진"},
}

var testCreated = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// sampleDocument builds a report that uses every kind of content.
func sampleDocument(t testing.TB) *Document {
	d := New(Options{Title: "Findings report R-1", Author: "Examiner A. Example", Subject: "Case OP-THUNDER",
		Producer: "pangolin test", Created: testCreated})
	d.Footer(func(page, pages int) string { return fmt.Sprintf("Report R-1 · page %d of %d", page, pages) })
	d.Heading(1, "Findings report")
	for _, s := range scriptSamples {
		d.Heading(3, s.script)
		d.Paragraph(s.text)
	}
	d.Heading(2, "Exhibit EX-001")
	d.KeyValues([][2]string{{"Exhibit", "EX-001"}, {"Seized by", "محمد الأحمد"}, {"Description", strings.Repeat("SD card, 32 GB. ", 20)}})
	d.Mono(testHash)
	d.Table([]string{"File", "Owner", "Note"}, [][]string{
		{"IMG_0001.JPG", "محمد", "ภาพถ่าย"},
		{"IMG_0002.JPG", "李明", "照片"},
	}, []float64{2, 1, 1})
	d.Drawing(200, 80, func(c *Canvas) {
		c.SetFill(Color{200, 30, 30})
		c.Circle(40, 40, 30)
		c.Fill()
		c.SetStroke(Color{0, 0, 160})
		c.SetLineWidth(2)
		c.MoveTo(0, 80)
		c.LineTo(200, 0)
		c.Stroke()
		c.SetFill(Color{})
		c.Text(90, 50, 9, "Mombasa ميناء")
	})
	if err := d.Image(testJPEG(t), 120, 90); err != nil {
		t.Fatal(err)
	}
	if err := d.Image(testPNG(t), 120, 90); err != nil {
		t.Fatal(err)
	}
	return d
}

func testImage() *stdimage.NRGBA {
	m := stdimage.NewNRGBA(stdimage.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			m.SetNRGBA(x, y, color.NRGBA{uint8(4 * x), uint8(5 * y), 128, uint8(255 - 2*x)})
		}
	}
	return m
}

func testJPEG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testPNG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func build(t testing.TB, d *Document) []byte {
	t.Helper()
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeTemp writes b to a file in the test's temporary folder.
func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(testtool.Need(t, name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func qpdfCheck(t *testing.T, doc []byte) {
	t.Helper()
	out := run(t, "qpdf", "--check", writeTemp(t, "check.pdf", doc))
	if !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check:\n%s", out)
	}
}

// normalize drops white space and bidi controls, which pdftotext adds
// around right-to-left text.
func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func TestExtractText(t *testing.T) {
	doc := build(t, sampleDocument(t))
	text := run(t, "pdftotext", "-enc", "UTF-8", writeTemp(t, "r.pdf", doc), "-")
	flat := normalize(text)
	for _, s := range scriptSamples {
		t.Run(s.script, func(t *testing.T) {
			for _, word := range strings.Fields(s.text) {
				w := normalize(word)
				if !strings.Contains(flat, w) && !strings.Contains(flat, reverse(w)) {
					t.Errorf("%q not in pdftotext output:\n%s", word, text)
				}
			}
		})
	}
	for _, want := range []string{testHash, "Report R-1 · page 1 of 2", "Report R-1 · page 2 of 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not in pdftotext output:\n%s", want, text)
		}
	}
}

func TestValid(t *testing.T) {
	doc := build(t, sampleDocument(t))
	qpdfCheck(t, doc)
	withFile, err := AppendAttachment(doc, "ledger.jsonl", []byte(`{"seq":1}`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, withFile)
	info := run(t, "pdfinfo", writeTemp(t, "r.pdf", withFile))
	for _, want := range []string{"Title: Findings report R-1", "Author: Examiner A. Example", "Pages: 2", "(A4)"} {
		if !strings.Contains(strings.Join(strings.Fields(info), " "), want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
}

// TestRender renders pages with only Thai or only CJK text and checks
// that ink lands where the text is.
func TestRender(t *testing.T) {
	for _, s := range scriptSamples {
		t.Run(s.script, func(t *testing.T) {
			d := New(Options{})
			d.Paragraph(s.text)
			dir := t.TempDir()
			in := filepath.Join(dir, "r.pdf")
			if err := os.WriteFile(in, build(t, d), 0o644); err != nil {
				t.Fatal(err)
			}
			run(t, "pdftoppm", "-r", "50", "-png", "-singlefile", in, filepath.Join(dir, "page"))
			f, err := os.Open(filepath.Join(dir, "page.png"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			m, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			// The first line: from the top margin down one line, at 50 dpi.
			y0, y1 := top*50/72, (top+styleBody.lead)*50/72
			region := stdimage.Rect(0, int(y0), m.Bounds().Dx(), int(y1)+1)
			if n := dark(m, region); n < 20 {
				t.Errorf("%d dark pixels where the text is, want 20 or more", n)
			}
			if n := dark(m, m.Bounds()) - dark(m, region); n != 0 {
				t.Errorf("%d dark pixels outside the first line, want 0", n)
			}
		})
	}
}

func dark(m stdimage.Image, r stdimage.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if g := color.GrayModel.Convert(m.At(x, y)).(color.Gray); g.Y < 128 {
				n++
			}
		}
	}
	return n
}

func TestDeterministic(t *testing.T) {
	a := build(t, sampleDocument(t))
	d := sampleDocument(t)
	b := build(t, d)
	if !bytes.Equal(a, b) {
		t.Fatal("two builds of one document differ")
	}
	if c := build(t, d); !bytes.Equal(b, c) {
		t.Fatal("Bytes called twice gives different output")
	}
	if !bytes.Contains(a, []byte("/CreationDate(D:20260314093000Z)")) {
		t.Error("no CreationDate from Options.Created")
	}
}

func TestHostile(t *testing.T) {
	long := strings.Repeat("0123456789abcdef", 100<<10/16)
	hostile := []string{
		")", "(", "\\", "\\)", "<>", "<<", ">>", "]", "%", "%%EOF", "endstream\nendobj\ntrailer\n<<>>",
		"a\x00b\x00\x00", "\xff\xfe\xfd", "\xc3\x28", "\xed\xa0\x80", "\u202Egpj.exe", "\U0001F600\U000F0000",
		"\r\r\n\n\t\v\f\b\x1b[2J", strings.Repeat("\u0301", 50), "ـــ", long,
	}
	d := New(Options{Title: strings.Join(hostile[:12], ""), Author: ")\\(", Producer: "\x00"})
	d.Footer(func(page, pages int) string { return hostile[page%len(hostile)] + strings.Repeat(" x", 200) })
	for _, s := range hostile {
		d.Heading(1, s)
		d.Paragraph(s)
		d.Mono(s)
	}
	d.KeyValues([][2]string{{long, long}, {"", ""}})
	d.Table(hostile, [][]string{hostile, {long}, nil, make([]string, 100)}, []float64{-1, 0})
	d.Table(nil, nil, nil)
	d.Drawing(1e9, -5, func(c *Canvas) { c.Text(0, 0, 1e9, long) })
	d.Drawing(100, 100, func(c *Canvas) {
		c.LineTo(1e300, -1e300)
		c.CurveTo(0, 0, 0, 0, 0, 0)
		c.Rect(0, 0, 1e20, 1e20)
		c.Circle(0, 0, -1)
		c.Close()
		c.FillStroke()
		c.Stroke()
		c.Text(0, 0, 0, "\x00)")
	})
	d.Drawing(100, 100, nil)
	doc := build(t, d)
	if bytes.Contains(doc, []byte("gpj.exe")) || bytes.Contains(doc, []byte("endstream\nendobj\ntrailer\n<<>>")) {
		t.Error("text from the input appears in the file as it is")
	}
	qpdfCheck(t, doc)
	text := run(t, "pdftotext", "-enc", "UTF-8", writeTemp(t, "h.pdf", doc), "-")
	if !strings.Contains(text, "more bytes not shown") {
		t.Error("no truncation marker in the output")
	}
}

func TestLongTable(t *testing.T) {
	d := New(Options{})
	var rows [][]string
	for i := range 120 {
		rows = append(rows, []string{fmt.Sprint(i), fmt.Sprintf("IMG_%04d.JPG", i)})
	}
	// One row taller than a page.
	rows = append(rows, []string{"tall", strings.Repeat("line\n", 80)})
	d.Table([]string{"Number", "File name"}, rows, nil)
	doc := build(t, d)
	qpdfCheck(t, doc)
	path := writeTemp(t, "t.pdf", doc)
	pages := strings.Count(string(doc), "/Type/Page/")
	if pages < 4 {
		t.Fatalf("%d pages, want 4 or more", pages)
	}
	for p := 1; p <= pages; p++ {
		text := run(t, "pdftotext", "-f", fmt.Sprint(p), "-l", fmt.Sprint(p), path, "-")
		if !strings.Contains(text, "Number") || !strings.Contains(text, "File name") {
			t.Errorf("page %d has no header row:\n%s", p, text)
		}
	}
}

func TestImage(t *testing.T) {
	huge := testPNG(t)
	// Rewrite the IHDR width to 30000 pixels, and its CRC.
	binary.BigEndian.PutUint32(huge[16:], 30000)
	binary.BigEndian.PutUint32(huge[29:], crc32.ChecksumIEEE(huge[12:29]))
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"not an image", []byte("GIF89a"), ErrImage},
		{"empty", nil, ErrImage},
		{"too large", huge, ErrImage},
		{"truncated jpeg", testJPEG(t)[:200], nil},
		{"truncated png", testPNG(t)[:100], nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := New(Options{})
			err := d.Image(tt.data, 100, 100)
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if len(d.images) != 0 {
				t.Error("image added despite the error")
			}
		})
	}
	t.Run("kinds", func(t *testing.T) {
		var grayJPEG, grayPNG bytes.Buffer
		gray := stdimage.NewGray(stdimage.Rect(0, 0, 8, 8))
		if jpeg.Encode(&grayJPEG, gray, nil) != nil || png.Encode(&grayPNG, gray) != nil {
			t.Fatal("encode")
		}
		d := New(Options{})
		for _, b := range [][]byte{grayJPEG.Bytes(), testJPEG(t), grayPNG.Bytes(), testPNG(t)} {
			if err := d.Image(b, 0, 0); err != nil {
				t.Fatal(err)
			}
		}
		want := []struct {
			filter, space string
			alpha         bool
		}{
			{"DCTDecode", "DeviceGray", false}, {"DCTDecode", "DeviceRGB", false},
			{"FlateDecode", "DeviceGray", false}, {"FlateDecode", "DeviceRGB", true},
		}
		for i, w := range want {
			img := d.images[i]
			if img.filter != w.filter || img.space != w.space || (img.alpha != nil) != w.alpha {
				t.Errorf("image %d: %s %s alpha %v, want %+v", i, img.filter, img.space, img.alpha != nil, w)
			}
		}
		qpdfCheck(t, build(t, d))
	})
}

func TestEmpty(t *testing.T) {
	doc := build(t, New(Options{}))
	if n := strings.Count(string(doc), "/Type/Page/"); n != 1 {
		t.Errorf("%d pages, want 1", n)
	}
	if bytes.Contains(doc, []byte("/Font")) {
		t.Error("fonts in a document without text")
	}
	qpdfCheck(t, doc)
}

// FuzzText requires any text in any element to give a file whose
// cross-reference table reads back.
func FuzzText(f *testing.F) {
	for _, s := range scriptSamples {
		f.Add(s.text)
	}
	f.Add("(a)\\b<c>\x00\xff\u202Eمحمد 123 (x) ลา\u0E49\u0E49")
	f.Fuzz(func(t *testing.T, s string) {
		d := New(Options{Title: s})
		d.Footer(func(int, int) string { return s })
		d.Heading(1, s)
		d.Paragraph(s)
		d.Mono(s)
		d.KeyValues([][2]string{{s, s}})
		d.Table([]string{s}, [][]string{{s, s}}, nil)
		d.Drawing(50, 50, func(c *Canvas) { c.Text(0, 10, 8, s) })
		doc, err := d.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseFile(doc); err != nil {
			t.Fatal(err)
		}
	})
}

// TestKeepTogether: a block that does not fit below the current position
// starts a new page; one that fits does not.
func TestKeepTogether(t *testing.T) {
	d := New(Options{})
	for range 40 {
		d.Paragraph("line")
	}
	before := len(d.pages)
	d.KeepTogether(10)
	if len(d.pages) != before {
		t.Errorf("10 points: new page")
	}
	d.KeepTogether(700)
	if len(d.pages) != before+1 {
		t.Errorf("700 points: %d pages, want %d", len(d.pages), before+1)
	}
	d.KeepTogether(5000)
	if len(d.pages) != before+1 {
		t.Errorf("more than a page on a fresh page: another page")
	}
}
