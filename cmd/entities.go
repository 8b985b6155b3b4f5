package cmd

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/extract"
)

// entityTypes are the names --type takes.
var entityTypes = []string{extract.Email, extract.URL, extract.Domain, extract.Phone, extract.Bitcoin, extract.Ethereum,
	extract.Tron, extract.IBAN, extract.Coords, extract.IMO, extract.MMSI}

func checkEntityTypes(types []string) error {
	for _, t := range types {
		found := false
		for _, k := range entityTypes {
			found = found || t == k
		}
		if !found {
			return usageError{fmt.Errorf("--type %q: want one of %s", t, strings.Join(entityTypes, ", "))}
		}
	}
	return nil
}

// NewCmdEntities builds `pangolin entities`.
func NewCmdEntities(f *Factory) *cobra.Command {
	var types, exhibits []string
	c := &cobra.Command{
		Use:   "entities [--type phone|email|...] [--exhibit EX]",
		Short: "Phone numbers, emails, wallets, IBANs, vessels... found in the catalogued files",
		Long: `Lists the entities process found in the text and metadata of catalogued
files, validated and normalised (phone numbers in E.164, wallet and IBAN
checksums checked, IMO check digits), each with the exhibit, path and byte
offset where it was written, grouped by value.

Types: ` + strings.Join(entityTypes, ", ") + `.`,
		Example: `  pangolin entities --type phone
  pangolin entities --type bitcoin --type ethereum --exhibit EX-002 --json`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkEntityTypes(types); err != nil {
				return err
			}
			_, db, err := f.openCatalog(c)
			if err != nil {
				return err
			}
			defer db.Close()
			out := bufio.NewWriter(f.IO.Out)
			defer out.Flush()
			enc := json.NewEncoder(out)
			enc.SetEscapeHTML(false)
			last := ""
			for e, err := range db.Entities(c.Context(), types, exhibits) {
				if err != nil {
					return err
				}
				if f.JSON {
					if err := enc.Encode(struct {
						MessageType string `json:"message_type"`
						*catalog.Found
					}{"entity", e}); err != nil {
						return err
					}
					continue
				}
				if key := e.Type + "\x00" + e.Value; key != last {
					last = key
					fmt.Fprintf(out, "%s %s\n", e.Type, clean(e.Value))
				}
				fmt.Fprintf(out, "  %s/%s %s @%d  %q\n", e.Exhibit, e.Ref, clean(e.Path), e.Offset, e.Raw)
			}
			return nil
		},
	}
	c.Flags().StringSliceVar(&types, "type", nil, "only these types")
	c.Flags().StringSliceVar(&exhibits, "exhibit", nil, "only these exhibits")
	return c
}

// NewCmdLinks builds `pangolin links`.
func NewCmdLinks(f *Factory) *cobra.Command {
	var noPhotos bool
	c := &cobra.Command{
		Use:   "links",
		Short: "Entities and photos found in more than one exhibit: the cross-device connections",
		Long: `Lists every entity (phone number, email, wallet, IBAN, vessel...) and every
photo (by SHA-256) that occurs in more than one exhibit, most widespread
first: the same buyer's number on two seized phones, the same photo of
pangolin scales on a trader's laptop and a courier's SD card.`,
		Example: `  pangolin links
  pangolin links --json`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			_, db, err := f.openCatalog(c)
			if err != nil {
				return err
			}
			defer db.Close()
			mime := "image/"
			if noPhotos {
				mime = ""
			}
			links, err := db.Links(c.Context(), mime)
			if err != nil {
				return err
			}
			if f.JSON {
				return writeJSON(f, links)
			}
			if len(links) == 0 {
				_, err := fmt.Fprintln(f.IO.Out, "nothing occurs in more than one exhibit")
				return err
			}
			for _, l := range links {
				if _, err := fmt.Fprintf(f.IO.Out, "%-9s %s  in %s (%d artefacts)\n", l.Type, clean(l.Value), strings.Join(l.Exhibits, ", "), l.Count); err != nil {
					return err
				}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&noPhotos, "no-photos", false, "leave out photo hashes")
	return c
}
