package hashfile

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

func readListFile(t *testing.T, path string) (*Known, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Read(f, filepath.Base(path))
}

// TestCorpusLists reads the hash lists of the shared corpus in the formats
// this package supports.
func TestCorpusLists(t *testing.T) {
	dir := filepath.Join(testcorpus.Dir(t), "hashsets")
	for _, c := range []struct {
		path   string
		format Format
		algos  []hashing.Algo
		files  int
		first  KnownFile
	}{
		{"hashdeep-sample-hashes/hashdeep.txt", Hashdeep, []hashing.Algo{hashing.MD5, hashing.SHA256}, 3,
			KnownFile{Path: "/Users/jessek/projects/md5deep/sample-hashes/ilookv3.hsh", Size: 622, Line: 5}},
		{"hashdeep-sample-hashes/md5deep.txt", Sum, []hashing.Algo{hashing.MD5}, 4,
			KnownFile{Path: "/Users/jessek/a.out", Size: -1, Line: 1}},
		{"hashdeep-sample-hashes/md5deep-size.txt", Sum, []hashing.Algo{hashing.MD5}, 4,
			KnownFile{Path: "/Users/jessek/a.out", Size: 669416, Line: 1}},
		{"hashdeep-testfiles/bsd-hashes.txt", BSD, []hashing.Algo{hashing.MD5}, 5,
			KnownFile{Path: "copying.txt", Size: -1, Line: 1}},
		{"sleuthkit/testmd5.dat", Sum, []hashing.Algo{hashing.MD5}, 28,
			KnownFile{Path: "blkcalc.exe", Size: -1, Line: 1}},
		{"_oracle/hashdeep_testfiles_md5_sha1_sha256.txt", Hashdeep, []hashing.Algo{hashing.MD5, hashing.SHA1, hashing.SHA256}, 17,
			KnownFile{Path: "./zero-byte-file.txt", Size: 0, Line: 7}},
	} {
		t.Run(c.path, func(t *testing.T) {
			k, err := readListFile(t, filepath.Join(dir, filepath.FromSlash(c.path)))
			if err != nil {
				t.Fatal(err)
			}
			if k.Format != c.format || !slices.Equal(k.Algos, c.algos) || len(k.Files) != c.files {
				t.Fatalf("format %s, algos %v, %d files; want %s, %v, %d", k.Format, k.Algos, len(k.Files), c.format, c.algos, c.files)
			}
			f := k.Files[0]
			if f.Path != c.first.Path || f.Size != c.first.Size || f.Line != c.first.Line {
				t.Errorf("first file %q size %d line %d, want %q %d %d", f.Path, f.Size, f.Line, c.first.Path, c.first.Size, c.first.Line)
			}
			for _, f := range k.Files {
				for _, a := range c.algos {
					if len(f.Sums[a]) != hexLen(a) {
						t.Errorf("%s: %s digest %q", f.Path, a, f.Sums[a])
					}
				}
			}
		})
	}
	// known.txt is an md5sum line followed by "hello world!": an error
	// naming the second line.
	_, err := readListFile(t, filepath.Join(dir, "hashdeep-testfiles", "known.txt"))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || !strings.HasPrefix(err.Error(), "known.txt:2: ") {
		t.Errorf("known.txt: err = %v, want a ParseError at line 2", err)
	}
}

// testfiles hashes the corpus's hashdeep test files, named as hashdeep -l
// names them from inside the folder ("./name").
func testfiles(t *testing.T) []hashing.FileHash {
	root := filepath.Join(testcorpus.Dir(t), "hashsets", "hashdeep-testfiles")
	recs := hashTree(t, root, "")
	for i := range recs {
		recs[i].Path = "./" + filepath.ToSlash(recs[i].Path)
	}
	return recs
}

// TestCorpusOracleAudit audits the hashdeep test files against the list
// hashdeep made of them: every file matches, nothing is missing.
func TestCorpusOracleAudit(t *testing.T) {
	k, err := readListFile(t, filepath.Join(testcorpus.Dir(t), "hashsets", "_oracle", "hashdeep_testfiles_md5_sha1_sha256.txt"))
	if err != nil {
		t.Fatal(err)
	}
	a := NewAudit(k)
	for _, fh := range testfiles(t) {
		a.Add(fh)
	}
	r := a.Finish()
	if !r.Passed || r.Matched != len(k.Files) || r.Examined != len(k.Files) || r.Missing != 0 {
		var b strings.Builder
		r.WriteText(&b, 3)
		t.Errorf("audit against the oracle:\n%s", b.String())
	}
}

// TestCorpusMatchBSD checks the files whose md5 a BSD list holds against
// md5deep -m's output over the same folder.
func TestCorpusMatchBSD(t *testing.T) {
	dir := filepath.Join(testcorpus.Dir(t), "hashsets")
	k, err := readListFile(t, filepath.Join(dir, "hashdeep-testfiles", "bsd-hashes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	a := NewAudit(k)
	var got []string
	for _, fh := range testfiles(t) {
		if e := a.Add(fh); e.Status != New {
			got = append(got, fh.Path)
		}
	}
	f, err := os.Open(filepath.Join(dir, "_oracle", "md5deep_match_bsd-hashes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			want = append(want, l)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("matched %q, md5deep -m matched %q", got, want)
	}
}
