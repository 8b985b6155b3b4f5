package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/acquire"
	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
	extractors "github.com/pangolin-forensics/pangolin/extract/all"
	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/internal/buildinfo"
	"github.com/pangolin-forensics/pangolin/process"
)

// NewCmdProcess builds `pangolin process`.
func NewCmdProcess(f *Factory) *cobra.Command {
	var all, again, noExtract bool
	var workers int
	var region string
	c := &cobra.Command{
		Use:   "process EXHIBIT... | --all",
		Short: "Catalogue every file of an exhibit: hashes, types, times, known-file matches",
		Long: `Walks every partition and file system of an acquired exhibit (or the files of
a logical collection), deleted files and archive members too, reads each
file's content once for its MD5, SHA-1 and SHA-256 and its type, flags names
whose extension contradicts the content, looks the hashes up in the imported
hash sets, reads metadata (photo and video GPS, device and time; document
authors and dates; email headers), text and entities (phone numbers, emails,
wallets, IBANs, vessels), opens archives, mailboxes and attachments as child
artefacts, and stores everything in the case's catalogue (catalog.db).

Processing can be stopped at any time (Ctrl-C, or a crash) and continues where
it stopped when run again; running it on a processed exhibit changes nothing.
--again starts over. Each run is recorded on the custody ledger with its counts
and a digest of the exhibit's catalogue.`,
		Example: `  pangolin process EX-001
  pangolin process --all`,
		RunE: func(c *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				return usageError{errors.New("name the exhibits to process, or give --all")}
			}
			cs, id, err := f.caseAndIdentity()
			if err != nil {
				return err
			}
			if all {
				if args, err = exhibits(cs); err != nil {
					return err
				}
				if len(args) == 0 {
					return fmt.Errorf("case %s has no acquired exhibit", cs.Info.ID)
				}
			}
			for _, ex := range args {
				if err := processExhibit(f, c, cs, id, ex, processFlags{again, workers, !noExtract, strings.ToUpper(region)}); err != nil {
					return err
				}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&all, "all", false, "process every exhibit of the case")
	c.Flags().BoolVar(&again, "again", false, "forget what the catalogue holds of the exhibit and start over")
	c.Flags().IntVar(&workers, "workers", 0, "files read at once (default: one per core)")
	c.Flags().BoolVar(&noExtract, "no-extract", false, "hashes and types only: no metadata, text or entities")
	c.Flags().StringVar(&region, "phone-region", "", "country whose national phone number forms are recognised, as ISO 3166 code (KE, TZ, VN...)")
	return c
}

// exhibits lists the case's acquired exhibits.
func exhibits(cs *catalog.Case) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(cs.Dir, catalog.EvidenceDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if _, err := exhibitSource(cs, e.Name()); err == nil {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// source is what an exhibit's processing reads.
type source struct {
	path     string      // image (first segment) or logical container
	logical  bool        // a tar container of collected files
	identity string      // "SIZE SHA256" of the content
	inputs   []chain.Ref // the files read, for the ledger
}

// exhibitSource finds an acquired exhibit's image or container.
func exhibitSource(cs *catalog.Case, exhibit string) (*source, error) {
	if !exhibitName.MatchString(exhibit) {
		return nil, usageError{fmt.Errorf("%q is not an exhibit id", exhibit)}
	}
	dir := filepath.Join(cs.Dir, catalog.EvidenceDir, exhibit)
	container := filepath.Join(dir, exhibit+".tar")
	if m, err := acquire.ReadManifest(container + ".manifest.json"); err == nil {
		return &source{path: container, logical: true,
			identity: strconv.FormatInt(m.Container.Size, 10) + " " + m.Container.SHA256,
			inputs:   []chain.Ref{{Path: caseRelative(cs.Dir, container), Size: m.Container.Size, SHA256: m.Container.SHA256}}}, nil
	}
	rec, err := acquire.ReadRecord(filepath.Join(dir, acquire.RecordFile))
	if err != nil {
		return nil, fmt.Errorf("exhibit %s: not acquired (no %s or logical manifest): %w", exhibit, acquire.RecordFile, err)
	}
	if len(rec.Segments) == 0 {
		return nil, fmt.Errorf("exhibit %s: the acquisition record lists no image segment", exhibit)
	}
	sum := rec.Hashes[hashing.SHA256]
	if sum == "" {
		sum = "md5:" + rec.Hashes[hashing.MD5]
	}
	return &source{path: filepath.Join(cs.Dir, filepath.FromSlash(rec.Segments[0].Path)),
		identity: strconv.FormatInt(rec.Bytes, 10) + " " + sum,
		inputs:   rec.Segments}, nil
}

// processFlags are process's options.
type processFlags struct {
	again   bool
	workers int
	extract bool
	region  string
}

// newExtractor starts the extractors with the examiner's cache folder.
func (f *Factory) newExtractor(region string) *extractors.Extractor {
	cache := ""
	if home, err := f.Home(); err == nil {
		cache = filepath.Join(home, "cache", "pdfium")
	}
	return extractors.New(extractors.Options{Region: region, Text: true, PDFCache: cache})
}

func processExhibit(f *Factory, c *cobra.Command, cs *catalog.Case, id *chain.Identity, exhibit string, pf processFlags) error {
	src, err := exhibitSource(cs, exhibit)
	if err != nil {
		return err
	}
	img, _, err := openImage(src.path)
	if err != nil {
		return err
	}
	defer img.Close()
	db, err := cs.Catalog(c.Context())
	if err != nil {
		return err
	}
	defer db.Close()
	opts := process.Options{Exhibit: exhibit, Source: caseRelative(cs.Dir, src.path), Identity: src.identity,
		Tool: buildinfo.Get().Version, Logical: src.logical, Again: pf.again, Workers: pf.workers, Now: f.Now}
	if pf.extract {
		opts.Extract = f.newExtractor(pf.region)
		defer opts.Extract.Close()
	}
	if store, err := f.hashsets(); err != nil {
		return err
	} else {
		defer store.Close()
		opts.Known = store
	}
	show, done := f.status()
	if f.statusShown() { // the progress bar costs a counting walk
		opts.Progress = func(p process.Progress) {
			show(func(el time.Duration) string {
				rate := float64(p.Bytes) / max(el.Seconds(), 1e-3)
				if p.TotalFiles == 0 { // still counting
					return fmt.Sprintf("processing %s: %d files, %.1f MiB, %.1f MB/s, %d unreadable",
						exhibit, p.Files, float64(p.Bytes)/(1<<20), rate/1e6, p.Errors)
				}
				eta := "?"
				if p.Files > p.Resumed && el > time.Second {
					left := float64(p.TotalFiles-p.Files) / (float64(p.Files-p.Resumed) / el.Seconds())
					eta = (time.Duration(left) * time.Second).Round(time.Second).String()
				}
				return fmt.Sprintf("processing %s: %d of %d files (%.0f%%), %.1f of %.1f MiB, %.1f MB/s, ETA %s, %d unreadable",
					exhibit, p.Files, p.TotalFiles, 100*float64(p.Files)/float64(p.TotalFiles),
					float64(p.Bytes)/(1<<20), float64(p.TotalBytes)/(1<<20), rate/1e6, eta, p.Errors)
			})
		}
	}
	if os.Getenv("GOGC") == "" {
		// Processing streams: little is live at any time, but much is
		// allocated. Collecting less often saves about a sixth of the CPU
		// for a few tens of MB more.
		debug.SetGCPercent(400)
	}
	res, runErr := process.Run(c.Context(), db, img, opts)
	done()
	if res == nil {
		return runErr
	}
	attrs := map[string]string{
		"status": res.Run.Status, "resumed": strconv.FormatBool(res.Resumed), "run": strconv.FormatInt(res.Run.ID, 10),
		"files": strconv.FormatInt(res.Run.Files, 10), "bytes": strconv.FormatInt(res.Run.Bytes, 10),
		"errors":    strconv.FormatInt(res.Run.Errors, 10),
		"artefacts": strconv.FormatInt(res.State.Artefacts, 10), "hashed": strconv.FormatInt(res.State.Hashed, 10),
		"catalog_digest": res.State.Digest,
	}
	var parts []string
	for _, v := range res.Volumes {
		d := v.FS
		if v.Error != "" {
			d = "unreadable"
		}
		parts = append(parts, fmt.Sprintf("%d:%s", v.Partition, d))
	}
	attrs["partitions"] = strings.Join(parts, " ")
	entry, _, err := cs.Record(c.Context(), id, chain.Entry{Action: "process", Exhibit: exhibit, Inputs: src.inputs, Attrs: attrs})
	if err != nil {
		return errors.Join(runErr, err)
	}
	if runErr != nil {
		if errors.Is(runErr, process.ErrChangedSource) {
			return runErr
		}
		return fmt.Errorf("processing %s stopped (%w); run 'pangolin process %s' again to continue", exhibit, runErr, exhibit)
	}
	if f.JSON {
		return writeJSONLine(f, struct {
			MessageType string `json:"message_type"`
			Exhibit     string `json:"exhibit"`
			*process.Result
			Seq int64 `json:"custody_seq"`
		}{"process", exhibit, res, entry.Seq})
	}
	for _, v := range res.Volumes {
		if v.Error != "" {
			fmt.Fprintf(f.IO.ErrOut, "pangolin: %s partition %d: no readable file system: %s\n", exhibit, v.Partition, oneLine(v.Error))
		}
		for _, a := range v.Anomalies {
			fmt.Fprintf(f.IO.ErrOut, "pangolin: %s partition %d: %s\n", exhibit, v.Partition, oneLine(a))
		}
	}
	how := "processed"
	if res.Resumed {
		how = "resumed"
	}
	if pf.extract {
		ix, err := openIndex(cs, db)
		if err != nil {
			return fmt.Errorf("%s is catalogued, but the search index was not updated: %w", exhibit, err)
		}
		n, err := updateIndex(f, c, ix, db, []string{exhibit})
		ix.Close()
		if err != nil {
			return fmt.Errorf("%s is catalogued, but the search index was not updated: %w", exhibit, err)
		}
		if n > 0 {
			how += " and indexed"
		}
	}
	_, err = fmt.Fprintf(f.IO.Out, "%s %s: %d artefacts catalogued (%d with content hashes, %.1f MiB), %d unreadable; this run read %d entries\n  catalogue digest %s\nrecorded custody entry %d\n",
		how, exhibit, res.State.Artefacts, res.State.Hashed, float64(res.State.Bytes)/(1<<20), res.State.Errors, res.Run.Files, res.State.Digest, entry.Seq)
	return err
}
