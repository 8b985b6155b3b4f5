package pdf

import (
	"fmt"
	"strings"
	"time"
)

// ParseDate parses a PDF date string (PDF 32000-1:2008, 7.9.4):
// "D:YYYYMMDDHHmmSSOHH'mm'", where every part after the year is optional,
// O is '+', '-' or 'Z', and the "D:" prefix and the apostrophes are often
// missing or misplaced in real files. A date without a zone is returned
// in UTC with local set: it is a wall-clock time in an unknown zone. ok
// is false when s is not such a date or a part is out of range.
func ParseDate(s string) (t time.Time, local bool, ok bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "D:")
	num := func(n int, min, max, def int) (int, bool) {
		if len(s) == 0 || s[0] < '0' || s[0] > '9' {
			return def, true
		}
		if len(s) < n {
			return 0, false
		}
		v := 0
		for i := range n {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		if v < min || v > max {
			return 0, false
		}
		s = s[n:]
		return v, true
	}
	if len(s) < 4 || s[0] < '0' || s[0] > '9' {
		return time.Time{}, false, false
	}
	year, ok := num(4, 1, 9999, 0)
	if !ok {
		return time.Time{}, false, false
	}
	var parts [5]int
	for i, p := range [...]struct{ min, max, def int }{
		{1, 12, 1}, {1, 31, 1}, {0, 23, 0}, {0, 59, 0}, {0, 59, 0},
	} {
		if parts[i], ok = num(2, p.min, p.max, p.def); !ok {
			return time.Time{}, false, false
		}
	}
	month, day, hour, minute, sec := parts[0], parts[1], parts[2], parts[3], parts[4]
	if day > daysIn(year, month) {
		return time.Time{}, false, false
	}
	// Fractions of seconds are not in the standard but occur.
	if strings.HasPrefix(s, ".") {
		s = s[1:]
		for len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
			s = s[1:]
		}
	}
	loc := time.UTC
	local = true
	if len(s) > 0 {
		switch s[0] {
		case 'Z', 'z':
			local = false
		case '+', '-':
			sign := 1
			if s[0] == '-' {
				sign = -1
			}
			s = s[1:]
			oh, ok := num(2, 0, 23, 0)
			if !ok {
				return time.Time{}, false, false
			}
			s = strings.TrimLeft(s, "'")
			om, ok := num(2, 0, 59, 0)
			if !ok {
				return time.Time{}, false, false
			}
			local = false
			loc = time.FixedZone("", sign*(oh*3600+om*60))
		case '\'', ' ':
			// A stray apostrophe or a space and more: the date and time
			// are still good.
		default:
			return time.Time{}, false, false
		}
	}
	t = time.Date(year, time.Month(month), day, hour, minute, sec, 0, loc)
	return t, local, true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// formatDate writes t as exiftool does: "2006:01:02 15:04:05-07:00",
// without a zone for a local time and with "Z" for a date written with
// "Z" (time.UTC).
func formatDate(t time.Time, local bool) string {
	s := t.Format("2006:01:02 15:04:05")
	if local {
		return s
	}
	if t.Location() == time.UTC {
		return s + "Z"
	}
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%s%c%02d:%02d", s, sign, off/3600, off/60%60)
}
