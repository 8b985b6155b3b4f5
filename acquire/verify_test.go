package acquire

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/hashing"
)

// acquireSplit images a fresh source into a split raw image in a new
// folder and writes its record there.
func acquireSplit(t *testing.T) (dir string, rec *Record) {
	t.Helper()
	path, _ := makeSource(t, t.TempDir(), 2<<20+100, 8)
	src := openSource(t, path)
	dir = t.TempDir()
	sink, err := NewRawSink(filepath.Join(dir, "EX-001"), 600<<10)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Acquire(context.Background(), src, sink, Options{Algos: []hashing.Algo{hashing.MD5, hashing.SHA1, hashing.SHA256}})
	if err != nil {
		t.Fatal(err)
	}
	rec = NewRecord(src.Facts(), res)
	rec.Case, rec.Exhibit, rec.Examiner, rec.Format = "OP-THUNDER", "EX-001", "j.okafor", "split-raw"
	if err := WriteRecord(filepath.Join(dir, "acquisition.json"), rec); err != nil {
		t.Fatal(err)
	}
	return dir, rec
}

func TestVerify(t *testing.T) {
	dir, rec := acquireSplit(t)
	rec, err := ReadRecord(filepath.Join(dir, "acquisition.json"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := evidence.OpenRaw(rec.Segments[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if len(img.Segments()) != 4 || img.Size() != rec.Bytes {
		t.Fatalf("image of %d segments, %d bytes", len(img.Segments()), img.Size())
	}
	var last Progress
	res, err := Verify(context.Background(), img, img.Size(), rec.Hashes, func(p Progress) { last = p })
	if err != nil || len(res.Mismatch) != 0 {
		t.Fatalf("verify: %v, %+v", err, res)
	}
	if last.Done != rec.Bytes || last.Total != rec.Bytes {
		t.Errorf("last progress %+v", last)
	}
	if _, err := VerifySegments(context.Background(), rec, dir); err != nil {
		t.Fatal(err)
	}

	// One altered byte in the third segment.
	seg := rec.Segments[2].Path
	b, _ := os.ReadFile(seg)
	b[1000] ^= 1
	if err := os.WriteFile(seg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	want := hashing.Sums{hashing.SHA1: rec.Hashes[hashing.SHA1], hashing.SHA256: rec.Hashes[hashing.SHA256]}
	res, err = Verify(context.Background(), img, img.Size(), want, nil)
	if !errors.Is(err, ErrMismatch) || !slices.Equal(res.Mismatch, []hashing.Algo{hashing.SHA1, hashing.SHA256}) {
		t.Errorf("verify of an altered image: %v, %+v", err, res)
	}
	if !strings.Contains(err.Error(), "sha1, sha256 differs") {
		t.Errorf("error %q does not name the hashes", err)
	}
	checks, err := VerifySegments(context.Background(), rec, dir)
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), filepath.Base(seg)) {
		t.Errorf("segments of an altered image: %v", err)
	}
	for i, c := range checks {
		if c.OK != (i != 2) {
			t.Errorf("segment %d: %+v", i, c)
		}
	}

	// A missing segment.
	os.Remove(rec.Segments[3].Path)
	checks, err = VerifySegments(context.Background(), rec, dir)
	if !errors.Is(err, ErrMismatch) || checks[3].OK || checks[3].Err == "" {
		t.Errorf("segments with one missing: %v, %+v", err, checks[3])
	}
	if _, err := Verify(context.Background(), img, img.Size()+1, rec.Hashes, nil); err == nil {
		t.Error("verified beyond the end of the image")
	}
	if _, err := Verify(context.Background(), img, img.Size(), hashing.Sums{"crc": "00"}, nil); err == nil {
		t.Error("verified with an unknown hash")
	}
}

func TestVerifyCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := strings.NewReader(strings.Repeat("x", 1<<20))
	if _, err := Verify(ctx, r, r.Size(), hashing.Sums{hashing.MD5: ""}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v", err)
	}
}

// TestRecordFields pins the JSON field names of acquisition.json, which
// are an API.
func TestRecordFields(t *testing.T) {
	dir, _ := acquireSplit(t)
	b, err := os.ReadFile(filepath.Join(dir, "acquisition.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"bad_bytes", "bad_ranges", "bytes", "case", "end", "examiner", "exhibit", "format",
		"hashes", "resumed", "segments", "source", "start", "tool"}
	if !slices.Equal(keys, want) {
		t.Errorf("fields %v\nwant   %v", keys, want)
	}
	var src map[string]json.RawMessage
	json.Unmarshal(m["source"], &src)
	keys = keys[:0]
	for k := range src {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want = []string{"device", "logical_sector_size", "path", "physical_sector_size", "read_only", "removable", "size"}
	if !slices.Equal(keys, want) {
		t.Errorf("source fields %v\nwant          %v", keys, want)
	}
	var rec Record
	json.Unmarshal(b, &rec)
	if !strings.HasSuffix(rec.Start, "Z") || len(rec.Start) < len("2006-01-02T15:04:05.1Z") || rec.Tool.Version == "" {
		t.Errorf("start %q, tool %+v", rec.Start, rec.Tool)
	}
}
