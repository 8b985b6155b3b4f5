package email

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// cfbNode is an entry of a compound file built by buildCFB.
type cfbNode struct {
	name     string
	data     []byte     // stream content (streams)
	children []*cfbNode // storages
}

// buildCFB writes a version 3 compound file (512-byte sectors) holding
// root's tree. The mini stream cutoff is set to 0, so every stream lives
// in ordinary sectors. Layout: sector 0 the FAT, then the directory, then
// the streams.
func buildCFB(root *cfbNode) []byte {
	var entries []*cfbNode
	var walk func(n *cfbNode)
	walk = func(n *cfbNode) {
		entries = append(entries, n)
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(root)
	index := map[*cfbNode]uint32{}
	for i, e := range entries {
		index[e] = uint32(i)
	}
	le := binary.LittleEndian
	dirSecs := (len(entries) + 3) / 4
	fat := []uint32{0xFFFFFFFD}
	for i := 0; i < dirSecs; i++ {
		if i == dirSecs-1 {
			fat = append(fat, endOfChain)
		} else {
			fat = append(fat, uint32(len(fat)+1))
		}
	}
	starts := map[*cfbNode]uint32{}
	var data []byte
	for _, e := range entries {
		if e.children != nil || e == root || len(e.data) == 0 {
			continue
		}
		n := (len(e.data) + 511) / 512
		starts[e] = uint32(len(fat))
		for i := 0; i < n; i++ {
			if i == n-1 {
				fat = append(fat, endOfChain)
			} else {
				fat = append(fat, uint32(len(fat)+1))
			}
		}
		buf := make([]byte, n*512)
		copy(buf, e.data)
		data = append(data, buf...)
	}
	if len(fat) > 128 {
		panic("buildCFB: more than one FAT sector")
	}
	h := make([]byte, 512)
	copy(h, cfbMagic)
	le.PutUint16(h[24:], 0x3E)
	le.PutUint16(h[26:], 3)
	le.PutUint16(h[28:], 0xFFFE)
	le.PutUint16(h[30:], 9)
	le.PutUint16(h[32:], 6)
	le.PutUint32(h[44:], 1)
	le.PutUint32(h[48:], 1)
	le.PutUint32(h[56:], 0)
	le.PutUint32(h[60:], endOfChain)
	le.PutUint32(h[68:], endOfChain)
	for i := 0; i < 109; i++ {
		le.PutUint32(h[76+4*i:], noStream)
	}
	le.PutUint32(h[76:], 0)
	fs := make([]byte, 512)
	for i := range 128 {
		v := uint32(noStream)
		if i < len(fat) {
			v = fat[i]
		}
		le.PutUint32(fs[4*i:], v)
	}
	dir := make([]byte, dirSecs*512)
	for i, e := range entries {
		d := dir[128*i : 128*i+128]
		u := utf16.Encode([]rune(e.name))
		for j, c := range u {
			le.PutUint16(d[2*j:], c)
		}
		le.PutUint16(d[64:], uint16(2*len(u)+2))
		switch {
		case e == root:
			d[66] = 5
		case e.children != nil:
			d[66] = 1
		default:
			d[66] = 2
		}
		le.PutUint32(d[68:], noStream)
		le.PutUint32(d[72:], noStream)
		le.PutUint32(d[76:], noStream)
		le.PutUint32(d[116:], endOfChain)
		if s, ok := starts[e]; ok {
			le.PutUint32(d[116:], s)
		}
		le.PutUint64(d[120:], uint64(len(e.data)))
	}
	// Children as a right-leaning chain of siblings.
	for _, e := range entries {
		for k, c := range e.children {
			if k == 0 {
				le.PutUint32(dir[128*int(index[e])+76:], index[c])
			}
			if k+1 < len(e.children) {
				le.PutUint32(dir[128*int(index[c])+72:], index[e.children[k+1]])
			}
		}
	}
	for i := len(entries); i < dirSecs*4; i++ {
		d := dir[128*i : 128*i+128]
		le.PutUint32(d[68:], noStream)
		le.PutUint32(d[72:], noStream)
		le.PutUint32(d[76:], noStream)
	}
	out := append(h, fs...)
	out = append(out, dir...)
	return append(out, data...)
}

func u16(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

func propStream(hdr int, entries ...[16]byte) []byte {
	b := make([]byte, hdr)
	for _, e := range entries {
		b = append(b, e[:]...)
	}
	return b
}

func fixedProp(id, typ uint16, v uint64) [16]byte {
	var e [16]byte
	binary.LittleEndian.PutUint16(e[0:], typ)
	binary.LittleEndian.PutUint16(e[2:], id)
	binary.LittleEndian.PutUint64(e[8:], v)
	return e
}

func stream(name string, data []byte) *cfbNode { return &cfbNode{name: name, data: data} }

var msgDate = time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)

func minimalMSG() []byte {
	ft := uint64(msgDate.Unix()+11644473600) * 1e7
	return buildCFB(&cfbNode{name: "Root Entry", children: []*cfbNode{
		stream("__substg1.0_0037001F", u16("Déversement — rapport")),
		stream("__substg1.0_0C1A001F", u16("Анна Петрова")),
		stream("__substg1.0_0C1F001F", u16("anna@example.ru")),
		stream("__substg1.0_1000001F", u16(strings.Repeat("Body text line.\r\n", 40))),
		stream("__substg1.0_1035001E", []byte("<id@example.ru>\x00")),
		stream("__properties_version1.0", propStream(32, fixedProp(prClientSubmitTime, ptSystime, ft))),
		{name: "__recip_version1.0_#00000000", children: []*cfbNode{
			stream("__substg1.0_3001001F", u16("Bob")),
			stream("__substg1.0_39FE001F", u16("bob@example.com")),
			stream("__properties_version1.0", propStream(8, fixedProp(prRecipientType, ptLong, 1))),
		}},
		{name: "__recip_version1.0_#00000001", children: []*cfbNode{
			stream("__substg1.0_3001001F", u16("Carol")),
			stream("__substg1.0_3003001F", u16("carol@example.com")),
			stream("__properties_version1.0", propStream(8, fixedProp(prRecipientType, ptLong, 2))),
		}},
		{name: "__attach_version1.0_#00000000", children: []*cfbNode{
			stream("__substg1.0_3707001F", u16("../report.pdf")),
			stream("__substg1.0_370E001F", u16("application/pdf")),
			stream("__substg1.0_37010102", bytes.Repeat([]byte("%PDF"), 300)),
		}},
		{name: "__attach_version1.0_#00000001", children: []*cfbNode{
			stream("__substg1.0_3001001F", u16("Forwarded")),
			stream("__properties_version1.0", propStream(8, fixedProp(prAttachMethod, ptLong, 5))),
			{name: "__substg1.0_3701000D", children: []*cfbNode{
				stream("__substg1.0_0037001F", u16("Inner subject")),
				stream("__substg1.0_1000001F", u16("inner body")),
				stream("__properties_version1.0", propStream(24)),
			}},
		}},
	}})
}

func TestParseMSG(t *testing.T) {
	b := minimalMSG()
	m, err := ParseMSG(bytes.NewReader(b), int64(len(b)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Déversement — rapport" {
		t.Errorf("subject %q", m.Subject)
	}
	if got := FormatAddresses(m.From); got != "Анна Петрова <anna@example.ru>" {
		t.Errorf("from %q", got)
	}
	if got := FormatAddresses(m.To); got != "Bob <bob@example.com>" {
		t.Errorf("to %q", got)
	}
	if got := FormatAddresses(m.Cc); got != "Carol <carol@example.com>" {
		t.Errorf("cc %q", got)
	}
	if !m.Date.Equal(msgDate) || m.MessageID != "<id@example.ru>" {
		t.Errorf("date %v id %q", m.Date, m.MessageID)
	}
	if !strings.HasPrefix(m.Text, "Body text line.\nBody") {
		t.Errorf("text %q", m.Text[:min(40, len(m.Text))])
	}
	if len(m.Attachments) != 2 {
		t.Fatalf("%d attachments", len(m.Attachments))
	}
	a := m.Attachments[0]
	r, _ := a.Open()
	data, _ := io.ReadAll(r)
	if a.Name != ".._report.pdf" || a.ContentType != "application/pdf" || a.Size != 1200 || !bytes.Equal(data, bytes.Repeat([]byte("%PDF"), 300)) {
		t.Errorf("attachment %+v, %d bytes read", a, len(data))
	}
	if string(b[a.Offset:a.Offset+4]) != "%PDF" {
		t.Errorf("attachment offset %d", a.Offset)
	}
	e := m.Attachments[1]
	if e.Message == nil || e.Message.Subject != "Inner subject" || e.Message.Text != "inner body" {
		t.Errorf("embedded %+v", e)
	}
	if md := m.Metadata(); md.Author != "Анна Петрова <anna@example.ru>" || !md.Created.Equal(msgDate) {
		t.Errorf("metadata %+v", md)
	}
}

func TestHostileMSG(t *testing.T) {
	good := minimalMSG()
	le := binary.LittleEndian
	dirOff := 1024 // sector 1
	mutate := func(f func(b []byte)) []byte {
		b := bytes.Clone(good)
		f(b)
		return b
	}
	// Index of the first data stream's start sector, from its entry.
	firstStreamStart := le.Uint32(good[dirOff+128+116:])
	tests := []struct {
		name string
		data []byte
	}{
		{"FAT loop on a stream", mutate(func(b []byte) { le.PutUint32(b[512+4*firstStreamStart:], firstStreamStart) })},
		{"FAT loop on the directory", mutate(func(b []byte) { le.PutUint32(b[512+4*1:], 1) })},
		{"directory sibling cycle", mutate(func(b []byte) { le.PutUint32(b[dirOff+128+72:], 1) })},
		{"child points at root", mutate(func(b []byte) { le.PutUint32(b[dirOff+128+76:], 0) })},
		{"sibling index out of range", mutate(func(b []byte) { le.PutUint32(b[dirOff+128+72:], 0x00FFFFFF) })},
		{"start sector out of range", mutate(func(b []byte) { le.PutUint32(b[dirOff+128+116:], 0x7FFFFFF0) })},
		{"stream size beyond the file", mutate(func(b []byte) { le.PutUint64(b[dirOff+128+120:], 1<<40) })},
		{"FAT sector out of range", mutate(func(b []byte) { le.PutUint32(b[76:], 99999) })},
		{"huge FAT count", mutate(func(b []byte) { le.PutUint32(b[44:], 0xFFFFFFF0) })},
		{"DIFAT loop", mutate(func(b []byte) { le.PutUint32(b[44:], 200); le.PutUint32(b[68:], 0) })},
		{"bad sector shift", mutate(func(b []byte) { le.PutUint16(b[30:], 40) })},
		{"truncated", good[:1500]},
		{"header only", good[:512]},
		{"not a compound file", []byte(strings.Repeat("x", 1024))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			go func() {
				defer close(done)
				m, err := ParseMSG(bytes.NewReader(tt.data), int64(len(tt.data)), Limits{})
				if err != nil {
					if m != nil {
						t.Errorf("message with error %v", err)
					}
					var fe *FormatError
					if !errors.Is(err, ErrFormat) && !errors.As(err, &fe) && !strings.Contains(err.Error(), "email:") {
						t.Logf("error: %v", err)
					}
					return
				}
				for _, a := range m.Attachments {
					if r, err := a.Open(); err == nil {
						io.Copy(io.Discard, r)
					}
				}
				_ = m.Metadata()
			}()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("hang")
			}
		})
	}
}
