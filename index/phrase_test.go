package index

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// TestPhraseAgainstBleve checks phraseQuery against bleve's phrase query
// on generated documents: the same hits with the same scores, alone and
// within a conjunction (which advances the searcher past documents). A
// phrase that is one pair of common words has the same hits, scored by
// its pair. So do phrases in an index where the first documents were
// committed before the common words were chosen (marked, without
// pairs), which scores by a disjunction.
func TestPhraseAgainstBleve(t *testing.T) {
	for _, first := range []int{0, 300} {
		t.Run(fmt.Sprintf("first%d", first), func(t *testing.T) { testPhraseAgainstBleve(t, first) })
	}
}

// testPhraseAgainstBleve commits the first documents in a batch of
// their own when first > 0.
func testPhraseAgainstBleve(t *testing.T, first int) {
	rng := rand.New(rand.NewPCG(5, 6))
	docs, _ := benchDocs(rng, 0, 1500)
	docs = append(docs, genDocs(500, 11)...)
	for i := range docs {
		docs[i].Ref = fmt.Sprintf("0/%d", i)
		docs[i].Exhibit = fmt.Sprintf("EX-%d", i%3)
	}
	ix := openTest(t, docs[:first])
	b := ix.NewBatch()
	for _, d := range docs[first:] {
		b.Add(d)
	}
	if err := ix.Commit(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	words, marked := ix.pairs.forQuery()
	if marked != (first > 0) {
		t.Fatalf("marked %v", marked)
	}
	var phrases []string
	for len(phrases) < 60 {
		f := strings.Fields(docs[rng.IntN(len(docs))].Text)
		k := 2 + rng.IntN(3)
		if len(f) < k {
			continue
		}
		i := rng.IntN(len(f) - k + 1)
		phrases = append(phrases, strings.Join(f[i:i+k], " "))
	}
	// Phrases of two and three common words.
	for len(phrases) < 80 {
		f := strings.Fields(docs[rng.IntN(len(docs))].Text)
		for i := 0; i+2 < len(f); i++ {
			if words.has(f[i]) && words.has(f[i+1]) {
				phrases = append(phrases, strings.Join(f[i:i+2+len(phrases)%2], " "))
				break
			}
		}
	}
	phrases = append(phrases, "yapatate yapatate", "yapatate yapatate yapatate", "shark fins", "via container",
		"three tonnes of ivory", "tonnes tonnes", "zzz unknown", "穿山甲鳞片", "ไม้พะยูง", "ngà voi")
	run := func(q query.Query) map[string]float64 {
		req := bleve.NewSearchRequestOptions(q, len(docs), 0, false)
		sr, err := ix.b.Search(req)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, h := range sr.Hits {
			out[h.ID] = h.Score
		}
		if uint64(len(out)) != sr.Total {
			t.Fatalf("%d hits, total %d", len(out), sr.Total)
		}
		return out
	}
	hits, paired, byPairs := 0, 0, 0
	for _, p := range phrases {
		pq, ok := ix.phrase(FieldText, p, nil).(*phraseQuery)
		byPair := ok && (marked || len(pq.terms) == 2) && len(pq.pairs()) > 0
		if ok && len(pq.pairs()) > 0 {
			paired++
		}
		if byPair {
			byPairs++
		}
		bq := query.NewMatchPhraseQuery(p)
		bq.SetField(FieldText)
		filter := termsQuery(FieldExhibit, []string{"EX-1"}, false)
		for _, pair := range [][2]query.Query{
			{ix.phrase(FieldText, p, nil), bq},
			{query.NewConjunctionQuery([]query.Query{filter, ix.phrase(FieldText, p, nil)}), query.NewConjunctionQuery([]query.Query{filter, bq})},
		} {
			got, want := run(pair[0]), run(pair[1])
			hits += len(want)
			if len(got) != len(want) {
				t.Errorf("%q: %d hits, bleve %d", p, len(got), len(want))
				continue
			}
			for id, s := range want {
				if g, ok := got[id]; !ok || !byPair && math.Abs(g-s) > 1e-9*math.Abs(s) {
					t.Errorf("%q: %s score %g, bleve %g", p, id, g, s)
				}
			}
		}
		// With locations (for snippets), every hit has each word's.
		req := bleve.NewSearchRequestOptions(ix.phrase(FieldText, p, nil), len(docs), 0, false)
		req.IncludeLocations = true
		sr, err := ix.b.Search(req)
		if err != nil {
			t.Fatal(err)
		}
		distinct := map[string]bool{}
		for i := 0; ok && i < len(pq.terms); i++ {
			distinct[pq.terms[i]] = true
		}
		for _, h := range sr.Hits {
			if n := len(h.Locations[FieldText]); n == 0 || n < len(distinct) {
				t.Errorf("%q: %s has locations of %d terms", p, h.ID, n)
				break
			}
		}
	}
	if hits < 1000 {
		t.Errorf("only %d hits: the phrases miss the documents", hits)
	}
	if paired < 20 || byPairs < 10 {
		t.Errorf("%d of %d phrases have pairs of common words, %d are one pair", paired, len(phrases), byPairs)
	}
	t.Logf("%d of %d phrases have pairs of common words, %d are one pair", paired, len(phrases), byPairs)
}
