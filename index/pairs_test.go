package index

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// TestPairsField checks the terms of FieldPairs: pairs of adjacent
// common words only, in their order, counted.
func TestPairsField(t *testing.T) {
	ix := openTest(t, nil)
	words := pairWords{"to": {}, "the": {}, "of": {}, "kiboko": {}}
	d := Doc{Exhibit: "EX-1", Ref: "0/1", Text: "To the river of THE kiboko, of the kiboko; the the"}
	doc, err := ix.document(ix.b.Mapping(), &d, words, false)
	if err != nil {
		t.Fatal(err)
	}
	var pf *pairsField
	for _, f := range doc.Fields {
		if f.Options().IsIndexed() {
			f.Analyze()
		}
		if p, ok := f.(*pairsField); ok {
			pf = p
		}
	}
	if pf == nil {
		t.Fatal("no pairs field")
	}
	got := map[string]int{}
	for term, tf := range pf.AnalyzedTokenFrequencies() {
		got[term] = tf.Frequency()
	}
	want := map[string]int{"to the": 1, "of the": 2, "the kiboko": 2, "kiboko of": 1, "kiboko the": 1, "the the": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pairs %v, want %v", got, want)
	}
	if pf.AnalyzedLength() != 8 {
		t.Errorf("length %d, want 8", pf.AnalyzedLength())
	}
}

// TestPairWords checks which words an index pairs and when: nothing
// until 500 texts are committed, which are marked; then the words in
// half the texts of the batch that gets there, recorded, read back on
// reopening and used for every later batch. Phrases are found in marked
// and paired documents alike. An index made before pairs stays without.
func TestPairWords(t *testing.T) {
	gen := func(exhibit string, n int) []Doc {
		var docs []Doc
		for i := range n {
			text := fmt.Sprintf("%d kiboko mamba", i)
			if i%2 == 0 {
				text += " zumari"
			}
			if i == 7 {
				text += " yapatate"
			}
			docs = append(docs, Doc{Exhibit: exhibit, Ref: fmt.Sprintf("0/%d", i), Text: text})
		}
		return docs
	}
	dir := filepath.Join(t.TempDir(), "index")
	open := func() *Index {
		t.Helper()
		ix, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		return ix
	}
	commit := func(ix *Index, docs ...Doc) {
		t.Helper()
		b := ix.NewBatch()
		for _, d := range docs {
			b.Add(d)
		}
		if err := ix.Commit(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	pairIDs := func(ix *Index, term string) []string {
		tq := query.NewTermQuery(term)
		tq.SetField(FieldPairs)
		sr, err := ix.b.Search(bleve.NewSearchRequestOptions(tq, 2000, 0, false))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range sr.Hits {
			out = append(out, h.ID)
		}
		return out
	}
	phrase := func(ix *Index, p string, want int) {
		t.Helper()
		if got := ids(t, ix, Query{Text: `"` + p + `"`}); len(got) != want {
			t.Errorf("%q: %d hits, want %d", p, len(got), want)
		}
	}

	ix := open()
	commit(ix, gen("EX-1", 100)...)
	if w, _ := ix.pairs.forQuery(); w != nil {
		t.Errorf("%d common words chosen from 100 texts", len(w))
	}
	phrase(ix, "kiboko mamba", 100)
	commit(ix, gen("EX-2", 600)...)
	w, marked := ix.pairs.forQuery()
	if !w.has("kiboko") || !w.has("mamba") || !w.has("zumari") || w.has("yapatate") || w.has("7") || !marked {
		t.Fatalf("common words %v, marked %v: want kiboko, mamba, zumari, marked", w, marked)
	}
	if got := pairIDs(ix, "kiboko mamba"); len(got) != 600 {
		t.Errorf("pair \"kiboko mamba\" in %d documents, want the 600 of the second batch", len(got))
	}
	phrase(ix, "kiboko mamba", 700)
	phrase(ix, "kiboko mamba zumari", 350)
	phrase(ix, "mamba kiboko", 0)
	ix.Close()

	// Reopened, the index has the same words and pairs a later batch
	// with them, whatever that batch holds.
	ix = open()
	if got, marked := ix.pairs.forQuery(); fmt.Sprint(got) != fmt.Sprint(w) || !marked {
		t.Fatalf("reopened: %d common words, want %d", len(got), len(w))
	}
	commit(ix, Doc{Exhibit: "EX-3", Ref: "0/1", Text: "yapatate kiboko mamba"},
		Doc{Exhibit: "EX-3", Ref: "0/2", Text: "mamba kiboko"})
	if got := pairIDs(ix, "kiboko mamba"); len(got) != 601 || !slices.Contains(got, "EX-3/0/1") {
		t.Errorf("pair \"kiboko mamba\" in %d documents, want 601 with EX-3/0/1", len(got))
	}
	if got := pairIDs(ix, "yapatate kiboko"); len(got) != 0 {
		t.Errorf("pair of an uncommon word indexed: %v", got)
	}
	if got := ids(t, ix, Query{Text: `"mamba kiboko"`}); !slices.Equal(got, []string{"EX-3/0/2"}) {
		t.Errorf(`"mamba kiboko": %v`, got)
	}
	phrase(ix, "kiboko mamba", 701)

	// An index without the record was made before pairs: it gets none,
	// and its phrases are found from positions.
	if err := ix.b.DeleteInternal([]byte(pairsKey)); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	ix = open()
	defer ix.Close()
	if w, _ := ix.pairs.forQuery(); w != nil {
		t.Errorf("%d common words for an index made without them", len(w))
	}
	commit(ix, Doc{Exhibit: "EX-4", Ref: "0/1", Text: "kiboko mamba"})
	if got := pairIDs(ix, "kiboko mamba"); len(got) != 601 {
		t.Errorf("pair indexed in an index without pairs: %d documents", len(got))
	}
	phrase(ix, "kiboko mamba", 702)
}
