package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/internal/buildinfo"
)

// NewCmdVersion builds `pangolin version`.
func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print pangolin's version, commit, Go version and platform",
		Args:  exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			bi := buildinfo.Get()
			if f.JSON {
				return writeJSON(f, bi)
			}
			_, err := fmt.Fprintf(f.IO.Out, "pangolin %s\ncommit %s\n%s %s\n", bi.Version, bi.Commit, bi.Go, bi.OS)
			return err
		},
	}
}
