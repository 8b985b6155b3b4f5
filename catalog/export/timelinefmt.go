package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"iter"
	"strconv"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/internal/pctenc"
)

// timeLayout is RFC 3339 in UTC with all nine digits of nanoseconds, so
// that the column sorts as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// CSVHeader is the header row [WriteTimelineCSV] writes. Columns are
// added at the end, never renamed or reordered.
var CSVHeader = []string{"time", "macb", "size", "type", "deleted", "exhibit", "partition", "path", "inode", "mime", "sha256", "known"}

// WriteTimelineCSV writes the timeline of arts (see [Timeline]) as CSV:
// the [CSVHeader] row, then one RFC 4180 record an event (encoding/csv,
// "\n" line ends). time is RFC 3339 in UTC with nine fraction digits,
// deleted is "true" or "false".
//
// Following OWASP's advice on CSV injection, a text cell that starts with
// '=', '+', '-', '@', a tab or a carriage return gets a single quote (')
// put in front, so that a spreadsheet shows it as text instead of running
// it as a formula; the quote is not part of the value. Names are otherwise
// written byte for byte.
func WriteTimelineCSV(ctx context.Context, w io.Writer, arts iter.Seq2[*catalog.Artefact, error], opts TimelineOptions) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	err := Timeline(ctx, arts, opts, func(e Event) error {
		return cw.Write([]string{
			e.Time.UTC().Format(timeLayout),
			e.MACB,
			strconv.FormatInt(e.Size, 10),
			CSVText(e.Type),
			strconv.FormatBool(e.Deleted),
			CSVText(e.Exhibit),
			strconv.Itoa(e.Partition),
			CSVText(e.Path),
			strconv.FormatUint(e.Inode, 10),
			CSVText(e.MIME),
			CSVText(e.SHA256),
			CSVText(e.Known),
		})
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// CSVText defuses a cell a spreadsheet would read as a formula.
func CSVText(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// jsonEvent is a JSON Lines record of the timeline.
type jsonEvent struct {
	MessageType string `json:"message_type"`
	Event
	// PathEncoding is "percent" when Path is percent-encoded.
	PathEncoding string `json:"path_encoding,omitempty"`
}

// WriteTimelineJSONL writes the timeline of arts (see [Timeline]) as JSON
// Lines: one object a line, {"message_type":"event", then the fields of
// [Event]}. time is RFC 3339 in UTC with the fraction Go's time.Time
// writes (trailing zeros dropped). A path that is not valid UTF-8 is
// percent-encoded and flagged with "path_encoding":"percent" (see the
// package documentation). Readers must ignore message types and fields
// they do not know.
func WriteTimelineJSONL(ctx context.Context, w io.Writer, arts iter.Seq2[*catalog.Artefact, error], opts TimelineOptions) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	err := Timeline(ctx, arts, opts, func(e Event) error {
		je := jsonEvent{MessageType: "event", Event: e}
		if p, ok := pctenc.Encode(e.Path, pctenc.AnyChar); ok {
			je.Path, je.PathEncoding = p, "percent"
		}
		return enc.Encode(je)
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}
