package doc

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strings"
	"unicode"

	"github.com/pangolin-forensics/pangolin/extract"
	"golang.org/x/net/html"
	"golang.org/x/text/encoding/htmlindex"
)

// HTML (WHATWG HTML Living Standard). Encoding: §13.2.3 (byte order mark,
// then a prescan of the first 1024 bytes for meta charset or http-equiv
// content-type), with two corrections for evidence, where declarations
// lie: a declared legacy charset is overridden by content that is valid
// UTF-8 with non-ASCII letters, and a declared UTF-8 by content that is
// not valid UTF-8.

const (
	htmlPrescan   = 1024
	htmlMaxBuf    = 16 << 20 // longest single token
	htmlMaxFields = 256
)

// htmlBlock are elements that start and end a line.
var htmlBlock = map[string]bool{
	"p": true, "div": true, "br": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "li": true, "ul": true, "ol": true, "dl": true, "dt": true,
	"dd": true, "table": true, "tr": true, "blockquote": true, "pre": true, "section": true,
	"article": true, "header": true, "footer": true, "nav": true, "aside": true, "form": true,
	"hr": true, "address": true, "figure": true, "figcaption": true, "main": true,
	"caption": true, "option": true, "body": true, "title": true, "center": true,
	"fieldset": true, "legend": true, "details": true, "summary": true, "textarea": true,
}

// htmlSkip are elements whose content is not text.
var htmlSkip = map[string]bool{
	"script": true, "style": true, "template": true, "svg": true, "math": true,
	"object": true, "applet": true, "iframe": true, "noembed": true,
}

var metaCharsetRE = regexp.MustCompile(`(?i)charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)`)

// htmlEncoding chooses the encoding of an HTML document from its head.
func htmlEncoding(head []byte) Encoding {
	e := DetectEncoding(head)
	if e.BOM > 0 || strings.HasPrefix(e.Name, "utf-16") || strings.HasPrefix(e.Name, "utf-32") {
		return e
	}
	label := prescanCharset(head[:min(len(head), htmlPrescan)])
	if label == "" {
		return e
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return e
	}
	name, _ := htmlindex.Name(enc)
	switch {
	case name == "utf-16le" || name == "utf-16be" || name == "utf-8":
		// A meta declaration of UTF-16 means UTF-8 (§13.2.3.2); the
		// detector's answer wins over a wrong UTF-8 declaration.
		return e
	case e.Name == "utf-8" && hasNonASCII(head):
		return e
	}
	return Encoding{Name: name, enc: enc}
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// prescanCharset finds a charset declared by a meta element or an XML
// declaration in head.
func prescanCharset(head []byte) string {
	if bytes.HasPrefix(head, []byte("<?xml")) {
		if end := bytes.Index(head, []byte("?>")); end > 0 {
			if m := regexp.MustCompile(`encoding\s*=\s*["']([^"']+)`).FindSubmatch(head[:end]); m != nil {
				return string(m[1])
			}
		}
	}
	z := html.NewTokenizer(bytes.NewReader(head))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return ""
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if string(name) != "meta" || !hasAttr {
			continue
		}
		var charset, equiv, content string
		for {
			k, v, more := z.TagAttr()
			switch strings.ToLower(string(k)) {
			case "charset":
				charset = string(v)
			case "http-equiv":
				equiv = strings.ToLower(string(v))
			case "content":
				content = string(v)
			}
			if !more {
				break
			}
		}
		if charset != "" {
			return strings.TrimSpace(charset)
		}
		if equiv == "content-type" {
			if m := metaCharsetRE.FindStringSubmatch(content); m != nil {
				return m[1]
			}
		}
	}
}

// readHTML reads an HTML document: metadata always, text when wantText.
func readHTML(r io.ReaderAt, size int64, lim Limits, wantText bool) (*extract.Metadata, *sink, error) {
	size = min(size, lim.MaxInput)
	head := make([]byte, min(size, detectSample))
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, nil, err
	}
	enc := htmlEncoding(head)
	var src io.Reader = io.NewSectionReader(r, int64(enc.BOM), size-int64(enc.BOM))
	if d := enc.Decoder(); d != nil {
		src = d.Reader(src)
	}
	m := &extract.Metadata{Format: "html"}
	var out *sink
	if wantText {
		out = newSink(lim.MaxText)
	}
	z := html.NewTokenizer(src)
	z.SetMaxBuf(htmlMaxBuf)
	var (
		skip    int // depth inside skipped elements
		inTitle bool
		title   strings.Builder
		pre     int
	)
	write := func(s string) error {
		if out == nil || skip > 0 {
			return nil
		}
		s = strings.Map(dropControl, s)
		if pre == 0 {
			s = strings.Map(func(r rune) rune {
				if r == '\n' || r == '\r' || r == '\t' || r == '\f' {
					return ' '
				}
				return r
			}, s)
		}
		return out.text(s)
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			err := z.Err()
			if err == io.EOF {
				if t := strings.TrimSpace(title.String()); t != "" {
					m.Fields = append([]extract.Field{{Name: "Title", Value: t}}, m.Fields...)
				}
				return m, out, nil
			}
			if errors.Is(err, html.ErrBufferExceeded) {
				return nil, out, &FormatError{Msg: "HTML token longer than 16 MiB", Err: err}
			}
			var fe *FormatError
			if errors.As(err, &fe) || errors.Is(err, ErrTooLarge) {
				return nil, out, err
			}
			return nil, out, &FormatError{Msg: "read HTML", Err: err}
		case html.TextToken:
			if inTitle {
				if title.Len() < maxFieldLen {
					title.Write(z.Text())
				}
				continue
			}
			if err := write(string(z.Text())); err != nil {
				if err == errFull {
					return m, out, nil
				}
				return nil, out, err
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			nameB, hasAttr := z.TagName()
			name := string(nameB)
			if tt == html.EndTagToken {
				switch {
				case htmlSkip[name]:
					if skip > 0 {
						skip--
					}
				case name == "title":
					inTitle = false
					if out != nil && skip == 0 {
						if err := write(title.String()); err != nil && err != errFull {
							return nil, out, err
						}
					}
				case name == "pre" || name == "textarea":
					pre = max(pre-1, 0)
				}
				if out != nil && skip == 0 {
					switch {
					case htmlBlock[name]:
						out.newline()
					case name == "td" || name == "th":
						out.tabulate()
					}
				}
				continue
			}
			switch {
			case htmlSkip[name] && tt == html.StartTagToken:
				skip++
			case name == "title" && tt == html.StartTagToken && title.Len() == 0:
				inTitle = true
			case name == "pre" || name == "textarea":
				if tt == html.StartTagToken {
					pre++
				}
			case name == "meta" && hasAttr:
				htmlMeta(z, m)
			case name == "img" && hasAttr && out != nil:
				// Alternative text stands for the image, as text browsers show it.
				for {
					k, v, more := z.TagAttr()
					if string(k) == "alt" && len(v) > 0 {
						if err := write(" " + string(v) + " "); err != nil && err != errFull {
							return nil, out, err
						}
					}
					if !more {
						break
					}
				}
			}
			if out != nil && skip == 0 && htmlBlock[name] {
				out.newline()
			}
		}
	}
}

// htmlMeta records a named meta element. Names follow exiftool: the name
// without a "dc." prefix, its parts capitalised and joined ("author" ->
// "Author", "application-name" -> "ApplicationName").
func htmlMeta(z *html.Tokenizer, m *extract.Metadata) {
	var name, content string
	for {
		k, v, more := z.TagAttr()
		switch strings.ToLower(string(k)) {
		case "name", "property":
			name = string(v)
		case "content":
			content = string(v)
		}
		if !more {
			break
		}
	}
	content = strings.TrimSpace(content)
	if name == "" || content == "" || len(m.Fields) >= htmlMaxFields {
		return
	}
	lname := strings.ToLower(name)
	lname = strings.TrimPrefix(lname, "dc.")
	lname = strings.TrimPrefix(lname, "dcterms.")
	var b strings.Builder
	upper := true
	for _, r := range lname {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 || b.Len() > 64 {
		return
	}
	if len(content) > maxFieldLen {
		content = content[:maxFieldLen]
		content = strings.ToValidUTF8(content, "")
	}
	f := extract.Field{Name: b.String(), Value: content}
	m.Fields = append(m.Fields, f)
	switch f.Name {
	case "Author", "Creator":
		if m.Author == "" {
			m.Author = content
		}
	}
}
