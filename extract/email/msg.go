package email

import (
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/pangolin-forensics/pangolin/extract"
)

// An Outlook .msg file (MS-OXMSG) is a compound file whose streams hold
// MAPI properties:
//
//	__substg1.0_IIIITTTT      a variable-size property: id IIII, type TTTT
//	                          (hex): 001F UTF-16LE, 001E 8-bit in the
//	                          message code page, 0102 binary
//	__properties_version1.0   fixed-size properties: a header (32 bytes at
//	                          the top, 24 in an embedded message, 8 in a
//	                          recipient or attachment), then 16-byte
//	                          entries: 0 2 type, 2 2 id, 4 4 flags, 8 8
//	                          value (int32, bool, FILETIME, ...)
//	__recip_version1.0_#N     a storage per recipient
//	__attach_version1.0_#N    a storage per attachment; an embedded
//	                          message is the storage __substg1.0_3701000D
//	__nameid_version1.0       named properties (not read)

// Property ids read.
const (
	prSubject              = 0x0037
	prClientSubmitTime     = 0x0039
	prSentRepName          = 0x0042
	prSentRepEmail         = 0x0065
	prTransportHeaders     = 0x007D
	prSenderName           = 0x0C1A
	prSenderEmail          = 0x0C1F
	prRecipientType        = 0x0C15
	prDisplayCc            = 0x0E03
	prDisplayTo            = 0x0E04
	prDeliveryTime         = 0x0E06
	prBody                 = 0x1000
	prRTFCompressed        = 0x1009
	prBodyHTML             = 0x1013
	prInternetMessageID    = 0x1035
	prInReplyTo            = 0x1042
	prDisplayName          = 0x3001
	prCreationTime         = 0x3007
	prEmailAddress         = 0x3003
	prAttachDataBin        = 0x3701
	prAttachFilename       = 0x3704
	prAttachMethod         = 0x3705
	prAttachLongFilename   = 0x3707
	prAttachMimeTag        = 0x370E
	prSMTPAddress          = 0x39FE
	prInternetCPID         = 0x3FDE
	prMessageCodepage      = 0x3FFD
	prSenderSMTPAddress    = 0x5D01
	prSentRepSMTPAddress   = 0x5D02
	ptString8              = 0x001E
	ptUnicode              = 0x001F
	ptBinary               = 0x0102
	ptObject               = 0x000D
	ptSystime              = 0x0040
	ptLong                 = 0x0003
	maxPropertyStreamBytes = 1 << 20
)

// ParseMSG reads an Outlook .msg file of size bytes from r: subject,
// sender, recipients (to, cc, bcc from the recipient table), dates, body
// (PR_BODY, else PR_BODY_HTML as text) and attachments, with embedded
// messages parsed into [Attachment.Message] to lim.MaxDepth. When the
// file keeps the message's transport headers they fill Headers and take
// precedence over the MAPI properties. Errors in a recipient or an
// attachment are recorded in Anomalies; errors in the compound file
// itself are returned.
func ParseMSG(r io.ReaderAt, size int64, lim Limits) (*Message, error) {
	lim = lim.withDefaults()
	c, err := openCFB(r, size)
	if err != nil {
		return nil, err
	}
	st := &msgState{c: c, lim: lim, seen: map[int]bool{}}
	return st.message(0, 32, 0)
}

type msgState struct {
	c     *cfb
	lim   Limits
	parts int64
	seen  map[int]bool // message storages read, so that cycles end
}

// props is the property set of one storage.
type props struct {
	c        *cfb
	lim      Limits
	streams  map[uint32]int // tag (id<<16 | type) -> directory index
	fixed    map[uint32][]byte
	recips   []int
	attaches []int
	codepage int
}

func (st *msgState) props(storage int, hdrLen int) (*props, error) {
	c := st.c
	p := &props{c: c, lim: st.lim, streams: map[uint32]int{}, fixed: map[uint32][]byte{}}
	for _, i := range c.children(storage) {
		e := c.dir[i]
		name := e.name
		switch {
		case strings.HasPrefix(name, "__substg1.0_") && len(name) == 20:
			tag, err := strconv.ParseUint(name[12:], 16, 32)
			if err == nil {
				p.streams[uint32(tag)] = i
			}
		case name == "__properties_version1.0" && e.typ == 2:
			b, _, err := c.read(i, maxPropertyStreamBytes)
			if err != nil {
				return nil, fmt.Errorf("read properties of %q: %w", c.dir[storage].name, err)
			}
			for off := hdrLen; off+16 <= len(b); off += 16 {
				tag := binary.LittleEndian.Uint16(b[off+2:])
				typ := binary.LittleEndian.Uint16(b[off:])
				p.fixed[uint32(tag)<<16|uint32(typ)] = b[off+8 : off+16]
			}
		case strings.HasPrefix(name, "__recip_version1.0_") && e.typ == 1:
			p.recips = append(p.recips, i)
		case strings.HasPrefix(name, "__attach_version1.0_") && e.typ == 1:
			p.attaches = append(p.attaches, i)
		}
	}
	p.codepage = int(p.long(prInternetCPID))
	if p.codepage == 0 {
		p.codepage = int(p.long(prMessageCodepage))
	}
	// Storages are listed in tree order; keep recipients and attachments
	// in the order of their names (#00000000, #00000001, ...).
	sortByName(c, p.recips)
	sortByName(c, p.attaches)
	return p, nil
}

func sortByName(c *cfb, idx []int) {
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && c.dir[idx[j]].name < c.dir[idx[j-1]].name; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
}

func (p *props) long(id uint16) uint32 {
	if v, ok := p.fixed[uint32(id)<<16|ptLong]; ok {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (p *props) time(id uint16) time.Time {
	v, ok := p.fixed[uint32(id)<<16|ptSystime]
	if !ok {
		return time.Time{}
	}
	return filetime(binary.LittleEndian.Uint64(v))
}

// filetime converts 100-ns intervals since 1601 to a UTC time; zero for
// 0 and for values past year 9999.
func filetime(ft uint64) time.Time {
	if ft == 0 || ft > 2650467743990000000 {
		return time.Time{}
	}
	const epochDiff = 11644473600
	return time.Unix(int64(ft/1e7)-epochDiff, int64(ft%1e7)*100).UTC()
}

// bytes returns a binary property.
func (p *props) bytes(id uint16, typ uint16) ([]byte, bool) {
	i, ok := p.streams[uint32(id)<<16|uint32(typ)]
	if !ok || p.c.dir[i].typ != 2 {
		return nil, false
	}
	b, _, err := p.c.read(i, p.lim.MaxText)
	if err != nil {
		return nil, false
	}
	return b, true
}

// str returns a string property, UTF-16 or 8-bit in the code page.
func (p *props) str(id uint16) string {
	if b, ok := p.bytes(id, ptUnicode); ok {
		return strings.TrimRight(utf16le(b), "\x00")
	}
	if b, ok := p.bytes(id, ptString8); ok {
		return strings.TrimRight(decodeCodepage(b, p.codepage), "\x00")
	}
	return ""
}

func utf16le(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return strings.ToValidUTF8(string(utf16.Decode(u)), "\uFFFD")
}

// codepages names the Windows code pages seen in .msg files.
var codepages = map[int]string{
	437: "ibm437", 850: "ibm850", 866: "ibm866", 874: "windows-874",
	932: "shift_jis", 936: "gbk", 949: "euc-kr", 950: "big5",
	1200: "utf-16le", 1201: "utf-16be",
	1250: "windows-1250", 1251: "windows-1251", 1252: "windows-1252",
	1253: "windows-1253", 1254: "windows-1254", 1255: "windows-1255",
	1256: "windows-1256", 1257: "windows-1257", 1258: "windows-1258",
	10000: "macintosh", 20127: "us-ascii", 20866: "koi8-r", 21866: "koi8-u",
	28591: "iso-8859-1", 28592: "iso-8859-2", 28593: "iso-8859-3",
	28594: "iso-8859-4", 28595: "iso-8859-5", 28596: "iso-8859-6",
	28597: "iso-8859-7", 28598: "iso-8859-8", 28599: "iso-8859-9",
	28603: "iso-8859-13", 28605: "iso-8859-15", 50220: "iso-2022-jp",
	50221: "iso-2022-jp", 50222: "iso-2022-jp", 51932: "euc-jp",
	51936: "gbk", 51949: "euc-kr", 52936: "gbk", 54936: "gb18030",
	65001: "utf-8",
}

func decodeCodepage(b []byte, cp int) string {
	name, ok := codepages[cp]
	if !ok {
		name = "windows-1252"
	}
	return decodeCharset(b, name)
}

// message reads the message in storage idx.
func (st *msgState) message(idx int, hdrLen int, depth int64) (*Message, error) {
	if st.seen[idx] {
		return nil, fmt.Errorf("storage %d already read (directory cycle)", idx)
	}
	st.seen[idx] = true
	p, err := st.props(idx, hdrLen)
	if err != nil {
		return nil, err
	}
	m := &Message{Offset: 0}
	if h := p.str(prTransportHeaders); strings.TrimSpace(h) != "" {
		fields, _, dropped := parseHeader([]byte(h), st.lim.MaxHeaders)
		if dropped {
			m.anomaly("header fields beyond %d dropped (MaxHeaders)", st.lim.MaxHeaders)
		}
		for _, f := range fields {
			m.Headers = append(m.Headers, extract.Field{Name: f.name, Value: decodeText(f.value)})
		}
		fillFromHeaders(m, fields)
	}
	if s := p.str(prSubject); s != "" {
		m.Subject = s
	}
	if len(m.From) == 0 {
		name := p.str(prSentRepName)
		addr := firstNonEmpty(p.str(prSentRepSMTPAddress), p.str(prSentRepEmail))
		if name == "" && addr == "" {
			name = p.str(prSenderName)
			addr = firstNonEmpty(p.str(prSenderSMTPAddress), p.str(prSenderEmail))
		}
		if name != "" || addr != "" {
			m.From = []Address{{Name: name, Email: addr}}
		}
	}
	if len(m.Sender) == 0 {
		name := p.str(prSenderName)
		addr := firstNonEmpty(p.str(prSenderSMTPAddress), p.str(prSenderEmail))
		if (name != "" || addr != "") && (len(m.From) == 0 || m.From[0] != Address{name, addr}) {
			m.Sender = []Address{{Name: name, Email: addr}}
		}
	}
	if m.Date.IsZero() {
		m.Date = p.time(prClientSubmitTime)
		if m.Date.IsZero() {
			m.Date = p.time(prDeliveryTime)
		}
		if m.Date.IsZero() {
			if m.Date = p.time(prCreationTime); !m.Date.IsZero() {
				m.anomaly("no submit or delivery time: Date is the creation time (PR_CREATION_TIME)")
			}
		}
	}
	if m.MessageID == "" {
		m.MessageID = strings.TrimSpace(p.str(prInternetMessageID))
	}
	if m.InReplyTo == "" {
		m.InReplyTo = strings.TrimSpace(p.str(prInReplyTo))
	}

	// Recipients: the table is complete (Bcc included); headers, when
	// present, already gave To and Cc as sent.
	var to, cc, bcc []Address
	for _, ri := range p.recips {
		st.parts++
		if st.parts > st.lim.MaxParts {
			m.anomaly("recipients and attachments beyond %d not read (MaxParts)", st.lim.MaxParts)
			break
		}
		rp, err := st.props(ri, 8)
		if err != nil {
			m.anomaly("recipient %s: %v", st.c.dir[ri].name, err)
			continue
		}
		a := Address{Name: rp.str(prDisplayName), Email: firstNonEmpty(rp.str(prSMTPAddress), rp.str(prEmailAddress))}
		switch rp.long(prRecipientType) &^ 0x10000000 {
		case 2:
			cc = append(cc, a)
		case 3:
			bcc = append(bcc, a)
		default:
			to = append(to, a)
		}
	}
	if len(m.To) == 0 {
		m.To = to
		if len(m.To) == 0 {
			m.To = displayList(p.str(prDisplayTo))
		}
	}
	if len(m.Cc) == 0 {
		m.Cc = cc
		if len(m.Cc) == 0 {
			m.Cc = displayList(p.str(prDisplayCc))
		}
	}
	if len(m.Bcc) == 0 {
		m.Bcc = bcc
	}

	// Body.
	text := p.str(prBody)
	if strings.TrimSpace(text) == "" {
		if b, ok := p.bytes(prBodyHTML, ptBinary); ok {
			text = htmlText(decodeCodepage(b, p.codepage))
		} else if s := p.str(prBodyHTML); s != "" {
			text = htmlText(s)
		}
	}
	if strings.TrimSpace(text) == "" {
		if _, ok := p.streams[uint32(prRTFCompressed)<<16|ptBinary]; ok {
			m.anomaly("body kept only as compressed RTF (PR_RTF_COMPRESSED): not decoded")
		}
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if int64(len(text)) > st.lim.MaxText {
		text = strings.ToValidUTF8(text[:st.lim.MaxText], "")
		m.anomaly("body text cut at %d bytes (MaxText)", st.lim.MaxText)
	}
	m.Text = text

	for _, ai := range p.attaches {
		st.parts++
		if st.parts > st.lim.MaxParts {
			m.anomaly("recipients and attachments beyond %d not read (MaxParts)", st.lim.MaxParts)
			break
		}
		a, err := st.attachment(ai, depth)
		if err != nil {
			m.anomaly("attachment %s: %v", st.c.dir[ai].name, err)
			continue
		}
		m.Attachments = append(m.Attachments, a)
	}
	return m, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// displayList splits PR_DISPLAY_TO / PR_DISPLAY_CC ("Name; Name") into
// name-only addresses.
func displayList(s string) []Address {
	var out []Address
	for _, n := range strings.Split(s, ";") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, Address{Name: n})
		}
	}
	return out
}

func (st *msgState) attachment(idx int, depth int64) (Attachment, error) {
	c := st.c
	ap, err := st.props(idx, 8)
	if err != nil {
		return Attachment{}, err
	}
	a := Attachment{
		Name:        sanitizeName(firstNonEmpty(ap.str(prAttachLongFilename), ap.str(prAttachFilename), ap.str(prDisplayName))),
		ContentType: strings.ToLower(strings.TrimSpace(ap.str(prAttachMimeTag))),
		Offset:      -1,
	}
	if i, ok := ap.streams[uint32(prAttachDataBin)<<16|ptBinary]; ok && c.dir[i].typ == 2 {
		cr, err := c.stream(i)
		if err != nil {
			return Attachment{}, err
		}
		a.Offset = cr.fileOffset()
		a.Size = cr.size
		if a.Size > st.lim.MaxAttachment {
			a.Size, a.Truncated = st.lim.MaxAttachment, true
		}
		n := a.Size
		a.open = func() (io.Reader, error) { return io.NewSectionReader(cr, 0, n), nil }
	} else if i, ok := ap.streams[uint32(prAttachDataBin)<<16|ptObject]; ok && c.dir[i].typ == 1 {
		method := ap.long(prAttachMethod)
		switch {
		case method != 5:
			a.Note = fmt.Sprintf("embedded OLE object (attach method %d): not read", method)
		case depth+1 >= st.lim.MaxDepth:
			a.Note = "embedded message not parsed: MaxDepth reached"
		default:
			sub, err := st.message(i, 24, depth+1)
			if err != nil {
				a.Note = "embedded message not parsed: " + err.Error()
			} else {
				sub.Offset = c.dir[i].offset
				a.Message = sub
				if a.Name == "" {
					a.Name = sanitizeName(sub.Subject)
				}
				if a.ContentType == "" {
					a.ContentType = "application/vnd.ms-outlook"
				}
			}
		}
	}
	if a.ContentType == "application/ms-tnef" || strings.EqualFold(a.Name, "winmail.dat") {
		a.Note = "TNEF (winmail.dat): kept as an attachment, its contents not decoded"
	}
	return a, nil
}
