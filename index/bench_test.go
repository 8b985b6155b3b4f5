package index

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Benchmarks: run with
//
//	go test ./index/ -run '^$' -bench IndexAndSearch -benchtime 1x -v
//
// BenchmarkIndexAndSearch indexes generated documents (about 2 KB of
// mixed-language text each, by default) as the pipeline does (batches of
// [Batch.Full] size committed from two goroutines, under the soft memory
// limit of process.Index), compacts the index, then times term and
// phrase queries in four classes of document frequency.
// PANGOLIN_BENCH_DOCS sets the number of documents (100,000 by default);
// PANGOLIN_BENCH_MILLION=1 runs 1,000,000 (about 2 GB of text: it takes
// a while and a few GB of disk); PANGOLIN_BENCH_KB the mean size of a
// document's text in kilobytes (2 by default).
//
// It reports indexing throughput per second of wall time and per second
// of CPU time (user and system, all goroutines: the machine may be
// shared), peak resident memory, index size over text size, and query
// latencies (median and 95th percentile).

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

// benchLines is a pool of lines of 6 to 13 vocabulary words. Drawing
// whole lines from a pool keeps generation cheap (it runs on the clock,
// alongside indexing), and words that stand together in a line make
// phrases that recur across documents.
var benchLines = func() []string {
	rng := rand.New(rand.NewPCG(7, 7))
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(vocabulary)-1))
	lines := make([]string, 50000)
	for i := range lines {
		var b strings.Builder
		for k := range 6 + rng.IntN(8) {
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(vocabulary[zipf.Uint64()])
		}
		lines[i] = b.String()
	}
	return lines
}()

// benchText returns about size bytes of text: four lines in ten are
// sentences of the test collection (in nine languages and scripts), one
// an order line with numbers unique to the document (as real text has:
// references, phone numbers), the rest lines of vocabulary words.
func benchText(rng *rand.Rand, size int) string {
	var b strings.Builder
	b.Grow(size + 128)
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
			b.WriteString(benchLines[rng.IntN(len(benchLines))])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// benchDocSize is the mean size of a generated document's text, in
// bytes: 2,000, or PANGOLIN_BENCH_KB kilobytes.
var benchDocSize = func() int {
	if kb, err := strconv.Atoi(os.Getenv("PANGOLIN_BENCH_KB")); err == nil && kb > 0 {
		return kb * 1000
	}
	return 2000
}()

func benchDocs(rng *rand.Rand, from, n int) ([]Doc, int) {
	docs := make([]Doc, n)
	total := 0
	for i := range docs {
		id := from + i
		text := benchText(rng, benchDocSize*9/10+rng.IntN(benchDocSize/5))
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

// memStatus returns fields of /proc/self/status in bytes (Linux; empty
// elsewhere): VmHWM is the peak resident set, RssAnon the resident
// memory that is not a mapped file (the index's segments are mapped, and
// their pages count in VmRSS while they are in the page cache).
func memStatus() map[string]int64 {
	m := map[string]int64{}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err == nil {
				m[strings.TrimSuffix(f[0], ":")] = kb << 10
			}
		}
	}
	return m
}

// peakAnon samples RssAnon every 50 ms until stop is called, which
// returns the highest value seen.
func peakAnon() (stop func() int64) {
	done := make(chan struct{})
	var peak int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, memStatus()["RssAnon"])
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		wg.Wait()
		return peak
	}
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
	// The soft memory limit process.Index sets (GOMEMLIMIT=off runs
	// without one).
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(384 << 20))
	}
	dir := filepath.Join(b.TempDir(), "index")
	ix, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { ix.Close() }()
	stopAnon := peakAnon()

	// One goroutine generates documents into batches while one per core
	// commits them, as process.Index does; generation costs about 1% of
	// the time.
	var textBytes int
	start, cpu0 := time.Now(), cpuTime()
	batches := make(chan *Batch)
	errs := make(chan error, 2)
	var committed int
	var mu sync.Mutex
	for range 2 {
		go func() {
			var err error
			for bt := range batches {
				docs := bt.Len()
				if e := ix.Commit(ctx, bt); e != nil && err == nil {
					err = e
				}
				mu.Lock()
				committed += docs
				if committed%100000 < docs {
					b.Logf("%d docs committed after %v", committed, time.Since(start).Round(time.Second))
				}
				mu.Unlock()
			}
			errs <- err
		}()
	}
	rng := rand.New(rand.NewPCG(1, 2))
	bt := ix.NewBatch()
	for from := 0; from < n; from += 1000 {
		docs, size := benchDocs(rng, from, min(1000, n-from))
		textBytes += size
		for _, d := range docs {
			bt.Add(d)
			if bt.Full() {
				batches <- bt
				bt = ix.NewBatch()
			}
		}
	}
	if bt.Len() > 0 {
		batches <- bt
	}
	close(batches)
	for range 2 {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	wall, cpu := time.Since(start), cpuTime()-cpu0
	unmerged := dirSize(dir)
	start, cpu0 = time.Now(), cpuTime()
	if err := ix.Compact(ctx); err != nil {
		b.Fatal(err)
	}
	compactWall, compactCPU := time.Since(start), cpuTime()-cpu0
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
	mb := float64(textBytes) / 1e6
	b.Logf("indexed %d docs, %.0f MB of text, in %v (CPU %v): %.2f MB/s, %.2f MB per CPU second, %.0f docs/s",
		n, mb, wall.Round(time.Millisecond), cpu.Round(time.Millisecond), mb/wall.Seconds(), mb/cpu.Seconds(), float64(n)/wall.Seconds())
	b.Logf("Compact took %v (CPU %v); index %.0f MB: %.2fx the text (%.2fx before Compact)",
		compactWall.Round(time.Millisecond), compactCPU.Round(time.Millisecond), float64(size)/1e6, float64(size)/float64(textBytes), float64(unmerged)/float64(textBytes))
	b.ReportMetric(mb/wall.Seconds(), "MB/s")
	b.ReportMetric(mb/cpu.Seconds(), "MB/cpu-s")
	b.ReportMetric(float64(n)/wall.Seconds(), "docs/s")
	b.ReportMetric(float64(size)/float64(textBytes), "index/text")

	for _, set := range benchQueries(b, ix, n) {
		var all []time.Duration
		for _, class := range set.classes {
			var lat []time.Duration
			for round := range 10 {
				for _, q := range class.queries {
					start := time.Now()
					if _, err := ix.Search(ctx, Query{Text: q, Limit: 20}); err != nil {
						b.Fatal(err)
					}
					d := time.Since(start)
					if round > 0 { // the first round reads the index from disk
						lat = append(lat, d)
					}
				}
			}
			all = append(all, lat...)
			b.Logf("%s %s (%s): p50 %.1f ms, p95 %.1f ms: %s", set.name, class.name, class.note,
				percentile(lat, 0.5), percentile(lat, 0.95), strings.Join(class.queries, ", "))
			b.ReportMetric(percentile(lat, 0.95), set.name+"-"+class.name+"-p95-ms")
		}
		b.ReportMetric(percentile(all, 0.5), set.name+"-p50-ms")
		b.ReportMetric(percentile(all, 0.95), set.name+"-p95-ms")
	}
	hwm := memStatus()["VmHWM"]
	anon := stopAnon()
	b.Logf("peak RSS %.0f MiB, of which at most %.0f MiB not file-backed", float64(hwm)/(1<<20), float64(anon)/(1<<20))
	b.ReportMetric(float64(hwm)/(1<<20), "peakRSS-MiB")
	b.ReportMetric(float64(anon)/(1<<20), "peakAnon-MiB")
}

// percentile returns the q-quantile of ds in milliseconds.
func percentile(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[int(q*float64(len(s)-1))].Microseconds()) / 1000
}

type queryClass struct {
	name, note string
	queries    []string
}

type querySet struct {
	name    string
	classes []queryClass
}

// benchQueries returns the queries to time: words and phrases of the
// generated text in four classes of document frequency (rare: in under
// 0.1% of the documents; medium: under 5%; common: under 50%; very
// common, as stop words are: more), spread over each class, and words
// and phrases of the test collection in several languages and scripts.
func benchQueries(b *testing.B, ix *Index, n int) []querySet {
	ctx := context.Background()
	df := func(q string) float64 {
		r, err := ix.Search(ctx, Query{Text: q, Limit: 1})
		if err != nil {
			b.Fatal(err)
		}
		return float64(r.Total) / float64(n)
	}
	classify := func(candidates []string, per int) []queryClass {
		classes := []queryClass{
			{name: "rare", note: "in under 0.1% of documents"},
			{name: "medium", note: "in 0.1% to 5%"},
			{name: "common", note: "in 5% to 50%"},
			{name: "verycommon", note: "in over 50%"},
		}
		type scored struct {
			q  string
			df float64
		}
		in := make([][]scored, len(classes))
		seen := map[string]bool{}
		for _, q := range candidates {
			f := df(q)
			if f == 0 || seen[q] {
				continue
			}
			seen[q] = true
			c := 3
			switch {
			case f < 0.001:
				c = 0
			case f < 0.05:
				c = 1
			case f < 0.5:
				c = 2
			}
			in[c] = append(in[c], scored{q, f})
		}
		for c := range classes {
			slices.SortFunc(in[c], func(x, y scored) int { return cmp.Compare(x.df, y.df) })
			// per queries spread evenly over the class, by frequency.
			m := len(in[c])
			k := min(per, m)
			for j := range k {
				i := 0
				if k > 1 {
					i = j * (m - 1) / (k - 1)
				}
				classes[c].queries = append(classes[c].queries, in[c][i].q)
			}
		}
		return classes
	}
	// Words of every rank, from the most common down.
	var words []string
	for r := 1; r < len(vocabulary); r = r*9/8 + 1 {
		words = append(words, vocabulary[r])
	}
	// Phrases of two and three words that stand together in generated
	// lines, and in sentences.
	rng := rand.New(rand.NewPCG(3, 4))
	var phrases []string
	for range 600 {
		f := strings.Fields(benchLines[rng.IntN(len(benchLines))])
		k := 2 + rng.IntN(2)
		i := rng.IntN(len(f) - k + 1)
		phrases = append(phrases, `"`+strings.Join(f[i:i+k], " ")+`"`)
	}
	phrases = append(phrases, `"shark fins"`, `"quarterly budget"`, `"via container"`, `"bush meat"`, `"three tonnes of ivory"`)
	return []querySet{
		{"term", classify(words, 8)},
		{"phrase", classify(phrases, 8)},
		{"named", []queryClass{
			{name: "term", note: "words of the test collection",
				queries: []string{"ivory", "pangolim", "kakakuona", "象牙", "งาช้าง", "ngà", "rosewood", "budget", "zzzunknown", "container", "Dalbergia", "furniture"}},
			{name: "phrase", note: "phrases of the test collection",
				queries: []string{`"bois de rose"`, `"pembe za ndovu"`, `"ngà voi"`, `"sisik trenggiling"`, `"shark fins"`, `"quarterly budget"`, `"Hai Phong"`, `"via container"`, "穿山甲鳞片", "ไม้พะยูง"}},
		}},
	}
}

// BenchmarkDetectLanguage times language detection on generated texts.
func BenchmarkDetectLanguage(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	texts := make([]string, 100)
	for i := range texts {
		texts[i] = benchText(rng, 2000)
	}
	b.SetBytes(detectBytes)
	for i := 0; b.Loop(); i++ {
		DetectLanguage(texts[i%len(texts)])
	}
}
