package catalog

import (
	"fmt"
	"strconv"
	"strings"
)

// Query selects artefacts. Zero fields select everything; set fields must
// all hold (AND).
type Query struct {
	Exhibits []string
	// Ref selects one artefact (with one exhibit).
	Ref string
	// Path and Name are glob patterns ('*' any run, '?' one character),
	// matched case-insensitively; MIME is a glob too ("image/*").
	Path, Name, MIME string
	// Ext matches the name's extension, without the dot, any case.
	Ext string
	// Type is "file", "dir", "symlink" or "other".
	Type    string
	Deleted *bool
	// Known is a verdict ("known-bad", "notable", "known-good") or "none".
	Known    string
	Mismatch *bool
	// Hash matches the MD5, SHA-1 or SHA-256 (by its length).
	Hash string
	// MinSize and MaxSize bound the size; a nil MaxSize means no bound.
	MinSize int64
	MaxSize *int64
	// Content keeps artefacts whose content was read and hashed.
	Content bool
}

// QueryError is a query text that [ParseQuery] cannot read.
type QueryError struct {
	Term string
	Msg  string
}

func (e *QueryError) Error() string { return fmt.Sprintf("query term %q: %s", e.Term, e.Msg) }

// ParseQuery reads a query written as space-separated terms, all of which
// must hold:
//
//	exhibit:EX-001        (repeat for several: any of them)
//	path:/DCIM/*          name:*.jpg     ext:jpg
//	mime:image/*          type:file      deleted:yes|no
//	known:known-bad|notable|known-good|none
//	mismatch:yes|no       hash:HEX       size:>1M  size:<100k  size:1024
//	content:yes           (only artefacts whose bytes were read)
//
// A bare word is a name glob ("*.pdf").
func ParseQuery(s string) (Query, error) {
	var q Query
	for _, term := range strings.Fields(s) {
		key, val, ok := strings.Cut(term, ":")
		if !ok {
			key, val = "name", term
		}
		if val == "" {
			return q, &QueryError{term, "empty value"}
		}
		bad := func(msg string) error { return &QueryError{term, msg} }
		switch strings.ToLower(key) {
		case "exhibit":
			q.Exhibits = append(q.Exhibits, val)
		case "path":
			q.Path = val
		case "name":
			q.Name = val
		case "ext":
			q.Ext = strings.TrimPrefix(val, ".")
		case "mime":
			q.MIME = val
		case "type":
			switch val {
			case "file", "dir", "symlink", "other":
				q.Type = val
			default:
				return q, bad("want file, dir, symlink or other")
			}
		case "deleted", "mismatch", "content":
			var b bool
			switch strings.ToLower(val) {
			case "yes", "true", "1":
				b = true
			case "no", "false", "0":
			default:
				return q, bad("want yes or no")
			}
			switch key {
			case "deleted":
				q.Deleted = &b
			case "mismatch":
				q.Mismatch = &b
			default:
				q.Content = b
			}
		case "known":
			switch val {
			case "known-bad", "notable", "known-good", "none":
				q.Known = val
			default:
				return q, bad("want known-bad, notable, known-good or none")
			}
		case "hash":
			switch len(val) {
			case 32, 40, 64:
			default:
				return q, bad("want an MD5, SHA-1 or SHA-256 in hex")
			}
			if strings.Trim(strings.ToLower(val), "0123456789abcdef") != "" {
				return q, bad("not hexadecimal")
			}
			q.Hash = strings.ToLower(val)
		case "size":
			op := val[0]
			num := val
			if op == '>' || op == '<' {
				num = val[1:]
			}
			n, err := parseBytes(num)
			if err != nil {
				return q, bad(err.Error())
			}
			switch op {
			case '>':
				q.MinSize = n + 1
			case '<':
				if n == 0 {
					return q, bad("no size is below 0")
				}
				n--
				q.MaxSize = &n
			default:
				q.MinSize, q.MaxSize = n, &n
			}
		default:
			return q, bad("unknown key (want exhibit, path, name, ext, mime, type, deleted, known, mismatch, hash, size or content)")
		}
	}
	return q, nil
}

// parseBytes reads "1024", "100k", "2M", "1G" (powers of 1024).
func parseBytes(s string) (int64, error) {
	mult := int64(1)
	if s != "" {
		switch strings.ToUpper(s[len(s)-1:]) {
		case "K":
			mult = 1 << 10
		case "M":
			mult = 1 << 20
		case "G":
			mult = 1 << 30
		}
		if mult > 1 {
			s = s[:len(s)-1]
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

// where turns q into a SQL condition and its arguments.
func (q Query) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if len(q.Exhibits) > 0 {
		add("exhibit IN ("+placeholders(len(q.Exhibits))+")", anySlice(q.Exhibits)...)
	}
	if q.Ref != "" {
		add("ref = ?", q.Ref)
	}
	if q.Path != "" {
		add("lower(path) GLOB ?", strings.ToLower(q.Path))
	}
	if q.Name != "" {
		add("lower(name) GLOB ?", strings.ToLower(q.Name))
	}
	if q.Ext != "" {
		add("lower(name) GLOB ?", "*."+strings.ToLower(q.Ext))
	}
	if q.MIME != "" {
		add("mime GLOB ?", strings.ToLower(q.MIME))
	}
	if q.Type != "" {
		add("type = ?", q.Type)
	}
	if q.Deleted != nil {
		add("deleted = ?", *q.Deleted)
	}
	if q.Mismatch != nil {
		add("mismatch = ?", *q.Mismatch)
	}
	switch q.Known {
	case "":
	case "none":
		add("known = ''")
	default:
		add("known = ?", q.Known)
	}
	switch len(q.Hash) {
	case 32:
		add("md5 = ?", q.Hash)
	case 40:
		add("sha1 = ?", q.Hash)
	case 64:
		add("sha256 = ?", q.Hash)
	}
	if q.MinSize > 0 {
		add("size >= ?", q.MinSize)
	}
	if q.MaxSize != nil {
		add("size <= ?", *q.MaxSize)
	}
	if q.Content {
		add("sha256 <> ''")
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
