package caseuco

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/extract"
)

// countWriter counts the bytes and lines written to it.
type countWriter struct{ bytes, lines int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.bytes += int64(len(p))
	c.lines += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

// TestStreaming writes many generated artefacts, with metadata for every
// tenth, and checks that the heap does not grow with their number.
func TestStreaming(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	sha := strings.Repeat("ab", 32)
	heap := map[int]uint64{}
	measure := func(i int) {
		if i == n/10 || i == n-1 {
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			heap[i] = m.HeapAlloc
		}
	}
	artefacts := func(yield func(*catalog.Artefact, error) bool) {
		for i := range n {
			measure(i)
			a := &catalog.Artefact{Exhibit: "EX-001", Ref: "0/" + strconv.Itoa(i), Path: "/DCIM/IMG_" + strconv.Itoa(i) + ".jpg",
				Name: "IMG_" + strconv.Itoa(i) + ".jpg", Type: "file", Size: int64(i), MIME: "image/jpeg", SHA256: sha,
				Modified: time.Unix(int64(i), 0).UTC()}
			if !yield(a, nil) {
				return
			}
		}
	}
	metadata := func(yield func(*catalog.Extracted, error) bool) {
		for i := 0; i < n; i += 10 {
			x := &catalog.Extracted{Exhibit: "EX-001", Ref: "0/" + strconv.Itoa(i), Metadata: extract.Metadata{
				Format: "exif", Make: "Canon", GPS: &extract.GPS{Latitude: float64(i) / 1e6, Longitude: 36.8}}}
			if !yield(x, nil) {
				return
			}
		}
	}
	var out countWriter
	start := time.Now()
	if err := Write(context.Background(), &out, Input{Case: catalog.Info{ID: "BIG"}, Artefacts: artefacts, Metadata: metadata}); err != nil {
		t.Fatal(err)
	}
	// Per artefact a file and a relationship; per tenth also a make, a
	// camera, a location and a creation; then exhibit, image, provenance,
	// investigation, and the lines of the document's frame.
	if want := int64(2*n + 4*n/10 + 4 + 3); out.lines != want {
		t.Errorf("%d lines, want %d", out.lines, want)
	}
	growth := int64(heap[n-1]) - int64(heap[n/10])
	t.Logf("%d artefacts: %d MB in %v; heap %d kB after %d artefacts, %+d kB after %d",
		n, out.bytes>>20, time.Since(start).Round(time.Millisecond), heap[n/10]>>10, n/10, growth>>10, n)
	if growth > 4<<20 {
		t.Errorf("heap grew by %d kB between artefact %d and %d", growth>>10, n/10, n)
	}
}

// TestLedgerLines checks against a ledger written by package chain that
// each action's ledger-entry hash is the SHA-256 of the line on disk.
func TestLedgerLines(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := day("2026-03-01T08:00:00Z")
	id, err := chain.NewIdentity("KWS-042", "Amina Odhiambo", "Kenya Wildlife Service", now)
	if err != nil {
		t.Fatal(err)
	}
	l, err := chain.Open(dir, "OP-THUNDER")
	if err != nil {
		t.Fatal(err)
	}
	l.Now = func() time.Time { now = now.Add(time.Minute); return now }
	for _, e := range []chain.Entry{
		{Action: chain.ActionCaseInit, Attrs: map[string]string{"case_id": "OP-THUNDER"}},
		{Action: "acquire", Exhibit: "EX-001", Inputs: []chain.Ref{{Path: "/dev/sdb", Size: 512, SHA256: strings.Repeat("ab", 32)}},
			Outputs: []chain.Ref{{Path: "evidence/EX-001/EX-001.E01", Size: 300, SHA256: strings.Repeat("cd", 32)}}},
		{Action: chain.ActionNote, Exhibit: "EX-001", Note: hostileNote},
		{Action: chain.ActionTransfer, Exhibit: "EX-001", Attrs: map[string]string{"to": "ER-7", "location": "Mombasa"}},
	} {
		if _, _, err := l.Append(ctx, id, e); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, chain.LedgerFile))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, chain.MaxLineSize)
	for sc.Scan() {
		want = append(want, chain.LineHash(sc.Bytes()))
	}

	out := write(t, Input{Case: catalog.Info{ID: "OP-THUNDER"}, Entries: l.Entries(ctx)})
	g := check(t, out)
	actions := g.ofType("case-investigation:InvestigativeAction")
	if len(actions) != len(want) {
		t.Fatalf("%d actions for %d ledger lines", len(actions), len(want))
	}
	for _, a := range actions {
		seq, _ := strconv.Atoi(g.nodes[ids(a["uco-core:externalReference"])[0]]["uco-core:externalIdentifier"].(string))
		line := g.nodes[ids(a["case-investigation:wasDerivedFrom"])[0]]
		hash := g.nodes[ids(g.facet(line, "uco-observable:ContentDataFacet")["uco-observable:hash"])[0]]
		if got := hash["uco-types:hashValue"].(map[string]any)["@value"]; got != want[seq-1] {
			t.Errorf("entry %d: hash %v, the ledger line's is %s", seq, got, want[seq-1])
		}
		if sig := g.facet(line, "uco-observable:DigitalSignatureInfoFacet"); sig["uco-observable:signatureVerified"] != true {
			t.Errorf("entry %d: signature not verified", seq)
		}
	}
}
