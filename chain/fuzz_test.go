package chain

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// seedLedger returns the lines of a small valid ledger and its checkpoints.
func seedLedger(f *testing.F) (ledger, checkpoints []byte, roster []Actor) {
	tl := buildLedger(f, f.TempDir(), newIdentity(f, "JD-123", "Jane Doe"), newIdentity(f, "AM-7", "Amani Mwangi"), 8, nil)
	return tl.read(f, LedgerFile), tl.read(f, CheckpointsFile), tl.roster()
}

// FuzzParseEntry: any bytes either parse to an entry whose canonical
// encoding is exactly the input, or give an error and no entry.
func FuzzParseEntry(f *testing.F) {
	ledger, _, _ := seedLedger(f)
	for _, line := range bytes.Split(bytes.TrimSpace(ledger), []byte("\n")) {
		f.Add(line)
	}
	f.Add([]byte(`{"seq":1}`))
	f.Add([]byte(`{"seq":1,"seq":2}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		e, err := ParseEntry(line)
		if err != nil {
			if e != nil {
				t.Fatal("entry returned with error")
			}
			return
		}
		again, err := marshal(e)
		if err != nil || !bytes.Equal(again, line) {
			t.Fatalf("accepted non-canonical line %q", line)
		}
		if want, err := e.signedPart(); err != nil || len(e.Sig) > 0 && !bytes.Equal(signedPart(line), want) {
			t.Fatalf("signed part cut from the line differs from the encoding without sig")
		}
		if ok := verifySigs([]sigItem{{e.Actor.Key, signedPart(line), e.Sig}})[0]; ok != e.VerifySig() {
			t.Fatalf("batch verification says %v, crypto/ed25519 the opposite", ok)
		}
	})
}

// FuzzOpenCheckpoint: a checkpoints-file line never panics the parser, and
// one that parses re-parses to the same head.
func FuzzOpenCheckpoint(f *testing.F) {
	_, cps, roster := seedLedger(f)
	for _, line := range bytes.Split(bytes.TrimSpace(cps), []byte("\n")) {
		f.Add(line)
	}
	keys := newRosterKeys(roster)
	f.Fuzz(func(t *testing.T, line []byte) {
		peeked, perr := peekCheckpoint(line)
		msg, err := decodeCheckpointLine(line)
		if err != nil {
			return
		}
		cp, _, err := parseSignedCheckpoint(msg, keys)
		if err != nil {
			return
		}
		if perr != nil || peeked.Size != cp.Size || peeked.Root != cp.Root {
			t.Fatalf("verified checkpoint peeks differently: %v", perr)
		}
	})
}

// FuzzVerify: verification of arbitrary ledger and checkpoint files ends
// with a report, never a panic, and passes only for the seed or a prefix
// of it (an earlier state of the same ledger).
func FuzzVerify(f *testing.F) {
	ledger, cps, roster := seedLedger(f)
	f.Add(ledger, cps)
	f.Add(ledger[:len(ledger)/2], cps)
	f.Add([]byte("{}\n\n\n"), []byte("{\"note\":\"x\"}\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, l, c []byte) {
		d, err := os.MkdirTemp(dir, "v")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(d)
		if err := os.WriteFile(filepath.Join(d, LedgerFile), l, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, CheckpointsFile), c, 0o644); err != nil {
			t.Fatal(err)
		}
		lg, err := Open(d, "OP-THUNDER")
		if err != nil {
			t.Fatal(err)
		}
		rep, err := lg.Verify(context.Background(), VerifyOptions{Roster: roster})
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK && !(bytes.HasPrefix(ledger, l) && bytes.HasPrefix(cps, c)) {
			t.Fatalf("altered ledger verifies")
		}
	})
}
