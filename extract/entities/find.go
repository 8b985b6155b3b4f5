package entities

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pangolin-forensics/pangolin/extract"
)

// MaxText is the most text one call to [Find] searches. Bytes beyond it are
// not looked at; a caller with more text splits it (at line breaks, with a
// little overlap so that an entity written across the cut is not lost) and
// adds the piece's start to each returned Offset.
const MaxText = 16 << 20

// Options says what [Find] looks for.
type Options struct {
	// DefaultRegion is the ISO 3166 alpha-2 code ("KE", "VN") of the
	// country whose national phone-number forms ("0712 345 678") are
	// accepted. With "", only numbers written with a "+" or "00"
	// international prefix are phone numbers.
	DefaultRegion string
	// Types lists the entity types wanted ([extract.Phone], ...). Nil or
	// empty means all of them.
	Types []string
}

// Find returns the entities written in text (at most its first [MaxText]
// bytes), sorted by Offset, then Type, with at most one entity of a type
// at an offset. Each entity's Raw is text[Offset:Offset+len(Raw)].
//
// Find is safe for concurrent use; it keeps no state between calls.
func Find(text string, opts Options) []extract.Entity {
	if len(text) > MaxText {
		text = text[:MaxText]
	}
	f := finder{text: text, want: wanted(opts.Types)}
	if f.want[extract.Email] || f.want[extract.URL] || f.want[extract.Domain] {
		f.findURLs()
		f.findEmails()
		if f.want[extract.Domain] {
			f.findBareDomains()
		}
	}
	if f.want[extract.Phone] {
		f.findPhones(normRegion(opts.DefaultRegion))
	}
	if f.want[extract.Bitcoin] || f.want[extract.Ethereum] || f.want[extract.Tron] ||
		f.want[extract.IBAN] || f.want[extract.IMO] || f.want[extract.MMSI] {
		f.findWords()
	}
	if f.want[extract.Coords] {
		f.findCoords()
	}
	return f.result()
}

// allTypes is every type Find knows.
var allTypes = []string{
	extract.Email, extract.URL, extract.Domain, extract.Phone,
	extract.Bitcoin, extract.Ethereum, extract.Tron, extract.IBAN,
	extract.Coords, extract.IMO, extract.MMSI,
}

func wanted(types []string) map[string]bool {
	w := make(map[string]bool, len(allTypes))
	if len(types) == 0 {
		types = allTypes
	}
	for _, t := range types {
		w[t] = true
	}
	return w
}

func normRegion(r string) string {
	if len(r) != 2 {
		return ""
	}
	b := []byte{upper(r[0]), upper(r[1])}
	if b[0] < 'A' || b[0] > 'Z' || b[1] < 'A' || b[1] > 'Z' {
		return ""
	}
	return string(b)
}

// span is a byte range of the text already claimed by a URL or email, so
// that bare-domain search does not report its host a second time.
type span struct{ start, end int }

// finder holds one call's state.
type finder struct {
	text  string
	want  map[string]bool
	out   []extract.Entity
	spans []span
	// userAt holds the offsets of the '@' that end a URL's user name.
	userAt map[int]bool
	// phoneCache maps a candidate's digits ("+" first if international)
	// to its E.164 form, "" if it is not a valid number.
	phoneCache map[string]string
}

// add records an entity written at text[start:end].
func (f *finder) add(typ string, start, end int, value string) {
	if !f.want[typ] {
		return
	}
	f.out = append(f.out, extract.Entity{
		Type:   typ,
		Value:  value,
		Raw:    f.text[start:end],
		Offset: int64(start),
	})
}

func (f *finder) result() []extract.Entity {
	slices.SortStableFunc(f.out, func(a, b extract.Entity) int {
		if c := cmp.Compare(a.Offset, b.Offset); c != 0 {
			return c
		}
		return strings.Compare(a.Type, b.Type)
	})
	out := f.out[:0]
	for i, e := range f.out {
		if i > 0 && e.Offset == out[len(out)-1].Offset && e.Type == out[len(out)-1].Type {
			continue
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// covered reports whether text[start:end] overlaps a claimed span.
func (f *finder) covered(start, end int) bool {
	return coveredIn(f.spans, start, end)
}

// coveredIn reports whether text[start:end] overlaps one of spans, which
// are sorted and do not overlap.
func coveredIn(spans []span, start, end int) bool {
	i := sort.Search(len(spans), func(i int) bool { return spans[i].end > start })
	return i < len(spans) && spans[i].start < end
}

func (f *finder) claim(start, end int) {
	f.spans = append(f.spans, span{start, end})
}

func (f *finder) sortSpans() {
	sort.Slice(f.spans, func(i, j int) bool { return f.spans[i].start < f.spans[j].start })
}

// Character classes.

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }
func isUpper(c byte) bool  { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool  { return c >= 'a' && c <= 'z' }
func isHex(c byte) bool    { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }

func upper(c byte) byte {
	if isLower(c) {
		return c - 0x20
	}
	return c
}

func lower(c byte) byte {
	if isUpper(c) {
		return c + 0x20
	}
	return c
}

// wordRune reports whether r, next to a candidate, makes it part of a
// longer word: a letter or digit, or '_'. Letters of scripts written
// without spaces between words (Chinese, Japanese, Thai, Lao, Khmer,
// Myanmar, Tibetan) and Korean (whose particles attach to numbers) do
// not count, since numbers and addresses are written right against them.
func wordRune(r rune) bool {
	if r < utf8.RuneSelf {
		c := byte(r)
		return isAlnum(c) || c == '_'
	}
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return false
	}
	return !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana,
		unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar,
		unicode.Tibetan, unicode.Hangul)
}

// leftOK reports whether a candidate may start at text[i]: the rune
// before it is not a word rune.
func leftOK(text string, i int) bool {
	if i <= 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return !wordRune(r)
}

// rightOK reports whether a candidate may end at text[j]: the rune at j is
// not a word rune.
func rightOK(text string, j int) bool {
	if j >= len(text) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(text[j:])
	return !wordRune(r)
}
