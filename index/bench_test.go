package index

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Benchmarks: run with
//
//	go test ./index/ -run '^$' -bench IndexAndSearch -benchtime 1x
//
// They index generated documents (about 2 KB of mixed-language text
// each), then time term and phrase queries. PANGOLIN_BENCH_DOCS sets the
// number of documents (100,000 by default); PANGOLIN_BENCH_MILLION=1 runs
// 1,000,000 (it takes a long time and some GB of disk).

// vocabulary is a synthetic lexicon of 100,000 words made of syllables;
// generated text draws from it with Zipf's law (a few words are very
// common, most are rare), as natural text does, so the index's
// dictionary grows as it would with real documents.
var vocabulary = func() []string {
	syl := strings.Fields("ka ki ku ma mi mo na ni no ta te to ra ri ro sa se si la le lo ba be bo da de do ga go pa pe po wa ya zi ng chi sha tho vu hai phong")
	rng := rand.New(rand.NewPCG(9, 9))
	words := make([]string, 100000)
	for i := range words {
		var b strings.Builder
		for range 2 + rng.IntN(3) {
			b.WriteString(syl[rng.IntN(len(syl))])
		}
		words[i] = b.String()
	}
	return words
}()

func benchText(rng *rand.Rand, size int) string {
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(vocabulary)-1))
	var b strings.Builder
	for b.Len() < size {
		switch rng.IntN(10) {
		case 0, 1, 2, 3:
			b.WriteString(sentences[rng.IntN(len(sentences))])
		case 4:
			b.WriteString("Order ")
			b.WriteString(strconv.Itoa(rng.IntN(100000)))
			b.WriteString(" shipped via container MSCU")
			b.WriteString(strconv.Itoa(1000000 + rng.IntN(9000000)))
			b.WriteString(", contact +2547")
			b.WriteString(strconv.Itoa(10000000 + rng.IntN(89999999)))
		default:
			for range 6 + rng.IntN(8) {
				b.WriteString(vocabulary[zipf.Uint64()])
				b.WriteByte(' ')
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func benchDocs(rng *rand.Rand, from, n int) ([]Doc, int) {
	docs := make([]Doc, n)
	total := 0
	for i := range docs {
		id := from + i
		text := benchText(rng, 1800+rng.IntN(400))
		total += len(text)
		docs[i] = Doc{
			Exhibit: fmt.Sprintf("EX-%03d", id%20), Ref: fmt.Sprintf("0/%d", id), Path: fmt.Sprintf("/data/user/%d/file%d.txt", id%97, id),
			Name: fmt.Sprintf("file%d.txt", id), Type: "file", MIME: []string{"text/plain", "application/pdf", "message/rfc822"}[id%3],
			Size: int64(len(text)), Modified: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(id) * time.Minute),
			Text: text,
		}
	}
	return docs, total
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// peakRSS returns the process's peak resident set in bytes (Linux), or 0.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func BenchmarkIndexAndSearch(b *testing.B) {
	n := 100000
	if s := os.Getenv("PANGOLIN_BENCH_DOCS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	if os.Getenv("PANGOLIN_BENCH_MILLION") == "1" {
		n = 1000000
	}
	for range b.N {
		benchIndexAndSearch(b, n)
	}
}

func benchIndexAndSearch(b *testing.B, n int) {
	ctx := context.Background()
	dir := filepath.Join(b.TempDir(), "index")
	ix, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { ix.Close() }()
	rng := rand.New(rand.NewPCG(1, 2))
	// Batches are generated ahead, 20 at a time (outside the clock), then
	// committed from two goroutines, as the pipeline does to use both
	// cores: one batch's segment is built while the other is analysed.
	const batch, ahead = 2000, 20
	var textBytes int
	var indexing time.Duration
	for from := 0; from < n; from += batch * ahead {
		var batches [][]Doc
		for f := from; f < min(n, from+batch*ahead); f += batch {
			docs, size := benchDocs(rng, f, min(batch, n-f))
			textBytes += size
			batches = append(batches, docs)
		}
		start := time.Now()
		work := make(chan []Doc)
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				var err error
				for docs := range work {
					bt := ix.NewBatch()
					for _, d := range docs {
						bt.Add(d)
					}
					if e := ix.Commit(ctx, bt); e != nil && err == nil {
						err = e
					}
				}
				errs <- err
			}()
		}
		for _, docs := range batches {
			work <- docs
		}
		close(work)
		for range 2 {
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
		indexing += time.Since(start)
		b.Logf("%d docs, %.2f MB/s", min(n, from+batch*ahead), float64(textBytes)/1e6/indexing.Seconds())
	}
	unmerged := dirSize(dir)
	start := time.Now()
	if err := ix.Compact(ctx); err != nil {
		b.Fatal(err)
	}
	compact := time.Since(start)
	// scorch removes the merged segments' files in the background.
	for range 30 {
		if n, _ := filepath.Glob(filepath.Join(dir, "store", "*.zap")); len(n) <= 1 {
			break
		}
		time.Sleep(time.Second)
	}
	ix.Close()
	ix, err = Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	size := dirSize(dir)
	b.Logf("index before Compact %.2fx the text; Compact took %v", float64(unmerged)/float64(textBytes), compact)
	b.ReportMetric(float64(textBytes)/1e6/indexing.Seconds(), "MB/s")
	b.ReportMetric(float64(n)/indexing.Seconds(), "docs/s")
	b.ReportMetric(float64(size)/float64(textBytes), "index/text")
	b.ReportMetric(float64(peakRSS())/(1<<20), "peakRSS-MiB")

	terms := []string{"ivory", "pangolim", "kakakuona", "象牙", "งาช้าง", "ngà", "rosewood", "budget", "zzzunknown", "container", "Dalbergia", "furniture"}
	phrases := []string{`"bois de rose"`, `"pembe za ndovu"`, `"ngà voi"`, `"sisik trenggiling"`, `"shark fins"`, `"quarterly budget"`, `"Hai Phong"`, `"via container"`, "穿山甲鳞片", "ไม้พะยูง"}
	for _, set := range []struct {
		name    string
		queries []string
	}{{"term", terms}, {"phrase", phrases}} {
		var lat []time.Duration
		per := map[string][]time.Duration{}
		for round := range 20 {
			for _, q := range set.queries {
				start := time.Now()
				r, err := ix.Search(ctx, Query{Text: q, Limit: 20})
				if err != nil {
					b.Fatal(err)
				}
				if round == 0 && r.Total == 0 && q != "zzzunknown" {
					b.Logf("%s: no hits", q)
				}
				lat = append(lat, time.Since(start))
				per[q] = append(per[q], time.Since(start))
			}
		}
		for _, q := range set.queries {
			slices.Sort(per[q])
			b.Logf("%s %s: median %v", set.name, q, per[q][len(per[q])/2])
		}
		slices.Sort(lat)
		p := func(f float64) float64 { return float64(lat[int(f*float64(len(lat)-1))].Microseconds()) / 1000 }
		b.ReportMetric(p(0.5), set.name+"-p50-ms")
		b.ReportMetric(p(0.95), set.name+"-p95-ms")
	}
	b.Logf("%d docs, %.0f MB text, index %.0f MB", n, float64(textBytes)/1e6, float64(size)/1e6)
}
