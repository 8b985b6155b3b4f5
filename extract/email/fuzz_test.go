package email

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// fuzzLimits keeps each fuzz input cheap.
var fuzzLimits = Limits{MaxMessageSize: 1 << 20, MaxParts: 200, MaxDepth: 16, MaxAttachment: 1 << 16, MaxText: 1 << 16, ParseEmbedded: true}

func checkMessage(t *testing.T, m *Message) {
	_ = m.Metadata()
	for _, a := range m.Attachments {
		r, err := a.Open()
		if err != nil {
			continue
		}
		n, _ := io.Copy(io.Discard, r)
		if n > a.Size {
			t.Fatalf("attachment %q: read %d bytes, Size %d", a.Name, n, a.Size)
		}
		if a.Message != nil {
			checkMessage(t, a.Message)
		}
	}
}

func FuzzEML(f *testing.F) {
	f.Add([]byte(multipartMsg))
	f.Add([]byte("From: a@b\nSubject: =?KOI8-R?B?8NLJ18XU?=\nContent-Type: text/html\n\n<p>x</p>"))
	f.Add([]byte("From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\nFrom: c@d\n\nx\n--b--\n"))
	f.Add([]byte("12\nFrom: a@b\n\nx"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseEML(bytes.NewReader(data), int64(len(data)), fuzzLimits)
		if err != nil {
			if m != nil {
				t.Fatal("message with error")
			}
			return
		}
		checkMessage(t, m)
	})
}

func FuzzMBOX(f *testing.F) {
	f.Add([]byte("From a Mon Jun  1 10:00:00 2009\nFrom: a@b\n\n>From x\n\nFrom b Mon Jun  1 10:00:00 2009\nSubject: y\n\nz\n"))
	f.Add([]byte("From x\n" + multipartMsg))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		err := MBOX(context.Background(), bytes.NewReader(data), int64(len(data)), fuzzLimits, func(m *Message) error {
			n++
			if m.Offset < 0 || m.Offset >= int64(len(data)) {
				t.Fatalf("offset %d out of %d", m.Offset, len(data))
			}
			checkMessage(t, m)
			return nil
		})
		if err == nil && n == 0 && len(data) > 0 {
			t.Fatal("no message and no error")
		}
	})
}

func FuzzMSG(f *testing.F) {
	f.Add(minimalMSG())
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMSG(bytes.NewReader(data), int64(len(data)), fuzzLimits)
		if err != nil {
			if m != nil {
				t.Fatal("message with error")
			}
			return
		}
		checkMessage(t, m)
	})
}
