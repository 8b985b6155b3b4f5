package reports

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
)

// ActionReport is the ledger action recording a report.
const ActionReport = "report"

// VerifyLedger continues a [Check] against the case's ledger as it is
// today: the ledger verifies; the examiner who signed the report and the
// keys of the manifest's roster are on the case roster; the ledger the
// report's checkpoint signed is a prefix of today's (an RFC 6962
// consistency proof: any change to an entry before the checkpoint fails
// it); and the ledger holds the report entry recording this file.
// fileSHA256 is the SHA-256 of the report file as found.
func VerifyLedger(ctx context.Context, cs *catalog.Case, c *Check, fileSHA256 string) error {
	m := c.Manifest
	if m == nil {
		return nil
	}
	if m.Case != cs.Info.ID {
		c.fail("the report is of case %q, the ledger of case %q", m.Case, cs.Info.ID)
		return nil
	}
	roster := cs.Roster()
	onRoster := func(a chain.Actor) bool {
		return slices.ContainsFunc(roster, func(r chain.Actor) bool { return r.ID == a.ID && bytes.Equal(r.Key, a.Key) })
	}
	if !onRoster(m.Examiner) {
		c.fail("examiner %s (%s) who signed the report is not on the case roster with that key", m.Examiner.ID, m.Fingerprint)
	}
	for _, a := range m.Roster {
		if !onRoster(a) {
			c.fail("the manifest's roster holds a key the case roster does not: %s (%s)", a.ID, a.Fingerprint())
		}
	}
	rep, err := cs.Verify(ctx, nil)
	if err != nil {
		return err
	}
	if !rep.OK {
		c.fail("today's custody ledger fails verification: %s", rep.First())
	}
	proof, err := cs.Ledger().Prove(ctx, []byte(m.Checkpoint), roster)
	if err != nil {
		return err
	}
	if !proof.OK {
		c.fail("the report's checkpoint is not consistent with today's ledger: %s", proof.Reason)
	}
	found := false
	for e, err := range cs.Ledger().Entries(ctx) {
		if err != nil {
			return fmt.Errorf("read ledger: %w", err)
		}
		if e.Action == ActionReport && slices.ContainsFunc(e.Outputs, func(r chain.Ref) bool { return r.SHA256 == fileSHA256 }) {
			found = true
			break
		}
	}
	if !found {
		c.fail("the ledger holds no report entry for a file with SHA-256 %s", fileSHA256)
	}
	return nil
}
