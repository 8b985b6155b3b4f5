package hashfile

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/internal/pctenc"
)

// MaxLineLength is the longest line, line ending included, that [Read]
// accepts.
const MaxLineLength = 64 << 10

// ErrFormat means the input is not a hash list in a format [Read] knows.
var ErrFormat = errors.New("not a recognised hash list")

// ParseError reports malformed input: the list's name, the 1-based line
// number and the cause.
type ParseError struct {
	Name string
	Line int
	Err  error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d: %v", e.Name, e.Line, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Known is a hash list read by [Read]: the files an audit expects.
type Known struct {
	// Name is the name given to Read, used in errors.
	Name string `json:"name"`
	// Format is the detected format: Hashdeep, JSON, or for checksum
	// lines Sum or BSD after the kind of the first one (md5deep's
	// size-prefixed lines count as Sum).
	Format Format `json:"format"`
	// Algos lists the algorithms in the list: a hashdeep file's columns in
	// their order, otherwise in canonical order. It may name [Tiger] and
	// [Whirlpool].
	Algos []hashing.Algo `json:"algos"`
	Files []KnownFile    `json:"files"`
}

// KnownFile is one file of a hash list.
type KnownFile struct {
	Path string `json:"path"`
	// Size is the size in bytes, or -1 when the list does not say.
	Size int64 `json:"size"`
	// Sums holds lower-case hex digests.
	Sums hashing.Sums `json:"sums"`
	// Line is the 1-based line of the list that named the file.
	Line int `json:"line"`
}

// Read parses a hash list, recognising the format from its first line
// that is neither blank nor a '#' comment:
//
//   - "%%%% HASHDEEP-1.0": hashdeep, with the "%%%% size,...,filename"
//     column line next (columns md5, sha1 or sha-1, sha256 or sha-256,
//     tiger, whirlpool, in any order), then '#' comments and records
//     "SIZE,HASH,...,NAME" whose name may hold commas;
//   - "{": JSON Lines as [JSON] writes them; "file" lines are the files,
//     other message types are ignored;
//   - anything else: checksum lines, each one of "HEX  NAME" or
//     "HEX *NAME" (md5sum, sha1sum, sha256sum, sha512sum; the digest
//     length picks the algorithm, so 64 digits read as SHA-256), with
//     GNU escaping when the line starts with a backslash;
//     "TAG (NAME) = HEX" (BSD and --tag, TAG one of MD5, SHA1, SHA256,
//     SHA512, escaped alike); or md5deep -z's "SIZE  HEX  NAME". The
//     kinds may be mixed; '#' lines are comments.
//
// Blank lines are skipped, as are a UTF-8 byte order mark and a carriage
// return ending a line. Any other deviation is a [*ParseError] naming the
// line; failure to read is returned wrapped. Read holds the whole list in
// memory but allocates only for what it has read, a line at a time up to
// [MaxLineLength].
func Read(r io.Reader, name string) (*Known, error) {
	p := &parser{k: &Known{Name: name}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLineLength)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		line = strings.TrimSuffix(line, "\r")
		if err := p.line(n, line); err != nil {
			return nil, &ParseError{Name: name, Line: n, Err: err}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &ParseError{Name: name, Line: n + 1, Err: fmt.Errorf("line longer than %d bytes", MaxLineLength)}
		}
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	switch {
	case p.k.Format == "":
		return nil, &ParseError{Name: name, Line: n, Err: fmt.Errorf("%w: no hashes found", ErrFormat)}
	case p.k.Format == Hashdeep && p.cols == nil:
		return nil, &ParseError{Name: name, Line: n, Err: errors.New("hashdeep header without column line")}
	}
	if p.k.Format != Hashdeep && p.k.Format != SSDEEP {
		for _, a := range hashing.Algos {
			if p.seen[a] {
				p.k.Algos = append(p.k.Algos, a)
			}
		}
	}
	return p.k, nil
}

// parser holds the state of Read between lines.
type parser struct {
	k    *Known
	cols []hashing.Algo        // hashdeep columns, nil until the column line
	seen map[hashing.Algo]bool // algorithms of sum and JSON lines
}

func (p *parser) line(n int, line string) error {
	if strings.TrimSpace(line) == "" {
		return nil
	}
	switch p.k.Format {
	case "":
		switch {
		case line == "%%%% HASHDEEP-1.0":
			p.k.Format = Hashdeep
			return nil
		case line == ssdeepHeader:
			p.k.Format = SSDEEP
			p.k.Algos = []hashing.Algo{hashing.SSDEEP}
			return nil
		case strings.HasPrefix(line, "%%%%"):
			return fmt.Errorf("%w: hashdeep header must be %q", ErrFormat, "%%%% HASHDEEP-1.0")
		case line[0] == '{':
			p.k.Format = JSON
			p.seen = map[hashing.Algo]bool{}
			return p.json(n, line)
		case line[0] == '#':
			return nil
		}
		p.seen = map[hashing.Algo]bool{}
		f, err := p.sum(n, line)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrFormat, err)
		}
		p.k.Format = f
		return nil
	case Hashdeep:
		if p.cols == nil {
			return p.hashdeepColumns(line)
		}
		if line[0] == '#' {
			return nil
		}
		return p.hashdeep(n, line)
	case JSON:
		return p.json(n, line)
	case SSDEEP:
		return p.ssdeep(n, line)
	}
	if line[0] == '#' {
		return nil
	}
	_, err := p.sum(n, line)
	return err
}

// ssdeep parses `DIGEST,"NAME"`, where NAME has its quotes escaped as \".
// The digest is checked for shape only (block size and two signatures);
// comparing is the ssdeep package's job.
func (p *parser) ssdeep(n int, line string) error {
	d, name, ok := strings.Cut(line, ",")
	if !ok || len(name) < 2 || name[0] != '"' || name[len(name)-1] != '"' {
		return errors.New(`ssdeep line is not DIGEST,"NAME"`)
	}
	if parts := strings.Split(d, ":"); len(parts) != 3 || parts[0] == "" || strings.Trim(parts[0], "0123456789") != "" {
		return fmt.Errorf("malformed ssdeep digest %q", short(d))
	}
	name = strings.ReplaceAll(name[1:len(name)-1], `\"`, `"`)
	return p.add(KnownFile{Path: name, Size: -1, Sums: hashing.Sums{hashing.SSDEEP: d}, Line: n})
}

// hashdeepColumns parses "%%%% size,md5,sha256,filename".
func (p *parser) hashdeepColumns(line string) error {
	const prefix = "%%%% size,"
	if len(line) < len(prefix) || !strings.EqualFold(line[:len(prefix)], prefix) {
		return fmt.Errorf("hashdeep column line must start with %q", prefix)
	}
	names := strings.Split(line[len(prefix):], ",")
	if len(names) < 2 || !strings.EqualFold(names[len(names)-1], "filename") {
		return errors.New("hashdeep column line must list hashes and end with filename")
	}
	cols := []hashing.Algo{}
	for _, s := range names[:len(names)-1] {
		a := hashdeepAlgo(s)
		if a == "" {
			return fmt.Errorf("unknown hashdeep column %q", s)
		}
		for _, b := range cols {
			if a == b {
				return fmt.Errorf("hashdeep column %q given twice", s)
			}
		}
		cols = append(cols, a)
	}
	p.cols = cols
	p.k.Algos = cols
	return nil
}

// hashdeep parses "SIZE,HASH,...,NAME"; commas beyond the columns belong
// to the name.
func (p *parser) hashdeep(n int, line string) error {
	f := strings.SplitN(line, ",", len(p.cols)+2)
	if len(f) < len(p.cols)+2 {
		return fmt.Errorf("want %d comma-separated fields, have %d", len(p.cols)+2, len(f))
	}
	size, err := parseSize(f[0])
	if err != nil {
		return err
	}
	kf := KnownFile{Path: f[len(f)-1], Size: size, Sums: hashing.Sums{}, Line: n}
	for i, a := range p.cols {
		h, err := digest(a, f[i+1])
		if err != nil {
			return err
		}
		kf.Sums[a] = h
	}
	return p.add(kf)
}

func (p *parser) add(kf KnownFile) error {
	if kf.Path == "" {
		return errors.New("empty file name")
	}
	p.k.Files = append(p.k.Files, kf)
	return nil
}

func parseSize(s string) (int64, error) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, fmt.Errorf("bad file size %q", short(s))
	}
	size, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad file size %q", s)
	}
	return size, nil
}

// digest checks that s is a digest of a and returns it in lower case.
func digest(a hashing.Algo, s string) (string, error) {
	if len(s) != hexLen(a) || !isHex(s) {
		return "", fmt.Errorf("bad %s digest %q", a, short(s))
	}
	return strings.ToLower(s), nil
}

// short shortens s for an error message.
func short(s string) string {
	if len(s) > 140 {
		return s[:140] + "..."
	}
	return s
}

// hexPrefix returns the length of the run of hex digits starting s.
func hexPrefix(s string) int {
	i := 0
	for i < len(s) && isHex(s[i:i+1]) {
		i++
	}
	return i
}

// sum parses one checksum line of any of the three kinds and returns its
// kind.
func (p *parser) sum(n int, line string) (Format, error) {
	kf := KnownFile{Size: -1, Line: n}
	var a hashing.Algo
	var h, name string
	format := Sum
	escaped := line[0] == '\\'
	rest := line
	if escaped {
		rest = line[1:]
	}
	if i := strings.Index(rest, " ("); i > 0 && bsdAlgo(rest[:i]) != "" {
		// TAG (NAME) = HEX
		format = BSD
		a = bsdAlgo(rest[:i])
		j := strings.LastIndex(rest, ") = ")
		if j < i+2 {
			return "", errors.New(`BSD line must read "TAG (NAME) = HEX"`)
		}
		name, h = rest[i+2:j], rest[j+4:]
	} else if i := hexPrefix(rest); hashing.ByHexLength(i) != "" && len(rest) > i+2 && rest[i] == ' ' && (rest[i+1] == ' ' || rest[i+1] == '*') {
		// HEX  NAME or HEX *NAME
		a, h, name = hashing.ByHexLength(i), rest[:i], rest[i+2:]
	} else if s, rest, ok := sizeSum(rest); !escaped && ok {
		// md5deep -z: SIZE  HEX  NAME, the size right-aligned in ten columns
		size, err := parseSize(s)
		if err != nil {
			return "", err
		}
		i := hexPrefix(rest)
		a, h, name, kf.Size = hashing.ByHexLength(i), rest[:i], rest[i+2:], size
	} else {
		return "", errors.New(`not a checksum line ("HEX  NAME", "TAG (NAME) = HEX" or "SIZE  HEX  NAME")`)
	}
	h, err := digest(a, h)
	if err != nil {
		return "", err
	}
	if escaped {
		if name, err = sumUnescape(name); err != nil {
			return "", err
		}
	}
	kf.Path, kf.Sums = name, hashing.Sums{a: h}
	p.seen[a] = true
	return format, p.add(kf)
}

// sizeSum reports whether s reads "SIZE  HEX  NAME" and splits it into
// SIZE and "HEX  NAME".
func sizeSum(s string) (size, rest string, ok bool) {
	t := strings.TrimLeft(s, " ")
	i := 0
	for i < len(t) && '0' <= t[i] && t[i] <= '9' {
		i++
	}
	if i == 0 || !strings.HasPrefix(t[i:], "  ") {
		return "", "", false
	}
	rest = t[i+2:]
	j := hexPrefix(rest)
	if hashing.ByHexLength(j) == "" || !strings.HasPrefix(rest[j:], "  ") || len(rest) == j+2 {
		return "", "", false
	}
	return t[:i], rest, true
}

// jsonLine is one line of the JSON format. Field names are an API: add,
// never rename.
type jsonLine struct {
	MessageType  string  `json:"message_type"`
	Path         *string `json:"path"`
	PathEncoding string  `json:"path_encoding"`
	Size         *int64  `json:"size"`
	MD5          string  `json:"md5"`
	SHA1         string  `json:"sha1"`
	SHA256       string  `json:"sha256"`
	SHA512       string  `json:"sha512"`
	BLAKE3       string  `json:"blake3"`
}

func (p *parser) json(n int, line string) error {
	var j jsonLine
	if err := json.Unmarshal([]byte(line), &j); err != nil {
		return fmt.Errorf("bad JSON: %v", err)
	}
	switch j.MessageType {
	case "":
		return errors.New("JSON line without message_type")
	case "file":
	default:
		return nil // error, summary and future message types
	}
	if j.Path == nil {
		return errors.New(`"file" line without path`)
	}
	kf := KnownFile{Path: *j.Path, Size: -1, Sums: hashing.Sums{}, Line: n}
	switch j.PathEncoding {
	case "":
	case "percent":
		var err error
		if kf.Path, err = pctenc.Decode(kf.Path); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown path_encoding %q", j.PathEncoding)
	}
	if j.Size != nil {
		if *j.Size < 0 {
			return fmt.Errorf("bad file size %d", *j.Size)
		}
		kf.Size = *j.Size
	}
	for _, d := range []struct {
		a hashing.Algo
		s string
	}{{hashing.MD5, j.MD5}, {hashing.SHA1, j.SHA1}, {hashing.SHA256, j.SHA256}, {hashing.SHA512, j.SHA512}, {hashing.BLAKE3, j.BLAKE3}} {
		a := d.a
		if d.s == "" {
			continue
		}
		h, err := digest(a, d.s)
		if err != nil {
			return err
		}
		kf.Sums[a] = h
		p.seen[a] = true
	}
	if len(kf.Sums) == 0 {
		return errors.New(`"file" line without digests`)
	}
	return p.add(kf)
}
