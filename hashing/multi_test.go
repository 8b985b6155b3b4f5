package hashing

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	pngenc "image/png"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"lukechampine.com/blake3"

	"github.com/pangolin-forensics/pangolin/hashing/phash"
	"github.com/pangolin-forensics/pangolin/hashing/ssdeep"
)

// reference digests from the standard library (and blake3's reference
// implementation), computed one algorithm at a time.
func reference(data []byte) Sums {
	m, s1, s256, s512 := md5.Sum(data), sha1.Sum(data), sha256.Sum256(data), sha512.Sum512(data)
	b3 := blake3.Sum256(data)
	return Sums{MD5: hex.EncodeToString(m[:]), SHA1: hex.EncodeToString(s1[:]),
		SHA256: hex.EncodeToString(s256[:]), SHA512: hex.EncodeToString(s512[:]), BLAKE3: hex.EncodeToString(b3[:])}
}

func TestKnownVectors(t *testing.T) {
	// Published digests of "" and "abc" (RFC 1321, FIPS 180-2, BLAKE3 spec).
	tests := map[string]Sums{
		"": {MD5: "d41d8cd98f00b204e9800998ecf8427e", SHA1: "da39a3ee5e6b4b0d3255bfef95601890afd80709",
			SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
			BLAKE3: "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"},
		"abc": {MD5: "900150983cd24fb0d6963f7d28e17f72", SHA1: "a9993e364706816aba3e25717850c26c9cd0d89d",
			SHA256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
			SHA512: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
	}
	for in, want := range tests {
		m, err := NewMulti(Algos...)
		if err != nil {
			t.Fatal(err)
		}
		m.Write([]byte(in))
		got := m.Sums()
		for a, w := range want {
			if got[a] != w {
				t.Errorf("%s(%q) = %s, want %s", a, in, got[a], w)
			}
		}
	}
}

// TestMultiMatchesReference checks every algorithm at sizes around the
// buffer and mode boundaries, written in chunks of several sizes and read
// through ReadFrom.
func TestMultiMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	sizes := []int{0, 1, 63, 64, 65, blockSize - 1, blockSize, blockSize + 1, parallelAfter - 1, parallelAfter, parallelAfter + 1, 3*blockSize + parallelAfter + 17}
	for _, size := range sizes {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		want := reference(data)
		for _, chunk := range []int{1 << 30, 1, 4096, 1000003} {
			if size > 1<<16 && chunk == 1 {
				continue
			}
			for _, algos := range [][]Algo{Algos, {SHA256}, {MD5, SHA1, SHA256}} {
				t.Run(fmt.Sprintf("size=%d/chunk=%d/%d-algos", size, chunk, len(algos)), func(t *testing.T) {
					m, _ := NewMulti(algos...)
					for p := data; len(p) > 0; {
						k := min(chunk, len(p))
						m.Write(p[:k])
						p = p[k:]
					}
					check(t, m, algos, want, size)
					r, _ := NewMulti(algos...)
					if n, err := r.ReadFrom(bytes.NewReader(data)); err != nil || n != int64(size) {
						t.Fatalf("ReadFrom = %d, %v", n, err)
					}
					check(t, r, algos, want, size)
				})
			}
		}
	}
}

func check(t *testing.T, m *Multi, algos []Algo, want Sums, size int) {
	t.Helper()
	if m.Size() != int64(size) {
		t.Fatalf("Size = %d, want %d", m.Size(), size)
	}
	got := m.Sums()
	for _, a := range algos {
		if got[a] != want[a] {
			t.Fatalf("%s = %s, want %s", a, got[a], want[a])
		}
	}
}

// TestMultiGiB streams several GiB of generated data through the
// multi-hasher and the reference tools (md5sum, sha1sum, sha256sum,
// sha512sum, b3sum) at once, without touching the disk.
func TestMultiGiB(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-GiB test skipped in -short mode")
	}
	const size = 2<<30 + 12345 // over 2 GiB, not a multiple of any block
	tools := map[Algo]string{MD5: "md5sum", SHA1: "sha1sum", SHA256: "sha256sum", SHA512: "sha512sum", BLAKE3: "b3sum"}
	var writers []io.Writer
	outs := map[Algo]*bytes.Buffer{}
	var cmds []*exec.Cmd
	for _, a := range Algos {
		path, err := exec.LookPath(tools[a])
		if err != nil {
			t.Logf("%s not installed: %s not compared", tools[a], a)
			continue
		}
		cmd := exec.Command(path)
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		outs[a] = &bytes.Buffer{}
		cmd.Stdout = outs[a]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
		writers = append(writers, in)
		defer in.Close()
	}
	if len(cmds) == 0 {
		t.Skip("no reference hash tool installed: skipping")
	}
	m, _ := NewMulti(Algos...)
	src := io.LimitReader(rand.NewChaCha8([32]byte{1}), size)
	tee := io.TeeReader(src, io.MultiWriter(writers...))
	if n, err := m.ReadFrom(tee); err != nil || n != size {
		t.Fatalf("ReadFrom = %d, %v", n, err)
	}
	for _, w := range writers {
		w.(io.Closer).Close()
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	got := m.Sums()
	for a, out := range outs {
		want, _, _ := strings.Cut(out.String(), " ")
		if got[a] != want {
			t.Errorf("%s over %d bytes = %s, %s says %s", a, size, got[a], tools[a], want)
		}
	}
}

func TestParseAlgos(t *testing.T) {
	got, err := ParseAlgos("SHA256, md5,sha256")
	if err != nil || len(got) != 2 || got[0] != MD5 || got[1] != SHA256 {
		t.Fatalf("ParseAlgos = %v, %v", got, err)
	}
	for _, bad := range []string{"", "md4", "md5,,crc32"} {
		if _, err := ParseAlgos(bad); err == nil {
			t.Errorf("ParseAlgos(%q) accepted", bad)
		}
	}
}

// TestMultiSimilarityDigests checks that ssdeep and phash computed inside
// the one pass equal their packages' own results, and that phash is empty
// for data that is not an image.
func TestMultiSimilarityDigests(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 256, 192))
	for y := range 192 {
		for x := range 256 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x * y >> 6), 255})
		}
	}
	var png bytes.Buffer
	if err := pngenc.Encode(&png, img); err != nil {
		t.Fatal(err)
	}
	text := bytes.Repeat([]byte("pangolin scales, 12 kg, Lagos to Hai Phong; "), 3000)
	for name, data := range map[string][]byte{"png": png.Bytes(), "text": text} {
		m, _ := NewMulti(SHA256, SSDEEP, PHASH)
		m.Write(data)
		got := m.Sums()
		if want := ssdeep.Hash(data); got[SSDEEP] != want {
			t.Errorf("%s: ssdeep %s, want %s", name, got[SSDEEP], want)
		}
		wantP := ""
		if h, err := phash.Decode(bytes.NewReader(data), int64(len(data))); err == nil {
			wantP = h.String()
		}
		if got[PHASH] != wantP || (name == "png") == (wantP == "") {
			t.Errorf("%s: phash %q, want %q", name, got[PHASH], wantP)
		}
	}
}

// TestToolVectors hashes files of boundary sizes with the multi-hasher and
// with the reference tools (md5sum, sha1sum, sha256sum, sha512sum, b3sum),
// each tool run once over all of them; a missing tool is named and skipped.
func TestToolVectors(t *testing.T) {
	dir := t.TempDir()
	sizes := []int{0, 1, 2, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1023, 1024, 1025, 64 << 10,
		blockSize - 1, blockSize, blockSize + 1, parallelAfter - 1, parallelAfter, parallelAfter + 1}
	var names []string
	ours := map[string]Sums{}
	src := rand.NewChaCha8([32]byte{9})
	for _, size := range sizes {
		data := make([]byte, size)
		src.Read(data)
		name := fmt.Sprintf("size-%d", size)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		m, _ := NewMulti(Algos...)
		m.Write(data)
		names = append(names, name)
		ours[name] = m.Sums()
	}
	tools := map[Algo]string{MD5: "md5sum", SHA1: "sha1sum", SHA256: "sha256sum", SHA512: "sha512sum", BLAKE3: "b3sum"}
	for _, a := range Algos {
		path, err := exec.LookPath(tools[a])
		if err != nil {
			t.Logf("%s not installed: %s not compared with it", tools[a], a)
			continue
		}
		cmd := exec.Command(path, names...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", tools[a], err)
		}
		n := 0
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			sum, name, _ := strings.Cut(line, "  ")
			if ours[name][a] != sum {
				t.Errorf("%s of %s: %s, %s says %s", a, name, ours[name][a], tools[a], sum)
			}
			n++
		}
		if n != len(names) {
			t.Errorf("%s printed %d lines for %d files", tools[a], n, len(names))
		}
	}
}
