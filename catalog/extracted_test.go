package catalog

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/extract"
)

func TestExtracted(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	alt, dir := -12.5, 271.25
	taken := time.Date(2026, 3, 1, 5, 12, 44, 120000000, time.FixedZone("", 3*3600))
	photo := &Artefact{Exhibit: "EX-1", Ref: "0/1", Path: "/DCIM/IMG_0412.JPG", Name: "IMG_0412.JPG", Type: "file", Size: 100, SHA256: "aa", MIME: "image/jpeg",
		Meta: []*extract.Metadata{{Format: "exif", Make: "samsung", Model: "SM-A515F", Serial: "R58N", Created: taken, Thumbnail: []byte("\xff\xd8thumb"),
			GPS:    &extract.GPS{Latitude: -3.3869123456, Longitude: 38.6512987654, Altitude: &alt, Direction: &dir, Time: time.Date(2026, 3, 1, 2, 12, 40, 0, time.UTC)},
			Fields: []extract.Field{{Name: "Make", Value: "samsung"}, {Name: "Model", Value: "SM-A515F"}}}},
		Entities: []extract.Entity{{Type: extract.Phone, Value: "+254712345678", Raw: "0712 345 678", Offset: 10}}}
	doc := &Artefact{Exhibit: "EX-2", Ref: "0/7", Path: "/invoice.docx", Name: "invoice.docx", Type: "file", Size: 50, SHA256: "aa", MIME: "image/jpeg",
		Meta:     []*extract.Metadata{{Format: "ooxml", Author: "Juma", Fields: []extract.Field{{Name: "Creator", Value: "Juma"}}}},
		Entities: []extract.Entity{{Type: extract.Phone, Value: "+254712345678", Raw: "+254 712 345 678", Offset: 3}, {Type: extract.Email, Value: "a@b.co.ke", Raw: "a@b.co.ke"}},
		Text:     "timber samples, call +254 712 345 678"}
	bad := &Artefact{Exhibit: "EX-2", Ref: "0/8", Path: "/broken.pdf", Name: "broken.pdf", Type: "file", ExtractError: "pdf: truncated"}
	putAll(t, db, []*Artefact{photo, doc, bad})
	putAll(t, db, []*Artefact{photo}) // idempotent

	var got []*Extracted
	for x, err := range db.Extracted(ctx, ExtractedQuery{GPSOnly: true, Fields: true}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, x)
	}
	if len(got) != 1 {
		t.Fatalf("%d geolocated, want 1", len(got))
	}
	x := got[0]
	want := *photo.Meta[0]
	if !x.Created.Equal(want.Created) || x.Created.Format(time.RFC3339Nano) != want.Created.Format(time.RFC3339Nano) {
		t.Errorf("created %v, want %v", x.Created, want.Created)
	}
	x.Created, want.Created = time.Time{}, time.Time{}
	if x.Path != photo.Path || !reflect.DeepEqual(x.Metadata, want) {
		t.Errorf("got %+v\nwant %+v", x.Metadata, want)
	}

	var phones int
	for f, err := range db.Entities(ctx, []string{extract.Phone}, nil) {
		if err != nil {
			t.Fatal(err)
		}
		phones++
		if f.Value != "+254712345678" {
			t.Errorf("entity %+v", f)
		}
	}
	if phones != 2 {
		t.Errorf("%d phones, want 2", phones)
	}
	links, err := db.Links(ctx, "image/")
	if err != nil {
		t.Fatal(err)
	}
	wantLinks := []Link{{Type: "phone", Value: "+254712345678", Exhibits: []string{"EX-1", "EX-2"}, Count: 2}, {Type: "sha256", Value: "aa", Exhibits: []string{"EX-1", "EX-2"}, Count: 2}}
	if !reflect.DeepEqual(links, wantLinks) {
		t.Errorf("links %+v", links)
	}
	if text, e, err := db.Text(ctx, "EX-2", "0/7"); err != nil || text != doc.Text || e != "" {
		t.Errorf("text %q %q %v", text, e, err)
	}
	if _, e, err := db.Text(ctx, "EX-2", "0/8"); err != nil || e != "pdf: truncated" {
		t.Errorf("extraction error %q %v", e, err)
	}
	if _, _, err := db.Text(ctx, "EX-1", "0/404"); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("missing text: %v", err)
	}
	if err := db.Forget(ctx, "EX-2"); err != nil {
		t.Fatal(err)
	}
	if links, _ := db.Links(ctx, "image/"); len(links) != 0 {
		t.Errorf("links after Forget: %v", links)
	}
}

// TestUpgrade opens a catalogue made by schema version 1 (no extraction
// tables) and finds it upgraded, its rows kept.
func TestUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), DBFile)
	db, err := OpenDB(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	putAll(t, db, sampleArtefacts()[:2])
	for _, q := range []string{"DROP TABLE extracted", "DROP TABLE fields", "DROP TABLE entities", "DROP TABLE texts", "UPDATE meta SET value = '1'"} { // version 1
		if _, err := db.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	db, err = OpenDB(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := len(collect(t, db, Query{})); n != 2 {
		t.Errorf("%d rows after upgrade", n)
	}
	putAll(t, db, []*Artefact{{Exhibit: "EX-1", Ref: "0/9", Type: "file", Text: "x"}})
}

// TestUpgradeFrom2 opens a catalogue of schema version 2 (no thumbnails).
func TestUpgradeFrom2(t *testing.T) {
	path := filepath.Join(t.TempDir(), DBFile)
	db, err := OpenDB(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"ALTER TABLE extracted DROP COLUMN thumbnail", "UPDATE meta SET value = '2'"} {
		if _, err := db.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	db, err = OpenDB(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	putAll(t, db, []*Artefact{{Exhibit: "EX-1", Ref: "0/1", Type: "file", Meta: []*extract.Metadata{{Format: "exif", Thumbnail: []byte{1}}}}})
}

func TestTags(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	putAll(t, db, sampleArtefacts())
	now := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	if err := db.SetTag(ctx, Tag{Exhibit: "EX-1", Ref: "0/1", Tag: "evidence", Note: "scales", Examiner: "JD-123", Time: now}, false); err != nil {
		t.Fatal(err)
	}
	if err := db.SetTag(ctx, Tag{Exhibit: "EX-1", Ref: "0/404", Tag: "evidence"}, false); !errors.Is(err, ErrNoArtefact) {
		t.Errorf("tag on a missing artefact: %v", err)
	}
	var got []*Tag
	for tg, err := range db.Tags(ctx, []string{"evidence"}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tg)
	}
	if len(got) != 1 || got[0].Path != "/DCIM/IMG_0001.JPG" || got[0].Note != "scales" || !got[0].Time.Equal(now) {
		t.Fatalf("tags %+v", got)
	}
	if err := db.Forget(ctx, "EX-1"); err != nil {
		t.Fatal(err)
	}
	if names, _ := db.TagsOf(ctx, "EX-1", "0/1"); len(names) != 1 {
		t.Errorf("tags after Forget: %v", names)
	}
	putAll(t, db, sampleArtefacts())
	if err := db.SetTag(ctx, Tag{Exhibit: "EX-1", Ref: "0/1", Tag: "evidence"}, true); err != nil {
		t.Fatal(err)
	}
	if err := db.SetTag(ctx, Tag{Exhibit: "EX-1", Ref: "0/1", Tag: "evidence"}, true); err == nil {
		t.Error("removed a tag twice")
	}
	if _, _, err := ParseID("EX-1"); err == nil {
		t.Error("ParseID accepted an id with no ref")
	}
}

func TestIndexables(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	arts := []*Artefact{
		{Exhibit: "EX-1", Ref: "0/0", Path: "/a.txt", Name: "a.txt", Type: "file", Text: "pembe", Entities: []extract.Entity{{Type: extract.Phone, Value: "+255754123456"}}},
		{Exhibit: "EX-1", Ref: "0/1", Path: "/b.jpg", Name: "b.jpg", Type: "file", Meta: []*extract.Metadata{{Format: "exif", Make: "TECNO"}}},
		{Exhibit: "EX-2", Ref: "0/0", Path: "/c", Name: "c", Type: "file", Text: "other"},
	}
	putAll(t, db, arts)
	if err := db.SetTag(ctx, Tag{Exhibit: "EX-1", Ref: "0/1", Tag: "evidence", Time: time.Now()}, false); err != nil {
		t.Fatal(err)
	}
	var got []*Indexable
	for x, err := range db.Indexables(ctx, "EX-1", "") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, x)
	}
	if len(got) != 2 || got[0].Text != "pembe" || len(got[0].Entities) != 1 || got[1].Meta[0].Make != "TECNO" || len(got[1].Tags) != 1 {
		t.Errorf("indexables %+v %+v", got[0], got[1])
	}
	n := 0
	for x, err := range db.Indexables(ctx, "EX-1", "0/1") {
		if err != nil || x.Ref != "0/1" || len(x.Tags) != 1 {
			t.Errorf("one indexable: %+v %v", x, err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("%d indexables for one ref", n)
	}
}
