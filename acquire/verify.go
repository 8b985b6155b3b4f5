package acquire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/hashing"
)

// ErrMismatch is wrapped by the errors of [Verify] and [VerifySegments]
// when what was read differs from what was recorded.
var ErrMismatch = errors.New("verification mismatch")

// VerifyResult is the outcome of [Verify].
type VerifyResult struct {
	Size int64        `json:"size"`
	Want hashing.Sums `json:"want"`
	Got  hashing.Sums `json:"got"`
	// Mismatch names the algorithms whose hashes differ, in canonical
	// order; empty when the image verifies.
	Mismatch []hashing.Algo `json:"mismatch"`
}

// Verify reads size bytes of img once, hashes them with every algorithm
// in want, and compares. When the read completes it returns a result; the
// error then wraps [ErrMismatch], naming the algorithms, if any hash
// differs. progress, if not nil, is called a few times a second.
func Verify(ctx context.Context, img io.ReaderAt, size int64, want hashing.Sums, progress func(Progress)) (*VerifyResult, error) {
	var algos []hashing.Algo
	for _, a := range hashing.Algos {
		if _, ok := want[a]; ok {
			algos = append(algos, a)
		}
	}
	if len(algos) != len(want) || len(algos) == 0 {
		return nil, fmt.Errorf("verify: want hashes among %v, got %v", hashing.Algos, want)
	}
	m, err := hashing.NewMulti(algos...)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	buf := make([]byte, defaultBlockSize)
	start, last := time.Now(), time.Time{}
	for off := int64(0); off < size; {
		if err := ctx.Err(); err != nil {
			m.Sums()
			return nil, fmt.Errorf("verify: at offset %d: %w", off, err)
		}
		p := buf[:min(int64(len(buf)), size-off)]
		n, err := img.ReadAt(p, off)
		if n < len(p) {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			m.Sums()
			return nil, fmt.Errorf("verify: read at offset %d: %w", off+int64(n), err)
		}
		m.Write(p)
		off += int64(n)
		if now := time.Now(); progress != nil && (now.Sub(last) >= 200*time.Millisecond || off == size) {
			last = now
			el := now.Sub(start)
			progress(Progress{Done: off, Total: size, Elapsed: el, Rate: float64(off) / max(el.Seconds(), 1e-9)})
		}
	}
	r := &VerifyResult{Size: size, Want: want, Got: m.Sums(), Mismatch: []hashing.Algo{}}
	for _, a := range algos {
		if !strings.EqualFold(r.Got[a], want[a]) {
			r.Mismatch = append(r.Mismatch, a)
		}
	}
	if len(r.Mismatch) > 0 {
		return r, fmt.Errorf("verify: %w: %s differs", ErrMismatch, joinAlgos(r.Mismatch))
	}
	return r, nil
}

func joinAlgos(as []hashing.Algo) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// SegmentCheck is the outcome of re-hashing one output file.
type SegmentCheck struct {
	Want chain.Ref `json:"want"`
	// Got is what the file holds now; empty if it could not be read.
	Got chain.Ref `json:"got"`
	OK  bool      `json:"ok"`
	// Err says why the file could not be read.
	Err string `json:"error,omitempty"`
}

// VerifySegments re-hashes each output file of rec and compares its size
// and SHA-256 with the record. Relative segment paths are taken relative
// to dir (the folder of acquisition.json). It returns one check per
// segment; the error wraps [ErrMismatch] and names the first segment that
// differs or cannot be read.
func VerifySegments(ctx context.Context, rec *Record, dir string) ([]SegmentCheck, error) {
	checks := make([]SegmentCheck, 0, len(rec.Segments))
	var bad []string
	for _, want := range rec.Segments {
		p := want.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		got, err := hashFile(ctx, p)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("verify segments: %w", ctx.Err())
		}
		c := SegmentCheck{Want: want, Got: got}
		c.Got.Path = want.Path
		if err != nil {
			c.Err = err.Error()
		}
		c.OK = err == nil && got.Size == want.Size && strings.EqualFold(got.SHA256, want.SHA256)
		if !c.OK {
			bad = append(bad, want.Path)
		}
		checks = append(checks, c)
	}
	if len(bad) > 0 {
		return checks, fmt.Errorf("verify segments: %w: %s differs (%d of %d segments)",
			ErrMismatch, bad[0], len(bad), len(checks))
	}
	return checks, nil
}
