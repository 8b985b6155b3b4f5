package email

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pangolin-forensics/pangolin/extract"
)

// Message is one e-mail message.
type Message struct {
	// Headers holds every header field in file order, unfolded, with
	// RFC 2047 encoded words decoded. For a .msg file it holds the
	// transport headers when the message kept them.
	Headers []extract.Field `json:"headers,omitempty"`

	From    []Address `json:"from,omitempty"`
	Sender  []Address `json:"sender,omitempty"`
	ReplyTo []Address `json:"reply_to,omitempty"`
	To      []Address `json:"to,omitempty"`
	Cc      []Address `json:"cc,omitempty"`
	Bcc     []Address `json:"bcc,omitempty"`

	Subject string `json:"subject,omitempty"`
	// Date is the Date header (or, in a .msg file without one, the
	// submit or delivery time); zero when absent or unreadable.
	Date       time.Time `json:"date,omitzero"`
	MessageID  string    `json:"message_id,omitempty"`
	InReplyTo  string    `json:"in_reply_to,omitempty"`
	References []string  `json:"references,omitempty"`
	// Received holds the Received header fields, newest first as written.
	Received []string `json:"received,omitempty"`

	// Text is the body text in UTF-8 with "\n" line ends: the text/plain
	// parts, or the text/html parts turned into text where a message or
	// alternative has no plain text.
	Text string `json:"text,omitempty"`

	Attachments []Attachment `json:"attachments,omitempty"`

	// Offset is the byte offset of the message in its file: 0 for a file
	// holding one message, the start of its "From " line in an MBOX.
	Offset int64 `json:"offset"`
	// Envelope is the MBOX "From " line (without "From "), if any.
	Envelope string `json:"envelope,omitempty"`

	// Anomalies says what was odd or cut short while reading the message
	// (limits reached, undecodable parts, unreadable streams).
	Anomalies []string `json:"anomalies,omitempty"`

	dateRaw string // the Date header as written, decoded
}

// Address is one mailbox. Either part may be empty: headers in the wild
// carry bare names ("Janette Elbertson") and bare addresses.
type Address struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// Attachment is a part of a message that is a file rather than body text:
// a MIME leaf with a file name or "attachment" disposition, a non-text
// leaf, a message/rfc822 part, or a .msg attachment.
type Attachment struct {
	// Name is the decoded file name (RFC 2231 or RFC 2047), sanitised:
	// control, bidirectional-override and path-separator characters are
	// replaced by '_'. It is evidence, never a path.
	Name        string `json:"name,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	// Disposition is the MIME Content-Disposition type ("attachment",
	// "inline"), empty when the part has none.
	Disposition string `json:"disposition,omitempty"`
	// Offset is the byte offset in the evidence file of the attachment's
	// encoded content: the MIME part's body, or the first sector of a
	// .msg attachment's data stream; -1 when it has no single place (an
	// embedded .msg message).
	Offset int64 `json:"offset"`
	// Size is the decoded size in bytes, at most [Limits.MaxAttachment].
	Size int64 `json:"size"`
	// Truncated is set when the content is longer than
	// [Limits.MaxAttachment] and Size and Open stop there.
	Truncated bool `json:"truncated,omitempty"`
	// Message is the attached message when it was parsed: message/rfc822
	// parts when [Limits.ParseEmbedded] is set, embedded .msg messages
	// always.
	Message *Message `json:"message,omitempty"`
	// Note says what was not done with the attachment ("TNEF ... not
	// decoded", "embedded message not parsed: ...").
	Note string `json:"note,omitempty"`

	open func() (io.Reader, error)
}

// Open returns the decoded content, at most Size bytes. Each call starts
// again from the beginning. The reader reads from the message's bytes in
// memory (MIME) or from the evidence file's io.ReaderAt (.msg), which
// must stay open.
func (a *Attachment) Open() (io.Reader, error) {
	if a.open == nil {
		return bytes.NewReader(nil), nil
	}
	return a.open()
}

// Limits bounds the work and memory spent on one message. A zero field
// takes its default.
type Limits struct {
	// MaxMessageSize is the number of bytes of one message read into
	// memory (default 64 MiB). Longer messages are cut there.
	MaxMessageSize int64
	// MaxParts is the number of MIME parts per message, or recipients
	// plus attachments in a .msg file (default 1000).
	MaxParts int64
	// MaxDepth bounds the nesting of multiparts and embedded messages
	// (default 32).
	MaxDepth int64
	// MaxAttachment is the number of decoded bytes counted and handed out
	// for one attachment (default 32 MiB).
	MaxAttachment int64
	// MaxText is the number of bytes of body text kept per message, and
	// of one .msg property read (default 16 MiB).
	MaxText int64
	// MaxHeaders is the number of header fields kept per message or part
	// (default 1000).
	MaxHeaders int64
	// ParseEmbedded parses message/rfc822 attachments into
	// [Attachment.Message].
	ParseEmbedded bool
}

// Default limits.
const (
	DefaultMaxMessageSize = 64 << 20
	DefaultMaxParts       = 1000
	DefaultMaxDepth       = 32
	DefaultMaxAttachment  = 32 << 20
	DefaultMaxText        = 16 << 20
	DefaultMaxHeaders     = 1000
)

func (l Limits) withDefaults() Limits {
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxMessageSize, DefaultMaxMessageSize)
	def(&l.MaxParts, DefaultMaxParts)
	def(&l.MaxDepth, DefaultMaxDepth)
	def(&l.MaxAttachment, DefaultMaxAttachment)
	def(&l.MaxText, DefaultMaxText)
	def(&l.MaxHeaders, DefaultMaxHeaders)
	return l
}

// ErrFormat means the input is not a message, mailbox or .msg file this
// package can read, or is broken beyond reading.
var ErrFormat = errors.New("email: invalid format")

// FormatError is a parse error at a byte offset of the evidence file.
type FormatError struct {
	Offset int64
	Msg    string
	Err    error // ErrFormat or an I/O error
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("email: %s at offset %d", e.Msg, e.Offset)
}

func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(off int64, format string, args ...any) error {
	return &FormatError{Offset: off, Msg: fmt.Sprintf(format, args...), Err: ErrFormat}
}

func (m *Message) anomaly(format string, args ...any) {
	if len(m.Anomalies) >= 100 {
		return
	}
	s := fmt.Sprintf(format, args...)
	for _, a := range m.Anomalies {
		if a == s {
			return
		}
	}
	m.Anomalies = append(m.Anomalies, s)
}

// Metadata returns the message's metadata for the catalog: Format
// "email", Fields From, Sender, Reply-To, To, Cc, Bcc, Subject, Date,
// Message-ID, In-Reply-To, References and one Attachment per attachment;
// Created is the Date and Author the first From address.
//
// Address fields are written as Python's email package (policy.default)
// writes them: `Name <addr>`, the name quoted when it holds one of
// ()<>@,:;."[]\, a bare address or a bare name, joined by ", ". Date is
// written "Mon, 02 Jan 2006 15:04:05 -0700", or as found when unreadable.
func (m *Message) Metadata() *extract.Metadata {
	md := &extract.Metadata{Format: "email", Created: m.Date}
	add := func(name, v string) {
		if v != "" {
			md.Fields = append(md.Fields, extract.Field{Name: name, Value: v})
		}
	}
	add("From", FormatAddresses(m.From))
	add("Sender", FormatAddresses(m.Sender))
	add("Reply-To", FormatAddresses(m.ReplyTo))
	add("To", FormatAddresses(m.To))
	add("Cc", FormatAddresses(m.Cc))
	add("Bcc", FormatAddresses(m.Bcc))
	add("Subject", m.Subject)
	add("Date", m.formatDate())
	add("Message-ID", m.MessageID)
	add("In-Reply-To", m.InReplyTo)
	add("References", strings.Join(m.References, " "))
	for _, a := range m.Attachments {
		add("Attachment", a.Name)
	}
	if len(m.From) > 0 {
		md.Author = m.From[0].String()
	}
	return md
}

func (m *Message) formatDate() string {
	if m.Date.IsZero() {
		return m.dateRaw
	}
	s := m.Date.Format("Mon, 02 Jan 2006 15:04:05 -0700")
	if strings.HasSuffix(strings.TrimSpace(m.dateRaw), "-0000") {
		s = s[:len(s)-5] + "-0000"
	}
	return s
}
