package doc

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// errFull stops a reader once the text limit is reached; Text turns it
// into ErrTruncated.
var errFull = errors.New("doc: text limit reached")

// sink collects text up to a byte limit, cut at a rune boundary. It drops
// spaces and tabs at line ends and empty lines, so that readers can emit
// separators freely.
type sink struct {
	b    strings.Builder
	max  int
	full bool
	nl   int // newlines at the end of b
	sp   int // pending horizontal whitespace (spaces or a tab) not yet written
	tab  bool
}

func newSink(max int) *sink { return &sink{max: max} }

func (s *sink) String() string { return strings.TrimRight(s.b.String(), "\n") }

// text writes visible text, with pending separators before it.
func (s *sink) text(t string) error {
	if s.full {
		return errFull
	}
	for len(t) > 0 {
		// Split off line breaks and whitespace runs.
		i := strings.IndexAny(t, "\n\r\t\v\f ")
		if i < 0 {
			return s.word(t)
		}
		if i > 0 {
			if err := s.word(t[:i]); err != nil {
				return err
			}
		}
		switch t[i] {
		case '\n', '\v', '\f':
			s.newline()
		case '\r':
			if i+1 < len(t) && t[i+1] == '\n' {
				i++
			}
			s.newline()
		case '\t':
			s.tabulate()
		default:
			s.space()
		}
		t = t[i+1:]
	}
	return nil
}

func (s *sink) word(w string) error {
	if s.full {
		return errFull
	}
	switch {
	case s.tab:
		s.raw("\t")
	case s.sp > 0:
		s.raw(" ")
	}
	s.sp, s.tab = 0, false
	if !s.raw(w) {
		return errFull
	}
	s.nl = 0
	return nil
}

// raw appends w if it fits, else as much as fits and marks s full.
func (s *sink) raw(w string) bool {
	if s.b.Len()+len(w) <= s.max {
		s.b.WriteString(w)
		return true
	}
	n := s.max - s.b.Len()
	for n > 0 && !utf8.RuneStart(w[n]) {
		n--
	}
	if n > 0 {
		s.b.WriteString(w[:n])
	}
	s.full = true
	return false
}

func (s *sink) space() {
	if s.nl == 0 && s.b.Len() > 0 {
		s.sp++
	}
}

// tabulate separates table cells; a tab is kept even at a line start so
// that empty leading cells keep their column.
func (s *sink) tabulate() {
	if s.tab {
		s.raw("\t")
	}
	s.tab = true
	s.sp = 0
	s.nl = 0
}

// newline ends a line; empty lines are dropped.
func (s *sink) newline() {
	s.sp, s.tab = 0, false
	if s.b.Len() == 0 || s.nl >= 1 || s.full {
		return
	}
	s.raw("\n")
	s.nl++
}

// rune writes one rune as text.
func (s *sink) rune(r rune) error {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	return s.text(string(buf[:n]))
}
