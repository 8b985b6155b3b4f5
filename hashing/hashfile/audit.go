package hashfile

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// Status classifies one observed file in an [Audit].
type Status int

// The classes of an audited file, with the words hashdeep prints for them.
const (
	// Matched: hashes, size and path equal those of a known file ("Ok").
	Matched Status = iota + 1
	// Moved: hashes and size equal those of a known file with another path
	// ("Moved from KNOWN").
	Moved
	// Partial: one digest equals a known file's and another digest or the
	// size does not ("Hash collision with KNOWN").
	Partial
	// New: no digest equals any known file's ("No match"). A file whose
	// content changed in place is New, and its old record Missing.
	New
	// Unreadable: the file could not be read (FileHash.Err); hashdeep
	// reports it as an error and counts it nowhere.
	Unreadable
)

var statusNames = []string{Matched: "matched", Moved: "moved", Partial: "partial", New: "new", Unreadable: "unreadable"}

func (s Status) String() string {
	if s > 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// MarshalText makes a Status a JSON string such as "moved".
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Entry is the classification of one observed file.
type Entry struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	Status Status `json:"status"`
	// Known is the known file matched (Matched, Moved, Partial), else nil.
	// It points into the [Known] given to [NewAudit].
	Known *KnownFile `json:"known,omitempty"`
	// SizeMismatch marks a Partial entry whose digests all equal Known's
	// but whose size does not.
	SizeMismatch bool `json:"size_mismatch,omitempty"`
	// Err is the read error of an Unreadable entry.
	Err error `json:"-"`
}

// String returns the line hashdeep prints for the entry, such as
// "a.txt: Moved from b.txt"; for Unreadable, "PATH: ERROR".
func (e Entry) String() string {
	switch e.Status {
	case Matched:
		return e.Path + ": Ok"
	case Moved:
		return e.Path + ": Moved from " + e.Known.Path
	case Partial:
		return e.Path + ": Hash collision with " + e.Known.Path
	case New:
		return e.Path + ": No match"
	case Unreadable:
		return fmt.Sprintf("%s: %v", e.Path, e.Err)
	}
	return e.Path + ": " + e.Status.String()
}

// Audit compares observed files with a [Known] list the way hashdeep -a
// does (see the package documentation for the rules). Add and Finish may
// be called from several goroutines; calls are serialised, and as in
// hashdeep the order of Add calls decides which of several identical known
// files an observed file is matched with.
type Audit struct {
	mu      sync.Mutex
	k       *Known
	order   []hashing.Algo                    // algorithms searched, in hashdeep's order
	index   map[hashing.Algo]map[string][]int // digest -> indexes into k.Files, in list order
	used    []bool                            // known files matched by some Add
	entries []Entry
}

// NewAudit prepares an audit against k, which must not change afterwards.
func NewAudit(k *Known) *Audit {
	a := &Audit{k: k, index: map[hashing.Algo]map[string][]int{}, used: make([]bool, len(k.Files))}
	for _, alg := range append(slices.Clone(hashing.Algos), Tiger, Whirlpool) {
		if slices.Contains(k.Algos, alg) {
			a.order = append(a.order, alg)
			a.index[alg] = map[string][]int{}
		}
	}
	for i, f := range k.Files {
		for alg, h := range f.Sums {
			if m := a.index[alg]; m != nil && h != "" {
				m[h] = append(m[h], i)
			}
		}
	}
	return a
}

// Add classifies one observed file, records the known file it matched as
// used, and returns the classification.
func (a *Audit) Add(fh hashing.FileHash) Entry {
	a.mu.Lock()
	defer a.mu.Unlock()
	e := a.classify(fh)
	a.entries = append(a.entries, e)
	return e
}

func (a *Audit) classify(fh hashing.FileHash) Entry {
	e := Entry{Path: fh.Path, Size: fh.Size, Status: New}
	if fh.Err != nil {
		e.Status, e.Err = Unreadable, fh.Err
		return e
	}
	obs := make(hashing.Sums, len(a.order))
	for _, alg := range a.order {
		obs[alg] = strings.ToLower(fh.Sums[alg])
	}
	for _, alg := range a.order {
		cand := a.index[alg][obs[alg]]
		if obs[alg] == "" || len(cand) == 0 {
			continue
		}
		m := cand[0]
		for _, i := range cand {
			if a.k.Files[i].Path == fh.Path {
				m = i
				break
			}
		}
		a.used[m] = true
		kf := &a.k.Files[m]
		e.Known = kf
		for _, b := range a.order {
			if b != alg && obs[b] != "" && kf.Sums[b] != "" && obs[b] != kf.Sums[b] {
				e.Status = Partial
				return e
			}
		}
		switch {
		case kf.Size >= 0 && kf.Size != fh.Size:
			e.Status, e.SizeMismatch = Partial, true
		case kf.Path != fh.Path:
			e.Status = Moved
		default:
			e.Status = Matched
		}
		return e
	}
	return e
}

// Result is the outcome of an [Audit].
type Result struct {
	// Examined counts the readable files added; Expected the known files.
	Examined int `json:"examined"`
	Expected int `json:"expected"`
	// Matched, Partial, Moved and New count the entries of each status,
	// Unreadable the files that could not be read, and Missing the known
	// files that no observed file was matched with.
	Matched    int `json:"matched"`
	Partial    int `json:"partial"`
	Moved      int `json:"moved"`
	New        int `json:"new"`
	Missing    int `json:"missing"`
	Unreadable int `json:"unreadable"`
	// Passed is hashdeep's "Audit passed": nothing new, moved or missing.
	// Partial matches do not fail an audit.
	Passed bool `json:"passed"`
	// Entries lists every added file in the order added.
	Entries []Entry `json:"entries"`
	// MissingFiles lists the Missing known files in list order.
	MissingFiles []KnownFile `json:"missing_files"`
}

// Finish returns the result of the files added so far. It may be called
// more than once.
func (a *Audit) Finish() Result {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := Result{Expected: len(a.k.Files), Entries: append([]Entry(nil), a.entries...), MissingFiles: []KnownFile{}}
	for _, e := range a.entries {
		switch e.Status {
		case Matched:
			r.Matched++
		case Moved:
			r.Moved++
		case Partial:
			r.Partial++
		case New:
			r.New++
		case Unreadable:
			r.Unreadable++
		}
	}
	r.Examined = len(a.entries) - r.Unreadable
	for i, u := range a.used {
		if !u {
			r.MissingFiles = append(r.MissingFiles, a.k.Files[i])
		}
	}
	r.Missing = len(r.MissingFiles)
	r.Passed = r.Missing == 0 && r.New == 0 && r.Moved == 0
	return r
}

// WriteText writes the audit report in hashdeep's words and layout (what
// hashdeep -a prints with verbose times -v): "Hash collision" lines
// always; with verbose >= 2 also "No match", "Moved from" and "Known file
// not used" lines, with verbose >= 3 "Ok" lines; then "pangolin: Audit
// passed" or "failed"; then with verbose >= 1 the counts, and with verbose
// >= 2 first "Input files examined" and "Known files expecting", which
// hashdeep 4.4 always prints as 0 and WriteText as Examined and Expected.
// Unreadable files are left to the caller, as hashdeep reports them on
// its error output. Paths are written verbatim.
func (r *Result) WriteText(w io.Writer, verbose int) error {
	b := bufio.NewWriter(w)
	for _, e := range r.Entries {
		switch {
		case e.Status == Partial,
			e.Status == Matched && verbose >= 3,
			(e.Status == Moved || e.Status == New) && verbose >= 2:
			b.WriteString(e.String() + "\n")
		}
	}
	if verbose >= 2 {
		for _, f := range r.MissingFiles {
			b.WriteString(f.Path + ": Known file not used\n")
		}
	}
	if r.Passed {
		b.WriteString("pangolin: Audit passed\n")
	} else {
		b.WriteString("pangolin: Audit failed\n")
	}
	if verbose >= 2 {
		fmt.Fprintf(b, "   Input files examined: %d\n", r.Examined)
		fmt.Fprintf(b, "  Known files expecting: %d\n", r.Expected)
	}
	if verbose >= 1 {
		fmt.Fprintf(b, "          Files matched: %d\n", r.Matched)
		fmt.Fprintf(b, "Files partially matched: %d\n", r.Partial)
		fmt.Fprintf(b, "            Files moved: %d\n", r.Moved)
		fmt.Fprintf(b, "        New files found: %d\n", r.New)
		fmt.Fprintf(b, "  Known files not found: %d\n", r.Missing)
	}
	return b.Flush()
}
