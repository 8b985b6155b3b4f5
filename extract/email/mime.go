package email

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/pangolin-forensics/pangolin/extract"
)

// ParseEML reads one RFC 5322 message (an .eml file, an extension-less
// RFC 822 file, or an Apple Mail .emlx file) of size bytes from r. At most
// lim.MaxMessageSize bytes are read; a longer message is parsed as far as
// that and the cut recorded in Anomalies. It returns an error wrapping
// [ErrFormat] when the input starts with no header field at all.
func ParseEML(r io.ReaderAt, size int64, lim Limits) (*Message, error) {
	lim = lim.withDefaults()
	if size < 0 {
		return nil, formatErr(0, "negative size")
	}
	n := min(size, lim.MaxMessageSize)
	buf := make([]byte, n)
	if _, err := io.ReadFull(io.NewSectionReader(r, 0, n), buf); err != nil {
		return nil, fmt.Errorf("email: read message: %w", err)
	}
	base := int64(0)
	emlx := false
	if cut, ok := emlxPayload(buf); ok {
		base = int64(len(buf) - len(cut))
		buf = cut
		emlx = true
	}
	hdr, _, _ := parseHeader(buf, 1)
	if len(hdr) == 0 {
		return nil, formatErr(base, "no header field")
	}
	p := &parser{lim: lim, buf: buf, fileOff: func(i int) int64 { return base + int64(i) }}
	m := p.message(buf, 0, 0)
	if size > lim.MaxMessageSize && !emlx {
		m.anomaly("message of %d bytes cut at %d (MaxMessageSize)", size, lim.MaxMessageSize)
	}
	return m, nil
}

// emlxPayload recognises Apple Mail's .emlx layout: a first line holding
// the byte count of the message that follows (then an XML plist).
func emlxPayload(b []byte) ([]byte, bool) {
	eol := bytes.IndexByte(b, '\n')
	if eol <= 0 || eol > 20 {
		return nil, false
	}
	line := bytes.TrimSpace(b[:eol])
	if len(line) == 0 {
		return nil, false
	}
	n := 0
	for _, c := range line {
		if c < '0' || c > '9' || n > 1<<40 {
			return nil, false
		}
		n = n*10 + int(c-'0')
	}
	rest := b[eol+1:]
	if n > len(rest) {
		return rest, true
	}
	return rest[:n], true
}

// parser turns the bytes of one message, held in memory, into a Message.
type parser struct {
	lim     Limits
	buf     []byte
	fileOff func(i int) int64 // index in buf -> offset in the evidence file
	parts   int64
	text    strings.Builder
	textCut bool
}

// part is one node of a message's MIME tree.
type part struct {
	hdr      []rawField
	ct       string
	params   map[string]string
	disp     string
	dparams  map[string]string
	cte      string
	body     []byte
	off      int // index of body in parser.buf
	children []*part
	// isMessage is set for message/rfc822 (and message/global) parts.
	isMessage bool
}

func (pt *part) filename() string {
	if n := pt.dparams["filename"]; n != "" {
		return n
	}
	return pt.params["name"]
}

// message parses b (at index off of p.buf) as a message nested depth
// levels down.
func (p *parser) message(b []byte, off int, depth int64) *Message {
	m := &Message{}
	root := p.tree(m, b, off, depth, "")
	for _, f := range root.hdr {
		m.Headers = append(m.Headers, extract.Field{Name: f.name, Value: decodeText(f.value)})
	}
	fillFromHeaders(m, root.hdr)
	p.text.Reset()
	p.textCut = false
	p.walk(m, root, true, depth)
	m.Text = p.text.String()
	if p.textCut {
		m.anomaly("body text cut at %d bytes (MaxText)", p.lim.MaxText)
	}
	return m
}

// fillFromHeaders sets the message fields that come from header fields.
func fillFromHeaders(m *Message, hdr []rawField) {
	for _, f := range hdr {
		switch strings.ToLower(f.name) {
		case "from":
			m.From = append(m.From, parseAddresses(f.value)...)
		case "sender":
			m.Sender = append(m.Sender, parseAddresses(f.value)...)
		case "reply-to":
			m.ReplyTo = append(m.ReplyTo, parseAddresses(f.value)...)
		case "to":
			m.To = append(m.To, parseAddresses(f.value)...)
		case "cc":
			m.Cc = append(m.Cc, parseAddresses(f.value)...)
		case "bcc":
			m.Bcc = append(m.Bcc, parseAddresses(f.value)...)
		case "subject":
			if m.Subject == "" {
				m.Subject = strings.TrimSpace(decodeText(f.value))
			}
		case "date":
			if m.dateRaw == "" {
				m.dateRaw = strings.TrimSpace(decodeText(f.value))
				m.Date = parseDate(m.dateRaw)
			}
		case "message-id":
			if m.MessageID == "" {
				m.MessageID = strings.TrimSpace(rawToUTF8(f.value))
			}
		case "in-reply-to":
			if m.InReplyTo == "" {
				m.InReplyTo = strings.TrimSpace(rawToUTF8(f.value))
			}
		case "references":
			m.References = append(m.References, messageIDs(rawToUTF8(f.value))...)
		case "received":
			m.Received = append(m.Received, strings.Join(strings.Fields(decodeText(f.value)), " "))
		}
	}
}

// tree builds the MIME tree of the entity in b (at index off of p.buf).
func (p *parser) tree(m *Message, b []byte, off int, depth int64, parentCT string) *part {
	hdr, bodyStart, dropped := parseHeader(b, p.lim.MaxHeaders)
	if dropped {
		m.anomaly("header fields beyond %d dropped (MaxHeaders)", p.lim.MaxHeaders)
	}
	pt := &part{hdr: hdr, body: b[bodyStart:], off: off + bodyStart}
	ctv, hasCT := get(hdr, "content-type")
	pt.ct, pt.params = parseMediaType(ctv)
	if !hasCT || !strings.Contains(pt.ct, "/") {
		pt.ct = "text/plain"
		if parentCT == "multipart/digest" {
			pt.ct = "message/rfc822"
		}
	}
	if d, ok := get(hdr, "content-disposition"); ok {
		pt.disp, pt.dparams = parseMediaType(d)
	}
	cte, _ := get(hdr, "content-transfer-encoding")
	pt.cte = strings.ToLower(strings.TrimSpace(cte))
	p.parts++
	if p.parts > p.lim.MaxParts {
		return pt
	}
	switch {
	case strings.HasPrefix(pt.ct, "multipart/"):
		boundary := pt.params["boundary"]
		if boundary == "" {
			m.anomaly("multipart without boundary read as text")
			pt.ct = "text/plain"
			return pt
		}
		if depth >= p.lim.MaxDepth {
			m.anomaly("MIME nesting deeper than %d not read (MaxDepth)", p.lim.MaxDepth)
			return pt
		}
		segs, closed := splitMultipart(pt.body, boundary)
		if !closed {
			m.anomaly("multipart boundary %q never closed", truncate(boundary, 70))
		}
		for _, s := range segs {
			if p.parts >= p.lim.MaxParts {
				m.anomaly("MIME parts beyond %d not read (MaxParts)", p.lim.MaxParts)
				break
			}
			pt.children = append(pt.children, p.tree(m, s.b, pt.off+s.off, depth+1, pt.ct))
		}
	case pt.ct == "message/rfc822" || pt.ct == "message/global":
		pt.isMessage = true
	}
	return pt
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

type segment struct {
	b   []byte
	off int
}

// splitMultipart cuts a multipart body at its delimiter lines: "--"
// boundary, optionally "--" (the close), optional spaces, end of line.
// The line break before a delimiter belongs to it. Without a close
// delimiter the last part runs to the end.
func splitMultipart(body []byte, boundary string) ([]segment, bool) {
	delim := []byte("--" + boundary)
	var segs []segment
	start := -1 // start of the current part's content, -1 in the preamble
	i := 0
	for i < len(body) {
		j := bytes.Index(body[i:], delim)
		if j < 0 {
			break
		}
		at := i + j
		if at > 0 && body[at-1] != '\n' {
			i = at + len(delim)
			continue
		}
		rest := body[at+len(delim):]
		closing := bytes.HasPrefix(rest, []byte("--"))
		k := 0
		if closing {
			k = 2
		}
		for k < len(rest) && (rest[k] == ' ' || rest[k] == '\t') {
			k++
		}
		lineEnd := len(rest)
		if k < len(rest) {
			switch {
			case rest[k] == '\n':
				lineEnd = k + 1
			case rest[k] == '\r' && k+1 < len(rest) && rest[k+1] == '\n':
				lineEnd = k + 2
			case rest[k] == '\r':
				lineEnd = k + 1
			default:
				i = at + len(delim)
				continue
			}
		}
		if start >= 0 {
			end := at
			if end > start && body[end-1] == '\n' {
				end--
				if end > start && body[end-1] == '\r' {
					end--
				}
			}
			segs = append(segs, segment{body[start:max(end, start)], start})
		}
		next := at + len(delim) + lineEnd
		if closing {
			return segs, true
		}
		start = next
		i = next
	}
	if start >= 0 && start <= len(body) {
		segs = append(segs, segment{body[start:], start})
	}
	return segs, false
}

// hasText reports whether the subtree holds a body part of type ct.
func hasText(pt *part, ct string, depth int) bool {
	if depth > 64 {
		return false
	}
	if len(pt.children) == 0 {
		return pt.ct == ct && !isAttachment(pt)
	}
	for _, c := range pt.children {
		if hasText(c, ct, depth+1) {
			return true
		}
	}
	return false
}

// isAttachment applies Python's rule: a file name, or an "attachment"
// disposition.
func isAttachment(pt *part) bool {
	return pt.filename() != "" || pt.disp == "attachment"
}

// walk collects text (when collect is set) and attachments from the tree.
func (p *parser) walk(m *Message, pt *part, collect bool, depth int64) {
	if len(pt.children) > 0 {
		chosen := -1
		if pt.ct == "multipart/alternative" {
			for _, want := range []string{"text/plain", "text/html"} {
				for i, c := range pt.children {
					if hasText(c, want, 0) {
						chosen = i
						break
					}
				}
				if chosen >= 0 {
					break
				}
			}
		}
		for i, c := range pt.children {
			p.walk(m, c, collect && (chosen < 0 || i == chosen), depth)
		}
		return
	}
	if strings.HasPrefix(pt.ct, "multipart/") {
		return // nothing read below (limits) or empty
	}
	if !isAttachment(pt) && !pt.isMessage && (pt.ct == "text/plain" || pt.ct == "text/html") {
		if collect {
			data, cut := decodeTransfer(pt.cte, pt.body, p.lim.MaxText)
			if cut {
				p.textCut = true
			}
			s := decodeCharset(data, pt.params["charset"])
			if pt.ct == "text/html" {
				s = htmlText(s)
			}
			p.addText(s)
		}
		return
	}
	p.attachment(m, pt, depth)
}

func (p *parser) addText(s string) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if strings.TrimSpace(s) == "" {
		return
	}
	if p.text.Len() > 0 {
		p.text.WriteString("\n")
	}
	room := int(p.lim.MaxText) - p.text.Len()
	if room <= 0 {
		p.textCut = true
		return
	}
	if len(s) > room {
		s = s[:room]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		p.textCut = true
	}
	p.text.WriteString(s)
}

func (p *parser) attachment(m *Message, pt *part, depth int64) {
	a := Attachment{
		Name:        sanitizeName(pt.filename()),
		ContentType: pt.ct,
		Disposition: pt.disp,
		Offset:      p.fileOff(pt.off),
	}
	lim := p.lim.MaxAttachment
	a.Size, a.Truncated = decodedSize(pt.cte, pt.body, lim)
	body, cte := pt.body, pt.cte
	a.open = func() (io.Reader, error) {
		data, _ := decodeTransfer(cte, body, lim)
		return bytes.NewReader(data), nil
	}
	if pt.ct == "application/ms-tnef" || pt.ct == "application/vnd.ms-tnef" || strings.EqualFold(a.Name, "winmail.dat") {
		a.Note = "TNEF (winmail.dat): kept as an attachment, its contents not decoded"
	}
	if pt.isMessage && p.lim.ParseEmbedded {
		if depth+1 >= p.lim.MaxDepth {
			a.Note = "embedded message not parsed: MaxDepth reached"
		} else {
			data, _ := decodeTransfer(cte, body, lim)
			sub := &parser{lim: p.lim, buf: p.buf, parts: p.parts, fileOff: p.fileOff}
			off := pt.off
			if !isIdentity(cte) {
				// Decoded bytes have no place in the file: cite the part.
				sub.buf = data
				sub.fileOff = func(int) int64 { return a.Offset }
				off = 0
			}
			a.Message = sub.message(data, off, depth+1)
			a.Message.Offset = a.Offset
			p.parts = sub.parts
		}
	}
	m.Attachments = append(m.Attachments, a)
}

func isIdentity(cte string) bool {
	switch cte {
	case "base64", "quoted-printable":
		return false
	}
	return true
}

// decodeTransfer undoes a Content-Transfer-Encoding, giving at most max
// bytes. Unknown encodings are returned as they are.
func decodeTransfer(cte string, b []byte, max int64) ([]byte, bool) {
	switch cte {
	case "base64":
		return decodeBase64(b, max)
	case "quoted-printable":
		return decodeQP(b, max)
	}
	if int64(len(b)) > max {
		return b[:max], true
	}
	return b, false
}

// decodedSize is the size decodeTransfer gives, computed without keeping
// the bytes where possible.
func decodedSize(cte string, b []byte, max int64) (int64, bool) {
	switch cte {
	case "base64":
		n := int64(0)
		for _, c := range b {
			if b64[c] {
				n++
			}
		}
		size := n / 4 * 3
		switch n % 4 {
		case 2:
			size++
		case 3:
			size += 2
		}
		if size > max {
			return max, true
		}
		return size, false
	case "quoted-printable":
		d, cut := decodeQP(b, max)
		return int64(len(d)), cut
	}
	if int64(len(b)) > max {
		return max, true
	}
	return int64(len(b)), false
}

var b64 = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") {
		t[c] = true
	}
	return
}()

// decodeBase64 decodes leniently, as Python does: characters outside the
// alphabet are skipped and missing padding is tolerated.
func decodeBase64(b []byte, max int64) ([]byte, bool) {
	clean := make([]byte, 0, min(int64(len(b)), max/3*4+8))
	cut := false
	for _, c := range b {
		if b64[c] {
			if int64(len(clean)) >= max/3*4+4 {
				cut = true
				break
			}
			clean = append(clean, c)
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	if err != nil {
		out = out[:n]
	}
	out = out[:min(int64(n), int64(len(out)))]
	if int64(len(out)) > max {
		out, cut = out[:max], true
	}
	return out, cut
}

// decodeQP decodes quoted-printable leniently: "=XX" is a byte, "="
// before a line end (after optional spaces) a soft break, any other "="
// itself; spaces at line ends are dropped.
func decodeQP(b []byte, max int64) ([]byte, bool) {
	out := make([]byte, 0, min(int64(len(b)), max))
	for i := 0; i < len(b); i++ {
		if int64(len(out)) >= max {
			return out, true
		}
		c := b[i]
		switch {
		case c == '=':
			if i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]) {
				out = append(out, unhex(b[i+1])<<4|unhex(b[i+2]))
				i += 2
				continue
			}
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
				j++
			}
			if j == len(b) {
				i = j
				continue
			}
			if b[j] == '\n' {
				i = j
				continue
			}
			if b[j] == '\r' {
				if j+1 < len(b) && b[j+1] == '\n' {
					j++
				}
				i = j
				continue
			}
			out = append(out, c)
		case c == ' ' || c == '\t':
			j := i
			for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
				j++
			}
			if j == len(b) || b[j] == '\n' || b[j] == '\r' {
				i = j - 1
				continue
			}
			out = append(out, b[i:j]...)
			i = j - 1
		default:
			out = append(out, c)
		}
	}
	return out, false
}
