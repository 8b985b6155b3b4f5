package chain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// ErrNotRepairable is returned by [Ledger.Repair] when the damage is not
// what an interrupted append leaves behind: that is evidence of tampering
// and must stay visible, so nothing is changed.
var ErrNotRepairable = errors.New("custody ledger damage is not an interrupted write; not repaired")

// RepairResult says what [Ledger.Repair] did.
type RepairResult struct {
	Repaired bool `json:"repaired"`
	// MovedEntries counts complete entries moved aside because no
	// checkpoint covered them.
	MovedEntries int    `json:"moved_entries"`
	Files        []Ref  `json:"files,omitempty"`
	Entry        *Entry `json:"entry,omitempty"`
}

// Repair undoes what a cut-off append leaves: an incomplete last line in
// either file, and a last entry whose checkpoint was never written. The
// damaged bytes are moved (not deleted) into the custody folder's damaged/
// subfolder, and a signed repair entry records their size and SHA-256.
//
// Repair first verifies everything before the damaged tail; if that fails,
// or the damage is anything else (entries missing that a checkpoint covers,
// more than one uncovered entry), it returns [ErrNotRepairable] and changes
// nothing.
func (l *Ledger) Repair(ctx context.Context, id *Identity, roster []Actor) (*RepairResult, error) {
	unlock, err := l.lock(ctx, true)
	if err != nil {
		return nil, err
	}
	defer unlock()

	ends, err := lineEnds(ctx, l.Path())
	if err != nil {
		return nil, err
	}
	cpEnds, err := lineEnds(ctx, l.checkpointsPath())
	if err != nil {
		return nil, err
	}
	n, m := int64(len(ends.offsets)), int64(len(cpEnds.offsets))
	ledgerCut, cpCut := ends.complete(), cpEnds.complete()
	var moved int
	switch {
	case m == n:
	case m == n-1 && n > 1:
		ledgerCut = ends.offsets[n-2]
		moved = 1
	default:
		return nil, fmt.Errorf("%w: %d entries but %d checkpoints", ErrNotRepairable, n, m)
	}
	rep, err := l.verifyLocked(ctx, VerifyOptions{Roster: roster}, ledgerCut, cpCut)
	if err != nil {
		return nil, err
	}
	if !rep.OK {
		return nil, fmt.Errorf("%w: %s", ErrNotRepairable, rep.First())
	}
	res := &RepairResult{MovedEntries: moved}
	if ledgerCut == ends.size && cpCut == cpEnds.size {
		return res, nil
	}
	stamp := l.Now().UTC().Format("20060102T150405.000000000Z")
	for _, cut := range []struct {
		path string
		at   int64
	}{{l.Path(), ledgerCut}, {l.checkpointsPath(), cpCut}} {
		ref, err := l.moveTail(cut.path, cut.at, stamp)
		if err != nil {
			return nil, err
		}
		if ref != nil {
			res.Files = append(res.Files, *ref)
		}
	}
	_ = os.Remove(filepath.Join(l.dir, cacheFile))
	e, _, err := l.appendLocked(ctx, id, Entry{
		Action:  ActionRepair,
		Outputs: res.Files,
		Note:    "moved the damaged tail of the custody ledger aside (interrupted write)",
		Attrs:   map[string]string{"moved_entries": strconv.Itoa(moved)},
	})
	if err != nil {
		return nil, err
	}
	res.Repaired, res.Entry = true, e
	return res, nil
}

// moveTail copies path's bytes from offset at to a file in damaged/, syncs
// it, and truncates path to at. It returns nil when there is nothing after at.
func (l *Ledger) moveTail(path string, at int64, stamp string) (*Ref, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() <= at {
		return nil, nil
	}
	tail := make([]byte, fi.Size()-at)
	if _, err := f.ReadAt(tail, at); err != nil && err != io.EOF {
		return nil, err
	}
	dir := filepath.Join(l.dir, DamagedDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	name := stamp + "-" + filepath.Base(path) + ".bin"
	out, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	if _, err := out.Write(tail); err != nil {
		out.Close()
		return nil, err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return nil, err
	}
	if err := out.Close(); err != nil {
		return nil, err
	}
	if err := f.Truncate(at); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(tail)
	rel := filepath.ToSlash(filepath.Join(filepath.Base(l.dir), DamagedDir, name))
	return &Ref{Path: rel, Size: int64(len(tail)), SHA256: hex.EncodeToString(sum[:])}, nil
}

// lineLayout records where each complete line of a file ends.
type lineLayout struct {
	offsets []int64 // offset just past each line's newline
	size    int64
}

func (ll lineLayout) complete() int64 {
	if len(ll.offsets) == 0 {
		return 0
	}
	return ll.offsets[len(ll.offsets)-1]
}

func lineEnds(ctx context.Context, path string) (lineLayout, error) {
	var ll lineLayout
	var off int64
	for line, err := range fileLines(ctx, path, -1) {
		if err != nil {
			return ll, err
		}
		off += int64(len(line)) + 1
		ll.offsets = append(ll.offsets, off)
	}
	fi, err := os.Stat(path)
	if err != nil && !os.IsNotExist(err) {
		return ll, err
	}
	if err == nil {
		ll.size = fi.Size()
	}
	return ll, nil
}
