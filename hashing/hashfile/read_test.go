package hashfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/hashing"
)

const (
	md5Empty    = "d41d8cd98f00b204e9800998ecf8427e"
	sha1Empty   = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
	sha256Empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

var sha512Empty = sumsOf(nil)[hashing.SHA512]

func TestRead(t *testing.T) {
	type file struct {
		path string
		size int64
		sums hashing.Sums
	}
	for _, c := range []struct {
		name   string
		in     string
		format Format
		algos  []hashing.Algo
		files  []file
	}{
		{
			name: "hashdeep columns in any order, commas in names, comments",
			in: "%%%% HASHDEEP-1.0\r\n%%%% size,SHA-256,md5,filename\r\n## Invoked from: /x\r\n## $ hashdeep -r .\r\n## \r\n" +
				"0," + strings.ToUpper(sha256Empty) + "," + md5Empty + ",/x/a,b,,c\r\n\r\n" +
				"# note\n12," + sha256Empty + "," + md5Empty + ", lead\n",
			format: Hashdeep,
			algos:  []hashing.Algo{hashing.SHA256, hashing.MD5},
			files: []file{
				{"/x/a,b,,c", 0, hashing.Sums{hashing.SHA256: sha256Empty, hashing.MD5: md5Empty}},
				{" lead", 12, hashing.Sums{hashing.SHA256: sha256Empty, hashing.MD5: md5Empty}},
			},
		},
		{
			name:   "hashdeep tiger and whirlpool",
			in:     "%%%% HASHDEEP-1.0\n%%%% size,tiger,whirlpool,filename\n3," + strings.Repeat("a", 48) + "," + strings.Repeat("b", 128) + ",f\n",
			format: Hashdeep,
			algos:  []hashing.Algo{Tiger, Whirlpool},
			files:  []file{{"f", 3, hashing.Sums{Tiger: strings.Repeat("a", 48), Whirlpool: strings.Repeat("b", 128)}}},
		},
		{
			name:   "hashdeep header only",
			in:     "%%%% HASHDEEP-1.0\n%%%% size,md5,filename\n",
			format: Hashdeep,
			algos:  []hashing.Algo{hashing.MD5},
		},
		{
			name: "sum text, binary, escaped, BOM, comments",
			in: "\uFEFF# sha256sum output\n" + sha256Empty + "  plain name\n" + sha256Empty + " *binary.exe\n" +
				`\` + sha256Empty + `  new\nline\\back\rcr` + "\n" + sha256Empty + "   lead\n" + sha256Empty + "  *star\n",
			format: Sum,
			algos:  []hashing.Algo{hashing.SHA256},
			files: []file{
				{"plain name", -1, hashing.Sums{hashing.SHA256: sha256Empty}},
				{"binary.exe", -1, hashing.Sums{hashing.SHA256: sha256Empty}},
				{"new\nline\\back\rcr", -1, hashing.Sums{hashing.SHA256: sha256Empty}},
				{" lead", -1, hashing.Sums{hashing.SHA256: sha256Empty}},
				{"*star", -1, hashing.Sums{hashing.SHA256: sha256Empty}},
			},
		},
		{
			name: "sum algorithms by length, mixed with BSD",
			in: md5Empty + "  a\n" + sha1Empty + "  b\n" + sha512Empty + "  c\nSHA256 (d (1)) = e) = " + sha256Empty + "\n" +
				`\MD5 (e\\f) = ` + md5Empty + "\n",
			format: Sum,
			algos:  []hashing.Algo{hashing.MD5, hashing.SHA1, hashing.SHA256, hashing.SHA512},
			files: []file{
				{"a", -1, hashing.Sums{hashing.MD5: md5Empty}},
				{"b", -1, hashing.Sums{hashing.SHA1: sha1Empty}},
				{"c", -1, hashing.Sums{hashing.SHA512: sha512Empty}},
				{"d (1)) = e", -1, hashing.Sums{hashing.SHA256: sha256Empty}},
				{`e\f`, -1, hashing.Sums{hashing.MD5: md5Empty}},
			},
		},
		{
			name:   "BSD",
			in:     "MD5 (copying.txt) = " + strings.ToUpper(md5Empty) + "\n",
			format: BSD,
			algos:  []hashing.Algo{hashing.MD5},
			files:  []file{{"copying.txt", -1, hashing.Sums{hashing.MD5: md5Empty}}},
		},
		{
			name:   "md5deep sizes",
			in:     "    669416  " + md5Empty + "  /Users/a.out\n12345678901  " + md5Empty + "  b  c\n",
			format: Sum,
			algos:  []hashing.Algo{hashing.MD5},
			files: []file{
				{"/Users/a.out", 669416, hashing.Sums{hashing.MD5: md5Empty}},
				{"b  c", 12345678901, hashing.Sums{hashing.MD5: md5Empty}},
			},
		},
		{
			name: "JSON",
			in: `{"message_type":"file","path":"a","size":0,"md5":"` + md5Empty + `","extra":[1]}` + "\n" +
				`{"message_type":"error","path":"b","error":"denied"}` + "\n" +
				`{"message_type":"file","path":"c%FF%25","path_encoding":"percent","sha1":"` + sha1Empty + `"}` + "\n" +
				`{"message_type":"progress","percent":50}` + "\n" +
				`{"message_type":"summary","files":2,"bytes":0,"errors":1}` + "\n",
			format: JSON,
			algos:  []hashing.Algo{hashing.MD5, hashing.SHA1},
			files: []file{
				{"a", 0, hashing.Sums{hashing.MD5: md5Empty}},
				{"c\xff%", -1, hashing.Sums{hashing.SHA1: sha1Empty}},
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, err := Read(strings.NewReader(c.in), "list.txt")
			if err != nil {
				t.Fatal(err)
			}
			if k.Format != c.format || !reflect.DeepEqual(k.Algos, c.algos) {
				t.Errorf("format %s algos %v, want %s %v", k.Format, k.Algos, c.format, c.algos)
			}
			if len(k.Files) != len(c.files) {
				t.Fatalf("%d files, want %d: %+v", len(k.Files), len(c.files), k.Files)
			}
			for i, f := range c.files {
				g := k.Files[i]
				if g.Path != f.path || g.Size != f.size || !reflect.DeepEqual(g.Sums, f.sums) {
					t.Errorf("file %d = %q %d %v, want %q %d %v", i, g.Path, g.Size, g.Sums, f.path, f.size, f.sums)
				}
			}
		})
	}
}

func TestReadMalformed(t *testing.T) {
	hd := "%%%% HASHDEEP-1.0\n%%%% size,md5,filename\n"
	for _, c := range []struct {
		name string
		in   string
		line int
		want string
	}{
		{"empty", "", 0, "no hashes found"},
		{"comments only", "# x\n\n", 2, "no hashes found"},
		{"garbage", "hello world!\n", 1, "not a recognised hash list"},
		{"known.txt", md5Empty + "  ChangeLog\nhello world!\n", 2, "not a checksum line"},
		{"bad hashdeep version", "%%%% HASHDEEP-2.0\n", 1, "hashdeep header"},
		{"no column line", "%%%% HASHDEEP-1.0\n", 1, "without column line"},
		{"bad column line", "%%%% HASHDEEP-1.0\nsize,md5,filename\n", 2, "column line"},
		{"unknown column", "%%%% HASHDEEP-1.0\n%%%% size,md5,crc32,filename\n", 2, `unknown hashdeep column "crc32"`},
		{"no filename column", "%%%% HASHDEEP-1.0\n%%%% size,md5\n", 2, "end with filename"},
		{"twice", "%%%% HASHDEEP-1.0\n%%%% size,md5,MD5,filename\n", 2, "twice"},
		{"few fields", hd + "1," + md5Empty + "\n", 3, "want 3 comma-separated fields"},
		{"bad size", hd + "x," + md5Empty + ",f\n", 3, "bad file size"},
		{"negative size", hd + "-1," + md5Empty + ",f\n", 3, "bad file size"},
		{"huge size", hd + "99999999999999999999," + md5Empty + ",f\n", 3, "bad file size"},
		{"bad digest", hd + "1," + md5Empty[1:] + ",f\n", 3, "bad md5 digest"},
		{"empty name", hd + "1," + md5Empty + ",\n", 3, "empty file name"},
		{"second header", hd + "1," + md5Empty + ",f\n%%%% HASHDEEP-1.0\n", 4, "want 3 comma-separated fields"},
		{"bad escape", `\` + md5Empty + `  a\tb` + "\n", 1, "bad escape"},
		{"trailing backslash", `\` + md5Empty + `  a\` + "\n", 1, "bad escape"},
		{"one space", md5Empty + " a\n", 1, "not a checksum line"},
		{"empty sum name", md5Empty + "  \n", 1, "not a checksum line"},
		{"BSD short", "SHA256 (a) = " + md5Empty + "\n", 1, "bad sha256 digest"},
		{"BSD shape", "MD5 (a = " + md5Empty + "\n", 1, "TAG (NAME) = HEX"},
		{"later bad line", md5Empty + "  a\n" + md5Empty + "  b\nxyz\n", 3, "not a checksum line"},
		{"bad JSON", `{"message_type":"file"` + "\n", 1, "bad JSON"},
		{"no message_type", `{"path":"a"}` + "\n", 1, "without message_type"},
		{"no path", `{"message_type":"file","md5":"` + md5Empty + `"}` + "\n", 1, "without path"},
		{"no digests", `{"message_type":"file","path":"a"}` + "\n", 1, "without digests"},
		{"JSON bad digest", `{"message_type":"file","path":"a","sha1":"` + md5Empty + `"}` + "\n", 1, "bad sha1 digest"},
		{"JSON float size", `{"message_type":"file","path":"a","size":1.5,"md5":"` + md5Empty + `"}` + "\n", 1, "bad JSON"},
		{"JSON negative size", `{"message_type":"file","path":"a","size":-2,"md5":"` + md5Empty + `"}` + "\n", 1, "bad file size"},
		{"JSON bad encoding", `{"message_type":"file","path":"a%F","path_encoding":"percent","md5":"` + md5Empty + `"}` + "\n", 1, "percent"},
		{"JSON unknown encoding", `{"message_type":"file","path":"a","path_encoding":"base64","md5":"` + md5Empty + `"}` + "\n", 1, "path_encoding"},
		{"line too long", md5Empty + "  a\n" + md5Empty + "  " + strings.Repeat("x", MaxLineLength) + "\n", 2, "line longer than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, err := Read(strings.NewReader(c.in), "list.txt")
			if err == nil {
				t.Fatalf("Read succeeded: %+v", k)
			}
			if k != nil {
				t.Error("non-nil Known with error")
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Name != "list.txt" || pe.Line != c.line {
				t.Errorf("err = %#v, want a ParseError at list.txt:%d", err, c.line)
			}
			if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %q, want one line containing %q", err, c.want)
			}
		})
	}
}

// failReader returns data, then an error.
type failReader struct{ data []byte }

func (r *failReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, errors.New("device error")
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadIOError(t *testing.T) {
	_, err := Read(&failReader{[]byte(md5Empty + "  a\n")}, "list.txt")
	var pe *ParseError
	if err == nil || errors.As(err, &pe) || !strings.Contains(err.Error(), "read list.txt: device error") {
		t.Errorf("err = %v, want a wrapped read error", err)
	}
}

// FuzzRead requires that Read never panics, returns nil with an error,
// and that what it reads survives a round trip through the writer of the
// same format.
func FuzzRead(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.golden"))
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"%%%% HASHDEEP-1.0\n%%%% size,md5,sha1,sha256,filename\n## \n0," + md5Empty + "," + sha1Empty + "," + sha256Empty + ",a,b\n",
		`\` + md5Empty + `  a\nb` + "\n" + md5Empty + " *c\n",
		"     12345  " + md5Empty + "  x\n",
		"SHA1 (x) = " + sha1Empty + "\n",
		`{"message_type":"file","path":"a%25","path_encoding":"percent","size":1,"blake3":"` + sha256Empty + `"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, data) })
}

// FuzzReadHashdeep fuzzes the records of a hashdeep file.
func FuzzReadHashdeep(f *testing.F) {
	const head = "%%%% HASHDEEP-1.0\n%%%% size,md5,sha-1,filename\n"
	f.Add([]byte("## Invoked from: /\n0," + md5Empty + "," + sha1Empty + ",a,b\n"))
	f.Add([]byte("7," + strings.ToUpper(md5Empty) + "," + sha1Empty + ",\xff\r\n#\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, append([]byte(head), data...)) })
}

// FuzzReadSum fuzzes checksum lines of the three kinds.
func FuzzReadSum(f *testing.F) {
	const head = md5Empty + "  first\n"
	f.Add([]byte(`\` + sha256Empty + `  a\\b\rc` + "\n" + sha1Empty + " *bin\n"))
	f.Add([]byte("SHA512 (a) = " + sha512Empty + "\n" + `\MD5 (x\ny) = ` + md5Empty + "\n"))
	f.Add([]byte("    669416  " + md5Empty + "  /a.out\n# comment\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, append([]byte(head), data...)) })
}

// FuzzReadJSON fuzzes JSON Lines.
func FuzzReadJSON(f *testing.F) {
	const head = `{"message_type":"summary"}` + "\n"
	f.Add([]byte(`{"message_type":"file","path":"a%FF","path_encoding":"percent","size":3,"md5":"` + md5Empty + `"}`))
	f.Add([]byte(`{"message_type":"error","path":"b","error":"x"}` + "\n" + `{"message_type":"file","path":"\u0000","sha512":"` + sha512Empty + `"}`))
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, append([]byte(head), data...)) })
}

func checkRead(t *testing.T, data []byte) {
	k, err := Read(bytes.NewReader(data), "fuzz")
	if err != nil {
		if k != nil {
			t.Fatal("non-nil Known with error")
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Name != "fuzz" || strings.Contains(err.Error(), "\n") {
			t.Fatalf("error %q is not a one-line ParseError", err)
		}
		return
	}
	roundTrip(t, k)
}

// roundTrip writes k in its own format, when the writer can hold it, reads
// it back and requires the same files.
func roundTrip(t *testing.T, k *Known) {
	for _, f := range k.Files {
		if len(f.Sums) != len(k.Algos) {
			return // a sum or JSON list mixing algorithms: no one writer holds it
		}
		if k.Format == Hashdeep && strings.ContainsAny(f.Path, "\r\n") {
			return
		}
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, k.Format, k.Algos, WriterOptions{})
	if err != nil {
		return // tiger or whirlpool, or blake3 in hashdeep
	}
	for _, f := range k.Files {
		size := f.Size
		if size < 0 {
			size = 0
		}
		if err := w.Write(hashing.FileHash{Path: f.Path, Size: size, Sums: f.Sums}); err != nil {
			t.Fatalf("write %q: %v", f.Path, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	k2, err := Read(&buf, "again")
	if err != nil {
		t.Fatalf("reading our own output: %v\n%s", err, buf.Bytes())
	}
	if len(k2.Files) != len(k.Files) {
		t.Fatalf("round trip: %d files, want %d", len(k2.Files), len(k.Files))
	}
	for i, f := range k.Files {
		g := k2.Files[i]
		sized := k.Format == Hashdeep || k.Format == JSON
		if g.Path != f.Path || !reflect.DeepEqual(g.Sums, f.Sums) || sized && g.Size != f.Size && f.Size >= 0 {
			t.Fatalf("round trip: file %d = %q %d %v, want %q %d %v", i, g.Path, g.Size, g.Sums, f.Path, f.Size, f.Sums)
		}
	}
}
