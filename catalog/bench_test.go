package catalog

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkWriter measures catalogue inserts: rows shaped like an ext4
// file's (times, hashes, the reader's extra facts), 20,000 a run.
func BenchmarkWriter(b *testing.B) {
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)
	const n = 20000
	arts := make([]*Artefact, n)
	for i := range arts {
		arts[i] = &Artefact{Exhibit: "EX-001", Ref: fmt.Sprintf("0/%d", i), Path: fmt.Sprintf("/d%03d/f%05d.bin", i/100, i),
			Name: fmt.Sprintf("f%05d.bin", i), Inode: uint64(i + 12), Type: "file", Size: 2048, Modified: t0, Accessed: t0, Changed: t0, Born: t0,
			Mode: 0o644, Offset: int64(i) * 256, MIME: "image/jpeg", MD5: strings.Repeat("a", 32), SHA1: strings.Repeat("b", 40),
			SHA256: fmt.Sprintf("%064x", i), Extra: map[string]string{"uid": "0", "gid": "0", "links": "1"}}
	}
	for b.Loop() {
		b.StopTimer()
		db, err := OpenDB(context.Background(), filepath.Join(b.TempDir(), DBFile))
		if err != nil {
			b.Fatal(err)
		}
		w := db.NewWriter(2000)
		b.StartTimer()
		for _, a := range arts {
			if err := w.Put(context.Background(), a); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/row")
}
