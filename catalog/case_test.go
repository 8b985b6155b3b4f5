package catalog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/hashing"
)

func identity(t *testing.T, id, name string) *chain.Identity {
	t.Helper()
	ident, err := chain.NewIdentity(id, name, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return ident
}

func newCase(t *testing.T, id *chain.Identity) *Case {
	t.Helper()
	c, err := Init(context.Background(), filepath.Join(t.TempDir(), "op"), Info{ID: "OP-1", Title: "Timber"}, id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func verifyOK(t *testing.T, c *Case) *chain.Report {
	t.Helper()
	rep, err := c.Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK {
		t.Fatalf("verify: %v", rep.Problems)
	}
	return rep
}

func TestFind(t *testing.T) {
	c := newCase(t, identity(t, "JD-123", "Jane Doe"))
	deep := filepath.Join(c.Dir, EvidenceDir, "EX-001", "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := Find(deep)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.Abs(c.Dir)
	if got != want {
		t.Fatalf("Find = %s, want %s", got, want)
	}
	if _, err := Find(t.TempDir()); !errors.Is(err, ErrNoCase) {
		t.Fatalf("Find outside a case: %v", err)
	}
	if _, err := Init(context.Background(), c.Dir, Info{ID: "OP-2", Title: "x"}, identity(t, "A", "B"), time.Now()); !errors.Is(err, ErrCaseExists) {
		t.Fatalf("Init over a case: %v", err)
	}
}

func TestRosterGrowsWithTheLedger(t *testing.T) {
	ctx := context.Background()
	jane, amani := identity(t, "JD-123", "Jane Doe"), identity(t, "AM-7", "Amani Mwangi")
	c := newCase(t, jane)
	for _, who := range []*chain.Identity{jane, amani, amani, jane} {
		if _, _, err := c.Record(ctx, who, chain.Entry{Action: chain.ActionNote, Note: "n"}); err != nil {
			t.Fatal(err)
		}
	}
	reopened, err := Open(c.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(reopened.Info.Examiners); n != 2 {
		t.Fatalf("roster has %d examiners, want 2", n)
	}
	if rep := verifyOK(t, reopened); rep.Entries != 6 { // init, note, add, note, note, note
		t.Fatalf("%d entries, want 6", rep.Entries)
	}
}

// TestRosterHealsAfterCrash simulates a crash between the examiner-add
// entry and the case.json update: verify fails until the examiner's next
// action adds them to case.json.
func TestRosterHealsAfterCrash(t *testing.T) {
	ctx := context.Background()
	jane, amani := identity(t, "JD-123", "Jane Doe"), identity(t, "AM-7", "Amani Mwangi")
	c := newCase(t, jane)
	caseJSON, err := os.ReadFile(filepath.Join(c.Dir, CaseFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Record(ctx, amani, chain.Entry{Action: chain.ActionNote}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.Dir, CaseFile), caseJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := c.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK {
		t.Fatal("ledger with a signer missing from the roster verifies")
	}
	if _, _, err := c.Record(ctx, amani, chain.Entry{Action: chain.ActionNote}); err != nil {
		t.Fatal(err)
	}
	verifyOK(t, c)
}

func TestVerifyFiles(t *testing.T) {
	ctx := context.Background()
	jane := identity(t, "JD-123", "Jane Doe")
	c := newCase(t, jane)
	image := filepath.Join(c.Dir, EvidenceDir, "EX-001", "image.raw")
	if err := os.MkdirAll(filepath.Dir(image), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(image, []byte("sector data"), 0o644); err != nil {
		t.Fatal(err)
	}
	fh := hashing.HashFile(ctx, image, hashing.SHA256)
	if fh.Err != nil {
		t.Fatal(fh.Err)
	}
	sum := fh.Sums[hashing.SHA256]
	// A file outside the case folder, named by a hostile relative path,
	// must not be opened.
	outside := filepath.Join(filepath.Dir(c.Dir), "secret")
	if err := os.WriteFile(outside, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Record(ctx, jane, chain.Entry{Action: "acquire", Exhibit: "EX-001",
		Inputs:  []chain.Ref{{Path: "/dev/sdb", SHA256: sum}, {Path: "../secret", SHA256: sum}},
		Outputs: []chain.Ref{{Path: "evidence/EX-001/image.raw", Size: 11, SHA256: sum}}}); err != nil {
		t.Fatal(err)
	}
	status := func() map[string]string {
		checks, err := c.VerifyFiles(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, fc := range checks {
			out[fc.Path] = fc.Status
		}
		return out
	}
	want := map[string]string{"/dev/sdb": FileOutside, "../secret": FileOutside, "evidence/EX-001/image.raw": FileOK}
	for p, s := range status() {
		if want[p] != s {
			t.Errorf("%s: %s, want %s", p, s, want[p])
		}
	}
	if err := os.WriteFile(image, []byte("sector dat4"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s := status()["evidence/EX-001/image.raw"]; s != FileChanged {
		t.Errorf("changed image: %s", s)
	}
	if err := os.Remove(image); err != nil {
		t.Fatal(err)
	}
	if s := status()["evidence/EX-001/image.raw"]; s != FileMissing {
		t.Errorf("removed image: %s", s)
	}
}
