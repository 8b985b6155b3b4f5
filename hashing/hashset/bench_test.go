package hashset

import (
	"bufio"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// digestGen produces uniform pseudo-random digests, reproducibly from a
// seed, at several hundred million bytes a second.
type digestGen struct{ r *rand.PCG }

func newDigestGen(seed uint64) *digestGen {
	return &digestGen{rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)}
}

func (g *digestGen) fill(b []byte) {
	var w [8]byte
	for i := 0; i < len(b); i += 8 {
		binary.LittleEndian.PutUint64(w[:], g.r.Uint64())
		copy(b[i:], w[:])
	}
}

// benchN is the set size for benchmarks, from PANGOLIN_BENCH_HASHSET_N.
func benchN(b *testing.B) int {
	n := 1_000_000
	if v := os.Getenv("PANGOLIN_BENCH_HASHSET_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("PANGOLIN_BENCH_HASHSET_N=%q: want a positive number", v)
		}
	}
	return n
}

// peakRSS returns VmHWM and VmRSS from /proc/self/status in MiB, or false
// where that file does not exist.
func peakRSS() (hwm, rss float64, ok bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		switch k {
		case "VmHWM":
			hwm = kb / 1024
		case "VmRSS":
			rss = kb / 1024
		}
	}
	return hwm, rss, true
}

func BenchmarkImport(b *testing.B) {
	n := benchN(b)
	for b.Loop() {
		b.StopTimer()
		s, err := Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.ImportRecords(context.Background(), Info{Name: "gen", Kind: KnownGood}, randomRecords(hashing.SHA256, 1, n), nil); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
}

// BenchmarkLookup builds one SHA-256 set of PANGOLIN_BENCH_HASHSET_N
// digests and looks up digests of which half are in the set.
func BenchmarkLookup(b *testing.B) {
	n := benchN(b)
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	info, err := s.ImportRecords(context.Background(), Info{Name: "gen", Kind: KnownGood}, randomRecords(hashing.SHA256, 1, n), nil)
	if err != nil {
		b.Fatal(err)
	}
	built := time.Since(start)
	const q = 1 << 16
	queries := make([][]byte, q)
	hit, miss := newDigestGen(1), newDigestGen(2)
	for i := range queries {
		queries[i] = make([]byte, 32)
		if i%2 == 0 {
			hit.fill(queries[i])
		} else {
			miss.fill(queries[i])
		}
	}
	start = time.Now()
	if _, err := s.Lookup(hashing.SHA256, queries[0]); err != nil {
		b.Fatal(err)
	}
	loaded := time.Since(start)
	t := s.sets["gen"].tables[hashing.SHA256]
	index := 4*len(t.buckets) + 2*len(t.fps)
	fi, err := s.sets["gen"].files[0].Stat()
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	debug.FreeOSMemory()
	b.Logf("n=%d build=%v (%.0f hashes/s) file=%d bytes index load=%v index=%d bytes (%.2f bytes/hash)",
		info.Counts[hashing.SHA256], built, float64(n)/built.Seconds(), fi.Size(), loaded, index, float64(index)/float64(n))

	check := func(b *testing.B, hits int) {
		if b.N >= q && (hits < b.N/2-b.N/50 || hits > b.N/2+b.N/50) {
			b.Errorf("%d hits in %d lookups, want about half", hits, b.N)
		}
	}
	b.Run("serial", func(b *testing.B) {
		hits := 0
		for i := 0; b.Loop(); i++ {
			m, err := s.Lookup(hashing.SHA256, queries[i%q])
			if err != nil {
				b.Fatal(err)
			}
			if m != nil {
				hits++
			}
		}
		check(b, hits)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(q)
			for pb.Next() {
				if _, err := s.Lookup(hashing.SHA256, queries[i%q]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
	})
	b.Run("batch", func(b *testing.B) {
		hits := 0
		for done := 0; done < b.N; done += q {
			err := s.LookupBatch(context.Background(), hashing.SHA256, queries[:min(q, b.N-done)], func(int, []Match) error {
				hits++
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		check(b, hits)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
	})
	if hwm, rss, ok := peakRSS(); ok {
		runtime.GC()
		debug.FreeOSMemory()
		_, rss, _ = peakRSS()
		b.Logf("peak RSS (build included) %.0f MiB, RSS while looking up %.0f MiB", hwm, rss)
	}
}
