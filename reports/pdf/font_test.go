package pdf

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/pangolin-forensics/pangolin/reports/fonts"
)

// outline returns glyph g of f with composite glyphs' components replaced
// by their own outlines, recursively, so that the outlines of a glyph in
// a font and in its subset compare equal despite renumbering.
func outline(t *testing.T, f *ttFont, g uint16, depth int) [][]byte {
	t.Helper()
	d := bytes.Clone(f.glyphData(g))
	out := [][]byte{d}
	if depth > maxGlyphNesting {
		t.Fatal("composite glyphs nest too deep")
	}
	err := components(d, func(off int) {
		c := binary.BigEndian.Uint16(d[off:])
		binary.BigEndian.PutUint16(d[off:], 0)
		out = append(out, outline(t, f, c, depth+1)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSubset(t *testing.T) {
	for face := range fonts.NumFaces {
		t.Run(face.String(), func(t *testing.T) {
			f, err := loadFont(face)
			if err != nil {
				t.Fatal(err)
			}
			// Every glyph with an outline among the first 300, plus the last.
			var glyphs []uint16
			composite := 0
			for g := 1; g < min(300, len(f.adv)); g++ {
				if d := f.glyphData(uint16(g)); len(d) > 0 {
					glyphs = append(glyphs, uint16(g))
					if int16(binary.BigEndian.Uint16(d)) < 0 {
						composite++
					}
				}
			}
			if last := len(f.adv) - 1; last >= 300 {
				glyphs = append(glyphs, uint16(last))
			}
			prog, ids, err := f.subset(glyphs)
			if err != nil {
				t.Fatal(err)
			}
			s, err := parseTrueType(prog)
			if err != nil {
				t.Fatalf("subset does not parse: %v", err)
			}
			if len(s.adv) > len(glyphs)+1+composite*4 || len(s.adv) < len(glyphs)+1 {
				t.Errorf("subset has %d glyphs for %d requested", len(s.adv), len(glyphs))
			}
			if checksum(prog) != 0xB1B0AFBA {
				t.Errorf("file checksum %#x, want 0xB1B0AFBA", checksum(prog))
			}
			for _, g := range glyphs {
				n := ids[g]
				if s.adv[n] != f.adv[g] || s.lsb[n] != f.lsb[g] {
					t.Fatalf("glyph %d -> %d: metrics differ", g, n)
				}
				a, b := outline(t, f, g, 0), outline(t, s, n, 0)
				if len(a) != len(b) {
					t.Fatalf("glyph %d -> %d: %d parts, want %d", g, n, len(b), len(a))
				}
				for i := range a {
					// The subset pads each glyph to four bytes.
					if !bytes.Equal(a[i], b[i][:min(len(a[i]), len(b[i]))]) {
						t.Fatalf("glyph %d -> %d: outline differs", g, n)
					}
				}
			}
		})
	}
}
