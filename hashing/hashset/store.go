package hashset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// Folder and file names inside the store.
const (
	setsDir   = "sets"
	tmpDir    = "tmp"
	lockName  = "store.lock"
	infoName  = "info.json"
	tableExt  = ".hset"
	buildPfx  = "build-"
	asidePfx  = "aside-"
	buildLock = ".lock"
)

// Errors callers branch on.
var (
	// ErrExists means a set of that name exists and replacing it was not asked for.
	ErrExists = errors.New("hash set already exists")
	// ErrNotFound means no set of that name exists.
	ErrNotFound = errors.New("hash set not found")
	// ErrEmpty means an import found no hashes at all.
	ErrEmpty = errors.New("no hashes found")
	// ErrClosed means the store was closed.
	ErrClosed = errors.New("hash set store closed")
)

func tableFile(a hashing.Algo) string { return string(a) + tableExt }

// Kind says what a match against a set means to the examiner.
type Kind string

// Kinds of hash set.
const (
	KnownGood Kind = "known-good" // files to ignore, such as NSRL operating-system files
	KnownBad  Kind = "known-bad"  // contraband or malware
	Notable   Kind = "notable"    // files worth a look
)

func (k Kind) valid() bool { return k == KnownGood || k == KnownBad || k == Notable }

// Info describes one imported set. It is stored beside the set as
// info.json.
type Info struct {
	Name   string `json:"name"`
	Kind   Kind   `json:"kind"`
	Format Format `json:"format"`
	// Source is the path of the imported file as the caller gave it.
	Source       string `json:"source"`
	SourceSHA256 string `json:"source_sha256"`
	SourceSize   int64  `json:"source_size"`
	// Imported is when the import finished, in UTC.
	Imported time.Time `json:"imported"`
	// Records is how many digests the source held, duplicates included.
	Records int64 `json:"records"`
	// Counts holds the number of distinct digests per algorithm.
	Counts map[hashing.Algo]int64 `json:"counts"`
}

// Match names a set that holds a looked-up digest.
type Match struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
}

// set is one imported set, opened.
type set struct {
	info   Info
	match  Match
	files  []*os.File
	tables map[hashing.Algo]*table
}

func (s *set) close() {
	for _, f := range s.files {
		f.Close()
	}
}

// Store holds the hash sets in one folder. Its methods are safe for
// concurrent use. Changes made through another Store on the same folder,
// in this process or another, are seen after reopening.
type Store struct {
	dir       string
	runBudget int

	mu     sync.RWMutex
	closed bool
	sets   map[string]*set
	byAlgo map[hashing.Algo][]*set
}

// Open opens the store in dir, creating the folder if needed. It finishes
// or rolls back changes a crash interrupted and removes abandoned builds.
// Indexes are loaded on the first lookup that needs them.
func Open(dir string) (*Store, error) {
	for _, d := range []string{dir, filepath.Join(dir, setsDir), filepath.Join(dir, tmpDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("open hash set store: %w", err)
		}
	}
	s := &Store{dir: dir, runBudget: defaultRunBudget, sets: map[string]*set{}}
	unlock, err := s.lockDisk(context.Background())
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := s.recover(); err != nil {
		return nil, fmt.Errorf("open hash set store: %w", err)
	}
	ents, err := os.ReadDir(filepath.Join(dir, setsDir))
	if err != nil {
		return nil, fmt.Errorf("open hash set store: %w", err)
	}
	for _, e := range ents {
		if !e.IsDir() || checkName(e.Name()) != nil {
			continue
		}
		st, err := openSet(filepath.Join(dir, setsDir, e.Name()))
		if err != nil {
			s.closeAll()
			return nil, fmt.Errorf("open hash set %q: %w", e.Name(), err)
		}
		s.sets[e.Name()] = st
	}
	s.reindex()
	return s, nil
}

// lockDisk takes the store's file lock, which serialises changes to the
// folder between processes.
func (s *Store) lockDisk(ctx context.Context) (func(), error) {
	fl := flock.New(filepath.Join(s.dir, lockName))
	ok, err := fl.TryLockContext(ctx, 5*time.Millisecond)
	if err != nil || !ok {
		return nil, fmt.Errorf("lock hash set store: %w", errors.Join(err, ctx.Err()))
	}
	return func() { fl.Unlock() }, nil
}

// recover puts back sets a crash left set aside during a replace, and
// removes what a crash or failure left in tmp. Builds still running in
// another process hold their lock and are left alone.
func (s *Store) recover() error {
	tmp := filepath.Join(s.dir, tmpDir)
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return err
	}
	for _, e := range ents {
		p := filepath.Join(tmp, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), asidePfx):
			kids, err := os.ReadDir(p)
			if err != nil {
				return err
			}
			for _, k := range kids {
				dst := filepath.Join(s.dir, setsDir, k.Name())
				if _, err := os.Lstat(dst); errors.Is(err, os.ErrNotExist) {
					if err := os.Rename(filepath.Join(p, k.Name()), dst); err != nil {
						return fmt.Errorf("restore set %q: %w", k.Name(), err)
					}
				}
			}
		case strings.HasPrefix(e.Name(), buildPfx):
			fl := flock.New(filepath.Join(p, buildLock))
			if ok, err := fl.TryLock(); err != nil || !ok {
				continue
			}
			fl.Unlock()
		}
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	return syncDir(filepath.Join(s.dir, setsDir))
}

func openSet(dir string) (*set, error) {
	raw, err := os.ReadFile(filepath.Join(dir, infoName))
	if err != nil {
		return nil, err
	}
	st := &set{tables: map[hashing.Algo]*table{}}
	if err := json.Unmarshal(raw, &st.info); err != nil {
		return nil, fmt.Errorf("read %s: %w", infoName, err)
	}
	if st.info.Name != filepath.Base(dir) || !st.info.Kind.valid() {
		return nil, fmt.Errorf("read %s: name %q or kind %q does not fit", infoName, st.info.Name, st.info.Kind)
	}
	st.match = Match{Name: st.info.Name, Kind: st.info.Kind}
	for _, algo := range hashing.Algos {
		if st.info.Counts[algo] == 0 {
			continue
		}
		f, err := os.Open(filepath.Join(dir, tableFile(algo)))
		if err != nil {
			st.close()
			return nil, err
		}
		st.files = append(st.files, f)
		fi, err := f.Stat()
		if err != nil {
			st.close()
			return nil, err
		}
		t, err := newTable(f, fi.Size(), algo)
		if err == nil && t.h.count != st.info.Counts[algo] {
			err = fmt.Errorf("%w: %d digests, %s says %d", ErrFormat, t.h.count, infoName, st.info.Counts[algo])
		}
		if err != nil {
			st.close()
			return nil, fmt.Errorf("%s: %w", tableFile(algo), err)
		}
		st.tables[algo] = t
	}
	return st, nil
}

// reindex rebuilds the per-algorithm lists; callers hold mu for writing.
func (s *Store) reindex() {
	s.byAlgo = map[hashing.Algo][]*set{}
	names := make([]string, 0, len(s.sets))
	for n := range s.sets {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		st := s.sets[n]
		for algo := range st.tables {
			s.byAlgo[algo] = append(s.byAlgo[algo], st)
		}
	}
}

func (s *Store) closeAll() {
	for _, st := range s.sets {
		st.close()
	}
}

// Close closes the store's files. Lookups afterwards return [ErrClosed].
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closeAll()
		s.closed = true
		s.sets, s.byAlgo = nil, nil
	}
	return nil
}

// List returns the sets in the store, sorted by name.
func (s *Store) List() ([]Info, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, ErrClosed
	}
	out := make([]Info, 0, len(s.sets))
	for _, st := range s.sets {
		out = append(out, st.info)
	}
	slices.SortFunc(out, func(a, b Info) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Remove deletes the named set. It returns [ErrNotFound] if there is no
// such set.
func (s *Store) Remove(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	unlock, err := s.lockDisk(context.Background())
	if err != nil {
		return err
	}
	defer unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	dst := filepath.Join(s.dir, setsDir, name)
	if _, err := os.Lstat(dst); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %q: %w", name, ErrNotFound)
		}
		return fmt.Errorf("remove %q: %w", name, err)
	}
	if st := s.sets[name]; st != nil {
		st.close()
		delete(s.sets, name)
		s.reindex()
	}
	aside, err := s.setAside(name)
	if err != nil {
		return fmt.Errorf("remove %q: %w", name, err)
	}
	if err := os.RemoveAll(aside); err != nil {
		return fmt.Errorf("remove %q: %w", name, err)
	}
	return nil
}

// setAside moves sets/name into a new folder under tmp, where recover
// finds it after a crash, and returns that folder.
func (s *Store) setAside(name string) (string, error) {
	aside, err := os.MkdirTemp(filepath.Join(s.dir, tmpDir), asidePfx)
	if err != nil {
		return "", err
	}
	if err := os.Rename(filepath.Join(s.dir, setsDir, name), filepath.Join(aside, name)); err != nil {
		os.Remove(aside)
		return "", err
	}
	return aside, syncDir(filepath.Join(s.dir, setsDir))
}

// commit moves a finished build into place as set name.
func (s *Store) commit(ctx context.Context, name, build string, unlockBuild func(), replace bool) (*Info, error) {
	unlock, err := s.lockDisk(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	dst := filepath.Join(s.dir, setsDir, name)
	var aside string
	if _, err := os.Lstat(dst); err == nil {
		if !replace {
			return nil, fmt.Errorf("import %q: %w", name, ErrExists)
		}
		if st := s.sets[name]; st != nil {
			st.close()
			delete(s.sets, name)
			s.reindex()
		}
		if aside, err = s.setAside(name); err != nil {
			return nil, fmt.Errorf("import %q: set old version aside: %w", name, err)
		}
	}
	// The store lock keeps recover away from the build from here on.
	unlockBuild()
	if err := os.Rename(build, dst); err != nil {
		return nil, fmt.Errorf("import %q: %w", name, errors.Join(err, s.restore(name, aside)))
	}
	if err := syncDir(filepath.Join(s.dir, setsDir)); err != nil {
		return nil, fmt.Errorf("import %q: %w", name, err)
	}
	if aside != "" {
		os.RemoveAll(aside)
	}
	st, err := openSet(dst)
	if err != nil {
		return nil, fmt.Errorf("import %q: reopen: %w", name, err)
	}
	s.sets[name] = st
	s.reindex()
	info := st.info
	return &info, nil
}

// restore undoes setAside after a failed replace and reopens the set.
func (s *Store) restore(name, aside string) error {
	if aside == "" {
		return nil
	}
	dst := filepath.Join(s.dir, setsDir, name)
	if err := os.Rename(filepath.Join(aside, name), dst); err != nil {
		return err
	}
	os.Remove(aside)
	st, err := openSet(dst)
	if err != nil {
		return err
	}
	s.sets[name] = st
	s.reindex()
	return nil
}

// Lookup returns every set that holds sum, a digest of algo, in name
// order, or nil if none does. It is safe for concurrent use and does not
// allocate when nothing matches.
func (s *Store) Lookup(algo hashing.Algo, sum []byte) ([]Match, error) {
	if w := algo.Size(); w == 0 || len(sum) != w {
		return nil, fmt.Errorf("look up %s digest of %d bytes: want %d", algo, len(sum), algo.Size())
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, ErrClosed
	}
	return s.lookup(algo, sum)
}

func (s *Store) lookup(algo hashing.Algo, sum []byte) ([]Match, error) {
	var out []Match
	for _, st := range s.byAlgo[algo] {
		ok, err := st.tables[algo].contains(sum)
		if err != nil {
			return nil, fmt.Errorf("look up in set %q: %w", st.info.Name, err)
		}
		if ok {
			out = append(out, st.match)
		}
	}
	return out, nil
}

// LookupBatch looks up each of sums, digests of algo, and calls found
// with the index and matches of every one that some set holds. It holds
// the store's read lock for the whole batch, checks ctx once per block of
// lookups and stops at the first error, including one returned by found.
// Several goroutines may call it at once.
func (s *Store) LookupBatch(ctx context.Context, algo hashing.Algo, sums [][]byte, found func(i int, m []Match) error) error {
	w := algo.Size()
	if w == 0 {
		return fmt.Errorf("look up: unknown hash algorithm %q", algo)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	for i, sum := range sums {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if len(sum) != w {
			return fmt.Errorf("look up digest %d: %d bytes, want %d", i, len(sum), w)
		}
		m, err := s.lookup(algo, sum)
		if err != nil {
			return err
		}
		if m != nil {
			if err := found(i, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkName accepts set names that are safe as a folder name on every
// system: 1 to 64 letters, digits, '.', '_' or '-', starting with a
// letter or digit, and no Windows device name.
func checkName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("bad hash set name %q: want 1 to 64 characters", name)
	}
	for i, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			i > 0 && (c == '.' || c == '_' || c == '-')
		if !ok {
			return fmt.Errorf("bad hash set name %q: use letters, digits, '.', '_' and '-', starting with a letter or digit", name)
		}
	}
	base, _, _ := strings.Cut(strings.ToUpper(name), ".")
	switch base {
	case "CON", "PRN", "AUX", "NUL",
		"COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		return fmt.Errorf("bad hash set name %q: reserved on Windows", name)
	}
	return nil
}

// syncDir makes a rename inside dir durable. Windows cannot sync a
// folder, and NTFS journals renames, so it is skipped there.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
