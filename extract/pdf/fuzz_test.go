package pdf

import (
	"bytes"
	"context"
	"testing"
)

// FuzzExtract feeds arbitrary bytes to one shared Extractor: no panic, no
// hang, text only with metadata, metadata whenever there is no error.
func FuzzExtract(f *testing.F) {
	f.Add(minimalPDF())
	f.Add(buildPDF("/Title (t) /ModDate (D:2024)", "a", "b"))
	f.Add([]byte("%PDF-1.0\n"))
	x := testExtractor(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		md, text, err := x.Extract(context.Background(), bytes.NewReader(data), int64(len(data)))
		if err == nil && md == nil {
			t.Fatal("nil metadata without error")
		}
		if md == nil && text != "" {
			t.Fatal("text without metadata")
		}
	})
}
