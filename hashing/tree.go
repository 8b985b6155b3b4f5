package hashing

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/pangolin-forensics/pangolin/evidence"
)

// ErrIsDir is the error recorded for a folder named without Recursive.
var ErrIsDir = errors.New("is a folder (hash its files with recursion)")

// TreeOptions configures [HashTree].
type TreeOptions struct {
	Algos []Algo
	// Recursive hashes every regular file below named folders. Symbolic
	// links, devices and other special files met on the way are not
	// followed or read; named explicitly, a device is hashed.
	Recursive bool
	// Jobs is how many files are hashed at once; 0 means one per core.
	Jobs int
	// Progress, when set, is called from the caller's goroutine after each
	// file with the running totals.
	Progress func(p Progress)
}

// Progress counts the work done so far.
type Progress struct {
	Files  int64 `json:"files"`
	Bytes  int64 `json:"bytes"`
	Errors int64 `json:"errors"`
}

// HashTree hashes the named files, and with Recursive the files below
// named folders, several at a time, and calls fn with each result in walk
// order (the order of paths, then lexical order inside each folder), so
// that the output is the same from run to run. A file that cannot be read
// gives a FileHash with Err set; the walk goes on. HashTree stops at the
// first error fn returns, or when ctx ends.
func HashTree(ctx context.Context, paths []string, opts TreeOptions, fn func(FileHash) error) error {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Each walked file gets a slot; workers fill the slot and the caller's
	// goroutine drains slots in order. window bounds the slots in flight.
	type slot struct {
		path string
		done chan FileHash
	}
	window := make(chan *slot, jobs*64)
	work := make(chan *slot)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range work {
				s.done <- HashFile(ctx, s.path, opts.Algos...)
			}
		}()
	}
	var walkErr atomic.Pointer[error]
	go func() {
		defer close(window)
		defer close(work)
		emit := func(path string, err error) bool {
			s := &slot{path: path, done: make(chan FileHash, 1)}
			select {
			case window <- s:
			case <-ctx.Done():
				return false
			}
			if err != nil {
				s.done <- FileHash{Path: path, Err: err}
				return true
			}
			select {
			case work <- s:
				return true
			case <-ctx.Done():
				s.done <- FileHash{Path: path, Err: ctx.Err()}
				return false
			}
		}
		for _, root := range paths {
			if err := walk(ctx, root, opts.Recursive, emit); err != nil {
				walkErr.Store(&err)
				return
			}
		}
	}()

	var p Progress
	var fnErr error
	for s := range window {
		fh := <-s.done
		if fnErr != nil {
			continue
		}
		p.Files++
		p.Bytes += fh.Size
		if fh.Err != nil {
			p.Errors++
		}
		if fnErr = fn(fh); fnErr != nil {
			cancel()
			continue
		}
		if opts.Progress != nil {
			opts.Progress(p)
		}
	}
	wg.Wait()
	switch {
	case fnErr != nil:
		return fnErr
	case walkErr.Load() != nil:
		return *walkErr.Load()
	}
	return ctx.Err()
}

// walk calls emit for root and, with recursive, each regular file below it.
// Errors reading a folder are emitted as results, not returned; walk
// returns only when emit asks it to stop.
func walk(ctx context.Context, root string, recursive bool, emit func(string, error) bool) error {
	fi, err := os.Stat(root)
	switch {
	case err != nil:
		emit(root, err)
		return nil
	case !fi.IsDir():
		emit(root, nil)
		return nil
	case !recursive:
		emit(root, fmt.Errorf("%s: %w", root, ErrIsDir))
		return nil
	}
	stop := errors.New("stop")
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if !emit(path, err) {
				return stop
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if !emit(path, nil) {
			return stop
		}
		return nil
	})
	if errors.Is(err, stop) {
		return ctx.Err()
	}
	return err
}

// HashFile hashes one file, opened read-only, with every algorithm in one
// pass. A file that cannot be read gives a FileHash with Err set.
func HashFile(ctx context.Context, path string, algos ...Algo) FileHash {
	fh := FileHash{Path: path}
	m, err := NewMulti(algos...)
	if err != nil {
		fh.Err = err
		return fh
	}
	f, err := evidence.Open(path)
	if err != nil {
		fh.Err = err
		return fh
	}
	defer f.Close()
	_, err = m.ReadFrom(ctxReader{ctx, f})
	fh.Size = m.Size()
	fh.Sums = m.Sums()
	if err != nil {
		fh.Err = fmt.Errorf("read %s: %w", path, err)
	}
	return fh
}

// ctxReader stops a long read when ctx ends.
type ctxReader struct {
	ctx context.Context
	f   *os.File
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.f.Read(p)
}
