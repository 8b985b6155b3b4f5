package entities

import (
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Parsing with phonenumbers.Parse costs tens of microseconds (its
// extension and punctuation patterns are large regular expressions), too
// much to spend on every digit run of every document. Most candidates
// are settled more cheaply: the number's length is checked against the
// lengths the country's numbering plan allows, and a number whose
// national prefix is a plain "0" (or "1") is split into country code and
// national number here and handed straight to phonenumbers.IsValidNumber.
// Parse is kept for the countries whose national prefixes need its
// rules (Argentina's "15", Brazil's carrier codes, China's, ...), for
// national numbers with leading zeros, and for "+254 (0)712 ..." forms.

// plan is what this package needs of one calling code's numbering plan.
type plan struct {
	cc      int
	prefix  string // national (trunk) prefix, "" for none
	simple  bool   // prefix is the only thing to strip from national numbers
	lengths uint32 // bit n set: a national number may have n digits
	maxLen  int
}

var (
	plansOnce sync.Once
	byRegion  map[string]*plan
	byCode    map[int]*plan
)

func loadPlans() {
	byRegion = make(map[string]*plan)
	byCode = make(map[int]*plan)
	mc, err := phonenumbers.MetadataCollection()
	if err != nil {
		return
	}
	for _, m := range mc.GetMetadata() {
		cc := int(m.GetCountryCode())
		np := m.GetNationalPrefix()
		npp := m.GetNationalPrefixForParsing()
		p := &plan{
			cc:     cc,
			prefix: np,
			simple: (npp == "" || npp == np) && m.GetNationalPrefixTransformRule() == "" && !m.GetLeadingZeroPossible(),
		}
		for _, l := range m.GetGeneralDesc().GetPossibleLength() {
			if l > 0 && l < 32 {
				p.lengths |= 1 << uint(l)
				p.maxLen = max(p.maxLen, int(l))
			}
		}
		if id := m.GetId(); id != "001" {
			byRegion[id] = p
		}
		// A calling code shared by several regions (1, 7, 44, ...) is
		// simple only if all of them are, and allows the union of their
		// lengths.
		if c, ok := byCode[cc]; ok {
			c.simple = c.simple && p.simple && c.prefix == p.prefix
			c.lengths |= p.lengths
			c.maxLen = max(c.maxLen, p.maxLen)
		} else {
			cp := *p
			byCode[cc] = &cp
		}
	}
}

func regionPlan(region string) *plan {
	plansOnce.Do(loadPlans)
	return byRegion[region]
}

func codePlan(cc int) *plan {
	plansOnce.Do(loadPlans)
	return byCode[cc]
}

// verdict of the quick check.
type verdict int

const (
	invalid verdict = iota
	valid
	undecided // phonenumbers.Parse must decide
)

// quick checks national number nn (digits only) in plan p.
func quick(p *plan, nn string) verdict {
	if nn == "" || nn[0] == '0' || !p.simple {
		return undecided
	}
	if len(nn) >= 32 || p.lengths&(1<<uint(len(nn))) == 0 {
		return invalid
	}
	n, err := strconv.ParseUint(nn, 10, 64)
	if err != nil {
		return invalid
	}
	cc := int32(p.cc)
	pn := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &n}
	if phonenumbers.IsValidNumber(pn) {
		return valid
	}
	return invalid
}

// e164 returns the E.164 form of digits (without '+') read as an
// international number if intl, else as a national number of region.
func e164(digits string, intl bool, region string) (string, bool) {
	if intl {
		for k := 1; k <= 3 && k < len(digits); k++ {
			cc := atoi(digits[:k])
			p := codePlan(cc)
			if p == nil {
				continue
			}
			nn := digits[k:]
			switch quick(p, nn) {
			case valid:
				return "+" + digits, true
			case invalid:
				return "", false
			}
			if len(nn) > p.maxLen+5 {
				return "", false
			}
			return parsePhone("+"+digits, "")
		}
		return "", false
	}
	p := regionPlan(region)
	if p == nil {
		return "", false
	}
	nn := digits
	if p.simple && p.prefix != "" && len(nn) > len(p.prefix) && nn[:len(p.prefix)] == p.prefix {
		nn = nn[len(p.prefix):]
	}
	switch quick(p, nn) {
	case valid:
		return "+" + strconv.Itoa(p.cc) + nn, true
	case invalid:
		return "", false
	}
	if len(digits) > p.maxLen+5 {
		return "", false
	}
	return parsePhone(digits, region)
}

func parsePhone(s, region string) (string, bool) {
	pn, err := phonenumbers.Parse(s, region)
	if err != nil || !phonenumbers.IsValidNumber(pn) {
		return "", false
	}
	return phonenumbers.Format(pn, phonenumbers.E164), true
}
