package reports

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/internal/testtool"
)

// pdfText returns what pdftotext reads from a PDF, squashed so that
// wrapped values compare whole.
func pdfText(t *testing.T, doc []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(testtool.Need(t, "pdftotext"), "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return squash(string(out))
}

// squash drops spaces and line breaks, and hyphens too: pdftotext joins a
// word broken after a hyphen at the end of a line and drops the hyphen
// ("OP-" + "TEST" reads "OPTEST").
func squash(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), ""), "-", "")
}

// TestCustodyPDF reads the custody PDF back with pdftotext: every entry's
// line hash and the exhibit's hashes are in it, and so are Thai and
// Chinese notes; pdftoppm renders its pages.
func TestCustodyPDF(t *testing.T) {
	tc := newTestCase(t)
	r, err := BuildCustody(context.Background(), tc.options())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := r.PDF()
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, doc)
	for _, e := range tc.entries(t) {
		h, _ := e.Hash()
		if !strings.Contains(text, h) {
			t.Errorf("entry %d (%s): line hash not in the PDF text", e.Seq, e.Action)
		}
	}
	x := r.Exhibits[0]
	for _, want := range []string{x.Acquisition.Hashes["sha256"], x.Acquisition.Segments[0].SHA256, thaiNote, chineseNote, hostileNote,
		"KWS-S-0412", "MombasaHQ", r.Checkpoint.Root.String(), "page1of", r.Declaration} {
		if !strings.Contains(text, squash(want)) {
			t.Errorf("PDF text lacks %q", want)
		}
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "custody.pdf")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(testtool.Need(t, "pdftoppm"), "-r", "60", "-png", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(pages) < 2 {
		t.Fatalf("%d pages rendered", len(pages))
	}
	for _, p := range pages {
		dark := countPixels(t, p, 1, func(r, _, _ uint32) bool { return r < 0x8000 })
		if dark < 500 {
			t.Errorf("%s: %d dark pixels: a blank page", filepath.Base(p), dark)
		}
	}
}

// TestFindingsPDF checks the findings PDF's text: the hostile names and
// EXIF values as plain text, the Thai note, the search that found
// nothing.
func TestFindingsPDF(t *testing.T) {
	tc := newTestCase(t)
	r, err := BuildFindings(context.Background(), tc.db, tc.options())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := r.PDF()
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, doc)
	for _, want := range []string{hostileName, hostileArtist, thaiNote, "totoaba", "nothingfound", "+254712345678", strings.Repeat("c", 64), "item1"} {
		if !strings.Contains(text, squash(want)) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
}
