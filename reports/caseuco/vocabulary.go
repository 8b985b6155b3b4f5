package caseuco

import (
	_ "embed"
	"strings"
)

// Version is the CASE and UCO release the export conforms to.
const Version = "1.5.0"

//go:embed vocabulary.txt
var vocabularyText string

// Term is one class, property or datatype that the CASE/UCO release
// [Version] defines.
type Term struct {
	// Kind is "class", "property" or "datatype".
	Kind string
	// IRI is the term's prefixed IRI, "uco-observable:FileFacet"; the
	// prefixes are those of the export's @context.
	IRI string
}

// Vocabulary returns the terms listed in vocabulary.txt: every class,
// property and datatype CASE/UCO [Version] defines, of which the export
// writes a part.
func Vocabulary() []Term {
	var out []Term
	for line := range strings.Lines(vocabularyText) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kind, iri, _ := strings.Cut(line, " ")
		out = append(out, Term{Kind: kind, IRI: iri})
	}
	return out
}
