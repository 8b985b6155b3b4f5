package index

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Term kinds.
const (
	// TermPhrase is a word or words, found where they stand together, in
	// that order (case and accents do not matter).
	TermPhrase = "phrase"
	// TermWildcard is one word with * (any letters) or ? (one letter).
	TermWildcard = "wildcard"
	// TermRegexp is a regular expression (Go RE2 syntax) that must match
	// a whole indexed word: lower case, accents folded, and for Chinese,
	// Japanese, Korean, Thai, Lao, Khmer and Myanmar, two characters.
	TermRegexp = "regexp"
)

// Term is one line of a keyword list.
type Term struct {
	// Label names the term in reports; the term as written when the line
	// has no label. Lines may share a label ("Ivory": ivory, pembe,
	// 象牙...).
	Label string `json:"label"`
	// Text is the term without its field, quotes or slashes.
	Text string `json:"text"`
	Kind string `json:"kind"`
	// Field is the field the term is searched in ("phone", "tag",
	// "name"...: see listFields); empty for the text.
	Field string `json:"field,omitempty"`
	// Line is the term's line number in the list, from 1.
	Line int `json:"line"`
}

// Written returns the term as a list writes it, without its label:
// field:text, or the text.
func (t Term) Written() string {
	if t.Field == "" {
		return t.Text
	}
	return t.Field + ":" + t.Text
}

// listFields are the fields a keyword-list term may name, and whether
// the field holds whole values (keyword fields: an entity's value, a
// tag, a hash) rather than words.
var listFields = func() map[string]bool {
	m := map[string]bool{FieldEntity: true, FieldTag: true, FieldSHA256: true, FieldMD5: true,
		FieldName: false, FieldPath: false, FieldAuthor: false, FieldMake: false, FieldModel: false}
	for _, f := range entityFields {
		m[f] = true
	}
	return m
}()

// TermsError is a bad line in a keyword list.
type TermsError struct {
	Line int
	Err  error
}

func (e *TermsError) Error() string { return fmt.Sprintf("keyword list line %d: %v", e.Line, e.Err) }
func (e *TermsError) Unwrap() error { return e.Err }

// ParseTerms reads a keyword list: UTF-8 text, one term a line.
//
//	# a comment (a line whose first non-blank character is '#')
//	ivory                      a word
//	rhino horn                 words: a phrase
//	"pembe za ndovu"           a quoted phrase (the same)
//	pangolin*                  a wildcard (one word, * and ?)
//	/sisik ?trenggiling/       a regular expression
//	Ivory<TAB>象牙              a label, a tab, then the term
//	phone:+254712345678        a term of another field
//	bitcoin:/bc1q.*/
//
// Blank lines are skipped; spaces around a term are not part of it. A
// line with a tab has a label: the text before the first tab. Lines may
// end with CR LF. A term that starts with the name of one of these
// fields and a colon is searched in that field: the entity fields
// (email url domain phone bitcoin ethereum tron iban coords imo mmsi,
// and entity for any type), tag, sha256 and md5, whose values are
// matched whole and without regard to case (phone numbers as E.164,
// "+254712345678"; a regular expression must match the value in lower
// case), and name, path, author, make and model, matched by words as
// the text is.
func ParseTerms(r io.Reader) ([]Term, error) {
	var out []Term
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		label, text := "", trimmed
		if i := strings.IndexByte(line, '\t'); i >= 0 {
			label, text = strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+1:])
		}
		t := Term{Label: label, Line: n, Kind: TermPhrase, Text: text}
		if f, rest, ok := strings.Cut(text, ":"); ok && rest != "" {
			if _, known := listFields[f]; known {
				t.Field, t.Text = f, rest
			}
		}
		whole := listFields[t.Field]
		switch text := t.Text; {
		case text == "":
			return nil, &TermsError{n, fmt.Errorf("label %q without a term", label)}
		case len(text) >= 2 && text[0] == '/' && text[len(text)-1] == '/':
			t.Kind, t.Text = TermRegexp, text[1:len(text)-1]
			if _, err := regexp.Compile(t.Text); err != nil || t.Text == "" {
				return nil, &TermsError{n, fmt.Errorf("bad regular expression %q: %v", t.Text, err)}
			}
		case len(text) >= 2 && text[0] == '"' && text[len(text)-1] == '"':
			t.Text = strings.TrimSpace(text[1 : len(text)-1])
			if t.Text == "" {
				return nil, &TermsError{n, fmt.Errorf("empty phrase")}
			}
		case strings.ContainsAny(text, "*?"):
			if !whole && strings.ContainsAny(text, " \t") {
				return nil, &TermsError{n, fmt.Errorf("wildcard %q: one word only", text)}
			}
			t.Kind = TermWildcard
		}
		if t.Label == "" {
			t.Label = text
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read keyword list: %w", err)
	}
	return out, nil
}

// TermHits is how many documents a keyword-list term, or a label, hits.
type TermHits struct {
	Label string `json:"label"`
	// Term is the term; nil for a label's total (the documents any of
	// the label's terms hits), given after the terms for every label
	// that has more than one.
	Term *Term `json:"term,omitempty"`
	// Total is the number of documents hit; Exhibits the number in each
	// exhibit that has any.
	Total    uint64            `json:"total"`
	Exhibits map[string]uint64 `json:"exhibits"`
}

// termQuery returns the query of t on its field.
func (ix *Index) termQuery(t Term) query.Query {
	field := cmp.Or(t.Field, FieldText)
	whole := listFields[t.Field]
	switch t.Kind {
	case TermRegexp:
		q := query.NewRegexpQuery(t.Text)
		q.SetField(field)
		return q
	case TermWildcard:
		w := strings.ToLower(t.Text)
		if !whole {
			w = string(Fold([]byte(w)))
		}
		q := query.NewWildcardQuery(w)
		q.SetField(field)
		return q
	}
	if whole {
		q := query.NewTermQuery(strings.ToLower(t.Text))
		q.SetField(field)
		return q
	}
	switch terms := ix.terms(field, t.Text); len(terms) {
	case 0:
		return query.NewMatchNoneQuery()
	case 1:
		if uq := unigram(field, terms[0], nil); uq != nil {
			return uq
		}
		return fieldTerm(field, terms[0], nil)
	}
	return ix.phrase(field, t.Text, nil)
}

// RunTerms counts, for each term, the documents of the given exhibits
// (all when none) it hits, in all and by exhibit; then the same for each
// label shared by several terms. Terms search the language-neutral
// "text" field (no stemming), so counts are what a case- and
// accent-insensitive scan for the words would give, or the field they
// name.
func (ix *Index) RunTerms(ctx context.Context, terms []Term, exhibits []string) ([]TermHits, error) {
	var filter query.Query
	if len(exhibits) > 0 {
		filter = termsQuery(FieldExhibit, exhibits, false)
	}
	nExhibits := 100
	if d, err := ix.b.FieldDict(FieldExhibit); err == nil {
		nExhibits = 0
		for e, err := d.Next(); err == nil && e != nil; e, err = d.Next() {
			nExhibits++
		}
		d.Close()
	}
	count := func(q query.Query) (uint64, map[string]uint64, error) {
		if filter != nil {
			q = query.NewConjunctionQuery([]query.Query{q, filter})
		}
		req := bleve.NewSearchRequestOptions(q, 0, 0, false)
		req.AddFacet("exhibit", bleve.NewFacetRequest(FieldExhibit, nExhibits+1))
		sr, err := ix.b.SearchInContext(ctx, req)
		if err != nil {
			return 0, nil, err
		}
		by := map[string]uint64{}
		if f := sr.Facets["exhibit"]; f != nil && f.Terms != nil {
			for _, t := range f.Terms.Terms() {
				by[t.Term] = uint64(t.Count)
			}
		}
		return sr.Total, by, nil
	}
	var out []TermHits
	byLabel := map[string][]query.Query{}
	var labels []string
	for i := range terms {
		t := &terms[i]
		q := ix.termQuery(*t)
		total, by, err := count(q)
		if err != nil {
			return nil, fmt.Errorf("keyword list line %d (%s): %w", t.Line, t.Text, err)
		}
		out = append(out, TermHits{Label: t.Label, Term: t, Total: total, Exhibits: by})
		if _, ok := byLabel[t.Label]; !ok {
			labels = append(labels, t.Label)
		}
		byLabel[t.Label] = append(byLabel[t.Label], q)
	}
	for _, l := range labels {
		if len(byLabel[l]) < 2 {
			continue
		}
		total, by, err := count(query.NewDisjunctionQuery(byLabel[l]))
		if err != nil {
			return nil, fmt.Errorf("keyword list label %s: %w", l, err)
		}
		out = append(out, TermHits{Label: l, Total: total, Exhibits: by})
	}
	return out, nil
}
