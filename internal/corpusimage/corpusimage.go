// Package corpusimage prepares the disk images of the shared test corpus
// (diskimages/, see its README) for file-system tests: it lists the
// oracle index, opens an image as an io.ReaderAt (decompressing gzip and
// tar members into a test's temporary folder, holes kept sparse, and
// opening E01 sets through evidence/ewf), and reads tool outputs without
// their "# cmd:" and "# rc:" header lines.
package corpusimage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/evidence/ewf"
	"github.com/pangolin-forensics/pangolin/evidence/qcow"
	"github.com/pangolin-forensics/pangolin/evidence/vhd"
	"github.com/pangolin-forensics/pangolin/evidence/vmdk"
)

// Row is one line of diskimages/_oracle/INDEX.tsv.
type Row struct {
	OracleDir    string // folder under diskimages/_oracle
	Source       string // image path under the corpus, first segment only
	VolumeSystem string // first line of mmls output, or "-"
	FileSystems  string // "TYPE@sector:..." items separated by " ; "
}

// Index reads diskimages/_oracle/INDEX.tsv.
func Index(t testing.TB, corpus string) []Row {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpus, "diskimages", "_oracle", "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	for i, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if i == 0 || len(f) < 5 {
			continue
		}
		src, _, _ := strings.Cut(f[1], " ")
		rows = append(rows, Row{OracleDir: f[0], Source: src, VolumeSystem: f[3], FileSystems: f[4]})
	}
	return rows
}

// Open returns the prepared image of row and its size. The image is
// closed when the test ends.
func Open(t testing.TB, corpus string, row Row) (io.ReaderAt, int64) {
	return OpenHead(t, corpus, row, -1)
}

// OpenHead is Open that extracts at most limit bytes (all when negative)
// of a tar member, for tests that read only the start of large sparse
// images; the size returned is still the member's, and reads past the
// extracted part fail.
func OpenHead(t testing.TB, corpus string, row Row, limit int64) (io.ReaderAt, int64) {
	t.Helper()
	src := filepath.Join(corpus, row.Source)
	switch {
	case strings.HasSuffix(src, ".E01"):
		img, err := ewf.Open(src)
		if err != nil {
			t.Fatalf("open %s: %v", src, err)
		}
		t.Cleanup(func() { img.Close() })
		return img, img.Size()
	case strings.HasSuffix(src, ".vhd"), strings.HasSuffix(src, ".vmdk"), strings.HasSuffix(src, ".qcow"), strings.HasSuffix(src, ".qcow2"):
		var img interface {
			io.ReaderAt
			Size() int64
			Close() error
		}
		var err error
		switch filepath.Ext(src) {
		case ".vhd":
			img, err = vhd.Open(src)
		case ".vmdk":
			img, err = vmdk.Open(src)
		default:
			img, err = qcow.Open(src)
		}
		if err != nil {
			t.Fatalf("open %s: %v", src, err)
		}
		t.Cleanup(func() { img.Close() })
		return img, img.Size()
	case strings.HasSuffix(src, ".tgz"), strings.HasSuffix(src, ".tar.gz"):
		return extract(t, src, true, limit)
	case strings.HasSuffix(src, ".gz"):
		return extract(t, src, false, -1)
	}
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return f, st.Size()
}

// extract decompresses src (gzip, or the first regular member of a
// gzipped tar, at most limit bytes of it when limit is not negative) into
// a sparse file. Whole images are kept in a cache folder under the
// system's temporary folder, keyed by the source's name, size and time,
// so that the packages whose tests read the same image (and later runs)
// decompress it once: a 128 GiB sparse image takes a minute to scan.
func extract(t testing.TB, src string, isTar bool, limit int64) (io.ReaderAt, int64) {
	t.Helper()
	var cached string
	if limit < 0 {
		st, err := os.Stat(src)
		if err != nil {
			t.Fatal(err)
		}
		cached = filepath.Join(os.TempDir(), "pangolin-corpus-images",
			filepath.Base(src)+"-"+strconv.FormatInt(st.Size(), 10)+"-"+strconv.FormatInt(st.ModTime().UnixNano(), 10))
		if b, err := os.ReadFile(cached + ".size"); err == nil {
			size, err := strconv.ParseInt(string(b), 10, 64)
			f, ferr := os.Open(cached)
			if err == nil && ferr == nil {
				t.Cleanup(func() { f.Close() })
				return f, size
			}
		}
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	var r io.Reader = zr
	full := int64(-1)
	if isTar {
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if err != nil {
				t.Fatalf("%s: no regular member: %v", src, err)
			}
			if h.Typeflag == tar.TypeReg || h.Typeflag == tar.TypeGNUSparse {
				full = h.Size
				break
			}
		}
		r = tr
		if limit >= 0 {
			r = io.LimitReader(tr, limit)
		}
	}
	dir := t.TempDir()
	if cached != "" {
		dir = filepath.Dir(cached)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out, err := os.CreateTemp(dir, "image-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	buf := make([]byte, 1<<20)
	var size int64
	for {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if isZero(buf[:n]) {
				_, werr := out.Seek(int64(n), io.SeekCurrent)
				err = firstErr(werr, err)
			} else if _, werr := out.Write(buf[:n]); werr != nil {
				t.Fatal(werr)
			}
			size += int64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
	}
	if err := out.Truncate(size); err != nil {
		t.Fatal(err)
	}
	if full >= 0 {
		size = full
	}
	if cached != "" {
		// The size file is written last: an image without one is
		// incomplete and is made again.
		if err := os.Rename(out.Name(), cached); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cached+".size.tmp", []byte(strconv.FormatInt(size, 10)), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(cached+".size.tmp", cached+".size"); err != nil {
			t.Fatal(err)
		}
	}
	return out, size
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

var zeros = make([]byte, 1<<20)

func isZero(b []byte) bool {
	return bytes.Equal(b, zeros[:len(b)])
}

// ToolOutput reads an oracle text file and returns its lines without the
// "# cmd:" and "# rc:" header and without a trailing "# stderr:" block.
// ok is false when the file does not exist.
func ToolOutput(t testing.TB, path string) (lines []string, ok bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if l == "# stderr:" {
			break
		}
		if strings.HasPrefix(l, "# cmd:") || strings.HasPrefix(l, "# rc:") {
			continue
		}
		lines = append(lines, l)
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines, true
}
