package doc

import (
	"errors"
	"io"
	"unicode"
	"unicode/utf8"
)

// Strings returns the printable runs of at least minLen characters in r,
// one per line, in file order: runs of UTF-8 text (ASCII and valid
// multi-byte sequences of printable characters, as `strings` finds them,
// extended to UTF-8) and runs of UTF-16LE text at even and odd offsets (as
// `strings -e l`), in the blocks text is commonly written in. A UTF-16LE
// run counts when at least half its characters are Latin-1, or when it is
// twice minLen long and fewer than a quarter of its characters look like
// two ASCII bytes (ASCII text, or UTF-16 read one byte off): any two random
// bytes are likely a printable CJK character. minLen below 1 means 4. It reads at
// most lim.MaxInput bytes and returns at most lim.MaxText bytes, with
// [ErrTruncated] when cut.
func Strings(r io.ReaderAt, size int64, minLen int, lim Limits) (string, error) {
	lim = lim.withDefaults()
	if minLen < 1 {
		minLen = 4
	}
	if size < 0 {
		return "", errors.New("doc: negative size")
	}
	size = min(size, lim.MaxInput)
	out := newSink(lim.MaxText)
	u8 := &runScanner{min: minLen, out: out}
	u16 := [2]*runScanner{{min: minLen, out: out, wide: true}, {min: minLen, out: out, wide: true}}
	buf := make([]byte, 64<<10)
	var carry int
	var off int64
	for off < size || carry > 0 {
		n := 0
		if off < size {
			want := min(int64(len(buf)-carry), size-off)
			var err error
			n, err = r.ReadAt(buf[carry:carry+int(want)], off)
			if err != nil && err != io.EOF {
				return "", err
			}
			if n == 0 {
				size = off // a short file: stop reading
			}
			off += int64(n)
		}
		data := buf[:carry+n]
		atEnd := off >= size
		// Process all bytes except an incomplete tail (at most 3 bytes)
		// while more data follows; the tail is carried to the next round.
		limit := len(data)
		if !atEnd {
			limit = max(len(data)-4, 0)
		}
		i := 0
		for i < limit {
			// UTF-8 scanner.
			c, sz := utf8.DecodeRune(data[i:])
			if c == utf8.RuneError && sz <= 1 {
				u8.brk()
			} else if isPrintable(c) {
				u8.add(c)
			} else {
				u8.brk()
			}
			// UTF-16LE scanners, one per byte alignment, fed each byte.
			for j := i; j < i+sz; j++ {
				if j+1 < len(data) {
					w := rune(data[j]) | rune(data[j+1])<<8
					s := u16[(off-int64(len(data))+int64(j))&1]
					s.feed(w)
				}
			}
			i += sz
		}
		if err := firstErr(u8.err, u16[0].err, u16[1].err); err != nil {
			break
		}
		carry = copy(buf, data[i:])
		if atEnd {
			break
		}
	}
	u8.brk()
	u16[0].brk()
	u16[1].brk()
	s := out.String()
	if out.full {
		return s, ErrTruncated
	}
	return s, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func isPrintable(r rune) bool {
	return r == '\t' || r >= 0x20 && r < 0x7f || r >= 0xa0 && unicode.IsPrint(r)
}

// runScanner collects one run of printable characters.
type runScanner struct {
	min     int
	out     *sink
	wide    bool
	run     []rune
	ascii   int // units below 0x100
	suspect int
	err     error
}

// feed takes the next 16-bit unit at the scanner's alignment.
func (s *runScanner) feed(w rune) {
	if likelyWide(w) && isPrintable(w) { // the cheap range test first
		s.add(w)
		lo, hi := w&0xff, w>>8
		if hi != 0 && (lo >= 0x20 && lo < 0x7f || lo == 0) && hi >= 0x20 && hi < 0x7f {
			s.suspect++ // as likely the bytes of ASCII text, or UTF-16 read one byte off
		}
	} else {
		s.brk()
	}
}

// likelyWide reports whether a UTF-16 unit is in a block text is commonly
// written in: Latin, Greek, Cyrillic, Hebrew, Arabic, Thai, punctuation,
// kana, Han and Hangul.
func likelyWide(w rune) bool {
	switch {
	case w < 0x250, w >= 0x370 && w < 0x530, w >= 0x590 && w < 0x700, w >= 0xE00 && w < 0xE80,
		w >= 0x1E00 && w < 0x2070, w >= 0x20A0 && w < 0x20C0, w >= 0x3000 && w < 0x3100,
		w >= 0x4E00 && w < 0xA000, w >= 0xAC00 && w < 0xD7A4, w >= 0xFF00 && w < 0xFFF0:
		return true
	}
	return false
}

func (s *runScanner) add(r rune) {
	if len(s.run) < 4096 {
		s.run = append(s.run, r)
	} else {
		s.brk()
		s.run = append(s.run, r)
	}
	if r < 0x100 {
		s.ascii++
	}
}

func (s *runScanner) brk() {
	n := len(s.run)
	if n >= s.min && s.err == nil && (!s.wide || s.ascii*2 >= n || n >= 2*s.min && s.suspect*4 < n) {
		if err := s.out.text(string(s.run)); err != nil {
			s.err = err
		}
		s.out.newline()
	}
	s.run = s.run[:0]
	s.ascii, s.suspect = 0, 0
}
