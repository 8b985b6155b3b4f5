// Package process is the processing pipeline: it walks every partition and
// file system of an exhibit's image (or the members of a logical
// collection), reads each file's content once, fans the bytes out to the
// consumers that learn from them (the hashes, the type sniffer, and later
// extractors), looks the hashes up in the known-file sets, opens archives
// found on the way as children, and stores every entry in the catalogue.
//
// # Pipeline
//
// One goroutine walks the file systems in order and numbers each entry
// (its walk position, the N of Ref "P/N"); workers, one per core, read
// entries' content and build catalogue rows; one goroutine writes rows to
// the catalogue in batched transactions. Memory does not grow with the
// number of files: entries are streamed, never collected.
//
// # Resuming
//
// An entry's row, and the rows of the archive members under it, are
// written before the entry counts as done: members first, the entry last.
// A run killed at any point (Ctrl-C, kill -9, power loss) leaves the
// catalogue with whole entries only; the next run skips the walk positions
// already catalogued and redoes the rest, replacing any member rows an
// unfinished archive left. File-system walks are deterministic, so the
// same image gives the same positions; a run refuses to resume when the
// source or the pangolin version differs from the interrupted one.
//
// # Left to others
//
// process never prints and does not write the custody ledger: cmd shows
// progress and records the run from the [Result]. It does not open
// images: the caller passes the image as an io.ReaderAt.
package process

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/pangolin-forensics/pangolin/catalog"
	extractors "github.com/pangolin-forensics/pangolin/extract/all"
	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/filesystem/all"
	"github.com/pangolin-forensics/pangolin/filesystem/archive"
	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/hashing/hashset"
)

// Image is the exhibit's content.
type Image interface {
	io.ReaderAt
	Size() int64
}

// Lookup answers which known-file sets hold a digest (a *hashset.Store).
// It must be safe for concurrent use.
type Lookup interface {
	Lookup(algo hashing.Algo, sum []byte) ([]hashset.Match, error)
}

// Options tune a run.
type Options struct {
	// Exhibit is the exhibit id the rows are filed under.
	Exhibit string
	// Source names the image or container (relative to the case folder)
	// and Identity pins its content ("SIZE SHA256"); both are kept in the
	// catalogue, and a run does not resume over a different Identity.
	Source, Identity string
	// Tool is the pangolin version; a run does not resume one started by
	// another version, whose walk may number entries differently.
	Tool string
	// Logical says the image is a logical collection (a tar container of
	// files, as acquire --logical writes) rather than a disk image.
	Logical bool
	// Again forgets what the catalogue holds of the exhibit and starts
	// over.
	Again bool
	// Workers reading content; 0 means one per core.
	Workers int
	// Batch is the number of rows a transaction commits (0 means 2000);
	// a transaction is also committed once a second, so that a crash
	// loses at most about a second of work.
	Batch int
	// MaxDepth bounds archive nesting: members of archives nested deeper
	// are listed as their archive's content only. 0 means 8.
	MaxDepth int
	// Limits hold each archive opened inside evidence; zero fields take
	// archive.DefaultLimits.
	Limits archive.Limits
	// Known, when set, is asked about every content hash.
	Known Lookup
	// Extract, when set, reads metadata, text and entities from every
	// file's content, and the files inside emails and mailboxes.
	Extract *extractors.Extractor
	// Now gives the time runs are stamped with; nil means time.Now.
	Now func() time.Time
	// Progress, when set, is called from one goroutine after each entry.
	Progress func(Progress)
}

// Progress is the state of a run.
type Progress struct {
	// Files and Bytes count entries walked and content bytes read, of
	// TotalFiles and TotalBytes found by a first quick walk; Resumed of
	// the Files were catalogued by an earlier run and skipped.
	Files, TotalFiles int64
	Bytes, TotalBytes int64
	Resumed           int64
	Errors            int64
	Partition         int
}

// progress is a run's Progress, shared with the counting walk.
type progress struct {
	mu sync.Mutex
	Progress
}

// count walks the volumes to set the totals.
func (p *progress) count(ctx context.Context, vols []*volume) {
	var files, bytes int64
	for _, v := range vols {
		if v.fs == nil {
			continue
		}
		if err := v.fs.Walk(ctx, func(e *filesystem.Entry) error {
			files++
			if e.Type == filesystem.File {
				bytes += e.Size
			}
			return nil
		}); err != nil {
			return // the run's own walk reports it
		}
	}
	p.mu.Lock()
	p.TotalFiles, p.TotalBytes = files, bytes
	p.mu.Unlock()
}

// Result is what a run did.
type Result struct {
	Run     catalog.Run      `json:"run"`
	Resumed bool             `json:"resumed"`
	Volumes []catalog.Volume `json:"volumes"`
	// State is the exhibit's catalogue after the run.
	State catalog.State `json:"state"`
}

// ErrChangedSource is returned when an interrupted run of the exhibit read
// a different source or was made by another pangolin version.
var ErrChangedSource = errors.New("cannot resume")

// Run processes one exhibit into db. Cancelling ctx stops the run with
// the catalogue consistent and resumable; the returned Result then has
// status "interrupted" along with the error.
func Run(ctx context.Context, db *catalog.DB, img Image, opts Options) (*Result, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = 8
	}
	res := &Result{}
	if opts.Again {
		if err := db.Forget(ctx, opts.Exhibit); err != nil {
			return nil, err
		}
	}
	prev, err := db.Exhibit(ctx, opts.Exhibit)
	switch {
	case errors.Is(err, catalog.ErrNoExhibit):
	case err != nil:
		return nil, err
	case prev.Identity != opts.Identity:
		return nil, fmt.Errorf("%w: exhibit %s was processed from %s (%s), not %s (%s): process it again from the start", ErrChangedSource, opts.Exhibit, prev.Source, prev.Identity, opts.Source, opts.Identity)
	case prev.Tool != opts.Tool:
		return nil, fmt.Errorf("%w: exhibit %s was processed by pangolin %s, this is %s: process it again from the start", ErrChangedSource, opts.Exhibit, prev.Tool, opts.Tool)
	default:
		res.Resumed = true
	}
	ex := catalog.Exhibit{ID: opts.Exhibit, Source: opts.Source, Identity: opts.Identity, Tool: opts.Tool, Status: catalog.StatusRunning}
	if err := db.SetExhibit(ctx, ex); err != nil {
		return nil, err
	}
	res.Run = catalog.Run{Exhibit: opts.Exhibit, Started: opts.Now(), Status: catalog.StatusRunning, Tool: opts.Tool}
	if res.Run.ID, err = db.StartRun(ctx, opts.Exhibit, opts.Tool, res.Run.Started); err != nil {
		return nil, err
	}

	runErr := run(ctx, db, img, opts, res)

	// Record the end even when ctx was cancelled.
	bg := context.WithoutCancel(ctx)
	res.Run.Finished = opts.Now()
	res.Run.Status = catalog.StatusDone
	if runErr != nil {
		res.Run.Status = catalog.StatusInterrupted
	}
	ex.Status = res.Run.Status
	if err := db.FinishRun(bg, res.Run); err != nil {
		return res, errors.Join(runErr, err)
	}
	if err := db.SetExhibit(bg, ex); err != nil {
		return res, errors.Join(runErr, err)
	}
	st, err := db.State(bg, opts.Exhibit)
	if err != nil {
		return res, errors.Join(runErr, err)
	}
	res.State = st
	return res, runErr
}

// volume is a partition with its file system open.
type volume struct {
	catalog.Volume
	fs filesystem.FS
}

func run(ctx context.Context, db *catalog.DB, img Image, opts Options, res *Result) error {
	vols, closeAll, err := openVolumes(img, opts)
	if err != nil {
		return err
	}
	defer closeAll()

	p := &progress{}
	if opts.Progress != nil {
		// Totals for the progress bar come from a quick walk that runs
		// beside the real one; until it ends they are unknown (0).
		go p.count(ctx, vols)
	}
	for _, v := range vols {
		if err := db.PutVolume(ctx, v.Volume); err != nil {
			return err
		}
	}
	if opts.Batch <= 0 {
		opts.Batch = 2000
	}
	w := db.NewWriter(opts.Batch)
	for _, v := range vols {
		if v.fs == nil {
			res.Volumes = append(res.Volumes, v.Volume)
			continue
		}
		p.mu.Lock()
		p.Partition = v.Partition
		p.mu.Unlock()
		if err := processVolume(ctx, w, db, v, opts, p, &res.Run); err != nil {
			return fmt.Errorf("partition %d: %w", v.Partition, err)
		}
		v.Anomalies = v.fs.Anomalies()
		if err := db.PutVolume(ctx, v.Volume); err != nil {
			return err
		}
		res.Volumes = append(res.Volumes, v.Volume)
	}
	return nil
}

// openVolumes finds the partitions of img and opens the file system in
// each; a logical collection is one volume, its tar container.
func openVolumes(img Image, opts Options) ([]*volume, func(), error) {
	var vols []*volume
	closeAll := func() {
		for _, v := range vols {
			if c, ok := v.fs.(io.Closer); ok {
				c.Close()
			}
		}
	}
	if opts.Logical {
		// The container is pangolin's own, verified against its manifest:
		// hold it to no member count or size.
		fs, err := archive.Open(img, img.Size(), archive.Limits{MaxMembers: 1 << 31, MaxTotal: 1 << 62, MaxRatio: 1 << 30, MaxMemory: archive.DefaultLimits.MaxMemory})
		if err != nil {
			return nil, nil, fmt.Errorf("logical container: %w", err)
		}
		vols = append(vols, &volume{Volume: catalog.Volume{Exhibit: opts.Exhibit, Scheme: "none", Length: img.Size(),
			Description: "logical collection", FS: fs.Type()}, fs: fs})
		return vols, closeAll, nil
	}
	opened, err := all.Volumes(img, img.Size())
	if err != nil {
		return nil, nil, err
	}
	for _, o := range opened {
		v := &volume{Volume: catalog.Volume{Exhibit: opts.Exhibit, Partition: o.Index, Scheme: o.Scheme, Start: o.Start,
			Length: o.Length, Type: o.Type, Description: o.Description, Name: o.Name}, fs: o.FS}
		if o.Err != nil {
			v.Error = o.Err.Error()
		} else {
			v.FS, v.Label = o.FS.Type(), o.FS.Label()
		}
		vols = append(vols, v)
	}
	return vols, closeAll, nil
}

// encoded is a walked entry's rows, ready for the catalogue: its archive
// members' first, its own last.
type encoded struct {
	top  *catalog.Artefact
	rows []catalog.Row
}

// job is one walked entry for a worker.
type job struct {
	ord   int64
	entry filesystem.Entry
}

// processVolume walks one file system, skipping what an earlier run
// catalogued, and writes a row for every entry.
func processVolume(ctx context.Context, w *catalog.Writer, db *catalog.DB, v *volume, opts Options, p *progress, run *catalog.Run) error {
	done, err := db.Done(ctx, opts.Exhibit, v.Partition)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	jobs := make(chan job, 4*opts.Workers)
	rows := make(chan encoded, 4096) // room for the rows made while a batch commits

	// Walk.
	go func() {
		defer close(jobs)
		var ord int64
		err := v.fs.Walk(ctx, func(e *filesystem.Entry) error {
			i := ord
			ord++
			if done.Has(i) {
				p.mu.Lock()
				p.Files++
				p.Resumed++
				if e.Type == filesystem.File {
					p.Bytes += e.Size
				}
				p.mu.Unlock()
				return nil
			}
			j := job{ord: i, entry: *e}
			j.entry.Extra = maps.Clone(e.Extra)
			select {
			case jobs <- j:
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		})
		if err != nil {
			cancel(err)
		}
	}()

	// Read.
	var openMu *sync.Mutex // serialises Open where the reader needs it
	if _, ok := v.fs.(*archive.FS); ok {
		openMu = new(sync.Mutex)
	}
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &reader{opts: opts}
			for j := range jobs {
				ref := strconv.Itoa(v.Partition) + "/" + strconv.FormatInt(j.ord, 10)
				a := newArtefact(opts.Exhibit, v.Partition, ref, "", 0, &j.entry)
				group, err := r.safeContent(ctx, a, &j.entry, v.fs, openMu)
				if err != nil {
					cancel(err)
					return
				}
				// Encoding here spares the single writer the work.
				enc := encoded{top: a, rows: make([]catalog.Row, len(group))}
				for i, g := range group {
					if enc.rows[i], err = catalog.NewRow(g); err != nil {
						cancel(err)
						return
					}
				}
				select {
				case rows <- enc:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(rows)
	}()

	// Write.
	// Rows that reached the writer are committed even when the run is
	// cancelled: they are whole entries, and the next run need not redo them.
	wctx := context.WithoutCancel(ctx)
	var werr error
	lastCommit := time.Now()
	for enc := range rows {
		if werr != nil {
			continue // drain
		}
		werr = w.PutRows(wctx, enc.rows...)
		if werr == nil && time.Since(lastCommit) > time.Second {
			werr, lastCommit = w.Flush(wctx), time.Now()
		}
		if werr != nil {
			cancel(werr)
			continue
		}
		top := enc.top
		run.Files++
		if top.SHA256 != "" {
			run.Bytes += top.Size
		}
		if top.Error != "" {
			run.Errors++
		}
		p.mu.Lock()
		p.Files++
		if top.SHA256 != "" {
			p.Bytes += top.Size
		}
		if top.Error != "" {
			p.Errors++
		}
		snap := p.Progress
		p.mu.Unlock()
		if opts.Progress != nil {
			opts.Progress(snap)
		}
	}
	if werr == nil {
		werr = w.Flush(wctx)
	}
	if werr != nil {
		return werr
	}
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

// newArtefact makes the row of a walked entry.
func newArtefact(exhibit string, partition int, ref, parent string, depth int, e *filesystem.Entry) *catalog.Artefact {
	return &catalog.Artefact{
		Exhibit: exhibit, Ref: ref, Parent: parent, Depth: depth, Partition: partition,
		Path: e.Path, Name: e.Name, Inode: e.Inode, Stream: e.Stream, Type: string(e.Type), Size: e.Size, Deleted: e.Deleted,
		Modified: e.Modified, Accessed: e.Accessed, Changed: e.Changed, Born: e.Born, Mode: e.Mode, Offset: e.Offset,
		Extra: e.Extra,
	}
}
