package all

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/pangolin-forensics/pangolin/extract"
)

func TestSniffText(t *testing.T) {
	for _, tc := range []struct{ head, want string }{
		{"<!DOCTYPE html><html><body>x</body></html>", "text/html"},
		{"\xef\xbb\xbf  <HTML><head>", "text/html"},
		{"From: a@b.example\r\nTo: c@d.example\r\nSubject: x\r\n\r\nbody", "message/rfc822"},
		{"Received: from x\r\n\tby y\r\nDate: Sun, 1 Mar 2026 08:00:00 +0000\r\n\r\n", "message/rfc822"},
		{"From a@b Sun Mar  1 08:12:44 2026\nFrom: a@b.example\nSubject: x\n\nhi\n", "application/mbox"},
		{"From the river we took the boat.\nIt was late.", ""},
		{"Subject to contract: 40 kg\nnothing else", ""},
		{"plain notes\nwith: colons", ""},
		{"", ""},
	} {
		if got := sniffText([]byte(tc.head)); got != tc.want {
			t.Errorf("sniffText(%q) = %q, want %q", tc.head, got, tc.want)
		}
	}
}

func TestIsBinary(t *testing.T) {
	utf16 := []byte{}
	for _, r := range "Habari, simu 0712 345 678" {
		utf16 = append(utf16, byte(r), 0)
	}
	for _, tc := range []struct {
		head []byte
		want bool
	}{
		{[]byte("plain text\r\nwith lines\tand tabs"), false},
		{[]byte("Tiếng Việt và 中文"), false},
		{utf16, false},
		{[]byte{0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0x40}, true},
		{[]byte{1, 2, 3, 4, 5, 6, 7, 8, 'a', 'b'}, true},
		{nil, false},
	} {
		if got := isBinary(tc.head); got != tc.want {
			t.Errorf("isBinary(%q) = %v, want %v", tc.head, got, tc.want)
		}
	}
}

func TestExtractDispatch(t *testing.T) {
	x := New(Options{Text: true, Region: "TZ"})
	defer x.Close()
	for _, tc := range []struct {
		name, mime, content, entity string
		children                    int
	}{
		{"notes.txt", "", "simu 0754 123 456, IMO 9074729", "+255754123456", 0},
		{"page.html", "", "<html><title>t</title><body>mail juma@example.co.tz</body></html>", "juma@example.co.tz", 0},
		{"m.eml", "", "From: a@example.com\r\nDate: Sun, 01 Mar 2026 08:12:44 +0300\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n+255 754 123 456\r\n--b\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nx\r\n--b--\r\n", "+255754123456", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := x.Extract(context.Background(), strings.NewReader(tc.content), int64(len(tc.content)), tc.name, tc.mime, []byte(tc.content))
			found := false
			for _, e := range r.Entities {
				found = found || e.Value == tc.entity
			}
			if !found || len(r.Children) != tc.children || r.Err != "" {
				t.Errorf("entities %v, %d children, err %q", r.Entities, len(r.Children), r.Err)
			}
		})
	}
}

// TestEntityOffsets checks that entities found in long text keep offsets
// into the whole text, across the pieces it is searched in.
func TestEntityOffsets(t *testing.T) {
	x := New(Options{Text: true})
	res := &Result{Text: strings.Repeat("a ", 9<<20) + "juma@example.com"}
	x.findEntities(res)
	want := int64(2 * (9 << 20))
	ok := false
	for _, e := range res.Entities {
		ok = ok || (e.Type == extract.Email && e.Offset == want && res.Text[e.Offset:e.Offset+int64(len(e.Raw))] == e.Raw)
	}
	if !ok {
		t.Errorf("entities %v", res.Entities)
	}
}

func FuzzSniffText(f *testing.F) {
	f.Add([]byte("From: a\r\nDate: b\r\n\r\n"))
	f.Add([]byte("From x\n\nFrom: y\n"))
	f.Add([]byte("<html>"))
	f.Fuzz(func(t *testing.T, head []byte) {
		a, b := sniffText(head), sniffText(bytes.Clone(head))
		if a != b {
			t.Fatalf("not deterministic: %q %q", a, b)
		}
	})
}
