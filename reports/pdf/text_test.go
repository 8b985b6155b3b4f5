package pdf

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/pangolin-forensics/pangolin/reports/fonts"
)

func TestClean(t *testing.T) {
	long := strings.Repeat("a", maxText+500)
	tests := []struct {
		name, in, want string
	}{
		{"plain", "abc", "abc"},
		{"nul", "a\x00b", "a\uFFFDb"},
		{"controls", "\x01\x1b[31m\x7f\u0085x\u009b", "\uFFFD\uFFFD[31m\uFFFD\nx\uFFFD"},
		{"invalid utf8", "a\xff\xc3b", "a\uFFFD\uFFFDb"},
		{"crlf", "a\r\nb\rc\u2028d", "a\nb\nc\nd"},
		{"tab", "a\tb", "a    b"},
		{"nonchar", "\uFFFE\U0010FFFF\uFDD0", "\uFFFD\uFFFD\uFFFD"},
		{"truncated", long, strings.Repeat("a", maxText) + " … [500 more bytes not shown]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(clean(tt.in)); got != tt.want {
				t.Errorf("clean(%.40q) = %.80q, want %.80q", tt.in, got, tt.want)
			}
		})
	}
}

// shown returns the characters drawn for each unit.
func shown(units []unit) string {
	var b strings.Builder
	for _, u := range units {
		b.WriteRune(u.show)
	}
	return b.String()
}

func TestShapeArabic(t *testing.T) {
	all := func(rune) bool { return true }
	tests := []struct {
		name, in, want string
	}{
		// beh alone, then beh-beh-beh: initial, medial, final.
		{"forms", "ب ببب", "\uFE8F \uFE91\uFE92\uFE90"},
		// Alef does not join the letter after it.
		{"right joining", "اب", "\uFE8D\uFE8F"},
		// Lam-alef: isolated after a space, final after a joining letter;
		// the alef becomes an empty glyph.
		{"lam alef", "لا بلا", "\uFEFB\u200B \uFE91\uFEFC\u200B"},
		{"lam alef hamza", "الأحمد", "\uFE8D\uFEF7\u200B\uFEA3\uFEE4\uFEAA"},
		// A mark between two letters does not break the join.
		{"transparent mark", "بَب", "\uFE91\u064E\uFE90"},
		// ZERO WIDTH NON-JOINER breaks it; tatweel joins.
		{"zwnj", "ب\u200Cب", "\uFE8F\u200C\uFE8F"},
		{"tatweel", "بـ", "\uFE91\u0640"},
		// Persian letters from Presentation Forms-A.
		{"persian", "پی", "\uFB58\uFBFD"},
		{"latin untouched", "abc", "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shown(shapeArabic([]rune(tt.in), all)); got != tt.want {
				t.Errorf("shapeArabic(%q) = %+q, want %+q", tt.in, got, tt.want)
			}
		})
	}
	t.Run("missing forms", func(t *testing.T) {
		if got := shown(shapeArabic([]rune("ببب"), func(rune) bool { return false })); got != "ببب" {
			t.Errorf("got %+q, want the letters unchanged", got)
		}
	})
	t.Run("text", func(t *testing.T) {
		var texts []string
		for _, u := range shapeArabic([]rune("بلا"), all) {
			texts = append(texts, u.text)
		}
		if want := []string{"ب", "ل", "ا"}; !slices.Equal(texts, want) {
			t.Errorf("texts %q, want %q", texts, want)
		}
	})
}

// visual lays out s on one line and returns the source characters in
// drawing order.
func visual(t *testing.T, d *Document, s string) string {
	t.Helper()
	lines := d.layout(s, styleBody, 1e6)
	if len(lines) != 1 {
		t.Fatalf("%d lines", len(lines))
	}
	var b strings.Builder
	for _, g := range lines[0].glyphs {
		b.WriteRune(g.src)
	}
	return b.String()
}

func TestBidi(t *testing.T) {
	d := New(Options{})
	tests := []struct {
		name, in, want string
	}{
		{"ltr", "abc def", "abc def"},
		{"rtl", "ابت ثج", "جث تبا"},
		// European digits inside Arabic stay left to right.
		{"numbers in rtl", "عام 2024", "2024 ماع"},
		// An Arabic name inside an English sentence.
		{"mixed", "Name: محمد (ID 7)", "Name: دمحم (ID 7)"},
		{"latin in rtl", "اسم John Smith هنا", "انه John Smith مسا"},
		// Bidi overrides are dropped, not honoured.
		{"override dropped", "abc\u202Edef", "abcdef"},
		{"arabic digits", "رقم ١٢٣", "١٢٣ مقر"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := visual(t, d, tt.in); got != tt.want {
				t.Errorf("visual order of %q = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	t.Run("rtl paragraph aligns right", func(t *testing.T) {
		if l := d.layout("محمد", styleBody, 100); !l[0].rtl {
			t.Error("not marked right to left")
		}
		if l := d.layout("Name محمد", styleBody, 100); l[0].rtl {
			t.Error("marked right to left")
		}
	})
}

// texts lays s out in width w (points, body style) and returns the
// lines' source text.
func texts(d *Document, s string, w float64) []string {
	var out []string
	for _, l := range d.layout(s, styleBody, w) {
		var b strings.Builder
		for _, g := range l.glyphs {
			b.WriteRune(g.src)
		}
		out = append(out, b.String())
	}
	return out
}

func TestBreakLines(t *testing.T) {
	d := New(Options{})
	hash := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	t.Run("words", func(t *testing.T) {
		got := texts(d, "one two three four", 40)
		want := []string{"one two", "three", "four"}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("hash", func(t *testing.T) {
		got := texts(d, hash, 100)
		if len(got) < 3 || strings.Join(got, "") != hash {
			t.Errorf("got %q, want the hash in several pieces", got)
		}
	})
	t.Run("newline", func(t *testing.T) {
		if got := texts(d, "a\n\nb", 100); !slices.Equal(got, []string{"a", "", "b"}) {
			t.Errorf("got %q", got)
		}
	})
	t.Run("cjk", func(t *testing.T) {
		got := texts(d, "非法野生动物贸易调查报告。", 45)
		if len(got) < 2 || strings.Join(got, "") != "非法野生动物贸易调查报告。" {
			t.Errorf("got %q", got)
		}
		for _, l := range got {
			if strings.HasPrefix(l, "。") {
				t.Errorf("line starts with closing punctuation: %q", got)
			}
		}
	})
	t.Run("thai", func(t *testing.T) {
		got := texts(d, "ผู้ต้องสงสัยถูกจับกุมที่ท่าเรือ", 40)
		if len(got) < 2 || strings.Join(got, "") != "ผู้ต้องสงสัยถูกจับกุมที่ท่าเรือ" {
			t.Errorf("got %q", got)
		}
		for _, l := range got {
			r := []rune(l)
			if isMark(r[0]) {
				t.Errorf("line starts with a mark: %q", got)
			}
		}
	})
	t.Run("path", func(t *testing.T) {
		got := texts(d, "/evidence/EX-001/DCIM/100APPLE/IMG_0001.JPG", 120)
		if len(got) < 2 || !strings.HasSuffix(got[0], "/") {
			t.Errorf("got %q, want breaks after slashes", got)
		}
	})
	t.Run("hyphen", func(t *testing.T) {
		// A hyphen breaks before a letter but never before a digit: a
		// date or an exhibit number split at a hyphen reads as two values.
		for w := 100.0; w <= 250; w += 5 { // the date fits on a line
			got := texts(d, "seized at 2026-11-27T04:04:16Z as EX-0412 cross-border", w)
			for i, l := range got[:len(got)-1] {
				next := []rune(got[i+1])
				if strings.HasSuffix(l, "-") && unicode.IsDigit(next[0]) {
					t.Fatalf("width %g: %q broken before a digit", w, got)
				}
			}
		}
		if got := texts(d, "cross-border", 40); !slices.Equal(got, []string{"cross-", "border"}) {
			t.Errorf("got %q, want a break after the hyphen", got)
		}
	})
	t.Run("nbsp", func(t *testing.T) {
		if got := texts(d, "10\u00A0kg 10\u00A0kg", 30); !slices.Equal(got, []string{"10\u00A0kg", "10\u00A0kg"}) {
			t.Errorf("got %q", got)
		}
	})
}

func TestFallback(t *testing.T) {
	d := New(Options{})
	tests := []struct {
		s    string
		face fonts.Face
	}{
		{"A", fonts.Sans}, {"Ж", fonts.Sans}, {"Ω", fonts.Sans},
		{"ب", fonts.Arabic}, {"ก", fonts.Thai}, {"中", fonts.CJK},
		{"の", fonts.CJK}, {"한", fonts.Korean},
	}
	for _, tt := range tests {
		gs := d.glyphs([]rune(tt.s), styleBody)
		if len(gs) != 1 || gs[0].face != tt.face || d.faces[tt.face].entries[gs[0].cid-1].gid == 0 {
			t.Errorf("%q: got %+v, want a glyph of %s", tt.s, gs, tt.face)
		}
	}
	// A combining mark takes its base's face when that face has it.
	gs := d.glyphs([]rune("ก\u0E49"), styleBody)
	if len(gs) != 2 || gs[1].face != fonts.Thai || gs[1].w != 0 {
		t.Errorf("Thai mark: got %+v, want the Thai face with zero advance", gs)
	}
	// A Thai tone mark over an upper vowel is raised above it; one over a
	// consonant is not.
	if gs := d.glyphs([]rune("ที่ต่"), styleBody); len(gs) != 5 || gs[2].rise <= 0 || gs[4].rise != 0 {
		t.Errorf("Thai tone marks: got %+v, want the first raised", gs)
	}
	// A missing character is .notdef of the first face, standing for itself.
	gs = d.glyphs([]rune("\U0001F600"), styleBody)
	if len(gs) != 1 || gs[0].face != fonts.Sans || d.faces[fonts.Sans].entries[gs[0].cid-1] != (cidKey{0, "\U0001F600"}) {
		t.Errorf("missing glyph: got %+v", gs)
	}
	// Format characters are dropped.
	if gs := d.glyphs([]rune("\u200B\u202E\uFEFF"), styleBody); len(gs) != 0 {
		t.Errorf("format characters: got %+v, want none", gs)
	}
}

func TestCIDOverflow(t *testing.T) {
	d := New(Options{})
	for r := rune(0xF0000); r < 0xF0000+maxCID+10; r++ {
		d.cid(fonts.Sans, 0, string(r))
	}
	u := d.faces[fonts.Sans]
	if len(u.entries) != maxCID+1 || u.entries[maxCID] != (cidKey{0, "\uFFFD"}) {
		t.Errorf("%d entries, last %+v; want %d ending with U+FFFD", len(u.entries), u.entries[len(u.entries)-1], maxCID+1)
	}
}
