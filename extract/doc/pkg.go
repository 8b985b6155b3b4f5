package doc

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
)

// Bounds on ZIP packages and XML parts.
const (
	maxZipMembers = 100_000
	maxXMLDepth   = 256
	bombRatio     = 100     // inflated/compressed ratio beyond which ...
	bombFloor     = 1 << 20 // ... a member larger than this is refused
)

// pkg is a ZIP package (OOXML or ODF) with a shared decompression budget.
type pkg struct {
	zr     *zip.Reader
	byName map[string]*zip.File // by lower-case name without a leading slash
	budget int64                // bytes left to decompress
}

var errNoPart = errors.New("doc: part not found")

func openPkg(r io.ReaderAt, size int64, lim Limits) (*pkg, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &FormatError{Msg: "read zip directory", Err: err}
	}
	if len(zr.File) > maxZipMembers {
		return nil, &FormatError{Msg: fmt.Sprintf("%d zip members, more than %d", len(zr.File), maxZipMembers)}
	}
	p := &pkg{zr: zr, byName: make(map[string]*zip.File, len(zr.File)), budget: lim.MaxInput}
	for _, f := range zr.File {
		n := strings.ToLower(strings.TrimPrefix(f.Name, "/"))
		if _, dup := p.byName[n]; !dup {
			p.byName[n] = f
		}
	}
	return p, nil
}

func (p *pkg) has(name string) bool {
	_, ok := p.byName[strings.ToLower(name)]
	return ok
}

// open returns a bounded reader of the named member, or errNoPart.
func (p *pkg) open(name string) (io.ReadCloser, error) {
	f, ok := p.byName[strings.ToLower(strings.TrimPrefix(name, "/"))]
	if !ok {
		return nil, errNoPart
	}
	if f.UncompressedSize64 > uint64(p.budget) {
		return nil, fmt.Errorf("%s: declared size %d: %w", f.Name, f.UncompressedSize64, ErrTooLarge)
	}
	if f.UncompressedSize64 > bombFloor && f.UncompressedSize64/max(f.CompressedSize64, 1) > bombRatio {
		return nil, fmt.Errorf("%s: %d bytes inflated from %d: %w", f.Name, f.UncompressedSize64, f.CompressedSize64, ErrTooLarge)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, &FormatError{Part: f.Name, Msg: "open member", Err: err}
	}
	return &partReader{rc: rc, p: p, name: f.Name, comp: f.CompressedSize64}, nil
}

// partReader reads one member within the package's budget and refuses
// members that inflate like a bomb, whatever their headers declare.
type partReader struct {
	rc   io.ReadCloser
	p    *pkg
	name string
	comp uint64
	n    uint64
}

func (r *partReader) Read(b []byte) (int, error) {
	if r.p.budget <= 0 {
		return 0, fmt.Errorf("%s: %w", r.name, ErrTooLarge)
	}
	if int64(len(b)) > r.p.budget {
		b = b[:r.p.budget]
	}
	n, err := r.rc.Read(b)
	r.n += uint64(n)
	r.p.budget -= int64(n)
	if r.n > bombFloor && r.n/max(r.comp, 1) > bombRatio {
		return n, fmt.Errorf("%s: %d bytes inflated from %d: %w", r.name, r.n, r.comp, ErrTooLarge)
	}
	if err != nil && err != io.EOF {
		err = &FormatError{Part: r.name, Offset: int64(r.n), Msg: "inflate", Err: err}
	}
	return n, err
}

func (r *partReader) Close() error { return r.rc.Close() }

// rel is one relationship of an OOXML part.
type rel struct {
	id, typ, target string // target resolved to a package path
}

// rels reads the relationships of the part named name (ECMA-376 part 2
// §9.3): the part "_rels/<base>.rels" in the part's folder. Missing
// relationships are no error.
func (p *pkg) rels(name string) ([]rel, error) {
	dir, base := path.Split(name)
	rc, err := p.open(dir + "_rels/" + base + ".rels")
	if errors.Is(err, errNoPart) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	x := newXML(rc, dir+"_rels/"+base+".rels")
	var out []rel
	for {
		t, err := x.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		se, ok := t.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" {
			continue
		}
		if strings.EqualFold(attr(se, "TargetMode"), "External") {
			continue
		}
		tg := attr(se, "Target")
		if strings.HasPrefix(tg, "/") {
			tg = path.Clean(tg[1:])
		} else {
			tg = path.Clean(path.Join(dir, tg))
		}
		typ := attr(se, "Type")
		if i := strings.LastIndexByte(typ, '/'); i >= 0 {
			typ = typ[i+1:]
		}
		out = append(out, rel{id: attr(se, "Id"), typ: typ, target: tg})
		if len(out) > maxZipMembers {
			return out, &FormatError{Part: name, Msg: "too many relationships"}
		}
	}
}

// xmlReader streams an XML part, bounding element depth.
type xmlReader struct {
	d     *xml.Decoder
	depth int
	part  string
}

// eachToken reads a part's XML and calls fn with each token, up to the
// end of the part or fn's error.
func (p *pkg) eachToken(part string, fn func(x *xmlReader, t xml.Token) error) error {
	rc, err := p.open(part)
	if err != nil {
		return err
	}
	defer rc.Close()
	x := newXML(rc, part)
	return x.each(func(t xml.Token) error { return fn(x, t) })
}

// each calls fn with each token left, up to the end of the document or
// fn's error.
func (x *xmlReader) each(fn func(t xml.Token) error) error {
	for {
		t, err := x.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
	}
}

func newXML(r io.Reader, part string) *xmlReader {
	d := xml.NewDecoder(r)
	d.Strict = false
	d.AutoClose = nil
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		e, err := htmlindex.Get(label)
		if err != nil {
			return nil, err
		}
		return e.NewDecoder().Reader(in), nil
	}
	return &xmlReader{d: d, part: part}
}

// next returns the next token, io.EOF at the end, or a *FormatError.
// Errors from the reader below (limits) are passed on wrapped.
func (x *xmlReader) next() (xml.Token, error) {
	t, err := x.d.Token()
	if err != nil {
		if err == io.EOF {
			if x.depth > 0 {
				return nil, &FormatError{Part: x.part, Offset: x.d.InputOffset(), Msg: "unexpected end of XML"}
			}
			return nil, io.EOF
		}
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, &FormatError{Part: x.part, Offset: x.d.InputOffset(), Msg: "XML syntax", Err: err}
		}
		return nil, err
	}
	switch t.(type) {
	case xml.StartElement:
		x.depth++
		if x.depth > maxXMLDepth {
			return nil, &FormatError{Part: x.part, Offset: x.d.InputOffset(), Msg: fmt.Sprintf("XML nested deeper than %d", maxXMLDepth)}
		}
	case xml.EndElement:
		x.depth--
	}
	return t, nil
}

// skip consumes the rest of the element just started.
func (x *xmlReader) skip() error {
	n := 1
	for n > 0 {
		t, err := x.next()
		if err != nil {
			return err
		}
		switch t.(type) {
		case xml.StartElement:
			n++
		case xml.EndElement:
			n--
		}
	}
	return nil
}

// textOf returns the character data of the element just started, up to its
// end, at most max bytes.
func (x *xmlReader) textOf(max int) (string, error) {
	var b strings.Builder
	n := 1
	for n > 0 {
		t, err := x.next()
		if err != nil {
			return b.String(), err
		}
		switch t := t.(type) {
		case xml.StartElement:
			n++
		case xml.EndElement:
			n--
		case xml.CharData:
			if b.Len()+len(t) <= max {
				b.Write(t)
			}
		}
	}
	return b.String(), nil
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// attrNS returns the attribute with the given local name whose namespace
// (as translated by the decoder) ends with suffix.
func attrNS(se xml.StartElement, suffix, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local && strings.HasSuffix(a.Name.Space, suffix) {
			return a.Value
		}
	}
	return ""
}

// sniffZip names the package family of a ZIP archive from its members.
func sniffZip(r io.ReaderAt, size int64) kind {
	zr, err := zip.NewReader(r, size)
	if err != nil || len(zr.File) > maxZipMembers {
		return kindNone
	}
	k := kindNone
	for _, f := range zr.File {
		switch strings.ToLower(f.Name) {
		case "word/document.xml":
			return kindDOCX
		case "xl/workbook.xml":
			return kindXLSX
		case "ppt/presentation.xml":
			return kindPPTX
		case "content.xml":
			k = kindODF
		}
	}
	return k
}
