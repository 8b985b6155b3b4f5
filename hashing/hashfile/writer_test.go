package hashfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/internal/pctenc"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleRecords returns records for names that stress every format, and
// one unreadable file. The blake3 column is a stand-in digest of the
// right length: these tests are about layout, not about BLAKE3.
func sampleRecords() []hashing.FileHash {
	files := []struct{ name, data string }{
		{"empty", ""},
		{"a.txt", "hello\n"},
		{"dir/sub/b c.txt", "spaces"},
		{"com,ma.txt", "commas"},
		{"unicode_☃.txt", "snowman"},
		{`quote"<&>'.txt`, "markup"},
		{"new\nline.txt", "newline"},
		{`back\slash.txt`, "backslash"},
		{"cr\rname", "carriage return"},
		{"bad\xff.txt", "invalid utf-8"},
		{"ctl\x01.txt", "control character"},
		{"100%.txt", "percent"},
		{" *lead", "leading space and star"},
	}
	var out []hashing.FileHash
	for _, f := range files {
		s := sumsOf([]byte(f.data))
		b3 := sha256.Sum256([]byte("blake3 stand-in:" + f.data))
		s[hashing.BLAKE3] = hex.EncodeToString(b3[:])
		out = append(out, hashing.FileHash{Path: f.name, Size: int64(len(f.data)), Sums: s})
	}
	return append(out, hashing.FileHash{Path: "unreadable.txt", Err: errors.New("permission denied")})
}

var goldenCases = []struct {
	format Format
	algos  []hashing.Algo
}{
	{Hashdeep, []hashing.Algo{hashing.MD5, hashing.SHA256}},
	{Sum, []hashing.Algo{hashing.SHA256}},
	{BSD, []hashing.Algo{hashing.MD5}},
	{CSV, []hashing.Algo{hashing.MD5, hashing.SHA1, hashing.SHA256, hashing.SHA512, hashing.BLAKE3}},
	{JSON, []hashing.Algo{hashing.MD5, hashing.SHA256, hashing.BLAKE3}},
	{DFXML, []hashing.Algo{hashing.MD5, hashing.SHA1, hashing.SHA256}},
}

var sampleOptions = WriterOptions{
	Dir:     "/cases/OP-THUNDER/evidence",
	Command: "pangolin hash -r .",
	Program: "pangolin",
	Version: "test",
	Start:   time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
}

// writeAll writes records and returns the output and the records written
// (those not refused with ErrName and not unreadable).
func writeAll(t *testing.T, f Format, algos []hashing.Algo, records []hashing.FileHash) ([]byte, []hashing.FileHash) {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, f, algos, sampleOptions)
	if err != nil {
		t.Fatal(err)
	}
	var written []hashing.FileHash
	for _, r := range records {
		err := w.Write(r)
		switch {
		case errors.Is(err, ErrName):
			if f != Hashdeep || !strings.ContainsAny(r.Path, "\r\n") {
				t.Errorf("Write(%q): unexpected %v", r.Path, err)
			}
		case err != nil:
			t.Fatalf("Write(%q): %v", r.Path, err)
		case r.Err == nil:
			written = append(written, r)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := w.Write(records[0]); err == nil {
		t.Error("Write after Close succeeded")
	}
	return buf.Bytes(), written
}

func TestWriterGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(string(c.format), func(t *testing.T) {
			got, written := writeAll(t, c.format, c.algos, sampleRecords())
			golden := filepath.Join("testdata", "writer."+string(c.format)+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (go test -update rewrites it):\n%s", golden, got)
			}
			checkReadable(t, c.format, c.algos, got, written)
		})
	}
}

// checkReadable reads the output back, with Read or the standard library,
// and requires the written records.
func checkReadable(t *testing.T, f Format, algos []hashing.Algo, out []byte, written []hashing.FileHash) {
	t.Helper()
	type rec struct {
		path string
		size int64
		sums hashing.Sums
	}
	var got []rec
	switch f {
	case Hashdeep, Sum, BSD, JSON:
		k, err := Read(bytes.NewReader(out), "out")
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if k.Format != f {
			t.Errorf("Read format %s, want %s", k.Format, f)
		}
		for _, kf := range k.Files {
			got = append(got, rec{kf.Path, kf.Size, kf.Sums})
		}
	case CSV:
		rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows[1:] {
			size, _ := strconv.ParseInt(row[1], 10, 64)
			s := hashing.Sums{}
			for i, a := range algos {
				s[a] = row[2+i]
			}
			got = append(got, rec{row[0], size, s})
		}
	case DFXML:
		got = nil
		for _, fo := range parseDFXML(t, out) {
			got = append(got, rec{fo.path, fo.size, fo.sums})
		}
	}
	if len(got) != len(written) {
		t.Fatalf("read back %d records, wrote %d", len(got), len(written))
	}
	for i, w := range written {
		g := got[i]
		if g.path != w.Path {
			t.Errorf("record %d: path %q, want %q", i, g.path, w.Path)
		}
		if f != Sum && f != BSD && g.size != w.Size {
			t.Errorf("record %d: size %d, want %d", i, g.size, w.Size)
		}
		for _, a := range algos {
			if g.sums[a] != w.Sums[a] {
				t.Errorf("record %d: %s %q, want %q", i, a, g.sums[a], w.Sums[a])
			}
		}
	}
}

type dfxmlFile struct {
	path string
	size int64
	sums hashing.Sums
}

// parseDFXML decodes the fileobjects of a DFXML document with
// encoding/xml, which also proves it well-formed.
func parseDFXML(t *testing.T, out []byte) []dfxmlFile {
	t.Helper()
	var doc struct {
		Files []struct {
			Name struct {
				Text     string `xml:",chardata"`
				Encoding string `xml:"encoding,attr"`
			} `xml:"filename"`
			Size    int64 `xml:"filesize"`
			Digests []struct {
				Type string `xml:"type,attr"`
				Hex  string `xml:",chardata"`
			} `xml:"hashdigest"`
		} `xml:"fileobject"`
	}
	d := xml.NewDecoder(bytes.NewReader(out))
	if err := d.Decode(&doc); err != nil {
		t.Fatalf("DFXML not well-formed: %v", err)
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if cd, ok := tok.(xml.CharData); err != nil || !ok || len(bytes.TrimSpace(cd)) > 0 {
			t.Fatalf("DFXML: data after the root element: %v %v", tok, err)
		}
	}
	var files []dfxmlFile
	for _, f := range doc.Files {
		p := f.Name.Text
		if f.Name.Encoding == "percent" {
			var err error
			if p, err = pctenc.Decode(p); err != nil {
				t.Fatal(err)
			}
		}
		s := hashing.Sums{}
		for _, dg := range f.Digests {
			s[hashing.Algo(strings.ToLower(dg.Type))] = dg.Hex
		}
		files = append(files, dfxmlFile{p, f.Size, s})
	}
	return files
}

func TestNewWriterRefuses(t *testing.T) {
	for _, c := range []struct {
		name   string
		format Format
		algos  []hashing.Algo
		opts   WriterOptions
		want   string
	}{
		{"hashdeep blake3", Hashdeep, []hashing.Algo{hashing.MD5, hashing.BLAKE3}, WriterOptions{}, "hashdeep format cannot hold blake3"},
		{"hashdeep sha512", Hashdeep, []hashing.Algo{hashing.SHA512}, WriterOptions{}, "cannot hold sha512"},
		{"hashdeep newline in command", Hashdeep, []hashing.Algo{hashing.MD5}, WriterOptions{Command: "a\nb"}, "line break"},
		{"sum two", Sum, []hashing.Algo{hashing.MD5, hashing.SHA1}, WriterOptions{}, "exactly one algorithm"},
		{"bsd blake3", BSD, []hashing.Algo{hashing.BLAKE3}, WriterOptions{}, "cannot hold blake3"},
		{"none", CSV, nil, WriterOptions{}, "no algorithm"},
		{"twice", CSV, []hashing.Algo{hashing.MD5, hashing.MD5}, WriterOptions{}, "twice"},
		{"text digest in dfxml", DFXML, []hashing.Algo{"ssdeep"}, WriterOptions{}, "only cryptographic"},
		{"format", Format("xml"), []hashing.Algo{hashing.MD5}, WriterOptions{}, "unknown hash list format"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewWriter(io.Discard, c.format, c.algos, c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestWriteRefuses(t *testing.T) {
	w, err := NewWriter(io.Discard, CSV, []hashing.Algo{hashing.MD5, hashing.SHA1}, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	good := sumsOf(nil)
	for _, c := range []struct {
		name string
		fh   hashing.FileHash
		want string
	}{
		{"missing", hashing.FileHash{Path: "x", Sums: hashing.Sums{hashing.MD5: good[hashing.MD5]}}, "no sha1 digest"},
		{"short", hashing.FileHash{Path: "x", Sums: hashing.Sums{hashing.MD5: "abc", hashing.SHA1: good[hashing.SHA1]}}, "malformed md5"},
		{"negative size", hashing.FileHash{Path: "x", Size: -1, Sums: good}, "negative size"},
		{"empty path", hashing.FileHash{Sums: good}, ErrName.Error()},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := w.Write(c.fh); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
	// Refused records leave the writer usable.
	if err := w.Write(hashing.FileHash{Path: "ok", Sums: good}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestSimilarityColumns checks that CSV and JSON carry digests of no
// fixed size verbatim, empty ones included.
func TestSimilarityColumns(t *testing.T) {
	const ssdeep hashing.Algo = "ssdeep"
	for _, f := range []Format{CSV, JSON} {
		var buf bytes.Buffer
		w, err := NewWriter(&buf, f, []hashing.Algo{hashing.MD5, ssdeep}, WriterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s := sumsOf(nil)
		s[ssdeep] = `3:a+b/c,"d:e`
		if err := w.Write(hashing.FileHash{Path: "x", Sums: s}); err != nil {
			t.Fatal(err)
		}
		delete(s, ssdeep)
		if err := w.Write(hashing.FileHash{Path: "y", Sums: s}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		want := map[Format]string{
			CSV:  `"3:a+b/c,""d:e"`,
			JSON: `"ssdeep":"3:a+b/c,\"d:e"`,
		}[f]
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%s output lacks %s:\n%s", f, want, buf.String())
		}
	}
}

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterStickyError(t *testing.T) {
	w, err := NewWriter(errWriter{}, Sum, []hashing.Algo{hashing.MD5}, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var werr error
	for i := 0; i < 200 && werr == nil; i++ {
		werr = w.Write(hashing.FileHash{Path: strings.Repeat("x", 100), Sums: sumsOf(nil)})
	}
	if werr == nil || !strings.Contains(werr.Error(), "disk full") {
		t.Fatalf("Write error = %v, want disk full", werr)
	}
	if err := w.Close(); err == nil {
		t.Error("Close after failed write succeeded")
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		if g, err := ParseFormat(strings.ToUpper(string(f))); err != nil || g != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, g, err)
		}
	}
	if _, err := ParseFormat("md5deep"); err == nil {
		t.Error("ParseFormat(md5deep) succeeded")
	}
}

func TestPercentEncoding(t *testing.T) {
	for _, c := range []struct {
		in, json, xml string
	}{
		{"plain ☃ 100%", "plain ☃ 100%", "plain ☃ 100%"},
		{"bad\xff%", "bad%FF%25", "bad%FF%25"},
		{"ctl\x01\x7f", "ctl\x01\x7f", "ctl%01\x7f"},
		{"\uFFFD", "\uFFFD", "\uFFFD"},
		{"\xef\xbf", "%EF%BF", "%EF%BF"},
	} {
		j, _ := pctenc.Encode(c.in, pctenc.AnyChar)
		x, _ := pctenc.Encode(c.in, pctenc.XMLChar)
		if j != c.json || x != c.xml {
			t.Errorf("pctenc.Encode(%q) = %q, %q; want %q, %q", c.in, j, x, c.json, c.xml)
		}
		for _, enc := range []string{j, x} {
			if enc == c.in {
				continue
			}
			if d, err := pctenc.Decode(enc); err != nil || d != c.in {
				t.Errorf("pctenc.Decode(%q) = %q, %v; want %q", enc, d, err, c.in)
			}
		}
	}
}
