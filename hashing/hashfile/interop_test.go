package hashfile

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/internal/testtool"
)

// run runs a tool in dir and returns its standard output; a non-zero exit
// is not an error, as hashdeep exits 1 for a failed audit.
func run(t *testing.T, dir, tool string, args ...string) string {
	t.Helper()
	cmd := exec.Command(tool, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatal(err)
		}
	}
	if errb.Len() > 0 {
		t.Logf("%s stderr: %s", tool, errb.Bytes())
	}
	return out.String()
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// makeTree builds the evidence tree for the interop tests.
func makeTree(t *testing.T, root string) {
	files := map[string][]byte{
		"empty":                     nil,
		"one-byte":                  []byte("1"),
		"a/b/c/deep.txt":            []byte("deep\n"),
		"with space.txt":            []byte("space\n"),
		"com,ma.txt":                []byte("comma\n"),
		"a,b,c.txt":                 []byte("commas\n"),
		"unicode_☃.txt":             []byte("snowman\n"),
		"docs/circled_bullet_⦿.txt": []byte("bullet\n"),
		"dups/one":                  []byte("same\n"),
		"dups/two":                  []byte("same\n"),
		"changeme.txt":              []byte("before\n"),
		"moveme.txt":                []byte("move me\n"),
		"deleteme.txt":              []byte("delete me\n"),
		"partial.txt":               []byte("partial\n"),
	}
	if runtime.GOOS != "windows" {
		files[`back\slash.txt`] = []byte("backslash\n")
		files[`markup/quote"<&>'apos.txt`] = []byte("markup\n")
	}
	// Sizes around hashdeep's and the hashes' block sizes.
	for _, n := range []int{63, 64, 65, 8191, 8192, 8193, 65535, 65536, 65537, 1<<20 + 1} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7 + n)
		}
		files[fmt.Sprintf("blocks/%d.bin", n)] = b
	}
	for name, data := range files {
		writeFile(t, filepath.Join(root, filepath.FromSlash(name)), data)
	}
}

// writeList writes records as a hashdeep file.
func writeList(t *testing.T, path string, algos []hashing.Algo, records []hashing.FileHash) {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Hashdeep, algos, WriterOptions{Dir: filepath.Dir(path), Command: "pangolin hash"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, buf.Bytes())
}

// hashdeepReport splits hashdeep -a -v -v -v output (or ours, which names
// pangolin where hashdeep names itself) into the sorted per-file lines and
// the count lines, leaving out the two counts hashdeep 4.4 always prints
// as 0.
func hashdeepReport(out string) (files, counts []string) {
	out = strings.Replace(out, "pangolin: Audit ", "hashdeep: Audit ", 1)
	before, after, _ := strings.Cut(out, "hashdeep: Audit ")
	for _, l := range strings.Split(before, "\n") {
		if l != "" {
			files = append(files, l)
		}
	}
	for _, l := range strings.Split(after, "\n")[1:] {
		if l != "" && !strings.Contains(l, "Input files examined") && !strings.Contains(l, "Known files expecting") {
			counts = append(counts, l)
		}
	}
	slices.Sort(files)
	return files, counts
}

func TestHashdeepInterop(t *testing.T) {
	hd := testtool.Need(t, "hashdeep")
	base := t.TempDir()
	root := filepath.Join(base, "tree")
	makeTree(t, root)
	both := []hashing.Algo{hashing.MD5, hashing.SHA256}
	three := []hashing.Algo{hashing.MD5, hashing.SHA1, hashing.SHA256}

	// Our lists, with absolute and with relative paths, must pass
	// hashdeep's audit of the unchanged tree.
	abs := hashTree(t, root, root)
	rel := hashTree(t, root, "tree")
	for _, c := range []struct {
		name  string
		algos []hashing.Algo
		recs  []hashing.FileHash
		args  []string
	}{
		{"absolute md5,sha256", both, abs, []string{"-r", root}},
		{"absolute md5,sha1,sha256", three, abs, []string{"-r", root}},
		{"relative -l", both, rel, []string{"-r", "-l", "tree"}},
		{"relative -l md5,sha1,sha256", three, rel, []string{"-r", "-l", "tree"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			list := filepath.Join(base, "ours.txt")
			writeList(t, list, c.algos, c.recs)
			out := run(t, base, hd, append([]string{"-a", "-v", "-k", list}, c.args...)...)
			if !strings.Contains(out, "hashdeep: Audit passed") {
				t.Errorf("hashdeep rejects our list:\n%s", out)
			}
		})
	}

	// Change one file, move one, add one, delete one; alter the sha256 of
	// one record so that only its md5 matches. Our audit must classify
	// every file as hashdeep does.
	known := slices.Clone(rel)
	for i, r := range known {
		if r.Path == filepath.Join("tree", "partial.txt") {
			s := hashing.Sums{}
			for a, h := range r.Sums {
				s[a] = h
			}
			s[hashing.SHA256] = strings.Repeat("0", 64)
			known[i].Sums = s
		}
	}
	list := filepath.Join(base, "known.txt")
	writeList(t, list, three, known)
	writeFile(t, filepath.Join(root, "changeme.txt"), []byte("after\n"))
	if err := os.Rename(filepath.Join(root, "moveme.txt"), filepath.Join(root, "a", "moved.txt")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "a", "b", "new file.txt"), []byte("new\n"))
	if err := os.Remove(filepath.Join(root, "deleteme.txt")); err != nil {
		t.Fatal(err)
	}
	out := run(t, base, hd, "-a", "-v", "-v", "-v", "-k", list, "-r", "-l", "tree")
	wantFiles, wantCounts := hashdeepReport(out)

	f, err := os.Open(list)
	if err != nil {
		t.Fatal(err)
	}
	k, err := Read(f, list)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	audit := NewAudit(k)
	for _, fh := range hashTree(t, root, "tree") {
		audit.Add(fh)
	}
	r := audit.Finish()
	var text strings.Builder
	if err := r.WriteText(&text, 3); err != nil {
		t.Fatal(err)
	}
	gotFiles, gotCounts := hashdeepReport(text.String())
	if !slices.Equal(gotFiles, wantFiles) {
		t.Errorf("per-file lines differ\nours:\n%s\nhashdeep:\n%s", strings.Join(gotFiles, "\n"), strings.Join(wantFiles, "\n"))
	}
	if !slices.Equal(gotCounts, wantCounts) {
		t.Errorf("counts differ\nours:\n%s\nhashdeep:\n%s", strings.Join(gotCounts, "\n"), strings.Join(wantCounts, "\n"))
	}
	if r.Passed != strings.Contains(out, "Audit passed") {
		t.Errorf("Passed = %v, hashdeep says:\n%s", r.Passed, out)
	}
	if r.Partial != 1 || r.Moved != 1 || r.New != 2 || r.Missing != 2 {
		t.Errorf("counts %+v, want 1 partial, 1 moved, 2 new, 2 missing", r)
	}
	t.Logf("hashdeep and pangolin agree:\n%s", out)

	// hashdeep's own list of the changed tree, read by Read, must pass our
	// audit of the same tree.
	own := run(t, base, hd, "-c", "md5,sha1,sha256", "-r", "-l", "tree")
	k, err = Read(strings.NewReader(own), "hashdeep output")
	if err != nil {
		t.Fatal(err)
	}
	audit = NewAudit(k)
	observed := hashTree(t, root, "tree")
	for _, fh := range observed {
		audit.Add(fh)
	}
	if r := audit.Finish(); !r.Passed || r.Matched != len(observed) || r.Matched != len(k.Files) {
		t.Errorf("audit against hashdeep's own list: %+v", r)
	}

	// Our DFXML lists the same files, sizes and digests as hashdeep -d.
	var ours bytes.Buffer
	w, err := NewWriter(&ours, DFXML, three, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, fh := range observed {
		if err := w.Write(fh); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	theirs := parseDFXML(t, []byte(run(t, base, hd, "-d", "-c", "md5,sha1,sha256", "-r", "-l", "tree")))
	mine := parseDFXML(t, ours.Bytes())
	key := func(f dfxmlFile) string {
		return fmt.Sprint(f.path, f.size, f.sums[hashing.MD5], f.sums[hashing.SHA1], f.sums[hashing.SHA256])
	}
	var a, b []string
	for _, f := range theirs {
		a = append(a, key(f))
	}
	for _, f := range mine {
		b = append(b, key(f))
	}
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Errorf("DFXML file objects differ\nhashdeep: %q\nours:     %q", a, b)
	}
}

// TestSumInterop checks that GNU sha256sum -c and md5sum -c accept our sum
// and BSD output, names with newlines and backslashes included.
func TestSumInterop(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("names with newlines and backslashes need a Unix file system")
	}
	for _, c := range []struct {
		tool   string
		format Format
		algo   hashing.Algo
	}{
		{"sha256sum", Sum, hashing.SHA256},
		{"md5sum", BSD, hashing.MD5},
	} {
		t.Run(c.tool, func(t *testing.T) {
			tool := testtool.Need(t, c.tool)
			dir := t.TempDir()
			names := []string{"plain.txt", "with space", "new\nline", `back\slash`, "cr\rname", "☃", "-dash", " *lead", "100%"}
			for i, n := range names {
				writeFile(t, filepath.Join(dir, "d", n), []byte(strings.Repeat("x", i)))
			}
			var buf bytes.Buffer
			w, err := NewWriter(&buf, c.format, []hashing.Algo{c.algo}, WriterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			recs := hashTree(t, filepath.Join(dir, "d"), "d")
			for _, fh := range recs {
				s := sumsOf(mustRead(t, filepath.Join(dir, fh.Path)))
				fh.Sums = hashing.Sums{c.algo: s[c.algo]}
				if err := w.Write(fh); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "sums"), buf.Bytes())
			cmd := exec.Command(tool, "-c", "--strict", "sums")
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s -c rejects our list: %v\n%s\n%s", c.tool, err, out, buf.Bytes())
			}
			if n := strings.Count(string(out), ": OK"); n != len(names) {
				t.Errorf("%d files OK, want %d:\n%s", n, len(names), out)
			}
			// GNU's own output reads back to the same names.
			args := []string{}
			if c.format == BSD {
				args = append(args, "--tag")
			}
			for _, fh := range recs {
				args = append(args, fh.Path)
			}
			k, err := Read(strings.NewReader(run(t, dir, tool, args...)), c.tool)
			if err != nil {
				t.Fatal(err)
			}
			for i, f := range k.Files {
				if f.Path != recs[i].Path {
					t.Errorf("file %d: %q, want %q", i, f.Path, recs[i].Path)
				}
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
