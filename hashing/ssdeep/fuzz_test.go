package ssdeep

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldenDigests returns the digests in testdata/hashes.golden, as fuzz seeds.
func goldenDigests(f *testing.F) []string {
	file, err := os.Open(filepath.Join("testdata", "hashes.golden"))
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	var ds []string
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		if _, d, ok := strings.Cut(sc.Text(), " "); ok && !strings.HasPrefix(sc.Text(), "#") {
			ds = append(ds, d)
		}
	}
	if err := sc.Err(); err != nil {
		f.Fatal(err)
	}
	return ds
}

func FuzzParse(f *testing.F) {
	for _, d := range goldenDigests(f) {
		f.Add(d)
	}
	for _, s := range []string{"", "3", "3:", "3::", "03:a:b", "3:a:b:", "3:a:b,\"x\"", "18446744073709551616:a:b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrFormat) {
				t.Fatalf("Parse(%q): error %v is not a *ParseError wrapping ErrFormat", s, err)
			}
			if pe.Offset < 0 || pe.Offset > len(s) {
				t.Fatalf("Parse(%q): offset %d outside the input", s, pe.Offset)
			}
			if d != (Digest{}) {
				t.Fatalf("Parse(%q) returned %+v with error %v", s, d, err)
			}
			return
		}
		if got := d.String(); got != s {
			t.Fatalf("Parse(%q).String() = %q", s, got)
		}
		if got := d.Compare(d); got != 100 {
			t.Fatalf("%q compared with itself scores %d", s, got)
		}
	})
}

func FuzzCompare(f *testing.F) {
	ds := goldenDigests(f)
	for i := range ds {
		f.Add(ds[i], ds[(i+1)%len(ds)])
	}
	f.Add("3:ABCDEFGHIJ:KLMNOPQRS", "6:KLMNOPQRS:ABCDEFGHIJ")
	f.Add("3:AAAAAAABCDEFG:X", "3:AAABCDEFG:X")
	f.Fuzz(func(t *testing.T, a, b string) {
		s, err := Compare(a, b)
		_, errA := Parse(a)
		_, errB := Parse(b)
		if (err != nil) != (errA != nil || errB != nil) {
			t.Fatalf("Compare(%q, %q) error %v, but Parse errors %v, %v", a, b, err, errA, errB)
		}
		if err != nil {
			if s != 0 {
				t.Fatalf("Compare(%q, %q) = %d with error %v", a, b, s, err)
			}
		} else {
			if s < 0 || s > 100 {
				t.Fatalf("Compare(%q, %q) = %d, outside 0..100", a, b, s)
			}
			if r, _ := Compare(b, a); r != s {
				t.Fatalf("Compare(%q, %q) = %d but reversed %d", a, b, s, r)
			}
			if aa, _ := Compare(a, a); aa != 100 {
				t.Fatalf("Compare(%q, itself) = %d", a, aa)
			}
		}
		// Digests not made by Parse may hold any bytes and any lengths.
		x, y := Digest{uint64(len(a)), a, b}, Digest{uint64(len(b)), b, a}
		if s := x.Compare(y); s < 0 || s > 100 {
			t.Fatalf("%+v.Compare(%+v) = %d, outside 0..100", x, y, s)
		}
	})
}

func FuzzHash(f *testing.F) {
	for i, k := range kinds {
		f.Add(k.gen(uint64(i), 200+100*i), []byte{1, 200, 7})
	}
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		want := Hash(data)
		h := New()
		rest := data
		for i := 0; len(rest) > 0; i++ {
			n := len(rest)
			if len(cuts) > 0 {
				n = min(n, int(cuts[i%len(cuts)])*(1+i%7))
			}
			h.Write(rest[:n]) // empty writes too
			rest = rest[n:]
			if n == 0 {
				h.Write(rest[:1])
				rest = rest[1:]
			}
		}
		if got := h.Sum(); got != want {
			t.Fatalf("Sum after chunked writes = %q, Hash = %q", got, want)
		}
		if h.Size() != uint64(len(data)) {
			t.Fatalf("Size = %d, want %d", h.Size(), len(data))
		}
		d, err := Parse(want)
		if err != nil {
			t.Fatalf("Parse(Hash) = %v", err)
		}
		if len(d.Sig2) > SigLen/2 || d.BlockSize%MinBlockSize != 0 {
			t.Fatalf("Hash = %q: not a digest ssdeep could print", want)
		}
	})
}
