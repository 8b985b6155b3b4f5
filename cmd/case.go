package cmd

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/chain"
)

// NewCmdCase builds `pangolin case`.
func NewCmdCase(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "case",
		Short: "Create and describe case folders",
	}
	c.AddCommand(newCmdCaseInit(f), newCmdCaseInfo(f))
	return c
}

func newCmdCaseInit(f *Factory) *cobra.Command {
	var info catalog.Info
	c := &cobra.Command{
		Use:   "init DIR --id ID --title TITLE [--agency NAME]",
		Short: "Create a case folder and open its custody ledger",
		Long: `Creates the case folder DIR (case.json, custody/, evidence/, exports/,
reports/) with the examiner as the first roster member, and signs the first
custody entry (case-init).`,
		Example: `  pangolin case init ./OP-THUNDER --id OP-THUNDER --title "Ivory export, Mombasa port" --agency "Kenya Wildlife Service"`,
		Args:    exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := required(map[string]string{"id": info.ID, "title": info.Title}); err != nil {
				return err
			}
			id, err := f.Identity()
			if err != nil {
				return err
			}
			cs, err := catalog.Init(c.Context(), args[0], info, id, f.Now())
			if err != nil {
				return err
			}
			return showCase(f, c, cs)
		},
	}
	c.Flags().StringVar(&info.ID, "id", "", "case number (required)")
	c.Flags().StringVar(&info.Title, "title", "", "case title (required)")
	c.Flags().StringVar(&info.Agency, "agency", "", "investigating agency")
	return c
}

func newCmdCaseInfo(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "info",
		Short: "Print the case's description, roster and ledger head",
		Args:  exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			cs, err := f.Case()
			if err != nil {
				return err
			}
			return showCase(f, c, cs)
		},
	}
}

// caseView is what `case init` and `case info` print.
type caseView struct {
	Dir string `json:"dir"`
	catalog.Info
	Head *chain.Checkpoint `json:"head,omitempty"`
}

func showCase(f *Factory, c *cobra.Command, cs *catalog.Case) error {
	head, err := cs.Ledger().Head(c.Context(), cs.Roster())
	if err != nil {
		return err
	}
	dir, _ := filepath.Abs(cs.Dir)
	v := caseView{Dir: dir, Info: cs.Info, Head: head}
	if f.JSON {
		return writeJSON(f, v)
	}
	w := f.IO.Out
	fmt.Fprintf(w, "case     %s\ntitle    %s\n", v.ID, v.Title)
	if v.Agency != "" {
		fmt.Fprintf(w, "agency   %s\n", v.Agency)
	}
	fmt.Fprintf(w, "created  %s\nfolder   %s\n", v.Created, v.Dir)
	if head != nil {
		fmt.Fprintf(w, "ledger   %d entries, root %s\n", head.Size, head.Root)
	}
	fmt.Fprintln(w, "examiners:")
	for _, e := range v.Examiners {
		org := ""
		if e.Org != "" {
			org = " (" + e.Org + ")"
		}
		fmt.Fprintf(w, "  %-12s %s%s  %s\n", e.ID, e.Name, org, e.Fingerprint)
	}
	return nil
}
