package media

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ParseISO6709 parses a point in the ISO 6709 string form that QuickTime
// and MP4 files use for their location ('©xyz', Keys location.ISO6709):
//
//	±DD.DDDD±DDD.DDDD[±AAA.AAA][CRSxxxx]/      degrees
//	±DDMM.MMMM±DDDMM.MMMM[±AAA.AAA]/           degrees and minutes
//	±DDMMSS.SS±DDDMMSS.SS[±AAA.AAA]/           degrees, minutes, seconds
//
// (ISO 6709:2008 Annex H). The form of each coordinate follows from its
// number of integer digits: 2, 4 or 6 for latitude and 3, 5 or 7 for
// longitude; like exiftool, a degree value of 1 digit (latitude) or 1 to 2
// digits (longitude) is accepted too. Fractions may be empty. Altitude is
// in metres and nil when absent. The trailing '/' may be missing; a
// coordinate reference system ("CRSWGS_84") before it is skipped. Values
// out of range (latitude beyond ±90, longitude beyond ±180, minutes or
// seconds of 60 or more) are errors.
func ParseISO6709(s string) (lat, lon float64, alt *float64, err error) {
	rest := strings.TrimRight(s, " \t\r\n\x00")
	lat, rest, err = coordinate(rest, 2, "latitude")
	if err != nil {
		return 0, 0, nil, fmt.Errorf("ISO 6709 %q: %w", s, err)
	}
	lon, rest, err = coordinate(rest, 3, "longitude")
	if err != nil {
		return 0, 0, nil, fmt.Errorf("ISO 6709 %q: %w", s, err)
	}
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, nil, fmt.Errorf("ISO 6709 %q: position out of range", s)
	}
	if rest != "" && (rest[0] == '+' || rest[0] == '-') {
		sign, num, r := signed(rest)
		v, perr := strconv.ParseFloat(num, 64)
		if perr != nil || num == "" {
			return 0, 0, nil, fmt.Errorf("ISO 6709 %q: bad altitude", s)
		}
		v *= sign
		alt, rest = &v, r
	}
	if strings.HasPrefix(rest, "CRS") {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			rest = rest[i:]
		} else {
			rest = ""
		}
	}
	if rest != "" && rest != "/" {
		return 0, 0, nil, fmt.Errorf("ISO 6709 %q: unexpected %q after the position", s, rest)
	}
	return lat, lon, alt, nil
}

// signed splits a leading sign and the number (digits with at most one
// point) that follows it.
func signed(s string) (sign float64, num, rest string) {
	sign = 1
	if s[0] == '-' {
		sign = -1
	}
	s = s[1:]
	i, dot := 0, false
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' && !dot) {
		if s[i] == '.' {
			dot = true
		}
		i++
	}
	return sign, s[:i], s[i:]
}

var errNoSign = errors.New("missing sign")

// coordinate parses one signed coordinate whose whole degrees take deg
// digits (2 for latitude, 3 for longitude).
func coordinate(s string, deg int, what string) (float64, string, error) {
	if s == "" || s[0] != '+' && s[0] != '-' {
		return 0, s, fmt.Errorf("%s: %w", what, errNoSign)
	}
	sign, num, rest := signed(s)
	whole := num
	frac := ""
	if i := strings.IndexByte(num, '.'); i >= 0 {
		whole, frac = num[:i], num[i+1:]
	}
	fracVal := 0.0
	if frac != "" {
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil {
			return 0, s, fmt.Errorf("%s: bad fraction", what)
		}
		fracVal = f
	}
	atoi := func(d string) float64 {
		v, _ := strconv.Atoi(d) // only digits, at most 7 of them
		return float64(v)
	}
	var v float64
	switch n := len(whole); {
	case n >= 1 && n <= deg:
		// Degrees: parse as one number for full precision.
		f, err := strconv.ParseFloat(strings.TrimSuffix(num, "."), 64)
		if err != nil {
			return 0, s, fmt.Errorf("%s: bad number", what)
		}
		v = f
	case n == deg+2:
		m := atoi(whole[deg:]) + fracVal
		if m >= 60 {
			return 0, s, fmt.Errorf("%s: %g minutes", what, m)
		}
		v = atoi(whole[:deg]) + m/60
	case n == deg+4:
		m := atoi(whole[deg : deg+2])
		sec := atoi(whole[deg+2:]) + fracVal
		if m >= 60 || sec >= 60 {
			return 0, s, fmt.Errorf("%s: %g minutes %g seconds", what, m, sec)
		}
		v = atoi(whole[:deg]) + m/60 + sec/3600
	default:
		return 0, s, fmt.Errorf("%s: %d integer digits", what, n)
	}
	return sign * v, rest, nil
}
