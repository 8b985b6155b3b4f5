package process

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/catalog"
	extractors "github.com/pangolin-forensics/pangolin/extract/all"
	"github.com/pangolin-forensics/pangolin/internal/testdocx"
)

const offerEML = "From: Juma <juma@example.co.ke>\r\nTo: buyer@example.vn\r\nSubject: timber samples\r\nDate: Sun, 01 Mar 2026 08:12:44 +0300\r\n" +
	"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
	"Call me on +254 712 345 678 for the rosewood.\r\n--b1\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=\"list.csv\"\r\n\r\n" +
	"vessel,IMO 9074729\r\n--b1--\r\n"

const mbox = "From juma@example.co.ke Sun Mar  1 08:12:44 2026\nFrom: juma@example.co.ke\nSubject: first\nDate: Sun, 01 Mar 2026 08:12:44 +0300\n\nwallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq\n\n" +
	"From buyer@example.vn Mon Mar  2 09:00:00 2026\nFrom: buyer@example.vn\nSubject: second\nDate: Mon, 02 Mar 2026 09:00:00 +0700\n\nok\n"

func tarOf(t *testing.T, files map[string]string) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for name, content := range files {
		tw.WriteHeader(&tar.Header{Name: name, Size: int64(len(content)), Mode: 0o644, ModTime: time.Unix(1772341964, 0), Typeflag: tar.TypeReg})
		io.WriteString(tw, content)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// processWithExtraction catalogues a tar of files as a logical exhibit
// with extraction on, and returns the catalogue, the options used and
// the rows by path.
func processWithExtraction(t *testing.T, img []byte) (*catalog.DB, Options, map[string]*catalog.Artefact) {
	t.Helper()
	db := openDB(t, filepath.Join(t.TempDir(), catalog.DBFile))
	x := extractors.New(extractors.Options{Text: true, Region: "KE"})
	t.Cleanup(func() { x.Close() })
	opts := Options{Exhibit: "EX-1", Identity: "x", Tool: "test", Logical: true, Extract: x}
	if _, err := Run(context.Background(), db, memImage{bytes.NewReader(img)}, opts); err != nil {
		t.Fatal(err)
	}
	rows := map[string]*catalog.Artefact{}
	for a, err := range db.Artefacts(context.Background(), catalog.Query{}) {
		if err != nil {
			t.Fatal(err)
		}
		rows[a.Path] = a
	}
	return db, opts, rows
}

// TestExtraction processes email and a mailbox with extraction on: their
// metadata, text and entities are catalogued, attachments and messages
// become child artefacts, and export finds an attachment again.
func TestExtraction(t *testing.T) {
	img := tarOf(t, map[string]string{"mail/offer.eml": offerEML, "mail/inbox.mbox": mbox, "notes.txt": "pay TRX to the captain, IBAN GB82 WEST 1234 5698 7654 32\n"})
	db, opts, rows := processWithExtraction(t, img)
	att := rows["/mail/offer.eml/list.csv"]
	if att == nil || att.Depth != 1 || att.SHA256 == "" {
		t.Fatalf("attachment row: %+v", att)
	}
	for _, p := range []string{"/mail/inbox.mbox/message-000001", "/mail/inbox.mbox/message-000002"} {
		if rows[p] == nil {
			t.Errorf("%s not catalogued", p)
		}
	}
	found := map[string]bool{}
	for e, err := range db.Entities(context.Background(), nil, nil) {
		if err != nil {
			t.Fatal(err)
		}
		found[e.Type+" "+e.Value+" in "+e.Path] = true
	}
	for want, path := range map[string]string{
		"phone +254712345678": "/mail/offer.eml",
		"imo IMO 9074729":     "/mail/offer.eml/list.csv",
		"bitcoin bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq": "/mail/inbox.mbox/message-000001",
		"iban GB82WEST12345698765432":                        "/notes.txt",
		"email juma@example.co.ke":                           "/mail/offer.eml",
	} {
		if !found[want+" in "+path] {
			t.Errorf("entity %s not found in %s (found: %v)", want, path, found)
		}
	}
	var subject string
	for m, err := range db.Extracted(context.Background(), catalog.ExtractedQuery{Ref: rows["/mail/offer.eml"].Ref, Fields: true}) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Format != "email" || m.Author == "" || m.Created.IsZero() {
			t.Errorf("email metadata %+v", m.Metadata)
		}
		for _, f := range m.Fields {
			if f.Name == "Subject" {
				subject = f.Value
			}
		}
	}
	if subject != "timber samples" {
		t.Errorf("subject %q", subject)
	}
	if text, _, err := db.Text(context.Background(), "EX-1", rows["/mail/offer.eml"].Ref); err != nil || !strings.Contains(text, "rosewood") {
		t.Errorf("text %q, %v", text, err)
	}

	// Export finds the attachment again, inside its message.
	var got []byte
	err := Find(context.Background(), memImage{bytes.NewReader(img)}, opts, []*catalog.Artefact{att}, func(a *catalog.Artefact, sr *io.SectionReader) error {
		got, _ = io.ReadAll(sr)
		return nil
	})
	if err != nil || string(got) != "vessel,IMO 9074729" {
		t.Errorf("Find attachment: %q, %v", got, err)
	}
}

// TestHostileFiles processes a collection of hostile files with
// extraction on: none may crash or stall the run, and each gets its row.
func TestHostileFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	var bomb bytes.Buffer // 200 MiB of zeros in a small zip member
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("zeros.bin")
	zero := make([]byte, 1<<20)
	for range 200 {
		w.Write(zero)
	}
	zw.Close()
	nested := []byte("pangolin")
	for i := range 12 {
		nested = zipOf(t, map[string][]byte{fmt.Sprintf("level%d.zip", i): nested})
	}
	deepMail := "From: a@example.com\r\nDate: Sun, 01 Mar 2026 08:12:44 +0300\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
	for i := range 5000 {
		deepMail += fmt.Sprintf("--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i, i+1)
	}
	files := map[string]string{
		"bomb.zip":       bomb.String(),
		"nested.zip":     string(nested),
		"deep.eml":       deepMail,
		"truncated.pdf":  "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Count 99999999",
		"truncated.jpg":  "\xff\xd8\xff\xe1\x10\x00Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x40",
		"truncated.docx": truncatedDocx(t),
		"html.html":      "<html>" + strings.Repeat("<div>", 100000) + "0712 345 678",
	}
	img := tarOf(t, files)
	db := openDB(t, filepath.Join(t.TempDir(), catalog.DBFile))
	x := extractors.New(extractors.Options{Text: true, Region: "KE"})
	defer x.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	res, err := Run(ctx, db, memImage{bytes.NewReader(img)}, Options{Exhibit: "EX-1", Identity: "x", Tool: "test", Logical: true, Extract: x})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]*catalog.Artefact{}
	for a, err := range db.Artefacts(context.Background(), catalog.Query{}) {
		if err != nil {
			t.Fatal(err)
		}
		rows[a.Path] = a
	}
	for name := range files {
		a := rows["/"+name]
		if a == nil || a.SHA256 == "" {
			t.Errorf("%s: no row with content hashes: %+v", name, a)
		}
	}
	if e := rows["/bomb.zip"].Extra["archive_anomalies"]; !strings.Contains(e, "limit") {
		t.Errorf("bomb.zip: archive anomalies %q", e)
	}
	if e := rows["/bomb.zip/zeros.bin"].Error; !strings.Contains(e, "limit") {
		t.Errorf("bomb member: error %q", e)
	}
	deepest := "/nested.zip/level11.zip/level10.zip/level9.zip/level8.zip/level7.zip/level6.zip/level5.zip"
	if e := rows[deepest].Extra["archive_error"]; !strings.Contains(e, "nested deeper") {
		t.Errorf("%s: %q", deepest, e)
	}
	t.Logf("%d artefacts in %v", res.State.Artefacts, time.Since(start).Round(time.Millisecond))
}

// truncatedDocx is a DOCX cut in the middle of its document part.
func truncatedDocx(t *testing.T) string {
	z := zipOf(t, map[string][]byte{"[Content_Types].xml": []byte("<Types/>"), "word/document.xml": []byte(strings.Repeat("<w:p><w:r><w:t>rosewood</w:t></w:r></w:p>", 20000))})
	return string(z[:len(z)/2])
}

// TestOfficePackage: a .docx is both a ZIP archive and a document. Its
// parts are catalogued (hashed and typed) without text of their own; the
// document itself gets the text, metadata and entities.
func TestOfficePackage(t *testing.T) {
	docx, err := testdocx.Doc{Body: testdocx.Paragraphs("Invoice: 18 m3 rosewood, call +254 712 345 678"),
		Core: `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Juma</dc:creator></cp:coreProperties>`}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	db, _, rows := processWithExtraction(t, tarOf(t, map[string]string{"invoice.docx": string(docx)}))
	ctx := context.Background()
	doc, part := rows["/invoice.docx"], rows["/invoice.docx/word/document.xml"]
	if doc == nil || part == nil || part.SHA256 == "" {
		t.Fatalf("rows: %v", rows)
	}
	if text, _, err := db.Text(ctx, "EX-1", doc.Ref); err != nil || !strings.Contains(text, "rosewood") {
		t.Errorf("document text %q, %v", text, err)
	}
	if text, _, err := db.Text(ctx, "EX-1", part.Ref); err == nil && text != "" {
		t.Errorf("part has text of its own: %q", text)
	}
	var where []string
	for e, err := range db.Entities(ctx, nil, nil) {
		if err != nil {
			t.Fatal(err)
		}
		where = append(where, e.Type+" "+e.Path)
	}
	if !slices.Equal(where, []string{"phone /invoice.docx"}) {
		t.Errorf("entities %v, want the phone in the document only", where)
	}
	var author string
	for m, err := range db.Extracted(ctx, catalog.ExtractedQuery{Ref: doc.Ref}) {
		if err != nil {
			t.Fatal(err)
		}
		author = m.Author
	}
	if author != "Juma" {
		t.Errorf("author %q", author)
	}
}
