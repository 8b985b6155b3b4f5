package index

import (
	"context"
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// Phrases. bleve's phrase searcher gathers, for every document that
// holds all the words, each word's positions into maps before it looks
// for the phrase; with common words that is most of a query's time.
// phraseQuery does the same search with less: it steps through the
// documents of the rarest word, moves the others' readers to them, and
// compares sorted positions. It scores as bleve does (the sum of the
// words' term scores) and reports the positions of the words of each
// occurrence, for snippets. In "text", the pairs of adjacent common
// words (see pairs.go) join the words it steps through, so a phrase of
// common words goes through the few documents of its rarest pair; a
// phrase that is one pair is answered by the pair's term.

// phrase returns the query for text as a phrase of field: the terms the
// field's analyzer makes of it, one after the other. The field must keep
// positions (see textFields).
func (ix *Index) phrase(field, text string, boost *query.Boost) query.Query {
	m := ix.b.Mapping()
	var terms []string
	if a := m.AnalyzerNamed(m.AnalyzerNameForPath(field)); a != nil {
		for i, t := range a.Analyze([]byte(text)) {
			if t.Position != i+1 {
				// Words left out or stacked: bleve's phrase handles
				// those (this analysis makes none).
				pq := query.NewMatchPhraseQuery(text)
				pq.SetField(field)
				if boost != nil {
					pq.SetBoost(boost.Value())
				}
				return pq
			}
			terms = append(terms, string(t.Term))
		}
	}
	q := &phraseQuery{field: field, terms: terms, boost: 1}
	if field == FieldText {
		q.words, q.marked = ix.pairs.forQuery()
	}
	if boost != nil {
		q.boost = boost.Value()
	}
	return q
}

// phraseQuery matches the documents whose field holds terms at
// consecutive positions.
type phraseQuery struct {
	field  string
	terms  []string
	boost  float64
	words  pairWords // the index's common words, when field is "text"
	marked bool      // some documents are without pairs (FieldNoPairs)
}

// pairs returns the terms of FieldPairs of the phrase's adjacent common
// words.
func (q *phraseQuery) pairs() []string {
	var out []string
	for i := 0; q.words != nil && i+1 < len(q.terms); i++ {
		if q.words.has(q.terms[i]) && q.words.has(q.terms[i+1]) {
			out = append(out, pairTerm(q.terms[i], q.terms[i+1]))
		}
	}
	return out
}

// Searcher implements query.Query.
func (q *phraseQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if len(q.terms) == 0 {
		return query.NewMatchNoneQuery().Searcher(ctx, r, nil, options)
	}
	pairs := q.pairs()
	if len(pairs) > 0 && q.marked {
		// The documents with pairs through them, the others from
		// positions alone.
		with, without := *q, *q
		with.marked, without.words = false, nil
		marker := query.NewTermQuery(noPairs)
		marker.SetField(FieldNoPairs)
		return query.NewDisjunctionQuery([]query.Query{&with,
			query.NewConjunctionQuery([]query.Query{marker, &without})}).Searcher(ctx, r, m, options)
	}
	if len(q.terms) == 2 && len(pairs) == 1 && !options.IncludeTermVectors {
		// The pair's documents are the phrase's, and it is scored
		// by how often the phrase is in each.
		tq := query.NewTermQuery(pairs[0])
		tq.SetField(FieldPairs)
		tq.SetBoost(q.boost)
		return tq.Searcher(ctx, r, m, options)
	}
	docs, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	s := &phraseSearcher{field: q.field, locations: options.IncludeTermVectors}
	for _, t := range q.terms {
		k := slices.IndexFunc(s.words, func(w *phraseWord) bool { return w.term == t })
		if k < 0 {
			if err := search.RecordTermSearcher(ctx); err != nil {
				s.Close()
				return nil, err
			}
			tfr, err := r.TermFieldReader(ctx, []byte(t), q.field, true, true, true)
			if err != nil {
				s.Close()
				return nil, err
			}
			k = len(s.words)
			s.words = append(s.words, &phraseWord{term: t, tfr: tfr,
				scorer: scorer.NewTermQueryScorer([]byte(t), q.field, q.boost, docs, tfr.Count(), 0,
					search.SearcherOptions{Score: options.Score})})
		}
		s.slots = append(s.slots, k)
	}
	for _, p := range pairs {
		if slices.ContainsFunc(s.words, func(w *phraseWord) bool { return w.term == p }) {
			continue
		}
		if err := search.RecordTermSearcher(ctx); err != nil {
			s.Close()
			return nil, err
		}
		tfr, err := r.TermFieldReader(ctx, []byte(p), FieldPairs, false, false, false)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.words = append(s.words, &phraseWord{term: p, tfr: tfr})
	}
	// Normalized as bleve's phrase searcher is (by the conjunction of its
	// words), unless a query around it normalizes it again.
	if w := s.Weight(); w > 0 {
		s.SetQueryNorm(1 / math.Sqrt(w))
	}
	s.order = make([]int, len(s.words))
	for i := range s.order {
		s.order[i] = i
	}
	slices.SortStableFunc(s.order, func(a, b int) int {
		return int(s.words[a].tfr.Count()) - int(s.words[b].tfr.Count())
	})
	return s, nil
}

// phraseWord is one distinct word of a phrase, or one of its pairs
// (without scorer, which only narrows the documents), and its reader,
// positioned on a document (doc) or done.
type phraseWord struct {
	term   string
	tfr    bleveindex.TermFieldReader
	scorer *scorer.TermQueryScorer
	buf    bleveindex.TermFieldDoc
	doc    *bleveindex.TermFieldDoc // nil before the first document and after the last
	done   bool
	pos    []uint64
}

// advance moves w to its first document at or after id (or its next
// document when id is nil).
func (w *phraseWord) advance(id bleveindex.IndexInternalID) error {
	if w.done || w.doc != nil && id != nil && w.doc.ID.Compare(id) >= 0 {
		return nil
	}
	var err error
	if id == nil {
		w.doc, err = w.tfr.Next(w.buf.Reset())
	} else {
		w.doc, err = w.tfr.Advance(id, w.buf.Reset())
	}
	w.done = w.doc == nil
	return err
}

// positions returns the word's positions in its document, in order.
func (w *phraseWord) positions() []uint64 {
	w.pos = w.pos[:0]
	for _, v := range w.doc.Vectors {
		w.pos = append(w.pos, v.Pos)
	}
	slices.Sort(w.pos)
	return w.pos
}

// phraseSearcher is the search.Searcher of a phraseQuery.
type phraseSearcher struct {
	field     string
	locations bool
	words     []*phraseWord
	slots     []int // the word at each position of the phrase
	order     []int // words, rarest first
	last      bleveindex.IndexInternalID
}

// Next implements search.Searcher.
func (s *phraseSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if err := s.words[s.order[0]].advance(nil); err != nil {
		return nil, err
	}
	return s.find(ctx)
}

// Advance implements search.Searcher.
func (s *phraseSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	if s.last != nil && s.last.Compare(id) >= 0 {
		return s.Next(ctx)
	}
	if err := s.words[s.order[0]].advance(id); err != nil {
		return nil, err
	}
	return s.find(ctx)
}

// find returns the first match at or after the rarest word's document.
func (s *phraseSearcher) find(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	lead := s.words[s.order[0]]
	for !lead.done {
		target := lead.doc.ID
		behind := false
		for _, k := range s.order[1:] {
			w := s.words[k]
			if err := w.advance(target); err != nil {
				return nil, err
			}
			if w.done {
				lead.done = true
				return nil, nil
			}
			if w.doc.ID.Compare(target) > 0 {
				if err := lead.advance(w.doc.ID); err != nil {
					return nil, err
				}
				behind = true
				break
			}
		}
		if behind {
			continue
		}
		if dm := s.match(ctx); dm != nil {
			s.last = append(s.last[:0], dm.IndexInternalID...)
			return dm, nil
		}
		if err := lead.advance(nil); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// match returns the document all words are on when the phrase is in it.
func (s *phraseSearcher) match(ctx *search.SearchContext) *search.DocumentMatch {
	first := s.words[s.slots[0]].positions()
	for _, w := range s.words {
		if w != s.words[s.slots[0]] && w.scorer != nil {
			w.positions()
		}
	}
	var starts []uint64
	for _, p := range first {
		found := true
		for i, k := range s.slots[1:] {
			if _, ok := slices.BinarySearch(s.words[k].pos, p+uint64(i+1)); !ok {
				found = false
				break
			}
		}
		if found {
			starts = append(starts, p)
		}
	}
	if len(starts) == 0 {
		return nil
	}
	// The score of each word, as bleve's phrase searcher adds them.
	var dm *search.DocumentMatch
	score := 0.0
	for _, k := range s.slots {
		w := s.words[k]
		tfd := *w.doc
		tfd.Vectors = nil
		d := w.scorer.Score(ctx, &tfd)
		score += d.Score
		if dm == nil {
			dm = d
		} else {
			ctx.DocumentMatchPool.Put(d)
		}
	}
	dm.Score = score
	if s.locations {
		for _, p := range starts {
			for i, k := range s.slots {
				dm.FieldTermLocations = append(dm.FieldTermLocations, search.FieldTermLocation{
					Field: s.field, Term: s.words[k].term, Location: search.Location{Pos: p + uint64(i)}})
			}
		}
	}
	return dm
}

// Close implements search.Searcher.
func (s *phraseSearcher) Close() error {
	var err error
	for _, w := range s.words {
		if e := w.tfr.Close(); e != nil && err == nil {
			err = e
		}
	}
	return err
}

// Weight implements search.Searcher.
func (s *phraseSearcher) Weight() float64 {
	sum := 0.0
	for _, k := range s.slots {
		sum += s.words[k].scorer.Weight()
	}
	return sum
}

// SetQueryNorm implements search.Searcher.
func (s *phraseSearcher) SetQueryNorm(norm float64) {
	for _, w := range s.words {
		if w.scorer != nil {
			w.scorer.SetQueryNorm(norm)
		}
	}
}

// Count implements search.Searcher: at most the rarest word's (or
// pair's) documents.
func (s *phraseSearcher) Count() uint64 { return s.words[s.order[0]].tfr.Count() }

// Min implements search.Searcher.
func (s *phraseSearcher) Min() int { return 0 }

// Size implements search.Searcher (an estimate of the memory it holds).
func (s *phraseSearcher) Size() int { return 256 * (len(s.words) + 1) }

// DocumentMatchPoolSize implements search.Searcher.
func (s *phraseSearcher) DocumentMatchPoolSize() int { return len(s.slots) + 1 }
