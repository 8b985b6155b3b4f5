package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/catalog"
)

// collect returns the events Timeline gives.
func collect(t *testing.T, arts []*catalog.Artefact, opts TimelineOptions) []Event {
	t.Helper()
	var evs []Event
	err := Timeline(context.Background(), seq(arts...), opts, func(e Event) error {
		evs = append(evs, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// short is an event as "TIME MACB PATH".
func short(evs []Event) []string {
	var s []string
	for _, e := range evs {
		s = append(s, e.Time.Format(time.RFC3339Nano)+" "+e.MACB+" "+e.Path)
	}
	return s
}

func TestTimeline(t *testing.T) {
	t1 := ts(t, "2020-01-01T00:00:00Z")
	t2 := ts(t, "2020-01-01T00:00:00.5Z")
	t3 := ts(t, "2021-01-01T00:00:00Z")
	tests := []struct {
		name string
		arts []*catalog.Artefact
		opts TimelineOptions
		want []string
	}{
		{"merged letters",
			[]*catalog.Artefact{{Path: "/a", Modified: t1, Accessed: t3, Changed: t1, Born: t1}},
			TimelineOptions{},
			[]string{"2020-01-01T00:00:00Z m.cb /a", "2021-01-01T00:00:00Z .a.. /a"}},
		{"all four",
			[]*catalog.Artefact{{Path: "/a", Modified: t1, Accessed: t1, Changed: t1, Born: t1}},
			TimelineOptions{},
			[]string{"2020-01-01T00:00:00Z macb /a"}},
		{"fractions are instants of their own",
			[]*catalog.Artefact{{Path: "/a", Modified: t2, Born: t1}},
			TimelineOptions{},
			[]string{"2020-01-01T00:00:00Z ...b /a", "2020-01-01T00:00:00.5Z m... /a"}},
		{"zero times give no event",
			[]*catalog.Artefact{{Path: "/none"}, {Path: "/a", Changed: t3}},
			TimelineOptions{},
			[]string{"2021-01-01T00:00:00Z ..c. /a"}},
		{"ties by path then inode",
			[]*catalog.Artefact{
				{Path: "/b", Inode: 1, Modified: t1},
				{Path: "/a", Inode: 9, Modified: t1, Ref: "0/2"},
				{Path: "/a", Inode: 3, Modified: t1, Ref: "0/1"},
			},
			TimelineOptions{},
			[]string{"2020-01-01T00:00:00Z m... /a", "2020-01-01T00:00:00Z m... /a", "2020-01-01T00:00:00Z m... /b"}},
		{"from inclusive, to exclusive",
			[]*catalog.Artefact{{Path: "/a", Modified: t1, Accessed: t2, Born: t3}},
			TimelineOptions{From: t2, To: t3},
			[]string{"2020-01-01T00:00:00.5Z .a.. /a"}},
		{"from only",
			[]*catalog.Artefact{{Path: "/a", Modified: t1, Born: t3}},
			TimelineOptions{From: t2},
			[]string{"2021-01-01T00:00:00Z ...b /a"}},
		{"stream path",
			[]*catalog.Artefact{{Path: "/a.txt", Stream: "ads", Modified: t1}},
			TimelineOptions{},
			[]string{"2020-01-01T00:00:00Z m... /a.txt:ads"}},
		{"times in other zones are UTC",
			[]*catalog.Artefact{{Path: "/a", Modified: t3.In(time.FixedZone("X", 3600))}},
			TimelineOptions{},
			[]string{"2021-01-01T00:00:00Z m... /a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := collect(t, tt.arts, tt.opts)
			if got := short(evs); !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			for _, e := range evs {
				if e.Time.Location() != time.UTC {
					t.Errorf("%v: not UTC", e.Time)
				}
			}
		})
	}
	t.Run("inode tie order", func(t *testing.T) {
		evs := collect(t, []*catalog.Artefact{{Path: "/a", Inode: 9, Modified: t1}, {Path: "/a", Inode: 3, Modified: t1}}, TimelineOptions{})
		if evs[0].Inode != 3 || evs[1].Inode != 9 {
			t.Errorf("inodes %d, %d; want 3, 9", evs[0].Inode, evs[1].Inode)
		}
	})
}

func TestTimelineFields(t *testing.T) {
	a := &catalog.Artefact{
		Exhibit: "EX-001", Ref: "1/7", Partition: 1, Path: "/x.jpg", Name: "x.jpg", Inode: 70, Type: "file",
		Size: 99, Deleted: true, MIME: "image/jpeg", SHA256: strings.Repeat("ab", 32), Known: "notable",
		Modified: ts(t, "2020-01-01T00:00:00Z"),
	}
	want := Event{
		Time: ts(t, "2020-01-01T00:00:00Z"), MACB: "m...", Exhibit: "EX-001", Partition: 1, Ref: "1/7",
		Path: "/x.jpg", Inode: 70, Size: 99, Type: "file", Deleted: true, MIME: "image/jpeg",
		SHA256: strings.Repeat("ab", 32), Known: "notable",
	}
	evs := collect(t, []*catalog.Artefact{a}, TimelineOptions{})
	if len(evs) != 1 || !reflect.DeepEqual(evs[0], want) {
		t.Errorf("got %+v\nwant %+v", evs, want)
	}
}

// TestEventJSONFields pins the JSON field names: they are an API.
func TestEventJSONFields(t *testing.T) {
	b, err := json.Marshal(jsonEvent{MessageType: "event", Event: Event{MIME: "m", SHA256: "s", Known: "k"}, PathEncoding: "percent"})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var got []string
	for k := range m {
		got = append(got, k)
	}
	slices.Sort(got)
	want := []string{"deleted", "exhibit", "inode", "known", "macb", "message_type", "mime", "partition", "path", "path_encoding", "ref", "sha256", "size", "time", "type"}
	if !slices.Equal(got, want) {
		t.Errorf("fields %q, want %q", got, want)
	}
}

// randomArtefacts makes n artefacts with times drawn from a small set,
// so that ties and merges are common.
func randomArtefacts(n int, seed uint64) []*catalog.Artefact {
	r := rand.New(rand.NewPCG(seed, 1))
	base := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	pick := func() time.Time {
		if r.IntN(5) == 0 {
			return time.Time{}
		}
		return base.Add(time.Duration(r.IntN(200)) * time.Hour).Add(time.Duration(r.IntN(3)) * 500 * time.Millisecond)
	}
	arts := make([]*catalog.Artefact, n)
	for i := range arts {
		arts[i] = &catalog.Artefact{
			Exhibit: "EX-00" + fmt.Sprint(r.IntN(2)+1), Partition: r.IntN(2), Ref: fmt.Sprintf("0/%d", i),
			Path: fmt.Sprintf("/d%d/f%d", r.IntN(5), r.IntN(50)), Inode: uint64(r.IntN(40)), Type: "file",
			Size: r.Int64N(1 << 40), Deleted: r.IntN(2) == 0, MIME: "text/plain", Known: []string{"", "known-good"}[r.IntN(2)],
			Modified: pick(), Accessed: pick(), Changed: pick(), Born: pick(),
		}
	}
	return arts
}

// TestTimelineExternalSort checks that the run-file merge, including the
// merge of more than maxFanIn runs, gives exactly the in-memory order.
func TestTimelineExternalSort(t *testing.T) {
	arts := randomArtefacts(6000, 42)
	inMemory := collect(t, arts, TimelineOptions{})
	if len(inMemory) < 15000 {
		t.Fatalf("only %d events", len(inMemory))
	}
	for i := 1; i < len(inMemory); i++ {
		a, b := inMemory[i-1], inMemory[i]
		if b.Time.Before(a.Time) || b.Time.Equal(a.Time) && (b.Path < a.Path || b.Path == a.Path && b.Inode < a.Inode) {
			t.Fatalf("out of order at %d: %+v then %+v", i, a, b)
		}
	}
	for _, maxEvents := range []int{50, 1000, 5000} {
		t.Run(fmt.Sprint(maxEvents), func(t *testing.T) {
			dir := t.TempDir()
			got := collect(t, arts, TimelineOptions{MaxEvents: maxEvents, TempDir: dir})
			if !reflect.DeepEqual(got, inMemory) {
				t.Errorf("external sort differs from in-memory sort (%d vs %d events)", len(got), len(inMemory))
			}
			left, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(left) != 0 {
				t.Errorf("%d run files left behind", len(left))
			}
		})
	}
}

func TestTimelineErrors(t *testing.T) {
	arts := randomArtefacts(500, 7)
	t.Run("iterator", func(t *testing.T) {
		dir := t.TempDir()
		err := Timeline(context.Background(), failAfter(arts...), TimelineOptions{MaxEvents: 10, TempDir: dir}, func(Event) error { return nil })
		if !errors.Is(err, errBoom) {
			t.Fatalf("got %v, want errBoom", err)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Errorf("%d run files left behind", len(left))
		}
	})
	for _, maxEvents := range []int{0, 10} {
		t.Run(fmt.Sprintf("callback stops/%d", maxEvents), func(t *testing.T) {
			calls := 0
			stop := errors.New("stop")
			err := Timeline(context.Background(), seq(arts...), TimelineOptions{MaxEvents: maxEvents, TempDir: t.TempDir()}, func(Event) error {
				calls++
				if calls == 3 {
					return stop
				}
				return nil
			})
			if !errors.Is(err, stop) || calls != 3 {
				t.Fatalf("got %v after %d calls, want stop after 3", err, calls)
			}
		})
	}
	t.Run("bad temp dir", func(t *testing.T) {
		err := Timeline(context.Background(), seq(arts...), TimelineOptions{MaxEvents: 10, TempDir: "/nonexistent/dir"}, func(Event) error { return nil })
		if err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := Timeline(ctx, seq(arts...), TimelineOptions{}, func(Event) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestWriteTimelineCSV(t *testing.T) {
	arts := []*catalog.Artefact{
		{Exhibit: "EX-001", Path: "/=cmd|' /C calc'!A0", Inode: 5, Type: "file", Size: 10, MIME: "@evil",
			Modified: ts(t, "2020-01-01T00:00:00.123Z"), Born: ts(t, "2020-01-01T00:00:00.123Z")},
		{Exhibit: "EX-001", Partition: 1, Path: "/b,\"q\"\nline", Inode: 6, Type: "dir", Deleted: true,
			SHA256: strings.Repeat("0", 64), Known: "known-bad", Accessed: ts(t, "2019-01-01T00:00:00Z")},
	}
	var buf bytes.Buffer
	if err := WriteTimelineCSV(context.Background(), &buf, seq(arts...), TimelineOptions{}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		CSVHeader,
		{"2019-01-01T00:00:00.000000000Z", ".a..", "0", "dir", "true", "EX-001", "1", "/b,\"q\"\nline", "6", "", strings.Repeat("0", 64), "known-bad"},
		{"2020-01-01T00:00:00.123000000Z", "m..b", "10", "file", "false", "EX-001", "0", "/=cmd|' /C calc'!A0", "5", "'@evil", "", ""},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("got  %q\nwant %q", recs, want)
	}
	t.Run("cells", func(t *testing.T) {
		for _, c := range []struct{ in, want string }{
			{"=1+1", "'=1+1"}, {"+1", "'+1"}, {"-1", "'-1"}, {"@SUM(A1)", "'@SUM(A1)"},
			{"\tx", "'\tx"}, {"\rx", "'\rx"}, {"/a=b", "/a=b"}, {"", ""},
		} {
			if got := CSVText(c.in); got != c.want {
				t.Errorf("CSVText(%q) = %q, want %q", c.in, got, c.want)
			}
		}
	})
	t.Run("iterator error", func(t *testing.T) {
		if err := WriteTimelineCSV(context.Background(), &bytes.Buffer{}, failAfter(arts...), TimelineOptions{}); !errors.Is(err, errBoom) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestWriteTimelineJSONL(t *testing.T) {
	arts := []*catalog.Artefact{
		{Exhibit: "EX-001", Ref: "0/1", Path: "/caf\xe9 <b>.txt", Inode: 5, Type: "file", Size: 10,
			Modified: ts(t, "2020-01-01T00:00:00.5Z")},
		{Exhibit: "EX-001", Ref: "0/2", Path: "/ok 100%.txt", Inode: 6, Type: "file", Accessed: ts(t, "2020-01-02T00:00:00Z")},
	}
	var buf bytes.Buffer
	if err := WriteTimelineJSONL(context.Background(), &buf, seq(arts...), TimelineOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `{"message_type":"event","time":"2020-01-01T00:00:00.5Z","macb":"m...","exhibit":"EX-001","partition":0,"ref":"0/1","path":"/caf%E9 <b>.txt","inode":5,"size":10,"type":"file","deleted":false,"path_encoding":"percent"}
{"message_type":"event","time":"2020-01-02T00:00:00Z","macb":".a..","exhibit":"EX-001","partition":0,"ref":"0/2","path":"/ok 100%.txt","inode":6,"size":0,"type":"file","deleted":false}
`
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
