package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
	bolt "go.etcd.io/bbolt"

	"github.com/pangolin-forensics/pangolin/extract"
)

// ErrDamaged means an index cannot be opened or read: its files are
// damaged, incomplete or from another schema version. The index is derived
// data: rebuild it from the catalogue (`pangolin index rebuild`).
var ErrDamaged = errors.New("index damaged or unreadable: run `pangolin index rebuild`")

// ErrBusy means another process has the index open.
var ErrBusy = errors.New("index in use by another process")

// MaxText is the number of bytes of a document's text that are indexed;
// the rest is left out and the document's "truncated" field is true, so
// `truncated:true` lists the documents not indexed in full.
const MaxText = 16 << 20

// Doc is one artefact (file, folder, email, attachment) as the index
// holds it. Exhibit and Ref identify it (see [ID]); every other field is
// optional.
type Doc struct {
	Exhibit string `json:"exhibit"`
	Ref     string `json:"ref"`
	Path    string `json:"path"`
	Name    string `json:"name"`
	// Type is the artefact's type in the catalogue: "file", "dir",
	// "symlink", "other" (or "email", "attachment").
	Type string `json:"type"`
	MIME string `json:"mime,omitempty"`
	Size int64  `json:"size"`
	// Modified is the file system's (or the document's) modification
	// time; Created is when the content was made (a photo taken, a
	// document created). Zero when unknown.
	Modified time.Time `json:"modified,omitzero"`
	Created  time.Time `json:"created,omitzero"`
	SHA256   string    `json:"sha256,omitempty"`
	MD5      string    `json:"md5,omitempty"`
	// Known is the hash-set verdict ("known-bad", "notable",
	// "known-good" or "").
	Known string `json:"known,omitempty"`
	// Text is the extracted text. Invalid UTF-8 is replaced by U+FFFD;
	// beyond MaxText bytes it is not indexed.
	Text     string           `json:"-"`
	Entities []extract.Entity `json:"entities,omitempty"`
	// Make and Model name the device that made a photo or video, Author
	// a document's writer.
	Make   string `json:"make,omitempty"`
	Model  string `json:"model,omitempty"`
	Author string `json:"author,omitempty"`
	// GPS is where the content was made; nil when unknown. Positions
	// out of range are not indexed.
	GPS     *extract.GPS `json:"gps,omitempty"`
	Tags    []string     `json:"tags,omitempty"`
	Deleted bool         `json:"deleted,omitempty"`
	// Lang is the text's language as an ISO 639-1 code; leave it empty
	// to have it detected (see [DetectLanguage]).
	Lang string `json:"lang,omitempty"`
}

// ID returns the index's document id of the artefact ref of exhibit:
// exhibit + "/" + ref.
func ID(exhibit, ref string) string { return exhibit + "/" + ref }

// Index is an open full-text index. Its methods are safe for concurrent
// use; one process at a time may have an index open.
type Index struct {
	b   bleve.Index
	dir string

	// SnippetText, when set, returns the text of an artefact for
	// highlighting, the same text that was indexed (the catalogue's
	// texts table). It is used only when the index does not store the
	// text itself. Set it before the first Search.
	SnippetText func(ctx context.Context, exhibit, ref string) (string, error)

	mu     sync.Mutex
	langs  []string // languages of the documents, nil when to be read again
	closed bool

	pairs pairState // the common words whose pairs are indexed
}

// Open opens the index in dir, or creates it when dir does not exist or
// is empty. An index that cannot be opened gives an error wrapping
// [ErrDamaged] (rebuild it) or [ErrBusy] (another process has it).
func Open(dir string) (*Index, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return create(dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "index_meta.json")); err != nil {
		return nil, fmt.Errorf("open index %s: no index_meta.json: %w", dir, ErrDamaged)
	}
	b, err := openBleve(dir)
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("open index %s: %w", dir, ErrBusy)
		}
		return nil, fmt.Errorf("open index %s: %v: %w", dir, err, ErrDamaged)
	}
	ix := &Index{b: b, dir: dir}
	v, err := b.GetInternal([]byte(schemaKey))
	if err == nil && string(v) != schemaVersion {
		err = fmt.Errorf("schema version %q, want %q", v, schemaVersion)
	}
	if err == nil {
		_, err = b.DocCount()
	}
	if err == nil {
		err = ix.pairs.load(b)
	}
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("open index %s: %v: %w", dir, err, ErrDamaged)
	}
	return ix, nil
}

const schemaKey = "pangolin.schema"

// openBleve opens a bleve index, turning a panic in bleve on damaged
// files into an error.
func openBleve(dir string) (b bleve.Index, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return bleve.OpenUsing(dir, scorchConfig())
}

// mergeTask is how many segments one merge joins while indexing,
// compactTask in Compact.
const (
	mergeTask   = 50
	compactTask = 200
)

// scorchConfig returns the settings of bleve's index (scorch), given
// each time an index is opened.
func scorchConfig() map[string]interface{} {
	// Each Commit makes a segment; scorch merges them in the background,
	// by default ten at a time into tiers ten times larger, so a document
	// is rewritten once per tier. Indexing in bulk (process, rebuild)
	// ends with Compact, which merges everything anyway: meanwhile
	// merging fifty at a time rewrites each document about half as
	// often, while keeping the number of segment files (and so of open
	// files and of searches per query) under a hundred or so.
	return map[string]interface{}{
		"bolt_timeout": "2s",
		// Read over the defaults (mergeplan.DefaultMergePlanOptions).
		"scorchMergePlanOptions": map[string]interface{}{"MaxSegmentsPerTier": mergeTask, "SegmentsPerMergeTask": mergeTask},
	}
}

func create(dir string) (*Index, error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("create index %s: %w", dir, err)
	}
	// bleve wants to create the folder itself.
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("create index %s: %w", dir, err)
	}
	b, err := bleve.NewUsing(dir, newMapping(), scorch.Name, scorch.Name, scorchConfig())
	if err != nil {
		return nil, fmt.Errorf("create index %s: %w", dir, err)
	}
	ix := &Index{b: b, dir: dir}
	err = b.SetInternal([]byte(schemaKey), []byte(schemaVersion))
	if err == nil {
		err = ix.pairs.create(b)
	}
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("create index %s: %w", dir, err)
	}
	return ix, nil
}

// Remove deletes the index in dir, for a rebuild. It refuses a folder
// that holds anything but a bleve index, so a wrong path cannot delete
// evidence or a case.
func Remove(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove index %s: %w", dir, err)
	}
	for _, e := range entries {
		switch n := e.Name(); {
		case n == "index_meta.json", n == "store":
		default:
			return fmt.Errorf("remove index %s: unexpected %q: not an index folder", dir, n)
		}
	}
	return os.RemoveAll(dir)
}

// Close closes the index; what was committed is on disk. Closing a
// closed index does nothing.
func (ix *Index) Close() error {
	ix.mu.Lock()
	closed := ix.closed
	ix.closed = true
	ix.mu.Unlock()
	if closed {
		return nil
	}
	return ix.b.Close()
}

// Count returns the number of documents in the index.
func (ix *Index) Count() (uint64, error) { return ix.b.DocCount() }

// Batch collects documents to add (or replace) and delete in one
// [Index.Commit]. A Batch is not safe for concurrent use.
type Batch struct {
	ix      *Index
	docs    []Doc
	deletes []string
	bytes   int
}

// NewBatch returns an empty batch.
func (ix *Index) NewBatch() *Batch { return &Batch{ix: ix} }

// Add adds d to the batch; a document with the same ID already in the
// index is replaced when the batch is committed. It returns an error
// when d has no Exhibit or Ref.
func (b *Batch) Add(d Doc) error {
	if d.Exhibit == "" || d.Ref == "" {
		return fmt.Errorf("index: document without exhibit or ref (%q, %q)", d.Exhibit, d.Ref)
	}
	b.docs = append(b.docs, d)
	b.bytes += len(d.Text) + len(d.Path) + 256
	return nil
}

// Delete adds the removal of a document to the batch; removing a
// document that is not there is not an error.
func (b *Batch) Delete(exhibit, ref string) { b.deletes = append(b.deletes, ID(exhibit, ref)) }

// Len returns the number of documents added to the batch.
func (b *Batch) Len() int { return len(b.docs) }

// Bytes estimates the size of the batch (mostly its text).
func (b *Batch) Bytes() int { return b.bytes }

// Full reports whether the batch is as large as a batch should be:
// commit it then. Commit holds about 30 bytes of memory for each byte of
// text while it builds the batch's segment; a full batch holds 2,000
// documents or about 2 MiB of text, so two commits at a time take
// some 150 MiB. Smaller batches make more segments to merge.
func (b *Batch) Full() bool { return len(b.docs) >= 2000 || b.bytes >= 2<<20 }

// Reset empties the batch for reuse.
func (b *Batch) Reset() {
	clear(b.docs)
	b.docs, b.deletes, b.bytes = b.docs[:0], b.deletes[:0], 0
}

// Commit writes the batch to the index and empties it. When it returns
// nil the documents are on disk and searchable; when it fails (or the
// process dies) none or all of the batch is in the index, and the caller
// adds the batch again (adding is idempotent). Commit detects the
// languages of the texts first, on all cores.
func (ix *Index) Commit(ctx context.Context, b *Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	words, mark, err := ix.pairs.forBatch(ix.b, b.docs)
	if err != nil {
		return err
	}
	docs := make([]*document.Document, len(b.docs))
	errs := make([]error, len(b.docs))
	m := ix.b.Mapping()
	workers := min(runtime.GOMAXPROCS(0), max(1, len(b.docs)/16))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(b.docs); i += workers {
				docs[i], errs[i] = ix.document(m, &b.docs[i], words, mark)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	bb := ix.b.NewBatch()
	for _, id := range b.deletes {
		bb.Delete(id)
	}
	for i, doc := range docs {
		if errs[i] == nil {
			errs[i] = bb.IndexAdvanced(doc)
		}
		if errs[i] != nil {
			d := &b.docs[i]
			return fmt.Errorf("index %s: %w", ID(d.Exhibit, d.Ref), errs[i])
		}
	}
	if err := ix.b.Batch(bb); err != nil {
		return fmt.Errorf("commit index batch: %w", err)
	}
	ix.mu.Lock()
	for i := 0; ix.langs != nil && i < len(b.docs); i++ {
		if _, ok := langAnalyzers[b.docs[i].Lang]; ok && !slices.Contains(ix.langs, b.docs[i].Lang) {
			ix.langs = nil
		}
	}
	ix.mu.Unlock()
	b.Reset()
	return nil
}

// document returns the index's document for d, with the pairs of the
// common words when there are any, or marked as without pairs (see
// pairState); it sets d.Lang when empty.
func (ix *Index) document(m mapping.IndexMapping, d *Doc, words pairWords, mark bool) (*document.Document, error) {
	doc := document.NewDocument(ID(d.Exhibit, d.Ref))
	if err := m.MapDocument(doc, docFields(d)); err != nil {
		return nil, err
	}
	for _, f := range doc.Fields {
		if f.Name() != FieldText {
			continue
		}
		if mark {
			doc.AddField(document.NewTextFieldWithIndexingOptions(FieldNoPairs, nil, []byte(noPairs), noPairsOptions))
		} else if words != nil {
			doc.AddField(&pairsField{text: f, words: words})
		}
		break
	}
	return doc, nil
}

// docFields maps d to the index's fields; it sets d.Lang when empty.
func docFields(d *Doc) map[string]interface{} {
	f := map[string]interface{}{
		FieldExhibit:   d.Exhibit,
		FieldRef:       d.Ref,
		FieldPath:      d.Path,
		FieldPathExact: d.Path,
		FieldName:      d.Name,
		FieldType:      d.Type,
		FieldKind:      Kind(d.Type, d.MIME),
		FieldSize:      float64(d.Size),
		FieldDeleted:   d.Deleted,
	}
	set := func(name, v string) {
		if v != "" {
			f[name] = v
		}
	}
	set(FieldMIME, d.MIME)
	set(FieldSHA256, d.SHA256)
	set(FieldMD5, d.MD5)
	set(FieldKnown, d.Known)
	set(FieldMake, d.Make)
	set(FieldModel, d.Model)
	set(FieldAuthor, d.Author)
	// Dates bleve cannot hold (before 1678, after 2261: a zeroed or
	// forged time stamp) are left out.
	if indexable(d.Modified) {
		f[FieldModified] = d.Modified.UTC()
	}
	if indexable(d.Created) {
		f[FieldCreated] = d.Created.UTC()
	}
	if t := docDate(d); indexable(t) {
		f[FieldDate] = t.UTC()
	}
	if len(d.Tags) > 0 {
		f[FieldTag] = d.Tags
	}
	if len(d.Entities) > 0 {
		all := make([]string, 0, len(d.Entities))
		byType := map[string][]string{}
		for _, e := range d.Entities {
			all = append(all, e.Value)
			byType[e.Type] = append(byType[e.Type], e.Value)
		}
		f[FieldEntity] = all
		for _, t := range entityFields {
			if v := byType[t]; len(v) > 0 {
				f[t] = v
			}
		}
	}
	if g := d.GPS; g != nil && validLatLon(g.Latitude, g.Longitude) {
		f[FieldLocation] = map[string]interface{}{"lat": g.Latitude, "lon": g.Longitude}
	}
	text := d.Text
	if len(text) > MaxText {
		text = text[:MaxText]
		for len(text) > 0 && !utf8.RuneStart(text[len(text)-1]) {
			text = text[:len(text)-1]
		}
		f[FieldTruncated] = true
	}
	text = strings.ToValidUTF8(text, "\uFFFD")
	if text != "" {
		f[FieldText] = text
		if d.Lang == "" {
			d.Lang = DetectLanguage(text)
		}
		if stemmedAtIndex[d.Lang] {
			f[FieldText+"_"+d.Lang] = text
		}
	}
	set(FieldLang, d.Lang)
	return f
}

// docDate is the date a hit shows: Created when known, else Modified.
func docDate(d *Doc) time.Time {
	if !d.Created.IsZero() {
		return d.Created
	}
	return d.Modified
}

func indexable(t time.Time) bool {
	return !t.IsZero() && t.Year() > 1677 && t.Year() < 2262
}

func validLatLon(lat, lon float64) bool {
	return !math.IsNaN(lat) && !math.IsNaN(lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}

// Compact merges the index's segments into as few as it can, which
// makes it smaller and searches faster; run it after a bulk indexing
// (process, rebuild). It can take minutes on a large index and may be
// interrupted through ctx; the index stays usable meanwhile.
func (ix *Index) Compact(ctx context.Context) error {
	adv, err := ix.b.Advanced()
	if err != nil {
		return fmt.Errorf("compact index: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	// Merge up to compactTask segments at once, not bleve's default of
	// ten at a time, which rewrites each document once more every
	// tenfold.
	single := mergeplan.SingleSegmentMergePlanOptions
	single.SegmentsPerMergeTask = compactTask
	if err := s.ForceMerge(ctx, &single); err != nil {
		return fmt.Errorf("compact index: %w", err)
	}
	return nil
}
