package cmd

import (
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/hashing/hashset"
)

// NewCmdHashset builds `pangolin hashset`.
func NewCmdHashset(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "hashset",
		Short: "Import and query known-file hash sets (NSRL, agency lists)",
		Long: `Hash sets sort millions of files into the few that matter: known-good sets
(NSRL operating-system and application files) to ignore, known-bad and notable
sets (an agency's list of trafficking photos, malware) to flag. Sets live in
the examiner's pangolin home folder and serve every case.`,
	}
	c.AddCommand(newCmdHashsetImport(f), newCmdHashsetList(f), newCmdHashsetLookup(f), newCmdHashsetRemove(f))
	return c
}

// hashsets opens the examiner's hash set store.
func (f *Factory) hashsets() (*hashset.Store, error) {
	home, err := f.Home()
	if err != nil {
		return nil, err
	}
	return hashset.Open(filepath.Join(home, "hashsets"))
}

func newCmdHashsetImport(f *Factory) *cobra.Command {
	var kind, format string
	var replace bool
	c := &cobra.Command{
		Use:   "import NAME FILE --kind known-good|known-bad|notable [--format auto|nsrl-rds3|nsrl-legacy|hashdeep|sum|csv]",
		Short: "Import a hash set from a file",
		Long: `Imports the hashes in FILE as the set NAME. Formats: nsrl-rds3 (NSRL RDSv3
SQLite database, read-only), nsrl-legacy (NSRLFile.txt or the RDS zip holding
it), hashdeep, sum (md5sum/sha1sum/sha256sum/sha512sum or BSD style), csv (hex
hashes, one a line or in columns named by algorithm); auto detects them. A
malformed line stops the import with an error naming the file and line, and
the sets already imported stay as they were.`,
		Example: `  pangolin hashset import nsrl-2026.03 RDS_2026.03.1_modern_minimal.db --kind known-good
  pangolin hashset import ivory-photos ivory.sha256 --kind known-bad --format sum`,
		Args: exactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			if err := required(map[string]string{"kind": kind}); err != nil {
				return err
			}
			store, err := f.hashsets()
			if err != nil {
				return err
			}
			defer store.Close()
			var opts []hashset.ImportOption
			if replace {
				opts = append(opts, hashset.Replace())
			}
			show, done := f.status()
			info, err := store.Import(c.Context(), args[0], hashset.Kind(kind), args[1], hashset.Format(format), func(n int64) {
				show(func(el time.Duration) string {
					return fmt.Sprintf("importing: %d hashes (%.0f/s)", n, float64(n)/el.Seconds())
				})
			}, opts...)
			done()
			if err != nil {
				return err
			}
			if f.JSON {
				return writeJSON(f, info)
			}
			printSets(f, []hashset.Info{*info})
			return nil
		},
	}
	c.Flags().StringVar(&kind, "kind", "", "known-good, known-bad or notable (required)")
	c.Flags().StringVar(&format, "format", "auto", "auto, nsrl-rds3, nsrl-legacy, hashdeep, sum, csv")
	c.Flags().BoolVar(&replace, "replace", false, "replace an existing set of that name")
	return c
}

func printSets(f *Factory, sets []hashset.Info) {
	tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tHASHES\tFORMAT\tIMPORTED\tSOURCE SHA-256\tSOURCE")
	for _, s := range sets {
		var counts []string
		for _, a := range hashing.Algos {
			if n := s.Counts[a]; n > 0 {
				counts = append(counts, fmt.Sprintf("%d %s", n, a))
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", clean(s.Name), s.Kind, strings.Join(counts, ", "), s.Format,
			s.Imported.Format(time.RFC3339), s.SourceSHA256, clean(s.Source))
	}
	tw.Flush()
}

func newCmdHashsetList(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the imported hash sets",
		Args:  exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			store, err := f.hashsets()
			if err != nil {
				return err
			}
			defer store.Close()
			sets, err := store.List()
			if err != nil {
				return err
			}
			if f.JSON {
				return writeJSON(f, sets)
			}
			printSets(f, sets)
			return nil
		},
	}
}

// lookupResult is one line of `hashset lookup`.
type lookupResult struct {
	Hash    string          `json:"hash"`
	Algo    hashing.Algo    `json:"algo"`
	Matches []hashset.Match `json:"matches"`
}

func newCmdHashsetLookup(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "lookup HASH...",
		Short: "Look hashes up in every imported set",
		Long: `Looks each hex hash up in every set; the algorithm follows from its length
(32 md5, 40 sha1, 64 sha256, 128 sha512). Exit 0 when every hash is in some
set, 1 when one is in none.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{fmt.Errorf("give at least one hash")}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			store, err := f.hashsets()
			if err != nil {
				return err
			}
			defer store.Close()
			missing := 0
			var results []lookupResult
			for _, h := range args {
				sum, algo, err := parseHex(h)
				if err != nil {
					return usageError{err}
				}
				m, err := store.Lookup(algo, sum)
				if err != nil {
					return err
				}
				if len(m) == 0 {
					missing++
				}
				results = append(results, lookupResult{strings.ToLower(h), algo, m})
			}
			if f.JSON {
				if err := writeJSON(f, results); err != nil {
					return err
				}
			} else {
				for _, r := range results {
					fmt.Fprintf(f.IO.Out, "%s  %s\n", r.Hash, matchText(r.Matches))
				}
			}
			if missing > 0 {
				return fmt.Errorf("%d of the hashes are in no set", missing)
			}
			return nil
		},
	}
}

// parseHex decodes a hex digest and names its algorithm by length.
func parseHex(s string) ([]byte, hashing.Algo, error) {
	sum, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, "", fmt.Errorf("%q is not a hex hash", s)
	}
	if a := hashing.ByHexLength(2 * len(sum)); a != "" {
		return sum, a, nil
	}
	return nil, "", fmt.Errorf("%q: %d hex digits is no md5, sha1, sha256 or sha512 hash", s, len(s))
}

// matchText describes the sets a hash is in, most serious first.
func matchText(ms []hashset.Match) string {
	if len(ms) == 0 {
		return "not in any set"
	}
	var parts []string
	for _, k := range []hashset.Kind{hashset.KnownBad, hashset.Notable, hashset.KnownGood} {
		for _, m := range ms {
			if m.Kind == k {
				parts = append(parts, fmt.Sprintf("%s (%s)", m.Kind, clean(m.Name)))
			}
		}
	}
	return strings.Join(parts, ", ")
}

func newCmdHashsetRemove(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove an imported hash set",
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			store, err := f.hashsets()
			if err != nil {
				return err
			}
			defer store.Close()
			if err := store.Remove(args[0]); err != nil {
				return err
			}
			_, err = fmt.Fprintf(f.IO.Out, "removed hash set %s\n", clean(args[0]))
			return err
		},
	}
}
