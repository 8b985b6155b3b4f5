package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/catalog"
	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/filesystem/all"
	"github.com/pangolin-forensics/pangolin/internal/pctenc"
	"github.com/pangolin-forensics/pangolin/internal/testtool"
)

func TestBodyLine(t *testing.T) {
	m := ts(t, "2020-01-02T03:04:05.75Z")
	tests := []struct {
		name string
		a    catalog.Artefact
		opts BodyfileOptions
		want string
	}{
		{"fat file", catalog.Artefact{Path: "/a.txt", Inode: 4, Type: "file", Size: 6, Modified: m, Accessed: ts(t, "2020-01-02T00:00:00Z"), Born: m},
			BodyfileOptions{Prefix: "/"}, "0|/a.txt|4|r/rrwxrwxrwx|0|0|6|1577923200|1577934245|0|1577934245\n"},
		{"folder", catalog.Artefact{Path: "/dir", Inode: 3, Type: "dir", Size: 2048},
			BodyfileOptions{}, "0|/dir|3|d/drwxrwxrwx|0|0|2048|0|0|0|0\n"},
		{"deleted", catalog.Artefact{Path: "/_one.txt", Inode: 8, Type: "file", Deleted: true},
			BodyfileOptions{Prefix: "/"}, "0|/_one.txt (deleted)|8|r/rrwxrwxrwx|0|0|0|0|0|0|0\n"},
		{"md5", catalog.Artefact{Path: "/a", Type: "file", MD5: "D41D8CD98F00B204E9800998ECF8427E"},
			BodyfileOptions{}, "d41d8cd98f00b204e9800998ecf8427e|/a|0|r/rrwxrwxrwx|0|0|0|0|0|0|0\n"},
		{"ext mode and ids", catalog.Artefact{Path: "/bin/su", Inode: 12, Type: "file", Mode: 0o4755, Extra: map[string]string{"uid": "0", "gid": "5"}},
			BodyfileOptions{}, "0|/bin/su|12|r/rrwsr-xr-x|0|5|0|0|0|0|0\n"},
		{"sticky no x", catalog.Artefact{Path: "/tmp", Type: "dir", Mode: 0o1776},
			BodyfileOptions{}, "0|/tmp|0|d/drwxrwxrwT|0|0|0|0|0|0|0\n"},
		{"setgid no x", catalog.Artefact{Path: "/g", Type: "dir", Mode: 0o2740},
			BodyfileOptions{}, "0|/g|0|d/drwxr-S---|0|0|0|0|0|0|0\n"},
		{"symlink", catalog.Artefact{Path: "/l", Type: "symlink", Mode: 0o777},
			BodyfileOptions{}, "0|/l|0|l/lrwxrwxrwx|0|0|0|0|0|0|0\n"},
		{"virtual", catalog.Artefact{Path: "/$MBR", Inode: 130867, Type: "other", Size: 512, Extra: map[string]string{"virtual": "true"}},
			BodyfileOptions{Prefix: "/"}, "0|/$MBR|130867|v/v---------|0|0|512|0|0|0|0\n"},
		{"volume label", catalog.Artefact{Path: "/MYLABEL", Inode: 3, Type: "other", Extra: map[string]string{"volume_label": "true"}},
			BodyfileOptions{}, "0|/MYLABEL (Volume Label Entry)|3|r/rrwxrwxrwx|0|0|0|0|0|0|0\n"},
		{"other", catalog.Artefact{Path: "/dev/null", Type: "other", Mode: 0o666},
			BodyfileOptions{}, "0|/dev/null|0|-/-rw-rw-rw-|0|0|0|0|0|0|0\n"},
		{"stream in path", catalog.Artefact{Path: "/a.txt:ads", Stream: "ads", Inode: 64, Type: "file", Size: 3},
			BodyfileOptions{Prefix: "C:"}, "0|C:/a.txt:ads|64|r/rrwxrwxrwx|0|0|3|0|0|0|0\n"},
		{"stream not in path", catalog.Artefact{Path: "/a.txt", Stream: "ads", Inode: 64, Type: "file"},
			BodyfileOptions{}, "0|/a.txt:ads|64|r/rrwxrwxrwx|0|0|0|0|0|0|0\n"},
		{"prefix trailing slash", catalog.Artefact{Path: "/a", Type: "file"},
			BodyfileOptions{Prefix: "/mnt/"}, "0|/mnt/a|0|r/rrwxrwxrwx|0|0|0|0|0|0|0\n"},
		{"exhibit", catalog.Artefact{Exhibit: "EX-001", Partition: 2, Path: "/a", Type: "file"},
			BodyfileOptions{WithExhibit: true}, "0|EX-001/p2/a|0|r/rrwxrwxrwx|0|0|0|0|0|0|0\n"},
		{"exhibit with prefix", catalog.Artefact{Exhibit: "EX-001", Partition: 0, Path: "/a", Type: "file"},
			BodyfileOptions{Prefix: "/cases/", WithExhibit: true}, "0|/cases/EX-001/p0/a|0|r/rrwxrwxrwx|0|0|0|0|0|0|0\n"},
		{"escaping", catalog.Artefact{Path: "/a|b%41\nc\r", Type: "file"},
			BodyfileOptions{}, "0|/a%7Cb%2541%0Ac%0D|0|r/rrwxrwxrwx|0|0|0|0|0|0|0\n"},
		{"relative path", catalog.Artefact{Path: "member.txt", Type: "file", Depth: 1},
			BodyfileOptions{}, "0|/member.txt|0|r/rrwxrwxrwx|0|0|0|0|0|0|0\n"},
		{"before 1970", catalog.Artefact{Path: "/old", Type: "file", Modified: ts(t, "1969-12-31T23:59:59.5Z")},
			BodyfileOptions{}, "0|/old|0|r/rrwxrwxrwx|0|0|0|0|-1|0|0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteBodyfile(context.Background(), &buf, seq(&tt.a), tt.opts); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestWriteBodyfileErrors(t *testing.T) {
	a := &catalog.Artefact{Path: "/a", Type: "file"}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		arts []*catalog.Artefact
		fail bool
		want string
	}{
		{"iterator error", context.Background(), []*catalog.Artefact{a}, true, "boom"},
		{"malformed md5", context.Background(), []*catalog.Artefact{{Path: "/x", MD5: "0|1"}}, false, "malformed md5"},
		{"cancelled", cancelled, []*catalog.Artefact{a}, false, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := seq(tt.arts...)
			if tt.fail {
				src = failAfter(tt.arts...)
			}
			err := WriteBodyfile(tt.ctx, &bytes.Buffer{}, src, BodyfileOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
	t.Run("skip members", func(t *testing.T) {
		var buf bytes.Buffer
		m := &catalog.Artefact{Path: "/z.zip/in.txt", Type: "file", Depth: 1}
		if err := WriteBodyfile(context.Background(), &buf, seq(a, m), BodyfileOptions{SkipMembers: true}); err != nil {
			t.Fatal(err)
		}
		if strings.Count(buf.String(), "\n") != 1 {
			t.Errorf("got %q, want the top-level artefact only", buf.String())
		}
	})
}

// TestBodyfileMactime feeds a body file to mactime and checks that the
// events it prints are those Timeline gives, at second resolution.
func TestBodyfileMactime(t *testing.T) {
	testtool.Need(t, "mactime")
	arts := []*catalog.Artefact{
		{Path: "/a.txt", Inode: 4, Type: "file", Size: 6,
			Modified: ts(t, "2020-01-02T03:04:05Z"), Accessed: ts(t, "2020-01-02T00:00:00Z"),
			Changed: ts(t, "2021-06-07T08:09:10.9Z"), Born: ts(t, "2020-01-02T03:04:05Z")},
		{Path: "/dir", Inode: 3, Type: "dir", Size: 2048,
			Modified: ts(t, "2019-12-31T23:59:59Z"), Accessed: ts(t, "2019-12-31T23:59:59Z"),
			Changed: ts(t, "2019-12-31T23:59:59Z"), Born: ts(t, "2019-12-31T23:59:59Z")},
		{Path: "/dir/_one.txt", Inode: 9, Type: "file", Size: 1234, Deleted: true,
			Modified: ts(t, "2022-02-03T04:05:06Z"), Born: ts(t, "2001-09-09T01:46:40Z")},
		{Path: "/we|ird%41 name.txt", Inode: 11, Type: "file", Size: 7,
			Modified: ts(t, "2023-03-04T05:06:07Z")},
		{Path: "/home/u/.bashrc", Inode: 131, Type: "file", Size: 3771, Mode: 0o644,
			Accessed: ts(t, "2024-05-06T07:08:09Z"), Changed: ts(t, "2024-05-06T07:08:09Z")},
	}
	body := filepath.Join(t.TempDir(), "body")
	var buf bytes.Buffer
	if err := WriteBodyfile(context.Background(), &buf, seq(arts...), BodyfileOptions{Prefix: "/"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(body, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out := run(t, []string{"TZ=UTC"}, "mactime", "-b", body, "-d", "-y", "-z", "UTC")
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("mactime output: %v\n%s", err, out)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], []string{"Date", "Size", "Type", "Mode", "UID", "GID", "Meta", "File Name"}) {
		t.Fatalf("mactime header: %v", recs)
	}
	var got []string
	prev := ""
	for _, r := range recs[1:] {
		if r[0] == "0000-00-00T00:00:00Z" { // mactime lists zero times; Timeline does not
			continue
		}
		if r[0] < prev {
			t.Errorf("mactime out of order at %v", r)
		}
		prev = r[0]
		got = append(got, strings.Join([]string{r[0], r[1], r[2], r[6], r[7]}, " "))
	}

	var want []string
	err = Timeline(context.Background(), seq(arts...), TimelineOptions{}, func(e Event) error {
		name := e.Path
		if e.Deleted {
			name += " (deleted)"
		}
		// Body files hold whole seconds: events of one artefact that
		// differ only in the fraction would merge in mactime; none do here.
		want = append(want, strings.Join([]string{e.Time.Truncate(time.Second).Format(time.RFC3339), strconv.FormatInt(e.Size, 10), e.MACB, strconv.FormatUint(e.Inode, 10), name}, " "))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("mactime events:\n%s", strings.Join(got, "\n"))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("mactime events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBodyfileFls builds a FAT image with mtools, and checks that the body
// file written from pangolin's reading of it has the lines fls -m prints.
func TestBodyfileFls(t *testing.T) {
	for _, tool := range []string{"fls", "mkfs.vfat", "mcopy", "mmd", "mdel", "mdeltree"} {
		testtool.Need(t, tool)
	}
	dir := t.TempDir()
	img := filepath.Join(dir, "fat.img")
	env := []string{"MTOOLS_SKIP_CHECK=1", "TZ=UTC", "LC_ALL=C"}
	run(t, env, "mkfs.vfat", "-C", img, "4096")
	write := func(name string, data string, mtime time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	m := func(args ...string) { run(t, env, args[0], append([]string{"-i", img}, args[1:]...)...) }
	m("mmd", "::/dir")
	m("mmd", "::/dir/sub")
	m("mmd", "::/gonedir")
	m("mcopy", "-m", write("a.txt", "hello\n", ts(t, "2019-05-06T07:08:10Z")), "::/a.txt")
	m("mcopy", "-m", write("b c.txt", "world\n", ts(t, "2020-02-29T23:59:58Z")), "::/dir/b c.txt")
	m("mcopy", "-m", write("big.bin", strings.Repeat("x", 5000), ts(t, "2021-01-01T00:00:00Z")), "::/dir/sub/big.bin")
	m("mcopy", "-m", write("long.txt", "l", ts(t, "2022-03-04T05:06:08Z")), "::/A Long File Name.text")
	m("mcopy", "-m", write("gone.txt", "g", ts(t, "2018-01-01T12:00:00Z")), "::/dir/gone.txt")
	m("mcopy", "-m", filepath.Join(dir, "gone.txt"), "::/gonedir/inner.txt")
	m("mdel", "::/dir/gone.txt")
	m("mdeltree", "::/gonedir")

	out := run(t, env, "fls", "-r", "-m", "/", "-z", "UTC", img)
	var want []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.Contains(l, "|/$OrphanFiles|") { // a TSK virtual folder pangolin does not make
			continue
		}
		want = append(want, stripMD5(l))
	}

	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := all.Open(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	var arts []*catalog.Artefact
	err = fsys.Walk(context.Background(), func(e *filesystem.Entry) error {
		arts = append(arts, &catalog.Artefact{
			Path: e.Path, Name: e.Name, Inode: e.Inode, Type: string(e.Type), Size: e.Size,
			Deleted: e.Deleted, Modified: e.Modified, Accessed: e.Accessed, Changed: e.Changed,
			Born: e.Born, Mode: e.Mode, Stream: e.Stream, Offset: e.Offset, Extra: e.Extra,
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteBodyfile(context.Background(), &buf, seq(arts...), BodyfileOptions{Prefix: "/"}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		got = append(got, stripMD5(l))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("body file:\n%s\nfls -m:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	t.Logf("fls -m lines:\n%s", strings.Join(want, "\n"))
	if !slices.ContainsFunc(want, func(l string) bool { return strings.Contains(l, " (deleted)|") }) {
		t.Error("fls listed no deleted entry: the fixture does not test deletion")
	}
}

// stripMD5 drops the MD5 column of a body-file line.
func stripMD5(line string) string {
	_, rest, _ := strings.Cut(line, "|")
	return rest
}

func TestBodyfileCtxChecked(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	src := func(yield func(*catalog.Artefact, error) bool) {
		for {
			n++
			if n == 10 {
				cancel()
			}
			if !yield(&catalog.Artefact{Path: "/a", Type: "file"}, nil) {
				return
			}
		}
	}
	err := WriteBodyfile(ctx, &bytes.Buffer{}, src, BodyfileOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if n > 2*ctxEvery {
		t.Errorf("read %d artefacts after cancel, want at most %d", n, 2*ctxEvery)
	}
}

func TestPercentEncode(t *testing.T) {
	tests := []struct {
		in      string
		allowed func(rune) bool
		want    string
		enc     bool
	}{
		{"/plain/ü.txt", pctenc.XMLChar, "/plain/ü.txt", false},
		{"/100%.txt", pctenc.XMLChar, "/100%.txt", false},
		{"/a\x01b%", pctenc.XMLChar, "/a%01b%25", true},
		{"/\xff\xfe", pctenc.AnyChar, "/%FF%FE", true},
		{"/tab\tok", pctenc.XMLChar, "/tab\tok", false},
		{"/\uFFFE", pctenc.XMLChar, "/%EF%BF%BE", true},
		{"/\x01", pctenc.AnyChar, "/\x01", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, enc := pctenc.Encode(tt.in, tt.allowed)
			if got != tt.want || enc != tt.enc {
				t.Errorf("pctenc.Encode(%q) = %q, %v; want %q, %v", tt.in, got, enc, tt.want, tt.enc)
			}
		})
	}
}
