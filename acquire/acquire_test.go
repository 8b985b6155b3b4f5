package acquire

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/hashing"
)

const sector = 512

func sectors(first, n int64) Range {
	return Range{Offset: first * sector, Length: n * sector}
}

// TestAcquireFaults images a source with unreadable, short-reading and
// flaky sectors and checks the image, the bad-sector map, the hashes and
// that the source is untouched.
func TestAcquireFaults(t *testing.T) {
	const size = 3<<20 + 5*sector // not a whole number of blocks
	tests := []struct {
		name      string
		bad       []Range
		short     []Range
		transient []Range
		flaky     int
		retries   int
		want      []Range // bad ranges expected, with errors
	}{
		{name: "clean"},
		{
			name: "bad sectors",
			bad:  []Range{sectors(0, 1), sectors(10, 3), sectors(2048, 1), sectors(2049+4, 2), sectors(size/sector-1, 1)},
			want: []Range{
				{0, sector, errEIO}, {10 * sector, 3 * sector, errEIO}, {2048 * sector, sector, errEIO},
				{2053 * sector, 2 * sector, errEIO}, {size - sector, sector, errEIO},
			},
		},
		{
			name: "bad run across blocks",
			bad:  []Range{sectors(2040, 20)},
			want: []Range{{2040 * sector, 20 * sector, errEIO}},
		},
		{
			name:  "short reads",
			short: []Range{sectors(100, 2)},
			want: []Range{
				{100 * sector, 2 * sector, "short read: 256 of 512 bytes: unexpected EOF"},
			},
		},
		{
			name:      "transient errors recovered",
			transient: []Range{sectors(3000, 4)},
			flaky:     2,
		},
		{
			name:      "transient errors beyond retries",
			transient: []Range{sectors(3000, 4)},
			flaky:     2,
			retries:   -1,
			want:      []Range{{3000 * sector, 4 * sector, "read /dev/sdz: resource temporarily unavailable"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path, data := makeSource(t, t.TempDir(), size, 1)
			src := newFaultSource(openSource(t, path))
			src.bad, src.short, src.transient, src.flaky = tt.bad, tt.short, tt.transient, tt.flaky
			sink, err := NewRawSink(filepath.Join(dir, "img"), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			var last Progress
			res, err := Acquire(context.Background(), src, sink, Options{
				Algos:    []hashing.Algo{hashing.MD5, hashing.SHA1, hashing.SHA256, hashing.SHA512},
				Retries:  tt.retries,
				Progress: func(p Progress) { last = p },
			})
			if err != nil {
				t.Fatal(err)
			}
			want := bytes.Clone(data)
			var badN int64
			for _, r := range tt.want {
				clear(want[r.Offset : r.Offset+r.Length])
				badN += r.Length
			}
			img := readSegments(t, sink.Segments())
			if !bytes.Equal(img, want) {
				t.Errorf("image differs from the zero-filled source")
			}
			wantRanges := tt.want
			if wantRanges == nil {
				wantRanges = []Range(nil)
			}
			if !reflect.DeepEqual(res.BadRanges, wantRanges) {
				t.Errorf("bad ranges:\n got %v\nwant %v", res.BadRanges, wantRanges)
			}
			if res.BadBytes != badN || last.Bad != badN || last.Done != size || last.Total != size {
				t.Errorf("bad bytes %d, progress %+v; want %d", res.BadBytes, last, badN)
			}
			if !reflect.DeepEqual(res.Sums, sumsOf(want)) {
				t.Errorf("sums %v, want %v", res.Sums, sumsOf(want))
			}
			if res.Size != size || len(res.Segments) != 4 {
				t.Errorf("size %d, segments %v", res.Size, res.Segments)
			}
			for i, ref := range res.Segments {
				b, _ := os.ReadFile(ref.Path)
				s := sha256.Sum256(b)
				if ref.Path != sink.Segments()[i] || ref.Size != int64(len(b)) || ref.SHA256 != hex.EncodeToString(s[:]) {
					t.Errorf("segment %d: %+v, file has %d bytes, sha256 %x", i, ref, len(b), s)
				}
			}
			checkUntouched(t, path, data)
		})
	}
}

// TestAcquireBlockedRead cancels an acquisition whose device never
// returns from a read: Acquire must return at once.
func TestAcquireBlockedRead(t *testing.T) {
	path, _ := makeSource(t, t.TempDir(), 4<<20, 2)
	src := newFaultSource(openSource(t, path))
	src.blockAt, src.unblock = 2<<20, make(chan struct{})
	defer close(src.unblock)
	sink, err := NewRawSink(filepath.Join(t.TempDir(), "img"), 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	t0 := time.Now()
	_, err = Acquire(ctx, src, sink, Options{})
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want interrupted", err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("returned after %v", d)
	}
	fi, err := os.Stat(sink.Segments()[0])
	if err != nil || fi.Size() != 2<<20 {
		t.Errorf("image holds %v bytes, want the 2 MiB read (%v)", fi.Size(), err)
	}
}

func TestRawSinkNames(t *testing.T) {
	tests := []struct {
		split int64
		n     int
		want  []string
		sizes []int64
	}{
		{0, 5000, []string{"img.raw"}, []int64{5000}},
		{1000, 3000, []string{"img.001", "img.002", "img.003"}, []int64{1000, 1000, 1000}},
		{1000, 3001, []string{"img.001", "img.002", "img.003", "img.004"}, []int64{1000, 1000, 1000, 1}},
		{1000, 0, []string{"img.001"}, []int64{0}},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		s, err := NewRawSink(filepath.Join(dir, "img"), tt.split)
		if err != nil {
			t.Fatal(err)
		}
		data := bytes.Repeat([]byte("pangolin"), tt.n/8+1)[:tt.n]
		for p := data; len(p) > 0; p = p[min(len(p), 333):] {
			if _, err := s.Write(p[:min(len(p), 333)]); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(nil); err != nil {
			t.Fatal(err)
		}
		var names []string
		var sizes []int64
		for _, r := range s.SegmentRefs() {
			names = append(names, filepath.Base(r.Path))
			sizes = append(sizes, r.Size)
		}
		if !slices.Equal(names, tt.want) || !slices.Equal(sizes, tt.sizes) {
			t.Errorf("split %d, %d bytes: segments %v %v, want %v %v", tt.split, tt.n, names, sizes, tt.want, tt.sizes)
		}
		if !bytes.Equal(readSegments(t, s.Segments()), data) {
			t.Errorf("split %d, %d bytes: content differs", tt.split, tt.n)
		}
	}
}

func TestRawSinkNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "img")
	for _, name := range []string{"img.raw", "img.004"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("earlier image"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := NewRawSink(base, 0); !errors.Is(err, os.ErrExist) {
		t.Errorf("raw over an existing file: %v", err)
	}
	if _, err := NewRawSink(base, 10); !errors.Is(err, os.ErrExist) {
		t.Errorf("split over an existing segment: %v", err)
	}
	for _, name := range []string{"img.raw", "img.004"} {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); string(b) != "earlier image" {
			t.Errorf("%s overwritten", name)
		}
	}
}

func TestAcquireOptions(t *testing.T) {
	path, _ := makeSource(t, t.TempDir(), 4096, 3)
	src := openSource(t, path)
	tests := []struct {
		name string
		opts Options
	}{
		{"unknown algorithm", Options{Algos: []hashing.Algo{"crc32"}}},
		{"similarity digest", Options{Algos: []hashing.Algo{hashing.SSDEEP}}},
		{"state with blake3", Options{Algos: []hashing.Algo{hashing.BLAKE3}, StatePath: filepath.Join(t.TempDir(), "state")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink, err := NewRawSink(filepath.Join(t.TempDir(), "img"), 0)
			if err != nil {
				t.Fatal(err)
			}
			defer sink.Close(nil)
			if _, err := Acquire(context.Background(), src, sink, tt.opts); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestAcquireBLAKE3(t *testing.T) {
	path, _ := makeSource(t, t.TempDir(), 0, 3)
	sink, err := NewRawSink(filepath.Join(t.TempDir(), "img"), 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Acquire(context.Background(), openSource(t, path), sink, Options{Algos: []hashing.Algo{hashing.BLAKE3}})
	if err != nil {
		t.Fatal(err)
	}
	// BLAKE3 of the empty input, from the BLAKE3 test vectors.
	if want := "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"; res.Sums[hashing.BLAKE3] != want {
		t.Errorf("blake3 %s, want %s", res.Sums[hashing.BLAKE3], want)
	}
	if len(res.Segments) != 1 || res.Segments[0].Size != 0 {
		t.Errorf("segments %v", res.Segments)
	}
}
