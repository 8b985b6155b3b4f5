package hashfile

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/hashing/ssdeep"
)

// TestSSDEEPListInterop writes an ssdeep list that the ssdeep tool matches
// against, and reads the tool's own list back to the same digests.
func TestSSDEEPListInterop(t *testing.T) {
	tool, err := exec.LookPath("ssdeep")
	if err != nil {
		t.Skip("ssdeep not installed: skipping interop test")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	var names []string
	ours := map[string]string{}
	for i, size := range []int{5000, 20000, 70000} {
		data := make([]byte, size)
		const words = "ivory rhino horn pangolin scales rosewood "
		for j := range data {
			data[j] = words[rng.IntN(len(words))]
		}
		name := fmt.Sprintf("evidence \"%d\".txt", i)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
		ours[name] = ssdeep.Hash(data)
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, SSDEEP, []hashing.Algo{hashing.SSDEEP}, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := w.Write(hashing.FileHash{Path: n, Sums: hashing.Sums{hashing.SSDEEP: ours[n]}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(t.TempDir(), "ours.txt")
	if err := os.WriteFile(list, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tool, append([]string{"-s", "-b", "-m", list}, names...)...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ssdeep -m: %v", err)
	}
	for _, n := range names {
		if !strings.Contains(string(out), n+" matches "+list+":"+n+" (100)") {
			t.Errorf("ssdeep did not match %q against our list:\n%s", n, out)
		}
	}
	cmd = exec.Command(tool, append([]string{"-s", "-b"}, names...)...)
	cmd.Dir = dir
	theirs, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	k, err := Read(bytes.NewReader(theirs), "theirs.txt")
	if err != nil {
		t.Fatal(err)
	}
	if k.Format != SSDEEP || len(k.Files) != len(names) {
		t.Fatalf("read %s with %d files", k.Format, len(k.Files))
	}
	for _, f := range k.Files {
		if f.Sums[hashing.SSDEEP] != ours[f.Path] {
			t.Errorf("%q: tool %s, ours %s", f.Path, f.Sums[hashing.SSDEEP], ours[f.Path])
		}
	}
	if _, err := Read(strings.NewReader(ssdeepHeader+"\nnot a digest\n"), "bad.txt"); err == nil {
		t.Error("malformed ssdeep line accepted")
	}
}
