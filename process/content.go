package process

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/pangolin-forensics/pangolin/catalog"
	extractors "github.com/pangolin-forensics/pangolin/extract/all"
	"github.com/pangolin-forensics/pangolin/extract/doc"
	"github.com/pangolin-forensics/pangolin/extract/filetype"
	"github.com/pangolin-forensics/pangolin/filesystem"
	"github.com/pangolin-forensics/pangolin/filesystem/archive"
	"github.com/pangolin-forensics/pangolin/hashing"
	"github.com/pangolin-forensics/pangolin/hashing/hashset"
)

// A consumer learns from a file's content as it is read: the bytes flow
// once through every consumer (the fan-out), and each one records what it
// found in the artefact when the content ends. Extractors join the
// pipeline as consumers.
type consumer interface {
	io.Writer
	// finish records the findings; it is called once, after the last
	// Write, only when the whole content was read.
	finish(a *catalog.Artefact) error
}

// hasher computes the catalogue's content hashes.
type hasher struct{ m *hashing.Multi }

var contentAlgos = []hashing.Algo{hashing.MD5, hashing.SHA1, hashing.SHA256}

func newHasher() (*hasher, error) {
	m, err := hashing.NewMulti(contentAlgos...)
	return &hasher{m}, err
}

func (h *hasher) Write(p []byte) (int, error) { return h.m.Write(p) }

func (h *hasher) finish(a *catalog.Artefact) error {
	s := h.m.Sums()
	a.MD5, a.SHA1, a.SHA256 = s[hashing.MD5], s[hashing.SHA1], s[hashing.SHA256]
	return nil
}

// sniffer keeps the head of the content and names its type.
type sniffer struct{ head []byte }

func (s *sniffer) Write(p []byte) (int, error) {
	if room := filetype.HeadSize - len(s.head); room > 0 {
		s.head = append(s.head, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (s *sniffer) finish(a *catalog.Artefact) error {
	t := filetype.Detect(s.head)
	a.MIME = t.MIME
	a.Mismatch = filetype.Mismatch(a.Name, t)
	return nil
}

// isArchive says whether content with this head is worth opening as an
// archive: ZIP (and the many formats built on it: Office, OpenDocument,
// EPUB, APK, KMZ), tar and gzip.
func isArchive(mime string, head []byte) bool {
	switch mime {
	case "application/zip", "application/x-tar", "application/gzip":
		return true
	}
	return bytes.HasPrefix(head, []byte("PK\x03\x04"))
}

// reader reads entries' content for one worker.
type reader struct {
	opts Options
	buf  []byte
}

// content reads a's content (when it is a file), fills in what the
// consumers found and, for an archive, adds its members. It returns the
// rows to write: the members first, a last. Only a failure of the run
// itself (cancellation) is an error; damage to the content is recorded
// in the row. openMu, when set, serialises fs.Open.
func (r *reader) content(ctx context.Context, a *catalog.Artefact, e *filesystem.Entry, fs filesystem.FS, openMu *sync.Mutex, depth int) ([]*catalog.Artefact, error) {
	if e.Type != filesystem.File || e.Extra[filesystem.NoContent] != "" {
		return []*catalog.Artefact{a}, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sr, err := openLocked(fs, e, openMu)
	if err != nil {
		a.Error = oneLine(err)
		return []*catalog.Artefact{a}, nil
	}
	return r.read(ctx, a, sr, depth, nil)
}

// keepBelow is the size up to which a file's content is kept in memory as
// it is read, so that extractors read it from there rather than from the
// evidence again.
const keepBelow = 8 << 20

// read reads a's content from sr once through the consumers, then opens
// it as an archive or hands it to the extractors, and returns the rows to
// write: the files found inside it first (archive members, a mailbox's
// messages, a message's attachments), a last. done, when set, is a's
// extraction made already (a mailbox's message).
func (r *reader) read(ctx context.Context, a *catalog.Artefact, sr *io.SectionReader, depth int, done *extractors.Result) ([]*catalog.Artefact, error) {
	h, err := newHasher()
	if err != nil {
		return nil, err
	}
	sn := &sniffer{}
	cs := []consumer{h, sn}
	var keep *keeper
	if r.opts.Extract != nil && done == nil && sr.Size() <= keepBelow {
		keep = &keeper{buf: make([]byte, 0, sr.Size())}
		cs = append(cs, keep)
	}
	if err := r.fanOut(ctx, sr, cs...); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		a.Error = oneLine(err)
		return []*catalog.Artefact{a}, nil
	}
	for _, c := range cs {
		if err := c.finish(a); err != nil {
			return nil, err
		}
	}
	if err := r.known(a); err != nil {
		return nil, err
	}
	var group []*catalog.Artefact
	if isArchive(a.MIME, sn.head) {
		if depth+1 >= r.opts.MaxDepth {
			setExtra(a, "archive_error", fmt.Sprintf("not opened: nested deeper than %d archives", r.opts.MaxDepth))
		} else if group, err = r.members(ctx, a, sr, depth+1); err != nil {
			return nil, err
		}
		if r.opts.Extract == nil || !doc.IsPackage(a.MIME) {
			return append(group, a), nil
		}
		// An office document is a ZIP archive too: its parts are
		// catalogued above, and the document itself is extracted below.
	}
	if r.opts.Extract == nil {
		return append(group, a), nil
	}
	res := done
	if res == nil {
		var src io.ReaderAt = sr
		if keep != nil {
			src = bytes.NewReader(keep.buf)
		}
		res = r.opts.Extract.Extract(ctx, src, sr.Size(), a.Name, a.MIME, sn.head)
	}
	a.Meta, a.Text, a.Entities, a.ExtractError = res.Meta, res.Text, res.Entities, res.Err
	if a.MIME == "" {
		a.MIME = res.MIME // a text format the signatures do not name
	}
	for i, c := range res.Children {
		if depth+1 >= r.opts.MaxDepth {
			setExtra(a, "children_error", fmt.Sprintf("%d files inside not read: nested deeper than %d", len(res.Children)-i, r.opts.MaxDepth))
			break
		}
		ref := a.Ref + "/" + strconv.Itoa(i)
		child := &catalog.Artefact{Exhibit: a.Exhibit, Partition: a.Partition, Ref: ref, Parent: a.Ref, Depth: depth + 1,
			Path: a.Path + "/" + childName(c.Name), Name: c.Name, Type: string(filesystem.File), Size: c.Content.Size(),
			Offset: a.Offset}
		rows, err := r.read(ctx, child, c.Content, depth+1, c.Done)
		if err != nil {
			return nil, err
		}
		group = append(group, rows...)
	}
	return append(group, a), nil
}

// childName makes a file name from evidence safe as the last part of a
// catalogue path: no '/', no control characters.
func childName(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r < 0x20 || r == 0x7f {
			return '_'
		}
		return r
	}, name)
}

// keeper keeps the content in memory for the extractors.
type keeper struct{ buf []byte }

func (k *keeper) Write(p []byte) (int, error) {
	k.buf = append(k.buf, p...)
	return len(p), nil
}

func (k *keeper) finish(*catalog.Artefact) error { return nil }

// openLocked opens e's content, holding mu (when set) while it does.
func openLocked(fs filesystem.FS, e *filesystem.Entry, mu *sync.Mutex) (*io.SectionReader, error) {
	if mu != nil {
		mu.Lock()
		defer mu.Unlock()
	}
	return fs.Open(e)
}

// safeContent is content for a top-level entry, turning a panic in a
// reader (a bug, which fuzzing hunts) into an error on that entry's row,
// so that one file cannot end the processing of a whole exhibit.
func (r *reader) safeContent(ctx context.Context, a *catalog.Artefact, e *filesystem.Entry, fs filesystem.FS, openMu *sync.Mutex) (group []*catalog.Artefact, err error) {
	defer func() {
		if p := recover(); p != nil {
			a.Error = fmt.Sprintf("internal error reading this entry (please report): %v", p)
			a.MD5, a.SHA1, a.SHA256, a.MIME, a.Mismatch = "", "", "", "", false
			group, err = []*catalog.Artefact{a}, nil
		}
	}()
	return r.content(ctx, a, e, fs, openMu, 0)
}

// fanOut reads sr once, to its end, into every consumer.
func (r *reader) fanOut(ctx context.Context, sr *io.SectionReader, cs ...consumer) error {
	if r.buf == nil {
		r.buf = make([]byte, 256<<10)
	}
	for off := int64(0); ; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := sr.ReadAt(r.buf, off)
		if n > 0 {
			for _, c := range cs {
				if _, werr := c.Write(r.buf[:n]); werr != nil {
					return werr
				}
			}
			off += int64(n)
		}
		if err == io.EOF {
			if off != sr.Size() {
				return fmt.Errorf("content ends at byte %d of %d", off, sr.Size())
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("read at byte %d: %w", off, err)
		}
	}
}

// members opens a's content as an archive and returns rows for its
// members (and theirs, down to MaxDepth). A damaged archive, or one over
// the limits, is noted on a and keeps the members read before the damage.
func (r *reader) members(ctx context.Context, a *catalog.Artefact, sr *io.SectionReader, depth int) ([]*catalog.Artefact, error) {
	fs, err := archive.Open(sr, sr.Size(), r.opts.Limits)
	if err != nil {
		if !errors.Is(err, filesystem.ErrNotFS) {
			setExtra(a, "archive_error", oneLine(err))
		}
		return nil, nil
	}
	defer fs.(io.Closer).Close()
	setExtra(a, "archive", fs.Type())
	if doc.IsPackage(a.MIME) {
		// The parts of an office document are hashed and typed, but their
		// XML is not text of its own: the document's text is extracted
		// from the whole.
		parts := *r
		parts.opts.Extract = nil
		r = &parts
	}
	var group []*catalog.Artefact
	var ord int64
	err = fs.Walk(ctx, func(m *filesystem.Entry) error {
		ref := a.Ref + "/" + strconv.FormatInt(ord, 10)
		ord++
		child := newArtefact(a.Exhibit, a.Partition, ref, a.Ref, depth, m)
		child.Path = a.Path + m.Path                          // the member's path inside the archive's
		rows, err := r.content(ctx, child, m, fs, nil, depth) // this archive is this goroutine's alone
		group = append(group, rows...)
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		setExtra(a, "archive_error", oneLine(err))
	}
	if an := fs.Anomalies(); len(an) > 0 {
		setExtra(a, "archive_anomalies", strings.Join(an, "; "))
	}
	return group, nil
}

// known looks a's hashes up in the known-file sets and sets the verdict.
func (r *reader) known(a *catalog.Artefact) error {
	if r.opts.Known == nil {
		return nil
	}
	rank := map[hashset.Kind]int{hashset.KnownGood: 1, hashset.Notable: 2, hashset.KnownBad: 3}
	seen := map[string]bool{}
	best := 0
	for algo, sum := range map[hashing.Algo]string{hashing.MD5: a.MD5, hashing.SHA1: a.SHA1, hashing.SHA256: a.SHA256} {
		raw, err := hex.DecodeString(sum)
		if err != nil {
			return err
		}
		ms, err := r.opts.Known.Lookup(algo, raw)
		if err != nil {
			return fmt.Errorf("hash set lookup: %w", err)
		}
		for _, m := range ms {
			if !seen[m.Name] {
				seen[m.Name] = true
				a.KnownSets = append(a.KnownSets, m.Name)
			}
			if rank[m.Kind] > best {
				best, a.Known = rank[m.Kind], string(m.Kind)
			}
		}
	}
	slices.Sort(a.KnownSets)
	return nil
}

func setExtra(a *catalog.Artefact, k, v string) {
	if a.Extra == nil {
		a.Extra = map[string]string{}
	}
	a.Extra[k] = v
}

// oneLine flattens an error message for a catalogue cell.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
