package hashset

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// checkRecords drains a parser, requiring well-formed records and a
// *ParseError, or a plain read error, as the only way to fail.
func checkRecords(t *testing.T, seq func(func(Record, error) bool)) {
	t.Helper()
	for rec, err := range seq {
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) && pe.Line < 1 {
				t.Fatalf("error with line %d: %v", pe.Line, err)
			}
			if rec.Sum != nil {
				t.Fatalf("record with error %v", err)
			}
			return
		}
		if rec.Algo.Size() == 0 || len(rec.Sum) != rec.Algo.Size() {
			t.Fatalf("bad record %s %x", rec.Algo, rec.Sum)
		}
	}
}

func FuzzLegacy(f *testing.F) {
	f.Add([]byte(legacyHeader + "\r\n" + `"C00002DED6E03A93513D4EA144486B2E33A3AC83","1A86E99CD4191117BFB48492E6049DCB","E32A12F9","hticons.dll",29456,3192,"WIN",""` + "\r\n"))
	f.Add([]byte(legacyHeader + "\n" + `"DA39A3EE5E6B4B0D3255BFEF95601890AFD80709","D41D8CD98F00B204E9800998ECF8427E","00000000","    ___",0,7828,"OS8",""`))
	f.Add([]byte(legacyHeader + "\n\"x\",\"y\"\n"))
	if root, ok := testcorpus.Find(); ok {
		if b, err := os.ReadFile(filepath.Join(root, "hashsets", "hashdeep-testfiles", "nsrlfile.txt")); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRecords(t, parseLegacy(context.Background(), bytes.NewReader(data), "NSRLFile.txt"))
	})
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("d41d8cd98f00b204e9800998ecf8427e\n"))
	f.Add([]byte("name,SHA-256,md5\n\"a, b\"," + string(bytes.Repeat([]byte("ab"), 32)) + ",\n"))
	f.Add([]byte("# c\n\nDA39A3EE5E6B4B0D3255BFEF95601890AFD80709\tx\n"))
	f.Add([]byte("\"unclosed,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRecords(t, parseCSV(context.Background(), bytes.NewReader(data), "list.csv"))
	})
}

// FuzzTable feeds arbitrary bytes to the table reader: it must reject
// them or answer lookups without panicking, and allocates no more than
// the input holds since sizes are checked against the file size first.
func FuzzTable(f *testing.F) {
	dir := f.TempDir()
	for i, n := range []int{1, 3, 100} {
		p := filepath.Join(dir, string(rune('a'+i)))
		tw, err := createTable(p, hashing.MD5, bucketBitsFor(uint64(n)))
		if err != nil {
			f.Fatal(err)
		}
		var recs [][]byte
		for rec := range randomRecords(hashing.MD5, uint64(i), n) {
			recs = append(recs, bytes.Clone(rec.Sum))
		}
		sortDigests(recs)
		for _, r := range recs {
			if err := tw.add(r); err != nil {
				f.Fatal(err)
			}
		}
		if _, err := tw.finish(); err != nil {
			f.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := newTable(bytes.NewReader(data), int64(len(data)), hashing.MD5)
		if err != nil {
			if tb != nil {
				t.Fatal("table with error")
			}
			return
		}
		var sum [16]byte
		for i := range 4 {
			sum[0] = byte(i * 64)
			if _, err := tb.contains(sum[:]); err != nil {
				return
			}
		}
		if tb.h.count > 0 {
			first := data[tb.h.dataOff() : tb.h.dataOff()+16]
			if _, err := tb.contains(first); err != nil {
				t.Fatalf("lookup after successful load: %v", err)
			}
		}
	})
}

func sortDigests(d [][]byte) {
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && bytes.Compare(d[j-1], d[j]) > 0; j-- {
			d[j-1], d[j] = d[j], d[j-1]
		}
	}
}

func TestTableRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	if _, err := s.ImportRecords(ctx, Info{Name: "x", Kind: Notable}, randomRecords(hashing.MD5, 9, 5000), nil); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(s.dir, setsDir, "x", tableFile(hashing.MD5))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := newTable(bytes.NewReader(data), int64(len(data)), hashing.MD5)
	if err != nil {
		t.Fatal(err)
	}
	if tb.h.count != 5000 || tb.h.bits != bucketBitsFor(5000) {
		t.Fatalf("header = %+v", tb.h)
	}
	for i := range tb.h.count {
		d := data[tb.h.dataOff()+16*i : tb.h.dataOff()+16*(i+1)]
		if ok, err := tb.contains(d); !ok || err != nil {
			t.Fatalf("digest %d: %v %v", i, ok, err)
		}
		if i > 0 && bytes.Compare(data[tb.h.dataOff()+16*(i-1):tb.h.dataOff()+16*i], d) >= 0 {
			t.Fatalf("digest %d not above its predecessor", i)
		}
	}
	if _, err := newTable(bytes.NewReader(data), int64(len(data)), hashing.SHA1); err == nil {
		t.Error("MD5 table opened as SHA-1")
	}
	if _, err := newTable(bytes.NewReader(data[:len(data)-1]), int64(len(data)-1), hashing.MD5); !errors.Is(err, ErrFormat) {
		t.Errorf("truncated table: %v", err)
	}
	future := bytes.Clone(data)
	future[8] = 2
	if _, err := newTable(bytes.NewReader(future), int64(len(future)), hashing.MD5); !errors.Is(err, ErrFormat) {
		t.Errorf("version 2 table: %v", err)
	}
	bad := bytes.Clone(data)
	bad[tb.h.fpsOff()], bad[tb.h.fpsOff()+1] = 0xff, 0xff
	bad[tb.h.fpsOff()+2], bad[tb.h.fpsOff()+3] = 0, 0
	tb2, err := newTable(bytes.NewReader(bad), int64(len(bad)), hashing.MD5)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tb2.contains(data[64:80]); !errors.Is(err, ErrFormat) {
		t.Errorf("unsorted fingerprints: %v", err)
	}
}
