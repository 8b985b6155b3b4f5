package index

import (
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
// within a conjunction (which advances the searcher past documents).
func TestPhraseAgainstBleve(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	docs, _ := benchDocs(rng, 0, 1500)
	docs = append(docs, genDocs(500, 11)...)
	for i := range docs {
		docs[i].Ref = fmt.Sprintf("0/%d", i)
		docs[i].Exhibit = fmt.Sprintf("EX-%d", i%3)
	}
	ix := openTest(t, docs)
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
	hits := 0
	for _, p := range phrases {
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
				if g, ok := got[id]; !ok || math.Abs(g-s) > 1e-9*math.Abs(s) {
					t.Errorf("%q: %s score %g, bleve %g", p, id, g, s)
				}
			}
		}
	}
	if hits < 1000 {
		t.Errorf("only %d hits: the phrases miss the documents", hits)
	}
}
