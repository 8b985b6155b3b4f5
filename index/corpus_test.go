package index

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// TestCorpusRecall indexes the text the reference tools (pdftotext,
// LibreOffice) extracted from the corpus's documents and checks that a
// query for a distinctive word of each text finds it.
func TestCorpusRecall(t *testing.T) {
	root := filepath.Join(testcorpus.Dir(t), "documents", "_oracle")
	var docs []Doc
	for _, tool := range []string{"pdftotext", "libreoffice_text"} {
		err := filepath.WalkDir(filepath.Join(root, tool), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".txt") || strings.HasSuffix(p, ".csv")) {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			docs = append(docs, Doc{Exhibit: tool, Ref: filepath.ToSlash(rel), Path: filepath.ToSlash(rel), Type: "file", Text: string(b)})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Document frequency of each (folded) word, by the brute-force rules.
	df := map[string]int{}
	words := make([][]string, len(docs))
	for i, d := range docs {
		seen := map[string]bool{}
		for _, w := range bruteWords(d.Text) {
			if len([]rune(w)) < 5 || !allLetters(bruteFold(w)) || spaceless(w) {
				continue
			}
			f := bruteFold(w)
			if !seen[f] {
				seen[f] = true
				words[i] = append(words[i], w)
				df[f]++
			}
		}
	}
	ix := openTest(t, docs)
	found, tried := 0, 0
	var missed []string
	for i, d := range docs {
		if len(words[i]) == 0 {
			continue // no text (image-only PDF, empty sheet)
		}
		best := words[i][0]
		for _, w := range words[i] {
			if df[bruteFold(w)] < df[bruteFold(best)] {
				best = w
			}
		}
		tried++
		r, err := ix.Search(context.Background(), Query{Text: best, Exhibits: []string{d.Exhibit}, Limit: MaxLimit})
		if err != nil {
			t.Fatalf("%s: %v", best, err)
		}
		ok := false
		for _, h := range r.Hits {
			if h.Ref == d.Ref {
				ok = true
				break
			}
		}
		if ok {
			found++
		} else {
			missed = append(missed, d.Ref+": "+best)
		}
	}
	share := float64(found) / float64(max(tried, 1))
	t.Logf("%d documents, %d with words: %d found by a distinctive word (%.1f%%)", len(docs), tried, found, 100*share)
	if len(missed) > 0 {
		t.Logf("missed: %q", missed[:min(len(missed), 20)])
	}
	if tried < 300 || share < 0.99 {
		t.Errorf("recall %.3f over %d documents, want at least 0.99", share, tried)
	}

	// Phrases: two words standing together in a document, both common
	// (their pair is indexed) where the document has such words, find it.
	common, _ := ix.pairs.forQuery()
	found, tried, paired := 0, 0, 0
	missed = nil
	for _, d := range docs {
		ws := bruteWords(d.Text)
		var phrase string
		for i := 0; i+1 < len(ws); i++ {
			a, b := ws[i], ws[i+1]
			if !allLetters(bruteFold(a)) || !allLetters(bruteFold(b)) || spaceless(a) || spaceless(b) {
				continue
			}
			if common.has(bruteFold(a)) && common.has(bruteFold(b)) {
				phrase = a + " " + b
				paired++
				break
			}
			if phrase == "" {
				phrase = a + " " + b
			}
		}
		if phrase == "" {
			continue
		}
		tried++
		r, err := ix.Search(context.Background(), Query{Text: `"` + phrase + `"`, Exhibits: []string{d.Exhibit}, Limit: MaxLimit})
		if err != nil {
			t.Fatalf("%s: %v", phrase, err)
		}
		if slices.ContainsFunc(r.Hits, func(h Hit) bool { return h.Ref == d.Ref }) {
			found++
		} else {
			missed = append(missed, d.Ref+": "+phrase)
		}
	}
	share = float64(found) / float64(max(tried, 1))
	t.Logf("phrases: %d of %d documents found (%.1f%%), %d by a pair of common words (%d common words)", found, tried, 100*share, paired, len(common))
	if len(missed) > 0 {
		t.Logf("missed: %q", missed[:min(len(missed), 20)])
	}
	if tried < 300 || share < 0.99 {
		t.Errorf("phrase recall %.3f over %d documents, want at least 0.99", share, tried)
	}
}

func allLetters(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}
