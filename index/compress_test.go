package index

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	bleveindex "github.com/blevesearch/bleve_index_api"
)

func TestBlockCompression(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	positions := bytes.Repeat([]byte{0, 17, 0, 0, 0, 0, 23, 0, 0, 0}, 400)
	for _, tt := range []struct {
		name       string
		block      []byte
		compressed bool
	}{
		{"empty", nil, false},
		{"small", []byte("abc"), false},
		{"random", random, false},
		{"positions", positions, true},
		{"too large", bytes.Repeat([]byte{1}, maxCompress+1), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stored := compressBlock(tt.block)
			if got := stored[0] == 1; got != tt.compressed {
				t.Errorf("compressed %v, want %v (%d bytes from %d)", got, tt.compressed, len(stored), len(tt.block))
			}
			back, err := decompressBlock(stored)
			if err != nil || !bytes.Equal(back, tt.block) {
				t.Errorf("round trip: %v, %d bytes, want %d", err, len(back), len(tt.block))
			}
		})
	}
	for _, bad := range [][]byte{{2, 1, 2, 3}, {1, 0xFF, 0xFF, 0xFF}} {
		if _, err := decompressBlock(bad); !errors.Is(err, ErrDamaged) {
			t.Errorf("decompress % x: %v, want ErrDamaged", bad, err)
		}
	}
	if _, err := bleveindex.ReaderHook("another-codec", nil); !errors.Is(err, ErrDamaged) {
		t.Errorf("unknown encoding: %v, want ErrDamaged", err)
	}
	if f, err := bleveindex.ReaderHook("", nil); f != nil || err != nil {
		t.Errorf("segments without encoding: a reader (%t), %v; want them read as they are", f != nil, err)
	}
}
