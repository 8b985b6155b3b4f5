package entities

import (
	"github.com/pangolin-forensics/pangolin/extract"
)

// ibanLength is the length of an IBAN by country code: every country in
// the SWIFT IBAN registry (ISO 13616, release of December 2025), then the
// countries whose banks issue IBAN-form account numbers outside the
// registry (mostly in West and Central Africa), whose lengths are not
// in doubt.
var ibanLength = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16,
	"BG": 22, "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22,
	"CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20,
	"EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22,
	"GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21,
	"HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30,
	"KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
	"LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
	"MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
	"PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
	"RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24,
	"SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26,
	"UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
	// Outside the registry.
	"AO": 25, "BJ": 28, "CF": 27, "CG": 27, "CI": 28, "CM": 27, "CV": 25,
	"GA": 27, "GQ": 27, "GW": 25, "IR": 26, "KM": 27, "MA": 28, "MG": 27,
	"ML": 28, "MZ": 25, "NE": 28, "SN": 28, "TD": 27, "TG": 28,
}

// iban reads an IBAN starting at text[i] (two upper-case letters and two
// digits already seen), written either without spaces or in groups of
// four separated by single spaces, and records it if its length fits its
// country and its ISO 7064 mod 97-10 check holds.
func (f *finder) iban(i int) (int, bool) {
	text := f.text
	want, ok := ibanLength[text[i:i+2]]
	if !ok {
		return 0, false
	}
	var buf [34]byte
	spaced := i+4 < len(text) && text[i+4] == ' '
	n, p := 0, i
	for n < want && p < len(text) {
		c := text[p]
		if spaced && n > 0 && n%4 == 0 && c == ' ' && (p == 0 || text[p-1] != ' ') {
			p++
			continue
		}
		if !isAlnum(c) {
			break
		}
		if spaced && n > 0 && n%4 == 0 && text[p-1] != ' ' {
			return 0, false
		}
		buf[n] = upper(c)
		n++
		p++
	}
	if n != want || !rightOK(text, p) {
		return 0, false
	}
	if p < len(text)-1 && (text[p] == '-' || text[p] == '.') && isAlnum(text[p+1]) {
		return 0, false
	}
	if mod97(buf[:n]) != 1 {
		return 0, false
	}
	f.add(extract.IBAN, i, p, string(buf[:n]))
	return p, true
}

// mod97 returns the ISO 7064 mod 97-10 remainder of an IBAN: the first
// four characters moved to the end, letters read as 10 to 35.
func mod97(iban []byte) int {
	r := 0
	for k := range iban {
		c := iban[(k+4)%len(iban)]
		if isDigit(c) {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	return r
}
