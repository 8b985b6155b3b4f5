package chain

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// TestJSONFields pins the field names of everything chain writes or
// returns as JSON: they are an API (the ledger format, --json output) and
// may gain fields but never rename them.
func TestJSONFields(t *testing.T) {
	full := Entry{Seq: 1, Time: "t", Zone: "z", Actor: Actor{ID: "i", Name: "n", Org: "o", Key: make([]byte, 32)},
		Action: "a", Exhibit: "e", Inputs: []Ref{{"p", 1, "h"}}, Outputs: []Ref{{"p", 1, "h"}}, Note: "n",
		Attrs: map[string]string{"k": "v"}, Tool: Tool{"n", "v", "g", "o"}, Host: "h", Prev: "p", Sig: []byte{1}}
	tests := []struct {
		name string
		v    any
		want []string
	}{
		{"entry", full, []string{"seq", "time", "zone", "actor", "action", "exhibit", "inputs", "outputs", "note", "attrs", "tool", "host", "prev", "sig"}},
		{"actor", full.Actor, []string{"id", "name", "org", "key"}},
		{"ref", full.Inputs[0], []string{"path", "size", "sha256"}},
		{"tool", full.Tool, []string{"name", "version", "go", "os"}},
		{"checkpoint", Checkpoint{}, []string{"origin", "size", "root", "time", "signer", "note"}},
		{"report", Report{FirstBad: 1, Problems: []Problem{{}}, MoreProblems: 1, Warnings: []string{""}, Head: &Checkpoint{}},
			[]string{"ok", "entries", "checkpoints", "first_bad", "problems", "more_problems", "warnings", "root", "head"}},
		{"problem", Problem{}, []string{"seq", "kind", "detail"}},
		{"proof", Proof{Reason: "r", Old: &Checkpoint{}, New: &Checkpoint{}, Hashes: make([]tlog.Hash, 1)}, []string{"ok", "reason", "old", "new", "hashes"}},
		{"repair", RepairResult{Files: []Ref{{}}, Entry: &Entry{}}, []string{"repaired", "moved_entries", "files", "entry"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.Token()
			for dec.More() {
				k, _ := dec.Token()
				keys = append(keys, k.(string))
				var skip json.RawMessage
				dec.Decode(&skip)
			}
			if !slices.Equal(keys, tc.want) {
				t.Errorf("fields %v, want %v", keys, tc.want)
			}
		})
	}
}

func TestEntryHashIsNextPrev(t *testing.T) {
	dir := t.TempDir()
	id := newIdentity(t, "EX1", "Amina Otieno")
	l, err := Open(dir, "CASE-1")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, action := range []string{ActionCaseInit, ActionNote, ActionNote} {
		if _, _, err := l.Append(ctx, id, Entry{Action: action, Note: "ünïcode <note>", Attrs: map[string]string{"k": "v"}}); err != nil {
			t.Fatal(err)
		}
	}
	var prev *Entry
	for e, err := range l.Entries(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil {
			h, err := prev.Hash()
			if err != nil {
				t.Fatal(err)
			}
			if h != e.Prev {
				t.Errorf("entry %d: Hash %s, next entry's prev %s", prev.Seq, h, e.Prev)
			}
		}
		prev = e
	}
}
