package index

import (
	"fmt"
	"runtime"
	"strings"

	bleveindex "github.com/blevesearch/bleve_index_api"
	"github.com/klauspost/compress/zstd"
)

// Segment compression.
//
// bleve keeps an index in zap segment files. For each term of each
// field a segment holds a bitmap of the documents, a chunk of
// frequencies and a chunk of positions; it also holds the dictionaries
// and the stored fields. zap passes each of these blocks through a hook
// before it writes it and after it reads it (bleve_index_api's
// WriterHook and ReaderHook, there for compression or encryption). The
// index compresses them with zstd: positions, the larger part of an
// index, shrink to under half.
//
// A block is written as one byte, then the block: 0 when the rest is
// the block as zap made it, 1 when the rest is a zstd frame of it (RFC
// 8878). A block is compressed when it is at least minCompress bytes,
// at most maxCompress, and compression saves a fifth. The segment's
// footer names the encoding (blockEncoding); segments with another name
// are not read (ErrDamaged: rebuild), and those with none (written
// without the hook) are read as they are.
//
// A segment just built from a batch is written as it is, not
// compressed: zap builds it in memory without the hook, and compressing
// it means encoding it all again (a merge of one segment), which took a
// sixth of the indexing time; it is compressed when it is merged, soon
// after (see newSegmentWrite).
const (
	blockEncoding = "pangolin-zstd-1"
	minCompress   = 64
	// maxCompress keeps the large blocks (a big segment's dictionary) as
	// they are, so they are read in place rather than decompressed into
	// memory.
	maxCompress = 1 << 20
)

var (
	zstdEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderCRC(false), zstd.WithLowerEncoderMem(true), zstd.WithWindowSize(maxCompress))
	zstdDecoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxMemory(maxCompress))
)

func init() {
	bleveindex.WriterHook = func([]byte) (string, func([]byte) []byte, error) {
		if newSegmentWrite() {
			return "", nil, nil
		}
		return blockEncoding, compressBlock, nil
	}
	bleveindex.ReaderHook = func(id string, _ []byte) (func([]byte) ([]byte, error), error) {
		switch id {
		case "":
			return nil, nil
		case blockEncoding:
			return decompressBlock, nil
		}
		return nil, fmt.Errorf("segment blocks encoded as %q: %w", id, ErrDamaged)
	}
}

// compressBlock returns block as it is written: compressed or not, after
// a byte that says which.
func compressBlock(block []byte) []byte {
	if len(block) >= minCompress && len(block) <= maxCompress {
		out := zstdEncoder.EncodeAll(block, append(make([]byte, 0, len(block)*4/5), 1))
		if len(out) <= len(block)*4/5 {
			return out
		}
	}
	out := make([]byte, 1+len(block))
	copy(out[1:], block)
	return out
}

// decompressBlock returns the block compressBlock made stored.
func decompressBlock(stored []byte) ([]byte, error) {
	if len(stored) == 0 {
		return stored, nil
	}
	switch stored[0] {
	case 0:
		return stored[1:], nil
	case 1:
		b, err := zstdDecoder.DecodeAll(stored[1:], nil)
		if err != nil {
			return nil, fmt.Errorf("segment block: %v: %w", err, ErrDamaged)
		}
		return b, nil
	}
	return nil, fmt.Errorf("segment block of unknown encoding %d: %w", stored[0], ErrDamaged)
}

// newSegmentWrite reports whether the writer hook is called to write a
// segment as zap built it in memory (zapx's PersistSegmentBase), rather
// than one a merge makes. zap tells the hook only the file's path, so
// the caller is read from the stack; should zap rename the function,
// new segments are compressed again, as merges are.
func newSegmentWrite() bool {
	var pcs [8]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs[:])])
	for {
		f, more := frames.Next()
		if strings.HasSuffix(f.Function, "/zapx/v17.PersistSegmentBase") {
			return true
		}
		if !more {
			return false
		}
	}
}
