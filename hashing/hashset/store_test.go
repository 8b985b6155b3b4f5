package hashset

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pangolin-forensics/pangolin/hashing"
)

const legacyHeader = `"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"`

func openStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "hashsets"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// sums returns the hex MD5, SHA-1 and SHA-256 of s.
func sums(s string) (m, s1, s256 string) {
	a, b, c := md5.Sum([]byte(s)), sha1.Sum([]byte(s)), sha256.Sum256([]byte(s))
	return hex.EncodeToString(a[:]), hex.EncodeToString(b[:]), hex.EncodeToString(c[:])
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// has reports whether the store's lookup of hex digest h finds set name.
func has(t testing.TB, s *Store, algo hashing.Algo, h, name string) bool {
	t.Helper()
	m, err := s.Lookup(algo, mustHex(t, h))
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(m, func(m Match) bool { return m.Name == name })
}

func TestFormats(t *testing.T) {
	m1, a1, b1 := sums("one")
	m2, a2, _ := sums("two")
	_, _, b3 := sums("three")
	sha512 := strings.Repeat("ab", 64)
	tests := []struct {
		name    string
		file    string
		content string
		format  Format
		want    map[hashing.Algo]int64
		found   map[hashing.Algo][]string
		wantErr string
	}{
		{
			name: "legacy", file: "NSRLFile.txt", format: NSRLLegacy,
			content: legacyHeader + "\r\n" +
				`"` + strings.ToUpper(a1) + `","` + strings.ToUpper(m1) + `","E32A12F9","a, b.dll",29456,3192,"WIN",""` + "\r\n" +
				`"` + a2 + `","` + m2 + `","00000000","x",0,1,"OS8",""` + "\r\n" +
				`"` + a2 + `","` + m2 + `","00000000","x again",0,2,"OS8",""` + "\r\n",
			want:  map[hashing.Algo]int64{hashing.SHA1: 2, hashing.MD5: 2},
			found: map[hashing.Algo][]string{hashing.SHA1: {a1, a2}, hashing.MD5: {m1, m2}},
		},
		{
			name: "legacy auto", file: "NSRLFile.txt", format: Auto,
			content: legacyHeader + "\n" + `"` + a1 + `","` + m1 + `","E32A12F9","a",1,1,"WIN",""`,
			want:    map[hashing.Algo]int64{hashing.SHA1: 1, hashing.MD5: 1},
		},
		{
			name: "legacy bad sha1", file: "NSRLFile.txt", format: NSRLLegacy,
			content: legacyHeader + "\n" + `"` + a1 + `","` + m1 + `","E32A12F9","a",1,1,"WIN",""` + "\n" +
				`"xyz","` + m1 + `","E32A12F9","a",1,1,"WIN",""` + "\n",
			wantErr: `NSRLFile.txt line 3: bad SHA-1 "xyz"`,
		},
		{
			name: "legacy bad md5", file: "NSRLFile.txt", format: NSRLLegacy,
			content: legacyHeader + "\n" + `"` + a1 + `","` + strings.Repeat("g", 32) + `","E32A12F9","a",1,1,"WIN",""`,
			wantErr: `NSRLFile.txt line 2: bad MD5 "gggggggggggggggggggggggggggggggg": not hex`,
		},
		{
			name: "legacy short line", file: "NSRLFile.txt", format: NSRLLegacy,
			content: legacyHeader + "\n" + `"` + a1 + `"` + "\n",
			wantErr: `NSRLFile.txt line 2: want SHA-1, MD5 and more fields`,
		},
		{
			name: "legacy unclosed quote", file: "NSRLFile.txt", format: NSRLLegacy,
			content: legacyHeader + "\n" + `"` + a1 + `,"` + m1 + `",1` + "\n",
			wantErr: `NSRLFile.txt line 2:`,
		},
		{
			name: "legacy no header", file: "NSRLFile.txt", format: NSRLLegacy,
			content: `"` + a1 + `","` + m1 + `","E32A12F9","a",1,1,"WIN",""`,
			wantErr: `NSRLFile.txt line 1: not the NSRLFile.txt header`,
		},
		{
			name: "legacy empty", file: "NSRLFile.txt", format: NSRLLegacy,
			wantErr: `NSRLFile.txt line 1: empty file`,
		},
		{
			name: "legacy header only", file: "NSRLFile.txt", format: NSRLLegacy,
			content: legacyHeader + "\n", wantErr: ErrEmpty.Error(),
		},
		{
			name: "plain list mixed", file: "list.txt", format: CSV,
			content: "# notable\n" + strings.ToUpper(m1) + "\n\n" + a2 + "\r\n" + b3 + "\n" + sha512 + "\n" + m1 + "\n",
			want:    map[hashing.Algo]int64{hashing.MD5: 1, hashing.SHA1: 1, hashing.SHA256: 1, hashing.SHA512: 1},
			found:   map[hashing.Algo][]string{hashing.MD5: {m1}, hashing.SHA1: {a2}, hashing.SHA256: {b3}, hashing.SHA512: {sha512}},
		},
		{
			name: "plain list auto", file: "list.txt", format: Auto,
			content: m1 + "\n" + m2 + "\n",
			want:    map[hashing.Algo]int64{hashing.MD5: 2},
		},
		{
			name: "csv with header", file: "bad.csv", format: CSV,
			content: "Name,SHA-256,md5\n\"a, b\"," + b1 + "," + m1 + "\nc,\"" + strings.ToUpper(b3) + "\",\n",
			want:    map[hashing.Algo]int64{hashing.SHA256: 2, hashing.MD5: 1},
			found:   map[hashing.Algo][]string{hashing.SHA256: {b1, b3}, hashing.MD5: {m1}},
		},
		{
			name: "tsv with blake3 header", file: "b3.tsv", format: CSV,
			content: "path\tblake3\nx\t" + b1 + "\n",
			want:    map[hashing.Algo]int64{hashing.BLAKE3: 1},
			found:   map[hashing.Algo][]string{hashing.BLAKE3: {b1}},
		},
		{
			name: "csv first field hash", file: "list.csv", format: CSV,
			content: a1 + ",note\n" + a2 + ",other\n",
			want:    map[hashing.Algo]int64{hashing.SHA1: 2},
		},
		{
			name: "csv bad length", file: "list.csv", format: CSV,
			content: m1 + "\n" + m1[:31] + "\n",
			wantErr: `list.csv line 2: bad hash "` + m1[:31] + `": 31 hex digits`,
		},
		{
			name: "csv bad hex", file: "list.csv", format: CSV,
			content: m1 + "\n\n" + "z" + m1[1:] + "\n",
			wantErr: `list.csv line 3: bad MD5 "z` + m1[1:] + `": not hex`,
		},
		{
			name: "csv header bad cell", file: "h.csv", format: CSV,
			content: "md5,name\n" + m1 + ",a\n" + a1 + ",b\n",
			wantErr: `h.csv line 3: bad MD5 "` + a1 + `": 40 hex digits, want 32`,
		},
		{
			name: "csv missing column", file: "h.csv", format: CSV,
			content: "name,sha1\na\n",
			wantErr: `h.csv line 2: no SHA-1 column: 1 fields`,
		},
		{
			name: "csv long line", file: "long.csv", format: CSV,
			content: m1 + "\n" + strings.Repeat("a", maxLine+10) + "\n",
			wantErr: `long.csv line 2: line longer than`,
		},
		{
			name: "csv empty", file: "empty.csv", format: CSV, wantErr: ErrEmpty.Error(),
		},
		{
			name: "auto empty", file: "empty", format: Auto, wantErr: ErrEmpty.Error(),
		},
		{
			name: "unknown format", file: "x", format: "hashkeeper", content: "x", wantErr: `unknown format "hashkeeper"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t)
			path := writeFile(t, tc.file, tc.content)
			var last int64
			info, err := s.Import(context.Background(), "set", KnownGood, path, tc.format, func(n int64) { last = n })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error spans lines: %q", err)
				}
				if l, _ := s.List(); len(l) != 0 {
					t.Errorf("failed import left sets %v", l)
				}
				assertTmpEmpty(t, s)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps(info.Counts, tc.want) {
				t.Errorf("counts = %v, want %v", info.Counts, tc.want)
			}
			if last != info.Records {
				t.Errorf("last progress %d, records %d", last, info.Records)
			}
			if tc.format != Auto && info.Format != tc.format {
				t.Errorf("format = %q, want %q", info.Format, tc.format)
			}
			for algo, hs := range tc.found {
				for _, h := range hs {
					if !has(t, s, algo, h, "set") {
						t.Errorf("%s %s not found", algo, h)
					}
				}
			}
			_, _, miss := sums("absent")
			if has(t, s, hashing.SHA256, miss, "set") {
				t.Errorf("absent digest found")
			}
			assertTmpEmpty(t, s)
		})
	}
}

func maps(a, b map[hashing.Algo]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func assertTmpEmpty(t testing.TB, s *Store) {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(s.dir, tmpDir))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 0 {
		t.Errorf("tmp holds %d entries after import", len(ents))
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		head string
		want Format
	}{
		{"SQLite format 3\x00rest", NSRLRDS3},
		{"PK\x03\x04rest", NSRLLegacy},
		{"\xef\xbb\xbf" + legacyHeader + "\r\n", NSRLLegacy},
		{`"sha-1","md5"` + "\n", NSRLLegacy},
		{"md5,name\n", CSV},
		{"", CSV},
	} {
		if got := detect([]byte(tc.head)); got != tc.want {
			t.Errorf("detect(%q) = %q, want %q", tc.head, got, tc.want)
		}
	}
}

// listOf returns a plain list of the MD5s of words.
func listOf(words ...string) string {
	var b strings.Builder
	for _, w := range words {
		m, _, _ := sums(w)
		fmt.Fprintln(&b, m)
	}
	return b.String()
}

func md5Hex(w string) string { m, _, _ := sums(w); return m }

func TestReplaceAndRefuse(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	first := writeFile(t, "a.txt", listOf("a", "b"))
	second := writeFile(t, "b.txt", listOf("c"))
	if _, err := s.Import(ctx, "bad", KnownBad, first, CSV, nil); err != nil {
		t.Fatal(err)
	}
	_, err := s.Import(ctx, "bad", KnownBad, second, CSV, nil)
	if !errors.Is(err, ErrExists) {
		t.Fatalf("second import: %v, want ErrExists", err)
	}
	if !has(t, s, hashing.MD5, md5Hex("a"), "bad") || has(t, s, hashing.MD5, md5Hex("c"), "bad") {
		t.Fatal("refused import changed the set")
	}
	info, err := s.Import(ctx, "bad", Notable, second, CSV, nil, Replace())
	if err != nil {
		t.Fatal(err)
	}
	if info.Kind != Notable || info.Counts[hashing.MD5] != 1 {
		t.Errorf("info = %+v", info)
	}
	if has(t, s, hashing.MD5, md5Hex("a"), "bad") || !has(t, s, hashing.MD5, md5Hex("c"), "bad") {
		t.Fatal("replace did not replace")
	}
	m, _ := s.Lookup(hashing.MD5, mustHex(t, md5Hex("c")))
	if len(m) != 1 || m[0] != (Match{Name: "bad", Kind: Notable}) {
		t.Errorf("matches = %v", m)
	}
	assertTmpEmpty(t, s)
}

func TestFailedImportKeepsSets(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	s.runBudget = 64 * (16 + 16) // spill runs every 64 digests
	orig := writeFile(t, "orig.txt", listOf("a", "b"))
	if _, err := s.Import(ctx, "good", KnownGood, orig, CSV, nil); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s.dir)

	boom := errors.New("disk on fire")
	failing := func(yield func(Record, error) bool) {
		for i := range 1000 {
			sum := md5.Sum([]byte{byte(i), byte(i >> 8)})
			if !yield(Record{Algo: hashing.MD5, Sum: sum[:]}, nil) {
				return
			}
		}
		yield(Record{}, boom)
	}
	_, err := s.ImportRecords(ctx, Info{Name: "good", Kind: KnownGood}, failing, nil, Replace())
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancelling := func(yield func(Record, error) bool) {
		for i := range 300000 {
			if i == 100 {
				cancel()
			}
			sum := md5.Sum([]byte{byte(i), byte(i >> 8), byte(i >> 16)})
			if !yield(Record{Algo: hashing.MD5, Sum: sum[:]}, nil) {
				return
			}
		}
	}
	if _, err = s.ImportRecords(cctx, Info{Name: "good", Kind: KnownGood}, cancelling, nil, Replace()); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	bad := writeFile(t, "bad.txt", listOf("c", "d")+"nothex\n")
	if _, err = s.Import(ctx, "good", KnownGood, bad, CSV, nil, Replace()); err == nil {
		t.Fatal("import of bad list succeeded")
	}
	if after := snapshot(t, s.dir); !maps2(before, after) {
		t.Errorf("store changed:\nbefore %v\nafter  %v", before, after)
	}
	if !has(t, s, hashing.MD5, md5Hex("a"), "good") || has(t, s, hashing.MD5, md5Hex("c"), "good") {
		t.Error("lookups changed after failed imports")
	}
}

// snapshot maps every file below dir, except the lock file, to its SHA-256.
func snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == lockName {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func maps2(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// randomRecords yields n pseudo-random digests of algo derived from seed.
func randomRecords(algo hashing.Algo, seed uint64, n int) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		g := newDigestGen(seed)
		buf := make([]byte, algo.Size())
		for range n {
			g.fill(buf)
			if !yield(Record{Algo: algo, Sum: buf}, nil) {
				return
			}
		}
	}
}

func TestExternalSortMatchesInMemory(t *testing.T) {
	ctx := context.Background()
	for _, budget := range []int{defaultRunBudget, 1000 * (20 + 16)} {
		t.Run(fmt.Sprint(budget), func(t *testing.T) {
			s := openStore(t)
			s.runBudget = budget
			recs := func(yield func(Record, error) bool) {
				for rec, err := range randomRecords(hashing.SHA1, 7, 20000) {
					if !yield(rec, err) {
						return
					}
				}
				for rec, err := range randomRecords(hashing.SHA1, 7, 5000) { // duplicates
					if !yield(rec, err) {
						return
					}
				}
			}
			info, err := s.ImportRecords(ctx, Info{Name: "r", Kind: Notable}, recs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if info.Records != 25000 || info.Counts[hashing.SHA1] != 20000 {
				t.Fatalf("records %d counts %v", info.Records, info.Counts)
			}
			for rec := range randomRecords(hashing.SHA1, 7, 20000) {
				if m, err := s.Lookup(hashing.SHA1, rec.Sum); err != nil || len(m) != 1 {
					t.Fatalf("lookup %x: %v %v", rec.Sum, m, err)
				}
			}
			for rec := range randomRecords(hashing.SHA1, 8, 20000) {
				if m, err := s.Lookup(hashing.SHA1, rec.Sum); err != nil || m != nil {
					t.Fatalf("lookup absent %x: %v %v", rec.Sum, m, err)
				}
			}
			assertTmpEmpty(t, s)
		})
	}
}

func TestPersistAndRemove(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "hashsets")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"nsrl", "agency-bad"} {
		if _, err := s.Import(ctx, n, KnownBad, writeFile(t, n, listOf("x", n)), CSV, nil); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if _, err := s.Lookup(hashing.MD5, mustHex(t, md5Hex("x"))); !errors.Is(err, ErrClosed) {
		t.Errorf("lookup after close: %v", err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err := s.List()
	if err != nil || len(l) != 2 || l[0].Name != "agency-bad" || l[1].Name != "nsrl" {
		t.Fatalf("list = %v, %v", l, err)
	}
	if l[1].SourceSize == 0 || len(l[1].SourceSHA256) != 64 || l[1].Imported.Location().String() != "UTC" {
		t.Errorf("info = %+v", l[1])
	}
	m, err := s.Lookup(hashing.MD5, mustHex(t, md5Hex("x")))
	if err != nil || len(m) != 2 || m[0].Name != "agency-bad" || m[1].Name != "nsrl" {
		t.Fatalf("lookup = %v, %v", m, err)
	}
	if err := s.Remove("nsrl"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("nsrl"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second remove: %v", err)
	}
	if m, _ := s.Lookup(hashing.MD5, mustHex(t, md5Hex("x"))); len(m) != 1 || m[0].Name != "agency-bad" {
		t.Errorf("lookup after remove = %v", m)
	}
	if _, err := os.Stat(filepath.Join(dir, setsDir, "nsrl")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("set folder still there: %v", err)
	}
	assertTmpEmpty(t, s)
}

func TestRecoverAside(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hashsets")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(context.Background(), "keep", KnownGood, writeFile(t, "l", listOf("k")), CSV, nil); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.sets["keep"].close()
	if _, err := s.setAside("keep"); err != nil { // as if the process died mid-replace
		t.Fatal(err)
	}
	s.mu.Unlock()
	if err := os.Mkdir(filepath.Join(dir, tmpDir, buildPfx+"dead"), 0o755); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if !has(t, s2, hashing.MD5, md5Hex("k"), "keep") {
		t.Error("set not restored")
	}
	assertTmpEmpty(t, s2)
}

func TestBadInput(t *testing.T) {
	s := openStore(t)
	p := writeFile(t, "l", listOf("a"))
	for _, tc := range []struct {
		name string
		kind Kind
	}{{"", KnownGood}, {"../x", KnownGood}, {".hidden", KnownGood}, {"con", KnownGood}, {"ok", "maybe"}} {
		if _, err := s.Import(context.Background(), tc.name, tc.kind, p, CSV, nil); err == nil {
			t.Errorf("import %q %q succeeded", tc.name, tc.kind)
		}
	}
	if _, err := s.Lookup(hashing.MD5, make([]byte, 20)); err == nil {
		t.Error("lookup of a 20-byte MD5 succeeded")
	}
	if _, err := s.Lookup("crc", make([]byte, 4)); err == nil {
		t.Error("lookup with unknown algorithm succeeded")
	}
	bad := func(yield func(Record, error) bool) { yield(Record{Algo: hashing.SHA1, Sum: make([]byte, 3)}, nil) }
	if _, err := s.ImportRecords(context.Background(), Info{Name: "x", Kind: Notable}, bad, nil); err == nil {
		t.Error("short digest accepted")
	}
}

func TestConcurrentLookups(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	const n = 20000
	if _, err := s.ImportRecords(ctx, Info{Name: "a", Kind: KnownGood}, randomRecords(hashing.SHA256, 1, n), nil); err != nil {
		t.Fatal(err)
	}
	var sumsIn [][]byte
	for rec := range randomRecords(hashing.SHA256, 1, n) {
		sumsIn = append(sumsIn, slices.Clone(rec.Sum))
	}
	for rec := range randomRecords(hashing.SHA256, 2, n) {
		sumsIn = append(sumsIn, slices.Clone(rec.Sum))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 8 {
		wg.Go(func() {
			hits := 0
			err := s.LookupBatch(ctx, hashing.SHA256, sumsIn, func(i int, m []Match) error {
				if i >= n || len(m) != 1 || m[0].Name != "a" {
					return fmt.Errorf("goroutine %d: digest %d matched %v", g, i, m)
				}
				hits++
				return nil
			})
			if err == nil && hits != n {
				err = fmt.Errorf("goroutine %d: %d hits, want %d", g, hits, n)
			}
			errs <- err
		})
	}
	// Changes to the store while lookups run.
	wg.Go(func() {
		_, err := s.ImportRecords(ctx, Info{Name: "b", Kind: Notable}, randomRecords(hashing.SHA256, 3, 1000), nil)
		if err == nil {
			err = s.Remove("b")
		}
		errs <- err
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestHashLists imports hashdeep and checksum lists through package
// hashfile, detected and named, and reports a bad line by file and line.
func TestHashLists(t *testing.T) {
	dir := t.TempDir()
	md5a, sha256a := "0cc175b9c0f1b6a831c399e269772661", "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
	files := map[string]string{
		"list.hashdeep": "%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n## \n1," + md5a + "," + sha256a + ",/a\n",
		"list.sha256":   sha256a + "  a\n",
		"list.bsd":      "MD5 (a) = " + md5a + "\n",
		"bad.sha256":    sha256a + "  a\nnot a line\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for name, want := range map[string]Format{"list.hashdeep": Hashdeep, "list.sha256": Sum, "list.bsd": Sum} {
		got, err := Detect(filepath.Join(dir, name))
		if err != nil || got != want {
			t.Fatalf("Detect(%s) = %s, %v; want %s", name, got, err, want)
		}
		info, err := s.Import(context.Background(), name, Notable, filepath.Join(dir, name), Auto, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if info.Format != want {
			t.Errorf("%s recorded as %s", name, info.Format)
		}
	}
	sum, _ := hex.DecodeString(sha256a)
	if m, err := s.Lookup(hashing.SHA256, sum); err != nil || len(m) != 2 {
		t.Fatalf("sha256 lookup: %v, %v", m, err)
	}
	_, err = s.Import(context.Background(), "bad", Notable, filepath.Join(dir, "bad.sha256"), Sum, nil)
	if err == nil || !strings.Contains(err.Error(), "bad.sha256:2") {
		t.Fatalf("bad line: %v", err)
	}
}
