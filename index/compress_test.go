package index

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
	bleveindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
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

// TestNewSegmentsUncompressed checks that segments written from a batch
// are not compressed (they name no encoding; a segment merged before it
// is written, when batches come faster than they are written, is) and
// that Compact writes a compressed one; both are searched alike.
func TestNewSegmentsUncompressed(t *testing.T) {
	ix := openTest(t, nil)
	docs := genDocs(300, 3)
	for i := 0; i < len(docs); i += 100 {
		b := ix.NewBatch()
		for _, d := range docs[i : i+100] {
			b.Add(d)
		}
		if err := ix.Commit(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	// The encodings of the index's segments, persisted ones only.
	encodings := func() (with, without int) {
		adv, err := ix.b.Advanced()
		if err != nil {
			t.Fatal(err)
		}
		r, err := adv.Reader()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for _, ss := range r.(*scorch.IndexSnapshot).Segments() {
			seg, ok := ss.Segment().(interface{ CallbackId() string })
			if _, persisted := ss.Segment().(segment.PersistedSegment); !ok || !persisted {
				continue
			}
			switch seg.CallbackId() {
			case blockEncoding:
				with++
			case "":
				without++
			default:
				t.Errorf("segment encoded as %q", seg.CallbackId())
			}
		}
		return with, without
	}
	hits := func() int { return len(ids(t, ix, Query{Text: "ivory"})) }
	want := hits()
	if with, without := encodings(); without == 0 {
		t.Errorf("after commits: %d compressed segments, %d not; want some not", with, without)
	}
	if err := ix.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	if with, without := encodings(); with != 1 || without != 0 {
		t.Errorf("after Compact: %d compressed segments, %d not; want one compressed", with, without)
	}
	if got := hits(); got != want || want == 0 {
		t.Errorf("%d hits after Compact, %d before", got, want)
	}
}
