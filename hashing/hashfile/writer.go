package hashfile

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/internal/pctenc"
)

// WriterOptions describes the run, for the formats that record it.
type WriterOptions struct {
	// Dir is the directory the command ran in: hashdeep's
	// "## Invoked from:" line.
	Dir string
	// Command is the command line: hashdeep's "## $" line and DFXML's
	// <command_line>.
	Command string
	// Program and Version name the producing program in DFXML's <creator>;
	// empty ones are left out.
	Program string
	Version string
	// Start is when hashing began, DFXML's <start_time>; the zero time
	// leaves it out.
	Start time.Time
	// HashSets adds the hash sets each file is in (FileHash.Sets): a
	// "hashsets" column in CSV (names joined by ";"), a "hashsets" array in
	// JSON. Other formats have no place for it and refuse it.
	HashSets bool
}

// A Writer writes [hashing.FileHash] records as a hash list in one
// [Format]. Paths are written as given, in the operating system's form
// (backslashes on Windows); lines end in "\n" on every system. Call
// [Writer.Close] to write the trailer and flush. A Writer is not safe for
// concurrent use.
type Writer struct {
	bw     *bufio.Writer
	cw     *csv.Writer // CSV only
	format Format
	algos  []hashing.Algo
	err    error // sticky write error
	closed bool
	files  int64 // records written
	failed int64 // records with FileHash.Err
	bytes  int64 // sum of sizes written
	sets   bool  // CSV: a hashsets column
}

// NewWriter returns a Writer of format f with one column per algorithm in
// algos, in that order, and writes the header. Hashdeep accepts md5, sha1
// and sha256, the algorithms both hashdeep and pangolin compute; Sum
// exactly one algorithm, and BSD exactly one of md5, sha1, sha256 and
// sha512. CSV and JSON also accept algorithms without a fixed digest size
// (similarity digests), whose values they write verbatim as text.
func NewWriter(w io.Writer, f Format, algos []hashing.Algo, opts WriterOptions) (*Writer, error) {
	if len(algos) == 0 {
		return nil, errors.New("hash list: no algorithm")
	}
	seen := map[hashing.Algo]bool{}
	for _, a := range algos {
		if a == "" || a.Size() == 0 && f != CSV && f != JSON && f != SSDEEP {
			return nil, fmt.Errorf("%s format holds only cryptographic digests, not %q", f, a)
		}
		if seen[a] {
			return nil, fmt.Errorf("hash list: algorithm %s given twice", a)
		}
		seen[a] = true
	}
	switch f {
	case Hashdeep:
		for _, a := range algos {
			if a != hashing.MD5 && a != hashing.SHA1 && a != hashing.SHA256 {
				return nil, fmt.Errorf("hashdeep format cannot hold %s: hashdeep knows md5, sha1, sha256, tiger and whirlpool", a)
			}
		}
		if strings.ContainsAny(opts.Dir+opts.Command, "\r\n") {
			return nil, errors.New("hashdeep format: directory or command contains a line break")
		}
	case Sum, BSD:
		if len(algos) != 1 {
			return nil, fmt.Errorf("%s format holds exactly one algorithm, not %d", f, len(algos))
		}
		if f == BSD && bsdTag(algos[0]) == "" {
			return nil, fmt.Errorf("bsd format cannot hold %s", algos[0])
		}
	case SSDEEP:
		if len(algos) != 1 || algos[0] != hashing.SSDEEP {
			return nil, fmt.Errorf("ssdeep format holds exactly the ssdeep digest, not %v", algos)
		}
	case CSV, JSON, DFXML:
	default:
		return nil, fmt.Errorf("unknown hash list format %q", f)
	}
	if opts.HashSets && f != CSV && f != JSON {
		return nil, fmt.Errorf("%s format has no place for hash set matches: use csv or json", f)
	}
	hw := &Writer{bw: bufio.NewWriter(w), format: f, algos: append([]hashing.Algo(nil), algos...), sets: opts.HashSets}
	hw.header(opts)
	return hw, nil
}

// header writes the format's header into the buffer; errors surface at
// the next flush.
func (w *Writer) header(opts WriterOptions) {
	switch w.format {
	case Hashdeep:
		// Byte for byte what hashdeep 4.4 writes, including the space
		// after the last "##"; hashdeep writes "#" as the prompt when run
		// by root and "$" otherwise.
		names := make([]string, len(w.algos))
		for i, a := range w.algos {
			names[i] = string(a)
		}
		fmt.Fprintf(w.bw, "%%%%%%%% HASHDEEP-1.0\n%%%%%%%% size,%s,filename\n## Invoked from: %s\n## $ %s\n## \n",
			strings.Join(names, ","), opts.Dir, opts.Command)
	case CSV:
		w.cw = csv.NewWriter(w.bw)
		row := []string{"path", "size"}
		for _, a := range w.algos {
			row = append(row, string(a))
		}
		if w.sets {
			row = append(row, "hashsets")
		}
		w.err = w.cw.Write(row)
	case DFXML:
		w.dfxmlHeader(opts)
	case SSDEEP:
		w.bw.WriteString(ssdeepHeader + "\n")
	}
}

// dfxmlHeader writes the document start in the layout of hashdeep -d.
func (w *Writer) dfxmlHeader(opts WriterOptions) {
	b := w.bw
	b.WriteString("<?xml version='1.0' encoding='UTF-8'?>\n" +
		"<dfxml\n" +
		"  xmlns='http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML'\n" +
		"  xmlns:deep='http://md5deep.sourceforge.net/md5deep/'\n" +
		"  xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'\n" +
		"  xmlns:dc='http://purl.org/dc/elements/1.1/' version='1.0'>\n" +
		"  <deep:configuration>\n" +
		"    <algorithms>\n")
	for _, a := range hashing.Algos {
		enabled := 0
		if slices.Contains(w.algos, a) {
			enabled = 1
		}
		fmt.Fprintf(b, "      <algorithm name='%s' enabled='%d'/>\n", a, enabled)
	}
	b.WriteString("    </algorithms>\n" +
		"  </deep:configuration>\n" +
		"  <metadata>\n" +
		"    <dc:type>Hash List</dc:type>\n" +
		"  </metadata>\n" +
		"  <creator version='1.0'>\n")
	xmlElem(b, "    ", "program", opts.Program)
	xmlElem(b, "    ", "version", opts.Version)
	if opts.Command != "" || !opts.Start.IsZero() {
		b.WriteString("    <execution_environment>\n")
		xmlElem(b, "      ", "command_line", opts.Command)
		if !opts.Start.IsZero() {
			xmlElem(b, "      ", "start_time", opts.Start.UTC().Format(time.RFC3339))
		}
		b.WriteString("    </execution_environment>\n")
	}
	b.WriteString("  </creator>\n")
}

// xmlElem writes <name>text</name> on its own line, or nothing for empty
// text. Invalid UTF-8 and characters XML cannot carry become U+FFFD.
func xmlElem(b *bufio.Writer, indent, name, text string) {
	if text == "" {
		return
	}
	b.WriteString(indent + "<" + name + ">")
	xml.EscapeText(b, []byte(text))
	b.WriteString("</" + name + ">\n")
}

// Write writes one record. A record whose Err is set is skipped, except
// in JSON, which writes an error line. A record that lacks one of the
// writer's algorithms, or holds a malformed digest, is refused. A path the
// format cannot represent is refused with [ErrName] (an empty path; in
// hashdeep, a line break in the name); nothing is written and the Writer
// stays usable.
// Other errors are those of the underlying writer and are sticky.
func (w *Writer) Write(fh hashing.FileHash) error {
	if w.closed {
		return errors.New("hash list: write after close")
	}
	if w.err != nil {
		return w.err
	}
	if fh.Err != nil {
		w.failed++
		if w.format == JSON {
			w.jsonError(fh)
		}
		return w.flushIfFull()
	}
	if fh.Path == "" {
		return fmt.Errorf("empty path: %w", ErrName)
	}
	if fh.Size < 0 {
		return fmt.Errorf("%s: negative size %d", fh.Path, fh.Size)
	}
	sums := make([]string, len(w.algos))
	for i, a := range w.algos {
		s := fh.Sums[a]
		if hexLen(a) == 0 {
			sums[i] = s // a similarity digest, text of any length, may be empty
			continue
		}
		s = strings.ToLower(s)
		if len(s) != hexLen(a) || !isHex(s) {
			if s == "" {
				return fmt.Errorf("%s: no %s digest", fh.Path, a)
			}
			return fmt.Errorf("%s: malformed %s digest %q", fh.Path, a, s)
		}
		sums[i] = s
	}
	size := strconv.FormatInt(fh.Size, 10)
	b := w.bw
	switch w.format {
	case Hashdeep:
		if strings.ContainsAny(fh.Path, "\r\n") {
			return fmt.Errorf("%q: %w (hashdeep lists cannot hold line breaks)", fh.Path, ErrName)
		}
		b.WriteString(size + "," + strings.Join(sums, ",") + "," + fh.Path + "\n")
	case Sum:
		name, esc := sumEscape(fh.Path)
		if esc {
			b.WriteByte('\\')
		}
		b.WriteString(sums[0] + "  " + name + "\n")
	case BSD:
		name, esc := sumEscape(fh.Path)
		if esc {
			b.WriteByte('\\')
		}
		b.WriteString(bsdTag(w.algos[0]) + " (" + name + ") = " + sums[0] + "\n")
	case CSV:
		row := append([]string{fh.Path, size}, sums...)
		if w.sets {
			row = append(row, strings.Join(fh.Sets, ";"))
		}
		if err := w.cw.Write(row); err != nil {
			w.err = err
			return err
		}
	case JSON:
		p, enc := pctenc.Encode(fh.Path, pctenc.AnyChar)
		b.WriteString(`{"message_type":"file","path":` + jsonString(p))
		if enc {
			b.WriteString(`,"path_encoding":"percent"`)
		}
		b.WriteString(`,"size":` + size)
		for i, a := range w.algos {
			b.WriteString("," + jsonString(string(a)) + ":" + jsonString(sums[i]))
		}
		if len(fh.Sets) > 0 {
			names := make([]string, len(fh.Sets))
			for i, n := range fh.Sets {
				names[i] = jsonString(n)
			}
			b.WriteString(`,"hashsets":[` + strings.Join(names, ",") + "]")
		}
		b.WriteString("}\n")
	case SSDEEP:
		// ssdeep quotes the name and escapes only the quote; it has no
		// way to hold a line break.
		if strings.ContainsAny(fh.Path, "\r\n") {
			return fmt.Errorf("%q: %w (ssdeep lists cannot hold line breaks)", fh.Path, ErrName)
		}
		if sums[0] == "" {
			return fmt.Errorf("%s: no ssdeep digest", fh.Path)
		}
		b.WriteString(sums[0] + ",\"" + strings.ReplaceAll(fh.Path, `"`, `\"`) + "\"\n")
	case DFXML:
		p, enc := pctenc.Encode(fh.Path, pctenc.XMLChar)
		b.WriteString("  <fileobject>\n    <filename")
		if enc {
			b.WriteString(" encoding='percent'")
		}
		b.WriteString(">")
		xml.EscapeText(b, []byte(p))
		b.WriteString("</filename>\n    <filesize>" + size + "</filesize>\n")
		for i, a := range w.algos {
			b.WriteString("    <hashdigest type='" + strings.ToUpper(string(a)) + "'>" + sums[i] + "</hashdigest>\n")
		}
		b.WriteString("  </fileobject>\n")
	}
	w.files++
	w.bytes += fh.Size
	return w.flushIfFull()
}

// jsonError writes the error line for a file that could not be read.
func (w *Writer) jsonError(fh hashing.FileHash) {
	p, enc := pctenc.Encode(fh.Path, pctenc.AnyChar)
	w.bw.WriteString(`{"message_type":"error","path":` + jsonString(p))
	if enc {
		w.bw.WriteString(`,"path_encoding":"percent"`)
	}
	w.bw.WriteString(`,"error":` + jsonString(fh.Err.Error()) + "}\n")
}

// jsonString returns s as a JSON string, leaving <, > and & as they are.
// s must be valid UTF-8 for the result to be exact; percentEncode sees to
// that for paths.
func jsonString(s string) string {
	var b strings.Builder
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// flushIfFull passes buffered output on once the buffer is mostly full, so
// that a write error surfaces near the record that caused it.
func (w *Writer) flushIfFull() error {
	if w.cw != nil {
		w.cw.Flush()
		w.err = w.cw.Error()
	}
	if w.err == nil && w.bw.Available() < 1024 {
		w.err = w.bw.Flush()
	}
	return w.err
}

// Close writes the trailer (JSON: a summary line with the counts of files
// written, bytes and errors; DFXML: the closing tag) and flushes. It does
// not close the underlying writer. Closing twice is a no-op.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	switch w.format {
	case JSON:
		fmt.Fprintf(w.bw, `{"message_type":"summary","files":%d,"bytes":%d,"errors":%d}`+"\n", w.files, w.bytes, w.failed)
	case DFXML:
		w.bw.WriteString("</dfxml>\n")
	case CSV:
		w.cw.Flush()
		if w.err = w.cw.Error(); w.err != nil {
			return w.err
		}
	}
	w.err = w.bw.Flush()
	return w.err
}
