package process

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/catalog"
)

// TestAgainstHashdeep processes an ext4 image of 20,000 files made with
// mkfs.ext4 -d, killing the run with SIGKILL part-way and resuming it,
// and checks the catalogue equals an uninterrupted run's, every file's
// MD5, SHA-1 and SHA-256 against hashdeep run over the same files, and
// that the image is byte-identical afterwards.
func TestAgainstHashdeep(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for _, tool := range []string{"mkfs.ext4", "hashdeep"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 20000
	buf := make([]byte, 8192)
	for i := range n {
		d := filepath.Join(src, fmt.Sprintf("d%03d", i%200))
		if i < 200 {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		size := 1024 + rng.IntN(3072)
		if i%1000 == 0 {
			size = 0
		}
		for j := range size {
			buf[j] = byte(rng.Uint32())
		}
		if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("f%05d.bin", i)), buf[:size], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img := filepath.Join(dir, "fs.ext4")
	if out, err := exec.Command("mkfs.ext4", "-q", "-d", src, img, "160M").CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v\n%s", err, out)
	}
	before := fileSHA256(t, img)

	// Processing is killed with SIGKILL part-way and resumed; the
	// catalogue must equal an uninterrupted run's, and hashdeep's hashes.
	db := killAndResume(t, img, false, 5000)
	st, err := db.State(context.Background(), "EX-1")
	if err != nil {
		t.Fatal(err)
	}
	ours := map[string]string{}
	for a, err := range db.Artefacts(context.Background(), catalog.Query{Content: true}) {
		if err != nil {
			t.Fatal(err)
		}
		if !a.Deleted {
			ours[a.Path] = a.MD5 + "," + a.SHA1 + "," + a.SHA256
		}
	}

	cmd := exec.Command("hashdeep", "-r", "-l", "-c", "md5,sha1,sha256", ".")
	cmd.Dir = src
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hashdeep: %v", err)
	}
	theirs := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "%") || strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		f := strings.SplitN(line, ",", 5) // size,md5,sha1,sha256,path
		if len(f) != 5 {
			t.Fatalf("hashdeep line %q", line)
		}
		theirs["/"+filepath.ToSlash(strings.TrimPrefix(f[4], "./"))] = f[1] + "," + f[2] + "," + f[3]
	}
	if len(theirs) != n {
		t.Fatalf("hashdeep hashed %d files, want %d", len(theirs), n)
	}
	agree := 0
	for p, h := range theirs {
		switch got, ok := ours[p]; {
		case !ok:
			t.Errorf("%s: not hashed by process", p)
		case got != h:
			t.Errorf("%s: process %s, hashdeep %s", p, got, h)
		default:
			agree++
		}
	}
	for p := range ours {
		if _, ok := theirs[p]; !ok {
			t.Errorf("%s: hashed by process, not in the source", p)
		}
	}
	t.Logf("%d/%d files agree with hashdeep; %d artefacts, %d hashed", agree, n, st.Artefacts, st.Hashed)
	if after := fileSHA256(t, img); after != before {
		t.Errorf("image changed: SHA-256 %s, was %s", after, before)
	}
}

func fileSHA256(t testing.TB, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}
