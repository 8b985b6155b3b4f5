package index

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Near selects documents whose position (the "location" field) is
// within Km kilometres of Lat, Lon.
type Near struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
	Km  float64 `json:"km"`
}

// Query is a search. All its parts must hold for a document to match.
type Query struct {
	// Text is in bleve's query-string syntax: words, "phrases", +must
	// and -must-not, fuzzy~1, wild*, /regular expression/, field:value,
	// field:"a phrase", size:>1000, boost^2. Words without a field search
	// the "text" field, and also find the words of the same stem in the
	// documents of each language the index stems ("seize" finds "seized"
	// in English documents); a word that analyses to more than one term
	// (a Chinese or Thai word, "+254-712") is a phrase. "text_en:seize"
	// is the stemmed search in English documents only.
	// Wildcards are lower-cased and accent-folded; a /regular expression/
	// is matched against whole indexed terms, which are lower-case and
	// folded (Go RE2 syntax). Empty matches every document.
	Text string `json:"text,omitempty"`
	// Exhibits, when set, limits the search to those exhibits.
	Exhibits []string `json:"exhibits,omitempty"`
	// Types, when set, limits the search to those kinds (KindPDF,
	// KindImage...; see [Kind]).
	Types []string `json:"types,omitempty"`
	// From and To, when not zero, limit the search to documents modified
	// or created (either) between them, both included.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// Near, when set, limits the search to documents with a position
	// within a distance.
	Near *Near `json:"near,omitempty"`
	// Limit is the number of hits to return (20 when 0, at most 10000),
	// after skipping Offset hits; hits are by score, best first.
	Limit  int `json:"limit,omitempty"`
	Offset int `json:"offset,omitempty"`
	// Facets asks for counts of the matching documents by "exhibit",
	// "type" (kind) and "lang".
	Facets bool `json:"facets,omitempty"`
	// Highlight asks for snippets of the text around the matches.
	Highlight bool `json:"highlight,omitempty"`
}

// Hit is a matching document.
type Hit struct {
	ID      string    `json:"id"`
	Exhibit string    `json:"exhibit"`
	Ref     string    `json:"ref"`
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	SHA256  string    `json:"sha256,omitempty"`
	MIME    string    `json:"mime,omitempty"`
	Date    time.Time `json:"date,omitzero"`
	Score   float64   `json:"score"`
	// Snippets are fragments of the text around the matches, at most
	// three, as HTML: the text is escaped, matches are in <mark></mark>,
	// control and bidirectional-override characters are replaced by
	// spaces, and "…" marks a cut. Empty without Query.Highlight, and
	// when the text is not at hand.
	Snippets []string `json:"snippets,omitempty"`
}

// Result is the answer to a search.
type Result struct {
	// Total is the number of matching documents.
	Total uint64 `json:"total"`
	Hits  []Hit  `json:"hits"`
	// Facets maps "exhibit", "type" and "lang" to counts by value.
	Facets map[string]map[string]int `json:"facets,omitempty"`
	Took   time.Duration             `json:"took"`
}

// MaxLimit is the most hits one Search returns.
const MaxLimit = 10000

// Facet names in [Result.Facets] and the fields they count.
var facetFields = map[string]string{"exhibit": FieldExhibit, "type": FieldKind, "lang": FieldLang}

// Search runs q. A query-string syntax error is returned as it is (the
// message says where).
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	start := time.Now()
	bq, err := ix.buildQuery(q)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, MaxLimit)
	req := bleve.NewSearchRequestOptions(bq, limit, max(q.Offset, 0), false)
	req.Fields = []string{FieldExhibit, FieldRef, FieldPath, FieldSize, FieldSHA256, FieldMIME, FieldDate}
	if q.Facets {
		for name, field := range facetFields {
			req.AddFacet(name, bleve.NewFacetRequest(field, 200))
		}
	}
	sr, err := ix.b.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	res := &Result{Total: sr.Total, Hits: make([]Hit, 0, len(sr.Hits))}
	for _, h := range sr.Hits {
		hit := Hit{ID: h.ID, Score: h.Score}
		if math.IsNaN(hit.Score) || math.IsInf(hit.Score, 0) {
			// A query on a field indexed without norms (kind:image) scores
			// NaN in bleve; JSON cannot hold it, and it ranks nothing.
			hit.Score = 0
		}
		hit.Exhibit, _ = h.Fields[FieldExhibit].(string)
		hit.Ref, _ = h.Fields[FieldRef].(string)
		hit.Path, _ = h.Fields[FieldPath].(string)
		hit.SHA256, _ = h.Fields[FieldSHA256].(string)
		hit.MIME, _ = h.Fields[FieldMIME].(string)
		if f, ok := h.Fields[FieldSize].(float64); ok {
			hit.Size = int64(f)
		}
		if s, ok := h.Fields[FieldDate].(string); ok {
			hit.Date, _ = time.Parse(time.RFC3339Nano, s)
		}
		res.Hits = append(res.Hits, hit)
	}
	if q.Highlight && strings.TrimSpace(q.Text) != "" {
		if err := ix.highlight(ctx, bq, res.Hits); err != nil {
			return nil, err
		}
	}
	if q.Facets {
		res.Facets = map[string]map[string]int{}
		for name, fr := range sr.Facets {
			m := map[string]int{}
			if fr.Terms != nil {
				for _, t := range fr.Terms.Terms() {
					m[t.Term] = t.Count
				}
			}
			res.Facets[name] = m
		}
	}
	res.Took = time.Since(start)
	return res, nil
}

// buildQuery turns q into a bleve query.
func (ix *Index) buildQuery(q Query) (query.Query, error) {
	var parts []query.Query
	if strings.TrimSpace(q.Text) != "" {
		pq, err := query.NewQueryStringQuery(quotePlus(q.Text)).Parse()
		if err != nil {
			return nil, fmt.Errorf("query %q: %w", q.Text, err)
		}
		parts = append(parts, ix.rewrite(pq))
	}
	if len(q.Exhibits) > 0 {
		parts = append(parts, termsQuery(FieldExhibit, q.Exhibits, false))
	}
	if len(q.Types) > 0 {
		parts = append(parts, termsQuery(FieldKind, q.Types, true))
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
			return nil, fmt.Errorf("query: date range ends (%s) before it starts (%s)", q.To, q.From)
		}
		from, to := clampTime(q.From), clampTime(q.To)
		incl := true
		var dates []query.Query
		for _, f := range []string{FieldModified, FieldCreated} {
			dq := query.NewDateRangeInclusiveQuery(from, to, &incl, &incl)
			dq.SetField(f)
			dates = append(dates, dq)
		}
		parts = append(parts, query.NewDisjunctionQuery(dates))
	}
	if n := q.Near; n != nil {
		if !validLatLon(n.Lat, n.Lon) || !(n.Km > 0) {
			return nil, fmt.Errorf("query: bad position or distance (%g, %g, %g km)", n.Lat, n.Lon, n.Km)
		}
		gq := query.NewGeoDistanceQuery(n.Lon, n.Lat, strconv.FormatFloat(n.Km, 'f', -1, 64)+"km")
		gq.SetField(FieldLocation)
		parts = append(parts, gq)
	}
	switch len(parts) {
	case 0:
		return query.NewMatchAllQuery(), nil
	case 1:
		return parts[0], nil
	}
	return query.NewConjunctionQuery(parts), nil
}

var plusValue = regexp.MustCompile(`([\pL\pN_]+):\+([^\s"()]+)`)

// quotePlus quotes field values that start with "+" (phone:+254712345678),
// which bleve's query-string syntax would take for an operator.
func quotePlus(s string) string {
	if !strings.Contains(s, ":+") {
		return s
	}
	return plusValue.ReplaceAllString(s, `$1:"+$2"`)
}

// clampTime keeps t within the dates bleve can index (1678 to 2261).
func clampTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	lo, hi := time.Unix(0, minDate).UTC(), time.Unix(0, maxDate).UTC()
	if t.Before(lo) {
		return lo
	}
	if t.After(hi) {
		return hi
	}
	return t
}

// The range of dates the index holds (int64 nanoseconds, less a margin).
const (
	minDate = -(1 << 63) + int64(24*time.Hour)
	maxDate = 1<<63 - 1 - int64(24*time.Hour)
)

func termsQuery(field string, values []string, lower bool) query.Query {
	qs := make([]query.Query, 0, len(values))
	for _, v := range values {
		if lower {
			v = strings.ToLower(v)
		}
		tq := query.NewTermQuery(v)
		tq.SetField(field)
		qs = append(qs, tq)
	}
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

// textFields are the fields analysed as text, where a word giving more
// than one term is searched as a phrase.
var textFields = map[string]bool{FieldText: true, FieldPath: true, FieldName: true, FieldMake: true, FieldModel: true, FieldAuthor: true}

// rewrite adapts a parsed query string: words without a field search
// "text" and their stems (see stemVariants and stemmedAtIndex),
// multi-term words become phrases, queries on the fields of languages
// stemmed at query time search "text" in those languages' documents, and
// wildcards are folded as the text is.
func (ix *Index) rewrite(q query.Query) query.Query {
	switch t := q.(type) {
	case *query.BooleanQuery:
		// A query of one word or phrase parses as a boolean query of a
		// disjunction of one: search the one, without the disjunction
		// around it (a third of the time of a common word's query).
		if d, ok := t.Should.(*query.DisjunctionQuery); ok && t.Must == nil && t.MustNot == nil && len(d.Disjuncts) == 1 && d.Min <= 1 {
			return ix.rewrite(d.Disjuncts[0])
		}
		if t.Must != nil {
			t.Must = ix.rewrite(t.Must)
		}
		if t.Should != nil {
			t.Should = ix.rewrite(t.Should)
		}
		if t.MustNot != nil {
			t.MustNot = ix.rewrite(t.MustNot)
		}
	case *query.ConjunctionQuery:
		for i := range t.Conjuncts {
			t.Conjuncts[i] = ix.rewrite(t.Conjuncts[i])
		}
	case *query.DisjunctionQuery:
		for i := range t.Disjuncts {
			t.Disjuncts[i] = ix.rewrite(t.Disjuncts[i])
		}
	case *query.MatchQuery:
		field := t.FieldVal
		if field == "" {
			field = FieldText
		}
		if code, ok := stemmedAtQuery(field); ok {
			return ix.langFieldQuery(t, code)
		}
		if !textFields[field] || t.Fuzziness != 0 {
			return q
		}
		terms := ix.terms(field, t.Match)
		if len(terms) > 1 {
			return ix.phrase(field, t.Match, t.BoostVal)
		}
		if len(terms) == 0 {
			return q
		}
		if uq := unigram(field, terms[0], t.BoostVal); uq != nil {
			return uq
		}
		// One term: a term query (bleve's match query wraps even one
		// term in a disjunction, a fifth of the time of a word in most
		// documents).
		word := fieldTerm(field, terms[0], t.BoostVal)
		if t.FieldVal != "" {
			return word
		}
		qs := []query.Query{word}
		var stemmed []string
		for _, code := range ix.languages() {
			if !stemmedAtIndex[code] {
				stemmed = append(stemmed, code)
				continue
			}
			mq := query.NewMatchQuery(t.Match)
			mq.SetField(FieldText + "_" + code)
			if t.BoostVal != nil {
				mq.SetBoost(t.Boost())
			}
			qs = append(qs, mq)
		}
		// The words of the same stem, each in the documents of the
		// languages that stem it so, grouped by language.
		byLangs := map[string][]query.Query{}
		var keys []string
		for v, codes := range ix.stemVariants(t.Match, terms[0], stemmed) {
			k := strings.Join(codes, " ")
			if _, ok := byLangs[k]; !ok {
				keys = append(keys, k)
			}
			byLangs[k] = append(byLangs[k], textTerm(v, t.BoostVal))
		}
		sort.Strings(keys)
		for _, k := range keys {
			qs = append(qs, query.NewConjunctionQuery([]query.Query{
				query.NewDisjunctionQuery(byLangs[k]), termsQuery(FieldLang, strings.Fields(k), false)}))
		}
		if len(qs) == 1 {
			return word
		}
		return query.NewDisjunctionQuery(qs)
	case *query.MatchPhraseQuery:
		if t.FieldVal == "" {
			t.SetField(FieldText)
		}
		code, inLang := stemmedAtQuery(t.FieldVal)
		if inLang {
			t.SetField(FieldText)
		}
		// One term needs no positions: keyword fields keep none.
		var pq query.Query = t
		if ix.countTerms(t.FieldVal, t.MatchPhrase) <= 1 {
			mq := query.NewMatchQuery(t.MatchPhrase)
			mq.SetField(t.FieldVal)
			if t.BoostVal != nil {
				mq.SetBoost(t.Boost())
			}
			pq = mq
		} else if textFields[t.FieldVal] && t.Fuzziness == 0 {
			pq = ix.phrase(t.FieldVal, t.MatchPhrase, t.BoostVal)
		}
		if inLang {
			return inLanguage(pq, code)
		}
		return pq
	case *query.WildcardQuery:
		code, inLang := stemmedAtQuery(t.FieldVal)
		if t.FieldVal == "" || textFields[t.FieldVal] || inLang {
			t.Wildcard = string(Fold([]byte(strings.ToLower(t.Wildcard))))
		}
		if inLang {
			t.SetField(FieldText)
			return inLanguage(t, code)
		}
	case *query.RegexpQuery:
		if code, ok := stemmedAtQuery(t.FieldVal); ok {
			t.SetField(FieldText)
			return inLanguage(t, code)
		}
	}
	return q
}

// unigram returns the query for one Han, Kana or Hangul character in a
// field of textFields, nil for any other term. Such a character is
// indexed alone only where it stands alone; inside a run it is in the
// run's bigrams ("象牙" gives only "象牙"), so it is searched as a term
// that starts with it (the character alone, or the first of a bigram)
// or ends with it (the second of a bigram): "象" finds "象牙" and "大象".
func unigram(field, term string, boost *query.Boost) query.Query {
	r, n := utf8.DecodeRuneInString(term)
	if n != len(term) || !textFields[field] || !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
		return nil
	}
	pq := query.NewPrefixQuery(term)
	pq.SetField(field)
	rq := query.NewRegexpQuery("." + regexp.QuoteMeta(term))
	rq.SetField(field)
	if boost != nil {
		pq.SetBoost(boost.Value())
		rq.SetBoost(boost.Value())
	}
	return query.NewDisjunctionQuery([]query.Query{pq, rq})
}

// stemmedAtQuery returns the language of field when it is the field of a
// language stemmed at query time ("text_en"), which holds no terms.
func stemmedAtQuery(field string) (string, bool) {
	code, ok := strings.CutPrefix(field, FieldText+"_")
	if !ok || stemmedAtIndex[code] {
		return "", false
	}
	_, ok = langAnalyzers[code]
	return code, ok
}

// inLanguage limits q to the documents of language code.
func inLanguage(q query.Query, code string) query.Query {
	return query.NewConjunctionQuery([]query.Query{q, termsQuery(FieldLang, []string{code}, false)})
}

// textTerm returns a query for term in the "text" field.
func textTerm(term string, boost *query.Boost) query.Query { return fieldTerm(FieldText, term, boost) }

// fieldTerm returns a query for term in field.
func fieldTerm(field, term string, boost *query.Boost) query.Query {
	tq := query.NewTermQuery(term)
	tq.SetField(field)
	if boost != nil {
		tq.SetBoost(boost.Value())
	}
	return tq
}

// langFieldQuery is q on the field of a language stemmed at query time
// ("text_en:seize"): the word and the words of the same stem, in the
// documents of that language.
func (ix *Index) langFieldQuery(q *query.MatchQuery, code string) query.Query {
	q.SetField(FieldText)
	terms := ix.terms(FieldText, q.Match)
	if q.Fuzziness != 0 || len(terms) != 1 {
		return inLanguage(q, code)
	}
	qs := []query.Query{textTerm(terms[0], q.BoostVal)}
	for v := range ix.stemVariants(q.Match, terms[0], []string{code}) {
		qs = append(qs, textTerm(v, q.BoostVal))
	}
	return inLanguage(query.NewDisjunctionQuery(qs), code)
}

// Stemming at query time. A word's variants are found in the dictionary
// of the "text" field: the terms that start as its stem does and that
// the language's analyzer stems the same. Stems are compared lower-case
// and accent-folded, as the "text" field holds words.
const (
	// minStem is the shortest stem, in letters, whose variants are
	// looked for: shorter stems are mostly short words, whose variants
	// would be most of the dictionary.
	minStem = 3
	// maxVariants is how many terms of the dictionary are examined for
	// a stem.
	maxVariants = 2000
)

// stemVariants returns the terms of the "text" field other than exact
// (the word's own term) that have the same stem as word in one of langs,
// each with the languages it does so in.
func (ix *Index) stemVariants(word, exact string, langs []string) map[string][]string {
	m := ix.b.Mapping()
	out := map[string][]string{}
	scanned := map[string][]string{}
	for _, code := range langs {
		an := m.AnalyzerNamed(langAnalyzers[code])
		if an == nil {
			continue
		}
		stems := map[string]bool{}
		for _, w := range []string{word, exact} {
			if s := stemOf(an, w); s != "" {
				stems[s] = true
			}
		}
		for s := range stems {
			r := []rune(s)
			if len(r) < minStem {
				continue
			}
			// Stemmers may change a stem's last letter ("happy" gives
			// "happi").
			prefix := string(r[:max(minStem, len(r)-1)])
			terms, ok := scanned[prefix]
			if !ok {
				terms = ix.termsWithPrefix(prefix)
				scanned[prefix] = terms
			}
			for _, t := range terms {
				if t != exact && stems[stemOf(an, t)] && !slices.Contains(out[t], code) {
					out[t] = append(out[t], code)
				}
			}
		}
	}
	return out
}

// stemOf returns word's stem by analyzer an, lower-case and folded; ""
// when an does not make one term of it (a stop word).
func stemOf(an analysis.Analyzer, word string) string {
	toks := an.Analyze([]byte(word))
	if len(toks) != 1 {
		return ""
	}
	return string(Fold(bytes.ToLower(toks[0].Term)))
}

// termsWithPrefix returns up to maxVariants terms of the "text" field
// that start with prefix.
func (ix *Index) termsWithPrefix(prefix string) []string {
	d, err := ix.b.FieldDictPrefix(FieldText, []byte(prefix))
	if err != nil {
		return nil
	}
	defer d.Close()
	var out []string
	for len(out) < maxVariants {
		e, err := d.Next()
		if err != nil || e == nil {
			break
		}
		out = append(out, e.Term)
	}
	return out
}

// terms returns the terms field's analyzer makes of s.
func (ix *Index) terms(field, s string) []string {
	m := ix.b.Mapping()
	a := m.AnalyzerNamed(m.AnalyzerNameForPath(field))
	if a == nil {
		return []string{s}
	}
	var out []string
	for _, t := range a.Analyze([]byte(s)) {
		out = append(out, string(t.Term))
	}
	return out
}

// countTerms returns the number of terms field's analyzer makes of s.
func (ix *Index) countTerms(field, s string) int { return len(ix.terms(field, s)) }

// languages returns the languages with an analyzer (see langAnalyzers)
// that documents in the index are in.
func (ix *Index) languages() []string {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.langs != nil {
		return ix.langs
	}
	langs := []string{}
	if d, err := ix.b.FieldDict(FieldLang); err == nil {
		for {
			e, err := d.Next()
			if err != nil || e == nil {
				break
			}
			if _, ok := langAnalyzers[e.Term]; ok {
				langs = append(langs, e.Term)
			}
		}
		d.Close()
	}
	ix.langs = langs
	return langs
}

// highlight fills the snippets of hits (the page of results of q) from
// the matches in the "text" field. The index keeps the position of each
// match (its word number), not its place in the text: the matches are
// found again by a search of q limited to hits, with positions, and put
// back in the text by analysing it again.
func (ix *Index) highlight(ctx context.Context, q query.Query, hits []Hit) error {
	if len(hits) == 0 || ix.SnippetText == nil {
		return nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	req := bleve.NewSearchRequestOptions(query.NewConjunctionQuery([]query.Query{q, query.NewDocIDQuery(ids)}), len(ids), 0, false)
	req.IncludeLocations = true
	sr, err := ix.b.SearchInContext(ctx, req)
	if err != nil {
		return fmt.Errorf("search matches for snippets: %w", err)
	}
	positions := map[string][]int{}
	for _, h := range sr.Hits {
		for _, ls := range h.Locations[FieldText] {
			for _, l := range ls {
				positions[h.ID] = append(positions[h.ID], int(l.Pos))
			}
		}
	}
	for i := range hits {
		hit := &hits[i]
		pos := positions[hit.ID]
		if len(pos) == 0 {
			continue
		}
		t, err := ix.SnippetText(ctx, hit.Exhibit, hit.Ref)
		if err != nil {
			return fmt.Errorf("text of %s for snippets: %w", hit.ID, err)
		}
		text := indexedText(t)
		hit.Snippets = Snippets(text, matchRanges(text, pos), 3, 160)
	}
	return nil
}

// matchRanges returns the byte ranges in text of the terms at positions
// (as the "text" field's analyzer numbers them). A long text is analysed
// in part, from its start, far enough to place two dozen matches (more
// than three snippets show).
func matchRanges(text string, positions []int) [][2]int {
	slices.Sort(positions)
	positions = slices.Compact(positions)
	an := NewTextAnalyzer()
	for limit := 64 << 10; ; limit *= 16 {
		part, cutWord := text, false
		if len(part) > limit {
			// Cut at a space: the words before it are analysed as in the
			// whole text. Without one (a run of Chinese), the last word
			// may be cut: it is left out.
			cut := strings.LastIndexAny(text[:limit], " \t\n\r")
			if cut <= 0 {
				cut, cutWord = runeStart(text, limit), true
			}
			part = text[:cut]
		}
		var ranges [][2]int
		last := 0
		for _, tok := range an.Analyze([]byte(part)) {
			if cutWord && tok.End == len(part) {
				break
			}
			last = max(last, tok.Position)
			if _, ok := slices.BinarySearch(positions, tok.Position); ok {
				ranges = append(ranges, [2]int{tok.Start, tok.End})
			}
		}
		if len(part) == len(text) || len(ranges) >= 24 || last >= positions[len(positions)-1] {
			return ranges
		}
	}
}

// indexedText returns text as the index sees it, so match offsets point
// into it.
func indexedText(text string) string {
	if len(text) > MaxText {
		text = text[:MaxText]
		for len(text) > 0 && !utf8.RuneStart(text[len(text)-1]) {
			text = text[:len(text)-1]
		}
	}
	return strings.ToValidUTF8(text, "\uFFFD")
}

// Snippets returns up to n fragments of text, about width bytes each,
// around the byte ranges given (matches), as HTML: text escaped, matches
// in <mark></mark>, control and bidirectional-formatting characters as
// spaces, "…" where the text is cut. Ranges outside text are ignored.
func Snippets(text string, ranges [][2]int, n, width int) []string {
	rs := make([][2]int, 0, len(ranges))
	for _, r := range ranges {
		if r[0] >= 0 && r[0] < r[1] && r[1] <= len(text) {
			rs = append(rs, r)
		}
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i][0] < rs[j][0] })
	// Merge overlapping ranges (CJK bigrams overlap) and ranges apart
	// by spaces only (the words of a phrase).
	merged := rs[:0]
	for _, r := range rs {
		if k := len(merged) - 1; k >= 0 && (r[0] <= merged[k][1] || strings.TrimSpace(text[merged[k][1]:r[0]]) == "") {
			merged[k][1] = max(merged[k][1], r[1])
			continue
		}
		merged = append(merged, r)
	}
	var out []string
	for i := 0; i < len(merged) && len(out) < n; {
		r := merged[i]
		from := runeStart(text, max(0, r[0]-width/3))
		to := runeStart(text, min(len(text), max(r[1], from+width)))
		from = wordStart(text, from, r[0])
		var b strings.Builder
		if from > 0 {
			b.WriteString("…")
		}
		at := from
		for ; i < len(merged) && merged[i][1] <= to; i++ {
			b.WriteString(cleanHTML(text[at:merged[i][0]]))
			b.WriteString("<mark>")
			b.WriteString(cleanHTML(text[merged[i][0]:merged[i][1]]))
			b.WriteString("</mark>")
			at = merged[i][1]
		}
		if at == from { // a match longer than the window
			to = merged[i][1]
			b.WriteString("<mark>" + cleanHTML(text[merged[i][0]:to]) + "</mark>")
			at = to
			i++
		}
		b.WriteString(cleanHTML(text[at:to]))
		if to < len(text) {
			b.WriteString("…")
		}
		out = append(out, b.String())
	}
	return out
}

// runeStart moves i back to the start of the rune it is in.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// wordStart moves from forward past a partial word, if a space follows
// soon before limit.
func wordStart(s string, from, limit int) int {
	if from == 0 {
		return 0
	}
	for i := from; i < limit && i < from+24; i++ {
		if s[i] == ' ' || s[i] == '\n' {
			return i + 1
		}
	}
	return from
}

// cleanHTML escapes s for HTML and replaces characters that could
// mislead a reader (controls, bidirectional overrides, line breaks) by
// spaces.
func cleanHTML(s string) string {
	clean := strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069,
			r == 0x200E || r == 0x200F || r == 0x061C:
			return ' '
		}
		return r
	}, s)
	return html.EscapeString(clean)
}
