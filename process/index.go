package process

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/index"
)

// IndexProgress counts the documents an Index run added.
type IndexProgress struct {
	Exhibit string
	Docs    int64
}

// Index brings the search index up to date with the exhibit's catalogue:
// when the index does not hold the exhibit's last processing run, every
// artefact of the exhibit is (re)indexed from the catalogue (text,
// metadata, entities, tags: evidence is not read again), in batches, and
// the run is recorded as indexed. Documents replace those with the same
// id, so a run killed part-way is completed by the next. It returns the
// number of documents indexed (0 when the index was up to date).
func Index(ctx context.Context, db *catalog.DB, ix *index.Index, exhibit string, progress func(IndexProgress)) (int64, error) {
	run, err := db.LastRun(ctx, exhibit)
	if err != nil {
		return 0, err
	}
	if done, err := db.IndexedRun(ctx, exhibit); err != nil || (done == run && run != 0) {
		return 0, err
	}
	// Batches are committed from two goroutines: bleve analyses a batch
	// on every core, then builds its segment in the goroutine that
	// commits it, so a second commit keeps the cores busy meanwhile.
	// Each commit in progress holds some 75 MiB (see index.Batch.Full).
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	batches := make(chan *index.Batch)
	var wg sync.WaitGroup
	var done atomic.Int64
	for range min(runtime.GOMAXPROCS(0), 2) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				if err := ix.Commit(ctx, b); err != nil {
					cancel(err)
					continue
				}
				n := done.Add(int64(b.Len()))
				if progress != nil {
					progress(IndexProgress{exhibit, n})
				}
			}
		}()
	}
	var n int64
	b := ix.NewBatch()
	err = func() error {
		defer close(batches)
		for x, err := range db.Indexables(ctx, exhibit, "") {
			if err != nil {
				return err
			}
			if err := b.Add(Doc(x)); err != nil {
				return fmt.Errorf("index %s/%s: %w", x.Exhibit, x.Ref, err)
			}
			n++
			if b.Full() {
				select {
				case batches <- b:
				case <-ctx.Done():
					return context.Cause(ctx)
				}
				b = ix.NewBatch()
			}
		}
		if b.Len() > 0 {
			batches <- b
		}
		return nil
	}()
	wg.Wait()
	if err == nil {
		err = context.Cause(ctx)
	}
	if err != nil {
		return done.Load(), err
	}
	return n, db.SetIndexed(ctx, exhibit, run, n)
}

// Doc is the index document of a catalogued artefact.
func Doc(x *catalog.Indexable) index.Doc {
	d := index.Doc{Exhibit: x.Exhibit, Ref: x.Ref, Path: x.Path, Name: x.Name, Type: x.Type, MIME: x.MIME, Size: x.Size,
		Modified: x.Modified, SHA256: x.SHA256, MD5: x.MD5, Known: x.Known, Text: x.Text, Entities: x.Entities,
		Tags: x.Tags, Deleted: x.Deleted}
	for _, m := range x.Meta {
		if d.Created.IsZero() {
			d.Created = m.Created
		}
		if d.Make == "" {
			d.Make, d.Model = m.Make, m.Model
		}
		if d.Author == "" {
			d.Author = m.Author
		}
		if d.GPS == nil {
			d.GPS = m.GPS
		}
	}
	return d
}
