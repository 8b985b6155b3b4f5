package chain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// Problem kinds reported by [Ledger.Verify].
const (
	ProblemMalformed  = "malformed"  // a line that is not a canonical entry
	ProblemTorn       = "torn"       // a last line cut off mid-write
	ProblemSeq        = "seq"        // an entry out of place: deleted, inserted, reordered
	ProblemPrev       = "prev"       // prev does not hash the line before
	ProblemRoster     = "roster"     // a key not on the case roster, or not introduced
	ProblemSignature  = "signature"  // an entry signature that does not verify
	ProblemCheckpoint = "checkpoint" // a checkpoint that is malformed, unsigned or disagrees
	ProblemUncovered  = "uncovered"  // entries no signed checkpoint covers
	ProblemTruncated  = "truncated"  // a checkpoint covers entries the ledger lacks
)

// maxProblems bounds the problems a report lists; the rest are counted.
const maxProblems = 100

// Problem is one integrity failure.
type Problem struct {
	// Seq is the position (1-based line number, which is also the expected
	// seq) of the entry the problem is about; 0 when it concerns no entry.
	Seq    int64  `json:"seq"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

func (p Problem) String() string {
	if p.Seq == 0 {
		return fmt.Sprintf("%s: %s", p.Kind, p.Detail)
	}
	return fmt.Sprintf("entry %d: %s: %s", p.Seq, p.Kind, p.Detail)
}

// Report is the result of [Ledger.Verify].
type Report struct {
	OK          bool  `json:"ok"`
	Entries     int64 `json:"entries"`
	Checkpoints int64 `json:"checkpoints"`
	// FirstBad is the position of the first bad entry, 0 if no problem
	// concerns an entry.
	FirstBad     int64       `json:"first_bad,omitempty"`
	Problems     []Problem   `json:"problems,omitempty"`
	MoreProblems int         `json:"more_problems,omitempty"`
	Warnings     []string    `json:"warnings,omitempty"`
	Root         tlog.Hash   `json:"root"`
	Head         *Checkpoint `json:"head,omitempty"`
}

func (r *Report) add(seq int64, kind, format string, args ...any) {
	r.OK = false
	if seq > 0 && (r.FirstBad == 0 || seq < r.FirstBad) {
		r.FirstBad = seq
	}
	if len(r.Problems) >= maxProblems {
		r.MoreProblems++
		return
	}
	r.Problems = append(r.Problems, Problem{Seq: seq, Kind: kind, Detail: fmt.Sprintf(format, args...)})
}

// First returns the problem about the first bad entry, or the first problem.
func (r *Report) First() *Problem {
	for i := range r.Problems {
		if r.Problems[i].Seq == r.FirstBad {
			return &r.Problems[i]
		}
	}
	if len(r.Problems) > 0 {
		return &r.Problems[0]
	}
	return nil
}

// VerifyOptions configures [Ledger.Verify].
type VerifyOptions struct {
	// Roster is the case's list of examiners; every entry and checkpoint
	// must be signed by one of their keys.
	Roster []Actor
	// Progress, when set, is called with the number of lines checked.
	Progress func(done int64)
}

// Verify recomputes everything the ledger claims and reports every
// integrity failure, naming the first bad entry. For every line it checks
// canonical form, position (seq), the prev hash chain, that the signer is on
// the roster and was introduced (by a case-init or examiner-add entry) no
// later than the entry, and the signature; then it recomputes the Merkle
// tree and checks every signed checkpoint against it; every entry must be
// covered by a checkpoint, and no checkpoint may cover entries that are
// gone. It also reports roster keys the ledger never introduced.
//
// Verify returns an error only when it cannot read the files; integrity
// failures are in the report. It works in memory proportional to the
// number of entries only for the 32-byte tree roots it compares checkpoints
// against.
func (l *Ledger) Verify(ctx context.Context, opts VerifyOptions) (*Report, error) {
	unlock, err := l.lock(ctx, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return l.verifyLocked(ctx, opts, -1, -1)
}

// lineResult is what the parallel stage learns about one ledger line.
type lineResult struct {
	entry    *Entry
	err      error
	sigOK    bool
	lineHash string
	record   tlog.Hash
}

// Verification reads lines in batches of at most batchSize lines and
// batchBytes bytes, so a hostile file of long lines cannot make it hold
// more than batchBytes (plus one line) at once.
const (
	batchSize  = 2048
	batchBytes = 16 << 20
)

func (l *Ledger) verifyLocked(ctx context.Context, opts VerifyOptions, ledgerLimit, cpLimit int64) (*Report, error) {
	rep := &Report{OK: true}
	roster := make(map[string]Actor, len(opts.Roster))
	for _, a := range opts.Roster {
		roster[string(a.Key)] = a
	}
	introduced := make(map[string]bool)
	var tree frontier
	var roots []tlog.Hash
	prev := GenesisPrev
	var lastTime string

	check := func(pos int64, r *lineResult) {
		defer func() {
			prev = r.lineHash
			tree.add(r.record)
			roots = append(roots, tree.root())
		}()
		if r.err != nil {
			rep.add(pos, ProblemMalformed, "%v", r.err)
			return
		}
		e := r.entry
		if e.Seq != pos {
			rep.add(pos, ProblemSeq, "line %d holds seq %d (entry deleted, inserted or moved)", pos, e.Seq)
		}
		if e.Prev != prev {
			rep.add(pos, ProblemPrev, "prev does not match the hash of the line before (entry deleted, inserted, moved or altered)")
		}
		key := string(e.Actor.Key)
		member, ok := roster[key]
		switch {
		case !ok:
			rep.add(pos, ProblemRoster, "signed by key %s (%q), which is not on the case roster", e.Actor.Fingerprint(), e.Actor.ID)
		case member.ID != e.Actor.ID:
			rep.add(pos, ProblemRoster, "actor id %q but the roster gives that key to %q", e.Actor.ID, member.ID)
		case introduces(e.Action):
			if e.Action == ActionCaseInit && pos != 1 {
				rep.add(pos, ProblemSeq, "case-init entry at line %d; only the first entry may open a case", pos)
			}
			introduced[key] = true
		case !introduced[key]:
			rep.add(pos, ProblemRoster, "key %s (%q) signs before any entry introduced it", e.Actor.Fingerprint(), e.Actor.ID)
		}
		if pos == 1 && e.Action != ActionCaseInit {
			rep.add(pos, ProblemSeq, "first entry is %q, not case-init", e.Action)
		}
		if !r.sigOK {
			rep.add(pos, ProblemSignature, "signature does not verify for key %s", e.Actor.Fingerprint())
		}
		if e.Time < lastTime {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("entry %d: time %s is before the previous entry's %s (clock change?)", pos, e.Time, lastTime))
		}
		lastTime = e.Time
	}

	results := make([]lineResult, batchSize)
	torn, err := readBatches(ctx, l.Path(), ledgerLimit, func(batch [][]byte, errs []error) {
		parallel(len(batch), func(i int) {
			line := batch[i]
			r := lineResult{lineHash: LineHash(line), record: tlog.RecordHash(line), err: errs[i]}
			if r.err == nil {
				r.entry, r.err = ParseEntry(line)
			}
			results[i] = r
		})
		var sigs []sigItem
		var signed []int
		for i := range batch {
			if e := results[i].entry; e != nil && len(e.Sig) > 0 {
				sigs = append(sigs, sigItem{pub: e.Actor.Key, msg: signedPart(batch[i]), sig: e.Sig})
				signed = append(signed, i)
			}
		}
		for j, ok := range verifySigs(sigs) {
			results[signed[j]].sigOK = ok
		}
		for i := range batch {
			check(rep.Entries+1, &results[i])
			rep.Entries++
		}
		if opts.Progress != nil {
			opts.Progress(rep.Entries)
		}
	})
	if err != nil {
		return nil, err
	}
	if torn > 0 {
		rep.add(rep.Entries+1, ProblemTorn, "the last line is incomplete (%s without end of line): a write was cut off, as by power loss; run 'pangolin custody repair'", plural(torn, "byte"))
	}
	rep.Root = tree.root()

	if err := l.verifyCheckpoints(ctx, rep, opts.Roster, roots, cpLimit); err != nil {
		return nil, err
	}
	for _, a := range opts.Roster {
		if !introduced[string(a.Key)] {
			rep.add(0, ProblemRoster, "roster lists %q with key %s, which no ledger entry introduced", a.ID, a.Fingerprint())
		}
	}
	return rep, nil
}

// verifyCheckpoints checks the checkpoints file against the tree roots:
// checkpoint line j must be the signed head of the first j entries.
func (l *Ledger) verifyCheckpoints(ctx context.Context, rep *Report, roster []Actor, roots []tlog.Hash, limit int64) error {
	keys := newRosterKeys(roster)
	n := int64(len(roots))
	// After one checkpoint disagrees with the tree, every later one does
	// too; they are counted, not listed.
	var firstMismatch, laterMismatches int64
	type cpResult struct {
		cp   *Checkpoint
		sigs []sigItem
		err  error
	}
	results := make([]cpResult, batchSize)
	torn, err := readBatches(ctx, l.checkpointsPath(), limit, func(batch [][]byte, errs []error) {
		parallel(len(batch), func(i int) {
			if errs[i] != nil {
				results[i] = cpResult{err: errs[i]}
				return
			}
			msg, err := decodeCheckpointLine(batch[i])
			if err != nil {
				results[i] = cpResult{err: err}
				return
			}
			cp, sigs, err := parseSignedCheckpoint(msg, keys)
			results[i] = cpResult{cp, sigs, err}
		})
		var sigs []sigItem
		for i := range batch {
			sigs = append(sigs, results[i].sigs...)
		}
		valid := verifySigs(sigs)
		for i := range batch {
			for range results[i].sigs {
				if !valid[0] && results[i].err == nil {
					results[i].err = fmt.Errorf("%w: invalid signature by %s", ErrCheckpoint, results[i].cp.Signer)
				}
				valid = valid[1:]
			}
		}
		for i := range batch {
			rep.Checkpoints++
			j := rep.Checkpoints
			r := results[i]
			switch {
			case r.err != nil:
				rep.add(min(j, n+1), ProblemCheckpoint, "checkpoint line %d: %v", j, r.err)
			case r.cp.Origin != l.origin:
				rep.add(min(j, n+1), ProblemCheckpoint, "checkpoint line %d is for %q, not %q", j, r.cp.Origin, l.origin)
			case r.cp.Size > n:
				rep.add(n+1, ProblemTruncated, "checkpoint line %d covers %d entries but the ledger holds %d: entries after %d were removed", j, r.cp.Size, n, n)
			case r.cp.Size != j:
				rep.add(min(j, r.cp.Size), ProblemCheckpoint, "checkpoint line %d is for size %d, not %d (checkpoint removed, inserted or moved)", j, r.cp.Size, j)
			case r.cp.Root != roots[j-1] && firstMismatch > 0:
				laterMismatches++
			case r.cp.Root != roots[j-1]:
				firstMismatch = j
				rep.add(j, ProblemCheckpoint, "the ledger's first %d entries do not match the checkpoint signed for them: entry %d (or an earlier one) was altered", j, j)
			default:
				rep.Head = r.cp
			}
		}
	})
	if err != nil {
		return err
	}
	if torn > 0 {
		rep.add(min(rep.Checkpoints+1, n+1), ProblemTorn, "the checkpoints file ends in an incomplete line (%s): a write was cut off; run 'pangolin custody repair'", plural(torn, "byte"))
	}
	if laterMismatches > 0 {
		rep.add(firstMismatch+1, ProblemCheckpoint, "%d later checkpoints disagree with the ledger as well", laterMismatches)
	}
	if rep.Checkpoints < n {
		rep.add(rep.Checkpoints+1, ProblemUncovered, "entries %d to %d are not covered by any signed checkpoint (appended outside pangolin, or an append was cut off)", rep.Checkpoints+1, n)
	}
	return nil
}

// readBatches streams the complete lines of path (up to limit bytes, all
// with limit < 0) to fn in batches of copies (see batchSize), with each
// line's read error (a *LongLineError, the line nil), and returns how many
// bytes follow the last complete line (a torn write).
func readBatches(ctx context.Context, path string, limit int64, fn func(batch [][]byte, errs []error)) (torn int64, err error) {
	var consumed, held int64
	batch := make([][]byte, 0, batchSize)
	errs := make([]error, 0, batchSize)
	for line, err := range fileLines(ctx, path, limit) {
		var long *LongLineError
		switch {
		case errors.As(err, &long):
			consumed += long.Size + 1
		case err != nil:
			return 0, err
		default:
			consumed += int64(len(line)) + 1
			held += int64(len(line))
		}
		batch = append(batch, bytes.Clone(line))
		errs = append(errs, err)
		if len(batch) == batchSize || held >= batchBytes {
			fn(batch, errs)
			batch, errs, held = batch[:0], errs[:0], 0
		}
	}
	if len(batch) > 0 {
		fn(batch, errs)
	}
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	size := fi.Size()
	if limit >= 0 {
		size = min(size, limit)
	}
	return size - consumed, nil
}

// parallel runs f(0) … f(n-1) on all cores and waits.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				f(i)
			}
		}()
	}
	wg.Wait()
}
