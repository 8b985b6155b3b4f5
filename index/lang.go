package index

import (
	"math/bits"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/ar"
	"github.com/blevesearch/bleve/v2/analysis/lang/bg"
	"github.com/blevesearch/bleve/v2/analysis/lang/ckb"
	"github.com/blevesearch/bleve/v2/analysis/lang/cs"
	"github.com/blevesearch/bleve/v2/analysis/lang/da"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/eu"
	"github.com/blevesearch/bleve/v2/analysis/lang/fa"
	"github.com/blevesearch/bleve/v2/analysis/lang/fi"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/hi"
	"github.com/blevesearch/bleve/v2/analysis/lang/hr"
	"github.com/blevesearch/bleve/v2/analysis/lang/hu"
	"github.com/blevesearch/bleve/v2/analysis/lang/id"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/lang/nl"
	"github.com/blevesearch/bleve/v2/analysis/lang/no"
	"github.com/blevesearch/bleve/v2/analysis/lang/pt"
	"github.com/blevesearch/bleve/v2/analysis/lang/ro"
	"github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/analysis/lang/sv"
	"github.com/blevesearch/bleve/v2/analysis/lang/tr"
)

// detectBytes is how much of a text language detection reads: a
// paragraph, enough for a clear count of function words.
const detectBytes = 1024

// Scripts DetectLanguage tells apart. Those written in one language
// name it; for the others the language is told by its function words.
type script uint8

const (
	scriptNone script = iota
	scriptLatin
	scriptCyrillic
	scriptArabic
	scriptDevanagari
	scriptGreek
	scriptArmenian
	scriptHebrew
	scriptGeorgian
	scriptEthiopic
	scriptBengali
	scriptGurmukhi
	scriptGujarati
	scriptOriya
	scriptTamil
	scriptTelugu
	scriptKannada
	scriptMalayalam
	scriptSinhala
	scriptThai
	scriptLao
	scriptMyanmar
	scriptKhmer
	scriptHangul
	scriptKana
	scriptHan
	numScripts
)

// scriptLang is the language of the scripts written in one language
// (or nearly: Hebrew for Yiddish too, Ethiopic for Tigrinya).
var scriptLang = [numScripts]string{
	scriptGreek: "el", scriptArmenian: "hy", scriptHebrew: "he", scriptGeorgian: "ka",
	scriptEthiopic: "am", scriptBengali: "bn", scriptGurmukhi: "pa", scriptGujarati: "gu",
	scriptOriya: "or", scriptTamil: "ta", scriptTelugu: "te", scriptKannada: "kn",
	scriptMalayalam: "ml", scriptSinhala: "si", scriptThai: "th", scriptLao: "lo",
	scriptMyanmar: "my", scriptKhmer: "km", scriptHangul: "ko", scriptKana: "ja", scriptHan: "zh",
}

// scriptOf returns the script of letter r (scriptNone for digits,
// punctuation, symbols and spaces).
func scriptOf(r rune) script {
	switch {
	case r < 0x80:
		if r|0x20 >= 'a' && r|0x20 <= 'z' {
			return scriptLatin
		}
		return scriptNone
	case r < 0x0250:
		if r >= 0xC0 && r != 0xD7 && r != 0xF7 {
			return scriptLatin
		}
		return scriptNone
	case r >= 0x0370 && r <= 0x03FF, r >= 0x1F00 && r <= 0x1FFF:
		return scriptGreek
	case r >= 0x0400 && r <= 0x052F:
		return scriptCyrillic
	case r >= 0x0531 && r <= 0x058A:
		return scriptArmenian
	case r >= 0x05D0 && r <= 0x05F2:
		return scriptHebrew
	case r >= 0x0620 && r <= 0x06FF && !(r >= 0x0660 && r <= 0x066D) && !(r >= 0x06F0 && r <= 0x06F9),
		r >= 0x0750 && r <= 0x077F, r >= 0xFB50 && r <= 0xFDFF, r >= 0xFE70 && r <= 0xFEFF:
		return scriptArabic
	case r >= 0x0900 && r <= 0x097F && !(r >= 0x0964 && r <= 0x096F):
		return scriptDevanagari
	case r >= 0x0980 && r <= 0x09FF:
		return scriptBengali
	case r >= 0x0A00 && r <= 0x0A7F:
		return scriptGurmukhi
	case r >= 0x0A80 && r <= 0x0AFF:
		return scriptGujarati
	case r >= 0x0B00 && r <= 0x0B7F:
		return scriptOriya
	case r >= 0x0B80 && r <= 0x0BFF:
		return scriptTamil
	case r >= 0x0C00 && r <= 0x0C7F:
		return scriptTelugu
	case r >= 0x0C80 && r <= 0x0CFF:
		return scriptKannada
	case r >= 0x0D00 && r <= 0x0D7F:
		return scriptMalayalam
	case r >= 0x0D80 && r <= 0x0DFF:
		return scriptSinhala
	case r >= 0x0E01 && r <= 0x0E4E:
		return scriptThai
	case r >= 0x0E81 && r <= 0x0EDF:
		return scriptLao
	case r >= 0x1000 && r <= 0x109F:
		return scriptMyanmar
	case r >= 0x10A0 && r <= 0x10FF:
		return scriptGeorgian
	case r >= 0x1100 && r <= 0x11FF, r >= 0x3130 && r <= 0x318F, r >= 0xAC00 && r <= 0xD7AF:
		return scriptHangul
	case r >= 0x1200 && r <= 0x139F:
		return scriptEthiopic
	case r >= 0x1780 && r <= 0x17DD:
		return scriptKhmer
	case r >= 0x1E00 && r <= 0x1EFF:
		return scriptLatin
	case r >= 0x3041 && r <= 0x30FF && r != 0x30FB && r != 0x30FC, r >= 0x31F0 && r <= 0x31FF, r >= 0xFF66 && r <= 0xFF9D:
		return scriptKana
	case r >= 0x3400 && r <= 0x4DBF, r >= 0x4E00 && r <= 0x9FFF, r >= 0xF900 && r <= 0xFAFF, r >= 0x20000 && r <= 0x3134F:
		return scriptHan
	}
	return scriptNone
}

// stopLists are the function words (bleve's stop word lists, Snowball's
// and Lucene's) of the languages written in Latin, Cyrillic, Arabic and
// Devanagari letters that DetectLanguage tells apart, plus a short list
// for Swahili, which bleve lacks.
var stopLists = []struct {
	code  string
	words []byte
}{
	{"ar", ar.ArabicStopWords}, {"bg", bg.BulgarianStopWords}, {"ckb", ckb.SoraniStopWords},
	{"cs", cs.CzechStopWords}, {"da", da.DanishStopWords}, {"de", de.GermanStopWords},
	{"en", en.EnglishStopWords}, {"es", es.SpanishStopWords}, {"eu", eu.BasqueStopWords},
	{"fa", fa.PersianStopWords}, {"fi", fi.FinnishStopWords}, {"fr", fr.FrenchStopWords},
	{"hi", hi.HindiStopWords}, {"hr", hr.CroatianStopWords}, {"hu", hu.HungarianStopWords},
	{"id", id.IndonesianStopWords}, {"it", it.ItalianStopWords}, {"nl", nl.DutchStopWords},
	{"no", no.NorwegianStopWords}, {"pt", pt.PortugueseStopWords}, {"ro", ro.RomanianStopWords},
	{"ru", ru.RussianStopWords}, {"sv", sv.SwedishStopWords}, {"tr", tr.TurkishStopWords},
	{"sw", []byte(`na ya wa za kwa la ni katika kwenye hii hiyo huo hilo hizo yake wake zake lake
		yao wao kama lakini au pia sana tu bado kuwa alikuwa walikuwa hakuna kila baada kabla
		kutoka mimi wewe yeye sisi ninyi hapa pale leo jana ndiyo hapana vya cha pamoja bila`)},
}

// letterHints are letters some of the languages of stopLists use and
// their neighbours do not: each counts as a function word of those
// languages ("ñ" tells Spanish from Portuguese, "ä" Swedish from
// Norwegian).
var letterHints = map[rune]string{
	'ä': "sv fi de", 'ö': "sv fi de tr hu", 'ü': "de tr hu", 'ß': "de",
	'å': "sv da no", 'æ': "da no", 'ø': "da no",
	'ñ': "es eu", 'ã': "pt", 'õ': "pt", 'ç': "fr pt tr", 'ê': "fr pt", 'à': "fr it",
	'è': "fr it", 'ì': "it", 'ò': "it", 'ù': "fr it", 'ë': "fr nl", 'ï': "fr nl",
	'ő': "hu", 'ű': "hu", 'ș': "ro", 'ț': "ro", 'ţ': "ro", 'ş': "ro tr", 'ă': "ro",
	'ğ': "tr", 'ı': "tr", 'ř': "cs", 'ě': "cs", 'ů': "cs", 'ć': "hr", 'đ': "hr",
}

// letterSets maps the letters of letterHints to sets of stopLists.
var letterSets = sync.OnceValue(func() map[rune]uint64 {
	m := map[rune]uint64{}
	for r, codes := range letterHints {
		for _, code := range strings.Fields(codes) {
			for i, l := range stopLists {
				if l.code == code {
					m[r] |= 1 << i
				}
			}
		}
	}
	return m
})

// stopWords maps a function word to the set of stopLists (bits by index)
// that hold it.
var stopWords = sync.OnceValue(func() map[string]uint64 {
	m := map[string]uint64{}
	for i, l := range stopLists {
		tm := analysis.NewTokenMap()
		if err := tm.LoadBytes(l.words); err != nil {
			panic(err)
		}
		for w := range tm {
			m[w] |= 1 << i
		}
	}
	return m
})

// DetectLanguage returns the language of text as an ISO 639-1 code
// ("en", "fr", "zh", "th"...; "ckb" for Sorani), judged from its first
// 1,024 bytes, or "und" when the text has under a dozen letters or the
// judgement is unsure. The script tells the language when one language
// writes it (Greek, Thai, Hangul, Han...; Japanese by its kana); letters
// only Vietnamese, Ukrainian, Belarusian, Serbian, Macedonian, Persian or
// Urdu use tell those; otherwise the language is the one whose function
// words ("the", "of", "und", "les", "и", "في") and telling letters ("ñ",
// "ø", "ß") the text holds most clearly more of, among 25: the languages
// the index stems, Swahili, Basque, Czech, Indonesian, Bulgarian and
// Sorani. Short and mixed texts (chat messages, spreadsheets) are
// often "und": the language-neutral "text" field finds them all the same.
// It takes some microseconds.
func DetectLanguage(text string) string {
	if len(text) > detectBytes {
		text = text[:detectBytes]
		for len(text) > 0 && !utf8.RuneStart(text[len(text)-1]) {
			text = text[:len(text)-1]
		}
	}
	var counts [numScripts]int
	// Letters some languages alone use.
	var vi, uk, be, sr, mk, faLetters, ur int
	for _, r := range text {
		s := scriptOf(r)
		counts[s]++
		if r < 0x0100 {
			continue
		}
		switch {
		case r >= 0x1EA0 && r <= 0x1EF9, r == 'ơ', r == 'ư', r == 'Ơ', r == 'Ư':
			vi++
		case r == 'і', r == 'ї', r == 'є', r == 'ґ', r == 'І', r == 'Ї', r == 'Є', r == 'Ґ':
			uk++
		case r == 'ў', r == 'Ў':
			be++
		case r == 'ђ', r == 'ћ', r == 'Ђ', r == 'Ћ':
			sr++
		case r == 'ѓ', r == 'ќ', r == 'ѕ', r == 'Ѓ', r == 'Ќ', r == 'Ѕ':
			mk++
		case r == 'پ', r == 'چ', r == 'ژ', r == 'گ', r == 'ک', r == 'ی':
			faLetters++
		case r == 'ٹ', r == 'ڈ', r == 'ڑ', r == 'ں', r == 'ے':
			ur++
		}
	}
	letters, best := 0, scriptNone
	for s := scriptLatin; s < numScripts; s++ {
		letters += counts[s]
		if best == scriptNone && counts[s] > 0 || counts[s] > counts[best] {
			best = s
		}
	}
	if letters < 12 {
		return "und"
	}
	switch best {
	case scriptHan:
		if counts[scriptKana]*10 >= counts[scriptHan] {
			return "ja"
		}
	case scriptLatin:
		if vi >= 3 && vi*20 >= counts[scriptLatin] {
			return "vi"
		}
	case scriptCyrillic:
		for _, l := range []struct {
			n    int
			code string
		}{{uk, "uk"}, {be, "be"}, {sr, "sr"}, {mk, "mk"}} {
			if l.n >= 2 {
				return l.code
			}
		}
	case scriptArabic:
		if ur >= 2 {
			return "ur"
		}
	}
	if code := scriptLang[best]; code != "" {
		return code
	}
	code := byStopWords(text)
	if best == scriptArabic && code == "und" && faLetters >= 2 {
		return "fa"
	}
	return code
}

// byStopWords returns the language whose function words text holds most
// clearly more of, or "und".
func byStopWords(text string) string {
	m, hints := stopWords(), letterSets()
	var votes [64]int
	var buf [64]byte
	words := 0
	for i := 0; i < len(text); {
		// A word: letters and combining marks, lower-cased into buf.
		w := buf[:0]
		long := false
		for i < len(text) {
			c := text[i]
			if c < utf8.RuneSelf {
				if c|0x20 < 'a' || c|0x20 > 'z' {
					break
				}
				c |= 0x20
				if len(w) < len(buf) {
					w = append(w, c)
				} else {
					long = true
				}
				i++
				continue
			}
			r, n := utf8.DecodeRuneInString(text[i:])
			if !unicode.IsLetter(r) && !unicode.IsMark(r) {
				break
			}
			r = unicode.ToLower(r)
			for set := hints[r]; set != 0; set &= set - 1 {
				votes[bits.TrailingZeros64(set)]++
			}
			if len(w)+utf8.UTFMax <= len(buf) {
				w = utf8.AppendRune(w, r)
			} else {
				long = true
			}
			i += n
		}
		if len(w) == 0 {
			_, n := utf8.DecodeRuneInString(text[i:])
			i += n
			continue
		}
		words++
		if long {
			continue
		}
		for set := m[string(w)]; set != 0; set &= set - 1 {
			votes[bits.TrailingZeros64(set)]++
		}
	}
	first, second := -1, 0
	for l := range stopLists {
		switch {
		case first < 0 || votes[l] > votes[first]:
			if first >= 0 {
				second = votes[first]
			}
			first = l
		case votes[l] > second:
			second = votes[l]
		}
	}
	// At least two function words, one word in twenty, and a fifth more
	// than the next language.
	if n := votes[first]; n < 2 || n*20 < words || n*5 < second*6 {
		return "und"
	}
	return stopLists[first].code
}
