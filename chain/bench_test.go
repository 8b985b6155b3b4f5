package chain

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// benchLedger builds (once per process) a ledger of n entries by one
// examiner, without fsync, in the system temp folder.
var benchLedgers = map[int]*testLedger{}

func benchLedger(b *testing.B, n int) *testLedger {
	if tl, ok := benchLedgers[n]; ok {
		return tl
	}
	dir, err := os.MkdirTemp("", "pangolin-bench-ledger")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {})
	a := newIdentity(b, "JD-123", "Jane Doe")
	l, err := Open(filepath.Join(dir, "custody"), "OP-THUNDER")
	if err != nil {
		b.Fatal(err)
	}
	l.noSync = true
	ctx := context.Background()
	for i := range n {
		e := Entry{Action: ActionNote, Exhibit: "EX-001", Note: "examined seal and packaging, photographs taken " + strconv.Itoa(i),
			Inputs: []Ref{{Path: "evidence/EX-001/image.E01", Size: 64 << 30, SHA256: fmt.Sprintf("%064x", i)}}}
		if i == 0 {
			e = Entry{Action: ActionCaseInit}
		}
		if _, _, err := l.Append(ctx, a, e); err != nil {
			b.Fatal(err)
		}
	}
	tl := &testLedger{Ledger: l, dir: l.dir, a: a}
	benchLedgers[n] = tl
	return tl
}

// BenchmarkVerify measures a full verification (every signature, the hash
// chain, the Merkle tree and every checkpoint) of a 100,000-entry ledger.
func BenchmarkVerify(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			tl := benchLedger(b, n)
			fi, _ := os.Stat(tl.Path())
			b.SetBytes(fi.Size())
			b.ResetTimer()
			for b.Loop() {
				rep, err := tl.Verify(context.Background(), VerifyOptions{Roster: []Actor{tl.a.Actor}})
				if err != nil || !rep.OK {
					b.Fatalf("verify: %v %v", err, rep.Problems)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e9, "s/verify")
		})
	}
}

// BenchmarkAppend measures one durable append (entry and checkpoint, both
// fsynced) to a ledger that already holds 100,000 entries.
func BenchmarkAppend(b *testing.B) {
	tl := benchLedger(b, 100000)
	tl.noSync = false
	defer func() { tl.noSync = true }()
	ctx := context.Background()
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, _, err := tl.Append(ctx, tl.a, Entry{Action: ActionNote, Note: "bench"}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "ms-p95")
}

var benchSizes = []int{1000, 100000}
