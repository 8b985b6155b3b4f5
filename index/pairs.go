package index

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// Word pairs. A phrase of common words ("of the", "kwa ajili ya") is
// slow to find from positions alone: every document holding all its
// words must have their positions read and compared, hundreds of
// thousands of documents in a large case. So, as search engines do with
// "common grams", the index also holds each pair of adjacent words of
// "text" that are both common, as one term of the field "text_pairs"
// ("of the"). A phrase then steps through the documents of its rarest
// word or pair, which are few even when its words are everywhere.
//
// Which words are common is chosen once, from the first batch that
// brings the index to pairSample documents with text: the words in a
// third of that batch's texts, and the function words ("of", "the",
// "de", "ya") in a tenth. The choice is recorded in the index, and every document
// committed afterwards has the pairs of exactly those words, which is
// what lets a query use them. Documents with text committed before the
// choice are marked (field "nopairs"), and a phrase looks for itself in
// them from positions alone: they are few. An index whose early
// documents are unlike its later ones (a short exhibit before a large
// one in another language) gains less from pairs; `index rebuild`
// chooses again.

// FieldPairs is the field of pairs of adjacent common words of "text",
// each "first second" (a space between the two terms). It is not in the
// mapping: the index fills it (see pairsField) and phrases read it.
const FieldPairs = "text_pairs"

// FieldNoPairs marks the documents with text committed before the
// common words were chosen: they have no pairs.
const FieldNoPairs = "nopairs"

const (
	noPairs        = "1" // the term of FieldNoPairs
	noPairsOptions = bleveindex.IndexField | bleveindex.SkipFreqNorm
)

// pairsKey is the internal key under which the index records its common
// words: "1" and the words, one a line, or "0" before they are chosen.
// An index without it was made before pairs and has none.
const pairsKey = "pangolin.pairs"

// The choice of the common words: once pairSample documents with text
// are committed, from the batch that brings them there: the words in a
// third of its texts, and the function words (of the languages of
// stopLists) in a tenth, at most pairMax, looking at the first
// pairScanBytes of each text.
const (
	pairSample        = 500
	pairShare         = 3
	pairShareFunction = 10
	pairMax           = 1000
	pairScanBytes     = 64 << 10
)

// functionTerms are the terms the text analyzer makes of the function
// words of stopLists.
var functionTerms = sync.OnceValue(func() map[string]bool {
	a := NewTextAnalyzer()
	m := map[string]bool{}
	for w := range stopWords() {
		for _, t := range a.Analyze([]byte(w)) {
			m[string(t.Term)] = true
		}
	}
	return m
})

// pairState is what an open index knows of its common words.
type pairState struct {
	mu     sync.Mutex
	words  pairWords // nil when none
	chosen bool      // the words are chosen (or never will be)
	marked uint64    // documents with text committed before the choice
}

// create records that a new index has no common words yet.
func (p *pairState) create(b bleve.Index) error {
	return b.SetInternal([]byte(pairsKey), []byte("0"))
}

// load reads the state of an index being opened.
func (p *pairState) load(b bleve.Index) error {
	v, err := b.GetInternal([]byte(pairsKey))
	if err != nil {
		return err
	}
	tq := query.NewTermQuery(noPairs)
	tq.SetField(FieldNoPairs)
	sr, err := b.Search(bleve.NewSearchRequestOptions(tq, 0, 0, false))
	if err != nil {
		return err
	}
	p.marked = sr.Total
	switch {
	case v == nil:
		p.chosen = true
	case string(v) == "0":
	case strings.HasPrefix(string(v), "1\n") || string(v) == "1":
		p.words = pairWords{}
		for _, t := range strings.Split(string(v), "\n")[1:] {
			if t != "" {
				p.words[t] = struct{}{}
			}
		}
		p.chosen = true
	default:
		return fmt.Errorf("common words: bad record %.20q", v)
	}
	return nil
}

// forBatch returns the common words whose pairs the documents of a batch
// get, or mark when the words are not chosen yet and the batch's texts
// are to be marked. It chooses the words when this batch brings the
// index to pairSample texts.
func (p *pairState) forBatch(b bleve.Index, docs []Doc) (words pairWords, mark bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.chosen {
		return p.words, false, nil
	}
	texts := 0
	for i := range docs {
		if docs[i].Text != "" {
			texts++
		}
	}
	if p.marked+uint64(texts) < pairSample {
		// A batch that fails is committed again and counted twice:
		// the choice comes a little early, which does no harm.
		p.marked += uint64(texts)
		return nil, true, nil
	}
	w := choosePairWords(docs)
	if err := b.SetInternal([]byte(pairsKey), append([]byte("1\n"), w.encode()...)); err != nil {
		return nil, false, fmt.Errorf("index: record common words: %w", err)
	}
	p.words, p.chosen = w, true
	return w, false, nil
}

// forQuery returns the common words for a phrase, and whether some
// documents are marked as without pairs.
func (p *pairState) forQuery() (pairWords, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.chosen {
		return nil, false
	}
	return p.words, p.marked > 0
}

// pairWords is the set of common words of an index.
type pairWords map[string]struct{}

func (w pairWords) has(term string) bool {
	_, ok := w[term]
	return ok
}

// encode returns the words, one a line, sorted.
func (w pairWords) encode() []byte {
	words := make([]string, 0, len(w))
	for t := range w {
		words = append(words, t)
	}
	slices.Sort(words)
	return []byte(strings.Join(words, "\n"))
}

// pairTerm is the term of FieldPairs for the words a and b, adjacent.
func pairTerm(a, b string) string { return a + " " + b }

// choosePairWords returns the words of the text analyzer that are in at
// least one in pairShare of the texts of docs, or function words in one
// in pairShareFunction, at most pairMax, the most frequent.
func choosePairWords(docs []Doc) pairWords {
	a := NewTextAnalyzer()
	w := pairWords{}
	df := map[string]int{}
	seen := map[string]bool{}
	texts := 0
	for i := range docs {
		text := docs[i].Text
		if len(text) > pairScanBytes {
			text = text[:pairScanBytes]
		}
		if text == "" {
			continue
		}
		texts++
		clear(seen)
		for _, t := range a.Analyze([]byte(text)) {
			if !seen[string(t.Term)] {
				seen[string(t.Term)] = true
				df[string(t.Term)]++
			}
		}
	}
	function := functionTerms()
	var frequent []string
	for t, n := range df {
		if n*pairShare >= texts || function[t] && n*pairShareFunction >= texts {
			frequent = append(frequent, t)
		}
	}
	slices.SortFunc(frequent, func(x, y string) int {
		return cmp.Or(cmp.Compare(df[y], df[x]), cmp.Compare(x, y))
	})
	for _, t := range frequent[:min(len(frequent), pairMax)] {
		w[t] = struct{}{}
	}
	return w
}

// pairsField is the field FieldPairs of a document: it is analyzed after
// the document's "text" field and makes its terms from that field's
// positions, without analyzing the text again.
type pairsField struct {
	text   document.Field
	words  pairWords
	freqs  bleveindex.TokenFrequencies
	length int
}

// pairsOptions: indexed, with frequencies (a two-word phrase is scored
// as its pair), without positions.
const pairsOptions = bleveindex.IndexField

func (f *pairsField) Name() string                             { return FieldPairs }
func (f *pairsField) ArrayPositions() []uint64                 { return nil }
func (f *pairsField) Options() bleveindex.FieldIndexingOptions { return pairsOptions }
func (f *pairsField) Value() []byte                            { return nil }
func (f *pairsField) NumPlainTextBytes() uint64                { return 0 }
func (f *pairsField) Size() int                                { return 64 + 48*len(f.freqs) }
func (f *pairsField) EncodedFieldType() byte                   { return 't' }
func (f *pairsField) AnalyzedLength() int                      { return f.length }

func (f *pairsField) AnalyzedTokenFrequencies() bleveindex.TokenFrequencies { return f.freqs }

// Analyze implements document.Field: it pairs the common words of the
// text field at consecutive positions.
func (f *pairsField) Analyze() {
	// The common word at each position (from 1), or "".
	at := make([]string, f.text.AnalyzedLength()+2)
	for term, tf := range f.text.AnalyzedTokenFrequencies() {
		if !f.words.has(term) {
			continue
		}
		for _, loc := range tf.Locations {
			if p := loc.Position; p > 0 && p < len(at) {
				at[p] = term
			}
		}
	}
	var tokens analysis.TokenStream
	for p := 1; p+1 < len(at); p++ {
		if at[p] != "" && at[p+1] != "" {
			tokens = append(tokens, &analysis.Token{Term: []byte(pairTerm(at[p], at[p+1])), Position: len(tokens) + 1})
		}
	}
	f.length = len(tokens)
	f.freqs = analysis.TokenFrequency(tokens, nil, pairsOptions)
}
