package doc

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// typicalDOCX builds a DOCX like a long business document: paragraphs of
// formatted runs with varied words, and tables.
func typicalDOCX(b *testing.B) []byte {
	words := strings.Fields("invoice timber samples shipped from Mombasa to Hải Phòng cubic metres Pterocarpus erinaceus " +
		"rosewood logs declared as furniture parts port authority customs clearance container seal number consignee " +
		"exporter agent payment transfer bank account reference Dar es Salaam Zanzibar mninga mbao gỗ trắc 木材 样本")
	rng := rand.New(rand.NewPCG(1, 2))
	sentence := func() string {
		n := 8 + rng.IntN(12)
		s := make([]string, n)
		for i := range s {
			s[i] = words[rng.IntN(len(words))]
		}
		return strings.Join(s, " ") + fmt.Sprintf(" %d.", rng.IntN(100000))
	}
	var body strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&body, `<w:p w:rsidR="%08X"><w:pPr><w:pStyle w:val="Normal"/><w:jc w:val="both"/></w:pPr>`+
			`<w:r><w:rPr><w:rFonts w:ascii="Calibri"/><w:b/><w:sz w:val="%d"/></w:rPr><w:t xml:space="preserve">%s </w:t></w:r>`+
			`<w:r><w:rPr><w:rFonts w:ascii="Calibri"/></w:rPr><w:t>%s</w:t></w:r></w:p>`, rng.Uint32(), 18+rng.IntN(8), sentence(), sentence())
		if i%50 == 0 {
			fmt.Fprintf(&body, `<w:tbl><w:tr><w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>%d m³</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`,
				words[rng.IntN(len(words))], rng.IntN(1000))
		}
	}
	return buildDOCX(b, body.String())
}

// BenchmarkTextDOCX measures Text on a typical DOCX (about 1.5 MB of
// document XML). Throughput is per byte of the file.
func BenchmarkTextDOCX(b *testing.B) {
	data := typicalDOCX(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Text(bytes.NewReader(data), int64(len(data)), mimeDOCX, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
