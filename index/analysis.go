package index

import (
	"bytes"
	stdregexp "regexp"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/char/regexp"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	bleveunicode "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"

	// The language analyzers the language fields use; see langAnalyzers.
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ar"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/da"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/de"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/es"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fa"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fi"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fr"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hi"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hr"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hu"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/it"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/nl"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/no"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/pt"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ro"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ru"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/sv"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/tr"
)

// Analyzer names, as recorded in an index's mapping: never rename them,
// or indexes made before cannot be opened.
const (
	// textAnalyzer is the language-neutral analysis of the "text" field
	// and of every query on it: see [NewTextAnalyzer].
	textAnalyzer = "pangolin_text"
	// pathAnalyzer is textAnalyzer after turning the separators of file
	// names (/ \ . _ - :) into spaces, so "ivory_invoice.pdf" gives
	// "ivory", "invoice", "pdf".
	pathAnalyzer = "pangolin_path"
	// keywordAnalyzer keeps the whole value as one lower-case term
	// (hashes, tags, MIME types, entity values).
	keywordAnalyzer = "pangolin_keyword"
	// exactAnalyzer keeps the whole value as it is (exhibit, ref).
	exactAnalyzer = "keyword"

	tokenizerName  = "pangolin_unicode"
	foldFilterName = "pangolin_fold"
	hangulName     = "pangolin_hangul"
	seaBigramName  = "pangolin_sea_bigram"
	pathCharsName  = "pangolin_path_chars"
)

// langAnalyzers maps the ISO 639-1 codes of the languages bleve has an
// analyzer for (stop words and a stemmer) to that analyzer's name: the
// languages of the fields "text_" + code. (Polish is missing: its stemmer
// needs a module the project does not carry.)
var langAnalyzers = map[string]string{
	"ar": "ar", "da": "da", "de": "de", "en": "en", "es": "es", "fa": "fa",
	"fi": "fi", "fr": "fr", "hi": "hi", "hr": "hr", "hu": "hu", "it": "it",
	"nl": "nl", "no": "no", "pt": "pt", "ro": "ro", "ru": "ru",
	"sv": "sv", "tr": "tr",
}

// stemmedAtIndex are the languages whose analyzers change the start of
// words (Arabic drops prefixes such as "ال", Arabic, Persian and Hindi
// normalize letters): a document detected as one of them has its text
// indexed a second time, stemmed, in its field "text_" + code. The
// others are stemmed at query time: a word is searched with the words of
// the "text" field that share its stem (see Index.stemVariants), which
// costs nothing at indexing and keeps the index smaller.
var stemmedAtIndex = map[string]bool{"ar": true, "fa": true, "hi": true}

func init() {
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(registry.RegisterTokenizer(tokenizerName, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
		return &Tokenizer{}, nil
	}))
	must(registry.RegisterTokenFilter(foldFilterName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return FoldFilter{}, nil
	}))
	must(registry.RegisterTokenFilter(hangulName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return hangulFilter{}, nil
	}))
	must(registry.RegisterTokenFilter(seaBigramName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return SEABigramFilter{}, nil
	}))
	must(registry.RegisterAnalyzer(textAnalyzer, func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
		a := NewTextAnalyzer()
		a.TokenFilters = append(a.TokenFilters, positionsOnly{})
		return a, nil
	}))
	must(registry.RegisterAnalyzer(pathAnalyzer, func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
		a := NewTextAnalyzer()
		a.CharFilters = []analysis.CharFilter{regexp.New(stdregexp.MustCompile(pathSeparators), []byte(" "))}
		a.TokenFilters = append(a.TokenFilters, positionsOnly{})
		return a, nil
	}))
	must(registry.RegisterAnalyzer(keywordAnalyzer, func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
		return &analysis.DefaultAnalyzer{
			Tokenizer:    single.NewSingleTokenTokenizer(),
			TokenFilters: []analysis.TokenFilter{lowerFilter{}},
		}, nil
	}))
}

// NewTextAnalyzer returns the language-neutral analyzer of the "text"
// field, in this order:
//
//  1. [Tokenizer]: Unicode word boundaries (UAX #29), plus whole runs of
//     Thai, Lao, Khmer and Myanmar letters, which are written without
//     spaces between words;
//  2. words split at the punctuation UAX #29 keeps inside them:
//     apostrophes, full stops, colons, underscores ("d'éléphant" gives
//     "d", "éléphant"; "ivory.jpg" gives "ivory", "jpg"), numbers kept
//     whole;
//  3. full-width ASCII and half-width Katakana to their normal forms
//     (bleve's cjk_width), then lower case;
//  4. [FoldFilter]: accents and other marks off Latin letters ("ngà" and
//     "nga", "pêche" and "peche" give the same term);
//  5. Hangul words marked for bigrams, then runs of Han, Hiragana,
//     Katakana and Hangul into overlapping bigrams (bleve's cjk_bigram:
//     "犀牛角" gives "犀牛", "牛角");
//  6. [SEABigramFilter]: Thai, Lao, Khmer and Myanmar runs into
//     overlapping bigrams of grapheme clusters.
//
// Queries on the field go through the same analyzer, and a query word
// that gives more than one term is searched as a phrase, so a word in
// those scripts is found wherever it stands in a run. The index's
// analyzer then drops the tokens' byte offsets (see positionsOnly).
func NewTextAnalyzer() *analysis.DefaultAnalyzer {
	return &analysis.DefaultAnalyzer{
		Tokenizer: &Tokenizer{},
		TokenFilters: []analysis.TokenFilter{
			apostropheFilter{},
			widthFilter{cjk.NewCJKWidthFilter()},
			lowerFilter{},
			FoldFilter{},
			hangulFilter{},
			cjk.NewCJKBigramFilter(false),
			SEABigramFilter{},
		},
	}
}

const pathSeparators = `[/\\._\-:]`

// positionsOnly clears the byte offsets of tokens. It ends the analyzers
// of the index's text fields: the index keeps each term's positions (its
// word numbers, for phrases) and not where it stands in the text, which
// would make the positions a third larger. Snippets place the matches by
// analysing the text again (see Index.highlight).
type positionsOnly struct{}

func (positionsOnly) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		t.Start, t.End = 0, 0
	}
	return input
}

// isSEA reports whether r is a letter or mark of a script written without
// spaces between words that UAX #29 leaves to a dictionary: Thai, Lao,
// Khmer, Myanmar (and Tai Tham, New Tai Lue, Tai Viet).
func isSEA(r rune) bool {
	switch {
	case r < 0x0E01:
		return false
	case r <= 0x0E7F: // Thai, less the baht sign, digits and signs
		return r <= 0x0E3A || r >= 0x0E40 && r <= 0x0E4E
	case r <= 0x0EFF: // Lao, less digits
		return r >= 0x0E81 && r <= 0x0ECE || r >= 0x0EDC && r <= 0x0EDF
	case r < 0x1000:
		return false
	case r <= 0x109F: // Myanmar, less digits and punctuation
		return r <= 0x103F || r >= 0x1050 && r <= 0x108F || r >= 0x109A
	case r < 0x1780:
		return false
	case r <= 0x17FF: // Khmer letters, vowels and signs
		return r <= 0x17D3 || r == 0x17D7 || r == 0x17DC || r == 0x17DD
	case r >= 0x1980 && r <= 0x19CF, // New Tai Lue
		r >= 0x1A20 && r <= 0x1A7F,                             // Tai Tham
		r >= 0xA9E0 && r <= 0xA9EF, r >= 0xA9FA && r <= 0xA9FE, // Myanmar Extended-B
		r >= 0xAA60 && r <= 0xAA7F, // Myanmar Extended-A
		r >= 0xAA80 && r <= 0xAADF: // Tai Viet
		return true
	}
	return false
}

// Tokenizer splits text into words at Unicode word boundaries (bleve's
// unicode tokenizer, UAX #29) and, unlike it, keeps runs of Thai, Lao,
// Khmer and Myanmar letters (which UAX #29 drops, leaving them to a
// dictionary) as one token each, for [SEABigramFilter] to split. Token
// offsets are byte offsets into the input. It is safe for concurrent use.
type Tokenizer struct{}

// Tokenize implements analysis.Tokenizer.
func (Tokenizer) Tokenize(input []byte) analysis.TokenStream {
	uni := bleveunicode.NewUnicodeTokenizer()
	// Fast path: no South-East Asian script at all.
	sea := false
	for i := 0; i < len(input); {
		if input[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(input[i:])
		if isSEA(r) {
			sea = true
			break
		}
		i += n
	}
	if !sea {
		return uni.Tokenize(input)
	}
	var out analysis.TokenStream
	flush := func(from, to int) {
		if from >= to {
			return
		}
		for _, t := range uni.Tokenize(input[from:to]) {
			t.Start += from
			t.End += from
			out = append(out, t)
		}
	}
	last := 0 // start of the text not yet tokenized
	for i := 0; i < len(input); {
		r, n := utf8.DecodeRune(input[i:])
		if !isSEA(r) || unicode.IsMark(r) && i == last {
			i += n
			continue
		}
		j := i + n
		for j < len(input) {
			r, n := utf8.DecodeRune(input[j:])
			if !isSEA(r) {
				break
			}
			j += n
		}
		flush(last, i)
		out = append(out, &analysis.Token{Term: input[i:j], Start: i, End: j, Type: analysis.AlphaNumeric})
		last, i = j, j
	}
	flush(last, len(input))
	for k, t := range out {
		t.Position = k + 1
	}
	return out
}

// FoldFilter folds Latin (and other alphabetic) letters with diacritics
// to their ASCII base letters, as Lucene's ASCIIFoldingFilter does (bleve's
// asciifolding table: "à" to "a", "đ" to "d", "ß" to "ss", "œ" to "oe"),
// and drops combining diacritical marks, so text in decomposed form (NFD)
// folds the same as precomposed text. It also drops format characters
// (soft hyphens, zero-width spaces and joiners, bidirectional controls)
// that UAX #29 leaves inside words: "infor\u00ADmation" is
// "information". Tokens of other scripts (Thai,
// Devanagari, Han...) are left alone: their marks are letters' parts.
type FoldFilter struct{}

// Filter implements analysis.TokenFilter.
func (FoldFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		t.Term = Fold(t.Term)
	}
	return input
}

var folder = asciifolding.New()

// widthFilter applies bleve's cjk_width filter (full-width ASCII and
// half-width Katakana to their usual forms) to the tokens that hold such
// characters, all encoded from EF BC 81 to EF BE 9F: the filter makes a
// new term of every token it sees.
type widthFilter struct{ cjk *cjk.CJKWidthFilter }

func (f widthFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for i, t := range input {
		if bytes.IndexByte(t.Term, 0xEF) >= 0 {
			f.cjk.Filter(input[i : i+1])
		}
	}
	return input
}

// lowerFilter lower-cases terms. bleve's lowercase filter writes a
// character whose lower case is longer (İ, U+0130, lowers to i and a
// combining dot) over the bytes after it, leaving invalid UTF-8 that makes
// its own CJK bigram filter panic; bytes.ToLower makes a new slice.
type lowerFilter struct{}

func (lowerFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		for _, c := range t.Term {
			if c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf {
				t.Term = bytes.ToLower(t.Term)
				break
			}
		}
	}
	return input
}

// Fold returns term folded as [FoldFilter] folds it; term itself when
// nothing changes.
func Fold(term []byte) []byte {
	fold := false
	for i := 0; i < len(term); {
		if term[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(term[i:])
		if foldable(r) || unicode.Is(unicode.Cf, r) {
			fold = true
			break
		}
		i += n
	}
	if !fold {
		return term
	}
	out := folder.Filter(term)
	// Drop combining diacritics left over (decomposed input).
	k := 0
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRune(out[i:])
		if !combiningDiacritic(r) && !unicode.Is(unicode.Cf, r) {
			k += copy(out[k:], out[i:i+n])
		}
		i += n
	}
	return out[:k]
}

// foldable reports whether r is in a block the ASCII folding table or
// the combining-mark removal handle.
func foldable(r rune) bool {
	return r < 0x0590 || // Latin-1 to Armenian, combining marks
		r >= 0x1AB0 && r <= 0x1AFF ||
		r >= 0x1D00 && r <= 0x1EFF || // phonetic, Latin Extended Additional (Vietnamese)
		r >= 0x2000 && r <= 0x2BFF || // punctuation, letterlike, enclosed
		r >= 0x2C60 && r <= 0x2C7F || r >= 0xA720 && r <= 0xA7FF ||
		r >= 0xFB00 && r <= 0xFB06 || // ligatures
		r >= 0xFE20 && r <= 0xFE2F ||
		r >= 0xFF00 && r <= 0xFF5E // full-width ASCII
}

func combiningDiacritic(r rune) bool {
	return r >= 0x0300 && r <= 0x036F || r >= 0x1AB0 && r <= 0x1AFF ||
		r >= 0x1DC0 && r <= 0x1DFF || r >= 0x20D0 && r <= 0x20FF || r >= 0xFE20 && r <= 0xFE2F
}

// apostropheFilter splits words at the punctuation UAX #29 keeps inside
// them: apostrophes (' ’), full stops, colons, middle dots and
// underscores ("d'éléphant", "ivory.jpg", "ivory_invoice"). Numbers
// ("3.14", "1,000.50") are left whole.
type apostropheFilter struct{}

func (apostropheFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	split := false
	for _, t := range input {
		if t.Type != analysis.Numeric && hasJoiner(t.Term) {
			split = true
			break
		}
	}
	if !split {
		return input
	}
	out := make(analysis.TokenStream, 0, len(input)+8)
	for _, t := range input {
		if t.Type == analysis.Numeric || !hasJoiner(t.Term) {
			out = append(out, t)
			continue
		}
		from := 0
		for i := 0; i <= len(t.Term); {
			n := joinerAt(t.Term, i)
			if i < len(t.Term) && n == 0 {
				_, n := utf8.DecodeRune(t.Term[i:])
				i += n
				continue
			}
			if i > from {
				out = append(out, &analysis.Token{Term: t.Term[from:i], Start: t.Start + from, End: t.Start + i, Type: t.Type})
			}
			if i == len(t.Term) {
				break
			}
			i += n
			from = i
		}
	}
	for k, t := range out {
		t.Position = k + 1
	}
	return out
}

func hasJoiner(term []byte) bool {
	for i := range term {
		if joinerAt(term, i) > 0 {
			return true
		}
	}
	return false
}

// joinerAt returns the length of the joining punctuation at term[i], or
// 0.
func joinerAt(term []byte, i int) int {
	if i >= len(term) {
		return 0
	}
	switch c := term[i]; {
	case c == '\'' || c == '.' || c == ':' || c == '_':
		return 1
	case c == 0xC2 && i+1 < len(term) && term[i+1] == 0xB7: // ·
		return 2
	case c == 0xE2 && i+2 < len(term) && term[i+1] == 0x80 && term[i+2] == 0x99: // ’
		return 3
	}
	return 0
}

// hangulFilter marks Hangul tokens as ideographic, so that cjk_bigram
// splits them into bigrams as it does Han and Kana runs.
type hangulFilter struct{}

func (hangulFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		if t.Type != analysis.AlphaNumeric || len(t.Term) < 3 || t.Term[0] < 0xE1 {
			continue
		}
		if r, _ := utf8.DecodeRune(t.Term); unicode.Is(unicode.Hangul, r) {
			t.Type = analysis.Ideographic
		}
	}
	return input
}

// SEABigramFilter splits tokens of Thai, Lao, Khmer and Myanmar letters
// (whole runs, as [Tokenizer] gives them) into overlapping bigrams of
// grapheme clusters (a letter and the marks that follow it): "งาช้าง"
// gives "งา", "าช้", "ช้า", "าง". A run of one cluster stays as it is.
// Positions are renumbered so the bigrams of a run are adjacent, and a
// query for a word is a phrase of its bigrams.
type SEABigramFilter struct{}

// Filter implements analysis.TokenFilter.
func (SEABigramFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	split := false
	for _, t := range input {
		if len(t.Term) > 0 && t.Term[0] >= 0xE0 {
			if r, _ := utf8.DecodeRune(t.Term); isSEA(r) {
				split = true
				break
			}
		}
	}
	if !split {
		return input
	}
	out := make(analysis.TokenStream, 0, len(input)*2)
	pos := 1
	var bounds []int
	for _, t := range input {
		r, _ := utf8.DecodeRune(t.Term)
		if !isSEA(r) {
			t.Position = pos
			pos++
			out = append(out, t)
			continue
		}
		// Cluster boundaries: a cluster is a rune and the marks after it.
		bounds = bounds[:0]
		for i := 0; i < len(t.Term); {
			r, n := utf8.DecodeRune(t.Term[i:])
			if i == 0 || !unicode.IsMark(r) {
				bounds = append(bounds, i)
			}
			i += n
		}
		bounds = append(bounds, len(t.Term))
		if len(bounds) <= 3 { // one or two clusters
			t.Position = pos
			pos++
			out = append(out, t)
			continue
		}
		for k := 0; k+2 < len(bounds); k++ {
			a, b := bounds[k], bounds[k+2]
			out = append(out, &analysis.Token{
				Term:     t.Term[a:b],
				Start:    t.Start + a,
				End:      t.Start + b,
				Position: pos,
				Type:     analysis.Double,
			})
			pos++
		}
	}
	return out
}
