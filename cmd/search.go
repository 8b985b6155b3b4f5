package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/index"
	"github.com/pangolin-forensics/pangolin/internal/atomicfile"
	"github.com/pangolin-forensics/pangolin/process"
	"github.com/pangolin-forensics/pangolin/reports"
)

// indexDir is the search index's folder in the case folder.
const indexDir = "index"

// openIndex opens the case's search index, creating it if needed.
func openIndex(cs *catalog.Case, db *catalog.DB) (*index.Index, error) {
	ix, err := index.Open(filepath.Join(cs.Dir, indexDir))
	if err != nil {
		return nil, err
	}
	ix.SnippetText = func(ctx context.Context, exhibit, ref string) (string, error) {
		text, _, err := db.Text(ctx, exhibit, ref)
		return text, err
	}
	return ix, nil
}

// indexMemoryLimit is the soft memory limit of the process while the
// index is updated, unless GOMEMLIMIT sets one. Indexing holds some 150
// MiB of analysed text (two commits; see index.Batch.Full) and merges
// segments, and the heap grows to GOGC times what is live: over 1.5 GiB
// at 100,000 documents with the GOGC=400 that suits processing (which
// allocates much and holds little). The limit keeps it under 400 MiB for
// about a seventh more CPU.
const indexMemoryLimit = 384 << 20

// updateIndex brings the index up to date with the catalogue of the
// given exhibits, showing progress.
func updateIndex(f *Factory, c *cobra.Command, ix *index.Index, db *catalog.DB, exhibits []string) (int64, error) {
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(indexMemoryLimit))
	}
	show, done := f.status()
	defer done()
	var total int64
	for _, ex := range exhibits {
		n, err := process.Index(c.Context(), db, ix, ex, func(p process.IndexProgress) {
			show(func(time.Duration) string { return fmt.Sprintf("indexing %s: %d documents", p.Exhibit, p.Docs) })
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("index %s: %w", ex, err)
		}
	}
	if total > 0 {
		show(func(time.Duration) string { return fmt.Sprintf("compacting the index after %d documents", total) })
		if err := ix.Compact(c.Context()); err != nil {
			return total, err
		}
	}
	return total, nil
}

// NewCmdIndex builds `pangolin index`.
func NewCmdIndex(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "index",
		Short: "Maintain the case's full-text search index",
	}
	c.AddCommand(&cobra.Command{
		Use:   "rebuild",
		Short: "Rebuild the search index from the catalogue",
		Long: `Deletes the search index and builds it again from the catalogue (text,
metadata, entities and tags; evidence is not read again). Use it when the
index is damaged, or after changing pangolin versions.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			cs, db, err := f.openCatalog(c)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := index.Remove(filepath.Join(cs.Dir, indexDir)); err != nil {
				return err
			}
			if err := db.SetIndexed(c.Context(), "", 0, 0); err != nil {
				return err
			}
			exs, err := db.Exhibits(c.Context())
			if err != nil {
				return err
			}
			var ids []string
			for _, e := range exs {
				ids = append(ids, e.ID)
			}
			ix, err := openIndex(cs, db)
			if err != nil {
				return err
			}
			defer ix.Close()
			n, err := updateIndex(f, c, ix, db, ids)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(f.IO.Out, "indexed %d documents of %d exhibits\n", n, len(ids))
			return err
		},
	})
	return c
}

// parseNear reads --near LAT,LON,KM.
func parseNear(s string) (*index.Near, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return nil, usageError{fmt.Errorf("--near %q: want LAT,LON,KM (-3.38,38.65,50)", s)}
	}
	var v [3]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, usageError{fmt.Errorf("--near %q: %q is not a number", s, p)}
		}
		v[i] = x
	}
	if v[0] < -90 || v[0] > 90 || v[1] < -180 || v[1] > 180 || v[2] <= 0 {
		return nil, usageError{fmt.Errorf("--near %q: latitude -90..90, longitude -180..180, distance above 0", s)}
	}
	return &index.Near{Lat: v[0], Lon: v[1], Km: v[2]}, nil
}

// NewCmdSearch builds `pangolin search`.
func NewCmdSearch(f *Factory) *cobra.Command {
	var exhibits, types []string
	var from, to, near, terms string
	var limit int
	var facets bool
	c := &cobra.Command{
		Use:   "search QUERY | --terms FILE [--exhibit EX] [--type pdf|image|email|...] [--from DATE --to DATE] [--near LAT,LON,KM]",
		Short: "Search the text, metadata and entities of every catalogued file",
		Long: `Searches the case's full-text index, in any language of the evidence (words
in Chinese, Japanese, Korean, Thai, Lao, Khmer and Burmese are found without
spaces; accents and case do not matter). QUERY is bleve's query syntax:
words, "phrases", +must and -must-not, fuzzy~1, prefix*, /regular
expression/, and fields: phone:+254712345678, email:..., tag:evidence,
sha256:..., path:..., make:samsung, author:..., known:known-bad.

--terms runs a keyword list (one term a line: words, "a phrase", /regex/,
wild*card, or field:term for phone, email, bitcoin... (entities), tag, sha256,
md5, name, path, author, make, model; "Label<TAB>term" groups terms under a
label; '#' starts a comment) and
reports the files each term hits per exhibit; the run is recorded on the
custody ledger with the list's SHA-256. index/testdata/environmental-crime.terms
is a starter list (ivory, rhino horn, pangolin scales, rosewood... in several
languages).`,
		Example: `  pangolin search 'ivory OR pembe OR 象牙' --from 2026-03-01 --to 2026-05-31
  pangolin search '"rosewood logs"' --type email --near -3.38,38.65,50 --facets
  pangolin search --terms environmental-crime.terms`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if (len(args) == 1) == (terms != "") {
				return usageError{errors.New("give a QUERY or --terms FILE")}
			}
			q := index.Query{Exhibits: exhibits, Types: types, Limit: limit, Facets: facets, Highlight: true}
			var err error
			if q.From, err = parseWhen(from); err != nil {
				return err
			}
			if q.To, err = parseWhen(to); err != nil {
				return err
			}
			if q.Near, err = parseNear(near); err != nil {
				return err
			}
			cs, db, err := f.openCatalog(c)
			if err != nil {
				return err
			}
			defer db.Close()
			exs, err := db.Exhibits(c.Context())
			if err != nil {
				return err
			}
			var ids []string
			for _, e := range exs {
				ids = append(ids, e.ID)
			}
			ix, err := openIndex(cs, db)
			if err != nil {
				return err
			}
			defer ix.Close()
			if _, err := updateIndex(f, c, ix, db, ids); err != nil {
				return err
			}
			if terms != "" {
				return runTerms(f, c, cs, ix, terms, exhibits)
			}
			q.Text = args[0]
			res, err := ix.Search(c.Context(), q)
			if err != nil {
				return usageError{err}
			}
			if f.JSON {
				return writeJSON(f, res)
			}
			w := f.IO.Out
			fmt.Fprintf(w, "%d files match (%s)\n", res.Total, res.Took.Round(time.Millisecond))
			for _, h := range res.Hits {
				date := ""
				if !h.Date.IsZero() {
					date = h.Date.UTC().Format("2006-01-02")
				}
				fmt.Fprintf(w, "\n%s  %s  %d bytes  %s\n  sha256 %s\n", h.ID, clean(h.Path), h.Size, date, h.SHA256)
				for _, s := range h.Snippets {
					fmt.Fprintf(w, "  … %s\n", clean(plainSnippet(s)))
				}
			}
			for _, name := range []string{"exhibit", "type", "lang"} {
				counts := res.Facets[name]
				if len(counts) == 0 {
					continue
				}
				keys := make([]string, 0, len(counts))
				for k := range counts {
					keys = append(keys, k)
				}
				sort.Slice(keys, func(i, j int) bool {
					return counts[keys[i]] > counts[keys[j]] || counts[keys[i]] == counts[keys[j]] && keys[i] < keys[j]
				})
				fmt.Fprintf(w, "\nby %s:", name)
				for _, k := range keys {
					fmt.Fprintf(w, " %s %d;", k, counts[k])
				}
				fmt.Fprintln(w)
			}
			return nil
		},
	}
	c.Flags().StringSliceVar(&exhibits, "exhibit", nil, "only these exhibits")
	c.Flags().StringSliceVar(&types, "type", nil, "only these kinds: pdf, image, video, audio, email, document, spreadsheet, presentation, text, web, archive, database, executable")
	c.Flags().StringVar(&from, "from", "", "modified or created on or after (2026-03-01)")
	c.Flags().StringVar(&to, "to", "", "modified or created on or before")
	c.Flags().StringVar(&near, "near", "", "within KM kilometres of LAT,LON")
	c.Flags().IntVar(&limit, "limit", 20, "hits to show")
	c.Flags().BoolVar(&facets, "facets", false, "count the matches by exhibit, type and language")
	c.Flags().StringVar(&terms, "terms", "", "run a keyword list")
	return c
}

// plainSnippet turns a snippet's HTML (escaped text, <mark> around
// matches) into terminal text with the matches in [brackets].
func plainSnippet(s string) string {
	r := strings.NewReplacer("<mark>", "[", "</mark>", "]", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`, "&amp;", "&")
	return r.Replace(s)
}

// runTerms runs a keyword list and records it on the ledger.
func runTerms(f *Factory, c *cobra.Command, cs *catalog.Case, ix *index.Index, path string, exhibits []string) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	list, err := index.ParseTerms(file)
	file.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	hits, err := ix.RunTerms(c.Context(), list, exhibits)
	if err != nil {
		return err
	}
	_, id, err := f.caseAndIdentity()
	if err != nil {
		return err
	}
	ref, err := fileRef(c, cs, path)
	if err != nil {
		return err
	}
	var hit int
	for _, h := range hits {
		if h.Term != nil && h.Total > 0 {
			hit++
		}
	}
	attrs := map[string]string{"terms": strconv.Itoa(len(list)), "terms_hit": strconv.Itoa(hit)}
	if len(exhibits) > 0 {
		attrs["exhibits"] = strings.Join(exhibits, " ")
	}
	// The hits per term go to a results file the ledger entry names with
	// its SHA-256, so a findings report can show them, including the terms
	// that found nothing.
	results, err := json.MarshalIndent(reports.SearchResults{List: ref.Path, Exhibits: exhibits, Terms: hits}, "", "  ")
	if err != nil {
		return err
	}
	resPath := filepath.Join(cs.Dir, catalog.ReportsDir, "searches", "search-"+time.Now().UTC().Format("20060102T150405.000000000Z")+".json")
	if err := os.MkdirAll(filepath.Dir(resPath), 0o755); err != nil {
		return err
	}
	if err := atomicfile.Write(resPath, append(results, '\n'), 0o644); err != nil {
		return err
	}
	out, err := fileRef(c, cs, resPath)
	if err != nil {
		return err
	}
	entry, _, err := cs.Record(c.Context(), id, chain.Entry{Action: "search", Inputs: []chain.Ref{ref}, Outputs: []chain.Ref{out},
		Note: "keyword list " + filepath.Base(path), Attrs: attrs})
	if err != nil {
		return err
	}
	if f.JSON {
		return writeJSON(f, struct {
			Terms []index.TermHits `json:"terms"`
			Seq   int64            `json:"custody_seq"`
		}{hits, entry.Seq})
	}
	w := f.IO.Out
	for _, h := range hits {
		name := h.Label
		if h.Term != nil && h.Term.Written() != h.Label {
			name += ": " + h.Term.Written()
		} else if h.Term == nil {
			name += " (any)"
		}
		var per []string
		for ex, n := range h.Exhibits {
			per = append(per, fmt.Sprintf("%s %d", ex, n))
		}
		sort.Strings(per)
		fmt.Fprintf(w, "%6d  %s  %s\n", h.Total, clean(name), strings.Join(per, ", "))
	}
	_, err = fmt.Fprintf(w, "%d of %d terms hit; recorded custody entry %d\n", hit, len(list), entry.Seq)
	return err
}
