package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/filesystem/all"
)

// volume is one partition of an image with the file system found in it.
type volume struct {
	filesystem.Partition
	FS    string `json:"fs,omitempty"`
	Label string `json:"label,omitempty"`
	Error string `json:"error,omitempty"`
	fs    filesystem.FS
}

// openVolumes opens an image and the file systems in its partitions (or in
// the one partition asked for, by index). closeAll closes them and the
// image.
func openVolumes(imagePath string, only int) (vols []*volume, closeAll func(), err error) {
	img, _, err := openImage(imagePath)
	if err != nil {
		return nil, nil, err
	}
	opened, err := all.Volumes(img, img.Size())
	if err != nil {
		img.Close()
		return nil, nil, fmt.Errorf("%s: %w", imagePath, err)
	}
	closeAll = func() {
		all.CloseVolumes(opened)
		img.Close()
	}
	for _, o := range opened {
		if only >= 0 && o.Index != only {
			continue
		}
		v := &volume{Partition: o.Partition, fs: o.FS}
		if o.Err != nil {
			v.Error = o.Err.Error()
		} else {
			v.FS, v.Label = o.FS.Type(), o.FS.Label()
		}
		vols = append(vols, v)
	}
	if only >= 0 && len(vols) == 0 {
		closeAll()
		return nil, nil, usageError{fmt.Errorf("%s has no partition %d", imagePath, only)}
	}
	return vols, closeAll, nil
}

// NewCmdLs builds `pangolin ls`.
func NewCmdLs(f *Factory) *cobra.Command {
	var recursive, deletedOnly bool
	var partition int
	c := &cobra.Command{
		Use:   "ls IMAGE [-r] [--deleted] [--partition N]",
		Short: "List the partitions of an image and the files in them, deleted ones too",
		Long: `Reads the partition table of IMAGE (E01, raw or split raw; MBR, GPT or none)
and lists the files of each file system found (FAT, exFAT, NTFS, ext2/3/4,
ISO 9660; or the members of a ZIP, TAR or gzip archive) with metadata address, size, modification time and path, allocated
and deleted ("*"), as The Sleuth Kit's mmls and fls do. Nothing is mounted
and the image is only read. A partition whose file system is unknown or
damaged is reported and the others still list.`,
		Example: `  pangolin ls evidence/EX-001/EX-001.E01 -r
  pangolin ls sdcard.dd -r --deleted --json`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			vols, closeAll, err := openVolumes(args[0], partition)
			if err != nil {
				return err
			}
			defer closeAll()
			// Listings run to millions of lines: buffer them, and use fixed
			// columns so that nothing has to be held to align them.
			out := bufio.NewWriterSize(f.IO.Out, 1<<16)
			defer out.Flush()
			enc := json.NewEncoder(out)
			enc.SetEscapeHTML(false)
			for _, v := range vols {
				if f.JSON {
					if err := enc.Encode(struct {
						MessageType string `json:"message_type"`
						*volume
					}{"partition", v}); err != nil {
						return err
					}
				} else {
					desc := v.FS
					if v.Error != "" {
						desc = "no readable file system: " + v.Error
					}
					fmt.Fprintf(out, "partition %d  %s  start %d  length %d  %s  %s\n", v.Index, v.Scheme, v.Start, v.Length, clean(v.Description), clean(desc))
				}
				if v.fs == nil {
					continue
				}
				var line, num []byte
				err := v.fs.Walk(c.Context(), func(e *filesystem.Entry) error {
					if !recursive && strings.Count(strings.TrimPrefix(e.Path, "/"), "/") > 0 {
						return nil
					}
					if deletedOnly && !e.Deleted {
						return nil
					}
					if f.JSON {
						return enc.Encode(struct {
							MessageType string `json:"message_type"`
							Partition   int    `json:"partition"`
							*filesystem.Entry
						}{"entry", v.Index, e})
					}
					// Appended by hand: listings run to millions of lines.
					line = append(line[:0], typeLetter(e.Type)...)
					if e.Deleted {
						line = append(line, " * "...)
					} else {
						line = append(line, "   "...)
					}
					line = appendPadded(line, strconv.AppendUint(num[:0], e.Inode, 10), 10)
					line = append(line, ' ')
					line = appendPadded(line, strconv.AppendInt(num[:0], e.Size, 10), 12)
					line = append(line, ' ')
					n := len(line)
					if !e.Modified.IsZero() {
						line = e.Modified.UTC().AppendFormat(line, time.RFC3339)
					}
					for len(line) < n+20 {
						line = append(line, ' ')
					}
					line = append(line, ' ')
					line = append(line, clean(e.Path)...)
					line = append(line, '\n')
					_, err := out.Write(line)
					return err
				})
				if err != nil {
					return err
				}
				for _, a := range v.fs.Anomalies() {
					fmt.Fprintf(f.IO.ErrOut, "pangolin: partition %d: %s\n", v.Index, oneLine(a))
				}
			}
			return nil
		},
	}
	c.Flags().BoolVarP(&recursive, "recursive", "r", false, "list every folder, not only the root")
	c.Flags().BoolVar(&deletedOnly, "deleted", false, "only deleted entries")
	c.Flags().IntVar(&partition, "partition", -1, "only this partition (index as listed)")
	return c
}

func typeLetter(t filesystem.EntryType) string {
	switch t {
	case filesystem.Dir:
		return "d"
	case filesystem.File:
		return "r"
	case filesystem.Symlink:
		return "l"
	}
	return "-"
}

// appendPadded appends s right-aligned in width columns.
func appendPadded(b, s []byte, width int) []byte {
	for i := len(s); i < width; i++ {
		b = append(b, ' ')
	}
	return append(b, s...)
}

// NewCmdCat builds `pangolin cat`.
func NewCmdCat(f *Factory) *cobra.Command {
	var partition int
	c := &cobra.Command{
		Use:   "cat IMAGE PATH|INODE [--partition N]",
		Short: "Write one file's content from an image to stdout, deleted files too",
		Long: `Finds a file in IMAGE by its path or metadata address (as 'pangolin ls'
prints them) and writes its content to stdout, like The Sleuth Kit's icat.
Deleted files are written where their content can be recovered. With several
partitions, the first one holding the file is used unless --partition is given.`,
		Args: exactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			vols, closeAll, err := openVolumes(args[0], partition)
			if err != nil {
				return err
			}
			defer closeAll()
			want := args[1]
			inode, byInode := uint64(0), false
			if n, err := strconv.ParseUint(want, 10, 64); err == nil {
				inode, byInode = n, true
			} else if !strings.HasPrefix(want, "/") {
				want = "/" + want
			}
			for _, v := range vols {
				if v.fs == nil {
					continue
				}
				e, err := findEntry(c.Context(), v.fs, want, inode, byInode)
				if err != nil {
					return err
				}
				if e == nil {
					continue
				}
				r, err := v.fs.Open(e)
				if err != nil {
					return fmt.Errorf("%s: %w", e.Path, err)
				}
				_, err = io.Copy(f.IO.Out, r)
				return err
			}
			return fmt.Errorf("%s: no file %s", args[0], args[1])
		},
	}
	c.Flags().IntVar(&partition, "partition", -1, "only this partition")
	return c
}

// errFound stops a walk once the entry is found.
var errFound = errors.New("found")

// findEntry walks fs for the entry with the path (or inode), preferring an
// allocated one.
func findEntry(ctx context.Context, fs filesystem.FS, want string, inode uint64, byInode bool) (*filesystem.Entry, error) {
	var hit *filesystem.Entry
	err := fs.Walk(ctx, func(e *filesystem.Entry) error {
		match := byInode && e.Inode == inode && e.Stream == "" || !byInode && path.Clean(e.Path) == path.Clean(want)
		if !match || e.Type == filesystem.Dir {
			return nil
		}
		c := *e
		hit = &c
		if !e.Deleted {
			return errFound
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFound) {
		return nil, err
	}
	return hit, nil
}
