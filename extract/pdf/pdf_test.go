package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// shared is one Extractor for the whole test binary: compiling the
// PDFium module takes seconds.
var shared struct {
	once sync.Once
	x    *Extractor
	err  error
}

// testExtractor returns the shared Extractor (2 workers, 10 s timeout).
// Its compilation cache in the system's temporary directory lets later
// test runs and the fuzzing worker processes skip the compilation.
func testExtractor(t testing.TB) *Extractor {
	t.Helper()
	shared.once.Do(func() {
		shared.x, shared.err = New(context.Background(), Options{
			Workers:             2,
			Timeout:             10 * time.Second,
			CompilationCacheDir: filepath.Join(os.TempDir(), "pangolin-pdf-test-wazero"),
		})
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.x
}

// buildPDF writes a PDF with one page per entry of pages, each showing its
// text in Helvetica, an Info dictionary holding info (written as is, so
// the caller gives PDF syntax: "/Author (Ann)") and a correct
// cross-reference table.
func buildPDF(info string, pages ...string) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	n := len(pages)
	// 1 catalog, 2 pages, 3 font, 4 info, then page and content pairs.
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	var kids []string
	for i := range n {
		kids = append(kids, fmt.Sprintf("%d 0 R", 5+2*i))
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	obj("<< " + info + " >>")
	for i, text := range pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 6+2*i))
		stream := fmt.Sprintf("BT /F1 24 Tf 72 700 Td (%s) Tj ET", text)
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// minimalPDF is one page saying "Hello timber" with an author and a
// creation date.
func minimalPDF() []byte {
	return buildPDF("/Author (Ann Ranger) /CreationDate (D:20240131142500+07'00') /Producer (pangolin test)", "Hello timber")
}

func TestMinimal(t *testing.T) {
	x := testExtractor(t)
	data := minimalPDF()
	md, text, err := x.Extract(context.Background(), bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if text != "Hello timber\n\f" {
		t.Errorf("text = %q, want %q", text, "Hello timber\n\f")
	}
	want := map[string]string{
		"Author":     "Ann Ranger",
		"Producer":   "pangolin test",
		"CreateDate": "2024:01:31 14:25:00+07:00",
		"PDFVersion": "1.4",
		"PageCount":  "1",
	}
	got := map[string]string{}
	for _, f := range md.Fields {
		got[f.Name] = f.Value
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("fields = %v, want %v", md.Fields, want)
	}
	if md.Format != "pdf" || md.Author != "Ann Ranger" {
		t.Errorf("Format, Author = %q, %q", md.Format, md.Author)
	}
	wantTime := time.Date(2024, 1, 31, 7, 25, 0, 0, time.UTC)
	if !md.Created.Equal(wantTime) || md.CreatedLocal {
		t.Errorf("Created = %v (local %v), want %v", md.Created, md.CreatedLocal, wantTime)
	}
	if !md.Modified.IsZero() {
		t.Errorf("Modified = %v, want zero", md.Modified)
	}
}

// slowReader sleeps before every read.
type slowReader struct {
	r     *bytes.Reader
	delay time.Duration
}

func (s slowReader) ReadAt(p []byte, off int64) (int, error) {
	time.Sleep(s.delay)
	return s.r.ReadAt(p, off)
}

func TestHostile(t *testing.T) {
	x := testExtractor(t)
	good := minimalPDF()
	nested := buildPDF("/Author [" + strings.Repeat("[", 200000) + "]")
	hugeCount := bytes.Replace(buildPDF("", "one", "two"), []byte("/Count 2"), []byte("/Count 2147483647"), 1)
	selfKid := bytes.Replace(buildPDF("", "one"), []byte("/Kids [5 0 R]"), []byte("/Kids [2 0 R 2 0 R]"), 1)
	tests := []struct {
		name string
		data []byte
		// mayOpen: PDFium repairs some damage, so success is allowed,
		// but the result must then be consistent.
		mayOpen bool
	}{
		{"empty", nil, false},
		{"garbage", bytes.Repeat([]byte("\x00\xffpangolin"), 1000), false},
		{"header only", []byte("%PDF-1.7\n"), false},
		{"truncated", good[:len(good)/2], true},
		{"truncated xref", good[:len(good)-40], true},
		{"huge count", hugeCount, true},
		{"page tree loop", selfKid, true},
		{"nested arrays", nested, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			md, text, err := x.Extract(context.Background(), bytes.NewReader(tt.data), int64(len(tt.data)))
			if d := time.Since(start); d > x.opts.Timeout+time.Second {
				t.Errorf("took %v, timeout %v", d, x.opts.Timeout)
			}
			t.Logf("err=%v text=%.40q", err, text)
			switch {
			case err == nil && !tt.mayOpen:
				t.Errorf("no error, metadata %v", md)
			case err == nil && md == nil:
				t.Error("nil metadata without error")
			case err != nil && md == nil && text != "":
				t.Error("text without metadata")
			}
		})
	}
	// The extractor still works after all that.
	if _, text, err := x.Extract(context.Background(), bytes.NewReader(good), int64(len(good))); err != nil || text != "Hello timber\n\f" {
		t.Errorf("after hostile input: %q, %v", text, err)
	}
}

func TestDeadline(t *testing.T) {
	x := testExtractor(t)
	data := minimalPDF()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	md, _, err := x.Extract(ctx, slowReader{bytes.NewReader(data), 50 * time.Millisecond}, int64(len(data)))
	if !errors.Is(err, context.DeadlineExceeded) || md != nil {
		t.Errorf("Extract = %v, %v; want context.DeadlineExceeded", md, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestLimits(t *testing.T) {
	x, err := New(context.Background(), Options{Workers: 1, MaxPages: 2, MaxText: 30})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	data := buildPDF("", "first page", "second page", "third page")
	md, text, err := x.Extract(context.Background(), bytes.NewReader(data), int64(len(data)))
	if !errors.Is(err, ErrTruncated) || md == nil {
		t.Fatalf("err = %v, md = %v; want ErrTruncated with metadata", err, md)
	}
	if text != "first page\n\fsecond page\n\f" {
		t.Errorf("text = %q", text)
	}
	data = buildPDF("", "a very long line of text that exceeds thirty bytes")
	_, text, err = x.Extract(context.Background(), bytes.NewReader(data), int64(len(data)))
	if !errors.Is(err, ErrTruncated) || len(text) > 30 {
		t.Errorf("text %q (%d bytes), err %v", text, len(text), err)
	}
	if _, _, err := x.Extract(context.Background(), bytes.NewReader(nil), MaxSize+1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversize: %v", err)
	}
	x.Close()
	if _, _, err := x.Extract(context.Background(), bytes.NewReader(data), int64(len(data))); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in    string
		want  string // formatDate of the result, "" for not a date
		local bool
	}{
		{"D:20240131142500+07'00'", "2024:01:31 14:25:00+07:00", false},
		{"D:20240131142500-05'30", "2024:01:31 14:25:00-05:30", false},
		{"D:20240131142500Z", "2024:01:31 14:25:00Z", false},
		{"D:20240131142500Z00'00'", "2024:01:31 14:25:00Z", false},
		{"D:20240131142500+00'00'", "2024:01:31 14:25:00+00:00", false},
		{"D:20240131142500", "2024:01:31 14:25:00", true},
		{"20240131142500+0100", "2024:01:31 14:25:00+01:00", false},
		{"D:2024", "2024:01:01 00:00:00", true},
		{"D:202402", "2024:02:01 00:00:00", true},
		{"D:20240230", "", false},
		{"D:20241301", "", false},
		{"D:2024013125", "", false},
		{"D:2024x", "", false},
		{"Tue Jan 30 2024", "", false},
		{"", "", false},
		{"D:19991231235959+14'00'", "1999:12:31 23:59:59+14:00", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			tm, local, ok := ParseDate(tt.in)
			got := ""
			if ok {
				got = formatDate(tm, local)
			}
			if got != tt.want || ok && local != tt.local {
				t.Errorf("ParseDate(%q) = %q local %v, want %q local %v", tt.in, got, local, tt.want, tt.local)
			}
		})
	}
}

func TestConcurrent(t *testing.T) {
	x := testExtractor(t)
	data := minimalPDF()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 5 {
				_, text, err := x.Extract(context.Background(), bytes.NewReader(data), int64(len(data)))
				if err != nil || text != "Hello timber\n\f" {
					t.Errorf("%q, %v", text, err)
				}
			}
		})
	}
	wg.Wait()
}

// TestCompilationCache measures New without a cache, with an empty cache
// and with a filled one.
func TestCompilationCache(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the module twice")
	}
	dir := t.TempDir()
	var took [2]time.Duration
	for i := range took {
		start := time.Now()
		x, err := New(context.Background(), Options{Workers: 1, CompilationCacheDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		took[i] = time.Since(start)
		data := minimalPDF()
		if _, text, err := x.Extract(context.Background(), bytes.NewReader(data), int64(len(data))); err != nil || text != "Hello timber\n\f" {
			t.Errorf("%q, %v", text, err)
		}
		x.Close()
	}
	t.Logf("New: %v compiling (cold), %v from the compilation cache", took[0], took[1])
	if took[1] > took[0]/2 {
		t.Errorf("cached New took %v, not much faster than %v", took[1], took[0])
	}
}
