package ssdeep

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/internal/testcorpus"
)

// ssdeepTool returns the path of the ssdeep tool or skips the test.
func ssdeepTool(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("ssdeep")
	if err != nil {
		t.Skip("ssdeep not installed: skipping interop test")
	}
	return p
}

// runTool runs ssdeep with args in dir and returns its standard output.
func runTool(t testing.TB, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(ssdeepTool(t), args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ssdeep %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

const toolHeader = "ssdeep,1.1--blocksize:hash:hash,filename"

// toolHashes hashes the files under dir, or under the given subfolders of
// dir, in one ssdeep run. The keys are slash-separated paths relative to
// dir.
func toolHashes(t testing.TB, dir string, sub ...string) map[string]string {
	t.Helper()
	if len(sub) == 0 {
		sub = []string{"."}
	}
	out := runTool(t, dir, append([]string{"-s", "-c", "-l", "-r"}, sub...)...)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if lines[0] != toolHeader {
		t.Fatalf("ssdeep output starts with %q, want %q", lines[0], toolHeader)
	}
	m := map[string]string{}
	for _, line := range lines[1:] {
		// digest,"name" where the name has " escaped as \".
		d, q, ok := strings.Cut(line, ",")
		if !ok || len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
			t.Fatalf("cannot read ssdeep output line %q", line)
		}
		name := strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`)
		m[strings.TrimPrefix(name, "./")] = d
	}
	return m
}

// writeKnown writes a file of digests in ssdeep's format, for -m and -k.
func writeKnown(t testing.TB, path string, names []string, digests map[string]string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(toolHeader + "\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%s,%q\n", digests[n], n)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// toolScore is one line of ssdeep -c -a -m or -k output.
type toolScore struct {
	file, known string
	score       int
}

// parseScores reads `"file","known",score` lines.
func parseScores(t testing.TB, out []byte) []toolScore {
	t.Helper()
	var s []toolScore
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		i := strings.LastIndexByte(line, ',')
		names := line[:max(i, 0)]
		n, err := strconv.Atoi(line[i+1:])
		a, b, ok := strings.Cut(names, `","`)
		if err != nil || !ok || len(a) < 1 || a[0] != '"' || len(b) < 1 || b[len(b)-1] != '"' {
			t.Fatalf("cannot read ssdeep score line %q", line)
		}
		s = append(s, toolScore{a[1:], b[:len(b)-1], n})
	}
	return s
}

// variant makes a related file from a base, the way evidence drifts:
// edits, insertions, deletions, truncation, appended or prepended data.
type variant struct {
	name string
	make func(r *rng, b []byte) []byte
}

var variants = []variant{
	{"edit", func(r *rng, b []byte) []byte {
		c := bytes.Clone(b)
		for range 1 + r.intn(5) {
			c[r.intn(len(c))] ^= byte(1 + r.intn(255))
		}
		return c
	}},
	{"insert", func(r *rng, b []byte) []byte {
		at := r.intn(len(b))
		ins := genRandom(r.next(), 1+r.intn(len(b)/10+1))
		return append(append(append([]byte{}, b[:at]...), ins...), b[at:]...)
	}},
	{"delete", func(r *rng, b []byte) []byte {
		at := r.intn(len(b))
		end := min(len(b), at+1+r.intn(len(b)/8+1))
		return append(append([]byte{}, b[:at]...), b[end:]...)
	}},
	{"truncate", func(r *rng, b []byte) []byte {
		return bytes.Clone(b[:len(b)/2+r.intn(len(b)/2)])
	}},
	{"append", func(r *rng, b []byte) []byte {
		return append(bytes.Clone(b), genText(r.next(), 1+r.intn(len(b)/2+1))...)
	}},
	{"prepend", func(r *rng, b []byte) []byte {
		return append(genRandom(r.next(), 1+r.intn(len(b)/20+1)), b...)
	}},
}

// interopSet returns the files of the interop test: sizes at and around
// the block-size boundaries 3·64·2^k in several kinds of content, small
// sizes, random sizes, and bases with their variants (also returned
// separately, for scoring).
func interopSet() (files []input, bases, derived []string) {
	add := func(name string, data []byte) { files = append(files, input{name, data}) }
	seed := uint64(1)
	for k := 0; k <= 14; k++ {
		edge := MinBlockSize * SigLen << k
		for _, n := range []int{edge - 1, edge, edge + 1} {
			for _, kd := range kinds {
				// Past 192 KiB, only random data and text (and past
				// 1.5 MiB only random data) keep the test fast.
				if k > 10 && kd.name != "random" && (kd.name != "text" || k == 14) {
					continue
				}
				seed++
				add(fmt.Sprintf("edge-%s-%d", kd.name, n), kd.gen(seed, n))
			}
		}
	}
	for _, n := range []int{0, 1, 2, 3, 6, 7, 8, 63, 64, 65, 3000, 4095, 4096, 4097} {
		for _, kd := range kinds {
			seed++
			add(fmt.Sprintf("small-%s-%d", kd.name, n), kd.gen(seed, n))
		}
	}
	r := newRNG(42)
	for i := range 400 {
		kd := kinds[r.intn(len(kinds))]
		add(fmt.Sprintf("rand%03d-%s", i, kd.name), kd.gen(r.next(), r.logSize(18)))
	}
	for i := range 150 {
		kd := kinds[r.intn(5)]
		n := 1<<10 + r.logSize(18)
		base := fmt.Sprintf("base%03d-%s", i, kd.name)
		data := kd.gen(r.next(), n)
		add(base, data)
		bases = append(bases, base)
		for _, v := range variants {
			name := base + "." + v.name
			add(name, v.make(r, data))
			derived = append(derived, name)
		}
	}
	return files, bases, derived
}

// TestInterop hashes generated files with this package and with the ssdeep
// tool (one run over all of them), then scores every variant against every
// base with Compare and with ssdeep -a -m.
func TestInterop(t *testing.T) {
	ssdeepTool(t)
	dir := t.TempDir()
	files, bases, derived := interopSet()
	ours := map[string]string{}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o644); err != nil {
			t.Fatal(err)
		}
		ours[f.name] = Hash(f.data)
	}
	theirs := toolHashes(t, dir)
	equal := 0
	for _, f := range files {
		want, ok := theirs[f.name]
		switch {
		case !ok:
			t.Errorf("%s: ssdeep printed no hash", f.name)
		case ours[f.name] != want:
			t.Errorf("%s (%d bytes): Hash = %q, ssdeep %q", f.name, len(f.data), ours[f.name], want)
		default:
			equal++
		}
	}
	t.Logf("hashes: %d/%d equal to ssdeep", equal, len(files))
	if len(theirs) != len(files) {
		t.Errorf("ssdeep hashed %d files, want %d", len(theirs), len(files))
	}

	known := filepath.Join(t.TempDir(), "bases.txt")
	writeKnown(t, known, bases, theirs)
	out := runTool(t, dir, append([]string{"-s", "-c", "-l", "-a", "-m", known}, derived...)...)
	scores := parseScores(t, out)
	if want := len(bases) * len(derived); len(scores) != want {
		t.Fatalf("ssdeep -m printed %d scores, want %d", len(scores), want)
	}
	equal, related := 0, 0
	for _, s := range scores {
		got, err := Compare(theirs[s.file], theirs[s.known])
		if err != nil {
			t.Fatalf("Compare(%s, %s): %v", s.file, s.known, err)
		}
		if got != s.score {
			t.Errorf("Compare(%s %s, %s %s) = %d, ssdeep -m %d", s.file, theirs[s.file], s.known, theirs[s.known], got, s.score)
			continue
		}
		equal++
		if got > 0 {
			related++
		}
	}
	t.Logf("scores: %d/%d equal to ssdeep -m (%d above 0)", equal, len(scores), related)
}

// craftedDigests returns digests made up to reach the corners of the
// comparison: families of near-identical signatures at block sizes below
// and above the small-size cap, at neighbouring block sizes, with runs of
// repeated characters, short and empty signatures, and extreme block sizes.
func craftedDigests() []string {
	r := newRNG(7)
	sig := func(n int) string {
		b := make([]byte, 0, n)
		for len(b) < n {
			c := b64[r.intn(64)]
			reps := 1
			if r.intn(6) == 0 {
				reps = 2 + r.intn(6)
			}
			for ; reps > 0 && len(b) < n; reps-- {
				b = append(b, c)
			}
		}
		return string(b)
	}
	mutate := func(s string) string {
		b := []byte(s)
		for range 1 + r.intn(6) {
			switch op := r.intn(3); {
			case op == 0 && len(b) > 0:
				b[r.intn(len(b))] = b64[r.intn(64)]
			case op == 1 && len(b) < SigLen:
				at := r.intn(len(b) + 1)
				b = append(b[:at], append([]byte{b64[r.intn(64)]}, b[at:]...)...)
			case len(b) > 0:
				at := r.intn(len(b))
				b = append(b[:at], b[at+1:]...)
			}
		}
		return string(b)
	}
	odd := []uint64{5, 10, 45, 90, 1 << 62, 1 << 63, 1<<63 + 2, 1<<64 - 1}
	var out []string
	for range 45 {
		bs := uint64(MinBlockSize) << r.intn(9)
		if r.intn(8) == 0 {
			bs = odd[r.intn(len(odd))]
		}
		n1 := r.intn(SigLen + 1)
		if r.intn(3) > 0 {
			n1 = SigLen/2 + r.intn(SigLen/2+1)
		}
		n2 := r.intn(SigLen/2 + 1)
		if r.intn(8) == 0 {
			n2 = r.intn(SigLen + 1)
		}
		s1, s2 := sig(n1), sig(n2)
		d := func(bs uint64, a, b string) string { return Digest{bs, a, b}.String() }
		m1 := mutate(s1)
		out = append(out,
			d(bs, s1, s2),
			d(bs, mutate(s1), s2),
			d(bs, s1, mutate(s2)),
			d(bs, mutate(mutate(s1)), mutate(s2)),
			d(bs, s1[:len(s1)*3/4], s2[:len(s2)/2]),
			d(bs, (s1 + s1)[:min(2*len(s1), SigLen)], s2),
			d(max(bs*2, bs), s2+sig(SigLen/2-len(s2)/2), sig(r.intn(SigLen/2+1))),
			d(bs/2, sig(r.intn(SigLen+1)), m1[:min(len(m1), SigLen/2)]),
		)
	}
	return out
}

// TestInteropCrafted scores every pair of crafted digests with Compare and
// with ssdeep -a -k.
func TestInteropCrafted(t *testing.T) {
	ssdeepTool(t)
	digests := craftedDigests()
	byName := map[string]string{}
	var names []string
	for i, d := range digests {
		if _, err := Parse(d); err != nil {
			t.Fatalf("crafted digest %q: %v", d, err)
		}
		n := fmt.Sprintf("d%03d", i)
		names = append(names, n)
		byName[n] = d
	}
	dir := t.TempDir()
	writeKnown(t, filepath.Join(dir, "crafted.txt"), names, byName)
	scores := parseScores(t, runTool(t, dir, "-c", "-a", "-k", "crafted.txt", "crafted.txt"))
	if len(scores) != len(names)*len(names) {
		t.Fatalf("ssdeep -k printed %d scores, want %d", len(scores), len(names)*len(names))
	}
	equal, nonzero := 0, 0
	for _, s := range scores {
		a, b := byName[s.file], byName[s.known]
		got, err := Compare(a, b)
		if err != nil {
			t.Fatal(err)
		}
		if got != s.score {
			t.Errorf("Compare(%q, %q) = %d, ssdeep -k %d", a, b, got, s.score)
			continue
		}
		equal++
		if got > 0 && a != b {
			nonzero++
		}
	}
	t.Logf("crafted scores: %d/%d equal to ssdeep -k (%d pairs of different digests above 0)", equal, len(scores), nonzero)
}

// TestCorpus hashes every file of the corpus's hashsets and documents
// folders by streaming it through a Hasher, and with one ssdeep run.
func TestCorpus(t *testing.T) {
	root := testcorpus.Dir(t)
	ssdeepTool(t)
	sub := []string{"hashsets", "documents"}
	theirs := toolHashes(t, root, sub...)
	h := New()
	n, equal := 0, 0
	for _, s := range sub {
		err := filepath.WalkDir(filepath.Join(root, s), func(path string, e fs.DirEntry, err error) error {
			if err != nil || !e.Type().IsRegular() {
				return err
			}
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			h.Reset()
			if _, err := io.Copy(h, f); err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			n++
			switch want, ok := theirs[rel]; {
			case !ok:
				t.Errorf("%s: ssdeep printed no hash", rel)
			case h.Sum() != want:
				t.Errorf("%s: Sum = %q, ssdeep %q", rel, h.Sum(), want)
			default:
				equal++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("corpus: %d/%d files hash equal to ssdeep", equal, n)
}

// TestCorpusScores compares every pair of corpus hash-set and document
// files: the pairs ssdeep -k scores above 0, and their scores, must be
// exactly the pairs and scores Compare gives.
func TestCorpusScores(t *testing.T) {
	root := testcorpus.Dir(t)
	theirs := toolHashes(t, root, "hashsets", "documents")
	var names []string
	for n := range theirs {
		names = append(names, n)
	}
	slices.Sort(names)
	dir := t.TempDir()
	writeKnown(t, filepath.Join(dir, "corpus.txt"), names, theirs)
	want := map[[2]string]int{}
	for _, s := range parseScores(t, runTool(t, dir, "-c", "-k", "corpus.txt", "corpus.txt")) {
		want[[2]string{s.file, s.known}] = s.score
	}
	digests := make([]Digest, len(names))
	for i, n := range names {
		d, err := Parse(theirs[n])
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		digests[i] = d
	}
	got := 0
	for i, a := range digests {
		for j, b := range digests {
			score := a.Compare(b)
			if score == 0 {
				continue
			}
			got++
			if w := want[[2]string{names[i], names[j]}]; w != score {
				t.Errorf("%s vs %s: Compare %d, ssdeep -k %d", names[i], names[j], score, w)
			}
		}
	}
	if got != len(want) {
		t.Errorf("Compare scores %d pairs above 0, ssdeep -k %d", got, len(want))
	}
	t.Logf("corpus: %d pairs of %d files scored above 0, all equal to ssdeep -k", got, len(names))
}
