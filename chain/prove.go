package chain

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// Proof is the result of [Ledger.Prove]: an RFC 6962 consistency proof that
// the ledger an earlier checkpoint signed is a prefix of today's ledger.
// Anyone holding both checkpoints can recheck it with the hashes alone
// (tlog.CheckTree), without the ledger.
type Proof struct {
	OK     bool        `json:"ok"`
	Reason string      `json:"reason,omitempty"`
	Old    *Checkpoint `json:"old,omitempty"`
	New    *Checkpoint `json:"new,omitempty"`
	Hashes []tlog.Hash `json:"hashes,omitempty"`
}

// Prove checks that the ledger signed by checkpoint msg (a signed note as
// printed by `custody checkpoint`) is a prefix of the ledger as it is today,
// whose own latest checkpoint must match it. A checkpoint not signed by a
// roster key, of another case, or of a ledger that was since rewritten or
// truncated gives a Proof with OK false and the reason.
func (l *Ledger) Prove(ctx context.Context, msg []byte, roster []Actor) (*Proof, error) {
	fail := func(p *Proof, format string, args ...any) (*Proof, error) {
		p.OK = false
		p.Reason = fmt.Sprintf(format, args...)
		return p, nil
	}
	p := &Proof{}
	old, err := OpenCheckpoint(msg, roster)
	if err != nil {
		return fail(p, "%v", err)
	}
	p.Old = old
	if old.Origin != l.origin {
		return fail(p, "checkpoint is for %q, this ledger is %q", old.Origin, l.origin)
	}

	unlock, err := l.lock(ctx, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x < 0 || x >= int64(len(stored)) {
				return nil, fmt.Errorf("hash index %d out of range", x)
			}
			out[i] = stored[x]
		}
		return out, nil
	})
	var n int64
	for line, err := range l.lines(ctx, -1) {
		if err != nil {
			return nil, err
		}
		hs, err := tlog.StoredHashes(n, line, reader)
		if err != nil {
			return nil, err
		}
		stored = append(stored, hs...)
		n++
	}
	headLine, err := lastLine(l.checkpointsPath())
	if err != nil {
		return fail(p, "today's ledger: %v", err)
	}
	if headLine == nil {
		return fail(p, "today's ledger has no checkpoint")
	}
	headMsg, err := decodeCheckpointLine(headLine)
	if err != nil {
		return fail(p, "today's latest checkpoint: %v", err)
	}
	head, err := OpenCheckpoint(headMsg, roster)
	if err != nil {
		return fail(p, "today's latest checkpoint: %v", err)
	}
	p.New = head
	root, err := tlog.TreeHash(n, reader)
	if err != nil {
		return nil, err
	}
	if head.Size != n || head.Root != root {
		return fail(p, "today's ledger (%d entries) does not match its own latest checkpoint (size %d); run 'pangolin custody verify'", n, head.Size)
	}
	if old.Size > n {
		return fail(p, "the checkpoint covers %d entries but today's ledger holds only %d: entries were removed", old.Size, n)
	}
	proof, err := tlog.ProveTree(n, old.Size, reader)
	if err != nil {
		return nil, err
	}
	p.Hashes = proof
	if err := tlog.CheckTree(proof, n, root, old.Size, old.Root); err != nil {
		return fail(p, "the ledger signed at size %d is not a prefix of today's ledger: history was rewritten (%v)", old.Size, err)
	}
	p.OK = true
	return p, nil
}
