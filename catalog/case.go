// Package catalog keeps a case folder: its description and examiner roster
// (case.json), the folders later stages fill, and the custody ledger every
// action is recorded on. The catalogue database of artefacts will live here
// too.
//
// # The case folder
//
//	case.json            id, title, agency, created, examiner roster
//	custody/             the custody ledger (see package chain)
//	evidence/EX-001/     images and acquisition records, one folder per exhibit
//	exports/             files exported from evidence, by SHA-256
//	reports/             generated reports
//
// Commands find a case the way git finds a repository: by walking up from
// the working folder until a folder holds case.json ([Find]).
//
// # The roster
//
// case.json lists every examiner who has acted on the case, with their
// public key. An examiner's first action on a case first appends an
// examiner-add entry signed with their key, then adds them to case.json;
// the ledger verifier accepts entries only from keys on the roster that an
// entry introduced, so editing case.json alone cannot add a signer.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/internal/atomicfile"
)

// CaseFile is the name of the file that marks a case folder.
const CaseFile = "case.json"

// Subfolders of a case folder.
const (
	CustodyDir  = "custody"
	EvidenceDir = "evidence"
	ExportsDir  = "exports"
	ReportsDir  = "reports"
)

// ErrNoCase is returned by [Find] when no folder up from the start holds a
// case.
var ErrNoCase = errors.New("not inside a pangolin case folder (use --case DIR or 'pangolin case init')")

// ErrCaseExists is returned by [Init] for a folder that already holds a case.
var ErrCaseExists = errors.New("folder already holds a pangolin case")

// Info is the content of case.json.
type Info struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Agency    string     `json:"agency,omitempty"`
	Created   string     `json:"created"`
	Examiners []Examiner `json:"examiners"`
}

// Examiner is one roster member.
type Examiner struct {
	chain.Actor
	Fingerprint string `json:"fingerprint"`
	Added       string `json:"added"`
}

// Case is an open case folder.
type Case struct {
	Dir    string
	Info   Info
	ledger *chain.Ledger
}

// Find returns the case folder that holds start or one of its parents.
func Find(start string) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, CaseFile)); err == nil && fi.Mode().IsRegular() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoCase
		}
		dir = parent
	}
}

// Init creates a case folder at dir (which may exist but must not hold a
// case), writes case.json with the examiner as the first roster member, and
// opens the custody ledger with a signed case-init entry.
func Init(ctx context.Context, dir string, info Info, id *chain.Identity, now time.Time) (*Case, error) {
	if info.ID == "" || info.Title == "" {
		return nil, errors.New("case id and title are required")
	}
	if _, err := os.Stat(filepath.Join(dir, CaseFile)); err == nil {
		return nil, fmt.Errorf("%s: %w", dir, ErrCaseExists)
	}
	for _, sub := range []string{CustodyDir, EvidenceDir, ExportsDir, ReportsDir} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("create case folder: %w", err)
		}
	}
	info.Created = now.UTC().Format(time.RFC3339)
	info.Examiners = []Examiner{newExaminer(id, now)}
	c := &Case{Dir: dir, Info: info}
	if err := c.save(); err != nil {
		return nil, err
	}
	l, err := chain.Open(filepath.Join(dir, CustodyDir), info.ID)
	if err != nil {
		return nil, err
	}
	c.ledger = l
	attrs := map[string]string{"case_id": info.ID, "title": info.Title}
	if info.Agency != "" {
		attrs["agency"] = info.Agency
	}
	if _, _, err := l.Append(ctx, id, chain.Entry{Action: chain.ActionCaseInit, Attrs: attrs}); err != nil {
		return nil, fmt.Errorf("record case-init: %w", err)
	}
	return c, nil
}

func newExaminer(id *chain.Identity, now time.Time) Examiner {
	return Examiner{Actor: id.Actor, Fingerprint: id.Fingerprint(), Added: now.UTC().Format(time.RFC3339)}
}

// Open opens the case in dir.
func Open(dir string) (*Case, error) {
	c := &Case{Dir: dir}
	if err := c.load(); err != nil {
		return nil, err
	}
	l, err := chain.Open(filepath.Join(dir, CustodyDir), c.Info.ID)
	if err != nil {
		return nil, err
	}
	c.ledger = l
	return c, nil
}

func (c *Case) load() error {
	path := filepath.Join(c.Dir, CaseFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var info Info
	if err := json.Unmarshal(b, &info); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if info.ID == "" {
		return fmt.Errorf("%s: no case id", path)
	}
	c.Info = info
	return nil
}

func (c *Case) save() error {
	b, err := json.MarshalIndent(c.Info, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(c.Dir, CaseFile), append(b, '\n'), 0o644)
}

// Ledger returns the case's custody ledger.
func (c *Case) Ledger() *chain.Ledger { return c.ledger }

// Roster returns the examiners on the case as ledger actors.
func (c *Case) Roster() []chain.Actor {
	out := make([]chain.Actor, len(c.Info.Examiners))
	for i, e := range c.Info.Examiners {
		out[i] = e.Actor
	}
	return out
}

// Record appends an entry signed by the examiner, first adding the examiner
// to the roster (an examiner-add entry, then case.json) if they are new to
// the case. It is the one way other packages put actions on the ledger.
func (c *Case) Record(ctx context.Context, id *chain.Identity, e chain.Entry) (*chain.Entry, *chain.Checkpoint, error) {
	if err := c.ensureMember(ctx, id); err != nil {
		return nil, nil, err
	}
	return c.ledger.Append(ctx, id, e)
}

// ensureMember adds id to the roster if it is not on it. The ledger entry is
// written before case.json so that a crash between the two is healed by the
// next action (which finds the key missing from case.json and introduces it
// again) rather than leaving a roster key no entry introduced.
func (c *Case) ensureMember(ctx context.Context, id *chain.Identity) error {
	fl := flock.New(filepath.Join(c.Dir, CustodyDir, "case.lock"))
	if ok, err := fl.TryLockContext(ctx, 5*time.Millisecond); err != nil || !ok {
		return fmt.Errorf("lock case roster: %w", errors.Join(err, ctx.Err()))
	}
	defer fl.Close()
	defer fl.Unlock()
	if err := c.load(); err != nil {
		return err
	}
	for _, e := range c.Info.Examiners {
		if e.Key.Equal(id.Key) {
			return nil
		}
	}
	if _, _, err := c.ledger.Append(ctx, id, chain.Entry{Action: chain.ActionExaminerAdd,
		Attrs: map[string]string{"fingerprint": id.Fingerprint()}}); err != nil {
		return fmt.Errorf("record examiner-add: %w", err)
	}
	c.Info.Examiners = append(c.Info.Examiners, newExaminer(id, c.ledger.Now()))
	return c.save()
}

// Verify verifies the custody ledger against the case roster.
func (c *Case) Verify(ctx context.Context, progress func(done int64)) (*chain.Report, error) {
	if err := c.load(); err != nil {
		return nil, err
	}
	return c.ledger.Verify(ctx, chain.VerifyOptions{Roster: c.Roster(), Progress: progress})
}
