package cmd

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
)

// NewCmdCustody builds `pangolin custody`.
func NewCmdCustody(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "custody",
		Short: "Read, add to and verify the case's custody ledger",
		Long: `The custody ledger records every action on the case's evidence: who, what,
when, where, with which tool, and the hashes of what was read and written.
Each entry is signed by the examiner and chained to the one before; a Merkle
tree over all entries is signed after every append (a checkpoint), so any
edit, deletion, insertion, reordering or truncation is detected by
'pangolin custody verify', and a checkpoint handed to a prosecutor proves
later that history was not rewritten ('pangolin custody prove').`,
	}
	c.AddCommand(
		newCmdCustodyLog(f),
		newCmdCustodyNote(f),
		newCmdCustodyTransfer(f),
		newCmdCustodySeal(f),
		newCmdCustodyCheckpoint(f),
		newCmdCustodyVerify(f),
		newCmdCustodyProve(f),
		newCmdCustodyRepair(f),
	)
	return c
}

// entryLine is one line of `custody log --json`.
type entryLine struct {
	MessageType string `json:"message_type"`
	*chain.Entry
}

func newCmdCustodyLog(f *Factory) *cobra.Command {
	var exhibit string
	c := &cobra.Command{
		Use:   "log [--exhibit EX]",
		Short: "List custody entries, oldest first",
		Long: `Lists the ledger's entries, oldest first. Times are UTC with the zone of the
examiner's machine as recorded. With --json, prints one JSON object a line
(message_type "entry"). The listing does not verify; use 'custody verify'.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			cs, err := f.Case()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
			if !f.JSON {
				fmt.Fprintln(tw, "SEQ\tTIME (UTC)\tZONE\tEXAMINER\tACTION\tEXHIBIT\tDETAILS")
			}
			for e, err := range cs.Ledger().Entries(c.Context()) {
				if err != nil {
					return err
				}
				if exhibit != "" && e.Exhibit != exhibit {
					continue
				}
				if f.JSON {
					if err := writeJSONLine(f, entryLine{"entry", e}); err != nil {
						return err
					}
					continue
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.Time, clean(e.Zone), clean(e.Actor.ID),
					clean(e.Action), clean(e.Exhibit), details(e))
			}
			return tw.Flush()
		},
	}
	c.Flags().StringVar(&exhibit, "exhibit", "", "only entries about this exhibit")
	return c
}

// details summarises an entry's note, attributes and files on one line.
func details(e *chain.Entry) string {
	var parts []string
	if e.Note != "" {
		parts = append(parts, clean(e.Note))
	}
	for _, k := range slices.Sorted(maps.Keys(e.Attrs)) {
		parts = append(parts, clean(k)+"="+clean(e.Attrs[k]))
	}
	for _, r := range e.Inputs {
		parts = append(parts, "in:"+clean(r.Path))
	}
	for _, r := range e.Outputs {
		parts = append(parts, "out:"+clean(r.Path))
	}
	return strings.Join(parts, "; ")
}

// clean makes a string from the ledger or evidence safe for a terminal:
// control characters are shown escaped, never sent to the terminal.
func clean(s string) string {
	if strings.IndexFunc(s, needsEscape) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n':
			b.WriteByte(' ')
		case needsEscape(r):
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// needsEscape reports the characters clean changes: controls (C0, DEL,
// C1), which could move the cursor or rewrite a terminal's screen.
func needsEscape(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// recorded prints the entry an action added.
func recorded(f *Factory, e *chain.Entry, cp *chain.Checkpoint) error {
	if f.JSON {
		return writeJSON(f, struct {
			Entry      *chain.Entry      `json:"entry"`
			Checkpoint *chain.Checkpoint `json:"checkpoint"`
		}{e, cp})
	}
	ex := ""
	if e.Exhibit != "" {
		ex = " for " + clean(e.Exhibit)
	}
	_, err := fmt.Fprintf(f.IO.Out, "recorded entry %d (%s)%s, signed by %s\n", e.Seq, e.Action, ex, clean(e.Actor.ID))
	return err
}

// record signs and appends an entry as the current examiner.
func record(f *Factory, c *cobra.Command, e chain.Entry) error {
	cs, id, err := f.caseAndIdentity()
	if err != nil {
		return err
	}
	got, cp, err := cs.Record(c.Context(), id, e)
	if err != nil {
		return err
	}
	return recorded(f, got, cp)
}

func newCmdCustodyNote(f *Factory) *cobra.Command {
	var exhibit string
	c := &cobra.Command{
		Use:     "note [--exhibit EX] TEXT",
		Short:   "Record a signed note, about an exhibit or the whole case",
		Example: `  pangolin custody note --exhibit EX-001 "Bag opened, seal S123 intact, phone powered off"`,
		Args:    exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if strings.TrimSpace(args[0]) == "" {
				return usageError{fmt.Errorf("the note text is empty")}
			}
			return record(f, c, chain.Entry{Action: chain.ActionNote, Exhibit: exhibit, Note: args[0]})
		},
	}
	c.Flags().StringVar(&exhibit, "exhibit", "", "exhibit the note is about")
	return c
}

func newCmdCustodyTransfer(f *Factory) *cobra.Command {
	var exhibit, to, reason, location string
	c := &cobra.Command{
		Use:     "transfer --exhibit EX --to NAME/ID --reason TEXT [--location PLACE]",
		Short:   "Record a hand-over of an exhibit to another person or place",
		Example: `  pangolin custody transfer --exhibit EX-001 --to "Evidence room/ER-7" --reason "storage" --location "Mombasa HQ"`,
		Args:    exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			if err := required(map[string]string{"exhibit": exhibit, "to": to, "reason": reason}); err != nil {
				return err
			}
			attrs := map[string]string{"to": to, "reason": reason}
			if location != "" {
				attrs["location"] = location
			}
			return record(f, c, chain.Entry{Action: chain.ActionTransfer, Exhibit: exhibit, Attrs: attrs})
		},
	}
	c.Flags().StringVar(&exhibit, "exhibit", "", "exhibit handed over (required)")
	c.Flags().StringVar(&to, "to", "", "who receives it, as NAME/ID (required)")
	c.Flags().StringVar(&reason, "reason", "", "why (required)")
	c.Flags().StringVar(&location, "location", "", "where the hand-over happened")
	return c
}

func newCmdCustodySeal(f *Factory) *cobra.Command {
	var exhibit, seal, note string
	c := &cobra.Command{
		Use:     "seal --exhibit EX --seal-no NUMBER [--note TEXT]",
		Short:   "Record that an exhibit was sealed, with the seal number",
		Example: `  pangolin custody seal --exhibit EX-001 --seal-no S123 --note "tamper-evident bag"`,
		Args:    exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			if err := required(map[string]string{"exhibit": exhibit, "seal-no": seal}); err != nil {
				return err
			}
			return record(f, c, chain.Entry{Action: chain.ActionSeal, Exhibit: exhibit, Note: note,
				Attrs: map[string]string{"seal_no": seal}})
		},
	}
	c.Flags().StringVar(&exhibit, "exhibit", "", "exhibit sealed (required)")
	c.Flags().StringVar(&seal, "seal-no", "", "seal number (required)")
	c.Flags().StringVar(&note, "note", "", "remarks")
	return c
}

func newCmdCustodyCheckpoint(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "checkpoint",
		Short: "Print the latest signed checkpoint of the ledger",
		Long: `Prints the latest signed checkpoint: the ledger's size and Merkle root, signed
by the examiner. Save it in a report or hand it to a prosecutor; later,
'pangolin custody prove --checkpoint FILE' shows that the ledger it signed is
a prefix of the ledger as it is then.`,
		Example: `  pangolin custody checkpoint > checkpoint-2026-03-01.txt`,
		Args:    exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			cs, err := f.Case()
			if err != nil {
				return err
			}
			head, err := cs.Ledger().Head(c.Context(), cs.Roster())
			if err != nil {
				return err
			}
			if head == nil {
				return fmt.Errorf("%s: the ledger has no checkpoint yet", cs.Ledger().Path())
			}
			if f.JSON {
				return writeJSON(f, head)
			}
			_, err = io.WriteString(f.IO.Out, head.Note)
			return err
		},
	}
}

func newCmdCustodyVerify(f *Factory) *cobra.Command {
	var files bool
	c := &cobra.Command{
		Use:   "verify",
		Short: "Verify the whole custody ledger",
		Long: `Recomputes everything the ledger claims: every entry's canonical form,
position, hash chain link, signer (on the case roster and introduced on the
ledger) and signature; the Merkle tree; and every signed checkpoint. Any edit,
deletion, insertion, reordering, truncation, torn write or bad signature makes
it exit 3, naming the first bad entry.

With --files it also re-hashes every file in the case folder whose SHA-256 the
ledger recorded (images, reports, exports, moved-aside damage) and exits 3 if
one is missing or changed.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			cs, err := f.Case()
			if err != nil {
				return err
			}
			show, done := f.status()
			rep, err := cs.Verify(c.Context(), func(n int64) {
				show(func(el time.Duration) string {
					return fmt.Sprintf("verifying: %d entries (%.0f/s)", n, float64(n)/el.Seconds())
				})
			})
			done()
			if err != nil {
				return err
			}
			var checks []catalog.FileCheck
			if files {
				if checks, err = cs.VerifyFiles(c.Context()); err != nil {
					return err
				}
			}
			bad := badFiles(checks)
			if f.JSON {
				err = writeJSON(f, struct {
					*chain.Report
					Files []catalog.FileCheck `json:"files,omitempty"`
				}{rep, checks})
			} else {
				printReport(f.IO.Out, rep)
				printFileChecks(f.IO.Out, checks)
			}
			switch {
			case err != nil:
				return err
			case !rep.OK:
				return mismatchf("custody ledger %s: %s", cs.Ledger().Path(), rep.First())
			case len(bad) > 0:
				return mismatchf("%s %s (recorded in entry %d)", bad[0].Path, bad[0].Status, bad[0].Seq)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&files, "files", false, "also re-hash the files the ledger records")
	return c
}

func badFiles(checks []catalog.FileCheck) []catalog.FileCheck {
	var bad []catalog.FileCheck
	for _, fc := range checks {
		if fc.Status == catalog.FileChanged || fc.Status == catalog.FileMissing {
			bad = append(bad, fc)
		}
	}
	return bad
}

func printFileChecks(w io.Writer, checks []catalog.FileCheck) {
	if checks == nil {
		return
	}
	counts := map[string]int{}
	for _, fc := range checks {
		counts[fc.Status]++
		if fc.Status != catalog.FileOK {
			fmt.Fprintf(w, "  %-8s entry %d: %s\n", fc.Status, fc.Seq, clean(fc.Path))
		}
	}
	fmt.Fprintf(w, "files: %d ok, %d changed, %d missing, %d outside the case folder (not checked)\n",
		counts[catalog.FileOK], counts[catalog.FileChanged], counts[catalog.FileMissing], counts[catalog.FileOutside])
}

func printReport(w io.Writer, rep *chain.Report) {
	if rep.OK {
		fmt.Fprintf(w, "custody ledger intact: %d entries, %d signed checkpoints\nroot  %s\n", rep.Entries, rep.Checkpoints, rep.Root)
		if rep.Head != nil {
			fmt.Fprintf(w, "head  size %d signed by %s at %s\n", rep.Head.Size, clean(rep.Head.Signer), rep.Head.Time.Format("2006-01-02T15:04:05Z07:00"))
		}
	} else {
		fmt.Fprintf(w, "custody ledger FAILED verification: %d entries, %d checkpoints read\n", rep.Entries, rep.Checkpoints)
		if rep.FirstBad > 0 {
			fmt.Fprintf(w, "first bad entry: %d\n", rep.FirstBad)
		}
		for _, p := range rep.Problems {
			fmt.Fprintf(w, "  %s\n", clean(p.String()))
		}
		if rep.MoreProblems > 0 {
			fmt.Fprintf(w, "  … and %d more problems\n", rep.MoreProblems)
		}
	}
	for _, warn := range rep.Warnings {
		fmt.Fprintf(w, "warning: %s\n", clean(warn))
	}
}

func newCmdCustodyProve(f *Factory) *cobra.Command {
	var file string
	c := &cobra.Command{
		Use:   "prove --checkpoint FILE",
		Short: "Prove that an earlier checkpoint's ledger is a prefix of today's",
		Long: `Checks an earlier signed checkpoint (as printed by 'custody checkpoint') against
today's ledger with an RFC 6962 consistency proof: exit 0 if the ledger it
signed is a prefix of today's ledger, exit 3 if history was rewritten or
truncated since, or the checkpoint is not signed by an examiner on the roster.
FILE may be - for standard input.`,
		Example: `  pangolin custody prove --checkpoint checkpoint-2026-03-01.txt`,
		Args:    exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			if err := required(map[string]string{"checkpoint": file}); err != nil {
				return err
			}
			var msg []byte
			var err error
			if file == "-" {
				msg, err = io.ReadAll(io.LimitReader(f.IO.In, chain.MaxLineSize))
			} else {
				msg, err = os.ReadFile(file)
			}
			if err != nil {
				return err
			}
			cs, err := f.Case()
			if err != nil {
				return err
			}
			p, err := cs.Ledger().Prove(c.Context(), msg, cs.Roster())
			if err != nil {
				return err
			}
			if f.JSON {
				if err := writeJSON(f, p); err != nil {
					return err
				}
			} else if p.OK {
				fmt.Fprintf(f.IO.Out, "consistent: the ledger signed at size %d (root %s) is a prefix of today's ledger of %d entries (root %s); proof of %d hashes\n",
					p.Old.Size, p.Old.Root, p.New.Size, p.New.Root, len(p.Hashes))
			} else {
				fmt.Fprintf(f.IO.Out, "NOT consistent: %s\n", clean(p.Reason))
			}
			if !p.OK {
				return mismatchf("checkpoint %s: %s", file, p.Reason)
			}
			return nil
		},
	}
	c.Flags().StringVar(&file, "checkpoint", "", "file holding the earlier signed checkpoint (required)")
	return c
}

func newCmdCustodyRepair(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "repair",
		Short: "Set aside the torn tail a power loss left in the ledger",
		Long: `Undoes what an interrupted append leaves: an incomplete last line, or a last
entry whose checkpoint was never written. The damaged bytes are moved (not
deleted) into custody/damaged/ and a signed repair entry records their size
and SHA-256. Any other damage is evidence of tampering: repair refuses, changes
nothing and exits 3.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			cs, id, err := f.caseAndIdentity()
			if err != nil {
				return err
			}
			res, err := cs.Ledger().Repair(c.Context(), id, cs.Roster())
			if err != nil {
				return err
			}
			if f.JSON {
				return writeJSON(f, res)
			}
			if !res.Repaired {
				_, err := fmt.Fprintln(f.IO.Out, "nothing to repair: the ledger's tail is intact")
				return err
			}
			for _, r := range res.Files {
				fmt.Fprintf(f.IO.Out, "moved %d bytes to %s (sha256 %s)\n", r.Size, r.Path, r.SHA256)
			}
			_, err = fmt.Fprintf(f.IO.Out, "recorded repair entry %d; %d uncovered entries set aside\n", res.Entry.Seq, res.MovedEntries)
			return err
		},
	}
}
