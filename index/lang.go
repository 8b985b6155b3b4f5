package index

import (
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"
)

// detectBytes is how much of a text language detection reads: enough
// for trigram statistics, and the cost is per byte.
const detectBytes = 512

// minConfidence is the detector's confidence under which a text's
// language is "und" (undetermined).
const minConfidence = 0.5

// DetectLanguage returns the language of text as an ISO 639-1 code
// ("en", "fr", "zh", "th"...), judged from its first 512 bytes by trigram
// statistics (whatlanggo), or "und" when text is too short or the
// detector is unsure. Short and mixed texts (chat messages, spreadsheets)
// are often "und": the language-neutral "text" field finds them all the
// same.
func DetectLanguage(text string) string {
	if len(text) > detectBytes {
		text = text[:detectBytes]
		for len(text) > 0 && !utf8.RuneStart(text[len(text)-1]) {
			text = text[:len(text)-1]
		}
	}
	letters := 0
	for _, r := range text {
		if r > ' ' && (r >= 0x80 || r|0x20 >= 'a' && r|0x20 <= 'z') {
			letters++
		}
	}
	if letters < 12 {
		return "und"
	}
	info := whatlanggo.Detect(text)
	code := info.Lang.Iso6391()
	if info.Lang < 0 || code == "" || info.Confidence < minConfidence {
		return "und"
	}
	return code
}
