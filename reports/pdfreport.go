package reports

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pangolin-forensics/pangolin/reports/geomap"
	"github.com/pangolin-forensics/pangolin/reports/pdf"
)

// newPDF starts a report's PDF with its header block and a footer that
// names the report on every page with "page N of M".
func newPDF(h *Header, title string) *pdf.Document {
	created, _ := time.Parse(time.RFC3339Nano, h.Generated)
	d := pdf.New(pdf.Options{Title: title, Author: h.Examiner.Name + " (" + h.Examiner.ID + ")", Subject: h.Case.ID + " " + h.Case.Title,
		Producer: "pangolin " + h.Tool.Version, Created: created})
	d.Footer(func(page, pages int) string {
		return fmt.Sprintf("%s · %s · page %d of %d", h.Case.ID, h.ID, page, pages)
	})
	d.Heading(1, title)
	rows := [][2]string{
		{"Report", h.ID},
		{"Case", h.Case.ID + " — " + h.Case.Title},
	}
	if h.Case.Agency != "" {
		rows = append(rows, [2]string{"Agency", h.Case.Agency})
	}
	rows = append(rows,
		[2]string{"Generated", h.Generated + " (UTC)"},
		[2]string{"Examiner", examinerLine(h.Examiner)},
		[2]string{"Tool", fmt.Sprintf("pangolin %s (%s, %s, %s)", h.Tool.Version, h.Tool.Commit, h.Tool.Go, h.Tool.OS)},
		[2]string{"Ledger checkpoint", fmt.Sprintf("%d entries, root %s, signed %s by %s", h.Checkpoint.Size, h.Checkpoint.Root,
			h.Checkpoint.Time.UTC().Format(time.RFC3339Nano), h.Checkpoint.Signer)},
	)
	d.KeyValues(rows)
	return d
}

func examinerLine(e Examiner) string {
	s := e.Name + " (" + e.ID
	if e.Org != "" {
		s += ", " + e.Org
	}
	return s + "), key " + e.Fingerprint
}

// PDF renders a custody report as PDF.
func (r *Custody) PDF() ([]byte, error) {
	d := newPDF(&r.Header, "Chain of custody report")
	d.Heading(2, "Examiners")
	var rows [][]string
	for _, e := range r.Examiners {
		rows = append(rows, []string{e.Name, e.ID, e.Org, e.Fingerprint, e.Added})
	}
	d.Table([]string{"Name", "Id", "Organisation", "Key fingerprint", "Added"}, rows, []float64{2, 1.2, 2, 3, 2})
	for _, x := range r.Exhibits {
		d.PageBreak()
		d.Heading(2, "Exhibit "+x.ID)
		seals := "none recorded"
		if len(x.Seals) > 0 {
			var s []string
			for _, sl := range x.Seals {
				s = append(s, fmt.Sprintf("%s — %s by %s (entry %d)", sl.Number, sl.Time, sl.Examiner, sl.Seq))
			}
			seals = strings.Join(s, "\n")
		}
		d.KeyValues([][2]string{{"Description", x.Description}, {"Seals", seals}})
		if a := x.Acquisition; a != nil {
			d.Heading(3, fmt.Sprintf("Acquisition (entry %d, %s)", a.Seq, a.Time))
			d.KeyValues(acquireRows(a))
			var segs [][]string
			for _, s := range a.Segments {
				segs = append(segs, []string{s.Path, strconv.FormatInt(s.Size, 10), s.SHA256})
			}
			d.Table([]string{"Segment", "Bytes", "SHA-256"}, segs, []float64{3, 1.2, 5})
		}
		d.Heading(3, "Verifications")
		if len(x.Verifications) == 0 {
			d.Paragraph("No verification recorded.")
		}
		for _, v := range x.Verifications {
			d.Paragraph(fmt.Sprintf("Entry %d, %s, %s: %s", v.Seq, v.Time, v.Examiner, v.Result))
		}
		d.Heading(3, fmt.Sprintf("Custody history (%d entries)", len(x.History)))
		entryTable(d, x.History)
	}
	d.PageBreak()
	d.Heading(2, "Case entries")
	d.Paragraph("Ledger entries about the case as a whole (creation, examiners, searches, reports).")
	entryTable(d, r.CaseEntries)
	ledgerPDF(d, &r.Header, r.Ledger)
	d.Heading(2, "Examiner's declaration")
	d.Paragraph(r.Declaration)
	d.KeyValues([][2]string{{"Signature", strings.Repeat("_", 40)}, {"Name", r.Examiner.Name}, {"Date", strings.Repeat("_", 20)}})
	return d.Bytes()
}

// acquireRows lists an acquisition's facts.
func acquireRows(a *Acquire) [][2]string {
	rows := [][2]string{{"Format", a.Format}, {"Bytes", a.Bytes}}
	if a.Source != nil {
		rows = append(rows, [2]string{"Source", a.Source.Path})
	}
	for _, k := range slices.Sorted(maps.Keys(a.Hashes)) {
		rows = append(rows, [2]string{k, a.Hashes[k]})
	}
	if rec := a.Record; rec != nil {
		src := rec.Source
		dev := fmt.Sprintf("%s; %d bytes; sectors %d/%d", src.Path, src.Size, src.LogicalSectorSize, src.PhysicalSectorSize)
		for _, kv := range [][2]string{{"model", src.Model}, {"serial", src.Serial}, {"vendor", src.Vendor}} {
			if kv[1] != "" {
				dev += "; " + kv[0] + " " + kv[1]
			}
		}
		if src.ReadOnly {
			dev += "; read-only"
		}
		bad := fmt.Sprintf("%d bytes in %d ranges", rec.BadBytes, len(rec.BadRanges))
		for _, br := range rec.BadRanges {
			bad += fmt.Sprintf("\n%v", br)
		}
		rows = append(rows, [2]string{"Started / ended", rec.Start + " — " + rec.End}, [2]string{"Source device", dev},
			[2]string{"Acquisition tool", "pangolin " + rec.Tool.Version + " (" + rec.Tool.OS + ")"}, [2]string{"Unreadable", bad})
		if rec.Resumed {
			rows = append(rows, [2]string{"Resumed", "yes: the acquisition was interrupted and resumed"})
		}
	}
	if a.Problem != "" {
		rows = append(rows, [2]string{"Record", "PROBLEM: " + a.Problem})
	}
	return rows
}

// entryTable lists ledger entries.
func entryTable(d *pdf.Document, entries []Entry) {
	var rows [][]string
	for _, e := range entries {
		who := e.Name + "\n" + e.Examiner
		action := e.Action
		if e.Exhibit != "" {
			action += "\n" + e.Exhibit
		}
		rows = append(rows, []string{strconv.FormatInt(e.Seq, 10), e.Time + "\n" + e.Zone, who, action, entryDetails(e)})
	}
	d.Table([]string{"#", "Time (UTC) / zone", "Examiner", "Action", "Details"}, rows, []float64{0.5, 2.2, 1.6, 1.3, 5})
}

// entryDetails is the details column of an entry.
func entryDetails(e Entry) string {
	var b []string
	if e.Note != "" {
		b = append(b, e.Note)
	}
	if e.Location != "" {
		b = append(b, "Location: "+e.Location)
	}
	if e.Reason != "" {
		b = append(b, "Reason: "+e.Reason)
	}
	for _, k := range slices.Sorted(maps.Keys(e.Attrs)) {
		if k != "location" && k != "reason" {
			b = append(b, k+": "+e.Attrs[k])
		}
	}
	for _, r := range e.Inputs {
		b = append(b, fmt.Sprintf("in: %s (%d bytes) sha256 %s", r.Path, r.Size, r.SHA256))
	}
	for _, r := range e.Outputs {
		b = append(b, fmt.Sprintf("out: %s (%d bytes) sha256 %s", r.Path, r.Size, r.SHA256))
	}
	b = append(b, fmt.Sprintf("%s on %s; entry %s", e.Tool, e.Host, e.Hash))
	return strings.Join(b, "\n")
}

// ledgerPDF is the ledger section every report ends with.
func ledgerPDF(d *pdf.Document, h *Header, l Ledger) {
	d.Heading(2, "Custody ledger at report time")
	status := "Verified: every entry's signature, hash chain, Merkle tree and signed checkpoint checked"
	if !l.OK {
		status = "FAILED verification"
	}
	d.Paragraph(fmt.Sprintf("%s; %d entries, %d checkpoints, root %s.", status, l.Entries, l.Checkpoints, l.Root))
	for _, p := range l.Problems {
		d.Paragraph("Problem: " + p)
	}
	for _, w := range l.Warnings {
		d.Paragraph("Warning: " + w)
	}
	d.Paragraph("The report was made at this signed checkpoint; anyone can check later that the ledger it signed is a prefix of the ledger of that day (pangolin report verify REPORT --ledger CASE):")
	d.Mono(h.Checkpoint.Note)
	d.Paragraph(fmt.Sprintf("%s, generated %s by pangolin %s. This report comes with a signed manifest, also embedded in this PDF; "+
		"'pangolin report verify FILE' checks the examiner's signature and the file's SHA-256.", h.ID, h.Generated, h.Tool.Version))
}

// PDF renders a findings report as PDF.
func (r *Findings) PDF() ([]byte, error) {
	d := newPDF(&r.Header, "Findings report")
	sel := "all tags"
	if len(r.Tags) > 0 {
		sel = strings.Join(r.Tags, ", ")
	}
	line := fmt.Sprintf("Tags selected: %s — %d artefacts.", sel, len(r.Items))
	if len(r.Skipped) > 0 {
		line += fmt.Sprintf(" %d more not shown (report limit).", len(r.Skipped))
	}
	d.Paragraph(line)
	if len(r.Places) > 0 {
		d.Heading(2, "Map of geolocated items")
		drawMap(d, geomap.Project(mapPoints(r.Places), mapWidth, mapHeight))
	}
	d.Heading(2, "Tagged artefacts")
	for _, it := range r.Items {
		if it.Thumbnail != nil {
			d.KeepTogether(thumbSize + 40)
		}
		d.Heading(3, fmt.Sprintf("%d. %s", it.N, it.Path))
		if it.Thumbnail != nil {
			if err := d.Image(it.Thumbnail, thumbSize, thumbSize); err != nil {
				d.Paragraph("(embedded preview not shown: " + err.Error() + ")")
			}
		}
		d.KeyValues(itemRows(&it))
		for _, m := range it.Metadata {
			rows := [][2]string{{"Metadata", m.Format}}
			if m.Device != "" {
				rows = append(rows, [2]string{"Device", strings.TrimSpace(m.Device + " " + m.Serial)})
			}
			if m.Author != "" {
				rows = append(rows, [2]string{"Author", m.Author})
			}
			if m.Created != "" {
				rows = append(rows, [2]string{"Created", m.Created})
			}
			if g := m.GPS; g != nil {
				pos := fmt.Sprintf("%.7f, %.7f", g.Latitude, g.Longitude)
				if g.Altitude != nil {
					pos += fmt.Sprintf(", %.1f m", *g.Altitude)
				}
				rows = append(rows, [2]string{"Position", strings.TrimSpace(pos + " " + g.Suspicious)})
			}
			for _, f := range m.Fields {
				rows = append(rows, [2]string{f.Name, f.Value})
			}
			d.KeyValues(rows)
		}
		if it.Excerpt != "" {
			d.KeyValues([][2]string{{"Text (start)", it.Excerpt}})
		}
		if len(it.Entities) > 0 {
			var rows [][]string
			for _, e := range it.Entities {
				rows = append(rows, []string{e.Type, e.Value})
			}
			d.Table([]string{"Entity", "Value"}, rows, []float64{1, 4})
		}
	}
	d.Heading(2, "Timeline of the tagged items")
	var rows [][]string
	for _, e := range r.Timeline {
		t := e.Time
		if e.Local {
			t += " (camera clock)"
		}
		rows = append(rows, []string{t, e.What, fmt.Sprintf("%d. %s", e.N, e.Path)})
	}
	d.Table([]string{"Time (UTC)", "Event", "Item"}, rows, []float64{2.5, 1, 4})
	d.Heading(2, "Values found in more than one exhibit")
	if len(r.Links) == 0 {
		d.Paragraph("None.")
	} else {
		rows = nil
		for _, l := range r.Links {
			rows = append(rows, []string{l.Type, l.Value, strings.Join(l.Exhibits, " "), strconv.FormatInt(l.Count, 10)})
		}
		d.Table([]string{"Type", "Value", "Exhibits", "Artefacts"}, rows, []float64{1, 4, 2, 1})
	}
	d.Heading(2, "Searches run")
	if len(r.Searches) == 0 {
		d.Paragraph("No keyword list was run on this case.")
	}
	for _, s := range r.Searches {
		d.Heading(3, fmt.Sprintf("Keyword list %s (entry %d, %s, %s)", s.List.Path, s.Seq, s.Time, s.Examiner))
		d.Mono("list sha256 " + s.List.SHA256)
		if s.Problem != "" {
			d.Paragraph("Problem: " + s.Problem)
		}
		rows = nil
		for _, th := range s.Terms {
			term := "any term of the label"
			if th.Term != nil {
				term = th.Term.Written() + " (" + th.Term.Kind + ")"
			}
			total := strconv.FormatUint(th.Total, 10)
			if th.Total == 0 {
				total = "0 — nothing found"
			}
			var by []string
			for _, k := range slices.Sorted(maps.Keys(th.Exhibits)) {
				by = append(by, fmt.Sprintf("%s: %d", k, th.Exhibits[k]))
			}
			rows = append(rows, []string{th.Label, term, total, strings.Join(by, " ")})
		}
		if len(rows) > 0 {
			d.Table([]string{"Label", "Term", "Documents", "By exhibit"}, rows, []float64{2, 3, 1.5, 2})
		}
	}
	ledgerPDF(d, &r.Header, r.Ledger)
	return d.Bytes()
}

// thumbSize bounds a preview's width and height, in points.
const thumbSize = 160

// itemRows lists an item's file facts, times and tags.
func itemRows(it *Item) [][2]string {
	id := it.ID
	if it.Deleted {
		id += " (deleted)"
	}
	size := strconv.FormatInt(it.Size, 10) + " bytes"
	if it.MIME != "" {
		size += ", " + it.MIME
	}
	rows := [][2]string{{"Artefact", id}, {"Size", size}}
	for _, kv := range [][2]string{{"MD5", it.MD5}, {"SHA-1", it.SHA1}, {"SHA-256", it.SHA256}, {"Read error", it.ReadError}} {
		if kv[1] != "" {
			rows = append(rows, kv)
		}
	}
	if it.Known != "" {
		rows = append(rows, [2]string{"Hash sets", it.Known + ": " + strings.Join(it.KnownSets, " ")})
	}
	for _, e := range it.Times {
		t := e.Time
		if e.Local {
			t += " (camera clock, zone unknown)"
		}
		rows = append(rows, [2]string{e.What, t})
	}
	for _, t := range it.Tags {
		rows = append(rows, [2]string{"Tag " + t.Tag, fmt.Sprintf("%s — %s, %s", t.Note, t.Examiner, t.Time.Format(time.RFC3339))})
	}
	return rows
}

// Map colours.
var (
	seaColour    = pdf.Color{R: 0xe4, G: 0xef, B: 0xf7}
	landColour   = pdf.Color{R: 0xcf, G: 0xdf, B: 0xc4}
	borderColour = pdf.Color{R: 0x9a, G: 0xa8, B: 0x90}
	pointColour  = pdf.Color{R: 0xb0, G: 0x10, B: 0x10}
)

// drawMap draws a projected map on a PDF canvas.
func drawMap(d *pdf.Document, m *geomap.Map) {
	d.Drawing(m.W, m.H, func(c *pdf.Canvas) {
		c.SetFill(seaColour)
		c.Rect(m.Frame.Min.X, m.Frame.Min.Y, m.Frame.Max.X-m.Frame.Min.X, m.Frame.Max.Y-m.Frame.Min.Y)
		c.Fill()
		c.SetFill(landColour)
		for _, ring := range m.Land {
			polyline(c, ring)
			c.Close()
		}
		c.Fill()
		c.SetStroke(borderColour)
		c.SetLineWidth(0.4)
		for _, line := range m.Borders {
			polyline(c, line)
		}
		c.Stroke()
		for _, p := range m.Points {
			c.SetFill(pointColour)
			c.Circle(p.X, p.Y, 3)
			c.Fill()
			c.SetFill(pdf.Color{})
			c.Text(p.X+4, p.Y-3, 7, p.Label)
		}
	})
}

func polyline(c *pdf.Canvas, pts []geomap.XY) {
	for i, p := range pts {
		if i == 0 {
			c.MoveTo(p.X, p.Y)
		} else {
			c.LineTo(p.X, p.Y)
		}
	}
}
