package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/catalog/export"
	"github.com/pangolin-forensics/pangolin/chain"
	extractors "github.com/pangolin-forensics/pangolin/extract/all"
	"github.com/pangolin-forensics/pangolin/internal/atomicfile"
	"github.com/pangolin-forensics/pangolin/internal/buildinfo"
	"github.com/pangolin-forensics/pangolin/process"
)

// openCatalog opens the case and its catalogue.
func (f *Factory) openCatalog(c *cobra.Command) (*catalog.Case, *catalog.DB, error) {
	cs, err := f.Case()
	if err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(filepath.Join(cs.Dir, catalog.DBFile)); err != nil {
		return nil, nil, fmt.Errorf("case %s has no catalogue yet: run 'pangolin process' first", cs.Info.ID)
	}
	db, err := cs.Catalog(c.Context())
	return cs, db, err
}

// parseQuery reads --query and adds the --exhibit flags to it.
func parseQuery(text string, exhibits []string) (catalog.Query, error) {
	q, err := catalog.ParseQuery(text)
	if err != nil {
		return q, usageError{err}
	}
	q.Exhibits = append(q.Exhibits, exhibits...)
	return q, nil
}

// toOutput runs write on --out (a new file), or on stdout for "" or "-".
func toOutput(f *Factory, path string, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(f.IO.Out)
	}
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	err = write(file)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	return err
}

// parseWhen reads a time given as RFC 3339 or as a date (UTC midnight).
func parseWhen(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usageError{fmt.Errorf("time %q: want 2026-03-01 or 2026-03-01T08:00:00Z", s)}
}

// NewCmdTimeline builds `pangolin timeline`.
func NewCmdTimeline(f *Factory) *cobra.Command {
	var format, query, from, to, out string
	var exhibits []string
	c := &cobra.Command{
		Use:   "timeline [--format bodyfile|csv|jsonl] [--query Q] [--exhibit EX] [--from T] [--to T]",
		Short: "Write the catalogue's file times as a timeline",
		Long: `Writes the modified, accessed, changed and born times of every catalogued
artefact. bodyfile is The Sleuth Kit's body format (feed it to mactime, or to
any tool that reads fls -m output); csv and jsonl are sorted events, one per
time, with the MACB letters that time stands for, as mactime prints them.
Times are UTC. --query selects artefacts as in 'pangolin export files'.`,
		Example: `  pangolin timeline --format bodyfile > body.txt && mactime -b body.txt -d -y -z UTC
  pangolin timeline --format csv --from 2026-03-01 --to 2026-06-01 --query 'mime:image/*' > photos.csv`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			q, err := parseQuery(query, exhibits)
			if err != nil {
				return err
			}
			var opts export.TimelineOptions
			if opts.From, err = parseWhen(from); err != nil {
				return err
			}
			if opts.To, err = parseWhen(to); err != nil {
				return err
			}
			switch format {
			case "bodyfile", "csv", "jsonl":
			default:
				return usageError{fmt.Errorf("--format: want bodyfile, csv or jsonl, not %q", format)}
			}
			if format == "bodyfile" && (from != "" || to != "") {
				return usageError{fmt.Errorf("--from and --to sort and cut a timeline: use mactime's own range with bodyfile")}
			}
			_, db, err := f.openCatalog(c)
			if err != nil {
				return err
			}
			defer db.Close()
			arts := db.Artefacts(c.Context(), q)
			return toOutput(f, out, func(w io.Writer) error {
				switch format {
				case "csv":
					return export.WriteTimelineCSV(c.Context(), w, arts, opts)
				case "jsonl":
					return export.WriteTimelineJSONL(c.Context(), w, arts, opts)
				}
				return export.WriteBodyfile(c.Context(), w, arts, export.BodyfileOptions{WithExhibit: len(q.Exhibits) != 1})
			})
		},
	}
	c.Flags().StringVar(&format, "format", "bodyfile", "bodyfile, csv or jsonl")
	c.Flags().StringVar(&query, "query", "", "select artefacts (see 'pangolin export files --help')")
	c.Flags().StringSliceVar(&exhibits, "exhibit", nil, "only these exhibits")
	c.Flags().StringVar(&from, "from", "", "events at or after this time")
	c.Flags().StringVar(&to, "to", "", "events before this time")
	c.Flags().StringVarP(&out, "out", "o", "", "write to this new file instead of stdout")
	return c
}

// NewCmdExport builds `pangolin export`.
func NewCmdExport(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "export",
		Short: "Export from the catalogue: DFXML, CASE/UCO, or artefacts' content",
	}
	c.AddCommand(newCmdExportDFXML(f), newCmdExportFiles(f), newCmdExportCaseUCO(f))
	return c
}

func newCmdExportDFXML(f *Factory) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "dfxml EXHIBIT [-o FILE]",
		Short: "Write an exhibit's catalogue as DFXML (as fiwalk does)",
		Long: `Writes one DFXML <fileobject> per catalogued artefact of EXHIBIT, with its
path, partition, inode, size, allocation, times and hashes, in the layout
fiwalk writes, for tools that read DFXML.`,
		Example: `  pangolin export dfxml EX-001 -o EX-001.dfxml`,
		Args:    exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			cs, db, err := f.openCatalog(c)
			if err != nil {
				return err
			}
			defer db.Close()
			ex, err := db.Exhibit(c.Context(), args[0])
			if err != nil {
				return err
			}
			vols, err := db.Volumes(c.Context(), ex.ID)
			if err != nil {
				return err
			}
			info := export.DFXMLInfo{Program: "pangolin", Version: buildinfo.Get().Version, CommandLine: strings.Join(os.Args, " "),
				Start: f.Now(), ImageFilename: ex.Source, Case: cs.Info.ID, Exhibit: ex.ID}
			if size, _, ok := strings.Cut(ex.Identity, " "); ok {
				info.ImageSize, _ = strconv.ParseInt(size, 10, 64)
			}
			for _, v := range vols {
				info.Volumes = append(info.Volumes, export.DFXMLVolume{Partition: v.Partition, Offset: v.Start, FSType: v.FS})
			}
			return toOutput(f, out, func(w io.Writer) error {
				return export.WriteDFXML(c.Context(), w, db.Artefacts(c.Context(), catalog.Query{Exhibits: []string{ex.ID}}), info)
			})
		},
	}
	c.Flags().StringVarP(&out, "out", "o", "", "write to this new file instead of stdout")
	return c
}

// exportManifest is manifest.json of an export folder.
type exportManifest struct {
	Case     string             `json:"case"`
	Query    string             `json:"query"`
	Examiner string             `json:"examiner"`
	Time     string             `json:"time"`
	Tool     buildinfo.Info     `json:"tool"`
	Files    []process.Exported `json:"files"`
}

func newCmdExportFiles(f *Factory) *cobra.Command {
	var query, out string
	var exhibits []string
	c := &cobra.Command{
		Use:   "files --query Q [--out DIR]",
		Short: "Copy artefacts' content out of evidence, named by SHA-256",
		Long: `Copies the content of the catalogued artefacts that match the query out of
the exhibits' images into DIR/files, each named by its SHA-256 and the
extension of its content's type, never by a name found in evidence. Identical contents are copied once. Every copy is re-hashed and
must equal the catalogue. DIR/manifest.json lists each artefact with its
exhibit, path, times and hashes, and the export is recorded on the custody
ledger with the manifest's SHA-256. DIR defaults to exports/ in the case.

Query terms, all of which must hold:
  exhibit:EX-001   path:/DCIM/*   name:*.jpg   ext:jpg   mime:image/*
  type:file        deleted:yes    known:known-bad|notable|known-good|none
  mismatch:yes     hash:HEX       size:>1M     size:<100k
A bare word is a name pattern.`,
		Example: `  pangolin export files --query 'mime:image/* deleted:yes' --out photos
  pangolin export files --query 'known:known-bad'`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			if err := required(map[string]string{"query": query}); err != nil {
				return err
			}
			q, err := parseQuery(query, exhibits)
			if err != nil {
				return err
			}
			q.Content = true
			cs, id, err := f.caseAndIdentity()
			if err != nil {
				return err
			}
			_, db, err := f.openCatalog(c)
			if err != nil {
				return err
			}
			defer db.Close()
			byExhibit := map[string][]*catalog.Artefact{}
			for a, err := range db.Artefacts(c.Context(), q) {
				if err != nil {
					return err
				}
				byExhibit[a.Exhibit] = append(byExhibit[a.Exhibit], a)
			}
			if len(byExhibit) == 0 {
				return fmt.Errorf("no catalogued artefact with content matches %q", query)
			}
			if out == "" {
				out = filepath.Join(cs.Dir, catalog.ExportsDir, "export-"+f.Now().UTC().Format("20060102T150405Z"))
			}
			manPath := filepath.Join(out, "manifest.json")
			if _, err := os.Stat(manPath); err == nil {
				return fmt.Errorf("%s already holds an export: choose another --out", out)
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			man := exportManifest{Case: cs.Info.ID, Query: query, Examiner: id.ID, Time: f.Now().UTC().Format(time.RFC3339Nano), Tool: buildinfo.Get()}
			var inputs []chain.Ref
			show, done := f.status()
			defer done()
			var copied, bytes int64
			ext := extractors.New(extractors.Options{}) // finds attachments again
			defer ext.Close()
			for _, ex := range slices.Sorted(maps.Keys(byExhibit)) {
				src, err := exhibitSource(cs, ex)
				if err != nil {
					return err
				}
				img, _, err := openImage(src.path)
				if err != nil {
					return err
				}
				files, err := process.Export(c.Context(), img, process.Options{Exhibit: ex, Logical: src.logical, Extract: ext}, byExhibit[ex], out, func(n int) {
					show(func(time.Duration) string { return fmt.Sprintf("exporting from %s: %d files", ex, n) })
				})
				img.Close()
				if err != nil {
					return err
				}
				for _, x := range files {
					if x.Copied {
						copied++
						bytes += x.Size
					}
				}
				man.Files = append(man.Files, files...)
				inputs = append(inputs, src.inputs...)
			}
			done()
			b, err := json.MarshalIndent(man, "", "  ")
			if err != nil {
				return err
			}
			if err := atomicfile.Write(manPath, append(b, '\n'), 0o644); err != nil {
				return err
			}
			ref, err := fileRef(c, cs, manPath)
			if err != nil {
				return err
			}
			entry, _, err := cs.Record(c.Context(), id, chain.Entry{Action: "export", Inputs: inputs, Outputs: []chain.Ref{ref},
				Attrs: map[string]string{"query": query, "artefacts": strconv.Itoa(len(man.Files)), "files": strconv.FormatInt(copied, 10),
					"bytes": strconv.FormatInt(bytes, 10), "folder": caseRelative(cs.Dir, out)}})
			if err != nil {
				return err
			}
			if f.JSON {
				return writeJSON(f, man)
			}
			_, err = fmt.Fprintf(f.IO.Out, "exported %d artefacts (%d files, %d bytes) to %s\n  manifest %s (sha256 %s)\nrecorded custody entry %d\n",
				len(man.Files), copied, bytes, out, ref.Path, ref.SHA256, entry.Seq)
			return err
		},
	}
	c.Flags().StringVar(&query, "query", "", "select artefacts (terms above)")
	c.Flags().StringSliceVar(&exhibits, "exhibit", nil, "only these exhibits")
	c.Flags().StringVarP(&out, "out", "o", "", "export folder (default: a new folder under exports/)")
	return c
}
