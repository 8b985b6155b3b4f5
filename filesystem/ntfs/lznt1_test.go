package ntfs

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/filesystem"
)

// compressLZNT1 is a small LZNT1 compressor for tests: greedy matching
// over a bounded window, and a stored chunk when compressing does not
// help.
func compressLZNT1(src []byte) []byte {
	var out []byte
	for off := 0; off < len(src); off += lzChunk {
		chunk := src[off:min(off+lzChunk, len(src))]
		c := compressChunk(chunk)
		if len(c) >= len(chunk) {
			out = binary.LittleEndian.AppendUint16(out, uint16(0x3000|(len(chunk)-1)))
			out = append(out, chunk...)
			continue
		}
		out = binary.LittleEndian.AppendUint16(out, uint16(0xB000|(len(c)-1)))
		out = append(out, c...)
	}
	return out
}

func compressChunk(src []byte) []byte {
	var out []byte
	for p := 0; p < len(src); {
		flagPos := len(out)
		out = append(out, 0)
		for bit := 0; bit < 8 && p < len(src); bit++ {
			lenBits := 12
			for q := p - 1; q >= 0x10; q >>= 1 {
				lenBits--
			}
			maxLen := 1<<lenBits - 1 + 3
			bestLen, bestBack := 0, 0
			for back := 1; back <= min(p, 1<<(16-lenBits), 300); back++ {
				l := 0
				for l < maxLen && p+l < len(src) && src[p+l] == src[p+l-back] {
					l++
				}
				if l > bestLen {
					bestLen, bestBack = l, back
				}
				if l == maxLen {
					break
				}
			}
			if bestLen < 3 {
				out = append(out, src[p])
				p++
				continue
			}
			out[flagPos] |= 1 << bit
			out = binary.LittleEndian.AppendUint16(out, uint16((bestBack-1)<<lenBits|(bestLen-3)))
			p += bestLen
		}
	}
	return out
}

func TestLZNT1Vectors(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want string
		err  bool
	}{
		{
			// Literals only: one chunk of 13 data bytes (header 0xB00C),
			// two flag bytes of zero.
			name: "literals",
			in:   append(append([]byte{0x0C, 0xB0, 0x00}, "Hello wo"...), append([]byte{0x00}, "rld"...)...),
			want: "Hello world",
		},
		{
			// "abc", then a back-reference 3 bytes back (offset 2) of 9
			// bytes (length 6): flag 0b1000, token 0x2006; 6 data bytes
			// (header 0xB005), then a zero header.
			name: "overlapping copy",
			in:   []byte{0x05, 0xB0, 0x08, 'a', 'b', 'c', 0x06, 0x20, 0x00, 0x00},
			want: "abcabcabcabc",
		},
		{
			name: "stored chunk",
			in:   []byte{0x02, 0x30, 'x', 'y', 'z'},
			want: "xyz",
		},
		{
			name: "two chunks, the first short",
			in:   []byte{0x02, 0xB0, 0x00, 'a', 'b', 0x01, 0xB0, 0x00, 'c'},
			want: "ab" + string(make([]byte, lzChunk-2)) + "c",
		},
		{name: "end at zero header", in: []byte{0x01, 0xB0, 0x00, 'q', 0, 0, 0xFF, 0xFF}, want: "q"},
		{name: "reference before start", in: []byte{0x02, 0xB0, 0x01, 0x00, 0x00}, want: "bytes back with 0 written", err: true},
		{name: "reference cut short", in: []byte{0x02, 0xB0, 0x02, 'a', 0x00}, want: "cut short", err: true},
		{name: "chunk past input", in: []byte{0x10, 0xB0, 0x00, 'a'}, want: "runs past", err: true},
		{name: "copy past chunk", in: []byte{0x04, 0xB0, 0x02, 'a', 0xFF, 0x0F, 0x00}, want: "past the chunk's output", err: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := make([]byte, 2*lzChunk)
			n, err := decompressLZNT1(dst, c.in)
			if c.err {
				var le *LZNT1Error
				if !errors.As(err, &le) || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("error %v, want an LZNT1Error saying %q", err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := string(dst[:n]); got != c.want {
				t.Errorf("got %q (%d bytes), want %q", trim([]byte(got)), n, trim([]byte(c.want)))
			}
		})
	}
}

// lzSamples are inputs the round-trip test and the fuzz seeds use.
func lzSamples() [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 9000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	text := bytes.Repeat([]byte("the quick brown fox jumps over the lazy dog. "), 400)
	return [][]byte{
		nil,
		[]byte("a"),
		bytes.Repeat([]byte{0}, 3*lzChunk),
		text,
		random,
		append(append([]byte(nil), text[:5000]...), random[:3000]...),
	}
}

func TestLZNT1RoundTrip(t *testing.T) {
	for i, s := range lzSamples() {
		c := compressLZNT1(s)
		dst := make([]byte, (len(s)+lzChunk-1)/lzChunk*lzChunk)
		n, err := decompressLZNT1(dst, c)
		if err != nil {
			t.Fatalf("sample %d: %v", i, err)
		}
		if !bytes.Equal(dst[:n], s) {
			t.Errorf("sample %d: %d bytes back, want %d", i, n, len(s))
		}
	}
}

// FuzzLZNT1 decompresses arbitrary input into a 64 KiB unit: no panic,
// and the output stays in the unit; then it compresses the input with the
// test compressor and requires an exact round trip.
func FuzzLZNT1(f *testing.F) {
	for _, s := range lzSamples() {
		f.Add(compressLZNT1(s))
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		dst := make([]byte, 16*lzChunk)
		n, err := decompressLZNT1(dst, in)
		if n < 0 || n > len(dst) {
			t.Fatalf("end %d outside the %d-byte unit (error %v)", n, len(dst), err)
		}
		if len(in) > 16*lzChunk {
			in = in[:16*lzChunk]
		}
		c := compressLZNT1(in)
		n, err = decompressLZNT1(dst, c)
		if err != nil || !bytes.Equal(dst[:n], in) {
			t.Fatalf("round trip: %d bytes, error %v, want %d bytes", n, err, len(in))
		}
	})
}

// compressedVolume builds a volume with LZNT1-compressed files (512-byte
// clusters, units of 16 clusters: 8 KiB) and returns it with the content
// of /packed.bin. Records:
//
//	24 /packed.bin: unit 0 compressed, unit 1 sparse, unit 2 stored,
//	   unit 3 compressed and cut short by the data size
//	25 /bad.bin: one unit whose compressed data is malformed
//	26 /wide.bin: a compression unit of 2^5 clusters
func compressedVolume() ([]byte, []byte) {
	const unit = 16 * tCluster
	text := bytes.Repeat([]byte("compressible text, "), 1000)
	rng := rand.New(rand.NewPCG(3, 4))
	random := make([]byte, unit)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	want := append(append(append(append([]byte(nil), text[:unit]...), make([]byte, unit)...), random...), text[100:3100]...)
	c0 := compressLZNT1(text[:unit])
	c3 := compressLZNT1(text[100:3100])
	cl := func(b []byte) int64 { return int64(len(b)+tCluster-1) / tCluster }
	n0, n3 := cl(c0), cl(c3)
	v := tVolume{clusters: 200, mftLCN: 16, nrec: 32, data: map[int64][]byte{
		60:  c0,
		80:  random,
		100: c3,
		120: {0x02, 0xB0, 0x01, 0x00, 0x00}, // a back-reference before the start
	}}
	v.records = []tRecord{
		{num: 3, seq: 3, flags: inUse, attrs: named(5, 5, "$Volume", tAttr{typ: attrVolumeName, value: utf16le("PACKED")})},
		{num: 5, seq: 5, flags: dirInUse, attrs: named(5, 5, ".")},
		{num: 24, seq: 1, flags: inUse, attrs: named(5, 5, "packed.bin", tAttr{
			typ: attrData, flags: compressionLZNT1, compUnit: 4, size: int64(len(want)), lastVCN: 63,
			runs: []tRun{{n0, 60}, {16 - n0, -1}, {16, -1}, {16, 80}, {n3, 100}, {16 - n3, -1}},
		})},
		{num: 25, seq: 1, flags: inUse, attrs: named(5, 5, "bad.bin", tAttr{
			typ: attrData, flags: compressionLZNT1, compUnit: 4, size: 5000, lastVCN: 15,
			runs: []tRun{{1, 120}, {15, -1}},
		})},
		{num: 26, seq: 1, flags: inUse, attrs: named(5, 5, "wide.bin", tAttr{
			typ: attrData, flags: compressionLZNT1, compUnit: 5, size: 5000, lastVCN: 31,
			runs: []tRun{{1, 120}, {31, -1}},
		})},
	}
	return v.build(), want
}

func TestCompressedStreams(t *testing.T) {
	img, want := compressedVolume()
	fs, err := NewFS(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*filesystem.Entry{}
	if err := fs.Walk(context.Background(), func(e *filesystem.Entry) error {
		got[e.Path] = e
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Run("packed", func(t *testing.T) {
		e := got["/packed.bin"]
		if e == nil || e.Size != int64(len(want)) {
			t.Fatalf("entry %+v, want size %d", e, len(want))
		}
		sr, err := fs.Open(e)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(sr)
		if err != nil || !bytes.Equal(b, want) {
			t.Fatalf("read %d bytes (error %v), want %d; equal %v", len(b), err, len(want), bytes.Equal(b, want))
		}
		// Reads that straddle units, and from the end backwards.
		for _, off := range []int64{0, 8191, 8192, 16383, 20000, 24575, int64(len(want)) - 5} {
			p := make([]byte, 3000)
			n, err := sr.ReadAt(p, off)
			if err != nil && err != io.EOF {
				t.Fatalf("ReadAt %d: %v", off, err)
			}
			if !bytes.Equal(p[:n], want[off:off+int64(n)]) {
				t.Errorf("ReadAt %d: wrong bytes", off)
			}
		}
	})
	t.Run("malformed", func(t *testing.T) {
		sr, err := fs.Open(got["/bad.bin"])
		if err != nil {
			t.Fatal(err)
		}
		var le *LZNT1Error
		if _, err := io.ReadAll(sr); !errors.As(err, &le) {
			t.Errorf("reading malformed data: %v, want an LZNT1Error", err)
		}
	})
	t.Run("unit too large", func(t *testing.T) {
		if _, err := fs.Open(got["/wide.bin"]); !errors.Is(err, ErrCompressed) {
			t.Errorf("Open: %v, want ErrCompressed", err)
		}
	})
}
