package reports

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/acquire"
	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/extract"
	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/index"
)

// Strings from evidence that must never become markup or script.
const (
	hostileName   = `<img src=x onerror=alert(1)>.jpg`
	hostileArtist = `<script>document.title='pwned'</script>`
	hostileNote   = `"><svg onload=alert(2)>`
	// hostileHandler would leave a mark on the page if it ever ran.
	hostileHandler = `<img src=x onerror="document.body.setAttribute('data-pwned','1')">`
	thaiNote       = "งาช้าง 40 กิโลกรัม"
	chineseNote    = "象牙和穿山甲鳞片"
)

// testCase is a case folder with a ledger covering every kind of custody
// entry, two exhibits, a catalogue with tagged artefacts and a search.
type testCase struct {
	cs *catalog.Case
	id *chain.Identity
	db *catalog.DB
}

func newTestCase(t testing.TB) *testCase {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	id, err := chain.NewIdentity("JD-123", "Jane Doe", "Kenya Wildlife Service", now)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cs, err := catalog.Init(ctx, dir, catalog.Info{ID: "OP-TEST", Title: "Ivory <b>and</b> scales", Agency: "KWS"}, id, now)
	if err != nil {
		t.Fatal(err)
	}
	tc := &testCase{cs: cs, id: id}
	record := func(e chain.Entry) {
		t.Helper()
		if _, _, err := cs.Record(ctx, id, e); err != nil {
			t.Fatal(err)
		}
	}
	record(chain.Entry{Action: chain.ActionSeal, Exhibit: "EX-001", Attrs: map[string]string{"seal_no": "KWS-S-0412"}})
	record(chain.Entry{Action: chain.ActionNote, Exhibit: "EX-001", Note: hostileNote + " " + thaiNote + " " + chineseNote})
	record(chain.Entry{Action: chain.ActionTransfer, Exhibit: "EX-001", Attrs: map[string]string{"to": "Evidence room/ER-7", "reason": "storage", "location": "Mombasa HQ"}})

	// An acquisition with its record in the evidence folder.
	evDir := filepath.Join(dir, catalog.EvidenceDir, "EX-001")
	if err := os.MkdirAll(evDir, 0o755); err != nil {
		t.Fatal(err)
	}
	seg := filepath.Join(evDir, "EX-001.raw")
	if err := os.WriteFile(seg, bytes.Repeat([]byte("ivory"), 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	segRef := fileRef(t, dir, seg)
	rec := &acquire.Record{Case: "OP-TEST", Exhibit: "EX-001", Examiner: "JD-123", Format: "raw", Start: now.Format(time.RFC3339Nano),
		End: now.Add(time.Minute).Format(time.RFC3339Nano), Bytes: 5000, Hashes: hashing.Sums{hashing.SHA256: segRef.SHA256},
		BadRanges: []acquire.Range{}, Segments: []chain.Ref{segRef}}
	rec.Source.Path, rec.Source.Model, rec.Source.Serial = "/dev/sdb", "SanDisk Ultra", "4C530001"
	recPath := filepath.Join(evDir, acquire.RecordFile)
	if err := acquire.WriteRecord(recPath, rec); err != nil {
		t.Fatal(err)
	}
	record(chain.Entry{Action: "acquire", Exhibit: "EX-001", Note: "phone microSD card", Inputs: []chain.Ref{{Path: "/dev/sdb", Size: 5000, SHA256: segRef.SHA256}},
		Outputs: []chain.Ref{segRef, fileRef(t, dir, recPath)}, Attrs: map[string]string{"format": "raw", "bytes": "5000", "sha256": segRef.SHA256}})
	record(chain.Entry{Action: "verify", Exhibit: "EX-001", Inputs: []chain.Ref{segRef}, Attrs: map[string]string{"result": "match"}})
	record(chain.Entry{Action: chain.ActionSeal, Exhibit: "EX-002", Attrs: map[string]string{"seal_no": "KWS-S-0413"}})

	// The catalogue: a geolocated photo with a hostile name and EXIF, a
	// document, tagged.
	db, err := catalog.OpenDB(ctx, filepath.Join(dir, catalog.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tc.db = db
	alt := 12.5
	taken := time.Date(2026, 2, 27, 5, 12, 44, 0, time.FixedZone("", 3*3600))
	photo := &catalog.Artefact{Exhibit: "EX-001", Ref: "0/4", Path: "/DCIM/" + hostileName, Name: hostileName, Type: "file", Size: 2048,
		Modified: taken.Add(time.Hour), MIME: "image/jpeg", MD5: strings.Repeat("a", 32), SHA256: strings.Repeat("c", 64),
		Meta: []*extract.Metadata{{Format: "exif", Make: "samsung", Model: "SM-A515F", Created: taken, Thumbnail: testJPEG(t),
			GPS:    &extract.GPS{Latitude: -3.3869, Longitude: 38.6512, Altitude: &alt},
			Fields: []extract.Field{{Name: "Artist", Value: hostileArtist}, {Name: "ImageDescription", Value: hostileHandler}}}},
		Entities: []extract.Entity{{Type: extract.Phone, Value: "+254712345678", Raw: "0712 345 678"}}}
	doc := &catalog.Artefact{Exhibit: "EX-002", Ref: "0/7", Path: "/invoice.txt", Name: "invoice.txt", Type: "file", Size: 50, SHA256: strings.Repeat("d", 64),
		MIME: "text/plain", Entities: []extract.Entity{{Type: extract.Phone, Value: "+254712345678", Raw: "+254 712 345 678"}}, Text: "rosewood " + chineseNote}
	w := db.NewWriter(10)
	if err := w.Put(ctx, photo, doc); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tg := range []catalog.Tag{
		{Exhibit: "EX-001", Ref: "0/4", Tag: "evidence", Note: hostileNote, Examiner: "JD-123", Time: now},
		{Exhibit: "EX-002", Ref: "0/7", Tag: "evidence", Note: thaiNote, Examiner: "JD-123", Time: now},
	} {
		if err := db.SetTag(ctx, tg, false); err != nil {
			t.Fatal(err)
		}
	}

	// A keyword search with its results file, one term finding nothing.
	list := filepath.Join(dir, "terms.txt")
	if err := os.WriteFile(list, []byte("rosewood\ntotoaba\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, _ := json.Marshal(SearchResults{List: "terms.txt", Terms: []index.TermHits{
		{Label: "rosewood", Term: &index.Term{Label: "rosewood", Text: "rosewood", Kind: "word", Line: 1}, Total: 1, Exhibits: map[string]uint64{"EX-002": 1}},
		{Label: "totoaba", Term: &index.Term{Label: "totoaba", Text: "totoaba", Kind: "word", Line: 2}, Total: 0, Exhibits: map[string]uint64{}},
	}})
	resPath := filepath.Join(dir, catalog.ReportsDir, "search-1.json")
	if err := os.WriteFile(resPath, res, 0o644); err != nil {
		t.Fatal(err)
	}
	record(chain.Entry{Action: "search", Inputs: []chain.Ref{fileRef(t, dir, list)}, Outputs: []chain.Ref{fileRef(t, dir, resPath)},
		Attrs: map[string]string{"terms": "2", "terms_hit": "1"}})
	return tc
}

func fileRef(t testing.TB, dir, path string) chain.Ref {
	t.Helper()
	h := hashing.HashFile(context.Background(), path, hashing.SHA256)
	if h.Err != nil {
		t.Fatal(h.Err)
	}
	rel, _ := filepath.Rel(dir, path)
	return chain.Ref{Path: filepath.ToSlash(rel), Size: h.Size, SHA256: h.Sums[hashing.SHA256]}
}

func testJPEG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	img.Set(3, 3, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func (tc *testCase) options() Options {
	return Options{Case: tc.cs, Identity: tc.id, Now: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}
}

func (tc *testCase) entries(t *testing.T) []*chain.Entry {
	var out []*chain.Entry
	for e, err := range tc.cs.Ledger().Entries(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// checkXHTML parses page as strict XML (the templates write polyglot
// markup) and fails on any script element, event-handler attribute or
// duplicated id.
func checkXHTML(t *testing.T, page []byte) string {
	t.Helper()
	body := bytes.TrimPrefix(page, []byte("<!DOCTYPE html>"))
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	ids := map[string]bool{}
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if strings.EqualFold(tok.Name.Local, "script") {
				t.Errorf("page has a <script> element")
			}
			for _, a := range tok.Attr {
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
					t.Errorf("element <%s> has event handler %s=%q", tok.Name.Local, a.Name.Local, a.Value)
				}
				if a.Name.Local == "id" {
					if ids[a.Value] {
						t.Errorf("id %q used twice", a.Value)
					}
					ids[a.Value] = true
				}
			}
		case xml.CharData:
			text.Write(tok)
		}
	}
	return text.String()
}

func TestCustodyReport(t *testing.T) {
	tc := newTestCase(t)
	r, err := BuildCustody(context.Background(), tc.options())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Exhibits) != 2 || r.Exhibits[0].ID != "EX-001" || r.Exhibits[1].ID != "EX-002" {
		t.Fatalf("exhibits %+v", r.Exhibits)
	}
	x := r.Exhibits[0]
	if x.Acquisition == nil || x.Acquisition.Record == nil || x.Acquisition.Problem != "" {
		t.Fatalf("acquisition %+v", x.Acquisition)
	}
	if len(x.Seals) != 1 || x.Seals[0].Number != "KWS-S-0412" || len(x.Verifications) != 1 || x.Verifications[0].Result != "match" {
		t.Errorf("seals %+v verifications %+v", x.Seals, x.Verifications)
	}
	page, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	text := checkXHTML(t, page)
	// Every ledger entry about an exhibit is in that exhibit's history and
	// on the page, with its line hash.
	for _, e := range tc.entries(t) {
		h, _ := e.Hash()
		if !strings.Contains(text, h) {
			t.Errorf("entry %d (%s): hash not on the page", e.Seq, e.Action)
		}
		if e.Exhibit == "" {
			continue
		}
		found := false
		for _, x := range r.Exhibits {
			for _, he := range x.History {
				found = found || x.ID == e.Exhibit && he.Seq == e.Seq && he.Hash == h
			}
		}
		if !found {
			t.Errorf("entry %d about %s not in its history", e.Seq, e.Exhibit)
		}
	}
	for _, want := range []string{hostileNote, thaiNote, chineseNote, "Mombasa HQ", "KWS-S-0412", "SanDisk Ultra", r.Checkpoint.Root.String()} {
		if !strings.Contains(text, want) {
			t.Errorf("page text lacks %q", want)
		}
	}
	if bytes.Contains(page, []byte("<svg onload")) {
		t.Error("hostile note became markup")
	}

	// --exhibit EX-002: only its entries; an exhibit the ledger never
	// names is an error.
	o := tc.options()
	o.Exhibits = []string{"EX-002"}
	if r, err = BuildCustody(context.Background(), o); err != nil || len(r.Exhibits) != 1 || len(r.Exhibits[0].History) != 1 {
		t.Errorf("EX-002 only: %v %+v", err, r)
	}
	o.Exhibits = []string{"EX-404"}
	if _, err := BuildCustody(context.Background(), o); err == nil {
		t.Error("unknown exhibit: no error")
	}
}

func TestCustodyRefusesBrokenLedger(t *testing.T) {
	tc := newTestCase(t)
	path := tc.cs.Ledger().Path()
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, bytes.Replace(b, []byte("Mombasa HQ"), []byte("Nairobi HQ"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := BuildCustody(context.Background(), tc.options()); err == nil || !strings.Contains(err.Error(), "failed verification") {
		t.Errorf("report from an edited ledger: %v", err)
	}
}

func TestFindingsReport(t *testing.T) {
	tc := newTestCase(t)
	r, err := BuildFindings(context.Background(), tc.db, tc.options())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Items) != 2 || len(r.Places) != 1 || len(r.Searches) != 1 || len(r.Links) != 1 {
		t.Fatalf("items %d places %d searches %d links %d", len(r.Items), len(r.Places), len(r.Searches), len(r.Links))
	}
	if s := r.Searches[0]; s.Problem != "" || len(s.Terms) != 2 || s.Terms[1].Total != 0 {
		t.Errorf("search %+v", s)
	}
	if r.Items[0].Thumbnail == nil {
		t.Error("no thumbnail")
	}
	page, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	text := checkXHTML(t, page)
	for _, want := range []string{hostileName, hostileArtist, hostileNote, thaiNote, "+254712345678", "totoaba", "nothing found", strings.Repeat("c", 64), "rosewood " + chineseNote} {
		if !strings.Contains(text, want) {
			t.Errorf("page text lacks %q", want)
		}
	}
	if !bytes.Contains(page, []byte("data:image/jpeg;base64,")) || !bytes.Contains(page, []byte("<svg")) {
		t.Error("thumbnail or map missing")
	}

	// A changed results file is reported, not shown.
	res := filepath.Join(tc.cs.Dir, catalog.ReportsDir, "search-1.json")
	if err := os.WriteFile(res, []byte(`{"terms":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, err = BuildFindings(context.Background(), tc.db, tc.options()); err != nil || !strings.Contains(r.Searches[0].Problem, "ledger recorded") {
		t.Errorf("altered results: %v %+v", err, r.Searches)
	}
}

// produce writes a report as the CLI does and records it on the ledger.
func (tc *testCase) produce(t *testing.T, r Report, format string) (file, manifest []byte) {
	t.Helper()
	file, manifest, m, err := Produce(r, format, "report."+format, tc.id, tc.cs.Roster())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(file)
	if _, _, err := tc.cs.Record(context.Background(), tc.id, chain.Entry{Action: ActionReport, Note: m.ID,
		Outputs: []chain.Ref{{Path: "reports/report." + format, Size: int64(len(file)), SHA256: hex.EncodeToString(sum[:])}}}); err != nil {
		t.Fatal(err)
	}
	return file, manifest
}

func TestVerify(t *testing.T) {
	tc := newTestCase(t)
	ctx := context.Background()
	r, err := BuildCustody(ctx, tc.options())
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"html", "json", "pdf"} {
		t.Run(format, func(t *testing.T) {
			file, manifest := tc.produce(t, r, format)
			verify := func(file, manifest []byte) *Check {
				t.Helper()
				c, err := VerifyFile(file, manifest)
				if err != nil {
					t.Fatal(err)
				}
				if c.OK {
					sum := sha256.Sum256(file)
					if err := VerifyLedger(ctx, tc.cs, c, hex.EncodeToString(sum[:])); err != nil {
						t.Fatal(err)
					}
				}
				return c
			}
			if c := verify(file, manifest); !c.OK {
				t.Fatalf("untouched report: %v", c.Problems)
			}
			if format == "pdf" {
				if c := verify(file, nil); !c.OK || !c.Embedded {
					t.Fatalf("PDF alone: %+v", c)
				}
			} else if _, err := VerifyFile(file, nil); err == nil {
				t.Error("no manifest: no error")
			}
			// One byte changed anywhere in the report or the manifest fails.
			for _, pos := range []int{0, len(file) / 3, len(file) / 2, len(file) - 2} {
				bad := bytes.Clone(file)
				bad[pos] ^= 0x01
				if c, err := VerifyFile(bad, manifest); err == nil && c.OK {
					t.Errorf("report byte %d of %d changed: verified", pos, len(file))
				}
			}
			for _, pos := range []int{1, len(manifest) / 2, len(manifest) - 5} {
				bad := bytes.Clone(manifest)
				bad[pos] ^= 0x01
				if c, err := VerifyFile(file, bad); err == nil && c.OK {
					t.Errorf("manifest byte %d changed: verified", pos)
				}
			}
		})
	}

	// A ledger entry before the report's checkpoint changes: the report
	// still matches its manifest, but not today's ledger.
	file, manifest := tc.produce(t, r, "html")
	path := tc.cs.Ledger().Path()
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, bytes.Replace(b, []byte("KWS-S-0413"), []byte("KWS-S-0414"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := VerifyFile(file, manifest)
	if err != nil || !c.OK {
		t.Fatalf("file check: %v %+v", err, c)
	}
	sum := sha256.Sum256(file)
	if err := VerifyLedger(ctx, tc.cs, c, hex.EncodeToString(sum[:])); err != nil {
		t.Fatal(err)
	}
	if c.OK {
		t.Error("edited ledger: report still consistent")
	}
}

func TestExcerpt(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short  text\n\twith spaces", 100, "short text with spaces"},
		{"abcdef", 3, "abc …"},
		{"象牙象牙", 4, "象 …"},
		{"", 10, ""},
	}
	for _, tt := range tests {
		if got := excerpt(tt.in, tt.n); got != tt.want {
			t.Errorf("excerpt(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// TestJSONFields pins the JSON field names of reports and manifests: they
// are an API (a verifier reads manifests, tools read JSON reports), which
// may gain fields but never rename them.
func TestJSONFields(t *testing.T) {
	keys := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return strings.Join(slices.Sorted(maps.Keys(m)), " ")
	}
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"manifest", &Manifest{Sig: []byte{1}}, "case checkpoint covers examiner fingerprint format generated id kind media_type report roster sha256 sig size"},
		{"custody", &Custody{}, "case case_entries checkpoint declaration examiner examiners exhibits generated id kind ledger tool"},
		{"findings", &Findings{Skipped: []string{"x"}}, "case checkpoint examiner generated id items kind ledger links places searches skipped tags timeline tool"},
		{"entry", Entry{}, "action examiner examiner_name hash host seq time tool zone"},
		{"item", Item{}, "deleted entities exhibit id metadata n path ref size tags times"},
	}
	for _, tt := range tests {
		if got := keys(tt.v); got != tt.want {
			t.Errorf("%s: fields %q, want %q", tt.name, got, tt.want)
		}
	}
}
