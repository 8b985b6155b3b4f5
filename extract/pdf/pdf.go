package pdf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pangolin-forensics/pangolin/extract"
)

// Defaults for [Options].
const (
	DefaultMaxPages  = 2000
	DefaultMaxText   = 16 << 20
	DefaultTimeout   = 60 * time.Second
	DefaultMaxMemory = 1 << 30
	// MaxSize is the largest file Extract reads: PDFium's file access
	// interface in a 32-bit WebAssembly module addresses 2 GiB.
	MaxSize = 1<<31 - 1
)

// recycleMemory is the instance memory size above which an instance is
// discarded after use, so that one large document does not keep its
// memory for the life of the Extractor; recycleUses bounds how many
// documents one instance reads, so that state PDFium keeps between
// documents (font caches, leaks) stays small.
const (
	recycleMemory = 256 << 20
	recycleUses   = 500
)

// maxMetaText bounds one Info dictionary value, in bytes of UTF-16.
const maxMetaText = 1 << 20

// FPDFPage_Flatten's flag and result (fpdf_flatten.h).
const (
	flatNormalDisplay = 0
	flattenSuccess    = 1
)

// maxPageFailures is the number of consecutive pages that fail to load
// after which Extract stops reading pages.
const maxPageFailures = 100

var (
	// ErrEncrypted means the document needs a password to open. Extract
	// returns it with what can be read without one (PDFVersion).
	ErrEncrypted = errors.New("pdf: encrypted")
	// ErrFormat means PDFium could not open the file as a PDF.
	ErrFormat = errors.New("pdf: not a readable PDF")
	// ErrTooLarge means the file is bigger than [MaxSize].
	ErrTooLarge = errors.New("pdf: file too large")
	// ErrTimeout means the per-file time limit ([Options.Timeout]) ran
	// out. It wraps context.DeadlineExceeded.
	ErrTimeout = fmt.Errorf("pdf: time limit exceeded: %w", context.DeadlineExceeded)
	// ErrTruncated means the text is incomplete: the document has more
	// pages than [Options.MaxPages], more text than [Options.MaxText],
	// or time ran out while reading pages (the error then wraps
	// [ErrTimeout] too). Extract returns it with the metadata and the
	// text read so far.
	ErrTruncated = errors.New("pdf: text truncated")
	// ErrDamaged means some pages could not be read. Extract returns it
	// with the metadata and the text of the readable pages.
	ErrDamaged = errors.New("pdf: damaged pages")
	// ErrClosed means the Extractor was closed.
	ErrClosed = errors.New("pdf: extractor closed")
)

// Options configures an [Extractor]. Zero values select the defaults.
type Options struct {
	// Workers is the number of PDFium instances, hence of documents
	// read at the same time. Default runtime.GOMAXPROCS(0), at least 1.
	Workers int
	// MaxPages is the number of pages whose text is read (default
	// [DefaultMaxPages]).
	MaxPages int
	// MaxText is the most text returned per document, in bytes of
	// UTF-8 (default [DefaultMaxText]).
	MaxText int
	// Timeout bounds the time spent on one document (default
	// [DefaultTimeout]). The instance reading it is then stopped and
	// discarded.
	Timeout time.Duration
	// MaxMemory bounds the linear memory of each PDFium instance, in
	// bytes, rounded down to 64 KiB pages (default [DefaultMaxMemory],
	// at most 2 GiB, the module's own limit). A document that needs
	// more fails to open or to load a page.
	MaxMemory int64
	// CompilationCacheDir, when set, is a directory where the compiled
	// PDFium module is kept, so that only the first Extractor on a
	// machine pays for compiling it (seconds) and later ones load it
	// (tens of milliseconds). The directory must be private to the
	// program: whoever can write it can run code in the process.
	CompilationCacheDir string
}

// Extractor reads PDF metadata and text with PDFium compiled to
// WebAssembly. It keeps a pool of up to Options.Workers PDFium instances
// and is safe for concurrent use.
type Extractor struct {
	opts Options
	eng  *engine

	// done is cancelled by Close, stopping extractions in progress.
	done   context.Context
	cancel context.CancelFunc

	tokens chan struct{} // one per worker; held while an instance is in use

	mu     sync.Mutex
	idle   []*instance
	closed bool
}

// New compiles the PDFium module and returns an Extractor. ctx bounds
// the compilation only.
func New(ctx context.Context, opts Options) (*Extractor, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.MaxPages <= 0 {
		opts.MaxPages = DefaultMaxPages
	}
	if opts.MaxText <= 0 {
		opts.MaxText = DefaultMaxText
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxMemory <= 0 {
		opts.MaxMemory = DefaultMaxMemory
	}
	pages := opts.MaxMemory >> 16
	if pages > 1<<15 {
		pages = 1 << 15
	}
	if pages < 512 { // the module itself starts at 289 pages
		pages = 512
	}
	eng, err := newEngine(ctx, uint32(pages), opts.CompilationCacheDir)
	if err != nil {
		return nil, err
	}
	x := &Extractor{
		opts:   opts,
		eng:    eng,
		tokens: make(chan struct{}, opts.Workers),
	}
	x.done, x.cancel = context.WithCancel(context.WithoutCancel(ctx))
	for range opts.Workers {
		x.tokens <- struct{}{}
	}
	return x, nil
}

// Close stops extractions in progress, waits for them to return and
// releases the PDFium instances. Extract fails with [ErrClosed] after
// Close.
func (x *Extractor) Close() error {
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return nil
	}
	x.closed = true
	x.mu.Unlock()
	x.cancel()
	for range x.opts.Workers {
		<-x.tokens
	}
	x.mu.Lock()
	for _, in := range x.idle {
		in.close()
	}
	x.idle = nil
	x.mu.Unlock()
	return x.eng.close(context.Background())
}

// get waits for a free worker and returns an idle instance or a new one.
func (x *Extractor) get(ctx context.Context) (*instance, error) {
	select {
	case <-x.tokens:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		x.tokens <- struct{}{}
		return nil, ErrClosed
	}
	if n := len(x.idle); n > 0 {
		in := x.idle[n-1]
		x.idle = x.idle[:n-1]
		x.mu.Unlock()
		return in, nil
	}
	x.mu.Unlock()
	in, err := x.eng.newInstance(ctx)
	if err != nil {
		x.tokens <- struct{}{}
		return nil, err
	}
	return in, nil
}

// put returns an instance to the pool, or discards it when it is
// unhealthy, large or old.
func (x *Extractor) put(in *instance, healthy bool) {
	in.uses++
	keep := healthy && in.uses < recycleUses && in.memSize() <= recycleMemory
	x.mu.Lock()
	if keep && !x.closed {
		x.idle = append(x.idle, in)
	} else {
		in.close()
	}
	x.mu.Unlock()
	x.tokens <- struct{}{}
}

// Extract reads the metadata and text of the PDF document in r, which
// holds size bytes. The text is UTF-8 in PDFium's reading order, one
// page after another, each page followed by a form feed ("\f") as
// pdftotext writes it.
//
// On success the error is nil. An error wrapping [ErrEncrypted],
// [ErrTruncated] or [ErrDamaged] comes with the metadata (and text) that
// could be read; any other error comes with nil metadata and empty text.
// Extract reads r concurrently with other calls only through ReadAt.
func (x *Extractor) Extract(ctx context.Context, r io.ReaderAt, size int64) (md *extract.Metadata, text string, err error) {
	if size < 0 {
		return nil, "", fmt.Errorf("pdf: negative size %d", size)
	}
	if size > MaxSize {
		return nil, "", fmt.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, size, int64(MaxSize))
	}
	ctx, cancel := context.WithTimeoutCause(ctx, x.opts.Timeout, ErrTimeout)
	defer cancel()
	stop := context.AfterFunc(x.done, func() { cancel() })
	defer stop()

	in, err := x.get(ctx)
	if err != nil {
		return nil, "", x.ctxErr(ctx, err)
	}
	healthy := false
	defer func() {
		if p := recover(); p != nil {
			md, text, err = nil, "", fmt.Errorf("pdf: internal error: %v", p)
			healthy = false
		}
		x.put(in, healthy)
	}()
	src := &source{ctx: ctx, r: r, size: size}
	d := &docReader{x: x, in: in, src: src, ctx: context.WithValue(ctx, sourceKey{}, src)}
	md, text, err = d.run()
	healthy = !d.broken
	if err != nil && !errors.Is(err, ErrTruncated) {
		err = x.ctxErr(ctx, err)
	}
	return md, text, err
}

// ctxErr replaces an error caused by the end of ctx with the reason it
// ended.
func (x *Extractor) ctxErr(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	if x.done.Err() != nil {
		return ErrClosed
	}
	return context.Cause(ctx)
}

// docReader reads one document with one instance.
type docReader struct {
	x      *Extractor
	in     *instance
	src    *source
	ctx    context.Context
	broken bool // a guest call failed: the instance must be discarded
}

// call wraps instance.call and marks the instance broken on error.
func (d *docReader) call(name string, args ...uint64) (uint64, error) {
	v, err := d.in.call(d.ctx, name, args...)
	if err != nil {
		d.broken = true
	}
	return v, err
}

func (d *docReader) run() (*extract.Metadata, string, error) {
	head := make([]byte, 1024)
	n, _ := d.src.r.ReadAt(head[:min(int64(len(head)), d.src.size)], 0)
	headVersion := headerVersion(head[:n])

	fa, err := d.call("FPDF_FILEACCESS_Create", uint64(d.src.size), 0)
	if err != nil {
		return nil, "", err
	}
	if fa == 0 {
		d.broken = true
		return nil, "", errNoMemory
	}
	doc, err := d.call("FPDF_LoadCustomDocument", fa, 0)
	if err != nil {
		return nil, "", err
	}
	if doc == 0 {
		code, err := d.call("FPDF_GetLastError")
		if err != nil {
			return nil, "", err
		}
		if err := d.freeGuest(uint32(fa)); err != nil {
			return nil, "", err
		}
		if d.src.err != nil {
			return nil, "", fmt.Errorf("pdf: %w", d.src.err)
		}
		switch code {
		case errPassword, errSecurity:
			md := &extract.Metadata{Format: "pdf"}
			if headVersion != "" {
				md.Fields = append(md.Fields, extract.Field{Name: "PDFVersion", Value: headVersion})
			}
			return md, "", fmt.Errorf("%w (PDFium error %d)", ErrEncrypted, code)
		default:
			return nil, "", fmt.Errorf("%w (PDFium error %d)", ErrFormat, code)
		}
	}

	md, pageCount, err := d.metadata(doc, headVersion)
	if err != nil {
		return nil, "", err
	}
	text, textErr := d.text(doc, pageCount)
	if d.broken {
		if errors.Is(textErr, ErrTruncated) {
			// Time ran out while reading pages: keep what was read.
			return md, text, textErr
		}
		return nil, "", textErr
	}
	if _, err := d.call("FPDF_CloseDocument", doc); err != nil {
		return nil, "", err
	}
	if err := d.freeGuest(uint32(fa)); err != nil {
		return nil, "", err
	}
	if d.src.err != nil && textErr == nil {
		textErr = fmt.Errorf("%w: %w", ErrDamaged, d.src.err)
	}
	return md, text, textErr
}

func (d *docReader) freeGuest(p uint32) error {
	_, err := d.call("free", uint64(p))
	return err
}

// metadata reads the Info dictionary, the version and the page count.
func (d *docReader) metadata(doc uint64, headVersion string) (*extract.Metadata, int, error) {
	md := &extract.Metadata{Format: "pdf"}
	add := func(name, value string) {
		if value != "" {
			md.Fields = append(md.Fields, extract.Field{Name: name, Value: value})
		}
	}
	for _, tag := range [...]struct{ pdf, exiftool string }{
		{"Title", "Title"},
		{"Author", "Author"},
		{"Subject", "Subject"},
		{"Keywords", "Keywords"},
		{"Creator", "Creator"},
		{"Producer", "Producer"},
		{"CreationDate", "CreateDate"},
		{"ModDate", "ModifyDate"},
	} {
		v, err := d.metaText(doc, tag.pdf)
		if err != nil {
			return nil, 0, err
		}
		v = cleanMeta(v)
		switch tag.pdf {
		case "Author":
			md.Author = v
		case "CreationDate", "ModDate":
			if t, local, ok := ParseDate(v); ok {
				v = formatDate(t, local)
				if tag.pdf == "CreationDate" {
					md.Created, md.CreatedLocal = t, local
				} else {
					md.Modified = t
				}
			}
		}
		add(tag.exiftool, v)
	}

	version := headVersion
	p, err := d.in.malloc(d.ctx, 4)
	if err != nil {
		d.broken = true
		return nil, 0, err
	}
	ok, err := d.call("FPDF_GetFileVersion", doc, uint64(p))
	if err != nil {
		return nil, 0, err
	}
	if ok != 0 {
		if v, ok := d.in.mod.Memory().ReadUint32Le(p); ok && v >= 10 && v < 100 {
			version = fmt.Sprintf("%d.%d", v/10, v%10)
		}
	}
	if err := d.freeGuest(p); err != nil {
		return nil, 0, err
	}
	add("PDFVersion", version)

	count, err := d.call("FPDF_GetPageCount", doc)
	if err != nil {
		return nil, 0, err
	}
	pages := int(int32(uint32(count)))
	if pages < 0 {
		pages = 0
	}
	add("PageCount", strconv.Itoa(pages))
	return md, pages, nil
}

// metaText returns one Info dictionary entry, "" when absent.
func (d *docReader) metaText(doc uint64, tag string) (string, error) {
	ctag, err := d.in.cstring(d.ctx, tag)
	if err != nil {
		d.broken = true
		return "", err
	}
	defer func() {
		if !d.broken {
			d.freeGuest(ctag)
		}
	}()
	n, err := d.call("FPDF_GetMetaText", doc, uint64(ctag), 0, 0)
	if err != nil {
		return "", err
	}
	size := uint32(n)
	if size <= 2 || size > maxMetaText {
		return "", nil
	}
	buf, err := d.in.malloc(d.ctx, size)
	if err != nil {
		d.broken = true
		return "", err
	}
	if _, err := d.call("FPDF_GetMetaText", doc, uint64(ctag), uint64(buf), uint64(size)); err != nil {
		return "", err
	}
	b, err := d.in.read(buf, size)
	if err != nil {
		d.broken = true
		return "", err
	}
	if err := d.freeGuest(buf); err != nil {
		return "", err
	}
	return utf16le(b), nil
}

// text reads the text of the first MaxPages pages.
func (d *docReader) text(doc uint64, pages int) (string, error) {
	opts := &d.x.opts
	var sb strings.Builder
	var textErr error
	n := pages
	if n > opts.MaxPages {
		n = opts.MaxPages
		textErr = fmt.Errorf("%w: read %d of %d pages", ErrTruncated, n, pages)
	}
	failed, consecutive := 0, 0
	for i := range n {
		if d.ctx.Err() != nil {
			return sb.String(), fmt.Errorf("%w at page %d of %d: %w", ErrTruncated, i+1, pages, context.Cause(d.ctx))
		}
		s, ok, err := d.page(doc, i, opts.MaxText-sb.Len())
		if err != nil {
			if d.ctx.Err() != nil {
				return sb.String(), fmt.Errorf("%w at page %d of %d: %w", ErrTruncated, i+1, pages, d.x.ctxErr(d.ctx, err))
			}
			return "", err
		}
		if !ok {
			failed++
			consecutive++
			if consecutive >= maxPageFailures {
				return sb.String(), fmt.Errorf("%w: pages %d to %d of %d unreadable, stopped", ErrDamaged, i+2-consecutive, i+1, pages)
			}
		} else {
			consecutive = 0
		}
		if sb.Len()+len(s)+2 > opts.MaxText {
			sb.WriteString(truncateUTF8(s, opts.MaxText-sb.Len()-1))
			sb.WriteByte('\f')
			return sb.String(), fmt.Errorf("%w: more than %d bytes, stopped at page %d of %d", ErrTruncated, opts.MaxText, i+1, pages)
		}
		sb.WriteString(s)
		if s != "" && !strings.HasSuffix(s, "\n") {
			sb.WriteByte('\n')
		}
		sb.WriteByte('\f')
	}
	if failed > 0 && textErr == nil {
		textErr = fmt.Errorf("%w: %d of %d pages unreadable", ErrDamaged, failed, pages)
	}
	return sb.String(), textErr
}

// page returns the text of page i, at most budget bytes of it, and false
// when PDFium cannot load the page.
func (d *docReader) page(doc uint64, i, budget int) (string, bool, error) {
	page, err := d.call("FPDF_LoadPage", doc, uint64(i))
	if err != nil {
		return "", false, err
	}
	if page == 0 {
		return "", false, nil
	}
	// Annotations (form field values, free text, stamps) are not page
	// content for PDFium's text API, while pdftotext shows their
	// appearance: merge them into the page, then load it again.
	annots, err := d.call("FPDFPage_GetAnnotCount", page)
	if err != nil {
		return "", false, err
	}
	if int32(uint32(annots)) > 0 {
		res, err := d.call("FPDFPage_Flatten", page, flatNormalDisplay)
		if err != nil {
			return "", false, err
		}
		if res == flattenSuccess {
			if _, err := d.call("FPDF_ClosePage", page); err != nil {
				return "", false, err
			}
			if page, err = d.call("FPDF_LoadPage", doc, uint64(i)); err != nil {
				return "", false, err
			}
			if page == 0 {
				return "", false, nil
			}
		}
	}
	tp, err := d.call("FPDFText_LoadPage", page)
	if err != nil {
		return "", false, err
	}
	var s string
	if tp != 0 {
		c, err := d.call("FPDFText_CountChars", tp)
		if err != nil {
			return "", false, err
		}
		// Each UTF-16 unit gives at least one byte of UTF-8: reading
		// budget units is enough to fill the budget.
		count := int(int32(uint32(c)))
		count = max(0, min(count, budget+1))
		if count > 0 {
			size := uint32(count+1) * 2
			buf, err := d.in.malloc(d.ctx, size)
			if err != nil {
				d.broken = true
				return "", false, err
			}
			w, err := d.call("FPDFText_GetText", tp, 0, uint64(count), uint64(buf))
			if err != nil {
				return "", false, err
			}
			written := min(uint32(int32(uint32(w))), uint32(count+1))
			b, err := d.in.read(buf, written*2)
			if err != nil {
				d.broken = true
				return "", false, err
			}
			if err := d.freeGuest(buf); err != nil {
				return "", false, err
			}
			s = cleanText(utf16le(b))
		}
		if _, err := d.call("FPDFText_ClosePage", tp); err != nil {
			return "", false, err
		}
	}
	if _, err := d.call("FPDF_ClosePage", page); err != nil {
		return "", false, err
	}
	return s, true, nil
}

// cleanText turns PDFium's page text into pdftotext's conventions: "\n"
// line ends, no NULs, byte order marks or other control characters
// except tab and line feed.
func cleanText(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				i++
			}
			sb.WriteByte('\n')
		case r == '\n' || r == '\t':
			sb.WriteRune(r)
		case r < 0x20, r == 0x7f, r == 0xfeff, r == 0xfffe, r == 0xffff:
			// Control characters and non-characters PDFium emits for
			// unmapped glyphs: drop.
		case r == utf8.RuneError && n == 1:
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// cleanMeta drops control characters from an Info dictionary value and
// trims white space.
func cleanMeta(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0x7f || r == 0xfeff {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// truncateUTF8 returns the longest prefix of s of at most n bytes that
// ends on a character boundary.
func truncateUTF8(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// headerVersion returns the version in a "%PDF-1.7" header found in
// head, or "".
func headerVersion(head []byte) string {
	i := strings.Index(string(head), "%PDF-")
	if i < 0 {
		return ""
	}
	v := head[i+5:]
	j := 0
	for j < len(v) && j < 4 && (v[j] >= '0' && v[j] <= '9' || v[j] == '.') {
		j++
	}
	if j < 3 || v[1] != '.' {
		return ""
	}
	return string(v[:j])
}
