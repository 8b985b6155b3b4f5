package export

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"time"

	"github.com/pangolin-forensics/pangolin/catalog"
)

// Event is one line of a timeline: an artefact and the MACB times it has
// at one instant. The JSON field names are an API: fields are added,
// never renamed.
type Event struct {
	// Time is the instant, in UTC.
	Time time.Time `json:"time"`
	// MACB has a letter for each time of the artefact at this instant, in
	// mactime's positions, and '.' for the others: "m...", "m.cb", "macb".
	// m is Modified, a Accessed, c Changed (metadata), b Born (creation).
	MACB      string `json:"macb"`
	Exhibit   string `json:"exhibit"`
	Partition int    `json:"partition"`
	// Ref identifies the artefact in its exhibit ([catalog.Artefact].Ref).
	Ref string `json:"ref"`
	// Path is the artefact's path, "path:stream" for an NTFS alternate
	// data stream.
	Path    string `json:"path"`
	Inode   uint64 `json:"inode"`
	Size    int64  `json:"size"`
	Type    string `json:"type"`
	Deleted bool   `json:"deleted"`
	MIME    string `json:"mime,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
	Known   string `json:"known,omitempty"`
}

// TimelineOptions filter a timeline and bound its memory.
type TimelineOptions struct {
	// From and To keep the events at or after From and before To; a zero
	// time leaves that end open.
	From, To time.Time
	// MaxEvents is how many events are sorted in memory before they are
	// written to a temporary run file; 0 means 1<<20.
	MaxEvents int
	// TempDir holds the run files; "" means os.TempDir().
	TempDir string
}

// MACB letter bits, in mactime's letter order.
const (
	bitM = 1 << iota
	bitA
	bitC
	bitB
)

// macbString spells a set of MACB bits as mactime does.
func macbString(bits uint8) string {
	b := []byte("....")
	for i, l := range "macb" {
		if bits&(1<<i) != 0 {
			b[i] = byte(l)
		}
	}
	return string(b)
}

// row is what an event shows of its artefact. Its strings are the
// artefact's own, not copies.
type row struct {
	exhibit, ref, path, typ, mime, sha256, known string
	partition                                    int
	inode                                        uint64
	size                                         int64
	deleted                                      bool
}

// strBytes is the length of the row's strings, for the memory bound.
func (r *row) strBytes() int {
	return len(r.exhibit) + len(r.ref) + len(r.path) + len(r.typ) + len(r.mime) + len(r.sha256) + len(r.known)
}

// rec is an event with its row: what run files hold and merging compares.
type rec struct {
	sec  int64
	nsec int32
	macb uint8
	row  *row
}

// compareRec orders events by time, then path, inode, exhibit, partition,
// ref and letters.
func compareRec(x, y *rec) int {
	if c := cmp.Compare(x.sec, y.sec); c != 0 {
		return c
	}
	if c := cmp.Compare(x.nsec, y.nsec); c != 0 {
		return c
	}
	a, b := x.row, y.row
	if c := cmp.Compare(a.path, b.path); c != 0 {
		return c
	}
	if c := cmp.Compare(a.inode, b.inode); c != 0 {
		return c
	}
	if c := cmp.Compare(a.exhibit, b.exhibit); c != 0 {
		return c
	}
	if c := cmp.Compare(a.partition, b.partition); c != 0 {
		return c
	}
	if c := cmp.Compare(a.ref, b.ref); c != 0 {
		return c
	}
	return cmp.Compare(x.macb, y.macb)
}

// event is the in-memory form of an event: 24 bytes and an index into
// the chunk's rows.
type event struct {
	sec  int64
	nsec int32
	idx  uint32
	macb uint8
}

// maxRowBytes bounds the row strings held in memory before a spill.
const maxRowBytes = 64 << 20

// maxFanIn bounds the run files merged at once.
const maxFanIn = 64

// Timeline calls fn with the events of arts in time order (see the
// package documentation for the order, merging and memory bound). It
// returns the first error of arts or fn, of the run files, or ctx's.
func Timeline(ctx context.Context, arts iter.Seq2[*catalog.Artefact, error], opts TimelineOptions, fn func(Event) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	maxEvents := opts.MaxEvents
	if maxEvents <= 0 {
		maxEvents = 1 << 20
	}
	s := &sorter{ctx: ctx, tempDir: opts.TempDir}
	defer s.cleanup()

	var (
		rows     []row
		events   []event
		rowBytes int
	)
	sortChunk := func() {
		slices.SortFunc(events, func(x, y event) int {
			return compareRec(&rec{x.sec, x.nsec, x.macb, &rows[x.idx]}, &rec{y.sec, y.nsec, y.macb, &rows[y.idx]})
		})
	}
	n := 0
	var pending [4]event
	for a, err := range arts {
		if err != nil {
			return err
		}
		n++
		if err := checkCtx(ctx, n); err != nil {
			return err
		}
		k := artefactEvents(a, opts.From, opts.To, &pending)
		if k == 0 {
			continue
		}
		if len(events) > 0 && (len(events)+k > maxEvents || rowBytes > maxRowBytes) {
			sortChunk()
			if err := s.spill(events, rows); err != nil {
				return err
			}
			// New slices: the spilled chunk's memory can be reclaimed
			// only once nothing points into its rows.
			events, rows, rowBytes = nil, nil, 0
		}
		r := row{
			exhibit: a.Exhibit, ref: a.Ref, path: fullPath(a), typ: a.Type,
			mime: a.MIME, sha256: a.SHA256, known: a.Known,
			partition: a.Partition, inode: a.Inode, size: a.Size, deleted: a.Deleted,
		}
		rows = append(rows, r)
		rowBytes += r.strBytes()
		for _, e := range pending[:k] {
			e.idx = uint32(len(rows) - 1)
			events = append(events, e)
		}
	}
	sortChunk()
	emit := func(r *rec) error { return fn(r.event()) }
	if len(s.runs) == 0 {
		for i, e := range events {
			if err := checkCtx(ctx, i+1); err != nil {
				return err
			}
			if err := emit(&rec{e.sec, e.nsec, e.macb, &rows[e.idx]}); err != nil {
				return err
			}
		}
		return nil
	}
	return s.merge(&memCursor{events: events, rows: rows}, emit)
}

// artefactEvents fills out with the artefact's events in [from, to),
// those at the same instant merged, and returns how many there are.
func artefactEvents(a *catalog.Artefact, from, to time.Time, out *[4]event) int {
	k := 0
	for i, t := range [4]time.Time{a.Modified, a.Accessed, a.Changed, a.Born} {
		if t.IsZero() || !from.IsZero() && t.Before(from) || !to.IsZero() && !t.Before(to) {
			continue
		}
		sec, nsec := t.Unix(), int32(t.Nanosecond())
		merged := false
		for j := range k {
			if out[j].sec == sec && out[j].nsec == nsec {
				out[j].macb |= 1 << i
				merged = true
				break
			}
		}
		if !merged {
			out[k] = event{sec: sec, nsec: nsec, macb: 1 << i}
			k++
		}
	}
	return k
}

// event returns the public form of r.
func (r *rec) event() Event {
	w := r.row
	return Event{
		Time:      time.Unix(r.sec, int64(r.nsec)).UTC(),
		MACB:      macbString(r.macb),
		Exhibit:   w.exhibit,
		Partition: w.partition,
		Ref:       w.ref,
		Path:      w.path,
		Inode:     w.inode,
		Size:      w.size,
		Type:      w.typ,
		Deleted:   w.deleted,
		MIME:      w.mime,
		SHA256:    w.sha256,
		Known:     w.known,
	}
}

// memCursor walks a sorted in-memory chunk.
type memCursor struct {
	events []event
	rows   []row
	i      int
}

// next returns the chunk's next event; false at the end.
func (c *memCursor) next() (rec, bool, error) {
	if c.i == len(c.events) {
		return rec{}, false, nil
	}
	e := c.events[c.i]
	c.i++
	return rec{e.sec, e.nsec, e.macb, &c.rows[e.idx]}, true, nil
}
