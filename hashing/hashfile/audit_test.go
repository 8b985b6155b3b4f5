package hashfile

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// hdLine returns a hashdeep record "SIZE,MD5,SHA256,PATH" for data; the
// edit function may alter the fields first.
func hdLine(data, path string, edit func(f []string)) string {
	s := sumsOf([]byte(data))
	f := []string{fmt.Sprint(len(data)), s[hashing.MD5], s[hashing.SHA256], path}
	if edit != nil {
		edit(f)
	}
	return strings.Join(f, ",") + "\n"
}

type observed struct{ path, data string }

func (o observed) fileHash() hashing.FileHash {
	s := sumsOf([]byte(o.data))
	delete(s, hashing.SHA512) // hashdeep computes only the list's algorithms
	return hashing.FileHash{Path: o.path, Size: int64(len(o.data)), Sums: s}
}

// TestAuditHashdeepCases replays audits run with hashdeep 4.4
// (hashdeep -a -v -v -v -k LIST -r -l DIR); want is its output, except
// that hashdeep prints 0 for the first two counts.
func TestAuditHashdeepCases(t *testing.T) {
	const head = "%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n## Invoked from: /tmp\n## # hashdeep -r -l u\n## \n"
	zero := func(i int) func([]string) {
		return func(f []string) { f[i] = strings.Repeat("0", len(f[i])) }
	}
	for _, c := range []struct {
		name  string
		known string
		seen  []observed
		want  string
	}{
		{
			name: "changed moved new deleted",
			known: head + hdLine("dup\n", "u/e2.txt", nil) + hdLine("", "u/empty", nil) + hdLine("world\n", "u/sub/b.txt", nil) +
				hdLine("deleteme\n", "u/d.txt", nil) + hdLine("moveme\n", "u/c.txt", nil) + hdLine("dup\n", "u/e1.txt", nil) +
				hdLine("hello\n", "u/a.txt", nil),
			seen: []observed{{"u/e2.txt", "dup\n"}, {"u/empty", ""}, {"u/sub/b.txt", "world\n"}, {"u/sub/c2.txt", "moveme\n"},
				{"u/new.txt", "new\n"}, {"u/e1.txt", "dup\n"}, {"u/a.txt", "changed\n"}},
			want: `u/e2.txt: Ok
u/empty: Ok
u/sub/b.txt: Ok
u/sub/c2.txt: Moved from u/c.txt
u/new.txt: No match
u/e1.txt: Ok
u/a.txt: No match
u/d.txt: Known file not used
u/a.txt: Known file not used
pangolin: Audit failed
   Input files examined: 7
  Known files expecting: 7
          Files matched: 4
Files partially matched: 0
            Files moved: 1
        New files found: 2
  Known files not found: 2
`,
		},
		{
			name: "partial matches and a size mismatch pass",
			known: head + hdLine("dup\n", "w/e2.txt", nil) + hdLine("", "w/empty", func(f []string) { f[0] = "5" }) +
				hdLine("world\n", "w/sub/b.txt", zero(1)) + hdLine("deleteme\n", "w/d.txt", nil) + hdLine("moveme\n", "w/c.txt", nil) +
				hdLine("dup\n", "w/e1.txt", nil) + hdLine("hello\n", "w/a.txt", zero(2)),
			seen: []observed{{"w/empty", ""}, {"w/e2.txt", "dup\n"}, {"w/sub/b.txt", "world\n"}, {"w/d.txt", "deleteme\n"},
				{"w/c.txt", "moveme\n"}, {"w/e1.txt", "dup\n"}, {"w/a.txt", "hello\n"}},
			want: `w/empty: Hash collision with w/empty
w/e2.txt: Ok
w/sub/b.txt: Hash collision with w/sub/b.txt
w/d.txt: Ok
w/c.txt: Ok
w/e1.txt: Ok
w/a.txt: Hash collision with w/a.txt
pangolin: Audit passed
   Input files examined: 7
  Known files expecting: 7
          Files matched: 4
Files partially matched: 3
            Files moved: 0
        New files found: 0
  Known files not found: 0
`,
		},
		{
			name: "first candidate decides; duplicates",
			known: head + hdLine("hello\n", "v/zz.txt", zero(2)) + hdLine("hello\n", "v/yy.txt", nil) +
				hdLine("dup\n", "v/x1", nil) + hdLine("dup\n", "v/e2.txt", nil) + hdLine("dup\n", "v/e2.txt", nil),
			seen: []observed{{"v/e2.txt", "dup\n"}, {"v/e1.txt", "dup\n"}, {"v/a.txt", "hello\n"}},
			want: `v/e2.txt: Ok
v/e1.txt: Moved from v/x1
v/a.txt: Hash collision with v/zz.txt
v/yy.txt: Known file not used
v/e2.txt: Known file not used
pangolin: Audit failed
   Input files examined: 3
  Known files expecting: 5
          Files matched: 1
Files partially matched: 1
            Files moved: 1
        New files found: 0
  Known files not found: 2
`,
		},
		{
			name:  "md5 unknown but sha256 known",
			known: "%%%% HASHDEEP-1.0\n%%%% size,sha256,md5,filename\n6," + sumsOf([]byte("hello\n"))[hashing.SHA256] + "," + md5Empty + ",v/q.txt\n",
			seen:  []observed{{"v/a.txt", "hello\n"}},
			want: `v/a.txt: Hash collision with v/q.txt
pangolin: Audit passed
   Input files examined: 1
  Known files expecting: 1
          Files matched: 0
Files partially matched: 1
            Files moved: 0
        New files found: 0
  Known files not found: 0
`,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, err := Read(strings.NewReader(c.known), "known.txt")
			if err != nil {
				t.Fatal(err)
			}
			a := NewAudit(k)
			for _, o := range c.seen {
				a.Add(o.fileHash())
			}
			r := a.Finish()
			var b strings.Builder
			if err := r.WriteText(&b, 3); err != nil {
				t.Fatal(err)
			}
			if b.String() != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), c.want)
			}
		})
	}
}

func TestAuditVerbosity(t *testing.T) {
	k, err := Read(strings.NewReader("%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n"+
		hdLine("a", "a", nil)+hdLine("b", "b", func(f []string) { f[2] = strings.Repeat("0", 64) })+hdLine("c", "c", nil)), "k")
	if err != nil {
		t.Fatal(err)
	}
	a := NewAudit(k)
	for _, o := range []observed{{"a", "a"}, {"b", "b"}, {"moved-c", "c"}, {"new", "new"}} {
		a.Add(o.fileHash())
	}
	a.Add(hashing.FileHash{Path: "locked", Err: errors.New("permission denied")})
	r := a.Finish()
	if r.Unreadable != 1 || r.Examined != 4 || r.Passed {
		t.Errorf("result %+v", r)
	}
	want := []string{
		"b: Hash collision with b\npangolin: Audit failed\n",
		"b: Hash collision with b\npangolin: Audit failed\n" +
			"          Files matched: 1\nFiles partially matched: 1\n            Files moved: 1\n        New files found: 1\n  Known files not found: 0\n",
		"b: Hash collision with b\nmoved-c: Moved from c\nnew: No match\npangolin: Audit failed\n   Input files examined: 4\n  Known files expecting: 3\n" +
			"          Files matched: 1\nFiles partially matched: 1\n            Files moved: 1\n        New files found: 1\n  Known files not found: 0\n",
	}
	for v, w := range want {
		var b strings.Builder
		if err := r.WriteText(&b, v); err != nil {
			t.Fatal(err)
		}
		if b.String() != w {
			t.Errorf("verbose %d:\n%s\nwant:\n%s", v, b.String(), w)
		}
	}
	if got := r.Entries[4].String(); got != "locked: permission denied" {
		t.Errorf("unreadable entry %q", got)
	}
}

// TestAuditSumList audits against a list without sizes and with one
// algorithm, and checks that an observed file's extra digests are ignored
// and its upper-case digests accepted.
func TestAuditSumList(t *testing.T) {
	k, err := Read(strings.NewReader(md5Empty+"  a\n"+md5Empty+"  b\n"), "k")
	if err != nil {
		t.Fatal(err)
	}
	a := NewAudit(k)
	s := sumsOf(nil)
	s[hashing.MD5] = strings.ToUpper(s[hashing.MD5])
	if e := a.Add(hashing.FileHash{Path: "b", Size: 0, Sums: s}); e.Status != Matched || e.Known.Path != "b" {
		t.Errorf("entry %+v", e)
	}
	r := a.Finish()
	if r.Matched != 1 || r.Missing != 1 || r.MissingFiles[0].Path != "a" || r.Passed {
		t.Errorf("result %+v", r)
	}
}

func TestAuditConcurrentAdd(t *testing.T) {
	var text strings.Builder
	text.WriteString("%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n")
	for i := range 100 {
		text.WriteString(hdLine(fmt.Sprint(i), fmt.Sprint("f", i), nil))
	}
	k, err := Read(strings.NewReader(text.String()), "k")
	if err != nil {
		t.Fatal(err)
	}
	a := NewAudit(k)
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() { a.Add(observed{fmt.Sprint("f", i), fmt.Sprint(i)}.fileHash()) })
	}
	wg.Wait()
	if r := a.Finish(); !r.Passed || r.Matched != 100 {
		t.Errorf("result %+v", r)
	}
}

func TestStatusText(t *testing.T) {
	for s, want := range map[Status]string{Matched: "matched", Moved: "moved", Partial: "partial", New: "new", Unreadable: "unreadable", 0: "Status(0)"} {
		b, _ := s.MarshalText()
		if string(b) != want {
			t.Errorf("%d: %q, want %q", int(s), b, want)
		}
	}
}
