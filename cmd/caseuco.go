package cmd

import (
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/acquire"
	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/internal/buildinfo"
	"github.com/pangolin-forensics/pangolin/reports/caseuco"
)

func newCmdExportCaseUCO(f *Factory) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "case-uco [-o FILE]",
		Short: "Write the case as CASE/UCO JSON-LD",
		Long: `Writes the case in the CASE/UCO ontology (JSON-LD, CASE ` + caseuco.Version + `): the case as an
investigation, the examiners, each exhibit with its acquisition and image
hashes, every catalogued artefact with its file facets and hashes (photos'
EXIF and positions too), and every custody ledger entry as an
investigative action with performer, time, location, instrument (pangolin
and its version), objects, results and provenance records, tied to the
ledger line's SHA-256 and signature. The output is streamed: a case of a
million artefacts needs no more memory than a small one.`,
		Example: `  pangolin export case-uco -o OP-THUNDER.jsonld`,
		Args:    exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			cs, db, err := f.openCatalog(c)
			if err != nil {
				return err
			}
			defer db.Close()
			ctx := c.Context()
			dbExhibits, err := db.Exhibits(ctx)
			if err != nil {
				return err
			}
			bi := buildinfo.Get()
			in := caseuco.Input{
				Case:      cs.Info,
				Tool:      chain.Tool{Name: "pangolin", Version: bi.Version, Go: bi.Go, OS: bi.OS},
				Artefacts: db.Artefacts(ctx, catalog.Query{}),
				Metadata:  db.Extracted(ctx, catalog.ExtractedQuery{Fields: true}),
				Entries:   cs.Ledger().Entries(ctx),
			}
			for _, ex := range dbExhibits {
				in.Exhibits = append(in.Exhibits, ucoExhibit(cs, ex.ID))
			}
			return toOutput(f, out, func(w io.Writer) error { return caseuco.Write(ctx, w, in) })
		},
	}
	c.Flags().StringVarP(&out, "out", "o", "", "write to this new file instead of stdout")
	return c
}

// ucoExhibit reads what the acquisition recorded of an exhibit: its
// record, or the manifest of a logical collection; the id alone when
// neither is there.
func ucoExhibit(cs *catalog.Case, id string) caseuco.Exhibit {
	x := caseuco.Exhibit{ID: id}
	dir := filepath.Join(cs.Dir, catalog.EvidenceDir, id)
	parse := func(s string) time.Time {
		t, _ := time.Parse(time.RFC3339Nano, s)
		return t
	}
	if rec, err := acquire.ReadRecord(filepath.Join(dir, acquire.RecordFile)); err == nil {
		x.Description, x.Source, x.Format, x.Bytes, x.Hashes, x.Segments = rec.Notes, rec.Source, rec.Format, rec.Bytes, rec.Hashes, rec.Segments
		x.Start, x.End = parse(rec.Start), parse(rec.End)
		return x
	}
	if m, err := acquire.ReadManifest(filepath.Join(dir, id+".tar.manifest.json")); err == nil {
		x.Format, x.Bytes, x.Segments = "logical", m.Bytes, []chain.Ref{m.Container}
		x.Start, x.End = parse(m.Start), parse(m.End)
	}
	return x
}
