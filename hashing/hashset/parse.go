package hashset

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strings"

	"github.com/pangolin-forensics/pangolin/hashing"
)

// maxLine bounds the length of a text line; longer lines are errors.
const maxLine = 64 << 10

var bom = []byte("\xef\xbb\xbf")

// algoLabel is how error messages name an algorithm.
func algoLabel(a hashing.Algo) string {
	switch a {
	case hashing.MD5:
		return "MD5"
	case hashing.SHA1:
		return "SHA-1"
	case hashing.SHA256:
		return "SHA-256"
	case hashing.SHA512:
		return "SHA-512"
	case hashing.BLAKE3:
		return "BLAKE3"
	}
	return string(a)
}

// short quotes s for an error message, cut to 80 bytes.
func short(s []byte) string {
	if len(s) > 80 {
		return fmt.Sprintf("%q...", s[:80])
	}
	return fmt.Sprintf("%q", s)
}

// decodeHex decodes hex digest s of algo into dst, which must have room.
func decodeHex(dst, s []byte, algo hashing.Algo) ([]byte, error) {
	w := algo.Size()
	if len(s) != 2*w {
		return nil, fmt.Errorf("bad %s %s: %d hex digits, want %d", algoLabel(algo), short(s), len(s), 2*w)
	}
	if _, err := hex.Decode(dst[:w], s); err != nil {
		return nil, fmt.Errorf("bad %s %s: not hex", algoLabel(algo), short(s))
	}
	return dst[:w], nil
}

// lines yields the lines of r without their line ending, numbered from
// 1, with a leading byte-order mark removed. The slice is valid until the
// next line. It checks ctx once per block of lines.
func lines(ctx context.Context, r io.Reader, label string) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		br := bufio.NewReaderSize(r, maxLine)
		for n := int64(1); ; n++ {
			if n%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					yield(nil, err)
					return
				}
			}
			line, err := br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				yield(nil, &ParseError{File: label, Line: n, Err: fmt.Errorf("line longer than %d bytes", maxLine)})
				return
			}
			if err != nil && err != io.EOF {
				yield(nil, fmt.Errorf("read %s: %w", label, err))
				return
			}
			if len(line) == 0 && err == io.EOF {
				return
			}
			line = bytes.TrimSuffix(line, []byte("\n"))
			line = bytes.TrimSuffix(line, []byte("\r"))
			if n == 1 {
				line = bytes.TrimPrefix(line, bom)
			}
			if !yield(line, nil) || err == io.EOF {
				return
			}
		}
	}
}

// nextField splits the first field off a CSV line. A field in double
// quotes may hold the delimiter and doubled quotes, which are returned
// as they are. ok is false if a quoted field is not closed or is followed
// by something other than the delimiter.
func nextField(line []byte, delim byte) (field, rest []byte, more, ok bool) {
	if len(line) > 0 && line[0] == '"' {
		i := 1
		for {
			j := bytes.IndexByte(line[i:], '"')
			if j < 0 {
				return nil, nil, false, false
			}
			i += j + 1
			if i < len(line) && line[i] == '"' {
				i++
				continue
			}
			break
		}
		field = line[1 : i-1]
		switch {
		case i == len(line):
			return field, nil, false, true
		case line[i] == delim:
			return field, line[i+1:], true, true
		}
		return nil, nil, false, false
	}
	if j := bytes.IndexByte(line, delim); j >= 0 {
		return line[:j], line[j+1:], true, true
	}
	return line, nil, false, true
}

// splitFields splits a CSV line into dst, trimming spaces around
// unquoted fields.
func splitFields(dst [][]byte, line []byte, delim byte) ([][]byte, bool) {
	dst = dst[:0]
	for more := true; more; {
		var f []byte
		var ok bool
		f, line, more, ok = nextField(bytes.TrimLeft(line, " "), delim)
		if !ok {
			return dst, false
		}
		dst = append(dst, bytes.TrimRight(f, " "))
	}
	return dst, true
}

// isLegacyHeader reports whether line starts like the NSRLFile.txt header,
// its first two fields SHA-1 and MD5.
func isLegacyHeader(line []byte) bool {
	f, ok := splitFields(nil, bytes.TrimSuffix(line, []byte("\r")), ',')
	return ok && len(f) >= 2 && strings.EqualFold(string(f[0]), "SHA-1") && strings.EqualFold(string(f[1]), "MD5")
}

// parseLegacyFile reads NSRLFile.txt, or the NSRLFile.txt inside an RDS
// zip.
func parseLegacyFile(ctx context.Context, path string) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		f, err := os.Open(path)
		if err != nil {
			yield(Record{}, err)
			return
		}
		defer f.Close()
		var head [4]byte
		n, _ := io.ReadFull(f, head[:])
		if !isZip(head[:n]) {
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				yield(Record{}, err)
				return
			}
			for rec, err := range parseLegacy(ctx, f, filepath.Base(path)) {
				if !yield(rec, err) {
					return
				}
			}
			return
		}
		fi, err := f.Stat()
		if err != nil {
			yield(Record{}, err)
			return
		}
		rc, label, err := openZipMember(f, fi.Size(), filepath.Base(path))
		if err != nil {
			yield(Record{}, err)
			return
		}
		defer rc.Close()
		for rec, err := range parseLegacy(ctx, rc, label) {
			if !yield(rec, err) {
				return
			}
		}
	}
}

// isZip reports whether head starts like a zip file: a local file
// header, or the end record of an empty archive.
func isZip(head []byte) bool {
	return bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06"))
}

// maxZipEntries bounds the central directory of an RDS zip this package
// looks through; RDS zips hold a handful of files.
const maxZipEntries = 10000

// openZipMember opens the NSRLFile.txt member of the zip in r. archive/zip
// checks the member's CRC-32 and size as it is read, so the reader stops
// at the declared size.
func openZipMember(r io.ReaderAt, size int64, name string) (io.ReadCloser, string, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, "", fmt.Errorf("read zip %s: %w", name, err)
	}
	if len(zr.File) > maxZipEntries {
		return nil, "", fmt.Errorf("read zip %s: %d entries, more than %d", name, len(zr.File), maxZipEntries)
	}
	for _, zf := range zr.File {
		if !strings.EqualFold(pathBase(zf.Name), "NSRLFile.txt") || zf.FileInfo().IsDir() {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, "", fmt.Errorf("read zip %s: %s: %w", name, zf.Name, err)
		}
		return rc, name + "/" + zf.Name, nil
	}
	return nil, "", fmt.Errorf("read zip %s: no NSRLFile.txt in it", name)
}

// pathBase is the last element of a zip member name, which may use
// either slash.
func pathBase(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		return name[i+1:]
	}
	return name
}

// parseLegacy reads NSRLFile.txt: the header line, then lines whose first
// two fields are the SHA-1 and MD5 in hex, quoted or not. The fields after
// them (CRC-32, name, size, product, OS, special code) are not checked, as
// the RDS does not quote file names consistently.
func parseLegacy(ctx context.Context, r io.Reader, label string) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		var sum [64]byte
		var n int64
		for line, err := range lines(ctx, r, label) {
			n++
			if err != nil {
				yield(Record{}, err)
				return
			}
			if n == 1 {
				if !isLegacyHeader(line) {
					yield(Record{}, &ParseError{File: label, Line: n, Err: fmt.Errorf("not the NSRLFile.txt header %s", short(line))})
					return
				}
				continue
			}
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			sha1, rest, more, ok := nextField(line, ',')
			var md5 []byte
			if ok && more {
				md5, _, more, ok = nextField(rest, ',')
			}
			if !ok || !more {
				yield(Record{}, &ParseError{File: label, Line: n, Err: fmt.Errorf("want SHA-1, MD5 and more fields, got %s", short(line))})
				return
			}
			for _, f := range []struct {
				algo hashing.Algo
				hex  []byte
			}{{hashing.SHA1, sha1}, {hashing.MD5, md5}} {
				d, err := decodeHex(sum[:], f.hex, f.algo)
				if err != nil {
					yield(Record{}, &ParseError{File: label, Line: n, Err: err})
					return
				}
				if !yield(Record{Algo: f.algo, Sum: d}, nil) {
					return
				}
			}
		}
		if n == 0 {
			yield(Record{}, &ParseError{File: label, Line: 1, Err: errors.New("empty file, want the NSRLFile.txt header")})
		}
	}
}

func parseCSVFile(ctx context.Context, path string) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		f, err := os.Open(path)
		if err != nil {
			yield(Record{}, err)
			return
		}
		defer f.Close()
		for rec, err := range parseCSV(ctx, f, filepath.Base(path)) {
			if !yield(rec, err) {
				return
			}
		}
	}
}

// headerAlgo returns the algorithm a CSV column header names, such as
// "MD5", "sha-256" or "SHA_1", or "" if it names none.
func headerAlgo(h []byte) hashing.Algo {
	s := strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(string(h)))
	if a := hashing.Algo(s); a.Size() != 0 {
		return a
	}
	return ""
}

// parseCSV reads a list of hex digests. Blank lines and lines starting
// with '#' are skipped. The delimiter is a tab if the first line has one,
// else a comma. If a field of the first line names an algorithm, that
// line is a header and each such column holds digests of that algorithm
// (an empty cell is skipped); otherwise the first field of each line is
// a digest whose algorithm follows from its length.
func parseCSV(ctx context.Context, r io.Reader, label string) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		var (
			sum    [64]byte
			fields [][]byte
			delim  byte
			cols   []column
			n      int64
		)
		fail := func(n int64, err error) { yield(Record{}, &ParseError{File: label, Line: n, Err: err}) }
		for line, err := range lines(ctx, r, label) {
			n++
			if err != nil {
				yield(Record{}, err)
				return
			}
			if t := bytes.TrimSpace(line); len(t) == 0 || t[0] == '#' {
				continue
			}
			first := delim == 0
			if first {
				delim = ','
				if bytes.IndexByte(line, '\t') >= 0 {
					delim = '\t'
				}
			}
			var ok bool
			if fields, ok = splitFields(fields, line, delim); !ok {
				fail(n, fmt.Errorf("bad quoting in %s", short(line)))
				return
			}
			if first {
				for i, f := range fields {
					if a := headerAlgo(f); a != "" {
						cols = append(cols, column{i, a})
					}
				}
				if cols != nil {
					continue
				}
			}
			if cols == nil {
				f := fields[0]
				algo := hashing.ByHexLength(len(f))
				if algo == "" {
					fail(n, fmt.Errorf("bad hash %s: %d hex digits, want 32, 40, 64 or 128", short(f), len(f)))
					return
				}
				d, err := decodeHex(sum[:], f, algo)
				if err != nil {
					fail(n, err)
					return
				}
				if !yield(Record{Algo: algo, Sum: d}, nil) {
					return
				}
				continue
			}
			for _, c := range cols {
				if c.i >= len(fields) {
					fail(n, fmt.Errorf("no %s column: %d fields", algoLabel(c.algo), len(fields)))
					return
				}
				if len(fields[c.i]) == 0 {
					continue
				}
				d, err := decodeHex(sum[:], fields[c.i], c.algo)
				if err != nil {
					fail(n, err)
					return
				}
				if !yield(Record{Algo: c.algo, Sum: d}, nil) {
					return
				}
			}
		}
	}
}

// column is a CSV column that holds digests.
type column struct {
	i    int
	algo hashing.Algo
}
