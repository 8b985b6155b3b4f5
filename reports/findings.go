package reports

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/extract"
	"github.com/pangolin-forensics/pangolin/index"
)

// Findings is the content of a findings report: the tagged artefacts with
// their metadata, where and when they were made, the values they share
// with other exhibits, and the keyword searches run on the case.
type Findings struct {
	Header
	// Tags are the tags the report selected; empty for all.
	Tags     []string `json:"tags"`
	Items    []Item   `json:"items"`
	Timeline []Event  `json:"timeline"`
	Links    []Link   `json:"links"`
	Searches []Search `json:"searches"`
	Ledger   Ledger   `json:"ledger"`
	Skipped  []string `json:"skipped,omitempty"`
	Places   []Place  `json:"places"`
}

// Item is a tagged artefact.
type Item struct {
	// N numbers the items from 1: the map and the timeline refer to it.
	N         int              `json:"n"`
	ID        string           `json:"id"`
	Exhibit   string           `json:"exhibit"`
	Ref       string           `json:"ref"`
	Path      string           `json:"path"`
	Size      int64            `json:"size"`
	Deleted   bool             `json:"deleted"`
	MIME      string           `json:"mime,omitempty"`
	MD5       string           `json:"md5,omitempty"`
	SHA1      string           `json:"sha1,omitempty"`
	SHA256    string           `json:"sha256,omitempty"`
	Known     string           `json:"known,omitempty"`
	KnownSets []string         `json:"known_sets,omitempty"`
	Times     []Event          `json:"times"`
	Tags      []catalog.Tag    `json:"tags"`
	Metadata  []Metadata       `json:"metadata"`
	Entities  []extract.Entity `json:"entities"`
	// Excerpt is the start of the text extracted from the artefact.
	Excerpt string `json:"excerpt,omitempty"`
	// Thumbnail is the first embedded preview found, JPEG or PNG.
	Thumbnail []byte `json:"thumbnail,omitempty"`
	ReadError string `json:"read_error,omitempty"`
}

// Metadata is one metadata source of an item.
type Metadata struct {
	Format  string          `json:"format"`
	Device  string          `json:"device,omitempty"`
	Serial  string          `json:"serial,omitempty"`
	Author  string          `json:"author,omitempty"`
	Created string          `json:"created,omitempty"`
	GPS     *extract.GPS    `json:"gps,omitempty"`
	Fields  []extract.Field `json:"fields,omitempty"`
}

// Event is a time stamp of an item.
type Event struct {
	Time string `json:"time"`
	// What names the time stamp: "modified", "accessed", "changed",
	// "born" (file system), "created" (the content's own date: a photo's
	// DateTimeOriginal, a document's creation date), "gps" (GPS time).
	What string `json:"what"`
	N    int    `json:"n"`
	Path string `json:"path,omitempty"`
	// Local marks a content date recorded without a zone (shown as UTC).
	Local bool `json:"local,omitempty"`
}

// Place is a geolocated item for the map.
type Place struct {
	N   int     `json:"n"`
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Link is a value found in more than one exhibit.
type Link = catalog.Link

// Search is a keyword list run on the case, from the ledger.
type Search struct {
	Seq      int64      `json:"seq"`
	Time     string     `json:"time"`
	Examiner string     `json:"examiner"`
	List     chain.Ref  `json:"list"`
	Exhibits string     `json:"exhibits,omitempty"`
	Terms    []TermHits `json:"terms"`
	// Problem says why the per-term results are not shown (a results file
	// missing or changed since it was recorded).
	Problem string `json:"problem,omitempty"`
}

// TermHits is one term's result in a search.
type TermHits = index.TermHits

// SearchResults is the file a keyword-list run writes next to its ledger
// entry, which findings reports read back.
type SearchResults struct {
	List     string           `json:"list"`
	Exhibits []string         `json:"exhibits,omitempty"`
	Terms    []index.TermHits `json:"terms"`
}

// maxItems bounds a findings report; the rest are listed as skipped.
const maxItems = 5000

// maxFields bounds the metadata fields shown for one source.
const maxFields = 40

// BuildFindings reads the tagged artefacts, their metadata, the links
// between exhibits and the searches recorded on the ledger into a
// findings report. It fails when the ledger does not verify.
func BuildFindings(ctx context.Context, db *catalog.DB, o Options) (*Findings, error) {
	st, head, entries, err := ledgerState(ctx, o.Case)
	if err != nil {
		return nil, err
	}
	r := &Findings{Header: header("findings", o, head), Ledger: st, Tags: o.Tags,
		Items: []Item{}, Timeline: []Event{}, Searches: []Search{}, Places: []Place{}}
	if r.Tags == nil {
		r.Tags = []string{}
	}
	byID := map[string]int{}
	for t, err := range db.Tags(ctx, o.Tags) {
		if err != nil {
			return nil, err
		}
		id := t.Exhibit + "/" + t.Ref
		i, ok := byID[id]
		if !ok {
			if len(r.Items) >= maxItems {
				r.Skipped = append(r.Skipped, id)
				continue
			}
			item, err := newItem(ctx, db, t.Exhibit, t.Ref, len(r.Items)+1)
			if err != nil {
				return nil, err
			}
			i = len(r.Items)
			byID[id] = i
			r.Items = append(r.Items, *item)
		}
		r.Items[i].Tags = append(r.Items[i].Tags, *t)
	}
	for _, it := range r.Items {
		r.Timeline = append(r.Timeline, it.Times...)
		for _, m := range it.Metadata {
			if m.GPS != nil {
				r.Places = append(r.Places, Place{N: it.N, Lat: m.GPS.Latitude, Lon: m.GPS.Longitude})
				break
			}
		}
	}
	slices.SortStableFunc(r.Timeline, func(a, b Event) int {
		if c := compareTimes(a.Time, b.Time); c != 0 {
			return c
		}
		return a.N - b.N
	})
	if r.Links, err = db.Links(ctx, "image/"); err != nil {
		return nil, err
	}
	if r.Links == nil {
		r.Links = []Link{}
	}
	for _, e := range entries {
		if e.Action == "search" {
			r.Searches = append(r.Searches, search(ctx, o.Case.Dir, e))
		}
	}
	return r, nil
}

// newItem reads one artefact with its metadata and entities.
func newItem(ctx context.Context, db *catalog.DB, exhibit, ref string, n int) (*Item, error) {
	a, err := db.Artefact(ctx, exhibit, ref)
	if err != nil {
		return nil, err
	}
	it := &Item{N: n, ID: exhibit + "/" + ref, Exhibit: exhibit, Ref: ref, Path: a.Path, Size: a.Size, Deleted: a.Deleted,
		MIME: a.MIME, MD5: a.MD5, SHA1: a.SHA1, SHA256: a.SHA256, Known: a.Known, KnownSets: a.KnownSets, ReadError: a.Error,
		Metadata: []Metadata{}, Entities: []extract.Entity{}, Times: []Event{}}
	event := func(t time.Time, what string, local bool) {
		if !t.IsZero() {
			it.Times = append(it.Times, Event{Time: t.Format(time.RFC3339Nano), What: what, N: n, Path: a.Path, Local: local})
		}
	}
	event(a.Modified.UTC(), "modified", false)
	event(a.Accessed.UTC(), "accessed", false)
	event(a.Changed.UTC(), "changed", false)
	event(a.Born.UTC(), "born", false)
	for x, err := range db.Extracted(ctx, catalog.ExtractedQuery{Exhibits: []string{exhibit}, Ref: ref, Fields: true}) {
		if err != nil {
			return nil, err
		}
		m := Metadata{Format: x.Format, Serial: x.Serial, Author: x.Author, GPS: x.GPS}
		m.Device = joinNonEmpty(x.Make, x.Model)
		if !x.Created.IsZero() {
			m.Created = x.Created.Format(time.RFC3339Nano)
			event(x.Created, "created", x.CreatedLocal)
		}
		if x.GPS != nil {
			event(x.GPS.Time.UTC(), "gps", false)
		}
		m.Fields = x.Fields[:min(len(x.Fields), maxFields)]
		it.Metadata = append(it.Metadata, m)
		if it.Thumbnail == nil && thumbnailMIME(x.Thumbnail) != "" {
			it.Thumbnail = x.Thumbnail
		}
	}
	text, _, err := db.Text(ctx, exhibit, ref)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, err
	default:
		it.Excerpt = excerpt(text, maxExcerpt)
	}
	for f, err := range db.EntitiesOf(ctx, exhibit, ref) {
		if err != nil {
			return nil, err
		}
		if len(it.Entities) < maxFields {
			it.Entities = append(it.Entities, f.Entity)
		}
	}
	return it, nil
}

// maxExcerpt bounds the text excerpt of an item, in bytes.
const maxExcerpt = 600

// excerpt returns the start of text, at most n bytes cut at a rune
// boundary, with runs of white space made single spaces.
func excerpt(text string, n int) string {
	if len(text) > 4*n {
		text = text[:4*n]
	}
	text = strings.Join(strings.Fields(text), " ")
	if len(text) <= n {
		return text
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + " …"
}

// search reads a search entry and the results file it recorded.
func search(ctx context.Context, dir string, e *chain.Entry) Search {
	s := Search{Seq: e.Seq, Time: e.Time, Examiner: e.Actor.ID, Exhibits: e.Attrs["exhibits"], Terms: []TermHits{}}
	if len(e.Inputs) > 0 {
		s.List = e.Inputs[0]
	}
	if len(e.Outputs) == 0 {
		s.Problem = fmt.Sprintf("no per-term results recorded (%s of %s terms hit)", e.Attrs["terms_hit"], e.Attrs["terms"])
		return s
	}
	p, err := checkedFile(ctx, dir, e.Outputs[0])
	if err != nil {
		s.Problem = err.Error()
		return s
	}
	b, err := os.ReadFile(p)
	var res SearchResults
	if err == nil {
		err = json.Unmarshal(b, &res)
	}
	if err != nil {
		s.Problem = fmt.Sprintf("%s: %v", e.Outputs[0].Path, err)
		return s
	}
	s.Terms = res.Terms
	return s
}

// thumbnailMIME returns the type of an embedded preview that reports may
// show: JPEG or PNG, by signature; "" for anything else.
func thumbnailMIME(b []byte) string {
	switch {
	case len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return "image/jpeg"
	case len(b) > 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return "image/png"
	}
	return ""
}

// compareTimes orders RFC 3339 times by instant; unparsable ones last.
func compareTimes(a, b string) int {
	ta, ea := time.Parse(time.RFC3339Nano, a)
	tb, eb := time.Parse(time.RFC3339Nano, b)
	switch {
	case ea != nil || eb != nil:
		return boolInt(ea != nil) - boolInt(eb != nil)
	default:
		return ta.Compare(tb)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}
