package reports

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/pangolin-forensics/pangolin/acquire"
	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/internal/buildinfo"
)

// Custody is the content of a custody report: everything the case's
// ledger says about each exhibit, the state of the ledger when the report
// was made, and the signed checkpoint it was made at.
type Custody struct {
	Header
	Examiners []Examiner `json:"examiners"`
	Exhibits  []Exhibit  `json:"exhibits"`
	// CaseEntries are the ledger entries about no exhibit (case creation,
	// roster changes, keyword searches, reports).
	CaseEntries []Entry `json:"case_entries"`
	Ledger      Ledger  `json:"ledger"`
	Declaration string  `json:"declaration"`
}

// Header opens every report.
type Header struct {
	// Kind is "custody" or "findings".
	Kind string `json:"kind"`
	// ID names the report: kind, case and generation time.
	ID        string         `json:"id"`
	Generated string         `json:"generated"`
	Case      CaseInfo       `json:"case"`
	Tool      buildinfo.Info `json:"tool"`
	// Examiner made the report.
	Examiner Examiner `json:"examiner"`
	// Checkpoint is the signed checkpoint of the ledger the report was
	// made from (the ledger's first Checkpoint.Size entries).
	Checkpoint *chain.Checkpoint `json:"checkpoint"`
}

// CaseInfo identifies the case.
type CaseInfo struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Agency  string `json:"agency,omitempty"`
	Created string `json:"created"`
}

// Examiner is a roster member.
type Examiner struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Org         string `json:"org,omitempty"`
	Fingerprint string `json:"fingerprint"`
	Added       string `json:"added,omitempty"`
}

// Exhibit is what the ledger records of one exhibit.
type Exhibit struct {
	ID          string   `json:"id"`
	Description string   `json:"description,omitempty"`
	Seals       []Seal   `json:"seals"`
	Acquisition *Acquire `json:"acquisition,omitempty"`
	// Verifications are the verify entries, oldest first.
	Verifications []Verification `json:"verifications"`
	// History is every ledger entry about the exhibit, oldest first.
	History []Entry `json:"history"`
}

// Seal is a seal put on an exhibit.
type Seal struct {
	Number   string `json:"number"`
	Time     string `json:"time"`
	Examiner string `json:"examiner"`
	Seq      int64  `json:"seq"`
}

// Acquire is an exhibit's acquisition: the ledger entry and, when it is
// in the case folder with the SHA-256 the ledger recorded, the full
// acquisition record.
type Acquire struct {
	Seq    int64             `json:"seq"`
	Time   string            `json:"time"`
	Format string            `json:"format,omitempty"`
	Bytes  string            `json:"bytes,omitempty"`
	Hashes map[string]string `json:"hashes"`
	// Segments are the image files written, with size and SHA-256.
	Segments []chain.Ref       `json:"segments"`
	Record   *acquire.Record   `json:"record,omitempty"`
	Problem  string            `json:"record_problem,omitempty"`
	Source   *chain.Ref        `json:"source,omitempty"`
	Attrs    map[string]string `json:"attrs,omitempty"`
}

// Verification is one verify entry.
type Verification struct {
	Seq      int64  `json:"seq"`
	Time     string `json:"time"`
	Examiner string `json:"examiner"`
	// Result is the entry's "result" attribute ("match", "mismatch"...).
	Result string            `json:"result"`
	Attrs  map[string]string `json:"attrs,omitempty"`
}

// Entry is a ledger entry as a report shows it.
type Entry struct {
	Seq      int64             `json:"seq"`
	Time     string            `json:"time"`
	Zone     string            `json:"zone"`
	Examiner string            `json:"examiner"`
	Name     string            `json:"examiner_name"`
	Action   string            `json:"action"`
	Exhibit  string            `json:"exhibit,omitempty"`
	Location string            `json:"location,omitempty"`
	Reason   string            `json:"reason,omitempty"`
	Note     string            `json:"note,omitempty"`
	Attrs    map[string]string `json:"attrs,omitempty"`
	Inputs   []chain.Ref       `json:"inputs,omitempty"`
	Outputs  []chain.Ref       `json:"outputs,omitempty"`
	Tool     string            `json:"tool"`
	Host     string            `json:"host"`
	// Hash is the SHA-256 of the entry's ledger line: what the next
	// entry's prev and the Merkle tree commit to.
	Hash string `json:"hash"`
}

// Ledger is the ledger's state when the report was made.
type Ledger struct {
	OK          bool     `json:"ok"`
	Entries     int64    `json:"entries"`
	Checkpoints int64    `json:"checkpoints"`
	Root        string   `json:"root"`
	Problems    []string `json:"problems,omitempty"`
	Warnings    []string `json:"warnings,omitempty"`
}

// Options are what a report is made from.
type Options struct {
	Case *catalog.Case
	// Identity signs the manifest; it must be on the case roster.
	Identity *chain.Identity
	// Exhibits limits a custody report to these exhibits (all when empty).
	Exhibits []string
	// Tags limits a findings report to artefacts with these tags (all
	// tagged artefacts when empty).
	Tags []string
	Now  time.Time
}

// ErrLedger is returned (wrapped) when the ledger fails verification: a
// report is not made from a ledger that does not verify.
var ErrLedger = errors.New("custody ledger failed verification")

// ledgerState verifies the ledger, reads its head checkpoint and returns
// its entries up to that checkpoint, which the report is made at.
func ledgerState(ctx context.Context, cs *catalog.Case) (Ledger, *chain.Checkpoint, []*chain.Entry, error) {
	rep, err := cs.Verify(ctx, nil)
	if err != nil {
		return Ledger{}, nil, nil, err
	}
	st := Ledger{OK: rep.OK, Entries: rep.Entries, Checkpoints: rep.Checkpoints, Root: rep.Root.String(), Warnings: rep.Warnings}
	for _, p := range rep.Problems {
		st.Problems = append(st.Problems, p.String())
	}
	if !rep.OK {
		return st, nil, nil, fmt.Errorf("%s: %w: %s (run 'pangolin custody verify')", cs.Ledger().Path(), ErrLedger, rep.First())
	}
	head, err := cs.Ledger().Head(ctx, cs.Roster())
	if err != nil {
		return st, nil, nil, err
	}
	if head == nil {
		return st, nil, nil, fmt.Errorf("%s: the ledger has no checkpoint", cs.Ledger().Path())
	}
	var entries []*chain.Entry
	for e, err := range cs.Ledger().Entries(ctx) {
		if err != nil {
			return st, nil, nil, err
		}
		if e.Seq > head.Size {
			break
		}
		entries = append(entries, e)
	}
	return st, head, entries, nil
}

// header fills the parts every report shares.
func header(kind string, o Options, head *chain.Checkpoint) Header {
	now := o.Now.UTC()
	info := o.Case.Info
	return Header{
		Kind:       kind,
		ID:         fmt.Sprintf("%s-%s-%s", kind, info.ID, now.Format("20060102T150405Z")),
		Generated:  now.Format(time.RFC3339Nano),
		Case:       CaseInfo{ID: info.ID, Title: info.Title, Agency: info.Agency, Created: info.Created},
		Tool:       buildinfo.Get(),
		Examiner:   Examiner{ID: o.Identity.ID, Name: o.Identity.Name, Org: o.Identity.Org, Fingerprint: o.Identity.Fingerprint()},
		Checkpoint: head,
	}
}

// BuildCustody reads the case's ledger and acquisition records into a
// custody report. It fails when the ledger does not verify.
func BuildCustody(ctx context.Context, o Options) (*Custody, error) {
	st, head, entries, err := ledgerState(ctx, o.Case)
	if err != nil {
		return nil, err
	}
	r := &Custody{Header: header("custody", o, head), Ledger: st, Exhibits: []Exhibit{}, CaseEntries: []Entry{}}
	for _, ex := range o.Case.Info.Examiners {
		r.Examiners = append(r.Examiners, Examiner{ID: ex.ID, Name: ex.Name, Org: ex.Org, Fingerprint: ex.Fingerprint, Added: ex.Added})
	}
	byID := map[string]int{}
	for _, e := range entries {
		re := reportEntry(e)
		if e.Exhibit == "" {
			r.CaseEntries = append(r.CaseEntries, re)
			continue
		}
		if len(o.Exhibits) > 0 && !slices.Contains(o.Exhibits, e.Exhibit) {
			continue
		}
		i, ok := byID[e.Exhibit]
		if !ok {
			i = len(r.Exhibits)
			byID[e.Exhibit] = i
			r.Exhibits = append(r.Exhibits, Exhibit{ID: e.Exhibit, Seals: []Seal{}, Verifications: []Verification{}})
		}
		x := &r.Exhibits[i]
		x.History = append(x.History, re)
		switch e.Action {
		case "acquire":
			if x.Description == "" {
				x.Description = e.Note
			}
			x.Acquisition = acquisition(ctx, o.Case.Dir, e)
		case "verify":
			x.Verifications = append(x.Verifications, Verification{Seq: e.Seq, Time: e.Time, Examiner: e.Actor.ID, Result: e.Attrs["result"], Attrs: e.Attrs})
		case chain.ActionSeal:
			x.Seals = append(x.Seals, Seal{Number: e.Attrs["seal_no"], Time: e.Time, Examiner: e.Actor.ID, Seq: e.Seq})
		}
	}
	for _, want := range o.Exhibits {
		if _, ok := byID[want]; !ok {
			return nil, fmt.Errorf("exhibit %s: the custody ledger has no entry about it", want)
		}
	}
	r.Declaration = declaration(r.Examiner, r.Case, head)
	return r, nil
}

// declaration is the examiner's statement printed above the signature
// block.
func declaration(ex Examiner, c CaseInfo, head *chain.Checkpoint) string {
	return fmt.Sprintf("I, %s (examiner id %s, key fingerprint %s), declare that this report was generated by pangolin "+
		"from the custody ledger of case %s, which verified in full when the report was made, and that it reproduces every "+
		"ledger entry up to and including entry %d, signed as checkpoint %s at %s.",
		ex.Name, ex.ID, ex.Fingerprint, c.ID, head.Size, head.Root, head.Time.UTC().Format(time.RFC3339))
}

// reportEntry converts a ledger entry.
func reportEntry(e *chain.Entry) Entry {
	return Entry{
		Seq: e.Seq, Time: e.Time, Zone: e.Zone, Examiner: e.Actor.ID, Name: e.Actor.Name, Action: e.Action,
		Exhibit: e.Exhibit, Location: e.Attrs["location"], Reason: e.Attrs["reason"], Note: e.Note, Attrs: e.Attrs,
		Inputs: e.Inputs, Outputs: e.Outputs, Tool: e.Tool.Name + " " + e.Tool.Version, Host: e.Host, Hash: entryHash(e),
	}
}

// acquisition reads an acquire entry and the acquisition record it wrote,
// checking the record against the SHA-256 the ledger holds.
func acquisition(ctx context.Context, dir string, e *chain.Entry) *Acquire {
	a := &Acquire{Seq: e.Seq, Time: e.Time, Format: e.Attrs["format"], Bytes: e.Attrs["bytes"], Hashes: map[string]string{}, Attrs: e.Attrs, Segments: []chain.Ref{}}
	for _, k := range []string{"md5", "sha1", "sha256"} {
		if v := e.Attrs[k]; v != "" {
			a.Hashes[k] = v
		}
	}
	if len(e.Inputs) > 0 {
		a.Source = &e.Inputs[0]
	}
	for _, out := range e.Outputs {
		if path.Base(out.Path) != acquire.RecordFile {
			a.Segments = append(a.Segments, out)
			continue
		}
		p, err := checkedFile(ctx, dir, out)
		if err != nil {
			a.Problem = err.Error()
			continue
		}
		if a.Record, err = acquire.ReadRecord(p); err != nil {
			a.Problem = err.Error()
		}
	}
	return a
}

// checkedFile returns the path of a file the ledger names (relative to
// the case folder) after checking that it still has the SHA-256 the
// ledger recorded: a report shows nothing from a file that changed.
func checkedFile(ctx context.Context, dir string, ref chain.Ref) (string, error) {
	rel := filepath.FromSlash(ref.Path)
	if !filepath.IsLocal(rel) {
		return "", fmt.Errorf("%s: not a path inside the case folder", ref.Path)
	}
	p := filepath.Join(dir, rel)
	h := hashing.HashFile(ctx, p, hashing.SHA256)
	switch {
	case errors.Is(h.Err, fs.ErrNotExist):
		return "", fmt.Errorf("%s is missing", ref.Path)
	case h.Err != nil:
		return "", h.Err
	case h.Sums[hashing.SHA256] != ref.SHA256:
		return "", fmt.Errorf("%s has SHA-256 %s, the ledger recorded %s", ref.Path, h.Sums[hashing.SHA256], ref.SHA256)
	}
	return p, nil
}

// entryHash is e.Hash; an entry read from a verified ledger always
// encodes, so an error leaves the hash empty.
func entryHash(e *chain.Entry) string {
	h, _ := e.Hash()
	return h
}
