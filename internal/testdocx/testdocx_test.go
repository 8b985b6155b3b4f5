package testdocx_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/extract/doc"
	"github.com/pangolin-forensics/pangolin/internal/testdocx"
)

// TestDoc reads a document back with extract/doc and checks that every
// part the content types and relationships name is in the package, and
// that every part is well-formed XML.
func TestDoc(t *testing.T) {
	d := testdocx.Doc{
		Body:   testdocx.Paragraphs("Rosewood <logs> & ivory", "Container\tMSKU7582038"),
		Footer: `<w:p><w:r><w:t>Page 1</w:t></w:r></w:p>`,
		Links:  []string{"https://example.org/?a=1&b=2"},
		Core: `<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">` +
			`<dc:creator>Juma Mwinyi</dc:creator></cp:coreProperties>`,
	}
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if again, err := d.Bytes(); err != nil || !bytes.Equal(b, again) {
		t.Errorf("a second run differs (%v)", err)
	}
	const mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	text, err := doc.Text(bytes.NewReader(b), int64(len(b)), mime, doc.Limits{})
	if want := "Rosewood <logs> & ivory\nContainer\tMSKU7582038\nPage 1"; err != nil || text != want {
		t.Errorf("text %q (%v), want %q", text, err, want)
	}
	md, err := doc.Metadata(bytes.NewReader(b), int64(len(b)), mime)
	if err != nil || md.Author != "Juma Mwinyi" {
		t.Errorf("metadata %+v (%v)", md, err)
	}

	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]bool{}
	for _, f := range zr.File {
		parts[f.Name] = true
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(rc)
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			se, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			attr := map[string]string{}
			for _, a := range se.Attr {
				attr[a.Name.Local] = a.Value
			}
			switch {
			case se.Name.Local == "Override" && !parts[strings.TrimPrefix(attr["PartName"], "/")]:
				t.Errorf("%s names the missing part %s", f.Name, attr["PartName"])
			case se.Name.Local == "Relationship" && attr["TargetMode"] != "External":
				// A part's relationships are in <folder>/_rels/<name>.rels.
				dir := path.Dir(path.Dir(f.Name))
				if target := path.Join(dir, attr["Target"]); !parts[target] {
					t.Errorf("%s names the missing part %s", f.Name, target)
				}
			}
		}
		rc.Close()
	}
}
