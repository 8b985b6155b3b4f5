package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
	"github.com/pangolin-forensics/pangolin/process"
)

// tagName is what a tag may look like: a word usable in a search (tag:NAME).
var tagName = regexp.MustCompile(`^[\pL\pN][\pL\pN._-]{0,63}$`)

// NewCmdTag builds `pangolin tag`.
func NewCmdTag(f *Factory) *cobra.Command {
	var tags []string
	var note string
	var remove bool
	c := &cobra.Command{
		Use:   "tag ARTEFACT-ID... --tag NAME [--note TEXT] [--remove]",
		Short: "Tag catalogued artefacts (evidence, notable, ...) with an optional note",
		Long: `Puts tags on artefacts, named by their id (EXHIBIT/PARTITION/N, as search,
entities and export list them), with an optional note. Tags are searchable
(tag:evidence), listed by 'pangolin tags' and in reports, and every change is
recorded on the custody ledger.`,
		Example: `  pangolin tag EX-001/0/412 --tag evidence --note "scales, matches the seizure photo"
  pangolin tag EX-001/0/412 --tag evidence --remove`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(tags) == 0 {
				return usageError{errors.New("give at least one --tag")}
			}
			for _, t := range tags {
				if !tagName.MatchString(t) {
					return usageError{fmt.Errorf("tag %q: use letters, digits, '.', '_' and '-'", t)}
				}
			}
			cs, id, err := f.caseAndIdentity()
			if err != nil {
				return err
			}
			_, db, err := f.openCatalog(c)
			if err != nil {
				return err
			}
			defer db.Close()
			for _, arg := range args {
				exhibit, ref, err := catalog.ParseID(arg)
				if err != nil {
					return usageError{err}
				}
				a, err := db.Artefact(c.Context(), exhibit, ref)
				if err != nil {
					return err
				}
				for _, t := range tags {
					if err := db.SetTag(c.Context(), catalog.Tag{Exhibit: exhibit, Ref: ref, Tag: t, Note: note, Examiner: id.ID, Time: f.Now()}, remove); err != nil {
						return err
					}
					action := "tag"
					if remove {
						action = "untag"
					}
					attrs := map[string]string{"artefact": arg, "tag": t, "path": a.Path}
					if a.SHA256 != "" {
						attrs["sha256"] = a.SHA256
					}
					entry, _, err := cs.Record(c.Context(), id, chain.Entry{Action: action, Exhibit: exhibit, Note: note, Attrs: attrs})
					if err != nil {
						return err
					}
					if !f.JSON {
						fmt.Fprintf(f.IO.Out, "%s %s %s (%s), custody entry %d\n", action, arg, t, clean(a.Path), entry.Seq)
					}
				}
				if err := reindex(c, cs, db, exhibit, ref); err != nil {
					fmt.Fprintf(f.IO.ErrOut, "pangolin: the search index does not show the change yet (%v); 'pangolin index rebuild' brings it up to date\n", err)
				}
			}
			return nil
		},
	}
	c.Flags().StringSliceVar(&tags, "tag", nil, "tag name (repeatable)")
	c.Flags().StringVar(&note, "note", "", "a note on why")
	c.Flags().BoolVar(&remove, "remove", false, "take the tags off")
	return c
}

// reindex updates one artefact's document in the search index, if the
// case has one.
func reindex(c *cobra.Command, cs *catalog.Case, db *catalog.DB, exhibit, ref string) error {
	if _, err := os.Stat(filepath.Join(cs.Dir, indexDir)); err != nil {
		return nil // no index yet: it will be built with the tags
	}
	ix, err := openIndex(cs, db)
	if err != nil {
		return err
	}
	defer ix.Close()
	b := ix.NewBatch()
	for x, err := range db.Indexables(c.Context(), exhibit, ref) {
		if err != nil {
			return err
		}
		if err := b.Add(process.Doc(x)); err != nil {
			return err
		}
	}
	return ix.Commit(c.Context(), b)
}

// NewCmdTags builds `pangolin tags`.
func NewCmdTags(f *Factory) *cobra.Command {
	var names []string
	c := &cobra.Command{
		Use:   "tags [--tag NAME]",
		Short: "List tagged artefacts",
		Args:  exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			_, db, err := f.openCatalog(c)
			if err != nil {
				return err
			}
			defer db.Close()
			var all []*catalog.Tag
			for t, err := range db.Tags(c.Context(), names) {
				if err != nil {
					return err
				}
				all = append(all, t)
			}
			if f.JSON {
				return writeJSON(f, all)
			}
			for _, t := range all {
				line := fmt.Sprintf("%-12s %s/%s %s  (%s, %s)", t.Tag, t.Exhibit, t.Ref, clean(t.Path), t.Examiner, t.Time.Format("2006-01-02"))
				if t.Note != "" {
					line += "  " + clean(t.Note)
				}
				if _, err := fmt.Fprintln(f.IO.Out, line); err != nil {
					return err
				}
			}
			return nil
		},
	}
	c.Flags().StringSliceVar(&names, "tag", nil, "only these tags")
	return c
}
