package chain

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeClock returns a clock that advances one second per call.
func fakeClock() func() time.Time {
	t := time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.FixedZone("EAT", 3*3600))
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

func newIdentity(t testing.TB, id, name string) *Identity {
	t.Helper()
	ident, err := NewIdentity(id, name, "Wildlife Service", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return ident
}

// testLedger is a ledger with its examiners.
type testLedger struct {
	*Ledger
	dir         string
	a, b        *Identity
	checkpoints []*Checkpoint
}

func (tl *testLedger) roster() []Actor { return []Actor{tl.a.Actor, tl.b.Actor} }

func (tl *testLedger) read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(tl.dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (tl *testLedger) write(t testing.TB, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(tl.dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// buildLedger appends n entries of every kind pangolin records, by two
// examiners, with the same clock each time so that two builds with the same
// identities produce the same bytes.
func buildLedger(t testing.TB, dir string, a, b *Identity, n int, edit func(i int, e *Entry)) *testLedger {
	t.Helper()
	l, err := Open(dir, "OP-THUNDER")
	if err != nil {
		t.Fatal(err)
	}
	l.Now = fakeClock()
	tl := &testLedger{Ledger: l, dir: dir, a: a, b: b}
	ctx := context.Background()
	for i := range n {
		who := a
		var e Entry
		switch {
		case i == 0:
			e = Entry{Action: ActionCaseInit, Note: "case opened", Attrs: map[string]string{"case_id": "OP-THUNDER", "title": "Ivory <export> & \"timber\"", "sig": ",\"sig\":\""}}
		case i == 5:
			who, e = b, Entry{Action: ActionExaminerAdd}
		case i%4 == 1:
			e = Entry{Action: ActionSeal, Exhibit: "EX-001", Attrs: map[string]string{"seal_no": fmt.Sprintf("S%03d", i)}}
		case i%4 == 2:
			e = Entry{Action: ActionTransfer, Exhibit: "EX-001", Attrs: map[string]string{"to": "Evidence room/ER-7", "reason": "storage", "location": "Mombasa"}}
		case i%4 == 3:
			e = Entry{Action: "acquire", Exhibit: "EX-002",
				Inputs:  []Ref{{Path: "/dev/sdb", Size: 1 << 30, SHA256: strings.Repeat("ab", 32)}},
				Outputs: []Ref{{Path: "evidence/EX-002/image.E01", Size: 123456, SHA256: strings.Repeat("cd", 32)}}}
		default:
			e = Entry{Action: ActionNote, Exhibit: "EX-001", Note: fmt.Sprintf("note %d: 象牙 pembe ngà voi", i)}
		}
		if i > 5 && i%3 == 0 {
			who = b
		}
		if edit != nil {
			edit(i, &e)
		}
		_, cp, err := l.Append(ctx, who, e)
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		tl.checkpoints = append(tl.checkpoints, cp)
	}
	return tl
}

func verify(t testing.TB, tl *testLedger, roster []Actor) *Report {
	t.Helper()
	rep, err := tl.Verify(context.Background(), VerifyOptions{Roster: roster})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func wantBad(t *testing.T, rep *Report, seq int64) {
	t.Helper()
	if rep.OK {
		t.Fatalf("verify passed, want failure at entry %d", seq)
	}
	if rep.FirstBad != seq {
		t.Fatalf("first bad entry %d, want %d; problems: %v", rep.FirstBad, seq, rep.Problems)
	}
}

func splitLines(b []byte) [][]byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// valueSpans returns the byte span of each top-level field's value in a
// ledger line.
func valueSpans(t testing.TB, line []byte) map[string][2]int {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(line))
	spans := map[string][2]int{}
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var raw json.RawMessage
		start := int(dec.InputOffset())
		if err := dec.Decode(&raw); err != nil {
			t.Fatal(err)
		}
		end := int(dec.InputOffset())
		// InputOffset before Decode points at the colon.
		start = start + bytes.Index(line[start:end], raw)
		spans[k.(string)] = [2]int{start, start + len(raw)}
	}
	return spans
}

const matrixSize = 24

func TestVerifyUntouched(t *testing.T) {
	tl := buildLedger(t, t.TempDir(), newIdentity(t, "JD-123", "Jane Doe"), newIdentity(t, "AM 7", "Amani Mwangi"), matrixSize, nil)
	rep := verify(t, tl, tl.roster())
	if !rep.OK || rep.Entries != matrixSize || rep.Checkpoints != matrixSize {
		t.Fatalf("untouched ledger: ok=%v entries=%d checkpoints=%d problems=%v", rep.OK, rep.Entries, rep.Checkpoints, rep.Problems)
	}
	if rep.Head == nil || rep.Head.Size != matrixSize || rep.Head.Root != rep.Root {
		t.Fatalf("head %+v does not match root %v", rep.Head, rep.Root)
	}
}

// TestTamperMatrix changes one byte in every field of every entry (at the
// start, middle and end of the value) and checks that verify names that
// entry.
func TestTamperMatrix(t *testing.T) {
	tl := buildLedger(t, t.TempDir(), newIdentity(t, "JD-123", "Jane Doe"), newIdentity(t, "AM-7", "Amani Mwangi"), matrixSize, nil)
	orig := tl.read(t, LedgerFile)
	lines := splitLines(orig)
	fields := map[string]bool{}
	for p, line := range lines {
		body := line[:len(line)-1]
		for field, span := range valueSpans(t, body) {
			fields[field] = true
			for _, at := range []int{span[0], (span[0] + span[1]) / 2, span[1] - 1} {
				name := fmt.Sprintf("entry%d/%s/byte%d", p+1, field, at)
				mutated := bytes.Clone(orig)
				off := bytes.Index(orig, body) + at
				mutated[off] = flip(mutated[off])
				tl.write(t, LedgerFile, mutated)
				rep := verify(t, tl, tl.roster())
				if rep.OK || rep.FirstBad != int64(p+1) {
					t.Errorf("%s: ok=%v first bad %d, want %d (%v)", name, rep.OK, rep.FirstBad, p+1, rep.First())
				}
			}
		}
	}
	for _, f := range []string{"seq", "time", "zone", "actor", "action", "exhibit", "inputs", "outputs", "note", "attrs", "tool", "host", "prev", "sig"} {
		if !fields[f] {
			t.Errorf("matrix never changed field %q", f)
		}
	}
}

// flip returns a different byte of the same class where possible, so that
// most changes keep the JSON well-formed and reach the deeper checks.
func flip(c byte) byte {
	switch {
	case c >= '0' && c < '9', c >= 'a' && c < 'z', c >= 'A' && c < 'Z':
		return c + 1
	case c == '9':
		return '0'
	case c == 'z':
		return 'a'
	case c == 'Z':
		return 'A'
	}
	return c ^ 1
}

func TestTamperStructure(t *testing.T) {
	a, b := newIdentity(t, "JD-123", "Jane Doe"), newIdentity(t, "AM-7", "Amani Mwangi")
	tl := buildLedger(t, t.TempDir(), a, b, matrixSize, nil)
	orig := tl.read(t, LedgerFile)
	origCP := tl.read(t, CheckpointsFile)
	lines := splitLines(orig)
	join := func(ls [][]byte) []byte { return bytes.Join(ls, nil) }
	without := func(i int) []byte {
		return join(append(append([][]byte{}, lines[:i]...), lines[i+1:]...))
	}
	forge := func(t *testing.T, who *Identity, seq int64, prev []byte) []byte {
		e := Entry{Seq: seq, Time: "2026-03-01T05:00:30Z", Zone: "UTC +00:00", Actor: who.Actor, Action: ActionNote,
			Exhibit: "EX-001", Note: "forged", Tool: Tool{Name: "pangolin"}, Host: "x", Prev: LineHash(bytes.TrimSuffix(prev, []byte("\n")))}
		line, err := e.sign(who.private)
		if err != nil {
			t.Fatal(err)
		}
		return append(line, '\n')
	}
	mallory := newIdentity(t, "MX-1", "Mallory")
	tests := []struct {
		name   string
		ledger func(t *testing.T) []byte
		cps    []byte
		want   int64
	}{
		{"delete first", func(*testing.T) []byte { return without(0) }, nil, 1},
		{"delete middle", func(*testing.T) []byte { return without(10) }, nil, 11},
		{"delete last", func(*testing.T) []byte { return without(matrixSize - 1) }, nil, matrixSize},
		{"insert foreign key", func(t *testing.T) []byte {
			ls := append(append(append([][]byte{}, lines[:7]...), forge(t, mallory, 8, lines[6])), lines[7:]...)
			return join(ls)
		}, nil, 8},
		{"insert roster key, correct prev", func(t *testing.T) []byte {
			ls := append(append(append([][]byte{}, lines[:7]...), forge(t, a, 8, lines[6])), lines[7:]...)
			return join(ls)
		}, nil, 8},
		{"append roster key, correct prev, no checkpoint", func(t *testing.T) []byte {
			return join(append(append([][]byte{}, lines...), forge(t, a, matrixSize+1, lines[matrixSize-1])))
		}, nil, matrixSize + 1},
		{"swap two", func(*testing.T) []byte {
			ls := append([][]byte{}, lines...)
			ls[12], ls[13] = ls[13], ls[12]
			return join(ls)
		}, nil, 13},
		{"truncate last entry mid-line", func(*testing.T) []byte {
			return orig[:len(orig)-len(lines[matrixSize-1])/2]
		}, nil, matrixSize},
		{"truncate last entry's newline", func(*testing.T) []byte { return orig[:len(orig)-1] }, nil, matrixSize},
		{"line over the size limit", func(*testing.T) []byte {
			huge := append(append([]byte(`{"note":"`), bytes.Repeat([]byte("a"), 3*MaxLineSize/2)...), "\"}\n"...)
			ls := append(append(append([][]byte{}, lines[:4]...), huge), lines[5:]...)
			return join(ls)
		}, nil, 5},
	}
	// A consistent rewrite of the whole ledger under another key: every
	// entry, chain link and signature valid, only the key differs.
	rewritten := buildLedger(t, t.TempDir(), mallory, newIdentity(t, "MX-2", "Mallet"), matrixSize, nil)
	tests = append(tests,
		struct {
			name   string
			ledger func(t *testing.T) []byte
			cps    []byte
			want   int64
		}{"rewrite under another key", func(*testing.T) []byte { return rewritten.read(t, LedgerFile) }, nil, 1},
		struct {
			name   string
			ledger func(t *testing.T) []byte
			cps    []byte
			want   int64
		}{"rewrite under another key, checkpoints too", func(*testing.T) []byte { return rewritten.read(t, LedgerFile) }, rewritten.read(t, CheckpointsFile), 1},
	)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl.write(t, LedgerFile, tc.ledger(t))
			cps := origCP
			if tc.cps != nil {
				cps = tc.cps
			}
			tl.write(t, CheckpointsFile, cps)
			wantBad(t, verify(t, tl, tl.roster()), tc.want)
		})
	}

	// A rewrite by the examiner who holds the key (same roster, one entry's
	// note changed and everything after re-signed) is caught by the
	// checkpoints signed before the rewrite.
	t.Run("rewrite by key holder", func(t *testing.T) {
		forged := buildLedger(t, t.TempDir(), a, b, matrixSize, func(i int, e *Entry) {
			if i == 9 {
				e.Note = "rewritten"
			}
		})
		tl.write(t, LedgerFile, forged.read(t, LedgerFile))
		tl.write(t, CheckpointsFile, origCP)
		wantBad(t, verify(t, tl, tl.roster()), 10)
	})
	t.Run("checkpoint line removed", func(t *testing.T) {
		tl.write(t, LedgerFile, orig)
		cl := splitLines(origCP)
		tl.write(t, CheckpointsFile, bytes.Join(append(append([][]byte{}, cl[:4]...), cl[5:]...), nil))
		wantBad(t, verify(t, tl, tl.roster()), 5)
	})
	t.Run("roster key never introduced", func(t *testing.T) {
		tl.write(t, LedgerFile, orig)
		tl.write(t, CheckpointsFile, origCP)
		rep := verify(t, tl, append(tl.roster(), mallory.Actor))
		if rep.OK {
			t.Fatal("verify passed with an unintroduced roster key")
		}
	})
	t.Run("untouched again", func(t *testing.T) {
		tl.write(t, LedgerFile, orig)
		tl.write(t, CheckpointsFile, origCP)
		if rep := verify(t, tl, tl.roster()); !rep.OK {
			t.Fatalf("restored ledger fails: %v", rep.Problems)
		}
	})
}

func TestProve(t *testing.T) {
	a, b := newIdentity(t, "JD-123", "Jane Doe"), newIdentity(t, "AM-7", "Amani Mwangi")
	tl := buildLedger(t, t.TempDir(), a, b, matrixSize, nil)
	ctx := context.Background()
	for _, cp := range tl.checkpoints {
		p, err := tl.Prove(ctx, []byte(cp.Note), tl.roster())
		if err != nil {
			t.Fatal(err)
		}
		if !p.OK {
			t.Fatalf("checkpoint at size %d: %s", cp.Size, p.Reason)
		}
	}
	// Checkpoints of a ledger rewritten by the key holder, and of one
	// rewritten under another key, do not prove.
	sameKey := buildLedger(t, t.TempDir(), a, b, matrixSize, func(i int, e *Entry) {
		if i == 3 {
			e.Exhibit = "EX-009"
		}
	})
	otherKey := buildLedger(t, t.TempDir(), newIdentity(t, "JD-123", "Jane Doe"), b, matrixSize, nil)
	for name, cps := range map[string][]*Checkpoint{"same key": sameKey.checkpoints, "other key": otherKey.checkpoints} {
		for _, size := range []int{4, 12, matrixSize} {
			p, err := tl.Prove(ctx, []byte(cps[size-1].Note), tl.roster())
			if err != nil {
				t.Fatal(err)
			}
			if p.OK {
				t.Errorf("%s: checkpoint of a rewritten ledger at size %d proved", name, size)
			}
		}
	}
	// A checkpoint of the same ledger before it was rewritten at entry 4
	// proves for sizes below 4 only.
	for _, size := range []int{1, 3} {
		p, _ := tl.Prove(ctx, []byte(sameKey.checkpoints[size-1].Note), tl.roster())
		if !p.OK {
			t.Errorf("common prefix of size %d does not prove: %s", size, p.Reason)
		}
	}
	// After a truncation, the old checkpoint no longer proves.
	lines := splitLines(tl.read(t, LedgerFile))
	tl.write(t, LedgerFile, bytes.Join(lines[:matrixSize-2], nil))
	p, _ := tl.Prove(ctx, []byte(tl.checkpoints[matrixSize-1].Note), tl.roster())
	if p.OK {
		t.Error("checkpoint proved against a truncated ledger")
	}
}

func TestTornWriteAndRepair(t *testing.T) {
	a, b := newIdentity(t, "JD-123", "Jane Doe"), newIdentity(t, "AM-7", "Amani Mwangi")
	ctx := context.Background()
	cases := []struct {
		name   string
		damage func(tl *testLedger)
		moved  int
	}{
		{"torn ledger line", func(tl *testLedger) {
			f, _ := os.OpenFile(filepath.Join(tl.dir, LedgerFile), os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString(`{"seq":21,"time":"2026-03-01T05:00`)
			f.Close()
		}, 0},
		{"entry without checkpoint", func(tl *testLedger) {
			lines := splitLines(tl.read(t, CheckpointsFile))
			tl.write(t, CheckpointsFile, bytes.Join(lines[:len(lines)-1], nil))
		}, 1},
		{"torn checkpoint line", func(tl *testLedger) {
			cp := tl.read(t, CheckpointsFile)
			tl.write(t, CheckpointsFile, cp[:len(cp)-40])
		}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tl := buildLedger(t, t.TempDir(), a, b, 20, nil)
			tc.damage(tl)
			rep := verify(t, tl, tl.roster())
			if rep.OK {
				t.Fatal("damaged ledger verifies")
			}
			if _, _, err := tl.Append(ctx, a, Entry{Action: ActionNote, Note: "after damage"}); !errors.Is(err, ErrDamaged) {
				t.Fatalf("append on damaged ledger: %v, want ErrDamaged", err)
			}
			res, err := tl.Repair(ctx, a, tl.roster())
			if err != nil {
				t.Fatal(err)
			}
			if !res.Repaired || res.MovedEntries != tc.moved || len(res.Files) == 0 {
				t.Fatalf("repair result %+v", res)
			}
			for _, f := range res.Files {
				if _, err := os.Stat(filepath.Join(filepath.Dir(tl.dir), filepath.FromSlash(f.Path))); err != nil {
					t.Errorf("moved bytes: %v", err)
				}
			}
			if rep := verify(t, tl, tl.roster()); !rep.OK {
				t.Fatalf("after repair: %v", rep.Problems)
			}
			if _, _, err := tl.Append(ctx, a, Entry{Action: ActionNote, Note: "after repair"}); err != nil {
				t.Fatal(err)
			}
			if rep := verify(t, tl, tl.roster()); !rep.OK {
				t.Fatalf("after repair and append: %v", rep.Problems)
			}
		})
	}
	t.Run("tampering is not repaired", func(t *testing.T) {
		tl := buildLedger(t, t.TempDir(), a, b, 20, nil)
		lines := splitLines(tl.read(t, LedgerFile))
		lines[4], lines[5] = lines[5], lines[4]
		tl.write(t, LedgerFile, bytes.Join(lines, nil))
		before := tl.read(t, LedgerFile)
		if _, err := tl.Repair(ctx, a, tl.roster()); !errors.Is(err, ErrNotRepairable) {
			t.Fatalf("repair of a reordered ledger: %v", err)
		}
		if !bytes.Equal(before, tl.read(t, LedgerFile)) {
			t.Fatal("refused repair changed the ledger")
		}
	})
	t.Run("truncation is not repaired", func(t *testing.T) {
		tl := buildLedger(t, t.TempDir(), a, b, 20, nil)
		lines := splitLines(tl.read(t, LedgerFile))
		tl.write(t, LedgerFile, bytes.Join(lines[:18], nil))
		if _, err := tl.Repair(ctx, a, tl.roster()); !errors.Is(err, ErrNotRepairable) {
			t.Fatalf("repair of a truncated ledger: %v", err)
		}
	})
	t.Run("nothing to repair", func(t *testing.T) {
		tl := buildLedger(t, t.TempDir(), a, b, 8, nil)
		res, err := tl.Repair(ctx, a, tl.roster())
		if err != nil || res.Repaired {
			t.Fatalf("repair of an intact ledger: %+v, %v", res, err)
		}
	})
}

// TestStaleCache checks that a lost or wrong tree cache costs only a
// rebuild.
func TestStaleCache(t *testing.T) {
	a, b := newIdentity(t, "JD-123", "Jane Doe"), newIdentity(t, "AM-7", "Amani Mwangi")
	tl := buildLedger(t, t.TempDir(), a, b, 10, nil)
	for _, junk := range []string{"", "{", `{"size":10,"roots":["AAAA"]}`, `{"size":3,"roots":[]}`} {
		tl.write(t, cacheFile, []byte(junk))
		if _, _, err := tl.Append(context.Background(), a, Entry{Action: ActionNote, Note: "x"}); err != nil {
			t.Fatalf("cache %q: %v", junk, err)
		}
	}
	if rep := verify(t, tl, tl.roster()); !rep.OK {
		t.Fatal(rep.Problems)
	}
}
