// Package all runs the extractor each file needs, chosen by its content
// type: photo EXIF and GPS (exif), video metadata (media), PDF metadata
// and text (pdf), office documents, HTML and plain text (doc), email
// (email), printable strings of other files; then finds entities in the
// text and metadata (entities). The processing pipeline and the meta
// command call it for every file.
//
// It leaves to others: reading the bytes (the caller passes an
// io.ReaderAt), hashing, and storing results. Messages in a mailbox and
// attachments are returned as children for the caller to process like any
// file (hash, type, extraction), so that an attachment is catalogued as a
// child artefact of its message.
package all

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/pangolin-forensics/pangolin/extract"
	"github.com/pangolin-forensics/pangolin/extract/doc"
	"github.com/pangolin-forensics/pangolin/extract/email"
	"github.com/pangolin-forensics/pangolin/extract/entities"
	"github.com/pangolin-forensics/pangolin/extract/exif"
	"github.com/pangolin-forensics/pangolin/extract/media"
	"github.com/pangolin-forensics/pangolin/extract/pdf"
)

// Options tune an Extractor.
type Options struct {
	// Region is the ISO 3166 country whose national phone number forms
	// are recognised ("KE"); "" recognises international forms only.
	Region string
	// Text turns text extraction on (documents, PDF, email bodies,
	// strings); metadata is always read.
	Text bool
	// MaxText bounds the text kept per file (default 8 MiB).
	MaxText int
	// PDFCache is a folder for the compiled PDF engine, so that it is
	// compiled once per machine ("" compiles it in every process).
	PDFCache string
}

// Extractor runs extractors. It is safe for concurrent use; Close it to
// stop the PDF engine.
type Extractor struct {
	opts Options

	pdfOnce sync.Once
	pdf     *pdf.Extractor
	pdfErr  error
}

// New returns an Extractor. The PDF engine starts at the first PDF.
func New(opts Options) *Extractor {
	if opts.MaxText <= 0 {
		opts.MaxText = 8 << 20
	}
	return &Extractor{opts: opts}
}

// Close stops the PDF engine, if it started.
func (x *Extractor) Close() error {
	if x.pdf != nil {
		return x.pdf.Close()
	}
	return nil
}

// Result is what extraction found in one file.
type Result struct {
	// MIME is the type the file was read as: the one given, or the text
	// format recognised from its head (HTML, email, mailbox).
	MIME     string
	Meta     []*extract.Metadata
	Text     string
	Entities []extract.Entity
	// Children are files inside this one: a mailbox's messages, a
	// message's attachments.
	Children []Child
	// Err says why extraction failed or stopped short ("" when it did
	// not); what was found before is kept.
	Err string
}

// Child is a file found inside another.
type Child struct {
	// Name is the child's name as evidence gives it (an attachment's file
	// name, "message-000001" for a mailbox's messages): never a path.
	Name    string
	Content *io.SectionReader
	// Done, when set, is the child's extraction, already made (a
	// mailbox's message is parsed as the mailbox is read): the caller
	// hashes Content and stores Done instead of extracting again.
	Done *Result
}

// Extract reads what a file of this MIME type (as filetype detects it;
// "" when unknown) and name holds. head is its first bytes (up to
// filetype.HeadSize), used to recognise texts the type detector leaves
// unnamed (HTML, email, mailboxes).
func (x *Extractor) Extract(ctx context.Context, r io.ReaderAt, size int64, name, mime string, head []byte) *Result {
	res := &Result{}
	fail := func(err error) {
		if err != nil && res.Err == "" {
			res.Err = oneLine(err)
		}
	}
	if mime == "" {
		mime = sniffText(head)
	}
	res.MIME = mime
	switch {
	case isPhoto(mime):
		m, err := exif.Photo(r, size)
		if errors.Is(err, exif.ErrNoEXIF) {
			err = nil
		}
		res.add(m)
		fail(err)
	case isVideo(mime):
		m, err := media.Video(r, size)
		if errors.Is(err, media.ErrNotMedia) {
			err = nil
		}
		res.add(m)
		fail(err)
	case mime == "application/pdf":
		x.pdfOnce.Do(func() {
			x.pdf, x.pdfErr = pdf.New(context.WithoutCancel(ctx), pdf.Options{MaxText: x.opts.MaxText, CompilationCacheDir: x.opts.PDFCache})
		})
		if x.pdfErr != nil {
			fail(fmt.Errorf("pdf engine: %w", x.pdfErr))
			break
		}
		m, text, err := x.pdf.Extract(ctx, r, size)
		res.add(m)
		if x.opts.Text {
			res.Text = text
		}
		fail(err)
	case mime == "message/rfc822":
		msg, err := email.ParseEML(r, size, email.Limits{})
		fail(err)
		x.message(res, msg)
	case mime == "application/vnd.ms-outlook":
		msg, err := email.ParseMSG(r, size, email.Limits{})
		fail(err)
		x.message(res, msg)
	case mime == "application/mbox":
		n := 0
		var offsets []int64
		var done []*Result
		err := email.MBOX(ctx, r, size, email.Limits{}, func(m *email.Message) error {
			sub := &Result{}
			x.message(sub, m)
			x.findEntities(sub)
			offsets = append(offsets, m.Offset)
			done = append(done, sub)
			n++
			return nil
		})
		fail(err)
		for i, off := range offsets {
			end := size
			if i+1 < len(offsets) {
				end = offsets[i+1]
			}
			res.Children = append(res.Children, Child{Name: fmt.Sprintf("message-%06d", i+1), Content: io.NewSectionReader(r, off, end-off), Done: done[i]})
		}
	default:
		m, err := doc.Metadata(r, size, mime)
		if errors.Is(err, doc.ErrUnsupported) {
			err = nil
		}
		res.add(m)
		fail(err)
		if !x.opts.Text {
			break
		}
		text, err := "", doc.ErrUnsupported
		if mime != "" || !isBinary(head) {
			text, err = doc.Text(r, size, mime, doc.Limits{MaxText: x.opts.MaxText})
		}
		switch {
		case errors.Is(err, doc.ErrUnsupported):
			// Not a document: its printable strings, for the index.
			text, err = doc.Strings(r, size, 6, doc.Limits{MaxText: x.opts.MaxText})
		case mime == "" && (err == nil || errors.Is(err, doc.ErrTruncated)):
			res.MIME = "text/plain"
		case errors.Is(err, doc.ErrTruncated):
			err = nil
		}
		res.Text = text
		fail(err)
	}
	x.findEntities(res)
	return res
}

// message stores a parsed message in res.
func (x *Extractor) message(res *Result, msg *email.Message) {
	if msg == nil {
		return
	}
	res.add(msg.Metadata())
	if x.opts.Text {
		res.Text = msg.Text
	}
	for i, a := range msg.Attachments {
		rd, err := a.Open()
		if err != nil {
			if res.Err == "" {
				res.Err = oneLine(fmt.Errorf("attachment %d: %w", i+1, err))
			}
			continue
		}
		b, err := io.ReadAll(rd) // at most email.Limits.MaxAttachment
		if err != nil && res.Err == "" {
			res.Err = oneLine(fmt.Errorf("attachment %d: %w", i+1, err))
		}
		name := a.Name
		if name == "" {
			name = fmt.Sprintf("attachment-%03d", i+1)
		}
		res.Children = append(res.Children, Child{Name: name, Content: io.NewSectionReader(bytes.NewReader(b), 0, int64(len(b)))})
	}
}

// findEntities searches the text and the metadata values.
func (x *Extractor) findEntities(res *Result) {
	opts := entities.Options{DefaultRegion: x.opts.Region}
	text := res.Text
	for off := 0; off < len(text); {
		end := min(len(text), off+entities.MaxText)
		for _, e := range entities.Find(text[off:end], opts) {
			e.Offset += int64(off)
			res.Entities = append(res.Entities, e)
		}
		off = end
	}
	for _, m := range res.Meta {
		for _, f := range m.Fields {
			for _, e := range entities.Find(f.Value, opts) {
				e.Offset = -1 // in metadata, not in the text
				e.Raw = f.Name + ": " + e.Raw
				res.Entities = append(res.Entities, e)
			}
		}
	}
}

func (res *Result) add(m *extract.Metadata) {
	if m != nil {
		res.Meta = append(res.Meta, m)
	}
}

func isPhoto(mime string) bool {
	switch mime {
	case "image/jpeg", "image/tiff", "image/png", "image/webp", "image/heic", "image/heif", "image/avif",
		"image/x-canon-cr2", "image/x-canon-cr3", "image/x-nikon-nef", "image/x-sony-arw", "image/x-adobe-dng",
		"image/x-olympus-orf", "image/x-panasonic-rw2":
		return true
	}
	return false
}

func isVideo(mime string) bool {
	switch mime {
	case "video/mp4", "video/quicktime", "video/3gpp", "video/3gpp2", "video/x-m4v", "audio/mp4", "audio/x-m4a":
		return true
	}
	return false
}

// sniffText names the text formats a binary signature cannot: HTML, an
// email message, a mailbox. Anything else stays "" (plain text or
// unknown binary: doc decides).
func sniffText(head []byte) string {
	h := bytes.TrimLeft(head, "\xef\xbb\xbf \t\r\n")
	lower := strings.ToLower(string(h[:min(len(h), 512)]))
	switch {
	case strings.HasPrefix(lower, "<!doctype html"), strings.HasPrefix(lower, "<html"),
		strings.HasPrefix(lower, "<head"), strings.HasPrefix(lower, "<body"):
		return "text/html"
	case strings.HasPrefix(string(h), "From ") && bytes.Contains(h[:min(len(h), 4096)], []byte("\nFrom:")) ||
		strings.HasPrefix(string(h), "From ") && bytes.Contains(h[:min(len(h), 4096)], []byte("\nReceived:")):
		return "application/mbox"
	}
	// An email starts with header fields; these names begin most.
	for _, p := range []string{"return-path:", "received:", "delivered-to:", "from:", "message-id:", "mime-version:", "x-", "date:", "to:", "subject:"} {
		if strings.HasPrefix(lower, p) && looksLikeHeaders(lower) {
			return "message/rfc822"
		}
	}
	return ""
}

// isBinary reports whether a head with no known type is binary data
// rather than text in some encoding: many control bytes, and not the
// alternating zero bytes of UTF-16 text. It spares the encoding detector,
// the costliest reader of text, every binary file.
func isBinary(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	var ctl, zeros [2]int
	for i, c := range head {
		switch {
		case c == 0:
			zeros[i%2]++
			ctl[i%2]++
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b:
			ctl[i%2]++
		}
	}
	half := len(head) / 2
	for p := range 2 {
		// UTF-16: one byte of each pair is mostly zero, the other is not.
		if half > 0 && zeros[p] > half*3/10 && zeros[1-p] < half/20 {
			return false
		}
	}
	return (ctl[0]+ctl[1])*20 > len(head) // over 5% control bytes
}

// looksLikeHeaders reports whether the first lines are "Name: value"
// header fields, with a From or Date among them.
func looksLikeHeaders(s string) bool {
	lines := strings.SplitN(s, "\n", 12)
	fields := 0
	key := false
	for _, l := range lines[:max(len(lines)-1, 1)] {
		l = strings.TrimRight(l, "\r")
		if l == "" {
			break
		}
		if l[0] == ' ' || l[0] == '\t' {
			continue // folded
		}
		name, _, ok := strings.Cut(l, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return false
		}
		fields++
		key = key || name == "from" || name == "date" || name == "received"
	}
	return fields >= 2 && key
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
