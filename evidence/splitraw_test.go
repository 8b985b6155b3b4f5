package evidence

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeSegments writes the named files into dir, with the given sizes of
// pseudo-random bytes, and returns their concatenation.
func writeSegments(t *testing.T, dir string, names []string, sizes []int) []byte {
	t.Helper()
	r := rand.NewChaCha8([32]byte{7})
	var all []byte
	for i, name := range names {
		b := make([]byte, sizes[i])
		r.Read(b)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o444); err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func TestOpenRaw(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		sizes []int
		open  string
		want  []string // segments opened, all files if nil
	}{
		{name: "single", files: []string{"card.dd"}, sizes: []int{5000}, open: "card.dd"},
		{name: "numbered from 001", files: []string{"img.001", "img.002", "img.003"}, sizes: []int{4096, 4096, 100}, open: "img.001"},
		{name: "numbered from 000", files: []string{"img.raw.000", "img.raw.001"}, sizes: []int{512, 3}, open: "img.raw.000"},
		{name: "letters", files: []string{"img.dd.aa", "img.dd.ab", "img.dd.ac"}, sizes: []int{1000, 1000, 1}, open: "img.dd.aa"},
		{name: "empty segments", files: []string{"e.001", "e.002", "e.003", "e.004"}, sizes: []int{0, 700, 0, 300}, open: "e.001"},
		{name: "all empty", files: []string{"z.001", "z.002"}, sizes: []int{0, 0}, open: "z.001"},
		{name: "other set beside", files: []string{"a.001", "a.002", "ab.003"}, sizes: []int{10, 10, 10}, open: "a.001", want: []string{"a.001", "a.002"}},
		{name: "lone later number", files: []string{"photo.2023"}, sizes: []int{10}, open: "photo.2023"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			all := writeSegments(t, dir, tt.files, tt.sizes)
			r, err := OpenRaw(filepath.Join(dir, tt.open))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			want := tt.want
			if want == nil {
				want = tt.files
			}
			var got []string
			for _, p := range r.Segments() {
				got = append(got, filepath.Base(p))
			}
			if !slices.Equal(got, want) {
				t.Fatalf("segments %v, want %v", got, want)
			}
			var size int
			for i, f := range tt.files {
				if slices.Contains(want, f) {
					size += tt.sizes[i]
				}
			}
			all = all[:size]
			if r.Size() != int64(size) {
				t.Fatalf("size %d, want %d", r.Size(), size)
			}
			// Every read, at every offset and of several lengths, agrees
			// with the concatenation.
			for _, n := range []int{1, 7, 512, 4097, size + 10} {
				for off := 0; off <= size; off += max(1, size/97) {
					p := make([]byte, n)
					k, err := r.ReadAt(p, int64(off))
					wantK := min(n, size-off)
					if k != wantK || !bytes.Equal(p[:k], all[off:off+k]) {
						t.Fatalf("ReadAt(%d bytes, %d) = %d, %v", n, off, k, err)
					}
					if (k < n) != (err == io.EOF) {
						t.Fatalf("ReadAt(%d bytes, %d) = %d, %v", n, off, k, err)
					}
				}
			}
		})
	}
}

func TestOpenRawErrors(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		open  string
		want  string // in the error
	}{
		{name: "missing middle", files: []string{"m.001", "m.002", "m.004"}, open: "m.001", want: "m.003 is missing"},
		{name: "missing letter", files: []string{"l.aa", "l.ac"}, open: "l.aa", want: "l.ab is missing"},
		{name: "not the first", files: []string{"n.001", "n.002"}, open: "n.002", want: "n.001"},
		{name: "absent", files: nil, open: "nothing.001", want: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeSegments(t, dir, tt.files, slices.Repeat([]int{100}, len(tt.files)))
			r, err := OpenRaw(filepath.Join(dir, tt.open))
			if err == nil {
				r.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to say %q", err, tt.want)
			}
		})
	}
}

// TestOpenRawThousand opens a set of more than 999 segments, where the
// numbers grow a digit.
func TestOpenRawThousand(t *testing.T) {
	dir := t.TempDir()
	var names []string
	for i := 1; i <= 1001; i++ {
		names = append(names, fmt.Sprintf("t.%03d", i))
	}
	all := writeSegments(t, dir, names, slices.Repeat([]int{1}, len(names)))
	r, err := OpenRaw(filepath.Join(dir, "t.001"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	segs := r.Segments()
	if len(segs) != 1001 || filepath.Base(segs[1000]) != "t.1001" || r.Size() != 1001 {
		t.Fatalf("%d segments, last %s, size %d", len(segs), segs[len(segs)-1], r.Size())
	}
	p := make([]byte, 1001)
	if n, err := r.ReadAt(p, 0); n != 1001 || err != nil || !bytes.Equal(p, all) {
		t.Errorf("ReadAt = %d, %v", n, err)
	}
}

// TestRawShrunk checks that a segment cut short after the open is an
// error, not zeros.
func TestRawShrunk(t *testing.T) {
	dir := t.TempDir()
	writeSegments(t, dir, []string{"s.001", "s.002"}, []int{1000, 1000})
	r, err := OpenRaw(filepath.Join(dir, "s.001"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := os.Truncate(filepath.Join(dir, "s.001"), 500); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadAt(make([]byte, 1000), 0); !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "s.001") {
		t.Errorf("read of a shrunk segment: %v", err)
	}
}

func FuzzSegmentName(f *testing.F) {
	for _, s := range []string{"a.001", "a.000", "x.aa", "x.aaaa", "dir.d/img", "a.", ".001", "a.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		s, ok := parseSegmentName(path)
		if !ok {
			return
		}
		if got := s.name(s.index); got != path && !s.alpha {
			// Numbers round-trip unless written with extra zeros.
			if p, _ := parseSegmentName(got); p.index != s.index {
				t.Fatalf("%q: segment %d is named %q", path, s.index, got)
			}
		}
		if s.alpha && s.name(0) != path {
			t.Fatalf("%q: first segment named %q", path, s.name(0))
		}
	})
}
