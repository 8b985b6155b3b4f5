package entities

import (
	"strings"

	"github.com/pangolin-forensics/pangolin/extract"
)

// Phone-number candidates.
//
// A run is digits joined by the separators people write in phone numbers
// (space, no-break space, '-', '.', '(' and ')'), optionally after a
// leading '+'. A run is cut at spaces into chunks; a candidate is a
// sequence of whole chunks, so that two numbers written one after the
// other, or a date before a number, are told apart. The longest candidate
// that phonenumbers accepts as a valid number wins, from left to right.
const (
	maxRunDigits = 40 // a run is not read past this many digits
	maxChunks    = 12 // nor past this many chunks
	minDigits    = 7  // fewer digits are never a phone number here
	maxDigits    = 15 // E.164's maximum, after any "00" prefix
)

// chunk is one space-separated piece of a run.
type chunk struct {
	start, end int // byte range in the text
	digits     int
	bad        bool // never part of a phone number (a decimal number)
}

// phoneSpace returns the length of the space character at text[i] (ASCII
// space, no-break space U+00A0, narrow no-break space U+202F), or 0.
func phoneSpace(text string, i int) int {
	switch {
	case text[i] == ' ':
		return 1
	case strings.HasPrefix(text[i:], "\u00a0"):
		return 2
	case strings.HasPrefix(text[i:], "\u202f"):
		return 3
	}
	return 0
}

func phoneStart(text string, i int) bool {
	c := text[i]
	if isDigit(c) {
		return true
	}
	if i+1 >= len(text) {
		return false
	}
	n := text[i+1]
	return c == '+' && isDigit(n) || c == '(' && (isDigit(n) || n == '+')
}

// findPhones finds phone numbers; region is the default region for
// numbers written without an international prefix ("" for none).
func (f *finder) findPhones(region string) {
	text := f.text
	var chunks []chunk
	for i := 0; i < len(text); {
		c := text[i]
		if !isDigit(c) && c != '+' && c != '(' {
			i++
			continue
		}
		if !phoneStart(text, i) {
			i++
			continue
		}
		if !phoneLeftOK(text, i) {
			// Skip the rest of this token.
			i++
			for i < len(text) && isDigit(text[i]) {
				i++
			}
			continue
		}
		var end int
		chunks, end = scanRun(text, i, chunks[:0])
		f.phoneRun(chunks, region)
		if end <= i {
			end = i + 1
		}
		i = end
	}
}

// phoneLeftOK reports whether a phone number may start at text[i].
func phoneLeftOK(text string, i int) bool {
	if i == 0 {
		return true
	}
	if !leftOK(text, i) {
		return false
	}
	p := text[i-1]
	switch p {
	case '_', '@', '#', '$', '%', '&', '=', '\\', '*', '+', '^', '~', '|':
		return false
	case '.', ',', '/', '-', ':':
		// "1.0712", "3/07/2026", "ab-0712": part of something else.
		// ':' is fine after a word ("Tel:0712") but not after a digit.
		if i >= 2 && (isDigit(text[i-2]) || p != ':' && isAlnum(text[i-2])) {
			return false
		}
	}
	return true
}

// scanRun reads the run starting at text[i] into chunks and returns them
// and the end of the run.
func scanRun(text string, i int, chunks []chunk) ([]chunk, int) {
	cur := chunk{start: i}
	digits := 0
	seps := 0 // separator characters since the last digit
	spaces := 0
	j := i
	if text[j] == '(' {
		j++
	}
	if j < len(text) && text[j] == '+' {
		j++
	}
	lastDigit := -1
	closeChunk := func(end int) {
		// A closing parenthesis after the last digit belongs to the
		// chunk if the chunk opened one: "(11)".
		if end < len(text) && text[end] == ')' && strings.Count(text[cur.start:end], "(") > strings.Count(text[cur.start:end], ")") {
			end++
		}
		cur.end = end
		if cur.digits > 0 {
			chunks = append(chunks, cur)
		}
	}
	for j < len(text) {
		c := text[j]
		if isDigit(c) {
			if spaces > 0 {
				closeChunk(lastDigit + 1)
				if len(chunks) >= maxChunks {
					return chunks, lastDigit + 1
				}
				cur = chunk{start: j}
				if text[j-1] == '(' {
					cur.start = j - 1
				}
			}
			digits++
			cur.digits++
			seps, spaces = 0, 0
			lastDigit = j
			j++
			if digits >= maxRunDigits {
				break
			}
			continue
		}
		if lastDigit < 0 {
			break
		}
		if n := phoneSpace(text, j); n > 0 {
			if spaces > 0 || seps >= 2 {
				break
			}
			spaces++
			seps++
			j += n
			continue
		}
		if c == '-' || c == '.' || c == '(' || c == ')' {
			if seps >= 2 {
				break
			}
			seps++
			j++
			continue
		}
		break
	}
	if lastDigit < 0 {
		return chunks, j
	}
	closeChunk(lastDigit + 1)
	end := cur.end
	for k := range chunks {
		chunks[k].bad = decimalChunk(text[chunks[k].start:chunks[k].end])
	}
	// The run's right neighbour must not make it part of a longer token.
	if !phoneRightOK(text, end) && len(chunks) > 0 {
		chunks = chunks[:len(chunks)-1]
	}
	return chunks, j
}

// phoneRightOK reports whether a phone number may end at text[j].
func phoneRightOK(text string, j int) bool {
	if !rightOK(text, j) {
		return false
	}
	if j+1 < len(text) {
		switch text[j] {
		case '.', '-', '/', ':', '%':
			if isAlnum(text[j+1]) {
				return false
			}
		case ',':
			// A decimal comma: "12345678,90".
			k := j + 1
			for k < len(text) && isDigit(text[k]) {
				k++
			}
			if n := k - j - 1; n >= 1 && n <= 2 {
				return false
			}
		}
	}
	return true
}

// decimalChunk reports whether a chunk looks like a decimal number
// ("3.3869", "1234567.50"): exactly one '.', no other separator.
func decimalChunk(s string) bool {
	dots := 0
	for _, c := range []byte(s) {
		switch {
		case c == '.':
			dots++
		case !isDigit(c) && c != '+':
			return false
		}
	}
	return dots == 1
}

// phoneRun tries the candidates of one run.
func (f *finder) phoneRun(chunks []chunk, region string) {
	text := f.text
	for a := 0; a < len(chunks); {
		found := false
		if !chunks[a].bad {
			digits := 0
			b := a
			for b < len(chunks) && !chunks[b].bad && digits+chunks[b].digits <= maxDigits+2 {
				digits += chunks[b].digits
				b++
			}
			for ; b > a; b-- {
				if digits < minDigits {
					break
				}
				s, e := chunks[a].start, chunks[b-1].end
				if v, ok := f.phoneValue(text, s, e, region); ok {
					if text[s] == '(' && strings.IndexByte(text[s:e], ')') < 0 {
						s++
					}
					f.add(extract.Phone, s, e, v)
					a = b
					found = true
					break
				}
				digits -= chunks[b-1].digits
			}
		}
		if !found {
			a++
		}
	}
}

// phoneValue validates the candidate text[s:e] and returns its E.164 form.
func (f *finder) phoneValue(text string, s, e int, region string) (string, bool) {
	cand := text[s:e]
	var groups [maxChunks * 4]string
	ng := 0
	var seps [maxChunks * 4]byte
	var digits []byte
	digits = make([]byte, 0, 24)
	plus := false
	gs := -1
	for i := 0; i < len(cand); i++ {
		c := cand[i]
		if isDigit(c) {
			if gs < 0 {
				gs = i
			}
			digits = append(digits, c)
			continue
		}
		if c == '+' {
			plus = true
		}
		if gs >= 0 {
			if ng < len(groups) {
				groups[ng] = cand[gs:i]
				seps[ng] = c
				ng++
			}
			gs = -1
		}
	}
	if gs >= 0 && ng < len(groups) {
		groups[ng] = cand[gs:]
		ng++
	}
	if notPhone(text, s, groups[:ng], seps[:ng], digits) {
		return "", false
	}
	num := string(digits)
	if !plus && strings.HasPrefix(num, "00") && len(num) > 2 && num[2] != '0' {
		plus = true
		num = num[2:]
	}
	if plus {
		if len(num) < 8 || len(num) > maxDigits {
			return "", false
		}
	} else {
		if region == "" || len(num) < minDigits || len(num) > maxDigits {
			return "", false
		}
	}
	return f.e164Cached(num, plus, region)
}

// e164Cached is e164 with a per-call cache: chat logs repeat numbers.
func (f *finder) e164Cached(digits string, intl bool, region string) (string, bool) {
	key := digits
	if intl {
		key = "+" + digits
	}
	if r, ok := f.phoneCache[key]; ok {
		return r, r != ""
	}
	v, ok := e164(digits, intl, region)
	if f.phoneCache == nil {
		f.phoneCache = make(map[string]string)
	}
	if len(f.phoneCache) < 4096 {
		f.phoneCache[key] = v
	}
	return v, ok
}

// notPhone rejects candidates shaped like dates, IPv4 addresses, ISBNs.
// groups are the candidate's digit groups and seps the character after
// each group.
func notPhone(text string, s int, groups []string, seps []byte, digits []byte) bool {
	n := len(groups)
	// Dates: 2026-03-01, 01.03.2026, 01/03/2026, 2026 03 01, 20260301.
	if n == 3 && seps[0] == seps[1] && strings.IndexByte("-./ ", seps[0]) >= 0 {
		if isDate(groups[0], groups[1], groups[2]) || isDate(groups[2], groups[1], groups[0]) || isDate(groups[2], groups[0], groups[1]) {
			return true
		}
	}
	if n == 1 && len(digits) == 8 && isDate(string(digits[:4]), string(digits[4:6]), string(digits[6:])) {
		return true
	}
	// IPv4 addresses.
	if n == 4 && seps[0] == '.' && seps[1] == '.' && seps[2] == '.' && isIPv4(groups[0]+"."+groups[1]+"."+groups[2]+"."+groups[3]) {
		return true
	}
	// ISBN-13 (978/979 prefix) and anything labelled ISBN.
	if len(digits) == 13 && (string(digits[:3]) == "978" || string(digits[:3]) == "979") {
		return true
	}
	back := max(0, s-16)
	if strings.Contains(strings.ToUpper(text[back:s]), "ISBN") {
		return true
	}
	return false
}

// isDate reports whether y, m, d read as a plausible year (1900-2099),
// month and day.
func isDate(y, m, d string) bool {
	if len(y) != 4 || len(m) < 1 || len(m) > 2 || len(d) < 1 || len(d) > 2 {
		return false
	}
	yy, mm, dd := atoi(y), atoi(m), atoi(d)
	return yy >= 1900 && yy <= 2099 && mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31
}

func atoi(s string) int {
	n := 0
	for _, c := range []byte(s) {
		n = n*10 + int(c-'0')
	}
	return n
}
