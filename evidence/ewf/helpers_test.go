package ewf

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/internal/testtool"
)

// source returns n bytes of a test medium of the given kind.
func source(kind string, n int, seed uint64) []byte {
	b := make([]byte, n)
	switch kind {
	case "random":
		r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
		r.Read(b)
	case "zeros":
	case "text":
		var buf bytes.Buffer
		for i := 0; buf.Len() < n; i++ {
			fmt.Fprintf(&buf, "line %d: shipment of %d logs, permit %x, vessel IMO %07d\n", i, i*7%1000, i*2654435761, i%9999999)
		}
		copy(b, buf.Bytes())
	case "mixed":
		copy(b[n/2:], source("text", n-n/2, seed))
		r := rand.NewChaCha8([32]byte{byte(seed), 1})
		r.Read(b[n/4 : n/2])
	default:
		panic("unknown source kind " + kind)
	}
	return b
}

// acquire writes src to a file and images it with ewfacquire, returning
// the path of the first segment.
func acquire(t *testing.T, src []byte, args ...string) string {
	t.Helper()
	testtool.Need(t, "ewfacquire")
	dir := t.TempDir()
	raw := filepath.Join(dir, "source.raw")
	if err := os.WriteFile(raw, src, 0o644); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "image")
	cmd := exec.Command("ewfacquire", append(append([]string{"-u", "-q", "-t", target}, args...), raw)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ewfacquire %v: %v\n%s", args, err, out)
	}
	return target + ".E01"
}

// write images src with our writer and returns the segment names.
func write(t *testing.T, base string, src []byte, o WriterOptions) []string {
	t.Helper()
	o.MediaSize = int64(len(src))
	w, err := Create(base, o)
	if err != nil {
		t.Fatal(err)
	}
	// Feed in uneven pieces to exercise chunk assembly.
	for p := src; len(p) > 0; {
		k := min(len(p), 12345)
		if _, err := w.Write(p[:k]); err != nil {
			t.Fatal(err)
		}
		p = p[k:]
	}
	m, s := md5.Sum(src), sha1.Sum(src)
	if err := w.Close(m[:], s[:]); err != nil {
		t.Fatal(err)
	}
	return w.Segments()
}

// testOptions are writer options with fixed dates, for reproducible output.
func testOptions() WriterOptions {
	at := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	return WriterOptions{
		CaseNumber:     "OP-THUNDER-7",
		EvidenceNumber: "EX-001",
		Examiner:       "A. Ranger",
		Description:    "USB stick seized on MV Kestrel",
		Notes:          "sealed bag 4471",
		AcquiredAt:     at,
		SystemAt:       at,
		Software:       "pangolin 0.1",
		OS:             "Linux",
	}
}

// readAll reads the whole media of img.
func readAll(t *testing.T, img *Image) []byte {
	t.Helper()
	b := make([]byte, img.Size())
	if n, err := img.ReadAt(b, 0); err != nil || int64(n) != img.Size() {
		t.Fatalf("ReadAt whole media: %d, %v", n, err)
	}
	return b
}
