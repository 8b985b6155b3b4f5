package cmd

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/evidence"
	"github.com/pangolin-forensics/pangolin/extract"
	extractors "github.com/pangolin-forensics/pangolin/extract/all"
	"github.com/pangolin-forensics/pangolin/extract/filetype"
)

// metaResult is one file's metadata for `pangolin meta`.
type metaResult struct {
	MessageType string              `json:"message_type"`
	Path        string              `json:"path"`
	MIME        string              `json:"mime,omitempty"`
	Metadata    []*extract.Metadata `json:"metadata,omitempty"`
	Entities    []extract.Entity    `json:"entities,omitempty"`
	Error       string              `json:"error,omitempty"`
}

// NewCmdMeta builds `pangolin meta`.
func NewCmdMeta(f *Factory) *cobra.Command {
	var recursive, text bool
	var region string
	c := &cobra.Command{
		Use:   "meta FILE... [-r] [--json]",
		Short: "Read files' metadata: photo GPS, camera, time; video, document and email metadata",
		Long: `Prints the metadata of files as the processing pipeline reads it, like
exiftool: photo EXIF (GPS position, altitude and time, camera make, model and
serial, time taken with its zone), video locations and times, document
authors and dates, email headers. With --entities it also lists the phone
numbers, emails, wallets and vessels in the files' text. Works on any file,
inside a case or not; files are only read.`,
		Example: `  pangolin meta IMG_0412.JPG
  pangolin meta -r /media/sdcard/DCIM --json > photos.jsonl`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			x := extractors.New(extractors.Options{Region: region, Text: text})
			defer x.Close()
			paths := make(chan string, 64)
			results := make(chan *metaResult, 64)
			var walkErr error
			go func() {
				defer close(paths)
				for _, root := range args {
					err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
						if err != nil {
							return err
						}
						if d.IsDir() {
							if p != root && !recursive {
								return filepath.SkipDir
							}
							return nil
						}
						if d.Type().IsRegular() {
							paths <- p
						}
						return nil
					})
					if err != nil && walkErr == nil {
						walkErr = err
					}
				}
			}()
			var wg sync.WaitGroup
			for range runtime.GOMAXPROCS(0) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for p := range paths {
						results <- metaOf(c, x, p)
					}
				}()
			}
			go func() { wg.Wait(); close(results) }()
			out := bufio.NewWriterSize(f.IO.Out, 1<<16)
			defer out.Flush()
			enc := json.NewEncoder(out)
			enc.SetEscapeHTML(false)
			failed := 0
			for r := range results {
				if r.Error != "" {
					failed++
				}
				if f.JSON {
					if err := enc.Encode(r); err != nil {
						return err
					}
					continue
				}
				writeMetaText(out, r)
			}
			if walkErr != nil {
				return walkErr
			}
			if failed > 0 {
				return fmt.Errorf("%d files could not be read in full", failed)
			}
			return nil
		},
	}
	c.Flags().BoolVarP(&recursive, "recursive", "r", false, "read folders' files, recursively")
	c.Flags().BoolVar(&text, "entities", false, "also read the text and list the entities in it")
	c.Flags().StringVar(&region, "phone-region", "", "country whose national phone number forms are recognised (KE, TZ, VN...)")
	return c
}

func metaOf(c *cobra.Command, x *extractors.Extractor, path string) *metaResult {
	r := &metaResult{MessageType: "file", Path: path}
	file, err := evidence.Open(path)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		r.Error = err.Error()
		return r
	}
	head := make([]byte, filetype.HeadSize)
	n, err := file.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		r.Error = err.Error()
		return r
	}
	r.MIME = filetype.Detect(head[:n]).MIME
	res := x.Extract(c.Context(), file, st.Size(), filepath.Base(path), r.MIME, head[:n])
	r.Metadata, r.Entities, r.Error = res.Meta, res.Entities, res.Err
	return r
}

func writeMetaText(w io.Writer, r *metaResult) {
	fmt.Fprintf(w, "== %s", clean(r.Path))
	if r.MIME != "" {
		fmt.Fprintf(w, " (%s)", r.MIME)
	}
	fmt.Fprintln(w)
	for _, m := range r.Metadata {
		if g := m.GPS; g != nil {
			line := strconv.FormatFloat(g.Latitude, 'f', -1, 64) + ", " + strconv.FormatFloat(g.Longitude, 'f', -1, 64)
			if g.Altitude != nil {
				line += ", " + strconv.FormatFloat(*g.Altitude, 'f', -1, 64) + " m"
			}
			if g.Suspicious != "" {
				line += "  (suspicious: " + g.Suspicious + ")"
			}
			fmt.Fprintf(w, "  %-28s %s\n", "GPS position", clean(line))
		}
		if !m.Created.IsZero() {
			zone := ""
			if m.CreatedLocal {
				zone = " (camera clock, zone unknown)"
			}
			fmt.Fprintf(w, "  %-28s %s%s\n", "Created", m.Created.Format(time.RFC3339Nano), zone)
		}
		for _, fl := range m.Fields {
			fmt.Fprintf(w, "  %-28s %s\n", clean(fl.Name), clean(fl.Value))
		}
	}
	for _, e := range r.Entities {
		fmt.Fprintf(w, "  entity %-21s %s\n", e.Type, clean(e.Value))
	}
	if r.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", clean(r.Error))
	}
}
