// Package fonts ships the TrueType fonts that reports embed, so that a report
// shows the names and text found in evidence in the scripts investigators
// meet: Latin, Greek and Cyrillic, Arabic, Thai, Chinese, Japanese and
// Korean.
//
// The font files are embedded in the binary, zstd-compressed, and
// decompressed on first use; [Face.Data] returns the original file. All
// are TrueType (glyf outlines), as PDF's CIDFontType2 needs. README.md in
// this folder names each file's source package, version, digest and
// licence (SIL Open Font License 1.1 or Apache License 2.0); the licence
// texts are OFL.txt and LICENSE-Apache-2.0.txt beside it.
//
// The package leaves to others everything a font is used for: parsing,
// subsetting and layout are in reports/pdf.
package fonts

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Face is one shipped font file.
type Face int

// The shipped faces. The order is the fallback order for text: a
// character is drawn with the first face, after the style's own, that has
// a glyph for it.
const (
	Sans     Face = iota // Noto Sans Regular: Latin, Greek, Cyrillic
	SansBold             // Noto Sans Bold
	Mono                 // Noto Mono: fixed pitch, for hashes
	Arabic               // Noto Sans Arabic, with presentation forms
	Thai                 // Noto Sans Thai
	CJK                  // Droid Sans Fallback Full: Chinese, Japanese kana
	Korean               // NanumSquare Regular: Hangul
	NumFaces             // number of faces, not a face
)

var (
	//go:embed NotoSans-Regular.ttf.zst
	sansZst []byte
	//go:embed NotoSans-Bold.ttf.zst
	sansBoldZst []byte
	//go:embed NotoMono-Regular.ttf.zst
	monoZst []byte
	//go:embed NotoSansArabic-Regular.ttf.zst
	arabicZst []byte
	//go:embed NotoSansThai-Regular.ttf.zst
	thaiZst []byte
	//go:embed DroidSansFallbackFull.ttf.zst
	cjkZst []byte
	//go:embed NanumSquareR.ttf.zst
	koreanZst []byte
)

var files = [NumFaces]struct {
	name string
	zst  []byte
	size int // bytes after decompression, from README.md
}{
	Sans:     {"NotoSans-Regular.ttf", sansZst, 512672},
	SansBold: {"NotoSans-Bold.ttf", sansBoldZst, 515752},
	Mono:     {"NotoMono-Regular.ttf", monoZst, 107848},
	Arabic:   {"NotoSansArabic-Regular.ttf", arabicZst, 244072},
	Thai:     {"NotoSansThai-Regular.ttf", thaiZst, 37744},
	CJK:      {"DroidSansFallbackFull.ttf", cjkZst, 4033420},
	Korean:   {"NanumSquareR.ttf", koreanZst, 723640},
}

var loaded [NumFaces]struct {
	once sync.Once
	data []byte
	err  error
}

// String returns the face's file name, such as "NotoSans-Regular.ttf".
func (f Face) String() string {
	if f < 0 || f >= NumFaces {
		return fmt.Sprintf("Face(%d)", int(f))
	}
	return files[f].name
}

// Data returns the font file. The first call for a face decompresses it;
// later calls return the same slice, which callers must not modify. Data
// is safe for concurrent use.
func (f Face) Data() ([]byte, error) {
	if f < 0 || f >= NumFaces {
		return nil, fmt.Errorf("fonts: no face %d", int(f))
	}
	l := &loaded[f]
	l.once.Do(func() {
		l.data, l.err = decompress(files[f].zst, files[f].size)
		if l.err != nil {
			l.err = fmt.Errorf("fonts: decompress %s: %w", files[f].name, l.err)
		}
	})
	return l.data, l.err
}

func decompress(zst []byte, size int) ([]byte, error) {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(size)+1<<20))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	out, err := d.DecodeAll(zst, make([]byte, 0, size))
	if err != nil {
		return nil, err
	}
	if len(out) != size {
		return nil, fmt.Errorf("got %d bytes, want %d", len(out), size)
	}
	return out, nil
}
