package entities

import (
	"sort"
	"strings"

	"github.com/pangolin-forensics/pangolin/extract"
)

// maxURL caps the length of one URL.
const maxURL = 4096

// urlByte reports whether c may appear in a URL as written in text:
// printable ASCII other than space and the characters that usually
// delimit a URL in prose or markup.
func urlByte(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '<', '>', '"', '`', '{', '}', '|', '\\', '^', '\'':
		return false
	}
	return true
}

// hostByte reports whether c may appear in a host name.
func hostByte(c byte) bool { return isAlnum(c) || c == '-' || c == '.' }

// findURLs finds http, https and ftp URLs and URLs written from "www.",
// with their hosts as Domain entities.
func (f *finder) findURLs() {
	text := f.text
	for pos := 0; ; {
		k := strings.Index(text[pos:], "://")
		if k < 0 {
			break
		}
		k += pos
		pos = k + 3
		s := k
		for s > 0 && k-s < 5 && isLetter(text[s-1]) {
			s--
		}
		scheme := strings.ToLower(text[s:k])
		if scheme != "http" && scheme != "https" && scheme != "ftp" {
			continue
		}
		if !leftOK(text, s) {
			continue
		}
		if end, ok := f.url(s, k+3, scheme+"://"); ok {
			pos = end
		}
	}
	f.sortSpans()
	var www []int
	for _, p := range []string{"www.", "WWW.", "Www."} {
		for pos := 0; ; {
			k := strings.Index(text[pos:], p)
			if k < 0 {
				break
			}
			www = append(www, pos+k)
			pos += k + 4
		}
	}
	if len(www) == 0 {
		return
	}
	sort.Ints(www)
	schemed := f.spans[:len(f.spans):len(f.spans)]
	last := 0
	for _, s := range www {
		if s < last || coveredIn(schemed, s, s+4) || !leftOK(text, s) {
			continue
		}
		if s > 0 && strings.IndexByte("/.@:-", text[s-1]) >= 0 {
			continue
		}
		if end, ok := f.url(s, s, "http://"); ok {
			last = end
		}
	}
	f.sortSpans()
}

// url reads the URL that starts at text[s] and whose authority starts at
// text[a], and records it; prefix is the normalised scheme and "://".
func (f *finder) url(s, a int, prefix string) (int, bool) {
	text := f.text
	e := a
	for e < len(text) && e-s < maxURL && urlByte(text[e]) {
		e++
	}
	e = trimURL(text, s, e)
	// Authority: [userinfo@]host[:port].
	ae := a
	for ae < e && text[ae] != '/' && text[ae] != '?' && text[ae] != '#' {
		ae++
	}
	hs := a
	if at := strings.LastIndexByte(text[a:ae], '@'); at >= 0 {
		hs = a + at + 1
	}
	he := hs
	if he < ae && text[he] == '[' {
		for he < ae && text[he] != ']' {
			he++
		}
		if he == ae {
			return 0, false
		}
		he++
		if !isIPv6Literal(text[hs+1 : he-1]) {
			return 0, false
		}
	} else {
		for he < ae && hostByte(text[he]) {
			he++
		}
	}
	if he < ae {
		// Only a port may follow the host.
		if text[he] != ':' || he+1 == ae {
			return 0, false
		}
		for _, c := range []byte(text[he+1 : ae]) {
			if !isDigit(c) {
				return 0, false
			}
		}
	}
	host := text[hs:he]
	if strings.HasSuffix(host, ".") && len(host) > 1 && host[len(host)-2] != '.' {
		host = host[:len(host)-1]
	}
	isName := validHost(host)
	switch {
	case isName:
	case host == "" || strings.HasPrefix(host, "["):
		if host == "" {
			return 0, false
		}
	case isIPv4(host), strings.EqualFold(host, "localhost"):
	default:
		return 0, false
	}
	if isName && inAttribute(text, s) && namespaceHosts[strings.ToLower(host)] {
		// An XML namespace or schema identifier (xmlns="http://schemas.
		// openxmlformats.org/..."), in every office document: it names a
		// format, not a place anyone communicated with.
		f.claim(s, e)
		return e, true
	}
	value := prefix + text[a:hs] + strings.ToLower(text[hs:he]) + text[he:e]
	if hs > a {
		if f.userAt == nil {
			f.userAt = make(map[int]bool)
		}
		f.userAt[hs-1] = true
	}
	f.add(extract.URL, s, e, value)
	if isName {
		f.add(extract.Domain, hs, hs+len(host), strings.ToLower(host))
	}
	f.claim(s, e)
	return e, true
}

// namespaceHosts are the hosts of the namespace and schema URIs that
// markup formats declare in their attributes.
var namespaceHosts = map[string]bool{
	"schemas.openxmlformats.org": true, "schemas.microsoft.com": true, "purl.org": true, "www.w3.org": true,
	"ns.adobe.com": true, "openoffice.org": true, "docs.oasis-open.org": true, "schemas.android.com": true,
	"xmlns.com": true, "www.openxmlformats.org": true, "www.xbrl.org": true,
}

// inAttribute reports whether the URL at text[s] is an attribute's value
// in markup: it follows '="' or "='".
func inAttribute(text string, s int) bool {
	return s >= 2 && (text[s-1] == '"' || text[s-1] == '\'') && text[s-2] == '='
}

// trimURL drops the punctuation people write after a URL: sentence
// punctuation, and closing brackets that the URL does not open.
func trimURL(text string, s, e int) int {
	for e > s {
		c := text[e-1]
		switch c {
		case '.', ',', ';', ':', '!', '?', '*':
			e--
			continue
		case ')', ']':
			open := byte('(')
			if c == ']' {
				open = '['
			}
			if strings.Count(text[s:e], string(open)) < strings.Count(text[s:e], string(c)) {
				e--
				continue
			}
		}
		break
	}
	return e
}

// validHost reports whether h is a DNS host name of at least two labels
// whose last label (the top-level domain) is letters, or an IDNA
// "xn--" label.
func validHost(h string) bool {
	if len(h) < 4 || len(h) > 253 {
		return false
	}
	labels := 0
	last := 0
	for i := 0; i <= len(h); i++ {
		if i < len(h) && h[i] != '.' {
			if !hostByte(h[i]) {
				return false
			}
			continue
		}
		l := h[last:i]
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		labels++
		if i == len(h) {
			return labels >= 2 && validTLD(l)
		}
		last = i + 1
	}
	return false
}

func validTLD(l string) bool {
	if len(l) < 2 {
		return false
	}
	if len(l) > 4 && strings.EqualFold(l[:4], "xn--") {
		for _, c := range []byte(l[4:]) {
			if !isAlnum(c) && c != '-' {
				return false
			}
		}
		return true
	}
	for _, c := range []byte(l) {
		if !isLetter(c) {
			return false
		}
	}
	return true
}

func isIPv4(h string) bool {
	parts := strings.Split(h, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if len(p) == 0 || len(p) > 3 {
			return false
		}
		n := 0
		for _, c := range []byte(p) {
			if !isDigit(c) {
				return false
			}
			n = n*10 + int(c-'0')
		}
		if n > 255 {
			return false
		}
	}
	return true
}

func isIPv6Literal(h string) bool {
	if len(h) < 2 || strings.Count(h, ":") < 2 {
		return false
	}
	for _, c := range []byte(h) {
		if !isHex(c) && c != ':' && c != '.' {
			return false
		}
	}
	return true
}

// localByte reports whether c may appear in the local part of an email
// address as this package reads it (a conservative subset of RFC 5322's
// atext: letters, digits and "._%+-").
func localByte(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// findEmails finds email addresses, with their domains as Domain
// entities.
func (f *finder) findEmails() {
	text := f.text
	for pos := 0; ; {
		k := strings.IndexByte(text[pos:], '@')
		if k < 0 {
			break
		}
		at := pos + k
		pos = at + 1
		if f.userAt[at] {
			// A URL's user name, not an address.
			continue
		}
		s := at
		for s > 0 && at-s <= 64 && localByte(text[s-1]) {
			s--
		}
		for s < at && text[s] == '.' {
			s++
		}
		if s == at || at-s > 64 || !leftOK(text, s) {
			continue
		}
		if s > 0 && text[s-1] == '@' || strings.HasSuffix(text[:s], "://") {
			// Part of a longer address, or a URL's user name.
			continue
		}
		local := text[s:at]
		if local[len(local)-1] == '.' || strings.Contains(local, "..") {
			continue
		}
		e := at + 1
		for e < len(text) && e-at <= 254 && hostByte(text[e]) {
			e++
		}
		for e > at+1 && (text[e-1] == '.' || text[e-1] == '-') {
			e--
		}
		if e < len(text) && text[e] == '@' {
			continue
		}
		domain := text[at+1 : e]
		if !validHost(domain) || !rightOK(text, e) {
			continue
		}
		f.add(extract.Email, s, e, strings.ToLower(text[s:e]))
		f.add(extract.Domain, at+1, e, strings.ToLower(domain))
		f.claim(s, e)
		pos = e
	}
	f.sortSpans()
}

// bareTLDs are the top-level domains for which a host name written
// without a scheme or "www." ("example.co.ke") is reported. The list
// leaves out TLDs that are common words or file extensions ("in", "is",
// "it", "me", "my", "no", "so", "to", "us", "md", "sh", "py", "rs").
var bareTLDs = map[string]bool{
	"com": true, "net": true, "org": true, "info": true, "biz": true,
	"gov": true, "edu": true, "mil": true, "int": true, "io": true,
	"co": true, "online": true, "shop": true, "xyz": true, "top": true,
	"site": true,
	// Africa.
	"ke": true, "tz": true, "ug": true, "rw": true, "bi": true, "ss": true,
	"et": true, "dj": true, "sd": true, "ng": true, "gh": true,
	"cm": true, "cd": true, "cg": true, "ga": true, "mz": true, "zw": true,
	"zm": true, "mw": true, "mg": true, "mu": true, "za": true, "na": true,
	"bw": true, "ao": true, "sn": true, "ci": true, "ml": true, "bf": true,
	"ne": true, "tg": true, "bj": true, "gn": true, "sl": true, "lr": true,
	"cf": true, "td": true, "gq": true, "eg": true, "ma": true, "dz": true,
	"tn": true, "ly": true,
	// Asia and Oceania.
	"cn": true, "hk": true, "mo": true, "tw": true, "vn": true, "th": true,
	"kh": true, "mm": true, "ph": true, "sg": true, "jp": true, "kr": true,
	"bd": true, "lk": true, "np": true, "pk": true, "ae": true,
	"sa": true, "om": true, "qa": true, "ir": true, "au": true, "nz": true,
	"pg": true, "fj": true, "ru": true, "ua": true,
	// Americas.
	"br": true, "ar": true, "mx": true, "pe": true, "cl": true, "ec": true,
	"bo": true, "uy": true, "ve": true, "gt": true, "hn": true,
	"ni": true, "cr": true, "pa": true, "sv": true,
	// Europe.
	"uk": true, "fr": true, "de": true, "es": true, "pt": true, "nl": true,
	"eu": true, "ch": true, "pl": true, "se": true,
}

// findBareDomains finds host names written on their own
// ("mpesa-agent.co.ke"), only for the TLDs in bareTLDs and only where the
// TLD is written all lower-case or all upper-case.
func (f *finder) findBareDomains() {
	text := f.text
	for pos := 0; ; {
		k := strings.IndexByte(text[pos:], '.')
		if k < 0 {
			break
		}
		d := pos + k
		pos = d + 1
		if d == 0 || d+2 >= len(text) || !isAlnum(text[d-1]) || !isLetter(text[d+1]) {
			continue
		}
		s := d
		for s > 0 && hostByte(text[s-1]) {
			s--
		}
		e := d + 1
		for e < len(text) && hostByte(text[e]) {
			e++
		}
		pos = e
		for s < d && (text[s] == '.' || text[s] == '-') {
			s++
		}
		for e > d && (text[e-1] == '.' || text[e-1] == '-') {
			e--
		}
		if !leftOK(text, s) || !rightOK(text, e) {
			continue
		}
		if s > 0 && strings.IndexByte("@/:", text[s-1]) >= 0 {
			continue
		}
		if e < len(text) && text[e] == '@' {
			continue
		}
		host := text[s:e]
		tld := host[strings.LastIndexByte(host, '.')+1:]
		if !allLower(tld) && !allUpper(tld) || !bareTLDs[strings.ToLower(tld)] {
			continue
		}
		if !validHost(host) || f.covered(s, e) {
			continue
		}
		f.add(extract.Domain, s, e, strings.ToLower(host))
	}
}

func allLower(s string) bool {
	for _, c := range []byte(s) {
		if !isLower(c) {
			return false
		}
	}
	return true
}

func allUpper(s string) bool {
	for _, c := range []byte(s) {
		if !isUpper(c) {
			return false
		}
	}
	return true
}
