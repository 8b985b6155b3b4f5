package email

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func parseString(t *testing.T, s string, lim Limits) *Message {
	t.Helper()
	m, err := ParseEML(strings.NewReader(s), int64(len(s)), lim)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestHeaderDecoding(t *testing.T) {
	tests := []struct {
		name, header, wantSubject, wantFrom string
	}{
		{"utf-8 base64", "Subject: =?UTF-8?B?UHLDvGZ1bmcg4oKs?=", "Prüfung €", ""},
		{"iso-8859-1 q", "Subject: =?ISO-8859-1?Q?Caf=E9_cr=E8me?=", "Café crème", ""},
		{"gb2312", "Subject: =?GB2312?B?xOO6ww==?=", "你好", ""},
		{"koi8-r", "Subject: =?KOI8-R?B?8NLJ18XU?=", "Привет", ""},
		{"adjacent words joined", "Subject: =?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab", ""},
		{"folded", "Subject: one\r\n two", "one two", ""},
		{"raw utf-8", "Subject: Düsseldorf", "Düsseldorf", ""},
		{"raw latin-1", "Subject: D\xfcsseldorf", "Düsseldorf", ""},
		{"encoded name", "From: =?KOI8-R?B?7sHUwdvB?= <n@example.ru>", "", "Наташа <n@example.ru>"},
		{"quoted specials", "From: \"Nioche (JIRA)\" <jira@example.org>", "", "\"Nioche (JIRA)\" <jira@example.org>"},
		{"bare names", "From: xyz, abc", "", "xyz, abc"},
		{"bare quoted name", "From: \"Janette Elbertson\"", "", "\"Janette Elbertson\""},
		{"address without @", "From: Novell GroupWise <$$$.$$$>", "", "Novell GroupWise <$$$.$$$>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := parseString(t, tt.header+"\r\n\r\nbody\r\n", Limits{})
			if m.Subject != tt.wantSubject {
				t.Errorf("Subject %q, want %q", m.Subject, tt.wantSubject)
			}
			if got := FormatAddresses(m.From); got != tt.wantFrom {
				t.Errorf("From %q, want %q", got, tt.wantFrom)
			}
		})
	}
}

func TestDateAndIDs(t *testing.T) {
	m := parseString(t, "From: a@example.com\nDate: Mon, 1 Jun 2009 09:56:31 +0530 (IST)\n"+
		"Message-ID: <1@x>\nIn-Reply-To: <0@x>\nReferences: <a@x>\n <b@x>\nReceived: from a\n by b; Mon, 1 Jun 2009\n\nhi\n", Limits{})
	want := time.Date(2009, 6, 1, 4, 26, 31, 0, time.UTC)
	if !m.Date.Equal(want) {
		t.Errorf("Date %v, want %v", m.Date, want)
	}
	md := m.Metadata()
	if md.Format != "email" || !md.Created.Equal(want) || md.Author != "a@example.com" {
		t.Errorf("Metadata %+v", md)
	}
	if got, _ := field(m, "Date"); got != "Mon, 01 Jun 2009 09:56:31 +0530" {
		t.Errorf("Date field %q", got)
	}
	if m.MessageID != "<1@x>" || m.InReplyTo != "<0@x>" || !reflect.DeepEqual(m.References, []string{"<a@x>", "<b@x>"}) {
		t.Errorf("ids %q %q %q", m.MessageID, m.InReplyTo, m.References)
	}
	if len(m.Received) != 1 || m.Received[0] != "from a by b; Mon, 1 Jun 2009" {
		t.Errorf("Received %q", m.Received)
	}
	names := []string{}
	for _, h := range m.Headers {
		names = append(names, h.Name)
	}
	if strings.Join(names, ",") != "From,Date,Message-ID,In-Reply-To,References,Received" {
		t.Errorf("header order %v", names)
	}
}

func TestBodies(t *testing.T) {
	tests := []struct {
		name, msg, want string
	}{
		{"quoted-printable latin-1", "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nD=FCsseldorf has non-ascii. Lines can be =\nsplit.\n", "Düsseldorf has non-ascii. Lines can be split.\n"},
		{"base64 utf-8", "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nSGVyZSBpcyB0ZXh0LCB2b2lsw6AhCg==\n", "Here is text, voilà!\n"},
		{"base64 missing padding", "Content-Transfer-Encoding: base64\n\nYWJj\nZA\n", "abcd"},
		{"koi8-r", "Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n\n\xf0\xd2\xc9\xd7\xc5\xd4\n", "Привет\n"},
		{"shift_jis", "Content-Type: text/plain; charset=shift_jis\n\n\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd\n", "こんにちは\n"},
		{"unknown charset, utf-8 bytes", "Content-Type: text/plain; charset=x-unknown\n\nÅngström\n", "Ångström\n"},
		{"ascii label on latin-1", "Content-Type: text/plain; charset=us-ascii\n\ncaf\xe9\n", "café\n"},
		{"html only", "Content-Type: text/html; charset=utf-8\n\n<html><head><style>p{x:y}</style><script>var a;</script></head><body><p>Hello&nbsp;<b>world</b></p><p>again</p></body></html>", "Hello world\nagain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := parseString(t, "From: a@b\n"+tt.msg, Limits{})
			if m.Text != tt.want {
				t.Errorf("Text %q, want %q", m.Text, tt.want)
			}
		})
	}
}

const multipartMsg = "From: a@example.com\r\n" +
	"Subject: parts\r\n" +
	"Content-Type: multipart/mixed; boundary=\"outer\"\r\n" +
	"\r\n" +
	"preamble\r\n" +
	"--outer\r\n" +
	"Content-Type: multipart/alternative; boundary=inner\r\n" +
	"\r\n" +
	"--inner\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"\r\n" +
	"plain body\r\n" +
	"--inner\r\n" +
	"Content-Type: text/html\r\n" +
	"\r\n" +
	"<p>html body</p>\r\n" +
	"--inner--\r\n" +
	"--outer\r\n" +
	"Content-Type: application/octet-stream\r\n" +
	"Content-Disposition: attachment;\r\n" +
	" filename*0*=iso-8859-1''R%E9sum%E9;\r\n" +
	" filename*1=\".pdf\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"AAECAwQ=\r\n" +
	"--outer\r\n" +
	"Content-Type: text/plain; name=\"=?UTF-8?B?0YTQsNC50LsudHh0?=\"\r\n" +
	"Content-Disposition: attachment\r\n" +
	"\r\n" +
	"file text\r\n" +
	"--outer\r\n" +
	"Content-Type: image/png\r\n" +
	"Content-Disposition: inline; filename=\"../../etc/pass\x01wd\"\r\n" +
	"\r\n" +
	"PNG\r\n" +
	"--outer\r\n" +
	"Content-Type: application/ms-tnef; name=winmail.dat\r\n" +
	"\r\n" +
	"x\r\n" +
	"--outer--\r\n" +
	"epilogue\r\n"

func TestMultipart(t *testing.T) {
	m := parseString(t, multipartMsg, Limits{})
	if m.Text != "plain body" {
		t.Errorf("Text %q", m.Text)
	}
	type att struct {
		Name, CT string
		Size     int64
		Data     string
	}
	var got []att
	for _, a := range m.Attachments {
		r, err := a.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		got = append(got, att{a.Name, a.ContentType, a.Size, string(b)})
		if a.Offset <= 0 || a.Offset >= int64(len(multipartMsg)) {
			t.Errorf("%s: offset %d", a.Name, a.Offset)
		}
	}
	want := []att{
		{"Résumé.pdf", "application/octet-stream", 5, "\x00\x01\x02\x03\x04"},
		{"файл.txt", "text/plain", 9, "file text"},
		{".._.._etc_pass_wd", "image/png", 3, "PNG"},
		{"winmail.dat", "application/ms-tnef", 1, "x"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("attachments\n got %+v\nwant %+v", got, want)
	}
	if a := m.Attachments[0]; multipartMsg[a.Offset:a.Offset+8] != "AAECAwQ=" {
		t.Errorf("offset %d does not point at the encoded content", a.Offset)
	}
	if !strings.Contains(m.Attachments[3].Note, "TNEF") {
		t.Errorf("TNEF note %q", m.Attachments[3].Note)
	}
	if _, err := json.Marshal(m); err != nil {
		t.Errorf("json: %v", err)
	}
}

func TestEmbeddedMessage(t *testing.T) {
	msg := "From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nouter\n--b\nContent-Type: message/rfc822\n\nFrom: inner@example.com\nSubject: inner\n\ninner text\n--b--\n"
	m := parseString(t, msg, Limits{})
	if m.Text != "outer" || len(m.Attachments) != 1 || m.Attachments[0].Message != nil {
		t.Fatalf("not asked: %q %+v", m.Text, m.Attachments)
	}
	m = parseString(t, msg, Limits{ParseEmbedded: true})
	sub := m.Attachments[0].Message
	if sub == nil || sub.Subject != "inner" || sub.Text != "inner text" {
		t.Fatalf("embedded %+v", sub)
	}
}

func TestEMLX(t *testing.T) {
	body := "From: a@b\nSubject: x\n\nhello\n"
	s := strconv.Itoa(len(body)) + "\n" + body + "<?xml version=\"1.0\"?><plist/>"
	m := parseString(t, s, Limits{})
	if m.Subject != "x" || m.Text != "hello\n" && m.Text != "hello" {
		t.Errorf("emlx: %q %q", m.Subject, m.Text)
	}
}

func TestMBOX(t *testing.T) {
	mbox := "From alice@example.com Mon Jun  1 10:00:00 2009\n" +
		"From: alice@example.com\nSubject: one\n\nfirst\n>From the start\n>>From deeper\n\n" +
		"From bob@example.com Mon Jun  1 11:00:00 2009\n" +
		"From: bob@example.com\nSubject: two\n\nsecond\n\n" +
		"From carol@example.com Mon Jun  1 12:00:00 2009\n" +
		"From: carol@example.com\nSubject: three\nContent-Type: multipart/mixed; boundary=z\n\n--z\nContent-Disposition: attachment; filename=a.txt\n\n>From x\n--z--\n"
	var got []*Message
	err := MBOX(context.Background(), strings.NewReader(mbox), int64(len(mbox)), Limits{}, func(m *Message) error {
		got = append(got, m)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d messages", len(got))
	}
	for i, want := range []string{"one", "two", "three"} {
		if got[i].Subject != want {
			t.Errorf("message %d subject %q", i, got[i].Subject)
		}
		if !strings.HasPrefix(mbox[got[i].Offset:], "From ") {
			t.Errorf("message %d offset %d not at a From line", i, got[i].Offset)
		}
	}
	if got[0].Text != "first\nFrom the start\n>From deeper\n" {
		t.Errorf("unquoting: %q", got[0].Text)
	}
	if got[1].Text != "second\n" {
		t.Errorf("second text %q", got[1].Text)
	}
	a := got[2].Attachments[0]
	// The part starts at its line, the quoting '>' included.
	if mbox[a.Offset:a.Offset+7] != ">From x" {
		t.Errorf("attachment offset %d: %q", a.Offset, mbox[a.Offset:a.Offset+7])
	}
	if got[0].Envelope != "alice@example.com Mon Jun  1 10:00:00 2009" {
		t.Errorf("envelope %q", got[0].Envelope)
	}

	stop := errors.New("stop")
	n := 0
	err = MBOX(context.Background(), strings.NewReader(mbox), int64(len(mbox)), Limits{}, func(*Message) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("callback error: %v after %d", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := MBOX(ctx, strings.NewReader(mbox), int64(len(mbox)), Limits{}, func(*Message) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if err := MBOX(context.Background(), strings.NewReader("hello"), 5, Limits{}, func(*Message) error { return nil }); !errors.Is(err, ErrFormat) {
		t.Errorf("not an mbox: %v", err)
	}
}

func TestHostileEML(t *testing.T) {
	deep := func(n int) string {
		var b strings.Builder
		b.WriteString("From: a@b\n")
		for i := 0; i < n; i++ {
			b.WriteString("Content-Type: multipart/mixed; boundary=b")
			b.WriteString(strings.Repeat("x", i%50))
			b.WriteString("\n\n--b")
			b.WriteString(strings.Repeat("x", i%50))
			b.WriteString("\n")
		}
		b.WriteString("Content-Type: text/plain\n\nbottom\n")
		return b.String()
	}
	huge := "From: a@b\nContent-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n" +
		strings.Repeat("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n", 40000) + "--q--\n"
	tests := []struct {
		name  string
		msg   string
		lim   Limits
		check func(t *testing.T, m *Message)
	}{
		{"10000-deep multipart", deep(10000), Limits{}, func(t *testing.T, m *Message) {
			if !hasAnomaly(m, "MaxDepth") {
				t.Errorf("no MaxDepth anomaly: %q", m.Anomalies)
			}
		}},
		{"boundary never closes", "From: a@b\nContent-Type: multipart/mixed; boundary=nope\n\n--nope\nContent-Type: text/plain\n\nstill here\n", Limits{}, func(t *testing.T, m *Message) {
			if m.Text != "still here\n" || !hasAnomaly(m, "never closed") {
				t.Errorf("text %q anomalies %q", m.Text, m.Anomalies)
			}
		}},
		{"attachment over the limit", huge, Limits{MaxAttachment: 1000}, func(t *testing.T, m *Message) {
			a := m.Attachments[0]
			r, _ := a.Open()
			b, _ := io.ReadAll(r)
			if a.Size != 1000 || !a.Truncated || len(b) != 1000 || b[0] != 'A' {
				t.Errorf("size %d truncated %v read %d", a.Size, a.Truncated, len(b))
			}
		}},
		{"message over the limit", huge, Limits{MaxMessageSize: 4096}, func(t *testing.T, m *Message) {
			if !hasAnomaly(m, "MaxMessageSize") {
				t.Errorf("anomalies %q", m.Anomalies)
			}
		}},
		{"many parts", "From: a@b\nContent-Type: multipart/mixed; boundary=p\n\n" + strings.Repeat("--p\n\nx\n", 5000), Limits{MaxParts: 100}, func(t *testing.T, m *Message) {
			if !hasAnomaly(m, "MaxParts") {
				t.Errorf("anomalies %q", m.Anomalies)
			}
		}},
		{"many headers", "From: a@b\n" + strings.Repeat("X-A: b\n", 5000) + "\nbody", Limits{MaxHeaders: 10}, func(t *testing.T, m *Message) {
			if len(m.Headers) != 10 || !hasAnomaly(m, "MaxHeaders") {
				t.Errorf("%d headers, %q", len(m.Headers), m.Anomalies)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan *Message)
			go func() {
				m, err := ParseEML(strings.NewReader(tt.msg), int64(len(tt.msg)), tt.lim)
				if err != nil {
					t.Error(err)
				}
				done <- m
			}()
			select {
			case m := <-done:
				if m != nil {
					tt.check(t, m)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("hang")
			}
		})
	}
	if m, err := ParseEML(strings.NewReader("no header here"), 14, Limits{}); err == nil || m != nil || !errors.Is(err, ErrFormat) {
		t.Errorf("garbage: %v, %v", m, err)
	}
}

func hasAnomaly(m *Message, s string) bool {
	for _, a := range m.Anomalies {
		if strings.Contains(a, s) {
			return true
		}
	}
	return false
}

func TestSanitizeName(t *testing.T) {
	for in, want := range map[string]string{
		"a/b\\c":         "a_b_c",
		"..":             "_",
		"x\u202etxt.exe": "x_txt.exe",
		"ok name.pdf":    "ok name.pdf",
		"nul\x00":        "nul_",
	} {
		if got := sanitizeName(in); got != want {
			t.Errorf("sanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMetadataFieldNames(t *testing.T) {
	m := parseString(t, multipartMsg, Limits{})
	var names []string
	for _, f := range m.Metadata().Fields {
		names = append(names, f.Name)
	}
	if want := "From,Subject,Attachment,Attachment,Attachment,Attachment"; strings.Join(names, ",") != want {
		t.Errorf("fields %v, want %s", names, want)
	}
	b, _ := json.Marshal(Attachment{})
	if want := `{"offset":0,"size":0}`; !bytes.Equal(b, []byte(want)) {
		t.Errorf("attachment json %s", b)
	}
}
