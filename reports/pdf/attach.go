package pdf

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

var (
	// ErrNoAttachment is returned by [ReadAttachment] when the document
	// has no embedded file of that name.
	ErrNoAttachment = errors.New("pdf: no such attachment")
	// ErrExists is returned by [AppendAttachment] when the document
	// already has an embedded file of that name.
	ErrExists = errors.New("pdf: attachment exists")
)

const (
	maxTreeDepth = 8    // levels of a name tree's Kids followed
	maxNames     = 4096 // embedded files in one document
	maxNameLen   = 255  // bytes of an attachment's name
)

// AppendAttachment returns a copy of doc with an incremental update
// appended (ISO 32000-1, 7.5.6) that embeds data as a file named name
// (7.11.4), listed in the catalog's EmbeddedFiles name tree. doc must
// have classic cross-reference tables, as [Document.Bytes] writes; the
// update is written the same way. The output depends only on doc, name
// and data. A name must be valid UTF-8 of 1 to 255 bytes without control
// characters, '/' or '\'; one the document already has gives
// [ErrExists].
//
// The update, byte by byte, is: one '\n'; the embedded file stream
// (object number Size, where Size is the previous trailer's, or one more
// than the highest object number listed if that is larger), with
// Type/EmbeddedFile, Params holding Size and the MD5 CheckSum, and
// Length, data stored without a filter; the file specification
// (object Size+1) with F (the name with non-ASCII characters as '_'),
// UF (the name as UTF-16BE) and EF pointing at the stream; the name tree
// (object Size+2), one node with the previous tree's entries and this
// one sorted by key, each key the name in ASCII if it is ASCII, else
// UTF-16BE with a byte order mark; a new version of the object holding
// the Names dictionary (the catalog, or the Names dictionary itself
// when the catalog refers to it), pointing EmbeddedFiles at the new
// tree; then a cross-reference section listing these objects, and a
// trailer with Size+3, Root and Info as before, Prev, and the previous
// ID's first element with the MD5 of all preceding bytes as its second.
// Each object is written as "N 0 obj\n...\nendobj\n".
func AppendAttachment(doc []byte, name string, data []byte) ([]byte, error) {
	key, err := attachmentKey(name)
	if err != nil {
		return nil, err
	}
	f, err := parseFile(doc)
	if err != nil {
		return nil, err
	}
	rootRef, ok := f.trailer.get("Root").(ref)
	if !ok {
		return nil, formatErr(f.startxref, "trailer has no Root reference")
	}
	catalog, err := f.resolveDict(rootRef)
	if err != nil {
		return nil, err
	}
	if catalog == nil {
		return nil, formatErr(f.startxref, "no catalog")
	}
	size, ok := f.trailer.get("Size").(int64)
	for n := range f.objs {
		size = max(size, int64(n)+1) // new objects must not replace old ones
	}
	if !ok || size < 1 || size > maxObject-3 {
		return nil, formatErr(f.startxref, "bad trailer Size")
	}
	names, err := f.embeddedFiles(catalog)
	if err != nil {
		return nil, err
	}
	for _, e := range names {
		if keyText(e.key) == name {
			return nil, ErrExists
		}
	}
	efN, fsN, treeN := int(size), int(size)+1, int(size)+2
	names = append(names, nameEntry{key, ref{fsN, 0}})
	slices.SortStableFunc(names, func(a, b nameEntry) int { return bytes.Compare(a.key, b.key) })

	// The object that holds the Names dictionary gets a new version.
	holder, holderN := catalog.clone(), rootRef
	namesDict := &dict{}
	switch v := catalog.get("Names").(type) {
	case ref:
		d, err := f.resolveDict(v)
		if err != nil {
			return nil, err
		}
		if d != nil {
			namesDict = d.clone()
		}
		holder, holderN = namesDict, v
	case *dict:
		namesDict = v.clone()
		holder.set("Names", namesDict)
	default:
		holder.set("Names", namesDict)
	}
	if holderN.gen != 0 {
		return nil, fmt.Errorf("%w: object %d has generation %d", ErrUnsupported, holderN.num, holderN.gen)
	}
	namesDict.set("EmbeddedFiles", ref{treeN, 0})

	out := make([]byte, len(doc), len(doc)+len(data)+4096)
	copy(out, doc)
	w := &objWriter{out: append(out, '\n'), offs: map[int]int64{}}
	sum := md5.Sum(data)
	w.stream(efN, fmt.Sprintf("/Type/EmbeddedFile/Params<</Size %d/CheckSum<%x>>>", len(data), sum), data)
	fs := fmt.Sprintf("<</Type/Filespec/F<%x>/UF%s/EF<</F %d 0 R/UF %d 0 R>>>>", asciiName(name), textString(name), efN, efN)
	w.object(fsN, fs)
	tree := []byte("<</Names[")
	for i, e := range names {
		if i > 0 {
			tree = append(tree, ' ')
		}
		tree = appendValue(tree, e.key)
		tree = append(tree, ' ')
		tree = appendValue(tree, e.val)
	}
	w.object(treeN, string(append(tree, "]>>"...)))
	w.object(holderN.num, string(appendValue(nil, holder)))

	trailer := &dict{}
	trailer.set("Size", int64(size+3))
	trailer.set("Root", rootRef)
	if info := f.trailer.get("Info"); info != nil {
		trailer.set("Info", info)
	}
	trailer.set("Prev", int64(f.startxref))
	if id, ok := f.trailer.get("ID").([]any); ok && len(id) == 2 {
		if first, ok := id[0].([]byte); ok {
			sum := md5.Sum(w.out)
			trailer.set("ID", []any{first, sum[:]})
		}
	}
	t := appendValue(nil, trailer)
	w.xref(false, string(t[2:len(t)-2]))
	return w.out, nil
}

// ReadAttachment returns the data of the embedded file named name and
// base, the length of the document before the incremental update that
// added it, for attachments written by [AppendAttachment]. A verifier
// checks an attachment by hashing doc[:base] (the report as it was
// before the attachment) and by checking that
// AppendAttachment(doc[:base], name, data) equals doc: anything else in
// or around the update makes the bytes differ. When doc may hold later
// updates (more attachments), the rebuilt bytes are a prefix of doc, and
// what those updates change is not covered by this check: a viewer shows
// the document as they leave it.
//
// # Security
//
// doc is untrusted. ReadAttachment checks every offset and length
// against len(doc); limits nesting, reference chains, cross-reference
// sections and name tree size; and stops when it has parsed twice
// len(doc) plus 1 MiB, however the file's objects overlap or refer to
// each other, so that time and memory stay proportional to len(doc).
// Malformed input gives a [*FormatError] (or [ErrUnsupported]), never a
// panic. It does not check that the document is otherwise a valid PDF
// file. The returned data is a copy.
func ReadAttachment(doc []byte, name string) (data []byte, base int64, err error) {
	f, err := parseFile(doc)
	if err != nil {
		return nil, 0, err
	}
	catalog, err := f.resolveDict(f.trailer.get("Root"))
	if err != nil {
		return nil, 0, err
	}
	if catalog == nil {
		return nil, 0, formatErr(f.startxref, "no catalog")
	}
	names, err := f.embeddedFiles(catalog)
	if err != nil {
		return nil, 0, err
	}
	var spec any
	found := false
	for _, e := range names {
		if keyText(e.key) == name {
			if found {
				return nil, 0, formatErr(-1, "attachment %q listed twice", name)
			}
			spec, found = e.val, true
		}
	}
	if !found {
		return nil, 0, ErrNoAttachment
	}
	fs, err := f.resolveDict(spec)
	if err != nil {
		return nil, 0, err
	}
	ef, err := f.resolveDict(fs.get("EF"))
	if err != nil {
		return nil, 0, err
	}
	r, ok := ef.get("F").(ref)
	if !ok {
		return nil, 0, formatErr(-1, "attachment %q has no embedded file stream", name)
	}
	v, start, err := f.object(r.num)
	if err != nil {
		return nil, 0, err
	}
	sd, ok := v.(*dict)
	if !ok || start < 0 {
		return nil, 0, formatErr(f.objs[r.num].offset, "embedded file %d is not a stream", r.num)
	}
	if sd.get("Filter") != nil {
		return nil, 0, fmt.Errorf("%w: filtered embedded file", ErrUnsupported)
	}
	lv, err := f.resolve(sd.get("Length"))
	if err != nil {
		return nil, 0, err
	}
	n, ok := lv.(int64)
	if !ok || n < 0 || n > int64(len(doc)-start) {
		return nil, 0, formatErr(start, "bad stream Length")
	}
	end := start + int(n)
	l := &lexer{b: doc, pos: end}
	if !l.keyword("endstream") {
		return nil, 0, formatErr(end, "no endstream after %d bytes", n)
	}
	first := f.sections[f.objs[r.num].section].first
	if first < 1 || first > len(doc) || doc[first-1] != '\n' {
		return nil, 0, formatErr(first, "update does not start on a new line")
	}
	return bytes.Clone(doc[start:end]), int64(first - 1), nil
}

type nameEntry struct {
	key []byte
	val any
}

// embeddedFiles returns the entries of the catalog's EmbeddedFiles name
// tree (7.9.6), in tree order.
func (f *file) embeddedFiles(catalog *dict) ([]nameEntry, error) {
	names, err := f.resolveDict(catalog.get("Names"))
	if err != nil || names == nil {
		return nil, err
	}
	var out []nameEntry
	err = f.nameTree(names.get("EmbeddedFiles"), 0, &out)
	return out, err
}

func (f *file) nameTree(node any, depth int, out *[]nameEntry) error {
	if depth > maxTreeDepth {
		return formatErr(-1, "name tree deeper than %d", maxTreeDepth)
	}
	d, err := f.resolveDict(node)
	if err != nil || d == nil {
		return err
	}
	if arr, err := f.resolve(d.get("Names")); err != nil {
		return err
	} else if arr, ok := arr.([]any); ok {
		if len(arr)%2 != 0 || len(*out)+len(arr)/2 > maxNames {
			return formatErr(-1, "bad name tree Names array")
		}
		for i := 0; i < len(arr); i += 2 {
			k, ok := arr[i].([]byte)
			if !ok {
				return formatErr(-1, "name tree key is not a string")
			}
			*out = append(*out, nameEntry{k, arr[i+1]})
		}
	}
	kids, err := f.resolve(d.get("Kids"))
	if err != nil {
		return err
	}
	arr, _ := kids.([]any)
	for _, k := range arr {
		if err := f.nameTree(k, depth+1, out); err != nil {
			return err
		}
	}
	return nil
}

// attachmentKey checks an attachment's name and returns its name tree
// key: ASCII as it is, anything else UTF-16BE with a byte order mark.
func attachmentKey(name string) ([]byte, error) {
	if name == "" || len(name) > maxNameLen || !utf8.ValidString(name) {
		return nil, fmt.Errorf("pdf: attachment name %q: must be 1 to %d bytes of UTF-8", name, maxNameLen)
	}
	ascii := true
	for _, r := range name {
		if unicode.IsControl(r) || r == '/' || r == '\\' {
			return nil, fmt.Errorf("pdf: attachment name %q: control character or path separator", name)
		}
		ascii = ascii && r < utf8.RuneSelf
	}
	if ascii {
		return []byte(name), nil
	}
	b := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(name)) {
		b = binary.BigEndian.AppendUint16(b, u)
	}
	return b, nil
}

// keyText decodes a name tree key: UTF-16BE after a byte order mark, else
// each byte as the character of that number (PDFDocEncoding agrees for
// ASCII, which is what AppendAttachment writes).
func keyText(k []byte) string {
	if len(k) >= 2 && k[0] == 0xFE && k[1] == 0xFF {
		u := make([]uint16, 0, len(k)/2)
		for i := 2; i+1 < len(k); i += 2 {
			u = append(u, binary.BigEndian.Uint16(k[i:]))
		}
		return string(utf16.Decode(u))
	}
	r := make([]rune, len(k))
	for i, c := range k {
		r[i] = rune(c)
	}
	return string(r)
}

// asciiName is name with every non-ASCII character replaced by '_'.
func asciiName(name string) []byte {
	var b []byte
	for _, r := range name {
		if r >= utf8.RuneSelf {
			r = '_'
		}
		b = append(b, byte(r))
	}
	return b
}

// appendValue writes a parsed value back in PDF syntax. Strings are
// written in hex and names with # escapes for every byte that is not a
// regular printable character, so no value can change the file's
// structure.
func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case real:
		return append(b, v...)
	case []byte:
		b = append(b, '<')
		b = hex.AppendEncode(b, v)
		return append(b, '>')
	case name:
		b = append(b, '/')
		for _, c := range []byte(v) {
			if c <= ' ' || c >= 0x7F || c == '#' || isDelim(c) {
				b = fmt.Appendf(b, "#%02X", c)
			} else {
				b = append(b, c)
			}
		}
		return b
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ' ')
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	case *dict:
		b = append(b, "<<"...)
		for i, k := range v.keys {
			b = appendValue(b, k)
			b = append(b, ' ')
			b = appendValue(b, v.vals[i])
		}
		return append(b, ">>"...)
	case ref:
		return fmt.Appendf(b, "%d %d R", v.num, v.gen)
	}
	return append(b, "null"...)
}
