package ewf

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/internal/testtool"
)

func TestWriterInterop(t *testing.T) {
	testtool.Need(t, "ewfverify")
	testtool.Need(t, "ewfinfo")
	testtool.Need(t, "ewfexport")
	tests := []struct {
		name string
		c    Compression
		kind string
		size int
		spc  int
	}{
		{"none", None, "mixed", 3<<20 + 512*9, 64},
		{"fast", Fast, "mixed", 3<<20 + 512*9, 64},
		{"best", Best, "mixed", 3<<20 - 512*3, 128},
		{"fast-zeros", Fast, "zeros", 2 << 20, 64},
		{"best-random", Best, "random", 2<<20 + 512, 16},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := source(tt.kind, tt.size, uint64(i))
			o := testOptions()
			o.Compression, o.SectorsPerChunk, o.SegmentSize, o.Workers = tt.c, tt.spc, 1<<20, 3
			names := write(t, filepath.Join(dir, "img"), src, o)
			if tt.kind != "zeros" && len(names) < 2 {
				t.Errorf("%d segment(s), want several", len(names))
			}
			for _, n := range names {
				if fi, err := os.Stat(n); err != nil || fi.Size() > o.SegmentSize {
					t.Errorf("segment %s: %v, size over the limit", n, err)
				}
			}
			if out, err := exec.Command("ewfverify", "-q", names[0]).CombinedOutput(); err != nil {
				t.Fatalf("ewfverify: %v\n%s", err, out)
			}
			cmd := exec.Command("ewfinfo", names[0])
			cmd.Env = append(os.Environ(), "TZ=UTC") // dates are shown in local time
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("ewfinfo: %v\n%s", err, out)
			}
			sum := md5.Sum(src)
			for _, want := range []string{
				"Case number:\t\t" + o.CaseNumber, "Evidence number:\t" + o.EvidenceNumber,
				"Examiner name:\t\t" + o.Examiner, "Description:\t\t" + o.Description, "Notes:\t\t\t" + o.Notes,
				"Software version used:\t" + o.Software, "Operating system used:\t" + o.OS,
				"Acquisition date:\tSat Mar 14 09:26:53 2026", "MD5:\t\t\t" + hex.EncodeToString(sum[:]),
				"Number of sectors:\t" + itoa(tt.size/512),
			} {
				if !strings.Contains(string(out), want) {
					t.Errorf("ewfinfo lacks %q:\n%s", want, out)
				}
			}
			exp := filepath.Join(dir, "export")
			if out, err := exec.Command("ewfexport", "-u", "-q", "-t", exp, "-f", "raw", names[0]).CombinedOutput(); err != nil {
				t.Fatalf("ewfexport: %v\n%s", err, out)
			}
			if got, err := os.ReadFile(exp + ".raw"); err != nil || !bytes.Equal(got, src) {
				t.Fatalf("ewfexport output differs from the source (%v)", err)
			}
			img, err := Open(names[0])
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			if !bytes.Equal(readAll(t, img), src) {
				t.Fatal("our reader reads other bytes")
			}
			res, err := img.Verify(context.Background(), nil)
			if err != nil || !res.OK || res.MD5Check != HashMatch || res.SHA1Check != HashMatch {
				t.Fatalf("Verify: %+v, %v", res, err)
			}
			info := img.Info()
			if info.CaseNumber != o.CaseNumber || info.Notes != o.Notes || !info.AcquisitionDate.Equal(o.AcquiredAt) {
				t.Errorf("Info = %+v", info)
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// readSet returns the contents of the segment files.
func readSet(t *testing.T, names []string) [][]byte {
	t.Helper()
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func sameSet(t *testing.T, a, b []string) {
	t.Helper()
	x, y := readSet(t, a), readSet(t, b)
	if len(x) != len(y) {
		t.Fatalf("%d segments, want %d", len(y), len(x))
	}
	for i := range x {
		if !bytes.Equal(x[i], y[i]) {
			t.Fatalf("segment %d differs (%d vs %d bytes)", i+1, len(x[i]), len(y[i]))
		}
	}
}

func TestWriterWorkersIdentical(t *testing.T) {
	src := source("mixed", 3<<20, 5)
	var sets [][]string
	for _, workers := range []int{1, 4} {
		o := testOptions()
		o.Compression, o.SegmentSize, o.Workers = Fast, 1<<20, workers
		sets = append(sets, write(t, filepath.Join(t.TempDir(), "img"), src, o))
	}
	sameSet(t, sets[0], sets[1])
}

func TestWriterOptions(t *testing.T) {
	dir := t.TempDir()
	for name, o := range map[string]WriterOptions{
		"no-size":        {},
		"partial-sector": {MediaSize: 1000},
		"bad-chunk":      {MediaSize: 512, SectorsPerChunk: 48},
		"bad-sector":     {MediaSize: 1000, BytesPerSector: 1000},
		"small-segment":  {MediaSize: 512, SegmentSize: 4096},
		"compression":    {MediaSize: 512, Compression: 7},
	} {
		if _, err := Create(filepath.Join(dir, name), o); err == nil {
			t.Errorf("%s: Create accepted %+v", name, o)
		}
	}
	w, err := Create(filepath.Join(dir, "short"), WriterOptions{MediaSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 5000)); err == nil {
		t.Error("write past the media size accepted")
	}
	w.Write(make([]byte, 1024))
	if err := w.Close(nil, nil); err == nil {
		t.Error("Close of a short image succeeded")
	}
	if _, err := Create(filepath.Join(dir, "short"), WriterOptions{MediaSize: 4096}); err == nil {
		t.Error("Create overwrote an existing segment")
	}
}

func TestResume(t *testing.T) {
	src := source("mixed", 4<<20, 11)
	o := testOptions()
	o.Compression, o.SegmentSize, o.Workers, o.SectorsPerChunk = Best, 1<<20, 2, 16
	want := write(t, filepath.Join(t.TempDir(), "img"), src, o)

	for _, cut := range []int{1 << 20, 2<<20 + 100, 3<<20 + 4000} {
		t.Run(itoa(cut), func(t *testing.T) {
			base := filepath.Join(t.TempDir(), "img")
			o := o
			o.MediaSize = int64(len(src))
			w, err := Create(base, o)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(src[:cut]); err != nil {
				t.Fatal(err)
			}
			st, err := w.State()
			if err != nil {
				t.Fatal(err)
			}
			saved, err := json.Marshal(st)
			if err != nil {
				t.Fatal(err)
			}
			// Work done after the state was saved is lost in the crash:
			// more chunks, maybe a new segment, then the process dies.
			w.Write(src[cut : cut+300000])
			w.drain()
			w.f.Close()

			var st2 State
			if err := json.Unmarshal(saved, &st2); err != nil {
				t.Fatal(err)
			}
			o2 := o
			o2.Workers = 3
			r, err := Resume(base, st2, o2)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Write(src[st2.MediaOffset:]); err != nil {
				t.Fatal(err)
			}
			m, s := md5.Sum(src), sha1.Sum(src)
			if err := r.Close(m[:], s[:]); err != nil {
				t.Fatal(err)
			}
			sameSet(t, want, r.Segments())
			t.Logf("cut at %d: resumed from media offset %d in segment %d, state %d bytes of JSON", cut, st2.MediaOffset, st2.Segment, len(saved))
		})
	}

	w, err := Create(filepath.Join(t.TempDir(), "img"), WriterOptions{MediaSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(nil, nil)
	st, _ := w.State()
	if _, err := Resume(strings.TrimSuffix(w.Segments()[0], ".E01"), st, WriterOptions{MediaSize: 1 << 20, Compression: Best}); err == nil {
		t.Error("Resume with other options accepted")
	}
}

// TestWriterTableLimit writes more chunks than one table may list, so the
// segment holds two sectors/table groups.
func TestWriterTableLimit(t *testing.T) {
	const chunk = 16 * 512
	size := int64(maxTableEntries+10) * chunk
	o := testOptions()
	o.Compression, o.SectorsPerChunk, o.MediaSize, o.Workers = Fast, 16, size, 2
	w, err := Create(filepath.Join(t.TempDir(), "img"), o)
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	m, s := md5.New(), sha1.New()
	for left := size; left > 0; {
		p := zeros[:min(left, int64(len(zeros)))]
		w.Write(p)
		m.Write(p)
		s.Write(p)
		left -= int64(len(p))
	}
	if err := w.Close(m.Sum(nil), s.Sum(nil)); err != nil {
		t.Fatal(err)
	}
	img, err := Open(w.Segments()[0])
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if len(img.tables) != 2 || len(img.tables[0].entries) != maxTableEntries {
		t.Fatalf("%d tables, want 2 with the first full", len(img.tables))
	}
	if res, err := img.Verify(context.Background(), nil); err != nil || !res.OK || res.MD5Check != HashMatch {
		t.Fatalf("Verify: %+v, %v", res, err)
	}
	if _, err := exec.LookPath("ewfverify"); err == nil {
		if out, err := exec.Command("ewfverify", "-q", w.Segments()[0]).CombinedOutput(); err != nil {
			t.Fatalf("ewfverify: %v\n%s", err, out)
		}
	}
}

// TestJSONFields pins the JSON field names, which are an API.
func TestJSONFields(t *testing.T) {
	for name, tt := range map[string]struct {
		v    any
		want string
	}{
		"Info": {Info{}, "case_number evidence_number examiner_name description notes software_version os " +
			"bytes_per_sector sector_count sectors_per_chunk chunk_count media_size compression media_type physical segments"},
		"VerifyResult": {VerifyResult{}, "ok chunks bad_chunk_count md5 sha1 md5_check sha1_check sums"},
		"State":        {State{}, "version fingerprint acquired_at system_at segment offset segment_chunks sectors_offset table chunks media_offset"},
		"ChunkError":   {ChunkError{}, "index offset problem"},
	} {
		b, err := json.Marshal(tt.v)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		json.Unmarshal(b, &m)
		for _, f := range strings.Fields(tt.want) {
			if _, ok := m[f]; !ok {
				t.Errorf("%s: no field %q in %s", name, f, b)
			}
			delete(m, f)
		}
		for f := range m {
			t.Errorf("%s: unexpected field %q", name, f)
		}
	}
}
