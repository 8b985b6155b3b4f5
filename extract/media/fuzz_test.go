package media

import (
	"bytes"
	"errors"
	"math"
	"runtime/metrics"
	"testing"

	"github.com/pangolin-forensics/pangolin/extract"
)

// allocated returns the bytes allocated on the heap while f runs (by any
// goroutine, so a slight overestimate). It reads runtime/metrics, which
// unlike runtime.ReadMemStats does not stop the world, so that the fuzzer
// can afford it on every input.
func allocated(f func()) uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	before := s[0].Value.Uint64()
	f()
	metrics.Read(s)
	return s[0].Value.Uint64() - before
}

// allocBound is the most Video may allocate for an input of n bytes: a
// fixed allowance plus a multiple of the input (box headers, fields), never
// anything sized by a length field alone.
func allocBound(n int) uint64 { return 1<<20 + 256*uint64(n) }

// FuzzVideo requires that Video never panics, returns nil metadata with
// every error and a FormatError wrapping a sentinel for every structural
// problem, reports positions only in range, and allocates within
// allocBound.
func FuzzVideo(f *testing.F) {
	for _, tc := range videoCases() {
		f.Add(tc.file)
	}
	f.Add(cat(ftyp("mp42"), bx("moov", rawBox(4, "mvhd"))))
	f.Add(cat(ftyp("mp42"), bx("moov", rawBox(64, "udta", make([]byte, 8)))))
	f.Add(cat(ftyp("mp42"), rawBox(0, "moov", rawBox(0, "udta", rawBox(0, "\xa9xyz", itext("+1+2/"))))))
	f.Add(cat(ftyp("mp42"), bx("moov", deep(20))))
	f.Add(cat(ftyp("mp42"), u32(1), []byte("moov"), u64(math.MaxUint64)))
	f.Add(cat(ftyp("qt  "), bx("moov", bx("meta", hdlr("mdta"), bx("keys", u32(0), u32(math.MaxUint32)), bx("ilst", rawItem(1, text("x")))))))
	f.Fuzz(func(t *testing.T, b []byte) {
		var md any
		var err error
		n := allocated(func() {
			m, e := Video(bytes.NewReader(b), int64(len(b)))
			if m != nil {
				md = m
				if m.Format != "quicktime" {
					t.Errorf("Format = %q", m.Format)
				}
				if g := m.GPS; g != nil && (math.Abs(g.Latitude) > 90 || math.Abs(g.Longitude) > 180) {
					t.Errorf("GPS out of range: %+v", *g)
				}
			}
			err = e
		})
		if err != nil {
			if md != nil {
				t.Errorf("metadata returned with error %v", err)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("error %T is not a *FormatError: %v", err, err)
			}
			if !errors.Is(err, ErrNotMedia) && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrMalformed) {
				t.Errorf("error wraps no sentinel: %v", err)
			}
		}
		if limit := allocBound(len(b)); n > limit {
			t.Errorf("allocated %d bytes for a %d-byte input (limit %d)", n, len(b), limit)
		}
	})
}

// zeroReader is a file of the given bytes followed by zeros up to any size,
// that fails the test when a read touches a forbidden range.
type zeroReader struct {
	t          *testing.T
	head       []byte
	from, upTo int64 // forbidden range
}

func (r zeroReader) ReadAt(p []byte, off int64) (int, error) {
	if off < r.upTo && off+int64(len(p)) > r.from {
		r.t.Errorf("read of %d bytes at %d touches the sample data [%d, %d)", len(p), off, r.from, r.upTo)
	}
	clear(p)
	if off < int64(len(r.head)) {
		copy(p, r.head[off:])
	}
	return len(p), nil
}

// TestNoAllocationFromSizes gives Video boxes whose declared sizes are
// huge but inside a (claimed) huge file: Video must skip them with a
// warning without allocating their size, and must not read the mdat at
// all.
func TestNoAllocationFromSizes(t *testing.T) {
	const fileSize = 1 << 40
	moov := cat(
		rawBox(0x7FFFFFF0, "moov",
			mvhd0(qt(shot), qt(shot), 1000, 1000),
			rawBox(0x7FFFFF00, "udta",
				rawBox(0x7FFFF000, "\xa9xyz", itext("+1+2/")))))
	tests := []struct {
		name  string
		head  []byte
		warn  bool
		guard bool // fail on reads past head
	}{
		{"2 GiB text atom", cat(ftyp("mp42"), moov), true, false},
		{"4 GiB keys box", cat(ftyp("qt  "), rawBox(0xFFFFFFF0, "moov", bx("meta", hdlr("mdta")), rawBox(0xFFFF0000, "meta", rawBox(0xFFF00000, "keys")))), true, false},
		{"1 TiB mdat skipped", cat(ftyp("mp42"), bx("moov", mvhd0(qt(shot), qt(shot), 1000, 1000)), u32(1), []byte("mdat"), u64(fileSize-uint64(len(ftyp("mp42")))-116)), false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := zeroReader{t: t, head: tc.head}
			if tc.guard {
				r.from, r.upTo = int64(len(tc.head)), fileSize
			}
			var err error
			var md *extract.Metadata
			n := allocated(func() { md, err = Video(r, fileSize) })
			if err != nil {
				t.Fatalf("Video: %v", err)
			}
			if _, warned := fieldValue(md, "Warning"); warned != tc.warn {
				t.Errorf("warning given: %v; want %v (fields %v)", warned, tc.warn, md.Fields)
			}
			if n > 1<<20 {
				t.Errorf("allocated %d bytes", n)
			}
		})
	}
}

var sink []byte

// TestAllocatedMeasures makes sure the allocation check of FuzzVideo and
// TestNoAllocationFromSizes would see a payload-sized allocation.
func TestAllocatedMeasures(t *testing.T) {
	if n := allocated(func() { sink = make([]byte, 4<<20) }); n < 4<<20 {
		t.Errorf("allocated = %d after a 4 MiB allocation", n)
	}
	sink = nil
}
