package process

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/pangolin-forensics/pangolin/catalog"
	extractors "github.com/pangolin-forensics/pangolin/extract/all"
	"github.com/pangolin-forensics/pangolin/index"
)

// TestIndex processes 4,500 texts and indexes them from the catalogue in
// several batches committed in parallel; every document is found, and a
// second call has nothing to do.
func TestIndex(t *testing.T) {
	files := map[string]string{}
	for i := range 4500 {
		files[fmt.Sprintf("notes/n%04d.txt", i)] = fmt.Sprintf("note %d: rosewood shipment number w%dx", i, i)
	}
	img := tarOf(t, files)
	dir := t.TempDir()
	db := openDB(t, filepath.Join(dir, catalog.DBFile))
	x := extractors.New(extractors.Options{Text: true})
	defer x.Close()
	if _, err := Run(context.Background(), db, memImage{bytes.NewReader(img)}, Options{Exhibit: "EX-1", Identity: "x", Tool: "test", Logical: true, Extract: x}); err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(filepath.Join(dir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	n, err := Index(context.Background(), db, ix, "EX-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	count, err := ix.Count()
	if err != nil || n < 4500 || count != uint64(n) {
		t.Fatalf("indexed %d, index holds %d, %v", n, count, err)
	}
	for _, q := range []string{"w17x", "w4499x", "rosewood"} {
		res, err := ix.Search(context.Background(), index.Query{Text: q})
		if err != nil || res.Total == 0 {
			t.Errorf("search %q: %v, %v", q, res, err)
		}
	}
	if again, err := Index(context.Background(), db, ix, "EX-1", nil); err != nil || again != 0 {
		t.Errorf("second Index: %d, %v", again, err)
	}
}
