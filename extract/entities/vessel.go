package entities

import (
	"strings"

	"github.com/pangolin-forensics/pangolin/extract"
)

// vessel reads an IMO or MMSI number whose keyword is the word
// text[i:j] ("IMO", "MMSI", or the keyword run together with the digits,
// "IMO9074729").
func (f *finder) vessel(i, j int) (int, bool) {
	text := f.text
	w := text[i:j]
	var typ string
	var nd int
	switch {
	case len(w) >= 3 && strings.EqualFold(w[:3], "IMO"):
		typ, nd = extract.IMO, 7
		w = w[3:]
	case len(w) >= 4 && strings.EqualFold(w[:4], "MMSI"):
		typ, nd = extract.MMSI, 9
		w = w[4:]
	default:
		return 0, false
	}
	var ds, de int
	if w != "" {
		// Keyword and digits in one word.
		if len(w) != nd || !allDigits(w) {
			return 0, false
		}
		ds, de = j-nd, j
	} else {
		ds = vesselDigits(text, j)
		de = ds
		for de < len(text) && isDigit(text[de]) {
			de++
		}
		if de-ds != nd || !leftOK(text, ds) {
			return 0, false
		}
	}
	if !rightOK(text, de) || de+1 < len(text) && (text[de] == '.' || text[de] == '-' || text[de] == ',') && isDigit(text[de+1]) {
		return 0, false
	}
	digits := text[ds:de]
	if typ == extract.IMO {
		if !imoCheck(digits) {
			return 0, false
		}
		f.add(extract.IMO, i, de, "IMO "+digits)
	} else {
		if !mmsiValid(digits) {
			return 0, false
		}
		f.add(extract.MMSI, i, de, "MMSI "+digits)
	}
	return de, true
}

// vesselDigits skips what may stand between a vessel keyword and its
// number, from text[p]: spaces, ':', '.', '#', '-', "No", "Nr", "Number".
func vesselDigits(text string, p int) int {
	skip := func() {
		for k := 0; k < 3 && p < len(text) && (text[p] == ' ' || text[p] == '\t'); k++ {
			p++
		}
	}
	punct := func() {
		if p < len(text) && strings.IndexByte(":.#-=", text[p]) >= 0 {
			p++
		}
	}
	skip()
	punct()
	skip()
	for _, word := range []string{"number", "no", "nr", "num"} {
		if len(text)-p > len(word) && strings.EqualFold(text[p:p+len(word)], word) && !isLetter(text[p+len(word)]) {
			p += len(word)
			punct()
			skip()
			punct()
			skip()
			break
		}
	}
	return p
}

func allDigits(s string) bool {
	for _, c := range []byte(s) {
		if !isDigit(c) {
			return false
		}
	}
	return s != ""
}

// imoCheck verifies an IMO ship identification number: the first six
// digits weighted 7, 6, 5, 4, 3, 2, summed, mod 10, give the seventh.
func imoCheck(d string) bool {
	sum := 0
	for k := 0; k < 6; k++ {
		sum += int(d[k]-'0') * (7 - k)
	}
	return sum%10 == int(d[6]-'0')
}

// mmsiValid checks the form of an MMSI against ITU-R M.585: the MID
// (maritime identification digits, 201 to 775) of a ship station
// (MIDxxxxxx), a group of ships (0MIDxxxxx), a coast station
// (00MIDxxxx), a handheld VHF radio with DSC (8MIDxxxxx), a SAR aircraft
// (111MIDxxx), a craft associated with a parent ship (98MIDxxxx) or an
// aid to navigation (99MIDxxxx); or an AIS-SART (970xxyyyy), man
// overboard device (972xxyyyy) or EPIRB-AIS (974xxyyyy).
func mmsiValid(d string) bool {
	mid := func(s string) bool {
		n := atoi(s[:3])
		return n >= 201 && n <= 775
	}
	switch {
	case d[0] >= '2' && d[0] <= '7':
		return mid(d)
	case d[:2] == "00":
		return mid(d[2:])
	case d[0] == '0':
		return mid(d[1:])
	case d[:3] == "111":
		return mid(d[3:])
	case d[:2] == "98" || d[:2] == "99":
		return mid(d[2:])
	case d[:3] == "970" || d[:3] == "972" || d[:3] == "974":
		return true
	case d[0] == '8':
		return mid(d[1:])
	}
	return false
}
