package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/chain"
)

// Exit statuses, the same for every command.
const (
	ExitOK       = 0
	ExitFailure  = 1
	ExitUsage    = 2
	ExitMismatch = 3
)

const exitHelp = `Exit status:
  0  success
  1  failure (bad input, missing file, I/O error)
  2  usage error
  3  verification mismatch`

// usageError marks an error in the command line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// errMismatch marks a verification that ran and found the evidence, ledger
// or report not what it should be.
var errMismatch = errors.New("verification failed")

// mismatchf returns an error that exits with status 3.
func mismatchf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMismatch, fmt.Sprintf(format, args...))
}

// ExitCode maps an error to pangolin's exit status.
func ExitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue):
		return ExitUsage
	case errors.Is(err, errMismatch), errors.Is(err, chain.ErrNotRepairable):
		return ExitMismatch
	}
	return ExitFailure
}

// NewRootCmd builds the whole command tree.
func NewRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "pangolin",
		Short: "Forensic evidence toolkit with a signed chain of custody",
		Long: `pangolin images seized media, hashes and catalogues what is on them, extracts
metadata and text, and keeps a tamper-evident, signed custody ledger of every
action, so that a prosecutor can verify the chain of custody offline.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetIn(f.IO.In)
	root.PersistentFlags().StringVar(&f.CaseDir, "case", "", "case folder (default: found from the working folder upwards)")
	root.PersistentFlags().BoolVar(&f.JSON, "json", false, "machine-readable JSON output")
	root.PersistentFlags().BoolVarP(&f.Quiet, "quiet", "q", false, "no progress output")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		NewCmdVersion(f),
		NewCmdExaminer(f),
		NewCmdCase(f),
		NewCmdCustody(f),
		NewCmdHash(f),
		NewCmdHashset(f),
		NewCmdAcquire(f),
		NewCmdVerify(f),
		NewCmdImage(f),
		NewCmdLs(f),
		NewCmdCat(f),
		NewCmdProcess(f),
		NewCmdTimeline(f),
		NewCmdExport(f),
		NewCmdGeo(f),
		NewCmdEntities(f),
		NewCmdLinks(f),
		NewCmdMeta(f),
		NewCmdTag(f),
		NewCmdTags(f),
		NewCmdSearch(f),
		NewCmdIndex(f),
		NewCmdReport(f),
	)
	// Every command documents the exit statuses.
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		long := c.Long
		if long == "" {
			long = c.Short
		}
		c.Long = long + "\n\n" + exitHelp
		if c.HasSubCommands() && c.RunE == nil {
			c.Args = cobra.ArbitraryArgs
			c.RunE = subcommandRequired
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return root
}

// subcommandRequired rejects a group command run without a known verb.
func subcommandRequired(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return usageError{fmt.Errorf("%s needs a subcommand; see '%s --help'", c.CommandPath(), c.CommandPath())}
	}
	return usageError{fmt.Errorf("unknown command %q for %s", args[0], c.CommandPath())}
}

// exactArgs is cobra.ExactArgs with usage errors.
func exactArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(c, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

// required checks that flags were given.
func required(flags map[string]string) error {
	for name, v := range flags {
		if strings.TrimSpace(v) == "" {
			return usageError{fmt.Errorf("--%s is required", name)}
		}
	}
	return nil
}

// Main runs pangolin with args and returns the exit status, printing any
// error once, as one line, to stderr.
func Main(ctx context.Context, f *Factory, args []string) int {
	root := NewRootCmd(f)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintf(f.IO.ErrOut, "pangolin: %s\n", oneLine(err.Error()))
	}
	return ExitCode(err)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// writeJSON writes v as indented JSON to stdout.
func writeJSON(f *Factory, v any) error {
	enc := json.NewEncoder(f.IO.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeJSONLine writes v as one compact JSON line (for streams).
func writeJSONLine(f *Factory, v any) error {
	enc := json.NewEncoder(f.IO.Out)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
