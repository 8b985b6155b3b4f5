package cmd

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/internal/atomicfile"
	"github.com/pangolin-forensics/pangolin/reports"
)

// manifestSuffix is added to a report's file name to name its manifest.
const manifestSuffix = ".manifest.json"

// NewCmdReport builds `pangolin report`.
func NewCmdReport(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "report",
		Short: "Write custody and findings reports a prosecutor can verify",
		Long: `Writes reports from the case: 'report custody' (the chain of custody of each
exhibit, from the ledger) and 'report findings' (the tagged artefacts, map,
timeline, links and searches). Every report is written with a manifest
(FILE.manifest.json, signed by the examiner; a PDF also embeds it) naming
its SHA-256 and the ledger checkpoint it was made at, and is recorded on the
ledger. 'report verify' checks a report offline.`,
	}
	c.AddCommand(newCmdReportCustody(f), newCmdReportFindings(f), newCmdReportVerify(f))
	return c
}

func newCmdReportCustody(f *Factory) *cobra.Command {
	var o reportFlags
	var exhibits []string
	c := &cobra.Command{
		Use:   "custody [--exhibit EX...] [--format pdf|html|json] [--out FILE]",
		Short: "Write the chain-of-custody report of the case's exhibits",
		Long: `Writes the custody report: case, examiners with key fingerprints, and for each
exhibit its seals, acquisition (source, times, hashes, segments, unreadable
sectors), verifications and every ledger entry about it, then the ledger's
verification status and the signed checkpoint the report was made at, and
the examiner's declaration. The ledger must verify. Written to the case's
reports/ folder unless --out says otherwise.

` + exitHelp,
		Example: `  pangolin report custody --format pdf
  pangolin report custody --exhibit EX-001 --format html --out EX-001-custody.html`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			return o.run(f, c, func(cs *catalog.Case, opts reports.Options) (reports.Report, error) {
				opts.Exhibits = exhibits
				return reports.BuildCustody(c.Context(), opts)
			}, exhibits)
		},
	}
	c.Flags().StringSliceVar(&exhibits, "exhibit", nil, "only these exhibits")
	o.flags(c)
	return c
}

func newCmdReportFindings(f *Factory) *cobra.Command {
	var o reportFlags
	var tags []string
	c := &cobra.Command{
		Use:   "findings [--tag NAME...] [--format pdf|html|json] [--out FILE]",
		Short: "Write the findings report of the tagged artefacts",
		Long: `Writes the findings report: the tagged artefacts (all tags, or those named) with
path, exhibit, hashes, times, metadata, notes and embedded previews; a map
of the geolocated ones drawn offline; a timeline; the values (phones,
emails, wallets, image hashes) found in more than one exhibit; and every
keyword list run on the case with its hits per term, including the terms
that found nothing.

` + exitHelp,
		Example: `  pangolin report findings --tag evidence --format pdf`,
		Args:    exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			return o.run(f, c, func(cs *catalog.Case, opts reports.Options) (reports.Report, error) {
				_, db, err := f.openCatalog(c)
				if err != nil {
					return nil, err
				}
				defer db.Close()
				opts.Tags = tags
				return reports.BuildFindings(c.Context(), db, opts)
			}, nil)
		},
	}
	c.Flags().StringSliceVar(&tags, "tag", nil, "only artefacts with these tags")
	o.flags(c)
	return c
}

// reportFlags are the flags every report command takes.
type reportFlags struct {
	format, out string
}

func (o *reportFlags) flags(c *cobra.Command) {
	c.Flags().StringVar(&o.format, "format", "pdf", "pdf, html or json")
	c.Flags().StringVar(&o.out, "out", "", "report file (default: the case's reports/ folder, named by the report id)")
}

// reportResult is what `report custody|findings --json` prints.
type reportResult struct {
	ID       string `json:"id"`
	Report   string `json:"report"`
	Manifest string `json:"manifest"`
	SHA256   string `json:"sha256"`
	Seq      int64  `json:"custody_seq"`
}

// run builds a report, writes it with its manifest and records both on
// the ledger.
func (o *reportFlags) run(f *Factory, c *cobra.Command, build func(*catalog.Case, reports.Options) (reports.Report, error), exhibits []string) error {
	ext, ok := reports.Formats[o.format]
	if !ok {
		return usageError{fmt.Errorf("--format %q: want pdf, html or json", o.format)}
	}
	cs, id, err := f.caseAndIdentity()
	if err != nil {
		return err
	}
	r, err := build(cs, reports.Options{Case: cs, Identity: id, Now: f.Now()})
	if err != nil {
		return err
	}
	path := o.out
	if path == "" {
		path = filepath.Join(cs.Dir, catalog.ReportsDir, r.Head().ID+ext)
	}
	file, manifest, m, err := reports.Produce(r, o.format, filepath.Base(path), id, cs.Roster())
	if err != nil {
		return err
	}
	mpath := path + manifestSuffix
	if err := atomicfile.Write(path, file, 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := atomicfile.Write(mpath, manifest, 0o644); err != nil {
		return fmt.Errorf("write report manifest: %w", err)
	}
	sum := sha256.Sum256(file)
	fileSum := hex.EncodeToString(sum[:])
	msum := sha256.Sum256(manifest)
	e := chain.Entry{Action: reports.ActionReport, Note: m.Kind + " report " + m.ID,
		Outputs: []chain.Ref{
			{Path: caseRelative(cs.Dir, path), Size: int64(len(file)), SHA256: fileSum},
			{Path: caseRelative(cs.Dir, mpath), Size: int64(len(manifest)), SHA256: hex.EncodeToString(msum[:])},
		},
		Attrs: map[string]string{"kind": m.Kind, "format": o.format, "report_id": m.ID, "checkpoint": strconv.FormatInt(r.Head().Checkpoint.Size, 10)}}
	if len(exhibits) == 1 {
		e.Exhibit = exhibits[0]
	} else if len(exhibits) > 1 {
		e.Attrs["exhibits"] = strings.Join(exhibits, " ")
	}
	entry, _, err := cs.Record(c.Context(), id, e)
	if err != nil {
		return fmt.Errorf("record report on the ledger: %w", err)
	}
	if f.JSON {
		return writeJSON(f, reportResult{ID: m.ID, Report: path, Manifest: mpath, SHA256: fileSum, Seq: entry.Seq})
	}
	_, err = fmt.Fprintf(f.IO.Out, "%s report %s\n  report   %s\n  manifest %s\n  sha256   %s\nrecorded custody entry %d\n",
		m.Kind, m.ID, path, mpath, fileSum, entry.Seq)
	return err
}

func newCmdReportVerify(f *Factory) *cobra.Command {
	var manifestPath, ledger string
	c := &cobra.Command{
		Use:   "verify FILE [--manifest FILE] [--ledger CASE]",
		Short: "Check that a report is genuine and unaltered",
		Long: `Checks a report against its signed manifest (FILE.manifest.json next to it, the
one --manifest names, or, for a PDF, the one it embeds): the examiner's
signature, the report's SHA-256 and the signed checkpoint it was made at.
Needs nothing but the files: no case, no network, no key of the examiner
(the fingerprint printed must be compared with the one the examiner gave).
With --ledger CASE it also checks against that case's ledger today: the
examiner is on the roster, the ledger verifies, the ledger the report saw
is a prefix of today's (so no entry before the report was changed), and
the report is recorded on it.

` + exitHelp,
		Example: `  pangolin report verify custody-OP-THUNDER-20261127T101500Z.pdf
  pangolin report verify findings.html --ledger /cases/OP-THUNDER`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			report, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			if manifestPath == "" {
				if _, err := os.Stat(args[0] + manifestSuffix); err == nil {
					manifestPath = args[0] + manifestSuffix
				}
			}
			var manifest []byte
			if manifestPath != "" {
				if manifest, err = os.ReadFile(manifestPath); err != nil {
					return err
				}
			}
			check, err := reports.VerifyFile(report, manifest)
			if errors.Is(err, reports.ErrNoManifest) {
				return mismatchf("%s: %v", args[0], err)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if ledger != "" {
				cs, err := catalog.Open(ledger)
				if err != nil {
					return err
				}
				sum := sha256.Sum256(report)
				if err := reports.VerifyLedger(c.Context(), cs, check, hex.EncodeToString(sum[:])); err != nil {
					return err
				}
			}
			if f.JSON {
				if err := writeJSON(f, check); err != nil {
					return err
				}
			} else {
				printCheck(f, args[0], check, ledger != "")
			}
			if !check.OK {
				return mismatchf("%s: %s", args[0], check.Problems[0])
			}
			return nil
		},
	}
	c.Flags().StringVar(&manifestPath, "manifest", "", "the report's manifest (default: FILE.manifest.json, or the one a PDF embeds)")
	c.Flags().StringVar(&ledger, "ledger", "", "also check against this case folder's ledger")
	return c
}

// printCheck prints a verification in text.
func printCheck(f *Factory, name string, check *reports.Check, ledger bool) {
	w := f.IO.Out
	if check.OK {
		fmt.Fprintf(w, "report %s: GENUINE\n", clean(name))
	} else {
		fmt.Fprintf(w, "report %s: NOT GENUINE\n", clean(name))
		for _, p := range check.Problems {
			fmt.Fprintf(w, "  problem: %s\n", clean(p))
		}
	}
	if m := check.Manifest; m != nil {
		src := "manifest file"
		if check.Embedded {
			src = "manifest embedded in the PDF"
		}
		fmt.Fprintf(w, "  %s %s of case %s, generated %s (%s)\n", clean(m.Kind), clean(m.ID), clean(m.Case), clean(m.Generated), src)
		fmt.Fprintf(w, "  signed by %s (%s), key fingerprint %s\n", clean(m.Examiner.Name), clean(m.Examiner.ID), clean(m.Fingerprint))
		fmt.Fprintf(w, "  sha256 %s (%d bytes)\n", clean(m.SHA256), m.Size)
	}
	if cp := check.Checkpoint; cp != nil {
		fmt.Fprintf(w, "  made at ledger checkpoint %d, root %s\n", cp.Size, cp.Root)
	}
	if ledger && check.OK {
		fmt.Fprintln(w, "  consistent with today's ledger: the ledger the report saw is a prefix of it, and the report is recorded on it")
	}
}
