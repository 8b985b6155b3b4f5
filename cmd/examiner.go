package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/chain"
)

// NewCmdExaminer builds `pangolin examiner`.
func NewCmdExaminer(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "examiner",
		Short: "Manage the examiner identity that signs custody entries",
		Long: `An examiner identity is an Ed25519 key pair kept in the user's config folder
(or in $PANGOLIN_HOME, for tests and portable USB use). Every custody entry and
checkpoint the examiner makes is signed with it; cases list the public key.`,
	}
	c.AddCommand(newCmdExaminerInit(f), newCmdExaminerShow(f))
	return c
}

// examinerView is what `examiner init` and `examiner show` print.
type examinerView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Org         string `json:"org,omitempty"`
	Key         []byte `json:"key"`
	Fingerprint string `json:"fingerprint"`
	Created     string `json:"created"`
	Protected   bool   `json:"protected"`
	Home        string `json:"home"`
}

func showExaminer(f *Factory, id *chain.Identity, home string) error {
	protected, err := chain.IsProtected(home)
	if err != nil {
		return err
	}
	v := examinerView{ID: id.ID, Name: id.Name, Org: id.Org, Key: id.Key, Fingerprint: id.Fingerprint(),
		Created: id.Created, Protected: protected, Home: home}
	if f.JSON {
		return writeJSON(f, v)
	}
	prot := "no"
	if protected {
		prot = "yes"
	}
	_, err = fmt.Fprintf(f.IO.Out, "id           %s\nname         %s\norg          %s\nfingerprint  %s\ncreated      %s\nprotected    %s\nhome         %s\n",
		v.ID, v.Name, v.Org, v.Fingerprint, v.Created, prot, v.Home)
	return err
}

func newCmdExaminerInit(f *Factory) *cobra.Command {
	var name, id, org string
	var force, noPass bool
	c := &cobra.Command{
		Use:   "init --name NAME --id ID [--org ORG]",
		Short: "Create the examiner's signing key",
		Long: `Creates an Ed25519 key pair for the examiner. On a terminal it asks for a
passphrase to protect the private key (empty for none); elsewhere it uses
$PANGOLIN_PASSPHRASE if set. The private key file has mode 0600. An existing
identity is never replaced without --force.`,
		Example: `  pangolin examiner init --name "Jane Doe" --id JD-123 --org "Kenya Wildlife Service"`,
		Args:    exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			if err := required(map[string]string{"name": name, "id": id}); err != nil {
				return err
			}
			home, err := f.Home()
			if err != nil {
				return err
			}
			ident, err := chain.NewIdentity(id, name, org, f.Now())
			if err != nil {
				return err
			}
			var pass []byte
			if !noPass {
				if pass, err = f.newPassphrase(); err != nil {
					return err
				}
			}
			if err := chain.SaveIdentity(home, ident, pass, force); err != nil {
				return err
			}
			return showExaminer(f, ident, home)
		},
	}
	c.Flags().StringVar(&name, "name", "", "examiner's full name (required)")
	c.Flags().StringVar(&id, "id", "", "examiner's badge or staff id (required)")
	c.Flags().StringVar(&org, "org", "", "examiner's organisation")
	c.Flags().BoolVar(&force, "force", false, "replace an existing identity")
	c.Flags().BoolVar(&noPass, "no-passphrase", false, "do not ask for a passphrase")
	return c
}

func newCmdExaminerShow(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "show",
		Short: "Print the examiner's id, name, organisation and key fingerprint",
		Args:  exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			home, err := f.Home()
			if err != nil {
				return err
			}
			id, err := chain.ReadPublicIdentity(home)
			if err != nil {
				return err
			}
			return showExaminer(f, id, home)
		},
	}
}
