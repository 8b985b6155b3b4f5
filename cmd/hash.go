package cmd

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/hashing/hashfile"
	"github.com/pangolin-forensics/pangolin/hashing/phash"
	"github.com/pangolin-forensics/pangolin/hashing/ssdeep"
	"github.com/pangolin-forensics/pangolin/internal/buildinfo"
)

// hashOptions are the flags of `pangolin hash`.
type hashOptions struct {
	paths     []string
	recursive bool
	algos     string
	format    string
	jobs      int
	audit     string
	verbose   int
	hashsets  []string
	match     string
	threshold int
	relative  bool
}

// NewCmdHash builds `pangolin hash`.
func NewCmdHash(f *Factory) *cobra.Command {
	var o hashOptions
	c := &cobra.Command{
		Use:   "hash PATH... [-r] [--algo md5,sha1,sha256] [--format hashdeep|sum|bsd|csv|json|dfxml]",
		Short: "Hash files and folders, in formats hashdeep and the sum tools read",
		Long: `Hashes files (and with -r every regular file below folders) with several
algorithms over one read of each file, several files at a time. Files are
opened read-only (on Linux without updating their access time). A file that
cannot be read is reported on stderr and the run goes on; the exit status is
then 1. Paths are printed absolute, as hashdeep prints them, or as given with
-l.

Algorithms: md5, sha1, sha256, sha512, blake3, and the similarity digests
ssdeep (files that are alike) and phash (photos that look alike).

Formats: hashdeep (hashdeep's own file format, which 'hashdeep -a -k' reads),
sum (md5sum/sha256sum style, one algorithm), bsd ("SHA256 (file) = ..."), csv,
json (JSON Lines), dfxml and ssdeep (the ssdeep tool's list). --json is the same
as --format json.

--audit KNOWN compares the files with a known list (hashdeep, md5sum-style,
ssdeep-less JSON) the way 'hashdeep -a' does: each file is matched, moved,
partially matched or new, and known files not seen are missing. Exit 0 when the
audit passes, 3 when it fails; -v, -vv, -vvv print more, as hashdeep does.

--hashset NAME marks each file with the imported hash sets it is in
(known-good, known-bad, notable); "all" uses every set.

--match KNOWN compares each file's ssdeep digest with an ssdeep list (as
'ssdeep -m'), printing "FILE matches KNOWN:NAME (SCORE)" for scores over
--threshold.`,
		Example: `  pangolin hash -r /media/sdcard --format hashdeep > sdcard.hashdeep
  pangolin hash --algo sha256 --format sum photo.jpg
  pangolin hash --audit sdcard.hashdeep -r /media/sdcard
  pangolin hash -r --hashset nsrl --hashset ivory-photos --format csv /mnt/phone
  pangolin hash -r --match known-documents.ssdeep /mnt/laptop`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{fmt.Errorf("name at least one file or folder to hash")}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			o.paths = args
			return hashRun(f, c, &o)
		},
	}
	c.Flags().BoolVarP(&o.recursive, "recursive", "r", false, "hash every file below named folders")
	c.Flags().StringVar(&o.algos, "algo", "md5,sha1,sha256", "algorithms: md5, sha1, sha256, sha512, blake3")
	c.Flags().StringVar(&o.format, "format", "hashdeep", "output format: hashdeep, sum, bsd, csv, json, dfxml")
	c.Flags().IntVar(&o.jobs, "jobs", 0, "files hashed at once (default: one per core)")
	c.Flags().BoolVarP(&o.relative, "relative", "l", false, "print paths as given, not absolute (as hashdeep -l)")
	c.Flags().StringVar(&o.audit, "audit", "", "audit against a known hash list (exit 3 when it fails)")
	c.Flags().CountVarP(&o.verbose, "verbose", "v", "with --audit: more detail (-v, -vv, -vvv)")
	c.Flags().StringArrayVar(&o.hashsets, "hashset", nil, "mark files found in this imported hash set (repeatable; \"all\" for every set)")
	c.Flags().StringVar(&o.match, "match", "", "match ssdeep digests against this ssdeep list")
	c.Flags().IntVar(&o.threshold, "threshold", 0, "with --match: report scores above this (0-99)")
	c.AddCommand(newCmdHashCompare(f), newCmdHashSimilar(f))
	return c
}

func hashRun(f *Factory, c *cobra.Command, o *hashOptions) error {
	algos, err := hashing.ParseAlgos(o.algos)
	if err != nil {
		return usageError{err}
	}
	switch {
	case o.audit != "":
		return hashAudit(f, c, o)
	case o.match != "":
		return hashMatch(f, c, o)
	}
	format := hashfile.Format(o.format)
	if f.JSON {
		format = hashfile.JSON
	} else if len(o.hashsets) > 0 && !c.Flags().Changed("format") {
		format = hashfile.CSV
	}
	if format, err = hashfile.ParseFormat(string(format)); err != nil {
		return usageError{err}
	}
	if format == hashfile.SSDEEP && !c.Flags().Changed("algo") {
		algos = []hashing.Algo{hashing.SSDEEP}
	}
	mark, closeSets, err := hashsetMarker(f, o.hashsets)
	if err != nil {
		return err
	}
	defer closeSets()
	if mark != nil {
		algos = withAlgos(algos, hashing.MD5, hashing.SHA1, hashing.SHA256)
	}
	wd, _ := os.Getwd()
	bi := buildinfo.Get()
	w, err := hashfile.NewWriter(f.IO.Out, format, algos, hashfile.WriterOptions{
		Dir: wd, Command: "pangolin " + strings.Join(os.Args[1:], " "),
		Program: "pangolin", Version: bi.Version, Start: f.Now(), HashSets: mark != nil,
	})
	if err != nil {
		return usageError{err}
	}
	counts := map[string]int{}
	err = hashFiles(f, c, o, algos, func(fh hashing.FileHash) error {
		if mark != nil && fh.Err == nil {
			sets, merr := mark(fh)
			if merr != nil {
				return merr
			}
			fh.Sets = sets
			for _, s := range fh.Sets {
				kind, _, _ := strings.Cut(s, ":")
				counts[kind]++
			}
		}
		return w.Write(fh)
	})
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if mark != nil && !f.JSON {
		fmt.Fprintf(f.IO.ErrOut, "hash sets: %d known-bad, %d notable, %d known-good\n", counts["known-bad"], counts["notable"], counts["known-good"])
	}
	return err
}

// withAlgos adds the algorithms in more that algos lacks, in canonical order.
func withAlgos(algos []hashing.Algo, more ...hashing.Algo) []hashing.Algo {
	var names []string
	for _, a := range append(algos, more...) {
		names = append(names, string(a))
	}
	all, _ := hashing.ParseAlgos(strings.Join(names, ","))
	return all
}

// hashFiles hashes o.paths, shows progress, reports unreadable files on
// stderr and counts them into the returned error.
func hashFiles(f *Factory, c *cobra.Command, o *hashOptions, algos []hashing.Algo, fn func(hashing.FileHash) error) error {
	show, done := f.status()
	var failed int64
	err := hashing.HashTree(c.Context(), o.paths, hashing.TreeOptions{
		Algos: algos, Recursive: o.recursive, Jobs: o.jobs,
		Progress: func(p hashing.Progress) {
			show(func(el time.Duration) string {
				return fmt.Sprintf("hashing: %d files, %.1f MiB (%.0f MB/s)", p.Files, float64(p.Bytes)/(1<<20), float64(p.Bytes)/1e6/el.Seconds())
			})
		},
	}, func(fh hashing.FileHash) error {
		if !o.relative {
			if abs, err := filepath.Abs(fh.Path); err == nil {
				fh.Path = abs
			}
		}
		if fh.Err != nil {
			failed++
			done()
			fmt.Fprintf(f.IO.ErrOut, "pangolin: %s\n", oneLine(fh.Err.Error()))
		}
		return fn(fh)
	})
	done()
	if err == nil && failed > 0 {
		err = fmt.Errorf("%d of the files could not be read", failed)
	}
	return err
}

// hashsetMarker returns a function naming the sets a file is in, for the
// sets named ("all" for every set); nil when none are named.
func hashsetMarker(f *Factory, names []string) (func(hashing.FileHash) ([]string, error), func(), error) {
	if len(names) == 0 {
		return nil, func() {}, nil
	}
	store, err := f.hashsets()
	if err != nil {
		return nil, nil, err
	}
	sets, err := store.List()
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	known := map[string]bool{}
	for _, s := range sets {
		known[s.Name] = true
	}
	for n := range want {
		if n != "all" && !known[n] {
			store.Close()
			return nil, nil, fmt.Errorf("no hash set %q (see 'pangolin hashset list')", n)
		}
	}
	mark := func(fh hashing.FileHash) ([]string, error) {
		seen := map[string]bool{}
		var out []string
		for _, a := range []hashing.Algo{hashing.SHA256, hashing.SHA1, hashing.MD5} {
			sum, err := hex.DecodeString(fh.Sums[a])
			if err != nil || len(sum) == 0 {
				continue
			}
			ms, err := store.Lookup(a, sum)
			if err != nil {
				return nil, err
			}
			for _, m := range ms {
				if (want["all"] || want[m.Name]) && !seen[m.Name] {
					seen[m.Name] = true
					out = append(out, string(m.Kind)+":"+m.Name)
				}
			}
		}
		slices.Sort(out)
		return out, nil
	}
	return mark, func() { store.Close() }, nil
}

// readKnown reads a known hash list for --audit or --match.
func readKnown(path string) (*hashfile.Known, error) {
	file, err := evidence.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return hashfile.Read(file, path)
}

// hashAudit runs `hash --audit`.
func hashAudit(f *Factory, c *cobra.Command, o *hashOptions) error {
	known, err := readKnown(o.audit)
	if err != nil {
		return err
	}
	var algos []hashing.Algo
	for _, a := range known.Algos {
		if a.Size() > 0 {
			algos = append(algos, a)
		}
	}
	if len(algos) == 0 {
		return fmt.Errorf("%s: no digest pangolin computes (md5, sha1, sha256, sha512)", o.audit)
	}
	audit := hashfile.NewAudit(known)
	err = hashFiles(f, c, o, algos, func(fh hashing.FileHash) error {
		audit.Add(fh)
		return nil
	})
	res := audit.Finish()
	if f.JSON {
		if jerr := writeJSON(f, res); jerr != nil {
			return jerr
		}
	} else if werr := res.WriteText(f.IO.Out, o.verbose); werr != nil {
		return werr
	}
	switch {
	case !res.Passed:
		return mismatchf("audit against %s failed: %d new, %d moved, %d missing", o.audit, res.New, res.Moved, res.Missing)
	case err != nil:
		return err
	}
	return nil
}

// ssdeepMatch is one line of `hash --match` and `hash compare`.
type ssdeepMatch struct {
	Path  string `json:"path"`
	Known string `json:"known"`
	Score int    `json:"score"`
}

// hashMatch runs `hash --match`: every file's ssdeep digest against a list.
func hashMatch(f *Factory, c *cobra.Command, o *hashOptions) error {
	known, err := readKnown(o.match)
	if err != nil {
		return err
	}
	type entry struct {
		name string
		d    ssdeep.Digest
	}
	var list []entry
	for _, kf := range known.Files {
		d, err := ssdeep.Parse(kf.Sums[hashing.SSDEEP])
		if err != nil {
			return fmt.Errorf("%s line %d: %w", o.match, kf.Line, err)
		}
		list = append(list, entry{kf.Path, d})
	}
	if len(list) == 0 {
		return fmt.Errorf("%s: no ssdeep digests (make one with 'pangolin hash --format ssdeep' or ssdeep)", o.match)
	}
	return hashFiles(f, c, o, []hashing.Algo{hashing.SSDEEP}, func(fh hashing.FileHash) error {
		if fh.Err != nil {
			return nil
		}
		d, err := ssdeep.Parse(fh.Sums[hashing.SSDEEP])
		if err != nil {
			return nil // too large for a digest
		}
		for _, k := range list {
			if score := d.Compare(k.d); score > o.threshold {
				m := ssdeepMatch{Path: fh.Path, Known: o.match + ":" + k.name, Score: score}
				if f.JSON {
					err = writeJSONLine(f, struct {
						MessageType string `json:"message_type"`
						ssdeepMatch
					}{"match", m})
				} else {
					_, err = fmt.Fprintf(f.IO.Out, "%s matches %s (%d)\n", clean(m.Path), clean(m.Known), m.Score)
				}
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func newCmdHashCompare(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "compare A B",
		Short: "Score how alike two files (or two ssdeep digests) are, 0 to 100, as ssdeep -d does",
		Args:  exactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			var ds [2]ssdeep.Digest
			for i, a := range args {
				d, err := ssdeep.Parse(a)
				if err != nil {
					m, herr := hashing.NewMulti(hashing.SSDEEP)
					if herr != nil {
						return herr
					}
					file, ferr := evidence.Open(a)
					if ferr != nil {
						return fmt.Errorf("%s is neither a readable file nor an ssdeep digest: %w", a, ferr)
					}
					_, ferr = m.ReadFrom(file)
					file.Close()
					if ferr != nil {
						return ferr
					}
					if d, err = ssdeep.Parse(m.Sums()[hashing.SSDEEP]); err != nil {
						return fmt.Errorf("%s: %w", a, err)
					}
				}
				ds[i] = d
			}
			m := ssdeepMatch{Path: args[0], Known: args[1], Score: ds[0].Compare(ds[1])}
			if f.JSON {
				return writeJSON(f, m)
			}
			_, err := fmt.Fprintf(f.IO.Out, "%s matches %s (%d)\n", clean(m.Path), clean(m.Known), m.Score)
			return err
		},
	}
}

func newCmdHashSimilar(f *Factory) *cobra.Command {
	o := hashOptions{recursive: true}
	c := &cobra.Command{
		Use:   "similar PATH... [--threshold N]",
		Short: "Group photos that look alike (perceptual hash), across folders and devices",
		Long: `Computes a perceptual hash of every photo under the paths (JPEG, PNG, GIF,
WebP, BMP, TIFF; turned upright by EXIF orientation) and prints groups of
photos within --threshold bits of each other: the same photo recompressed,
resized or re-saved by a messaging app, found on several devices.`,
		Example: `  pangolin hash similar /mnt/phone-A/DCIM /mnt/phone-B/WhatsApp`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{fmt.Errorf("name at least one folder or photo")}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			o.paths = args
			var items []phash.Item
			err := hashFiles(f, c, &o, []hashing.Algo{hashing.PHASH}, func(fh hashing.FileHash) error {
				if h, perr := phash.Parse(fh.Sums[hashing.PHASH]); fh.Err == nil && perr == nil {
					items = append(items, phash.Item{ID: fh.Path, Hash: h})
				}
				return nil
			})
			groups := phash.Group(items, o.threshold)
			if f.JSON {
				if jerr := writeJSON(f, struct {
					Photos int            `json:"photos"`
					Groups [][]phash.Item `json:"groups"`
				}{len(items), groups}); jerr != nil {
					return jerr
				}
			} else {
				for i, g := range groups {
					fmt.Fprintf(f.IO.Out, "group %d (%d photos)\n", i+1, len(g))
					for _, it := range g {
						fmt.Fprintf(f.IO.Out, "  %s  %s\n", it.Hash, clean(it.ID))
					}
				}
				fmt.Fprintf(f.IO.ErrOut, "%d photos, %d groups of look-alikes\n", len(items), len(groups))
			}
			return err
		},
	}
	c.Flags().IntVar(&o.threshold, "threshold", phash.DefaultThreshold, "largest Hamming distance (bits of 64) within a group")
	c.Flags().IntVar(&o.jobs, "jobs", 0, "files hashed at once (default: one per core)")
	return c
}
